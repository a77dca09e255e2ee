// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Host-side adapters in the host: each is loaded once per host, with its
// contract, through the loader's one entry (addin__segment_open: the trust
// check, the file's own entry, its ids and hashes against the token), and
// kept until the host is destroyed, because objects point into it.

#include <string.h>

#include "host_impl.h"

static addin_err
load(const addin_token *tok, const char *path, addin__host_adapter *ha)
{
	addin__segment_want w;
	addin_err           rv;

	memset(&w, 0, sizeof(w));
	w.name          = addin_token_name(tok);
	w.contract_id   = addin_token_contract_id(tok);
	w.contract_hash = addin_token_contract_hash(tok);
	// The contract first: the adapter's DT_NEEDED on it resolves to this
	// copy, and the adapter must use its descriptor.
	w.kind = ADDIN_SEGMENT_CONTRACT;
	w.path = addin_token_path(tok, ADDIN_SEGMENT_CONTRACT);
	if ((rv = addin__segment_open(&w, &ha->contract)) != ADDIN_OK) {
		return rv;
	}
	w.kind      = ADDIN_SEGMENT_HOST_ADAPTER;
	w.path      = path;
	w.view_id   = addin_token_host_view_id(tok);
	w.view_hash = addin_token_host_view_hash(tok);
	w.descriptor =
	    ((const addin_contract_def *) ha->contract.entry)->descriptor;
	if ((rv = addin__segment_open(&w, &ha->lib)) != ADDIN_OK) {
		addin__segment_close(&ha->contract);
		return rv;
	}
	return ADDIN_OK;
}

// check compares an adapter loaded for an earlier token with @tok.
static addin_err
check(const addin_token *tok, const addin__host_adapter *ha)
{
	const addin_host_adapter_def *d = ha->lib.entry;
	if (strcmp(d->view_id, addin_token_host_view_id(tok)) != 0 ||
	    strcmp(d->view_hash, addin_token_host_view_hash(tok)) != 0 ||
	    strcmp(d->contract_id, addin_token_contract_id(tok)) != 0 ||
	    strcmp(d->contract_hash, addin_token_contract_hash(tok)) != 0) {
		return addin__seterr(
		    ADDIN_EMISMATCH,
		    "add-in %s: host adapter %s bridges %s -> %s, the token "
		    "says %s -> %s",
		    addin_token_name(tok), ha->path, d->view_id,
		    d->contract_id, addin_token_host_view_id(tok),
		    addin_token_contract_id(tok));
	}
	return ADDIN_OK;
}

addin_err
addin__host_adapter_get(addin_host *h, const addin_token *tok,
                        addin__host_adapter **ret)
{
	const char *path = addin_token_path(tok, ADDIN_SEGMENT_HOST_ADAPTER);
	addin__host_adapter *ha;
	addin_err            rv;

	pthread_mutex_lock(&h->mtx);
	for (ha = h->adapters; ha != NULL; ha = ha->next) {
		if (strcmp(ha->path, path) == 0) {
			break;
		}
	}
	pthread_mutex_unlock(&h->mtx);
	if (ha != NULL) {
		if ((rv = check(tok, ha)) != ADDIN_OK) {
			return rv;
		}
		*ret = ha;
		return ADDIN_OK;
	}
	if ((ha = ADDIN__NEW(addin__host_adapter)) == NULL ||
	    (ha->path = addin__strdup(path)) == NULL) {
		addin__free(ha);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	if ((rv = load(tok, path, ha)) != ADDIN_OK) {
		addin__free(ha->path);
		addin__free(ha);
		return rv;
	}
	pthread_mutex_lock(&h->mtx);
	ha->next    = h->adapters;
	h->adapters = ha;
	pthread_mutex_unlock(&h->mtx);
	*ret = ha;
	return ADDIN_OK;
}

void
addin__host_adapters_unload(addin_host *h, bool keep_code)
{
	while (h->adapters != NULL) {
		addin__host_adapter *ha = h->adapters;
		h->adapters             = ha->next;
		if (!keep_code) {
			addin__segment_close(&ha->lib);
			addin__segment_close(&ha->contract);
		}
		addin__free(ha->path);
		addin__free(ha);
	}
}
