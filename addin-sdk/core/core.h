// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// core.h: internal declarations of the core library (addin-sdk/core/: the
// wire, the channel, the transport, the executor, the loader and the
// platform layer), which libaddin-host and addin-runner link statically.
// Nothing here is exported from a shipped library (docs/architecture.md,
// "Layers and libraries").  It includes the runtime's private interface.

#ifndef ADDIN_CORE_H
#define ADDIN_CORE_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "runtime.h"

// addin__deconst drops const from a string that an interface takes as
// `char *` but only reads: fields of a protobuf-c message being packed,
// argv and envp of a spawn.  Never used to write.
static inline char *
addin__deconst(const char *s)
{
	union {
		const char *c;
		char       *m;
	} u = {s};
	return u.m;
}

// Fixed exit codes of the add-in runner, which the host maps to causes.
// Values below 80 are left to add-in code calling exit().
#define ADDIN_EXIT_OK            0
#define ADDIN_EXIT_USAGE         80 // bad command line
#define ADDIN_EXIT_PARENT_GONE   81 // the host died before we started
#define ADDIN_EXIT_CONNECT       82 // could not connect or shake hands
#define ADDIN_EXIT_INTERNAL      83 // the runner itself failed
#define ADDIN_EXIT_SANDBOX_SETUP 84 // a sandbox stage failed: fail closed
#define ADDIN_EXIT_HOST_GONE     85 // the host closed the channel or died

// addin__syserr records "<formatted>: strerror(errnum)" as the thread's
// last error and returns @code (platform/linux.c: errno is the platform's).
ADDIN_PRIVATE addin_err addin__syserr(addin_err code, int errnum,
                                      const char *fmt, ...) ADDIN_PRINTF(3, 4);

// addin__grow is the one way an array grows (grow.c): it makes room for
// @need elements of @elem bytes in the array @ptr of *@cap elements (NULL
// and 0 to start).  When @need > *@cap it reallocates to the next
// power-of-two multiple of 16 elements at least @need and updates *@cap; it
// returns the array, moved or not.  Returns NULL when out of memory or when
// the size would overflow; @ptr and *@cap are then unchanged and still the
// caller's.
//
//     void *nv = addin__grow(a->v, &a->cap, a->n + 1, sizeof(*a->v));
//     if (nv == NULL) { return addin__seterr(ADDIN_ENOMEM, NULL); }
//     a->v = nv;
ADDIN_PRIVATE void *addin__grow(void *ptr, size_t *cap, size_t need,
                                size_t elem);

// Decoding what a peer sent may allocate at most this much (frame.c): 64
// times the input plus 1 MiB, never more than ADDIN__DECODE_CAP.
// protobuf-c allocates unknown fields and repeated submessages one by one,
// so a hostile 64 MiB frame could otherwise cost gigabytes.  Messages
// decoded with a budget are freed with addin__pb_allocator as usual.
#define ADDIN__DECODE_CAP ((size_t) 256 * 1024 * 1024)
typedef struct addin__pb_budget {
	ProtobufCAllocator alloc;
	size_t             left;
	bool               exceeded;
} addin__pb_budget;
ADDIN_PRIVATE void addin__pb_budget_init(addin__pb_budget *b,
                                         size_t            input_len);

// Time (platform/linux.c).

// addin__now_ms returns CLOCK_MONOTONIC in milliseconds.
ADDIN_PRIVATE int64_t addin__now_ms(void);

// addin__cond_init_mono initialises @cv to time its waits on
// CLOCK_MONOTONIC, the clock of addin__now_ms and addin__deadline_ts.
static inline void
addin__cond_init_mono(pthread_cond_t *cv)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &a);
	pthread_condattr_destroy(&a);
}

// addin__deadline_ts writes @abs_ms (addin__now_ms's clock) as the absolute
// time a pthread_cond_timedwait on an addin__cond_init_mono cv takes.
static inline void
addin__deadline_ts(int64_t abs_ms, struct timespec *ts)
{
	ts->tv_sec  = (time_t) (abs_ms / 1000);
	ts->tv_nsec = (long) (abs_ms % 1000) * 1000000L;
}

#endif // ADDIN_CORE_H
