// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The store's entries: what is known about each segment file of a pipeline
// directory (store_impl.h, addin__entries), as a scan, the cache or the
// last update left it.  A sorted array of entries, and its few operations.

#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

void
addin__entries_clear(addin__entries *e)
{
	for (size_t i = 0; i < e->n; i++) {
		addin__free(e->v[i].rel);
		addin__free(e->v[i].msg);
		addin__segment_unref(e->v[i].seg);
	}
	addin__free(e->v);
	memset(e, 0, sizeof(*e));
}

addin__entry *
addin__entries_push(addin__entries *e)
{
	void *nv = addin__grow(e->v, &e->cap, e->n + 1, sizeof(*e->v));
	if (nv == NULL) {
		return NULL;
	}
	e->v = nv;
	memset(&e->v[e->n], 0, sizeof(e->v[0]));
	return &e->v[e->n++];
}

addin__entry *
addin__entries_find(const addin__entries *e, const char *rel)
{
	size_t lo = 0, hi = e->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int    c   = strcmp(e->v[mid].rel, rel);
		if (c == 0) {
			return &e->v[mid];
		}
		if (c < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return NULL;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const addin__entry *) a)->rel,
	              ((const addin__entry *) b)->rel);
}

void
addin__entries_sort(addin__entries *e)
{
	if (e->n > 1) {
		qsort(e->v, e->n, sizeof(e->v[0]), entry_cmp);
	}
}
