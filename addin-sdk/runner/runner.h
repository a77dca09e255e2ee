// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// runner.h: the state of the add-in runner process, shared by its files:
// main.c (the command line, the sandbox's entry, connecting, waiting for
// the end) and control.c (the runner's Control handlers).  One runner per
// process: R.

#ifndef ADDIN_RUNNER_H
#define ADDIN_RUNNER_H

#include <pthread.h>
#include <stdbool.h>

#include "channel.h"
#include "control.h"
#include "executor.h"
#include "sandbox_runner.h"

#define TOKEN_FD  3
#define TOKEN_LEN 32

typedef struct runner {
	const char      *url;
	const char      *name;
	int              parent;
	int              workers;
	int              deadline_ms;
	addin__channel  *ch;
	addin__executor *ex;
	pthread_mutex_t  mtx;
	pthread_cond_t   cv;
	bool             stop; // Shutdown asked
	bool             gone; // the host went away
	// Sandboxed (--sandbox-fd): the descriptors the host passed, and the
	// sandbox once entered (its allow list goes on under mtx).
	int                   sandbox_fd, report_fd;
	bool                  sandboxed;
	addin__sandbox_runner sbx;
	bool                  loaded; // strict: its one add-in is loaded
} runner;

// R is the runner: written by main.c before the channel opens, then its
// mutex guards stop, gone, loaded and the sandbox's second stage.
extern runner R;

// addin__runner_control: Load, Unload and Shutdown (control.c).
extern const addin__control_ops addin__runner_control;

// say writes a line about the runner to stderr (the host keeps it).
void say(const char *fmt, ...) ADDIN_PRINTF(1, 2);

// sandbox_stage2 puts the sandbox's allow list on (sandboxed runners; a
// no-op after the first time).  Fails closed: a failure exits.
void sandbox_stage2(void);

#endif // ADDIN_RUNNER_H
