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
// caller's closure recognises (addin_adapter_fault).  Generated code checks
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

#ifdef __cplusplus
}
#endif

#endif // ADDIN_ADAPTER_H
