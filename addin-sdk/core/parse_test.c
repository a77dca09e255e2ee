// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The one number parser (parse.h).

#include "addin_test.h"
#include "parse.h"

static void
test_u64(void)
{
	uint64_t    v = 7;
	const char *end;

	ADDIN_PASS(addin__parse_u64("n", "0", 10, &v));
	ADDIN_CHECK_INT(v, ==, 0);
	ADDIN_PASS(addin__parse_u64("n", "007", 10, &v));
	ADDIN_CHECK_INT(v, ==, 7);
	ADDIN_PASS(
	    addin__parse_u64("n", "18446744073709551615", UINT64_MAX, &v));
	ADDIN_CHECK(v == UINT64_MAX);
	ADDIN_FAIL(
	    addin__parse_u64("n", "18446744073709551616", UINT64_MAX, &v),
	    ADDIN_EINVAL);
	ADDIN_FAIL(addin__parse_u64("n", "11", 10, &v), ADDIN_EINVAL);
	ADDIN_CHECK_CONTAINS(addin_errmsg(),
	                     "n: \"11\" is not a number up to");
	static const char *const bad[] = {"",   " 1", "+1",   "-1",
	                                  "1 ", "1x", "0x10", NULL};
	for (size_t i = 0; bad[i] != NULL; i++) {
		ADDIN_FAIL(addin__parse_u64("n", bad[i], 100, &v),
		           ADDIN_EINVAL);
	}
	ADDIN_FAIL(addin__parse_u64("n", NULL, 100, &v), ADDIN_EINVAL);
	ADDIN_CHECK(v == UINT64_MAX); // untouched on failure

	ADDIN_CHECK(addin__parse_u64_prefix("1234-x", 9999, &v, &end));
	ADDIN_CHECK_INT(v, ==, 1234);
	ADDIN_CHECK_STR(end, "-x");
	ADDIN_CHECK(addin__parse_u64_prefix("42", 42, &v, NULL));
	ADDIN_CHECK(!addin__parse_u64_prefix("43", 42, &v, &end));
	ADDIN_CHECK(!addin__parse_u64_prefix("-1", 42, &v, &end));
	ADDIN_CHECK(!addin__parse_u64_prefix("", 42, &v, &end));
	ADDIN_CHECK_INT(v, ==, 42);
}

static void
test_int(void)
{
	int v = 7;

	ADDIN_PASS(addin__parse_int("n", "-5", -10, 10, &v));
	ADDIN_CHECK_INT(v, ==, -5);
	ADDIN_PASS(addin__parse_int("n", "-2147483648", INT32_MIN, 0, &v));
	ADDIN_CHECK_INT(v, ==, INT32_MIN);
	ADDIN_PASS(addin__parse_int("n", "2147483647", 0, INT32_MAX, &v));
	ADDIN_CHECK_INT(v, ==, INT32_MAX);
	ADDIN_FAIL(addin__parse_int("n", "-1", 0, 10, &v), ADDIN_EINVAL);
	ADDIN_FAIL(addin__parse_int("n", "2", 3, 10, &v), ADDIN_EINVAL);
	ADDIN_FAIL(addin__parse_int("n", "-4", -10, -5, &v), ADDIN_EINVAL);
	ADDIN_FAIL(addin__parse_int("n", "11", 0, 10, &v), ADDIN_EINVAL);
	ADDIN_FAIL(addin__parse_int("n", "", 0, 10, &v), ADDIN_EINVAL);
	ADDIN_FAIL(addin__parse_int("n", " 1", 0, 10, &v), ADDIN_EINVAL);
	ADDIN_FAIL(addin__parse_int("n", "-", -10, 10, &v), ADDIN_EINVAL);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "is not a number in [-10, 10]");
	ADDIN_CHECK_INT(v, ==, INT32_MAX);
}

ADDIN_TEST_LIST = {
    {"unsigned numbers: digits only, in range, whole or as a prefix",
     test_u64},
    {"ints: an optional '-', in range", test_int},
    {NULL, NULL},
};
