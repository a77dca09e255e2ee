// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Small helpers with no better home: clocks, versions, the add-in context.

#include <time.h>

#include "core.h"

int64_t
addin__now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// Documented in include/addin/version.h.
uint32_t
addin_version(void)
{
	return ADDIN_VERSION_NUMBER;
}

#define STR2(x) #x
#define STR(x)  STR2(x)

// Documented in include/addin/version.h.
const char *
addin_version_string(void)
{
	return STR(ADDIN_VERSION_MAJOR) "." STR(ADDIN_VERSION_MINOR) "." STR(
	    ADDIN_VERSION_PATCH);
}
