// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The allocator seam.  Every heap allocation of the project's libraries goes
// through here (CI greps for malloc & co elsewhere), so that the tests can
// count live allocations and fail a case that leaks.

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

static atomic_int_fast64_t live;

void *
addin__alloc(size_t size)
{
	// A size of 0 still returns a unique pointer, so that callers need not
	// special-case empty arrays.
	void *p = malloc(size == 0 ? 1 : size);
	if (p != NULL) {
		atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
	}
	return p;
}

void *
addin__realloc(void *ptr, size_t size)
{
	void *p;
	if (ptr == NULL) {
		return addin__alloc(size);
	}
	p = realloc(ptr, size == 0 ? 1 : size);
	return p;
}

void
addin__free(void *ptr)
{
	if (ptr != NULL) {
		atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
		free(ptr);
	}
}

static void *
memdup(const void *p, size_t len)
{
	void *q = addin__alloc(len);
	if (q != NULL && len > 0) {
		memcpy(q, p, len);
	}
	return q;
}

int64_t
addin__alloc_live(void)
{
	return (int64_t) atomic_load(&live);
}

static void *
pb_alloc(void *data, size_t size)
{
	(void) data;
	return addin__alloc(size);
}

static void
pb_free(void *data, void *ptr)
{
	(void) data;
	addin__free(ptr);
}

ProtobufCAllocator addin__pb_allocator = {
    .alloc          = pb_alloc,
    .free           = pb_free,
    .allocator_data = NULL,
};

// Documented in include/addin/err.h.
void *
addin_alloc(size_t size)
{
	return addin__alloc(size);
}

// Documented in include/addin/err.h.
void
addin_free(void *ptr)
{
	addin__free(ptr);
}

// Documented in include/addin/err.h.
char *
addin_strdup(const char *s)
{
	return s == NULL ? NULL : memdup(s, strlen(s) + 1);
}

// Documented in include/addin/err.h.
void *
addin_memdup(const void *p, size_t len)
{
	if (p == NULL && len > 0) {
		return NULL;
	}
	return memdup(p, len);
}
