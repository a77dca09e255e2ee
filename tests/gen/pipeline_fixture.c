// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// An in-process pipeline built by hand (pipeline_fixture.h).

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline_fixture.h"
#include "runtime.h"

static void *
load(const char *path, const char *sym, void **ret_dl, addin_err *rv)
{
	void *dl, *entry;

	if (*rv != ADDIN_OK) {
		return NULL;
	}
	if ((dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		*rv = addin_set_error(ADDIN_ELOAD, "%s", dlerror());
		return NULL;
	}
	if ((entry = dlsym(dl, sym)) == NULL) {
		dlclose(dl);
		*rv = addin_set_error(ADDIN_ESYMBOL, "%s: no %s", path, sym);
		return NULL;
	}
	*ret_dl = dl;
	return entry;
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

// The object's destroy: everything the object stands on, in reverse.
static void
teardown(void *self, void *arg)
{
	gen_pipeline *p = arg;

	(void) self;
	if (p->host_self != NULL) {
		p->host_adapter->unwrap(p->host_self);
		p->host_self = NULL;
	}
	if (p->service != NULL) {
		p->addin_adapter->unbind(p->service);
		p->service = NULL;
	}
	if (p->addin != NULL && p->addin->destroy != NULL) {
		p->addin->destroy(p->addin_self);
	}
	p->addin_self = NULL;
}

static void
close_libs(gen_pipeline *p)
{
	void *dls[] = {p->dl_addin, p->dl_host_adapter, p->dl_addin_adapter,
	               p->dl_contract};
	for (size_t i = 0; i < sizeof(dls) / sizeof(dls[0]); i++) {
		if (dls[i] != NULL) {
			dlclose(dls[i]);
		}
	}
	if (p->ctx != NULL) {
		free(p->ctx->name);
		free(p->ctx);
	}
	memset(p, 0, sizeof(*p));
}

addin_err
gen_pipeline_open(gen_pipeline *p, const gen_segments *segs,
                  const char *view_id, const char *view_hash, bool direct)
{
	addin_err         rv   = ADDIN_OK;
	addin_object_impl impl = ADDIN_OBJECT_IMPL_INIT;
	const void       *ops;

	memset(p, 0, sizeof(*p));
	p->contract =
	    load(segs->contract, ADDIN_ENTRY_CONTRACT, &p->dl_contract, &rv);
	p->addin_adapter = load(segs->addin_adapter, ADDIN_ENTRY_ADDIN_ADAPTER,
	                        &p->dl_addin_adapter, &rv);
	p->host_adapter  = load(segs->host_adapter, ADDIN_ENTRY_HOST_ADAPTER,
	                        &p->dl_host_adapter, &rv);
	p->addin = load(segs->addin, ADDIN_ENTRY_ADDIN, &p->dl_addin, &rv);
	if (rv != ADDIN_OK) {
		close_libs(p);
		return rv;
	}
	// What activation checks before it uses anything else.
	if (p->contract->abi_version != ADDIN_ABI_VERSION ||
	    p->addin_adapter->abi_version != ADDIN_ABI_VERSION ||
	    p->host_adapter->abi_version != ADDIN_ABI_VERSION ||
	    p->addin->abi_version != ADDIN_ABI_VERSION ||
	    !same(p->contract->contract_id, p->addin_adapter->contract_id) ||
	    !same(p->contract->contract_id, p->host_adapter->contract_id) ||
	    !same(p->contract->contract_hash,
	          p->addin_adapter->contract_hash) ||
	    !same(p->contract->contract_hash,
	          p->host_adapter->contract_hash) ||
	    !same(p->addin_adapter->view_id, p->addin->view_id) ||
	    !same(p->addin_adapter->view_hash, p->addin->view_hash) ||
	    !same(p->host_adapter->view_id, view_id) ||
	    !same(p->host_adapter->view_hash, view_hash) ||
	    p->contract->descriptor != p->addin_adapter->descriptor ||
	    p->contract->descriptor != p->host_adapter->descriptor) {
		close_libs(p);
		return addin_set_error(ADDIN_EMISMATCH, "segments disagree");
	}
	if ((p->ctx = calloc(1, sizeof(*p->ctx))) == NULL ||
	    (p->ctx->name = strdup("test")) == NULL) {
		close_libs(p);
		return addin_set_error(ADDIN_ENOMEM, NULL);
	}
	if (p->addin->create != NULL &&
	    (rv = p->addin->create(p->ctx, &p->addin_self)) != ADDIN_OK) {
		close_libs(p);
		return rv;
	}
	ops = p->addin->ops;
	if (direct) {
		// Direct connect: same view both sides, no adapter at all.
		if (!same(p->addin->view_id, view_id) ||
		    !same(p->addin->view_hash, view_hash)) {
			teardown(NULL, p);
			close_libs(p);
			return addin_set_error(ADDIN_EMISMATCH,
			                       "views differ");
		}
		impl.self = p->addin_self;
	} else {
		rv = p->addin_adapter->bind(ops, p->addin_self, &p->service);
		if (rv == ADDIN_OK) {
			rv = p->host_adapter->wrap(p->service, &ops,
			                           &p->host_self);
		}
		if (rv != ADDIN_OK) {
			teardown(NULL, p);
			close_libs(p);
			return rv;
		}
		impl.self = p->host_self;
	}
	impl.view_id     = view_id;
	impl.ops         = ops;
	impl.destroy     = teardown;
	impl.destroy_arg = p;
	if ((rv = addin_object_create(&impl, &p->obj)) != ADDIN_OK) {
		teardown(NULL, p);
		close_libs(p);
	}
	return rv;
}

void
gen_pipeline_close(gen_pipeline *p)
{
	p->obj = addin_object_unref(p->obj);
	close_libs(p);
}
