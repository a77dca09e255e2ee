// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#include "proxy.h"

#include "addin/adapter.h"

typedef struct proxy {
	ProtobufCService base; // first: the proxy is used as the service
	addin__channel  *ch;
	uint64_t         object_id;
	uint32_t         deadline_ms;
} proxy;

static void
proxy_invoke(ProtobufCService *svc, unsigned method,
             const ProtobufCMessage *input, ProtobufCClosure closure,
             void *closure_data)
{
	proxy            *p     = (proxy *) svc;
	ProtobufCMessage *reply = NULL;
	addin_err         rv;

	rv = addin__channel_call(p->ch, p->object_id, svc->descriptor,
	                         (uint32_t) method, input, p->deadline_ms,
	                         &reply);
	if (rv != ADDIN_OK) {
		// The call's failure (the remote fault, the deadline, the
		// channel's failure) is this thread's error:
		// addin__channel_call records it as its very last step, and
		// nothing runs between. It travels on with the call, as a
		// fault.
		addin_adapter_fail(closure, closure_data, rv, NULL);
		return;
	}
	closure(reply, closure_data);
	protobuf_c_message_free_unpacked(reply, &addin__pb_allocator);
}

static void
proxy_destroy_cb(ProtobufCService *svc)
{
	addin__proxy_destroy(svc);
}

addin_err
addin__proxy_create(addin__channel *ch, uint64_t object_id,
                    const ProtobufCServiceDescriptor *desc,
                    uint32_t deadline_ms, ProtobufCService **ret)
{
	proxy *p;

	if (ch == NULL || desc == NULL ||
	    desc->magic != PROTOBUF_C__SERVICE_DESCRIPTOR_MAGIC) {
		return addin__seterr(ADDIN_EINVAL, "proxy: no service");
	}
	if ((p = ADDIN__NEW(proxy)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	p->base.descriptor = desc;
	p->base.invoke     = proxy_invoke;
	p->base.destroy    = proxy_destroy_cb;
	p->ch              = addin__channel_ref(ch);
	p->object_id       = object_id;
	p->deadline_ms     = deadline_ms;
	*ret               = &p->base;
	return ADDIN_OK;
}

void
addin__proxy_destroy(ProtobufCService *svc)
{
	proxy *p = (proxy *) svc;
	if (p == NULL) {
		return;
	}
	addin__channel_unref(p->ch);
	addin__free(p);
}

void
addin__proxy_set_deadline(ProtobufCService *svc, uint32_t deadline_ms)
{
	((proxy *) svc)->deadline_ms = deadline_ms;
}
