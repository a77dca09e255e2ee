// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// parse: the one place where text from outside (command lines, environment,
// files) becomes numbers.  Strict: the whole string must be a number in
// range, or the call fails.

#ifndef ADDIN_PARSE_H
#define ADDIN_PARSE_H

#include "core.h"

// addin__parse_u64 parses decimal @s (no sign, no spaces) into *ret if it
// is <= @max.  ADDIN_EINVAL otherwise, with a message naming @what.
ADDIN_PRIVATE addin_err addin__parse_u64(const char *what, const char *s,
                                         uint64_t max, uint64_t *ret);

// addin__parse_int parses a decimal int in [@min, @max].
ADDIN_PRIVATE addin_err addin__parse_int(const char *what, const char *s,
                                         int min, int max, int *ret);

#endif // ADDIN_PARSE_H
