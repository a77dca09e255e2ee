// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Error codes, their names and texts, and the per-thread last error.

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

static const struct {
	addin_err   err;
	const char *name;
	const char *text;
} errtab[] = {
#define ERR_ROW(name, num, text) {ADDIN_##name, #name, text},
    ADDIN_ERR_MAP(ERR_ROW)
#undef ERR_ROW
};

#define ERRTAB_LEN (sizeof(errtab) / sizeof(errtab[0]))

// The thread's last error: its code and, when one was recorded, a message.
static _Thread_local struct {
	addin_err code;
	bool      has_msg;
	char      msg[ADDIN__ERRMSG_MAX];
} last;

static int
find(addin_err err)
{
	for (size_t i = 0; i < ERRTAB_LEN; i++) {
		if (errtab[i].err == err) {
			return (int) i;
		}
	}
	return -1;
}

// Documented in include/addin/err.h.
const char *
addin_strerror(addin_err err)
{
	int i = find(err);
	return i < 0 ? "unknown error" : errtab[i].text;
}

// Documented in include/addin/err.h.
const char *
addin_err_name(addin_err err)
{
	int i = find(err);
	return i < 0 ? "UNKNOWN" : errtab[i].name;
}

bool
addin__err_known(uint32_t code)
{
	return find((addin_err) code) >= 0;
}

// Documented in include/addin/err.h.
const char *
addin_errmsg(void)
{
	return last.has_msg ? last.msg : addin_strerror(last.code);
}

// Documented in include/addin/err.h.
addin_err
addin_last_error(void)
{
	return last.code;
}

static addin_err
vseterr(addin_err code, const char *fmt, va_list ap)
{
	last.code = code;
	if (code == ADDIN_OK || fmt == NULL) {
		last.has_msg = false;
		return code;
	}
	// Format into a scratch buffer first: @fmt's arguments may point into
	// last.msg itself (re-raising a message with a prefix).
	char tmp[ADDIN__ERRMSG_MAX];
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	memcpy(last.msg, tmp, sizeof(last.msg));
	last.has_msg = true;
	return code;
}

addin_err
addin__seterr(addin_err code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vseterr(code, fmt, ap);
	va_end(ap);
	return code;
}

// Documented in include/addin/err.h.
addin_err
addin_set_error(addin_err code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vseterr(code, fmt, ap);
	va_end(ap);
	return code;
}
