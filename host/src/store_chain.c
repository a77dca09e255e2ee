// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The store's chains: the index of valid segments by kind, the chains
// host view -> host adapter -> contract -> add-in adapter -> add-in that
// connect them (docs/architecture.md, "Chains and tokens"), the warnings
// about links that cannot be made, and the tokens of the add-ins found.
// Pure computation over the entries of the last update: no I/O.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

static bool
eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

#define SEGS(s, k)  ((s)->by_kind[k])
#define NSEGS(s, k) ((s)->nby_kind[k])

static const char *
rel_of(const addin__segment *seg)
{
	return seg->path + seg->rel_off;
}

// find_link looks among the segments of @kind for the one @a names by its
// fields @id and @hash (both fields have the same meaning in either).
// Returns true when one has both; otherwise *@ret_other is one with the id
// and another hash, or NULL.
static bool
find_link(const addin_store *s, const addin__segment *a,
          addin_segment_kind kind, enum addin__field id,
          enum addin__field hash, const addin__segment **ret_other)
{
	*ret_other = NULL;
	for (size_t i = 0; i < NSEGS(s, kind); i++) {
		const addin__segment *x = SEGS(s, kind)[i];
		if (!eq(x->f[id], a->f[id])) {
			continue;
		}
		if (eq(x->f[hash], a->f[hash])) {
			return true;
		}
		if (*ret_other == NULL) {
			*ret_other = x;
		}
	}
	return false;
}

// warn_contract: an adapter whose contract (id and hash) is not deployed.
static void
warn_contract(addin_store *s, addin_warnings *w, const addin__segment *a)
{
	const char           *id = a->f[ADDIN__F_CONTRACT];
	const char           *h  = a->f[ADDIN__F_CONTRACT_HASH];
	const addin__segment *other;

	if (find_link(s, a, ADDIN_SEGMENT_CONTRACT, ADDIN__F_CONTRACT,
	              ADDIN__F_CONTRACT_HASH, &other)) {
		return;
	}
	if (other != NULL) {
		(void) addin__warn(
		    w, a->path,
		    "built against contract %s hash %.64s, but %s has hash "
		    "%.64s (a different contract text): no chain",
		    id, h, rel_of(other), other->f[ADDIN__F_CONTRACT_HASH]);
	} else {
		(void) addin__warn(
		    w, a->path,
		    "contract %s is not deployed (no segment in contracts/ "
		    "declares it): no chain",
		    id);
	}
}

// warn_view: an add-in whose add-in view (id and hash) no add-in adapter
// provides.
static void
warn_view(addin_store *s, addin_warnings *w, const addin__segment *a)
{
	const char           *id = a->f[ADDIN__F_ADDIN_VIEW];
	const char           *h  = a->f[ADDIN__F_ADDIN_VIEW_HASH];
	const addin__segment *other;

	if (find_link(s, a, ADDIN_SEGMENT_ADDIN_ADAPTER, ADDIN__F_ADDIN_VIEW,
	              ADDIN__F_ADDIN_VIEW_HASH, &other)) {
		return;
	}
	if (other != NULL) {
		(void) addin__warn(
		    w, a->path,
		    "built against add-in view %s hash %.64s, but %s adapts "
		    "hash %.64s (a different view text): no chain",
		    id, h, rel_of(other), other->f[ADDIN__F_ADDIN_VIEW_HASH]);
	} else {
		(void) addin__warn(
		    w, a->path,
		    "no add-in adapter for add-in view %s in addin-adapters/: "
		    "no chain",
		    id);
	}
}

void
addin__chain_warnings(addin_store *s, addin_warnings *w)
{
	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_HOST_ADAPTER); i++) {
		warn_contract(s, w, SEGS(s, ADDIN_SEGMENT_HOST_ADAPTER)[i]);
	}
	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER); i++) {
		warn_contract(s, w, SEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER)[i]);
	}
	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_ADDIN); i++) {
		warn_view(s, w, SEGS(s, ADDIN_SEGMENT_ADDIN)[i]);
	}
}

void
addin__chain_index_clear(addin_store *s)
{
	for (int k = 0; k < ADDIN_SEGMENT_KINDS; k++) {
		addin__free(s->by_kind[k]);
		s->by_kind[k]  = NULL;
		s->nby_kind[k] = 0;
	}
}

addin_err
addin__chain_index(addin_store *s)
{
	size_t n[ADDIN_SEGMENT_KINDS] = {0};

	addin__chain_index_clear(s);
	for (size_t i = 0; i < s->entries.n; i++) {
		if (s->entries.v[i].state == ADDIN__E_SEGMENT) {
			n[s->entries.v[i].kind]++;
		}
	}
	for (int k = 0; k < ADDIN_SEGMENT_KINDS; k++) {
		s->by_kind[k] = addin__alloc(n[k] * sizeof(addin__segment *));
		if (s->by_kind[k] == NULL) {
			addin__chain_index_clear(s);
			return addin__seterr(ADDIN_ENOMEM, NULL);
		}
	}
	for (size_t i = 0; i < s->entries.n; i++) {
		const addin__entry *x = &s->entries.v[i];
		if (x->state == ADDIN__E_SEGMENT) {
			s->by_kind[x->kind][s->nby_kind[x->kind]++] = x->seg;
		}
	}
	return ADDIN_OK;
}

// A chain found for one add-in and one host view.
struct chain {
	addin__segment *seg[ADDIN_SEGMENT_KINDS];
	size_t          count;
};

static int
chain_cmp(const struct chain *a, const struct chain *b)
{
	int c;
	if ((c = strcmp(a->seg[ADDIN_SEGMENT_HOST_ADAPTER]->path,
	                b->seg[ADDIN_SEGMENT_HOST_ADAPTER]->path)) != 0 ||
	    (c = strcmp(a->seg[ADDIN_SEGMENT_CONTRACT]->path,
	                b->seg[ADDIN_SEGMENT_CONTRACT]->path)) != 0) {
		return c;
	}
	return strcmp(a->seg[ADDIN_SEGMENT_ADDIN_ADAPTER]->path,
	              b->seg[ADDIN_SEGMENT_ADDIN_ADAPTER]->path);
}

// best_chain finds every chain from add-in @a to host view @view (@vhash
// may be NULL) and keeps the smallest by paths.  Returns the chain count.
static size_t
best_chain(const addin_store *s, addin__segment *a, const char *view,
           const char *vhash, struct chain *best)
{
	const char *av    = a->f[ADDIN__F_ADDIN_VIEW];
	const char *ah    = a->f[ADDIN__F_ADDIN_VIEW_HASH];
	size_t      count = 0;

	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER); i++) {
		addin__segment *aa = SEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER)[i];
		if (!eq(aa->f[ADDIN__F_ADDIN_VIEW], av) ||
		    !eq(aa->f[ADDIN__F_ADDIN_VIEW_HASH], ah)) {
			continue;
		}
		const char *cid = aa->f[ADDIN__F_CONTRACT];
		const char *ch  = aa->f[ADDIN__F_CONTRACT_HASH];
		for (size_t j = 0; j < NSEGS(s, ADDIN_SEGMENT_CONTRACT); j++) {
			addin__segment *c = SEGS(s, ADDIN_SEGMENT_CONTRACT)[j];
			if (!eq(c->f[ADDIN__F_CONTRACT], cid) ||
			    !eq(c->f[ADDIN__F_CONTRACT_HASH], ch)) {
				continue;
			}
			for (size_t k = 0;
			     k < NSEGS(s, ADDIN_SEGMENT_HOST_ADAPTER); k++) {
				addin__segment *ha =
				    SEGS(s, ADDIN_SEGMENT_HOST_ADAPTER)[k];
				struct chain cand;
				if (!eq(ha->f[ADDIN__F_HOST_VIEW], view) ||
				    (vhash != NULL &&
				     !eq(ha->f[ADDIN__F_HOST_VIEW_HASH],
				         vhash)) ||
				    !eq(ha->f[ADDIN__F_CONTRACT], cid) ||
				    !eq(ha->f[ADDIN__F_CONTRACT_HASH], ch)) {
					continue;
				}
				cand.seg[ADDIN_SEGMENT_HOST_ADAPTER]  = ha;
				cand.seg[ADDIN_SEGMENT_CONTRACT]      = c;
				cand.seg[ADDIN_SEGMENT_ADDIN_ADAPTER] = aa;
				cand.seg[ADDIN_SEGMENT_ADDIN]         = a;
				if (count++ == 0 ||
				    chain_cmp(&cand, best) < 0) {
					*best = cand;
				}
			}
		}
	}
	best->count = count;
	return count;
}

static addin_err
token_of(const struct chain *c, addin_token **ret)
{
	const addin__segment *ha = c->seg[ADDIN_SEGMENT_HOST_ADAPTER];
	const addin__segment *a  = c->seg[ADDIN_SEGMENT_ADDIN];
	bool                  direct =
	    eq(a->f[ADDIN__F_ADDIN_VIEW], ha->f[ADDIN__F_HOST_VIEW]) &&
	    eq(a->f[ADDIN__F_ADDIN_VIEW_HASH], ha->f[ADDIN__F_HOST_VIEW_HASH]);
	return addin__token_new(c->seg, c->count, direct, ret);
}

// why_no_chain explains the first missing link from add-in @a to host view
// @view.
static void
why_no_chain(const addin_store *s, const addin__segment *a, const char *view,
             const char *vhash, char *buf, size_t len)
{
	const addin__segment *other;
	bool                  adapter = false, contract = false;

	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER); i++) {
		const addin__segment *aa =
		    SEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER)[i];
		if (!eq(aa->f[ADDIN__F_ADDIN_VIEW],
		        a->f[ADDIN__F_ADDIN_VIEW]) ||
		    !eq(aa->f[ADDIN__F_ADDIN_VIEW_HASH],
		        a->f[ADDIN__F_ADDIN_VIEW_HASH])) {
			continue;
		}
		adapter = true;
		contract |=
		    find_link(s, aa, ADDIN_SEGMENT_CONTRACT, ADDIN__F_CONTRACT,
		              ADDIN__F_CONTRACT_HASH, &other);
	}
	if (!adapter) {
		snprintf(
		    buf, len,
		    "no add-in adapter for its add-in view %s (hash %.64s)",
		    a->f[ADDIN__F_ADDIN_VIEW], a->f[ADDIN__F_ADDIN_VIEW_HASH]);
	} else if (!contract) {
		snprintf(
		    buf, len,
		    "the contracts its add-in adapters use are not deployed");
	} else {
		snprintf(buf, len,
		         "no host adapter connects its contract to host view "
		         "%s%s%.64s",
		         view, vhash != NULL ? " hash " : "",
		         vhash != NULL ? vhash : "");
	}
}

// Finding.

struct tokens {
	addin_token **v;
	size_t        n, cap;
};

static addin_err
tokens_push(struct tokens *t, addin_token *tok)
{
	void *nv = addin__grow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	if (nv == NULL) {
		addin_token_unref(tok);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	t->v         = nv;
	t->v[t->n++] = tok;
	return ADDIN_OK;
}

static int
token_qcmp(const void *a, const void *b)
{
	return addin__token_cmp(*(addin_token *const *) a,
	                        *(addin_token *const *) b);
}

static addin_err
find_view(const addin_store *s, const char *view, const char *vhash,
          struct tokens *out)
{
	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_ADDIN); i++) {
		struct chain c;
		addin_token *tok;
		addin_err    rv;
		if (best_chain(s, SEGS(s, ADDIN_SEGMENT_ADDIN)[i], view, vhash,
		               &c) == 0) {
			continue;
		}
		rv = token_of(&c, &tok);
		if (rv == ADDIN_OK) {
			rv = tokens_push(out, tok);
		}
		if (rv != ADDIN_OK) {
			return rv;
		}
	}
	return ADDIN_OK;
}

static int
str_qcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

addin_err
addin__chain_find(const addin_store *s, const char *view, const char *vhash,
                  addin_token_list **ret)
{
	struct tokens     t  = {0};
	size_t            nh = NSEGS(s, ADDIN_SEGMENT_HOST_ADAPTER);
	addin_token_list *list;
	addin_err         rv = ADDIN_OK;

	if (view != NULL) {
		rv = find_view(s, view, vhash, &t);
	} else if (nh > 0) {
		// Every host view some host adapter implements, once each.
		const char **views = addin__alloc(nh * sizeof(char *));
		if (views == NULL) {
			return addin__seterr(ADDIN_ENOMEM, NULL);
		}
		for (size_t i = 0; i < nh; i++) {
			views[i] = SEGS(s, ADDIN_SEGMENT_HOST_ADAPTER)[i]
			               ->f[ADDIN__F_HOST_VIEW];
		}
		qsort(views, nh, sizeof(char *), str_qcmp);
		for (size_t i = 0; i < nh && rv == ADDIN_OK; i++) {
			if (i == 0 || !eq(views[i], views[i - 1])) {
				rv = find_view(s, views[i], NULL, &t);
			}
		}
		addin__free(views);
	}
	if (rv == ADDIN_OK && (list = ADDIN__NEW(addin_token_list)) == NULL) {
		rv = addin__seterr(ADDIN_ENOMEM, NULL);
	}
	if (rv != ADDIN_OK) {
		for (size_t i = 0; i < t.n; i++) {
			addin_token_unref(t.v[i]);
		}
		addin__free(t.v);
		return rv;
	}
	if (t.n > 1) {
		qsort(t.v, t.n, sizeof(*t.v), token_qcmp);
	}
	list->v = t.v;
	list->n = t.n;
	*ret    = list;
	return ADDIN_OK;
}

addin_err
addin__chain_token(const addin_store *s, addin__segment *a, const char *view,
                   const char *vhash, addin_token **ret)
{
	char         why[ADDIN__ERRMSG_MAX];
	struct chain c;

	if (best_chain(s, a, view, vhash, &c) == 0) {
		why_no_chain(s, a, view, vhash, why, sizeof(why));
		return addin__seterr(ADDIN_ENOTFOUND,
		                     "%s: no chain to host view %s: %s",
		                     a->path, view, why);
	}
	return token_of(&c, ret);
}
