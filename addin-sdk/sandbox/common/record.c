// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The report record both halves agree on (sandbox_policy.h): the names of
// the setup steps, and the check of one record as the host receives it.

#include <string.h>

#include "sandbox_policy.h"

_Static_assert(sizeof(addin__sandbox_record) == 112, "record layout");

static const char *const step_names[] = {
    "unknown",        "policy",   "namespaces",      "filesystem",
    "limits",         "identity", "sigsys-reporter", "seccomp-stage1",
    "seccomp-stage2", "load"};

const char *
addin__sandbox_step_name(int step)
{
	if (step > 0 &&
	    (size_t) step < sizeof(step_names) / sizeof(step_names[0])) {
		return step_names[step];
	}
	return step_names[0];
}

addin_err
addin__sandbox_record_decode(const void *buf, size_t len,
                             addin__sandbox_record *ret)
{
	addin__sandbox_record r;
	if (len != sizeof(r)) {
		return addin__seterr(ADDIN_ECORRUPT,
		                     "sandbox report: %zu bytes, expected %zu",
		                     len, sizeof(r));
	}
	memcpy(&r, buf, sizeof(r));
	if (r.magic != ADDIN__REC_MAGIC || r.version != ADDIN__REC_VERSION) {
		return addin__seterr(ADDIN_ECORRUPT,
		                     "sandbox report: bad magic or version");
	}
	if (r.type < ADDIN__REC_APPLIED || r.type > ADDIN__REC_SETUP) {
		return addin__seterr(ADDIN_ECORRUPT,
		                     "sandbox report: unknown type %u",
		                     (unsigned) r.type);
	}
	r.text[sizeof(r.text) - 1] = '\0';
	*ret                       = r;
	return ADDIN_OK;
}
