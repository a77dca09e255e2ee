// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Warning lists: what an update found wrong, one warning per problem, each
// naming a file (include/addin/store.h, addin_warnings_*).  Immutable once
// the update that made it returns.

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

addin_warnings *
addin__warnings_new(void)
{
	return ADDIN__NEW(addin_warnings);
}

addin_err
addin__warn(addin_warnings *w, const char *path, const char *fmt, ...)
{
	char    msg[ADDIN__ERRMSG_MAX];
	va_list ap;
	size_t  plen, mlen;
	char   *blk;
	void   *nv;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nv = addin__grow(w->v, &w->cap, w->n + 1, sizeof(*w->v));
	if (nv == NULL) {
		w->lost = true;
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	w->v = nv;
	// One block: "path\0msg\0path: msg\0".
	plen = strlen(path);
	mlen = strlen(msg);
	blk  = addin__alloc(2 * (plen + mlen) + 5);
	if (blk == NULL) {
		w->lost = true;
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	memcpy(blk, path, plen + 1);
	memcpy(blk + plen + 1, msg, mlen + 1);
	snprintf(blk + plen + mlen + 2, plen + mlen + 3, "%s: %s", path, msg);
	w->v[w->n].path = blk;
	w->v[w->n].msg  = blk + plen + 1;
	w->v[w->n].text = blk + plen + mlen + 2;
	w->n++;
	return ADDIN_OK;
}

static int
warning_cmp(const void *a, const void *b)
{
	const struct addin__warning *x = a, *y = b;
	int                          c = strcmp(x->path, y->path);
	return c != 0 ? c : strcmp(x->msg, y->msg);
}

void
addin__warnings_sort(addin_warnings *w)
{
	if (w->n > 1) {
		qsort(w->v, w->n, sizeof(*w->v), warning_cmp);
	}
}

// Documented in include/addin/store.h.
size_t
addin_warnings_count(const addin_warnings *w)
{
	return w == NULL ? 0 : w->n;
}

// Documented in include/addin/store.h.
const char *
addin_warnings_path(const addin_warnings *w, size_t i)
{
	return (w == NULL || i >= w->n) ? NULL : w->v[i].path;
}

// Documented in include/addin/store.h.
const char *
addin_warnings_message(const addin_warnings *w, size_t i)
{
	return (w == NULL || i >= w->n) ? NULL : w->v[i].msg;
}

// Documented in include/addin/store.h.
const char *
addin_warnings_text(const addin_warnings *w, size_t i)
{
	return (w == NULL || i >= w->n) ? NULL : w->v[i].text;
}

// Documented in include/addin/store.h.
void
addin_warnings_destroy(addin_warnings *w)
{
	if (w == NULL) {
		return;
	}
	for (size_t i = 0; i < w->n; i++) {
		addin__free((void *) (uintptr_t) w->v[i].path);
	}
	addin__free(w->v);
	addin__free(w);
}
