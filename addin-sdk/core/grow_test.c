// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The allocator seam's growth helper (addin__grow, core.h).

#include "addin_test.h"
#include "core.h"

static void
test_grow(void)
{
	size_t cap = 0, n = 0;
	int   *v = NULL, *nv;

	// Room for one: 16, then doubling, elements kept.
	for (n = 0; n < 1000; n++) {
		nv = addin__grow(v, &cap, n + 1, sizeof(*v));
		ADDIN_CHECK(nv != NULL);
		v    = nv;
		v[n] = (int) n;
		ADDIN_CHECK(cap >= n + 1);
		ADDIN_CHECK(cap == 16 || (cap & (cap - 1)) == 0);
	}
	ADDIN_CHECK_INT(cap, ==, 1024);
	for (n = 0; n < 1000; n++) {
		ADDIN_CHECK_INT(v[n], ==, (int) n);
	}
	// Room already: the same array, the same capacity.
	ADDIN_CHECK(addin__grow(v, &cap, 10, sizeof(*v)) == v);
	ADDIN_CHECK_INT(cap, ==, 1024);
	// A jump straight to a large count.
	nv = addin__grow(v, &cap, 5000, sizeof(*v));
	ADDIN_CHECK(nv != NULL);
	v = nv;
	ADDIN_CHECK_INT(cap, ==, 8192);
	// Overflow leaves the array and its capacity alone.
	ADDIN_CHECK(addin__grow(v, &cap, SIZE_MAX / 2, sizeof(*v)) == NULL);
	ADDIN_CHECK(addin__grow(v, &cap, SIZE_MAX, 1) == NULL);
	ADDIN_CHECK_INT(cap, ==, 8192);
	ADDIN_CHECK_INT(v[999], ==, 999);
	addin__free(v);
}

ADDIN_TEST_LIST = {
    {"an array grows by doubling, keeps its elements, refuses overflow",
     test_grow},
    {NULL, NULL},
};
