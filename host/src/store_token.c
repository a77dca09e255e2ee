// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Tokens and token lists: what the store hands out for the add-ins it
// found (include/addin/store.h).  Immutable once made; tokens are
// reference-counted and share the store's segment objects, so they outlive
// the store and the list they came from.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

addin_err
addin__token_new(addin__segment *const seg[ADDIN_SEGMENT_KINDS], size_t chains,
                 bool direct, addin_token **ret)
{
	addin_token *t = ADDIN__NEW(addin_token);
	if (t == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	atomic_init(&t->refs, 1);
	for (int k = 0; k < ADDIN_SEGMENT_KINDS; k++) {
		t->seg[k] = addin__segment_ref(seg[k]);
	}
	t->chains = chains;
	t->direct = direct;
	*ret      = t;
	return ADDIN_OK;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
addin__version_cmp(const char *a, const char *b)
{
	const char *x = a, *y = b;
	while (*x != '\0' && *y != '\0') {
		if (is_digit(*x) && is_digit(*y)) {
			const char *xs, *ys;
			size_t      xn, yn;
			while (*x == '0' && is_digit(x[1])) {
				x++;
			}
			while (*y == '0' && is_digit(y[1])) {
				y++;
			}
			for (xs = x; is_digit(*x); x++) {
			}
			for (ys = y; is_digit(*y); y++) {
			}
			xn = (size_t) (x - xs);
			yn = (size_t) (y - ys);
			if (xn != yn) {
				return xn < yn ? -1 : 1;
			}
			int c = memcmp(xs, ys, xn);
			if (c != 0) {
				return c;
			}
			continue;
		}
		if (*x != *y) {
			return (unsigned char) *x < (unsigned char) *y ? -1
			                                               : 1;
		}
		x++;
		y++;
	}
	if (*x != *y) {
		return *x == '\0' ? -1 : 1;
	}
	return strcmp(a, b); // "1.01" and "1.1": still a total order
}

int
addin__token_cmp(const addin_token *a, const addin_token *b)
{
	const addin__segment *x = a->seg[ADDIN_SEGMENT_ADDIN];
	const addin__segment *y = b->seg[ADDIN_SEGMENT_ADDIN];
	int                   c;

	if ((c = strcmp(x->f[ADDIN__F_NAME], y->f[ADDIN__F_NAME])) != 0 ||
	    (c = addin__version_cmp(x->f[ADDIN__F_VERSION],
	                            y->f[ADDIN__F_VERSION])) != 0 ||
	    (c = strcmp(x->path, y->path)) != 0) {
		return c;
	}
	return strcmp(
	    a->seg[ADDIN_SEGMENT_HOST_ADAPTER]->f[ADDIN__F_HOST_VIEW],
	    b->seg[ADDIN_SEGMENT_HOST_ADAPTER]->f[ADDIN__F_HOST_VIEW]);
}

// Documented in include/addin/store.h.
addin_token *
addin_token_ref(addin_token *tok)
{
	if (tok != NULL) {
		atomic_fetch_add_explicit(&tok->refs, 1, memory_order_relaxed);
	}
	return tok;
}

// Documented in include/addin/store.h.
addin_token *
addin_token_unref(addin_token *tok)
{
	if (tok != NULL && atomic_fetch_sub_explicit(
	                       &tok->refs, 1, memory_order_acq_rel) == 1) {
		for (int k = 0; k < ADDIN_SEGMENT_KINDS; k++) {
			addin__segment_unref(tok->seg[k]);
		}
		addin__free(tok);
	}
	return NULL;
}

static const addin__segment *
addin_of(const addin_token *tok)
{
	return tok->seg[ADDIN_SEGMENT_ADDIN];
}

// Documented in include/addin/store.h.
const char *
addin_token_name(const addin_token *tok)
{
	return addin_of(tok)->f[ADDIN__F_NAME];
}

// Documented in include/addin/store.h.
const char *
addin_token_version(const addin_token *tok)
{
	return addin_of(tok)->f[ADDIN__F_VERSION];
}

// Documented in include/addin/store.h.
const char *
addin_token_publisher(const addin_token *tok)
{
	return addin_of(tok)->f[ADDIN__F_PUBLISHER];
}

// Documented in include/addin/store.h.
const char *
addin_token_description(const addin_token *tok)
{
	return addin_of(tok)->f[ADDIN__F_DESCRIPTION];
}

// Documented in include/addin/store.h.
const char *
addin_token_location(const addin_token *tok)
{
	return addin_of(tok)->path;
}

// Documented in include/addin/store.h.
const char *
addin_token_path(const addin_token *tok, addin_segment_kind kind)
{
	if ((unsigned) kind >= ADDIN_SEGMENT_KINDS) {
		return NULL;
	}
	return tok->seg[kind]->path;
}

// Documented in include/addin/store.h.
const char *
addin_token_segment_meta(const addin_token *tok, addin_segment_kind kind,
                         const char *key)
{
	if ((unsigned) kind >= ADDIN_SEGMENT_KINDS || key == NULL) {
		return NULL;
	}
	return addin__segment_meta(tok->seg[kind], key);
}

// Documented in include/addin/store.h.
const char *
addin_token_host_view_id(const addin_token *tok)
{
	return tok->seg[ADDIN_SEGMENT_HOST_ADAPTER]->f[ADDIN__F_HOST_VIEW];
}

// Documented in include/addin/store.h.
const char *
addin_token_host_view_hash(const addin_token *tok)
{
	return tok->seg[ADDIN_SEGMENT_HOST_ADAPTER]
	    ->f[ADDIN__F_HOST_VIEW_HASH];
}

// Documented in include/addin/store.h.
const char *
addin_token_contract_id(const addin_token *tok)
{
	return tok->seg[ADDIN_SEGMENT_CONTRACT]->f[ADDIN__F_CONTRACT];
}

// Documented in include/addin/store.h.
const char *
addin_token_contract_hash(const addin_token *tok)
{
	return tok->seg[ADDIN_SEGMENT_CONTRACT]->f[ADDIN__F_CONTRACT_HASH];
}

// Documented in include/addin/store.h.
const char *
addin_token_addin_view_id(const addin_token *tok)
{
	return addin_of(tok)->f[ADDIN__F_ADDIN_VIEW];
}

// Documented in include/addin/store.h.
const char *
addin_token_addin_view_hash(const addin_token *tok)
{
	return addin_of(tok)->f[ADDIN__F_ADDIN_VIEW_HASH];
}

// Documented in include/addin/store.h.
bool
addin_token_direct_connect_possible(const addin_token *tok)
{
	return tok->direct;
}

// Documented in include/addin/store.h.
size_t
addin_token_chain_count(const addin_token *tok)
{
	return tok->chains;
}

// Documented in include/addin/store.h.
const char *
addin_token_qualification(const addin_token *tok, addin_segment_kind kind,
                          const char *key)
{
	if ((unsigned) kind >= ADDIN_SEGMENT_KINDS || key == NULL) {
		return NULL;
	}
	return addin__segment_qual(tok->seg[kind], key);
}

// Documented in include/addin/store.h.
size_t
addin_token_qualification_count(const addin_token *tok,
                                addin_segment_kind kind)
{
	if ((unsigned) kind >= ADDIN_SEGMENT_KINDS) {
		return 0;
	}
	return tok->seg[kind]->nq;
}

// Documented in include/addin/store.h.
addin_err
addin_token_qualification_at(const addin_token *tok, addin_segment_kind kind,
                             size_t i, const char **ret_key,
                             const char **ret_value)
{
	if (tok == NULL || ret_key == NULL || ret_value == NULL ||
	    (unsigned) kind >= ADDIN_SEGMENT_KINDS ||
	    i >= tok->seg[kind]->nq) {
		return addin__seterr(
		    ADDIN_EINVAL,
		    "addin_token_qualification_at: no pair %zu of kind %d", i,
		    (int) kind);
	}
	*ret_key   = tok->seg[kind]->qk[i];
	*ret_value = tok->seg[kind]->qv[i];
	return ADDIN_OK;
}

// Documented in include/addin/store.h.
size_t
addin_token_needs_count(const addin_token *tok)
{
	return addin_of(tok)->nneeds;
}

// Documented in include/addin/store.h.
const char *
addin_token_needs_at(const addin_token *tok, size_t i)
{
	const addin__segment *a = addin_of(tok);
	return i < a->nneeds ? a->needs[i] : NULL;
}

// Token lists.

// Documented in include/addin/store.h.
size_t
addin_token_list_count(const addin_token_list *list)
{
	return list == NULL ? 0 : list->n;
}

// Documented in include/addin/store.h.
addin_token *
addin_token_list_get(const addin_token_list *list, size_t i)
{
	return (list == NULL || i >= list->n) ? NULL : list->v[i];
}

// Documented in include/addin/store.h.
void
addin_token_list_destroy(addin_token_list *list)
{
	if (list == NULL) {
		return;
	}
	for (size_t i = 0; i < list->n; i++) {
		addin_token_unref(list->v[i]);
	}
	addin__free(list->v);
	addin__free(list);
}
