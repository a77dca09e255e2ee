// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The runtime of generated adapters (include/addin/adapter.h): the per-call
// arena, out-parameter arrays, and the faults that carry a call's failure
// through its closure.

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "addin/adapter.h"
#include "addin/fault.pb-c.h"
#include "runtime.h"

_Static_assert(ADDIN_ADAPTER_MSG_MAX == ADDIN__ERRMSG_MAX,
               "a fault carries what the thread's error holds");

struct addin_adapter_arena_block {
	struct addin_adapter_arena_block *next;
	max_align_t                       data[];
};

// Documented in include/addin/adapter.h.
void *
addin_adapter_arena_alloc(addin_adapter_arena *arena, size_t n, size_t size)
{
	struct addin_adapter_arena_block *b;

	if (size != 0 && n > (SIZE_MAX - sizeof(*b)) / size) {
		return NULL;
	}
	if ((b = addin__zalloc(sizeof(*b) + n * size)) == NULL) {
		return NULL;
	}
	b->next     = arena->head;
	arena->head = b;
	return b->data;
}

// Documented in include/addin/adapter.h.
void
addin_adapter_arena_free(addin_adapter_arena *arena)
{
	while (arena->head != NULL) {
		struct addin_adapter_arena_block *b = arena->head;
		arena->head                         = b->next;
		addin__free(b);
	}
}

// Documented in include/addin/adapter.h.
void *
addin_adapter_alloc_array(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		return NULL;
	}
	return addin__zalloc(n * size);
}

// The code a fault carries: never ADDIN_OK, never an undocumented code.
static addin_err
fault_code(uint32_t code)
{
	if (code == ADDIN_OK || !addin__err_known(code)) {
		return ADDIN_EREMOTE;
	}
	return (addin_err) code;
}

// Documented in include/addin/adapter.h.
void
addin_adapter_fail(void (*closure)(const struct ProtobufCMessage *msg,
                                   void *closure_data),
                   void *closure_data, addin_err code, const char *fmt, ...)
{
	Addin__Adapter__V1__Fault f = ADDIN__ADAPTER__V1__FAULT__INIT;
	char                      msg[ADDIN_ADAPTER_MSG_MAX];
	va_list                   ap;

	f.has_code = true;
	f.code     = (uint32_t) fault_code((uint32_t) code);
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	} else if (code != ADDIN_OK && addin_last_error() == code) {
		snprintf(msg, sizeof(msg), "%s", addin_errmsg());
	} else {
		snprintf(msg, sizeof(msg), "%s",
		         addin_strerror((addin_err) f.code));
	}
	f.message = msg;
	closure(&f.base, closure_data);
}

// Documented in include/addin/adapter.h.
addin_err
addin_adapter_fault(const struct ProtobufCMessage *msg,
                    const char                   **ret_message)
{
	const Addin__Adapter__V1__Fault *f;
	addin_err                        code;

	if (msg == NULL) {
		if (ret_message != NULL) {
			*ret_message =
			    "the implementation failed without saying why";
		}
		return ADDIN_EREMOTE;
	}
	if (msg->descriptor != &addin__adapter__v1__fault__descriptor) {
		if (ret_message != NULL) {
			*ret_message = NULL;
		}
		return ADDIN_OK;
	}
	f    = (const Addin__Adapter__V1__Fault *) msg;
	code = fault_code(f->has_code ? f->code : ADDIN_OK);
	if (ret_message != NULL) {
		*ret_message =
		    f->message != NULL ? f->message : addin_strerror(code);
	}
	return code;
}
