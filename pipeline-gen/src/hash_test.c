// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The contract hash is documented as SHA-256: the implementation in hash.c
// against the test vectors of FIPS 180-4 (and NIST's examples).

#include <stdio.h>
#include <string.h>

#include "addin_test.h"
#include "pg.h"

static void
expect(const void *data, size_t len, const char *hex)
{
	uint8_t d[32];
	char    got[65];

	pg_sha256(data, len, d);
	for (int i = 0; i < 32; i++) {
		snprintf(got + 2 * i, 3, "%02x", d[i]);
	}
	ADDIN_CHECK_STR(got, hex);
}

static void
test_vectors(void)
{
	expect("", 0,
	       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8"
	       "55");
	expect("abc", 3,
	       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015"
	       "ad");
	expect("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06"
	       "c1");
	expect(
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	    "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	    112,
	    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d"
	    "1");
}

static void
test_million(void)
{
	static char a[1000000];
	memset(a, 'a', sizeof(a));
	expect(a, sizeof(a),
	       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112c"
	       "d0");
}

static void
test_block_edges(void)
{
	// 55, 56 and 64 bytes: the padding's edge cases.
	static const char *const want[] = {
	    "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
	    "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
	    "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
	};
	static const size_t lens[] = {55, 56, 64};
	char                buf[64];
	memset(buf, 'a', sizeof(buf));
	for (int i = 0; i < 3; i++) {
		expect(buf, lens[i], want[i]);
	}
	pg_alloc_release_all();
}

ADDIN_TEST_LIST = {
    {"sha-256 of the FIPS 180-4 test vectors", test_vectors},
    {"sha-256 of a million a's", test_million},
    {"sha-256 at the padding's block edges", test_block_edges},
    {NULL, NULL},
};
