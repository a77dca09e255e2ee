// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The plugin's allocator: every block is remembered and freed at exit, so
// the generator never frees piecemeal.  This is the one file of
// pipeline-gen that calls malloc and free (tools/check-banned.sh).

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"

// Blocks are kept on a list; each has a header in front of its data.
typedef struct block {
	struct block *next;
	struct block *prev;
	size_t        size;
	// max_align_t alignment for what follows.
	long double align_[];
} block;

static block *blocks;

void
pg_die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "protoc-gen-pipeline: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static block *
link_block(block *b, size_t size)
{
	b->size = size;
	b->prev = NULL;
	b->next = blocks;
	if (blocks != NULL) {
		blocks->prev = b;
	}
	blocks = b;
	return b;
}

void *
pg_alloc(size_t size)
{
	block *b;
	if (size > SIZE_MAX - sizeof(block)) {
		pg_die("out of memory");
	}
	if ((b = calloc(1, sizeof(block) + size)) == NULL) {
		pg_die("out of memory");
	}
	return link_block(b, size)->align_;
}

static void
unlink_block(block *b)
{
	if (b->prev != NULL) {
		b->prev->next = b->next;
	} else {
		blocks = b->next;
	}
	if (b->next != NULL) {
		b->next->prev = b->prev;
	}
}

static void
release(void *ptr)
{
	if (ptr != NULL) {
		block *b = (block *) ((char *) ptr - offsetof(block, align_));
		unlink_block(b);
		free(b);
	}
}

void *
pg_grow(void *ptr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap == 0 ? 16 : *cap;
	block *b, *nb;

	if (need <= *cap) {
		return ptr;
	}
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2) {
			pg_die("out of memory");
		}
		ncap *= 2;
	}
	if (elem != 0 && ncap > (SIZE_MAX - sizeof(block)) / elem) {
		pg_die("out of memory");
	}
	if (ptr == NULL) {
		*cap = ncap;
		return pg_alloc(ncap * elem);
	}
	b = (block *) ((char *) ptr - offsetof(block, align_));
	unlink_block(b);
	if ((nb = realloc(b, sizeof(block) + ncap * elem)) == NULL) {
		pg_die("out of memory");
	}
	memset((char *) nb->align_ + *cap * elem, 0, (ncap - *cap) * elem);
	*cap = ncap;
	return link_block(nb, ncap * elem)->align_;
}

void
pg_alloc_release_all(void)
{
	while (blocks != NULL) {
		block *b = blocks;
		blocks   = b->next;
		free(b);
	}
}

char *
pg_strndup(const char *s, size_t n)
{
	char *p = pg_alloc(n + 1);
	memcpy(p, s, n);
	return p;
}

char *
pg_strdup(const char *s)
{
	return pg_strndup(s, strlen(s));
}

char *
pg_vfmt(const char *fmt, va_list ap)
{
	va_list ap2;
	int     n;
	char   *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		pg_die("cannot format '%s'", fmt);
	}
	p = pg_alloc((size_t) n + 1);
	vsnprintf(p, (size_t) n + 1, fmt, ap);
	return p;
}

char *
pg_fmt(const char *fmt, ...)
{
	va_list ap;
	char   *p;
	va_start(ap, fmt);
	p = pg_vfmt(fmt, ap);
	va_end(ap);
	return p;
}

static void *
pb_alloc(void *data, size_t size)
{
	(void) data;
	return pg_alloc(size);
}

static void
pb_free(void *data, void *ptr)
{
	(void) data;
	release(ptr);
}

ProtobufCAllocator pg_pb_allocator = {
    .alloc          = pb_alloc,
    .free           = pb_free,
    .allocator_data = NULL,
};
