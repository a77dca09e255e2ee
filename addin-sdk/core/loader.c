// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Bringing an add-in to life (loader.h).

#include <stdio.h>
#include <string.h>

#include "loader.h"
#include "segment_lib.h"

struct addin__loaded {
	char              *name;
	addin__segment_lib contract, addin, adapter;
	addin_context      ctx;
	void              *self;
	bool               created;
	ProtobufCService  *svc;
};

void
addin__load_req_to_wire(const addin__load_req        *req,
                        Addin__Wire__V1__LoadRequest *out)
{
	addin__wire__v1__load_request__init(out);
	out->name          = addin__deconst(req->name);
	out->addin_path    = addin__deconst(req->addin_path);
	out->adapter_path  = addin__deconst(req->adapter_path);
	out->contract_path = addin__deconst(req->contract_path);
	out->contract_id   = addin__deconst(req->contract_id);
	out->contract_hash = addin__deconst(req->contract_hash);
	out->view_id       = addin__deconst(req->view_id);
	out->view_hash     = addin__deconst(req->view_hash);
}

addin_err
addin__load_req_from_wire(const Addin__Wire__V1__LoadRequest *in,
                          addin__load_req                    *out)
{
	static const struct {
		const char *what;
		size_t      off;
	} required[] = {
	    {"name", offsetof(Addin__Wire__V1__LoadRequest, name)},
	    {"addin_path", offsetof(Addin__Wire__V1__LoadRequest, addin_path)},
	    {"adapter_path",
	     offsetof(Addin__Wire__V1__LoadRequest, adapter_path)},
	    {"contract_path",
	     offsetof(Addin__Wire__V1__LoadRequest, contract_path)},
	    {"contract_id",
	     offsetof(Addin__Wire__V1__LoadRequest, contract_id)},
	    {"contract_hash",
	     offsetof(Addin__Wire__V1__LoadRequest, contract_hash)},
	    {"view_id", offsetof(Addin__Wire__V1__LoadRequest, view_id)},
	    {"view_hash", offsetof(Addin__Wire__V1__LoadRequest, view_hash)},
	};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const char *v;
		memcpy(&v, (const char *) in + required[i].off, sizeof(v));
		if (v == NULL || v[0] == '\0') {
			return addin__seterr(ADDIN_EINVAL,
			                     "load: the request has no %s",
			                     required[i].what);
		}
	}
	out->name          = in->name;
	out->addin_path    = in->addin_path;
	out->adapter_path  = in->adapter_path;
	out->contract_path = in->contract_path;
	out->contract_id   = in->contract_id;
	out->contract_hash = in->contract_hash;
	out->view_id       = in->view_id;
	out->view_hash     = in->view_hash;
	return ADDIN_OK;
}

static addin_err
open_segments(addin__loaded *l, const addin__load_req *req)
{
	const addin_contract_def *c = NULL;
	addin__segment_want       w;
	addin_err                 rv;

	memset(&w, 0, sizeof(w));
	w.name          = l->name;
	w.contract_id   = req->contract_id;
	w.contract_hash = req->contract_hash;
	w.view_id       = req->view_id;
	w.view_hash     = req->view_hash;
	// The contract first: the adapter's DT_NEEDED on it then resolves to
	// this copy (same soname), wherever the adapter's RUNPATH points.
	if (req->adapter_path != NULL) {
		w.kind = ADDIN_SEGMENT_CONTRACT;
		w.path = req->contract_path;
		if ((rv = addin__segment_open(&w, &l->contract)) != ADDIN_OK) {
			return rv;
		}
		c = l->contract.entry;
	}
	w.kind = ADDIN_SEGMENT_ADDIN;
	w.path = req->addin_path;
	if ((rv = addin__segment_open(&w, &l->addin)) != ADDIN_OK) {
		return rv;
	}
	if (req->adapter_path != NULL) {
		w.kind       = ADDIN_SEGMENT_ADDIN_ADAPTER;
		w.path       = req->adapter_path;
		w.descriptor = c->descriptor;
		if ((rv = addin__segment_open(&w, &l->adapter)) != ADDIN_OK) {
			return rv;
		}
	}
	return ADDIN_OK;
}

addin_err
addin__loader_load(const addin__load_req *req, addin__loaded **ret)
{
	const addin_addin_def         *def;
	const addin_addin_adapter_def *ad;
	addin__loaded                 *l;
	addin_err                      rv;

	if (req == NULL || req->name == NULL || req->addin_path == NULL ||
	    req->view_id == NULL || req->view_hash == NULL ||
	    (req->adapter_path != NULL &&
	     (req->contract_path == NULL || req->contract_id == NULL ||
	      req->contract_hash == NULL))) {
		return addin__seterr(ADDIN_EINVAL, "load: incomplete request");
	}
	if ((l = ADDIN__NEW(addin__loaded)) == NULL ||
	    (l->name = addin__strdup(req->name)) == NULL) {
		addin__free(l);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	l->ctx.name = l->name;
	if ((rv = open_segments(l, req)) != ADDIN_OK) {
		goto fail;
	}
	def = l->addin.entry;
	if (def->create != NULL) {
		addin_set_error(ADDIN_OK, NULL);
		rv = def->create(&l->ctx, &l->self);
		if (rv != ADDIN_OK) {
			rv = addin__seterr(
			    ADDIN_EINIT,
			    "add-in %s: initialisation failed: %s (%s)",
			    l->name, addin_errmsg(), addin_err_name(rv));
			goto fail;
		}
	}
	l->created = true;
	if ((ad = l->adapter.entry) != NULL) {
		rv = ad->bind(def->ops, l->self, &l->svc);
		if (rv != ADDIN_OK) {
			rv = addin__seterr(rv, "add-in %s: adapter bind: %s",
			                   l->name, addin_errmsg());
			goto fail;
		}
	}
	*ret = l;
	return ADDIN_OK;

fail : {
	// Unloading runs the add-in's destroy (when create succeeded) and its
	// libraries' destructors: the caller must still see the first error.
	char msg[ADDIN__ERRMSG_MAX];
	snprintf(msg, sizeof(msg), "%s", addin_errmsg());
	addin__loader_unload(l);
	return addin__seterr(rv, "%s", msg);
}
}

ProtobufCService *
addin__loaded_service(addin__loaded *l)
{
	return l->svc;
}

const addin_addin_def *
addin__loaded_def(addin__loaded *l)
{
	return l->addin.entry;
}

void *
addin__loaded_self(addin__loaded *l)
{
	return l->self;
}

const char *
addin__loaded_name(addin__loaded *l)
{
	return l->name;
}

void
addin__loader_unload(addin__loaded *l)
{
	const addin_addin_def *def;

	if (l == NULL) {
		return;
	}
	def = l->addin.entry;
	if (l->svc != NULL) {
		((const addin_addin_adapter_def *) l->adapter.entry)
		    ->unbind(l->svc);
	}
	if (l->created && def->destroy != NULL) {
		def->destroy(l->self);
	}
	// Reverse order of loading.
	addin__segment_close(&l->adapter);
	addin__segment_close(&l->addin);
	addin__segment_close(&l->contract);
	addin__free(l->name);
	addin__free(l);
}
