// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// executor: a small thread pool that serves incoming calls which no waiting
// thread takes (top-level calls from the peer).  Starts @min threads, grows
// up to @max when every thread is busy, never blocks the submitter.

#ifndef ADDIN_EXECUTOR_H
#define ADDIN_EXECUTOR_H

#include "core.h"

typedef struct addin__executor addin__executor;

// addin__executor_create starts @min_threads (>= 1) threads.  ADDIN_ENOMEM,
// ADDIN_ESYSERR.
ADDIN_PRIVATE addin_err addin__executor_create(unsigned          min_threads,
                                               unsigned          max_threads,
                                               addin__executor **ret);
// addin__executor_submit queues fn(arg).  ADDIN_ENOMEM, ADDIN_ESHUTDOWN
// after destroy began.  Thread-safe.
ADDIN_PRIVATE addin_err addin__executor_submit(addin__executor *ex,
                                               void (*fn)(void *), void *arg);
// addin__executor_destroy runs what is queued, then joins every thread.
// Must not be called from one of the executor's own threads.  Accepts NULL.
ADDIN_PRIVATE void addin__executor_destroy(addin__executor *ex);
// addin__executor_threads returns the number of threads started so far.
ADDIN_PRIVATE unsigned addin__executor_threads(addin__executor *ex);
// addin__executor_idle returns the number of threads waiting for a task
// now (for tests that need a known state: "every thread idle").
ADDIN_PRIVATE unsigned addin__executor_idle(addin__executor *ex);

#endif // ADDIN_EXECUTOR_H
