// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#include <stdlib.h>

#include "addin_test.h"
#include "idmap.h"

// Random puts and deletes checked against a plain array.
static void
test_idmap_matches_reference(void)
{
	enum { N = 5000 };
	static void *ref[N + 1];
	addin__idmap m    = ADDIN__IDMAP_INIT;
	unsigned     seed = 7;

	for (int round = 0; round < 200000; round++) {
		uint64_t k = (uint64_t) (rand_r(&seed) % N) + 1;
		if (rand_r(&seed) % 3 == 0) {
			void *got = addin__idmap_del(&m, k);
			ADDIN_CHECK(got == ref[k]);
			ref[k] = NULL;
		} else {
			void *v = (void *) (uintptr_t) (round + 1);
			ADDIN_PASS(addin__idmap_put(&m, k, v));
			ref[k] = v;
		}
	}
	size_t live = 0;
	for (uint64_t k = 1; k <= N; k++) {
		ADDIN_CHECK(addin__idmap_get(&m, k) == ref[k]);
		live += ref[k] != NULL;
	}
	ADDIN_CHECK_INT(m.len, ==, live);
	ADDIN_CHECK(addin__idmap_get(&m, 0) == NULL);
	addin__idmap_fini(&m);
}

static void
test_idmap_sequential_ids(void)
{
	addin__idmap m = ADDIN__IDMAP_INIT;
	for (uint64_t k = 1; k <= 100000; k++) {
		ADDIN_PASS(addin__idmap_put(&m, k, (void *) (uintptr_t) k));
	}
	for (uint64_t k = 1; k <= 100000; k += 2) {
		ADDIN_CHECK(addin__idmap_del(&m, k) == (void *) (uintptr_t) k);
	}
	for (uint64_t k = 1; k <= 100000; k++) {
		void *want = (k % 2) ? NULL : (void *) (uintptr_t) k;
		ADDIN_CHECK(addin__idmap_get(&m, k) == want);
	}
	addin__idmap_fini(&m);
}

ADDIN_TEST_LIST = {
    {"idmap matches a reference under random puts and deletes",
     test_idmap_matches_reference},
    {"idmap handles 100k sequential call ids", test_idmap_sequential_ids},
    {NULL, NULL},
};
