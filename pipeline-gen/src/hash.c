// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The contract hash: SHA-256 over a canonical form of what the service
// puts on the wire, so that equal hashes mean equal contracts and comment
// or layout edits change nothing.  docs/contracts.md, "The contract hash",
// states the exact input; keep the two in step (and bump HASH_FORMAT when
// the input changes).

#include <stdlib.h>
#include <string.h>

#include "pg.h"

#define HASH_MAGIC  "BULKHEAD-CONTRACT-HASH"
#define HASH_FORMAT "1"

// SHA-256 (FIPS 180-4), written from the standard.

typedef struct sha256 {
	uint32_t h[8];
	uint64_t total;
	uint8_t  buf[64];
	size_t   nbuf;
} sha256;

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t
rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void
sha256_block(sha256 *s, const uint8_t *p)
{
	uint32_t w[64];
	uint32_t a, b, c, d, e, f, g, h;

	for (unsigned i = 0; i < 16; i++) {
		w[i] = (uint32_t) p[4 * i] << 24 |
		       (uint32_t) p[4 * i + 1] << 16 |
		       (uint32_t) p[4 * i + 2] << 8 | (uint32_t) p[4 * i + 3];
	}
	for (unsigned i = 16; i < 64; i++) {
		uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^
		              (w[i - 15] >> 3);
		uint32_t s1 =
		    rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0];
	b = s->h[1];
	c = s->h[2];
	d = s->h[3];
	e = s->h[4];
	f = s->h[5];
	g = s->h[6];
	h = s->h[7];
	for (unsigned i = 0; i < 64; i++) {
		uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = h + s1 + ch + K[i] + w[i];
		uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
		uint32_t mj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = s0 + mj;
		h           = g;
		g           = f;
		f           = e;
		e           = d + t1;
		d           = c;
		c           = b;
		b           = a;
		a           = t1 + t2;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
	s->h[5] += f;
	s->h[6] += g;
	s->h[7] += h;
}

static void
sha256_init(sha256 *s)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
	                               0xa54ff53a, 0x510e527f, 0x9b05688c,
	                               0x1f83d9ab, 0x5be0cd19};
	memset(s, 0, sizeof(*s));
	memcpy(s->h, iv, sizeof(iv));
}

static void
sha256_update(sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->total += len;
	while (len > 0) {
		size_t n = 64 - s->nbuf;
		if (n > len) {
			n = len;
		}
		memcpy(s->buf + s->nbuf, p, n);
		s->nbuf += n;
		p += n;
		len -= n;
		if (s->nbuf == 64) {
			sha256_block(s, s->buf);
			s->nbuf = 0;
		}
	}
}

static void
sha256_final(sha256 *s, uint8_t out[32])
{
	uint64_t bits = s->total * 8;
	uint8_t  pad  = 0x80;
	uint8_t  len[8];

	sha256_update(s, &pad, 1);
	pad = 0;
	while (s->nbuf != 56) {
		sha256_update(s, &pad, 1);
	}
	for (unsigned i = 0; i < 8; i++) {
		len[i] = (uint8_t) (bits >> (56 - 8 * i));
	}
	sha256_update(s, len, 8);
	for (unsigned i = 0; i < 8; i++) {
		out[4 * i]     = (uint8_t) (s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t) (s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t) (s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t) s->h[i];
	}
}

void
pg_sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
	sha256 s;
	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, out);
}

// One item of the hash input: kind, full name, syntax (each NUL
// terminated), the length of the packed descriptor as 8 bytes little
// endian, and the packed descriptor.
static void
hash_item(sha256 *s, const char *kind, const char *full_name,
          const char *syntax, const ProtobufCMessage *msg)
{
	size_t   len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = pg_alloc(len + 1);
	uint8_t  le[8];

	protobuf_c_message_pack(msg, buf);
	for (unsigned i = 0; i < 8; i++) {
		le[i] = (uint8_t) ((uint64_t) len >> (8 * i));
	}
	sha256_update(s, kind, strlen(kind) + 1);
	sha256_update(s, full_name, strlen(full_name) + 1);
	sha256_update(s, syntax, strlen(syntax) + 1);
	sha256_update(s, le, sizeof(le));
	sha256_update(s, buf, len);
}

typedef struct item {
	const char *full_name;
	bool        is_enum;
	const void *p;
} item;

static int
item_cmp(const void *a, const void *b)
{
	return strcmp(((const item *) a)->full_name,
	              ((const item *) b)->full_name);
}

// pg_contract_hash computes f->service->hash: SHA-256 of
//   "BULKHEAD-CONTRACT-HASH\0" "1\0"
//   item("service", the ServiceDescriptorProto)
//   item("message" | "enum", descriptor) for every message and enum the
//       service reaches (requests, replies and the types of their fields,
//       transitively), sorted by full name; a message's descriptor is
//       packed with its nested_type and enum_type lists emptied (nested
//       types that are reached are items of their own).
// Descriptors are re-packed by protobuf-c; source_code_info is in the
// FileDescriptorProto, which is not hashed, so comments do not count.
bool
pg_contract_hash(pg_ctx *ctx, pg_file *f)
{
	const char *syntax = f->proto3 ? "proto3" : "proto2";
	item       *items;
	size_t      n = 0;
	sha256      s;
	uint8_t     d[32];

	(void) ctx;
	items = pg_alloc((f->n_messages + f->n_enums) * sizeof(*items) + 1);
	for (size_t i = 0; i < f->n_messages; i++) {
		if (f->messages[i]->visited) {
			items[n++] = (item) {f->messages[i]->full_name, false,
			                     f->messages[i]};
		}
	}
	for (size_t i = 0; i < f->n_enums; i++) {
		if (f->enums[i]->used) {
			items[n++] =
			    (item) {f->enums[i]->full_name, true, f->enums[i]};
		}
	}
	qsort(items, n, sizeof(*items), item_cmp);

	sha256_init(&s);
	sha256_update(&s, HASH_MAGIC, sizeof(HASH_MAGIC));
	sha256_update(&s, HASH_FORMAT, sizeof(HASH_FORMAT));
	hash_item(&s, "service", f->service->full_name, syntax,
	          &f->service->pb->base);
	for (size_t i = 0; i < n; i++) {
		if (items[i].is_enum) {
			const pg_enum *e = items[i].p;
			hash_item(&s, "enum", e->full_name, syntax,
			          &e->pb->base);
		} else {
			const pg_message *m    = items[i].p;
			pb_message        copy = *m->pb;
			copy.n_nested_type     = 0;
			copy.nested_type       = NULL;
			copy.n_enum_type       = 0;
			copy.enum_type         = NULL;
			hash_item(&s, "message", m->full_name, syntax,
			          &copy.base);
		}
	}
	sha256_final(&s, d);
	for (unsigned i = 0; i < 32; i++) {
		static const char hex[]     = "0123456789abcdef";
		f->service->hash[2 * i]     = hex[d[i] >> 4];
		f->service->hash[2 * i + 1] = hex[d[i] & 15];
	}
	f->service->hash[64] = '\0';
	return true;
}
