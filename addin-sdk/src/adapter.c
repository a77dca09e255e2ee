// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The runtime of generated adapters (include/addin/adapter.h): the per-call
// arena and out-parameter arrays.

#include <stdint.h>

#include "addin/adapter.h"
#include "core.h"

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
