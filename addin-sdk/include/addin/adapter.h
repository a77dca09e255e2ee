// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// adapter.h: the runtime of the adapters protoc-gen-pipeline generates.
// Only generated code includes it; these functions belong to the SDK's
// private interface (addin__*) and change with the SDK version, which
// generated code checks (ADDIN_SDK_VERSION_NUMBER).

#ifndef ADDIN_ADAPTER_H
#define ADDIN_ADAPTER_H

#include <stddef.h>

#include "addin/api.h"

#ifdef __cplusplus
extern "C" {
#endif

// addin__arena: a per-call arena.  The protobuf-c structs and converted
// arrays an adapter builds around the caller's data (which they borrow) are
// freed together when the call is over.  Initialise with ADDIN__ARENA_INIT;
// one arena belongs to one call (not thread-safe).
typedef struct addin__arena {
	struct addin__arena_block *head;
} addin__arena;

#define ADDIN__ARENA_INIT \
	{                 \
		NULL      \
	}

// addin__arena_alloc returns @n zeroed elements of @size bytes that live
// until addin__arena_free(@arena), or NULL when out of memory or when the
// size overflows.
ADDIN_API void *addin__arena_alloc(addin__arena *arena, size_t n, size_t size);

// addin__arena_free frees everything allocated from @arena and leaves it
// empty (reusable).
ADDIN_API void addin__arena_free(addin__arena *arena);

// addin__alloc_array allocates @n zeroed elements of @size bytes for an
// out-parameter (the receiver frees it with addin_free), or returns NULL
// when out of memory or when the size overflows.  Thread-safe.
ADDIN_API void *addin__alloc_array(size_t n, size_t size);

#ifdef __cplusplus
}
#endif

#endif // ADDIN_ADAPTER_H
