// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// addin_activate (addin/host.h): a token becomes an object of the host view
// at the isolation level asked for (docs/architecture.md, "Activation").

#include <string.h>

#include "host_impl.h"
#include "platform/platform.h"
#include "proxy.h"

// load_req_of is the one translation of a token into what to load: the
// add-in and, unless @direct, its adapter and contract with their ids.
// The same request is loaded here (in process) or sent to a runner.
static void
load_req_of(const addin_controller *ctl, bool direct, addin__load_req *r)
{
	const addin_token *t = ctl->tok;

	memset(r, 0, sizeof(*r));
	r->name       = ctl->name;
	r->addin_path = addin_token_path(t, ADDIN_SEGMENT_ADDIN);
	r->view_id    = addin_token_addin_view_id(t);
	r->view_hash  = addin_token_addin_view_hash(t);
	if (!direct) {
		r->adapter_path =
		    addin_token_path(t, ADDIN_SEGMENT_ADDIN_ADAPTER);
		r->contract_path = addin_token_path(t, ADDIN_SEGMENT_CONTRACT);
		r->contract_id   = addin_token_contract_id(t);
		r->contract_hash = addin_token_contract_hash(t);
	}
}

// wrap puts the host adapter over @contract: the host view's ops.
static addin_err
wrap(addin_controller *ctl, ProtobufCService *contract, const void **ret_ops,
     void **ret_self)
{
	addin_err rv = ctl->had->wrap(contract, ret_ops, &ctl->adapter_self);
	if (rv != ADDIN_OK) {
		return addin__seterr(rv, "add-in %s: host adapter: %s",
		                     ctl->name, addin_errmsg());
	}
	*ret_self = ctl->adapter_self;
	return ADDIN_OK;
}

// Direct connect and in process: the add-in is loaded into the host.
static addin_err
activate_here(addin_controller *ctl, const void **ret_ops, void **ret_self)
{
	addin__load_req r;
	addin_err       rv;
	bool            direct = ctl->level == ADDIN_ISOLATION_DIRECT;

	load_req_of(ctl, direct, &r);
	if ((rv = addin__loader_load(&r, &ctl->loaded)) != ADDIN_OK) {
		return rv;
	}
	if (direct) {
		// The add-in's own ops are the host view's ops: same view.
		*ret_ops  = addin__loaded_def(ctl->loaded)->ops;
		*ret_self = addin__loaded_self(ctl->loaded);
		return ADDIN_OK;
	}
	return wrap(ctl, addin__loaded_service(ctl->loaded), ret_ops,
	            ret_self);
}

static addin_err
sandbox_prepare(addin_controller *ctl, const addin_activation_options *o,
                addin__sbx **ret)
{
	addin_sandbox_options defaults = ADDIN_SANDBOX_OPTIONS_INIT;
	const char           *loaded[2];
	addin__sbx_args       a;
	addin_err             rv;
	char                 *libdir;

	loaded[0] = addin_token_path(ctl->tok, ADDIN_SEGMENT_CONTRACT);
	loaded[1] = addin_token_path(ctl->tok, ADDIN_SEGMENT_ADDIN_ADAPTER);
	// Where the runtime libraries are (the build tree or the install).
	libdir = addin__plat_object_dir((const void *) addin_object_create);
	memset(&a, 0, sizeof(a));
	a.name            = ctl->name;
	a.addin_path      = addin_token_path(ctl->tok, ADDIN_SEGMENT_ADDIN);
	a.loaded          = loaded;
	a.nloaded         = 2;
	a.runtime_lib_dir = libdir;
	a.tok             = ctl->tok;
	rv = addin__sbx_prepare(o->sandbox != NULL ? o->sandbox : &defaults,
	                        &a, ret);
	addin__free(libdir);
	return rv;
}

// own_process starts the process of an own-process or sandboxed activation
// and attaches @ctl to it; the process then lives as long as @ctl's add-in.
static addin_err
own_process(addin_controller *ctl, const addin_activation_options *o)
{
	addin_host    *h   = ctl->host;
	addin__sbx    *sbx = NULL;
	addin_process *p;
	addin_err      rv;

	if (ctl->level == ADDIN_ISOLATION_SANDBOXED) {
		if ((rv = sandbox_prepare(ctl, o, &sbx)) != ADDIN_OK) {
			return rv;
		}
		addin__host_log_degraded(h, ctl->name, sbx);
	}
	rv = addin__process_start(h, ctl->name, o->env, o->cwd, o->deadline_ms,
	                          sbx, &p);
	if (rv != ADDIN_OK) {
		return rv;
	}
	rv = addin__ctl_attach_process(ctl, p);
	// The start's reference goes: from now on @ctl keeps it wanted (or,
	// when attaching failed, nobody does and it ends).
	pthread_mutex_lock(&h->mtx);
	atomic_fetch_sub(&p->refs, 1);
	addin__process_decide_unlock(p);
	return rv;
}

// Shared, own and sandboxed process: the runner loads the add-in; the host
// talks to it through the generic proxy.
static addin_err
activate_remote(addin_controller *ctl, const addin_activation_options *o,
                const void **ret_ops, void **ret_self)
{
	Addin__Wire__V1__LoadRequest req;
	addin__load_req              r;
	addin__proc                 *proc;
	addin_err                    rv;

	rv = ctl->level == ADDIN_ISOLATION_SHARED_PROCESS
	         ? addin__ctl_attach_process(ctl, o->process)
	         : own_process(ctl, o);
	if (rv != ADDIN_OK) {
		return rv;
	}
	proc = ctl->process->proc;
	load_req_of(ctl, false, &r);
	addin__load_req_to_wire(&r, &req);
	if ((rv = addin__proc_load(proc, &req, &ctl->object_id)) != ADDIN_OK) {
		return rv; // the runner's message names the add-in and file
	}
	rv = addin__proxy_create(addin__proc_channel(proc), ctl->object_id,
	                         ctl->had->descriptor, ctl->deadline_ms,
	                         &ctl->proxy);
	if (rv != ADDIN_OK) {
		return rv;
	}
	return wrap(ctl, ctl->proxy, ret_ops, ret_self);
}

static addin_err
check_args(addin_token *tok, const addin_activation_options *o)
{
	addin_err rv;

	if (o->isolation < ADDIN_ISOLATION_DIRECT ||
	    o->isolation > ADDIN_ISOLATION_SANDBOXED) {
		return addin__seterr(
		    ADDIN_EINVAL, "add-in %s: unknown isolation level %d",
		    addin_token_name(tok), (int) o->isolation);
	}
	if (o->isolation == ADDIN_ISOLATION_DIRECT &&
	    !addin_token_direct_connect_possible(tok)) {
		return addin__seterr(
		    ADDIN_ELEVEL,
		    "add-in %s implements view %s, the host view is %s: "
		    "direct connect needs the same view (use in-process)",
		    addin_token_name(tok), addin_token_addin_view_id(tok),
		    addin_token_host_view_id(tok));
	}
	if (o->isolation == ADDIN_ISOLATION_SANDBOXED && o->sandbox != NULL &&
	    (rv = addin__sbx_check_options(
	         o->sandbox, addin_token_name(tok))) != ADDIN_OK) {
		return rv;
	}
	if (o->isolation == ADDIN_ISOLATION_SHARED_PROCESS &&
	    o->process == NULL) {
		return addin__seterr(
		    ADDIN_ELEVEL,
		    "add-in %s: a shared process activation needs a process "
		    "(addin_process_create)",
		    addin_token_name(tok));
	}
	return ADDIN_OK;
}

static addin_err
activate_impl(addin_host *h, addin_token *tok,
              const addin_activation_options *opts, addin_object **ret_obj)
{
	addin_activation_options defaults = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin__host_adapter     *ha;
	addin_controller        *ctl;
	const void              *ops  = NULL;
	void                    *self = NULL;
	addin_err                rv;

	if (h == NULL || tok == NULL || ret_obj == NULL ||
	    (opts != NULL && opts->abi_version != 1)) {
		return addin__seterr(ADDIN_EINVAL,
		                     "addin_activate: bad arguments");
	}
	if (opts == NULL) {
		opts = &defaults;
	}
	if ((rv = check_args(tok, opts)) != ADDIN_OK) {
		return rv;
	}
	rv = addin__ctl_new(h, tok, opts->isolation, opts->deadline_ms, &ctl);
	if (rv != ADDIN_OK) {
		return rv;
	}
	if (ctl->level != ADDIN_ISOLATION_DIRECT) {
		if ((rv = addin__host_adapter_get(h, tok, &ha)) != ADDIN_OK) {
			goto fail;
		}
		// The entry lives in the adapter library, which stays loaded
		// as long as an object may need it (even past the host).
		ctl->had = ha->lib.entry;
	}
	rv = ctl->level <= ADDIN_ISOLATION_IN_PROCESS
	         ? activate_here(ctl, &ops, &self)
	         : activate_remote(ctl, opts, &ops, &self);
	if (rv != ADDIN_OK ||
	    (rv = addin__ctl_activated(ctl, ops, self)) != ADDIN_OK) {
		goto fail;
	}
	*ret_obj = ctl->obj;
	return ADDIN_OK;

fail:
	// Leave nothing running: unload, end a process made for this
	// activation; the first error and its message stay the caller's.
	addin__ctl_abandon(ctl);
	return addin__rc_filter(rv);
}

// Documented in include/addin/host.h.
addin_err
addin_activate(addin_host *h, addin_token *tok,
               const addin_activation_options *opts, addin_object **ret_obj)
{
	ADDIN__RETURN_CHECKED(
	    activate_impl(h, tok, opts, ret_obj), ADDIN_EINVAL, ADDIN_ELEVEL,
	    ADDIN_EPERM, ADDIN_ESPAWN, ADDIN_ELOAD, ADDIN_ESYMBOL,
	    ADDIN_EMISMATCH, ADDIN_EINIT, ADDIN_EPEERDIED, ADDIN_ECLOSED,
	    ADDIN_ESANDBOX, ADDIN_ETIMEDOUT, ADDIN_EAUTH, ADDIN_EVERSION,
	    ADDIN_EPROTO, ADDIN_ESYSERR, ADDIN_ENOMEM);
}
