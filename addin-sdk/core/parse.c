// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#include <errno.h>
#include <stdlib.h>

#include "parse.h"

addin_err
addin__parse_u64(const char *what, const char *s, uint64_t max, uint64_t *ret)
{
	char              *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9') {
		return addin__seterr(ADDIN_EINVAL, "%s: not a number: \"%s\"",
		                     what, s != NULL ? s : "");
	}
	errno = 0;
	v     = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max) {
		return addin__seterr(ADDIN_EINVAL,
		                     "%s: \"%s\" is not a number up to %llu",
		                     what, s, (unsigned long long) max);
	}
	*ret = (uint64_t) v;
	return ADDIN_OK;
}

addin_err
addin__parse_int(const char *what, const char *s, int min, int max, int *ret)
{
	char *end;
	long  v;

	if (s == NULL || *s == '\0') {
		return addin__seterr(ADDIN_EINVAL, "%s: empty", what);
	}
	errno = 0;
	v     = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		return addin__seterr(ADDIN_EINVAL,
		                     "%s: \"%s\" is not a number in [%d, %d]",
		                     what, s, min, max);
	}
	*ret = (int) v;
	return ADDIN_OK;
}
