// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Documented in parse.h.

#include "parse.h"

bool
addin__parse_u64_prefix(const char *s, uint64_t max, uint64_t *ret,
                        const char **ret_end)
{
	uint64_t v = 0;
	size_t   i = 0;

	if (s == NULL || s[0] < '0' || s[0] > '9') {
		return false;
	}
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned d = (unsigned) (s[i] - '0');
		if (d > max || v > (max - d) / 10) {
			return false;
		}
		v = v * 10 + d;
	}
	*ret = v;
	if (ret_end != NULL) {
		*ret_end = s + i;
	}
	return true;
}

addin_err
addin__parse_u64(const char *what, const char *s, uint64_t max, uint64_t *ret)
{
	const char *end;
	uint64_t    v;

	if (s == NULL || *s < '0' || *s > '9') {
		return addin__seterr(ADDIN_EINVAL, "%s: not a number: \"%s\"",
		                     what, s != NULL ? s : "");
	}
	if (!addin__parse_u64_prefix(s, max, &v, &end) || *end != '\0') {
		return addin__seterr(ADDIN_EINVAL,
		                     "%s: \"%s\" is not a number up to %llu",
		                     what, s, (unsigned long long) max);
	}
	*ret = v;
	return ADDIN_OK;
}

addin_err
addin__parse_int(const char *what, const char *s, int min, int max, int *ret)
{
	bool        neg = s != NULL && s[0] == '-' && min < 0;
	uint64_t    limit, mag;
	int64_t     v;
	const char *end;

	if (s == NULL || *s == '\0') {
		return addin__seterr(ADDIN_EINVAL, "%s: empty", what);
	}
	// The largest magnitude on this side of zero.
	limit =
	    neg ? (uint64_t) - (int64_t) min : (uint64_t) (max < 0 ? 0 : max);
	if (!addin__parse_u64_prefix(s + neg, limit, &mag, &end) ||
	    *end != '\0' || (v = neg ? -(int64_t) mag : (int64_t) mag) < min ||
	    v > max) {
		return addin__seterr(ADDIN_EINVAL,
		                     "%s: \"%s\" is not a number in [%d, %d]",
		                     what, s, min, max);
	}
	*ret = (int) v;
	return ADDIN_OK;
}
