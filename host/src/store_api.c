// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The store's public API (include/addin/store.h): creating and destroying a
// store, updates under its mutex, finding tokens.  The work is done by
// store_update.c (an update), store_chain.c (chains, tokens) and
// store_scan.c (reading a file); this file checks arguments, takes the
// lock, and filters the codes that leave.

// realpath(3) is POSIX, in its XSI part.
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store_impl.h"

static addin_err
update(addin_store *s, bool rebuild, addin_warnings **ret_warnings)
{
	addin_warnings *w = addin__warnings_new();
	addin_err       rv;

	if (w == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	pthread_mutex_lock(&s->mtx);
	rv = addin__store_update(s, rebuild, w);
	pthread_mutex_unlock(&s->mtx);
	if (rv != ADDIN_OK || ret_warnings == NULL) {
		addin_warnings_destroy(w);
		return rv;
	}
	*ret_warnings = w;
	return ADDIN_OK;
}

// ensure_updated updates a store never updated (the caller holds the lock).
static addin_err
ensure_updated(addin_store *s)
{
	addin_warnings *w;
	addin_err       rv;

	if (s->updated) {
		return ADDIN_OK;
	}
	w = addin__warnings_new();
	if (w == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	rv = addin__store_update(s, false, w);
	addin_warnings_destroy(w);
	return rv;
}

void
addin__store_stats(addin_store *s, struct addin__store_stats *ret)
{
	pthread_mutex_lock(&s->mtx);
	*ret = s->stats;
	pthread_mutex_unlock(&s->mtx);
}

// find_addin reads the add-in file @path and connects it to host view
// @view (the caller holds the lock).
static addin_err
find_addin(addin_store *s, const char *path, const char *view,
           const char *vhash, addin_token **ret)
{
	char            real[PATH_MAX];
	addin__segment *seg;
	addin_err       rv;

	rv = ensure_updated(s);
	if (rv != ADDIN_OK) {
		return rv;
	}
	// Canonical first: the trust checks follow no links.
	if (realpath(path, real) == NULL) {
		int e = errno;
		return addin__syserr(e == ENOENT || e == ENOTDIR
		                         ? ADDIN_ENOTFOUND
		                     : e == EACCES ? ADDIN_EPERM
		                                   : ADDIN_ESYSERR,
		                     e, "%s", path);
	}
	rv = addin__scan_addin_file(real, &seg);
	if (rv != ADDIN_OK) {
		return rv;
	}
	rv = addin__chain_token(s, seg, view, vhash, ret);
	addin__segment_unref(seg);
	return rv;
}

// The public API.

static addin_err
store_create_impl(const char *dir, const addin_store_config *cfg,
                  addin_store **ret_store)
{
	addin_store_config defaults = ADDIN_STORE_CONFIG_INIT;
	char               real[PATH_MAX];
	struct stat        st;
	addin_store       *s;
	addin_err          rv;

	if (dir == NULL || ret_store == NULL) {
		return addin__seterr(ADDIN_EINVAL,
		                     "addin_store_create: NULL %s",
		                     dir == NULL ? "dir" : "ret_store");
	}
	if (cfg == NULL) {
		cfg = &defaults;
	}
	if (cfg->abi_version != 1 ||
	    (cfg->flags & ~(ADDIN_STORE_NO_CACHE | ADDIN_STORE_READ_ONLY)) !=
	        0) {
		return addin__seterr(
		    ADDIN_EINVAL,
		    "addin_store_create: unknown config version %u or flags "
		    "%#x",
		    (unsigned) cfg->abi_version, (unsigned) cfg->flags);
	}
	if (realpath(dir, real) == NULL) {
		int e = errno;
		rv    = e == ENOENT || e == ENOTDIR ? ADDIN_ENOTFOUND
		        : e == EACCES               ? ADDIN_EPERM
		                                    : ADDIN_ESYSERR;
		return addin__rc_filter(
		    addin__syserr(rv, e, "pipeline directory %s", dir));
	}
	if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
		return addin__seterr(ADDIN_ENOTFOUND,
		                     "pipeline directory %s: not a directory",
		                     dir);
	}
	s = ADDIN__NEW(addin_store);
	if (s == NULL || (s->dir = addin__strdup(real)) == NULL) {
		addin__free(s);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	if (pthread_mutex_init(&s->mtx, NULL) != 0) {
		addin__free(s->dir);
		addin__free(s);
		return addin__seterr(ADDIN_ESYSERR, "pthread_mutex_init");
	}
	s->flags           = cfg->flags;
	s->lock_timeout_ms = cfg->lock_timeout_ms;
	*ret_store         = s;
	return ADDIN_OK;
}

// Documented in include/addin/store.h.
addin_err
addin_store_create(const char *dir, const addin_store_config *cfg,
                   addin_store **ret_store)
{
	ADDIN__RETURN_CHECKED(store_create_impl(dir, cfg, ret_store),
	                      ADDIN_EINVAL, ADDIN_ENOTFOUND, ADDIN_EPERM,
	                      ADDIN_ENOMEM, ADDIN_ESYSERR);
}

// Documented in include/addin/store.h.
void
addin_store_destroy(addin_store *store)
{
	if (store == NULL) {
		return;
	}
	addin__chain_index_clear(store);
	addin__entries_clear(&store->entries);
	pthread_mutex_destroy(&store->mtx);
	addin__free(store->dir);
	addin__free(store);
}

// Documented in include/addin/store.h.
const char *
addin_store_dir(const addin_store *store)
{
	return store == NULL ? NULL : store->dir;
}

static addin_err
store_update_impl(addin_store *store, addin_warnings **ret_warnings)
{
	if (store == NULL) {
		return addin__seterr(ADDIN_EINVAL,
		                     "addin_store_update: NULL store");
	}
	return addin__rc_filter(update(store, false, ret_warnings));
}

// Documented in include/addin/store.h.
addin_err
addin_store_update(addin_store *store, addin_warnings **ret_warnings)
{
	ADDIN__RETURN_CHECKED(store_update_impl(store, ret_warnings),
	                      ADDIN_EINVAL, ADDIN_ENOTFOUND, ADDIN_EPERM,
	                      ADDIN_ENOMEM, ADDIN_ESYSERR);
}

static addin_err
store_rebuild_impl(addin_store *store, addin_warnings **ret_warnings)
{
	if (store == NULL) {
		return addin__seterr(ADDIN_EINVAL,
		                     "addin_store_rebuild: NULL store");
	}
	return addin__rc_filter(update(store, true, ret_warnings));
}

// Documented in include/addin/store.h.
addin_err
addin_store_rebuild(addin_store *store, addin_warnings **ret_warnings)
{
	ADDIN__RETURN_CHECKED(store_rebuild_impl(store, ret_warnings),
	                      ADDIN_EINVAL, ADDIN_ENOTFOUND, ADDIN_EPERM,
	                      ADDIN_ENOMEM, ADDIN_ESYSERR);
}

static addin_err
store_find_impl(addin_store *store, const char *host_view_id,
                const char *host_view_hash, addin_token_list **ret_tokens)
{
	addin_err rv;

	if (host_view_id == NULL && host_view_hash != NULL) {
		return addin__seterr(ADDIN_EINVAL,
		                     "addin_store_find: a host view hash "
		                     "without a host view id");
	}
	if (store == NULL || ret_tokens == NULL) {
		return addin__seterr(ADDIN_EINVAL, "addin_store_find: NULL %s",
		                     store == NULL ? "store" : "ret_tokens");
	}
	pthread_mutex_lock(&store->mtx);
	rv = ensure_updated(store);
	if (rv == ADDIN_OK) {
		rv = addin__chain_find(store, host_view_id, host_view_hash,
		                       ret_tokens);
	}
	pthread_mutex_unlock(&store->mtx);
	return addin__rc_filter(rv);
}

// Documented in include/addin/store.h.
addin_err
addin_store_find(addin_store *store, const char *host_view_id,
                 const char *host_view_hash, addin_token_list **ret_tokens)
{
	ADDIN__RETURN_CHECKED(
	    store_find_impl(store, host_view_id, host_view_hash, ret_tokens),
	    ADDIN_EINVAL, ADDIN_ENOTFOUND, ADDIN_EPERM, ADDIN_ENOMEM,
	    ADDIN_ESYSERR);
}

static addin_err
store_find_addin_impl(addin_store *store, const char *path,
                      const char *host_view_id, const char *host_view_hash,
                      addin_token **ret_token)
{
	addin_err rv;

	if (store == NULL || path == NULL || host_view_id == NULL ||
	    ret_token == NULL) {
		return addin__seterr(ADDIN_EINVAL,
		                     "addin_store_find_addin: NULL argument");
	}
	pthread_mutex_lock(&store->mtx);
	rv = find_addin(store, path, host_view_id, host_view_hash, ret_token);
	pthread_mutex_unlock(&store->mtx);
	return addin__rc_filter(rv);
}

// Documented in include/addin/store.h.
addin_err
addin_store_find_addin(addin_store *store, const char *path,
                       const char *host_view_id, const char *host_view_hash,
                       addin_token **ret_token)
{
	ADDIN__RETURN_CHECKED(store_find_addin_impl(store, path, host_view_id,
	                                            host_view_hash, ret_token),
	                      ADDIN_EINVAL, ADDIN_ENOTFOUND, ADDIN_ESEGMENT,
	                      ADDIN_EPERM, ADDIN_EBUSY, ADDIN_ENOMEM,
	                      ADDIN_ESYSERR);
}
