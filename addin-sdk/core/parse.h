// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// parse: the one place where text becomes numbers: command lines, the
// environment, names and files of the kernel (/proc), whatever the host
// or the runner reads.  Strict: decimal digits only (and a '-' where a
// sign is allowed), in range, or the call fails; no whitespace, no '+', no
// locale.  One digit loop (parse.c) serves every entry point below.

#ifndef ADDIN_PARSE_H
#define ADDIN_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"

// addin__parse_u64_prefix reads the decimal number that starts @s (at
// least one digit) into *@ret if it is <= @max, and points *@ret_end (may
// be NULL) at the first character after its digits, so that the caller can
// check what follows ("1234-x", "42\n").  Returns false, setting nothing,
// when @s does not start with a digit or the number exceeds @max.  Sets no
// error message: for loops over kernel text where a non-number is simply
// skipped.  Thread-safe.
ADDIN_PRIVATE bool addin__parse_u64_prefix(const char *s, uint64_t max,
                                           uint64_t    *ret,
                                           const char **ret_end);

// addin__parse_u64 parses the whole string @s as a decimal number <= @max
// into *@ret.  ADDIN_EINVAL otherwise, with a message naming @what.
ADDIN_PRIVATE addin_err addin__parse_u64(const char *what, const char *s,
                                         uint64_t max, uint64_t *ret);

// addin__parse_int parses the whole string @s as a decimal int in [@min,
// @max] (a leading '-' only when @min < 0) into *@ret.  ADDIN_EINVAL
// otherwise, with a message naming @what.
ADDIN_PRIVATE addin_err addin__parse_int(const char *what, const char *s,
                                         int min, int max, int *ret);

#endif // ADDIN_PARSE_H
