// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// What the runner does for its host on its Control object (core/control.h
// serves Ping, Stats and the lifetime tokens): Load an add-in through the
// loader and export it (putting the sandbox's allow list on once it is
// loaded), Unload one, Shut the process down.

#include <pthread.h>
#include <stdio.h>

#include "addin/adapter.h"
#include "loader.h"
#include "runner.h"

static void
unload_release(ProtobufCService *svc, void *arg)
{
	(void) svc; // owned by the loaded add-in
	addin__loader_unload(arg);
}

static void
ctl_load(Addin__Wire__V1__Control_Service   *s,
         const Addin__Wire__V1__LoadRequest *in,
         Addin__Wire__V1__LoadReply_Closure done, void *data)
{
	Addin__Wire__V1__LoadReply reply = ADDIN__WIRE__V1__LOAD_REPLY__INIT;
	addin__load_req            req;
	addin__loaded             *l;
	uint64_t                   id;
	addin_err                  rv;
	char                       why[ADDIN_ADAPTER_MSG_MAX];

	(void) s;
	if (addin__load_req_from_wire(in, &req) != ADDIN_OK) {
		addin_adapter_fail((ProtobufCClosure) done, data,
		                   addin_last_error(), NULL);
		return;
	}
	if (R.sandboxed && R.sbx.policy.level == ADDIN__SANDBOX_STRICT) {
		pthread_mutex_lock(&R.mtx);
		bool again = R.loaded;
		R.loaded   = true;
		pthread_mutex_unlock(&R.mtx);
		if (again) {
			// Nothing can be loaded once the strict allow list is
			// on.
			addin_adapter_fail(
			    (ProtobufCClosure) done, data, ADDIN_ELEVEL,
			    "a strict sandbox runs exactly one add-in");
			return;
		}
	}
	// A failure's code and message are taken right where the failing
	// call returned: what runs before the answer (unloading, the
	// sandbox's second stage) may record errors of its own.
	if ((rv = addin__loader_load(&req, &l)) != ADDIN_OK) {
		snprintf(why, sizeof(why), "%s", addin_errmsg());
		// Whatever of the add-in ran (constructors, threads, atexit
		// handlers) runs on under the allow list from now on.
		if (R.sandboxed) {
			sandbox_stage2();
		}
		addin_adapter_fail(
		    (ProtobufCClosure) done, data, rv, "%s",
		    why); // the loader's message names what failed
		return;
	}
	if ((rv = addin__channel_export(
	         R.ch, addin__loaded_service(l), unload_release, l,
	         addin__loaded_name(l), &id)) != ADDIN_OK) {
		snprintf(why, sizeof(why), "%s", addin_errmsg());
		addin__loader_unload(l);
		if (R.sandboxed) {
			sandbox_stage2();
		}
		addin_adapter_fail((ProtobufCClosure) done, data, rv,
		                   "load: cannot export: %s", why);
		return;
	}
	reply.has_object_id = true;
	reply.object_id     = id;
	// The allow list goes on once the add-in is loaded and nng is up,
	// before the host can call any of its methods (strict: no file and
	// no executable mapping from here on).
	if (R.sandboxed) {
		sandbox_stage2();
	}
	done(&reply, data);
}

static void
ctl_unload(Addin__Wire__V1__Control_Service     *s,
           const Addin__Wire__V1__UnloadRequest *in,
           Addin__Wire__V1__Empty_Closure done, void *data)
{
	Addin__Wire__V1__Empty empty = ADDIN__WIRE__V1__EMPTY__INIT;
	(void) s;
	if (in->object_id == 0 ||
	    addin__channel_unexport(R.ch, in->object_id) != ADDIN_OK) {
		addin_adapter_fail((ProtobufCClosure) done, data,
		                   ADDIN_ENOTFOUND,
		                   "unload: no add-in object %llu",
		                   (unsigned long long) in->object_id);
		return;
	}
	done(&empty, data);
}

static void
ctl_shutdown(Addin__Wire__V1__Control_Service       *s,
             const Addin__Wire__V1__ShutdownRequest *in,
             Addin__Wire__V1__Empty_Closure done, void *data)
{
	Addin__Wire__V1__Empty empty = ADDIN__WIRE__V1__EMPTY__INIT;
	(void) s;
	(void) in;
	done(&empty, data); // answer first: the main thread then closes
	pthread_mutex_lock(&R.mtx);
	R.stop = true;
	pthread_cond_broadcast(&R.cv);
	pthread_mutex_unlock(&R.mtx);
}

const addin__control_ops addin__runner_control = {
    .load     = ctl_load,
    .unload   = ctl_unload,
    .shutdown = ctl_shutdown,
};
