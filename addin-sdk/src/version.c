// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The version of the runtime actually loaded (include/addin/version.h).

#include "runtime.h"

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
