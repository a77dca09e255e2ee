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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
// addin__err_known is true when @code is one of ADDIN_ERR_MAP.
ADDIN_PRIVATE bool addin__err_known(uint32_t code);
// addin__rc_filter passes known codes and maps anything else to
// ADDIN_EINTERNAL.
static inline addin_err
addin__rc_filter(addin_err rv)
{
	return addin__err_known((uint32_t) rv) ? rv : ADDIN_EINTERNAL;
}

// addin__rc_check passes @rv when it is ADDIN_OK or one of the @n codes
// in @allowed, the list @fn's header documents.  Anything else is a bug of
// the library (a code that escaped undocumented): in a Debug build
// (ADDIN_ABORT_ON_UNDOCUMENTED, cmake/AddinCompiler.cmake; every test build
// is one) it aborts naming @fn and the code, so that the tests find it; in
// any other build it becomes ADDIN_EINTERNAL with a message naming both.  Public entry points that return addin_err
// end with ADDIN__RETURN_CHECKED.
static inline addin_err
addin__rc_check(addin_err rv, const char *fn, const addin_err *allowed,
                size_t n)
{
	if (rv == ADDIN_OK) {
		return rv;
	}
	for (size_t i = 0; i < n; i++) {
		if (allowed[i] == rv) {
			return rv;
		}
	}
#ifdef ADDIN_ABORT_ON_UNDOCUMENTED
	fprintf(stderr,
	        "bulkhead: %s returned ADDIN_%s, which its header does not "
	        "document (%s)\n",
	        fn, addin_err_name(rv), addin_errmsg());
	abort();
#else
	return addin__seterr(ADDIN_EINTERNAL, "%s: undocumented ADDIN_%s: %s",
	                     fn, addin_err_name(rv), addin_errmsg());
#endif
}

// ADDIN__RETURN_CHECKED(rv, codes...) returns @rv from a public function
// through addin__rc_check with the codes its header lists.
#define ADDIN__RETURN_CHECKED(rv, ...)                                       \
	do {                                                                 \
		static const addin_err addin__documented_[] = {__VA_ARGS__}; \
		return addin__rc_check((rv), __func__, addin__documented_,   \
		                       sizeof(addin__documented_) /          \
		                           sizeof(addin__documented_[0]));   \
	} while (0)

// The allocator seam (alloc.c): every heap allocation of the project's
// libraries, counted so that the tests find leaks.  addin__alloc of 0
// bytes still returns a unique pointer; addin__realloc of NULL allocates;
// addin__free accepts NULL.
ADDIN_PRIVATE void *addin__alloc(size_t size);
ADDIN_PRIVATE void *addin__realloc(void *ptr, size_t size);
ADDIN_PRIVATE void  addin__free(void *ptr);
// addin__alloc_live is the number of live allocations (tests).
ADDIN_PRIVATE int64_t addin__alloc_live(void);

// addin__zalloc: addin__alloc, zeroed.
static inline void *
addin__zalloc(size_t size)
{
	void *p = addin__alloc(size);
	if (p != NULL) {
		memset(p, 0, size);
	}
	return p;
}

// addin__strndup copies at most @n bytes of @s, NUL-terminated.
static inline char *
addin__strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char  *p   = addin__alloc(len + 1);
	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

// addin__strdup copies @s; NULL for NULL.
static inline char *
addin__strdup(const char *s)
{
	return s == NULL ? NULL : addin__strndup(s, strlen(s));
}
// A ProtobufCAllocator that goes through the seam.
extern ADDIN_PRIVATE ProtobufCAllocator addin__pb_allocator;

#define ADDIN__NEW(type) ((type *) addin__zalloc(sizeof(type)))

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

// The context an add-in instance is created with (context.c).
struct addin_context {
	char *name; // the add-in's metadata name; owned
};

#endif // ADDIN_RUNTIME_H
