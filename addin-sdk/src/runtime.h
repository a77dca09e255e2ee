// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// runtime.h: the private interface of libaddin-sdk, the add-in runtime.  The
// runtime is the one copy of the per-thread error state, the allocator seam
// and the view objects in a process (docs/architecture.md, "Symbols"); the
// host library, the runner and the internal core library reach these
// functions through the short, explicit ADDIN_PRIVATE node of
// addin-sdk/sdk.sym.  They are not part of the public API and may change in
// any release.  Nothing else of the runtime is exported but its public API.

#ifndef ADDIN_RUNTIME_H
#define ADDIN_RUNTIME_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "addin/err.h"
#include "addin/object.h"
#include "addin/segment.h"
#include "addin/version.h"

// ADDIN_PRIVATE marks internal functions: the runtime exports the ones
// listed in the ADDIN_PRIVATE node of addin-sdk/sdk.sym; in the host library
// and the runner they stay local (host/host.sym).
#define ADDIN_PRIVATE __attribute__((visibility("default")))

#define ADDIN__ERRMSG_MAX 512

// Errors (err.c).

// addin__seterr records @code and a formatted message as the thread's last
// error and returns @code.
ADDIN_PRIVATE addin_err addin__seterr(addin_err code, const char *fmt, ...)
    ADDIN_PRINTF(2, 3);
ADDIN_PRIVATE addin_err addin__vseterr(addin_err code, const char *fmt,
                                       va_list ap);
// addin__syserr records "<formatted>: strerror(errnum)".
ADDIN_PRIVATE addin_err addin__syserr(addin_err code, int errnum,
                                      const char *fmt, ...) ADDIN_PRINTF(3, 4);
// addin__err_known is true when @code is one of ADDIN_ERR_MAP.
ADDIN_PRIVATE bool addin__err_known(uint32_t code);
// addin__rc_filter passes documented codes and maps anything else to
// ADDIN_EINTERNAL.  Public entry points end with it.
ADDIN_PRIVATE addin_err addin__rc_filter(addin_err rv);

// The allocator seam (alloc.c).  addin__free accepts NULL.
ADDIN_PRIVATE void   *addin__alloc(size_t size);
ADDIN_PRIVATE void   *addin__zalloc(size_t size);
ADDIN_PRIVATE void   *addin__realloc(void *ptr, size_t size);
ADDIN_PRIVATE void    addin__free(void *ptr);
ADDIN_PRIVATE char   *addin__strdup(const char *s);
ADDIN_PRIVATE char   *addin__strndup(const char *s, size_t n);
ADDIN_PRIVATE void   *addin__memdup(const void *p, size_t len);
ADDIN_PRIVATE int64_t addin__alloc_live(void);
// addin__grow is the one way an array grows: it makes room for @need
// elements of @elem bytes in the array @ptr of *@cap elements (NULL and 0
// to start).  When @need > *@cap it reallocates to the next power-of-two
// multiple of 16 elements at least @need and updates *@cap; it returns the
// array, moved or not.  Returns NULL when out of memory or when the size
// would overflow; @ptr and *@cap are then unchanged and still the caller's.
//
//     void *nv = addin__grow(a->v, &a->cap, a->n + 1, sizeof(*a->v));
//     if (nv == NULL) { return addin__seterr(ADDIN_ENOMEM, NULL); }
//     a->v = nv;
ADDIN_PRIVATE void *addin__grow(void *ptr, size_t *cap, size_t need,
                                size_t elem);
// A ProtobufCAllocator that goes through the seam.
extern ADDIN_PRIVATE ProtobufCAllocator addin__pb_allocator;

#define ADDIN__NEW(type) ((type *) addin__zalloc(sizeof(type)))

// Decoding what a peer sent may allocate at most this much: 64 times the
// input plus 1 MiB, never more than ADDIN__DECODE_CAP.  protobuf-c
// allocates unknown fields and repeated submessages one by one, so a
// hostile 64 MiB frame could otherwise cost gigabytes.  Messages decoded
// with a budget are freed with addin__pb_allocator as usual.
#define ADDIN__DECODE_CAP ((size_t) 256 * 1024 * 1024)
typedef struct addin__pb_budget {
	ProtobufCAllocator alloc;
	size_t             left;
	bool               exceeded;
} addin__pb_budget;
ADDIN_PRIVATE void addin__pb_budget_init(addin__pb_budget *b,
                                         size_t            input_len);

// Objects (object.c).

// addin__object_kill marks @obj dead: every later addin_object_enter fails
// with ADDIN_ESHUTDOWN and the message "<reason>".  Calls in flight are not
// interrupted.  Idempotent; the first reason stays.
ADDIN_PRIVATE void addin__object_kill(addin_object *obj, const char *fmt, ...)
    ADDIN_PRINTF(2, 3);
// addin__object_wait_idle waits until no call is in flight on @obj, at most
// @timeout_ms (negative: forever).  Returns ADDIN_OK or ADDIN_ETIMEDOUT.
ADDIN_PRIVATE addin_err addin__object_wait_idle(addin_object *obj,
                                                int           timeout_ms);
// addin__object_destroy_arg returns the impl's destroy_arg when @obj is an
// object whose destroy is @destroy (i.e. made by that owner), else NULL.
ADDIN_PRIVATE void *addin__object_destroy_arg(const addin_object *obj,
                                              void (*destroy)(void *, void *));
// addin__object_self returns the impl's self pointer (no checks).
ADDIN_PRIVATE void *addin__object_self(addin_object *obj);

// The context an add-in instance is created with (context.c).
struct addin_context {
	char *name; // the add-in's metadata name; owned
};

#endif // ADDIN_RUNTIME_H
