// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// adapter.h: the runtime of the adapters protoc-gen-pipeline generates
// (docs/contracts.md), and of hand-written adapters and services that
// speak the same protocol.
//
// A generated adapter builds protobuf-c structs around its caller's data
// for the duration of one call (a per-call arena), hands out zeroed arrays
// for out-parameters, and answers a failed contract call with a fault
// carried through the call's closure (addin_adapter_fail), which the
// caller's closure recognises (addin_adapter_fault).  Every
// ProtobufCService of Bulkhead (generated adapters, the proxy to another
// process, the stub serving one) keeps that protocol.  Generated code checks
// ADDIN_SDK_VERSION_NUMBER against what it needs, so these declarations
// belong to the public API: they keep their meaning within an ABI version.
//
// The header is self-contained: it needs protobuf-c's ProtobufCMessage
// only as an incomplete type (generated code includes protobuf-c itself).

#ifndef ADDIN_ADAPTER_H
#define ADDIN_ADAPTER_H

#include <stddef.h>

#include "addin/api.h"
#include "addin/err.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ProtobufCMessage;

// addin_adapter_arena is a per-call arena: the protobuf-c structs and
// converted arrays an adapter builds around its caller's data (which they
// borrow) are freed together when the call is over.  A caller-allocated
// struct (usually on the stack): initialise it with ADDIN_ADAPTER_ARENA_INIT
// and free it with addin_adapter_arena_free.  One arena belongs to one call:
// not thread-safe.  Its member is private.
typedef struct addin_adapter_arena {
	struct addin_adapter_arena_block *head;
} addin_adapter_arena;

// ADDIN_ADAPTER_ARENA_INIT is the value of an empty arena.
#define ADDIN_ADAPTER_ARENA_INIT \
	{                        \
		NULL             \
	}

// addin_adapter_arena_alloc returns @n zeroed elements of @size bytes that
// live until addin_adapter_arena_free(@arena), or NULL when out of memory or
// when @n * @size overflows.  A size of 0 returns a unique pointer.  The
// memory belongs to @arena: never free it otherwise.  Records no error
// (the caller says what failed).  Not thread-safe for one arena.
ADDIN_API void *addin_adapter_arena_alloc(addin_adapter_arena *arena, size_t n,
                                          size_t size) ADDIN_NONNULL(1);

// addin_adapter_arena_free frees everything allocated from @arena and
// leaves it empty (reusable).  Does not touch the calling thread's error,
// so that it may run between a failure and its report.  Not thread-safe for
// one arena.
ADDIN_API void addin_adapter_arena_free(addin_adapter_arena *arena)
    ADDIN_NONNULL(1);

// addin_adapter_alloc_array allocates @n zeroed elements of @size bytes for
// an out-parameter: the receiver owns it and frees it with addin_free().
// Returns NULL when out of memory or when @n * @size overflows.  Records no
// error.  Thread-safe.
ADDIN_API void *addin_adapter_alloc_array(size_t n, size_t size);

// Faults.  ProtobufCService.invoke returns nothing: a contract call ends
// when the service calls the call's closure, before invoke returns, with the
// method's reply or, when it failed, with a fault: a small message private
// to the SDK carrying an addin_err and a message.  The failure thus travels
// with the call (through the proxy, the stub and both adapters), and no
// library call made on the way can overwrite it the way it could the
// thread's last error.  Whoever receives a closure's message must ask
// addin_adapter_fault() first: a fault is not the reply type the closure
// expects.  The host-side adapter turns a fault into the result of the view
// call and sets it as the thread's error (addin_errmsg()) once, on its way
// back to host code.

// ADDIN_ADAPTER_MSG_MAX is the size of the longest fault message with its
// NUL (511 bytes of text, as the thread's error keeps).
#define ADDIN_ADAPTER_MSG_MAX 512

// addin_adapter_fail answers a contract call with a failure: it builds a
// fault on the stack and calls @closure(fault, @closure_data), which must
// not keep the fault or its message past its return.
//
// @code is the failure; ADDIN_OK and codes Bulkhead does not know become
// ADDIN_EREMOTE (a fault never means success, and only documented codes
// reach the caller).  The message is @fmt formatted printf-style, truncated
// to ADDIN_ADAPTER_MSG_MAX - 1 bytes.  When @fmt is NULL it is the calling
// thread's message (addin_errmsg()) if the thread's last error is @code,
// else addin_strerror() of the fault's code: so an add-in-side adapter that
// calls this right after the add-in's op failed carries the op's
// addin_set_error() message to the caller.  @closure_data may be NULL.
// Records no error and leaves the thread's error as it is.  Thread-safe.
ADDIN_API void addin_adapter_fail(
    void (*closure)(const struct ProtobufCMessage *msg, void *closure_data),
    void *closure_data, addin_err code, const char *fmt, ...) ADDIN_NONNULL(1)
    ADDIN_PRINTF(4, 5);

// addin_adapter_fault says what a closure was called with.  For an ordinary
// reply it returns ADDIN_OK.  For a fault (addin_adapter_fail) it returns
// the fault's code, never ADDIN_OK.  For NULL (a service that answered the
// call with nothing) it returns ADDIN_EREMOTE.  When @ret_message is not
// NULL, *@ret_message is set to the fault's message ("the implementation
// failed without saying why" for NULL), or NULL for a reply; the string
// lives as long as @msg, so copy it before the closure returns.  Records no
// error.  Thread-safe.
ADDIN_API addin_err addin_adapter_fault(const struct ProtobufCMessage *msg,
                                        const char **ret_message);

#ifdef __cplusplus
}
#endif

#endif // ADDIN_ADAPTER_H
