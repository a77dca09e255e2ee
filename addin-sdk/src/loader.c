// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#define _GNU_SOURCE

#include <dlfcn.h>
#include <link.h>
#include <string.h>

#include "loader.h"
#include "platform/platform.h"

struct addin__loaded {
	char                          *name;
	void                          *contract_h, *adapter_h, *addin_h;
	const addin_addin_def         *def;
	const addin_addin_adapter_def *adapter;
	addin_context                  ctx;
	void                          *self;
	bool                           created;
	ProtobufCService              *svc;
};

static addin_err
open_lib(addin__loaded *l, const char *path, void **ret)
{
	void *h;

	// Loading is running its code: only what nobody else could have put
	// there (again: the file may have changed since discovery).  The one
	// trust rule of platform.h, as in discovery.
	if (addin__plat_path_trusted(path) != ADDIN_OK) {
		addin_err rv = addin_last_error();
		return addin__seterr(rv == ADDIN_EPERM ? ADDIN_EPERM
		                                       : ADDIN_ELOAD,
		                     "add-in %s: will not load %s: %s",
		                     l->name, path, addin_errmsg());
	}
	dlerror();
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		const char *why = dlerror();
		return addin__seterr(ADDIN_ELOAD, "add-in %s: cannot load %s",
		                     l->name, why != NULL ? why : path);
	}
	*ret = h;
	return ADDIN_OK;
}

void *
addin__dlsym_own(void *h, const char *name)
{
	struct link_map *self, *owner = NULL;
	Dl_info          info;
	void            *p;

	dlerror();
	if ((p = dlsym(h, name)) == NULL ||
	    dlinfo(h, RTLD_DI_LINKMAP, &self) != 0 ||
	    dladdr1(p, &info, (void **) &owner, RTLD_DL_LINKMAP) == 0 ||
	    owner != self) {
		return NULL;
	}
	return p;
}

static addin_err
find_sym(addin__loaded *l, void *h, const char *path, const char *sym,
         void **ret)
{
	void *p = addin__dlsym_own(h, sym);
	if (p == NULL) {
		return addin__seterr(ADDIN_ESYMBOL,
		                     "add-in %s: %s does not export %s",
		                     l->name, path, sym);
	}
	*ret = p;
	return ADDIN_OK;
}

static bool
same(const char *want, const char *have)
{
	return want == NULL || (have != NULL && strcmp(want, have) == 0);
}

static addin_err
load_test_service(addin__loaded *l, const addin__load_req *req)
{
	ProtobufCService *(*factory)(void);
	void     *sym = NULL;
	addin_err rv;

	if ((rv = open_lib(l, req->addin_path, &l->addin_h)) != ADDIN_OK ||
	    (rv = find_sym(l, l->addin_h, req->addin_path, req->service_symbol,
	                   &sym)) != ADDIN_OK) {
		return rv;
	}
	memcpy(&factory, &sym, sizeof(factory));
	if ((l->svc = factory()) == NULL) {
		return addin__seterr(ADDIN_EINIT, "add-in %s: %s() failed",
		                     l->name, req->service_symbol);
	}
	return ADDIN_OK;
}

addin_err
addin__loader_load(const addin__load_req *req, addin__loaded **ret)
{
	addin__loaded *l;
	void          *sym = NULL;
	addin_err      rv;

	if (req == NULL || req->addin_path == NULL) {
		return addin__seterr(ADDIN_EINVAL, "load: no add-in path");
	}
	if ((l = ADDIN__NEW(addin__loaded)) == NULL ||
	    (l->name = addin__strdup(
	         req->name != NULL ? req->name : req->addin_path)) == NULL) {
		addin__free(l);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	l->ctx.name = l->name;
	if (req->service_symbol != NULL && req->service_symbol[0] != '\0') {
		if ((rv = load_test_service(l, req)) != ADDIN_OK) {
			goto fail;
		}
		*ret = l;
		return ADDIN_OK;
	}

	// Contract first: the adapter's DT_NEEDED on it then resolves to this
	// copy (same soname), wherever the adapter's RUNPATH points.
	if (req->contract_path != NULL && req->contract_path[0] != '\0') {
		const addin_contract_def *c;
		if ((rv = open_lib(l, req->contract_path, &l->contract_h)) !=
		        ADDIN_OK ||
		    (rv = find_sym(l, l->contract_h, req->contract_path,
		                   ADDIN_ENTRY_CONTRACT, &sym)) != ADDIN_OK) {
			goto fail;
		}
		c = sym;
		if (c->abi_version != ADDIN_ABI_VERSION ||
		    !same(req->contract_id, c->contract_id) ||
		    !same(req->contract_hash, c->contract_hash)) {
			rv = addin__seterr(
			    ADDIN_EMISMATCH,
			    "add-in %s: contract %s is %s (%s), expected %s "
			    "(%s)",
			    l->name, req->contract_path, c->contract_id,
			    c->contract_hash, req->contract_id,
			    req->contract_hash);
			goto fail;
		}
	}

	if ((rv = open_lib(l, req->addin_path, &l->addin_h)) != ADDIN_OK ||
	    (rv = find_sym(l, l->addin_h, req->addin_path, ADDIN_ENTRY_ADDIN,
	                   &sym)) != ADDIN_OK) {
		goto fail;
	}
	l->def = sym;
	if (l->def->abi_version != ADDIN_ABI_VERSION || l->def->ops == NULL ||
	    !same(req->view_id, l->def->view_id) ||
	    !same(req->view_hash, l->def->view_hash)) {
		rv = addin__seterr(
		    ADDIN_EMISMATCH,
		    "add-in %s: %s implements view %s (%s), expected %s (%s)",
		    l->name, req->addin_path, l->def->view_id,
		    l->def->view_hash, req->view_id, req->view_hash);
		goto fail;
	}

	if (req->adapter_path != NULL && req->adapter_path[0] != '\0') {
		if ((rv = open_lib(l, req->adapter_path, &l->adapter_h)) !=
		        ADDIN_OK ||
		    (rv = find_sym(l, l->adapter_h, req->adapter_path,
		                   ADDIN_ENTRY_ADDIN_ADAPTER, &sym)) !=
		        ADDIN_OK) {
			goto fail;
		}
		l->adapter = sym;
		if (l->adapter->abi_version != ADDIN_ABI_VERSION ||
		    !same(l->def->view_id, l->adapter->view_id) ||
		    !same(l->def->view_hash, l->adapter->view_hash) ||
		    !same(req->contract_id, l->adapter->contract_id) ||
		    !same(req->contract_hash, l->adapter->contract_hash)) {
			rv = addin__seterr(ADDIN_EMISMATCH,
			                   "add-in %s: adapter %s bridges %s "
			                   "-> %s, not %s -> "
			                   "%s",
			                   l->name, req->adapter_path,
			                   l->adapter->contract_id,
			                   l->adapter->view_id,
			                   req->contract_id, l->def->view_id);
			goto fail;
		}
	}

	if (l->def->create != NULL) {
		addin_set_error(ADDIN_OK, NULL);
		rv = l->def->create(&l->ctx, &l->self);
		if (rv != ADDIN_OK) {
			rv = addin__seterr(
			    ADDIN_EINIT,
			    "add-in %s: initialisation failed: %s (%s)",
			    l->name, addin_errmsg(), addin_err_name(rv));
			goto fail;
		}
	}
	l->created = true;
	if (l->adapter != NULL) {
		rv = l->adapter->bind(l->def->ops, l->self, &l->svc);
		if (rv != ADDIN_OK) {
			rv = addin__seterr(rv, "add-in %s: adapter bind: %s",
			                   l->name, addin_errmsg());
			goto fail;
		}
	}
	*ret = l;
	return ADDIN_OK;

fail:
	addin__loader_unload(l);
	return rv;
}

ProtobufCService *
addin__loaded_service(addin__loaded *l)
{
	return l->svc;
}

const addin_addin_def *
addin__loaded_def(addin__loaded *l)
{
	return l->def;
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
	if (l == NULL) {
		return;
	}
	if (l->svc != NULL) {
		if (l->adapter != NULL) {
			l->adapter->unbind(l->svc);
		} else if (l->svc->destroy != NULL) {
			l->svc->destroy(l->svc);
		}
	}
	if (l->created && l->def != NULL && l->def->destroy != NULL) {
		l->def->destroy(l->self);
	}
	// Reverse order of loading.
	if (l->adapter_h != NULL) {
		dlclose(l->adapter_h);
	}
	if (l->addin_h != NULL) {
		dlclose(l->addin_h);
	}
	if (l->contract_h != NULL) {
		dlclose(l->contract_h);
	}
	addin__free(l->name);
	addin__free(l);
}
