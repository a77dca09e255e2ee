// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#include <string.h>

#include "idmap.h"

static size_t
slot_of(uint64_t key, size_t cap)
{
	// Fibonacci hashing spreads sequential ids over the table.
	return (size_t) ((key * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
}

static addin_err
grow(addin__idmap *m)
{
	size_t    ncap = m->cap == 0 ? 16 : m->cap * 2;
	uint64_t *nk   = addin__zalloc(ncap * sizeof(*nk));
	void    **nv   = addin__zalloc(ncap * sizeof(*nv));

	if (nk == NULL || nv == NULL) {
		addin__free(nk);
		addin__free(nv);
		return ADDIN_ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i] != 0) {
			size_t s = slot_of(m->keys[i], ncap);
			while (nk[s] != 0) {
				s = (s + 1) & (ncap - 1);
			}
			nk[s] = m->keys[i];
			nv[s] = m->vals[i];
		}
	}
	addin__free(m->keys);
	addin__free(m->vals);
	m->keys = nk;
	m->vals = nv;
	m->cap  = ncap;
	return ADDIN_OK;
}

addin_err
addin__idmap_put(addin__idmap *m, uint64_t key, void *val)
{
	size_t s;

	if ((m->len + 1) * 4 > m->cap * 3) { // keep load below 3/4
		addin_err rv = grow(m);
		if (rv != ADDIN_OK) {
			return rv;
		}
	}
	s = slot_of(key, m->cap);
	while (m->keys[s] != 0 && m->keys[s] != key) {
		s = (s + 1) & (m->cap - 1);
	}
	if (m->keys[s] == 0) {
		m->len++;
	}
	m->keys[s] = key;
	m->vals[s] = val;
	return ADDIN_OK;
}

void *
addin__idmap_get(const addin__idmap *m, uint64_t key)
{
	size_t s;

	if (m->cap == 0 || key == 0) {
		return NULL;
	}
	s = slot_of(key, m->cap);
	while (m->keys[s] != 0) {
		if (m->keys[s] == key) {
			return m->vals[s];
		}
		s = (s + 1) & (m->cap - 1);
	}
	return NULL;
}

void *
addin__idmap_del(addin__idmap *m, uint64_t key)
{
	size_t s, j;
	void  *val;

	if (m->cap == 0 || key == 0) {
		return NULL;
	}
	s = slot_of(key, m->cap);
	while (m->keys[s] != key) {
		if (m->keys[s] == 0) {
			return NULL;
		}
		s = (s + 1) & (m->cap - 1);
	}
	val = m->vals[s];
	m->len--;
	// Backward-shift deletion: move later members of the probe run into
	// the hole when their home slot allows it.
	j = s;
	for (;;) {
		j = (j + 1) & (m->cap - 1);
		if (m->keys[j] == 0) {
			break;
		}
		size_t home = slot_of(m->keys[j], m->cap);
		// Is home cyclically outside (s, j]?  Then the entry may move.
		bool movable = (s <= j) ? (home <= s || home > j)
		                        : (home <= s && home > j);
		if (movable) {
			m->keys[s] = m->keys[j];
			m->vals[s] = m->vals[j];
			s          = j;
		}
	}
	m->keys[s] = 0;
	m->vals[s] = NULL;
	return val;
}

void
addin__idmap_fini(addin__idmap *m)
{
	addin__free(m->keys);
	addin__free(m->vals);
	memset(m, 0, sizeof(*m));
}

void
addin__idmap_each(const addin__idmap *m,
                  void (*fn)(uint64_t key, void *val, void *arg), void *arg)
{
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i] != 0) {
			fn(m->keys[i], m->vals[i], arg);
		}
	}
}
