// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// cursor.h: the one bounded cursor over bytes that came from outside: wire
// frames (frame.c), segment metadata records (host/src/segment_meta.c), the
// store's cache file (host/src/store_cache.c).  Every take checks what is
// left before it moves or hands out a pointer; a failed take leaves the
// cursor where it was.  The varint writer beside it is the encoding the
// cursor reads (protobuf's base-128, least significant group first).
//
// Header-only (static inline): the cursor is a few instructions per take,
// and no library has to export it.

#ifndef ADDIN_CURSOR_H
#define ADDIN_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

// addin__cursor: @left bytes from @p remain; @start is where it began.
// Fields may be read (c.p, c.left); only the functions below move it.
typedef struct addin__cursor {
	const uint8_t *start;
	const uint8_t *p;
	size_t         left;
} addin__cursor;

// The longest varint: 64 bits in groups of 7.
#define ADDIN__VARINT_MAX 10

// addin__cur_init returns a cursor over @len bytes at @data.
static inline addin__cursor
addin__cur_init(const void *data, size_t len)
{
	addin__cursor c = {(const uint8_t *) data, (const uint8_t *) data,
	                   len};
	return c;
}

// addin__cur_off returns how many bytes @c has taken since it began (for
// messages: "at offset %zu").
static inline size_t
addin__cur_off(const addin__cursor *c)
{
	return (size_t) (c->p - c->start);
}

// addin__cur_take takes @n bytes and points *@ret at them.  False when
// fewer than @n are left.
static inline bool
addin__cur_take(addin__cursor *c, size_t n, const uint8_t **ret)
{
	if (n > c->left) {
		return false;
	}
	*ret = c->p;
	c->p += n;
	c->left -= n;
	return true;
}

// addin__cur_u8 takes one byte.  False at the end.
static inline bool
addin__cur_u8(addin__cursor *c, uint8_t *ret)
{
	const uint8_t *b;
	if (!addin__cur_take(c, 1, &b)) {
		return false;
	}
	*ret = *b;
	return true;
}

// addin__cur_varint takes a base-128 varint of at most ADDIN__VARINT_MAX
// bytes.  False when it is cut short or longer.
static inline bool
addin__cur_varint(addin__cursor *c, uint64_t *ret)
{
	addin__cursor at = *c;
	uint64_t      v  = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t b;
		if (!addin__cur_u8(&at, &b)) {
			return false;
		}
		v |= (uint64_t) (b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			*c   = at;
			*ret = v;
			return true;
		}
	}
	return false;
}

// addin__cur_cstr takes a NUL-terminated string: *@ret points at it and
// *@ret_len is its length without the NUL, which is taken too.  False when
// no NUL is left.
static inline bool
addin__cur_cstr(addin__cursor *c, const char **ret, size_t *ret_len)
{
	const uint8_t *nul = c->left == 0 ? NULL : memchr(c->p, '\0', c->left);
	const uint8_t *s   = NULL;
	size_t         n;

	if (nul == NULL) {
		return false;
	}
	n = (size_t) (nul - c->p);
	(void) addin__cur_take(c, n + 1, &s);
	*ret     = (const char *) s;
	*ret_len = n;
	return true;
}

// addin__varint_put writes @v as a varint at @out (room for
// ADDIN__VARINT_MAX bytes) and returns its length.
static inline size_t
addin__varint_put(uint8_t *out, uint64_t v)
{
	size_t n = 0;
	do {
		uint8_t b = v & 0x7f;
		v >>= 7;
		out[n++] = (uint8_t) (b | (v != 0 ? 0x80 : 0));
	} while (v != 0);
	return n;
}

#endif // ADDIN_CURSOR_H
