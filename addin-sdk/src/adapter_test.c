// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The runtime of generated adapters (adapter.c): the per-call arena, and
// faults, which carry a call's failure through its closure.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addin/adapter.h"
#include "addin/fault.pb-c.h" // the type only: its descriptor is private
#include "addin/wire.pb-c.h"
#include "addin_test.h"
#include "core.h"

// What a closure was called with, copied before it returned.
typedef struct answer {
	int                       calls;
	const void               *data;
	addin_err                 rv;
	bool                      has_msg;
	char                      msg[ADDIN_ADAPTER_MSG_MAX + 8];
	Addin__Adapter__V1__Fault fault; // a copy of the fault itself
} answer;

static answer got;

static void
record(const ProtobufCMessage *msg, void *data)
{
	const char *why = "untouched";

	got.calls++;
	got.data    = data;
	got.rv      = addin_adapter_fault(msg, &why);
	got.has_msg = why != NULL;
	snprintf(got.msg, sizeof(got.msg), "%s", why != NULL ? why : "");
	if (got.rv != ADDIN_OK && msg != NULL) {
		memcpy(&got.fault, msg, sizeof(got.fault));
	}
}

static void
reset(void)
{
	memset(&got, 0, sizeof(got));
}

static void
test_fail_carries_code_and_message(void)
{
	int cookie;

	reset();
	addin_set_error(ADDIN_EIO, "the thread's own error");
	addin_adapter_fail(record, &cookie, ADDIN_ENOTFOUND, "no such %s %d",
	                   "thing", 42);
	ADDIN_CHECK_INT(got.calls, ==, 1);
	ADDIN_CHECK(got.data == &cookie);
	ADDIN_CHECK(got.rv == ADDIN_ENOTFOUND);
	ADDIN_CHECK_STR(got.msg, "no such thing 42");
	// The fault travels with the call; the thread's error is left alone.
	ADDIN_CHECK(addin_last_error() == ADDIN_EIO);
	ADDIN_CHECK_STR(addin_errmsg(), "the thread's own error");
}

static void
test_fail_takes_the_threads_message_for_its_code(void)
{
	// An add-in's addin_set_error(), then the adapter's fail(NULL).
	reset();
	addin_set_error(ADDIN_EINVAL, "division by zero");
	addin_adapter_fail(record, NULL, ADDIN_EINVAL, NULL);
	ADDIN_CHECK(got.rv == ADDIN_EINVAL);
	ADDIN_CHECK_STR(got.msg, "division by zero");

	// The thread's error is for another code: the code's own text.
	reset();
	addin_set_error(ADDIN_EINVAL, "division by zero");
	addin_adapter_fail(record, NULL, ADDIN_EBUSY, NULL);
	ADDIN_CHECK(got.rv == ADDIN_EBUSY);
	ADDIN_CHECK_STR(got.msg, addin_strerror(ADDIN_EBUSY));

	// The code without a message.
	reset();
	addin_set_error(ADDIN_EBUSY, NULL);
	addin_adapter_fail(record, NULL, ADDIN_EBUSY, NULL);
	ADDIN_CHECK_STR(got.msg, addin_strerror(ADDIN_EBUSY));
}

static void
test_fail_never_means_success(void)
{
	// ADDIN_OK and codes Bulkhead does not know become ADDIN_EREMOTE,
	// with the message as given.
	reset();
	addin_adapter_fail(record, NULL, ADDIN_OK, "it went fine");
	ADDIN_CHECK(got.rv == ADDIN_EREMOTE);
	ADDIN_CHECK_STR(got.msg, "it went fine");
	ADDIN_CHECK(got.fault.has_code && got.fault.code == ADDIN_EREMOTE);

	reset();
	addin_adapter_fail(record, NULL, (addin_err) 4242, "from the future");
	ADDIN_CHECK(got.rv == ADDIN_EREMOTE);
	ADDIN_CHECK_STR(got.msg, "from the future");

	// Without a message: the thread's, when it is for that very code.
	reset();
	addin_set_error((addin_err) 4242, "newer code");
	addin_adapter_fail(record, NULL, (addin_err) 4242, NULL);
	ADDIN_CHECK(got.rv == ADDIN_EREMOTE);
	ADDIN_CHECK_STR(got.msg, "newer code");

	reset();
	addin_set_error(ADDIN_OK, NULL);
	addin_adapter_fail(record, NULL, ADDIN_OK, NULL);
	ADDIN_CHECK(got.rv == ADDIN_EREMOTE);
	ADDIN_CHECK_STR(got.msg, addin_strerror(ADDIN_EREMOTE));
}

static void
test_fail_keeps_511_bytes_and_control_characters(void)
{
	char long_msg[700];
	char want[ADDIN_ADAPTER_MSG_MAX];

	for (size_t i = 0; i < sizeof(long_msg) - 1; i++) {
		long_msg[i] = (char) (i % 31 == 0 ? '\t' + (int) (i % 3)
		                                  : 'a' + (int) (i % 26));
	}
	long_msg[sizeof(long_msg) - 1] = '\0';
	long_msg[5]                    = '\x01';
	long_msg[6]                    = '\x1f';
	long_msg[7]                    = '\x7f';
	memcpy(want, long_msg, sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';

	reset();
	addin_adapter_fail(record, NULL, ADDIN_EREMOTE, "%s", long_msg);
	ADDIN_CHECK_INT(strlen(got.msg), ==, ADDIN_ADAPTER_MSG_MAX - 1);
	ADDIN_CHECK(strcmp(got.msg, want) == 0);

	// The same through the thread's error (which keeps 511 bytes too).
	reset();
	addin_set_error(ADDIN_EREMOTE, "%s", long_msg);
	addin_adapter_fail(record, NULL, ADDIN_EREMOTE, NULL);
	ADDIN_CHECK(strcmp(got.msg, want) == 0);
}

static void
test_fault_of_replies_and_null(void)
{
	Addin__Adapter__V1__Fault f;
	Addin__Wire__V1__Empty    reply = ADDIN__WIRE__V1__EMPTY__INIT;
	const char               *why   = "untouched";

	// An ordinary reply (any other message) is not a fault.
	ADDIN_CHECK(addin_adapter_fault(&reply.base, &why) == ADDIN_OK);
	ADDIN_CHECK(why == NULL);
	ADDIN_CHECK(addin_adapter_fault(&reply.base, NULL) == ADDIN_OK);

	// NULL: a service that answered nothing.
	ADDIN_CHECK(addin_adapter_fault(NULL, &why) == ADDIN_EREMOTE);
	ADDIN_CHECK_STR(why, "the implementation failed without saying why");
	ADDIN_CHECK(addin_adapter_fault(NULL, NULL) == ADDIN_EREMOTE);

	// A fault that lost its code or its message (as a peer could build
	// one): never ADDIN_OK, always a message.
	reset();
	addin_adapter_fail(record, NULL, ADDIN_EPERM, "denied");
	f          = got.fault;
	f.has_code = false;
	ADDIN_CHECK(addin_adapter_fault(&f.base, &why) == ADDIN_EREMOTE);
	f.has_code = true;
	f.code     = ADDIN_OK;
	ADDIN_CHECK(addin_adapter_fault(&f.base, &why) == ADDIN_EREMOTE);
	f.code    = ADDIN_EPERM;
	f.message = NULL;
	ADDIN_CHECK(addin_adapter_fault(&f.base, &why) == ADDIN_EPERM);
	ADDIN_CHECK_STR(why, addin_strerror(ADDIN_EPERM));
}

static void
test_arena(void)
{
	addin_adapter_arena arena = ADDIN_ADAPTER_ARENA_INIT;
	int64_t             live  = addin__alloc_live();
	int                *a, *b;

	a = addin_adapter_arena_alloc(&arena, 4, sizeof(*a));
	b = addin_adapter_arena_alloc(&arena, 0, sizeof(*b));
	ADDIN_CHECK(a != NULL && b != NULL && (void *) a != (void *) b);
	for (int i = 0; i < 4; i++) {
		ADDIN_CHECK(a[i] == 0);
	}
	ADDIN_CHECK(addin_adapter_arena_alloc(&arena, SIZE_MAX / 2, 4) ==
	            NULL);
	ADDIN_CHECK(addin_adapter_alloc_array(SIZE_MAX / 2, 4) == NULL);
	// Freeing touches no error: it may run between a failure and its
	// report.
	addin_set_error(ADDIN_EINVAL, "keep me");
	addin_adapter_arena_free(&arena);
	ADDIN_CHECK(arena.head == NULL);
	ADDIN_CHECK_STR(addin_errmsg(), "keep me");
	addin_adapter_arena_free(&arena); // empty again: still fine
	ADDIN_CHECK_INT(addin__alloc_live(), ==, live);

	a = addin_adapter_alloc_array(3, sizeof(*a));
	ADDIN_CHECK(a != NULL && a[0] == 0 && a[2] == 0);
	addin_free(a);
	ADDIN_CHECK_INT(addin__alloc_live(), ==, live);
}

ADDIN_TEST_LIST = {
    {"a fault carries its code and message and leaves the thread's error",
     test_fail_carries_code_and_message},
    {"a fault without a format takes the thread's message for its code",
     test_fail_takes_the_threads_message_for_its_code},
    {"a fault of ADDIN_OK or an unknown code is ADDIN_EREMOTE",
     test_fail_never_means_success},
    {"a fault keeps 511 bytes of its message and its control characters",
     test_fail_keeps_511_bytes_and_control_characters},
    {"a reply is no fault; NULL is ADDIN_EREMOTE, said so",
     test_fault_of_replies_and_null},
    {"the per-call arena frees everything and refuses overflows", test_arena},
    {NULL, NULL},
};
