// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The generic stub: serving one incoming call.  The request is unpacked
// with the method's input descriptor as untrusted bytes, the exported
// service invoked, and whatever its closure receives answered: a reply as
// RETURN, a fault (addin/adapter.h) as FAULT, NULL as ADDIN_EREMOTE.

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "addin/adapter.h"
#include "channel_impl.h"

// The calls this thread is serving, innermost first: an outgoing call made
// while serving call X of channel C carries nested_in = X.
typedef struct serving {
	addin__channel *ch;
	uint64_t        call_id;
	const char     *owner;
	struct serving *up;
} serving;

static _Thread_local serving *tls_serving;

// The answer to one call.  The closure encodes it; the stub sends it only
// once the call is over and the export no longer busy, so that a caller
// holding the answer knows the callee is done with the object (an Unload
// sent right after it then finds the export idle and unloads at once).
typedef struct reply_ctx {
	addin__channel *ch;
	uint64_t        call_id;
	bool            answered;
	const char     *what; // "Service.Method"
	addin__tmsg    *out;  // the encoded answer, or NULL (out of memory)
} reply_ctx;

static void reply_fault(reply_ctx *rc, addin_err code, const char *fmt, ...)
    ADDIN_PRINTF(3, 4);

static void
reply_fault(reply_ctx *rc, addin_err code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	rc->out = addin__ch_vencode_fault(rc->ch, rc->call_id, code, fmt, ap);
	va_end(ap);
}

// The stub's closure: the reply becomes a RETURN frame, a fault
// (addin/adapter.h) a FAULT frame with its code and message, and NULL (a
// service that answered nothing) a FAULT of ADDIN_EREMOTE.
static void
reply_closure(const ProtobufCMessage *msg, void *data)
{
	reply_ctx  *rc = data;
	addin__hdr  h  = ADDIN__WIRE__V1__HEADER__INIT;
	const char *why;
	addin_err   rv;

	if (rc->answered) {
		return; // a second answer is ignored
	}
	rc->answered = true;
	if (msg == NULL) {
		reply_fault(rc, ADDIN_EREMOTE, "%s failed without saying why",
		            rc->what);
		return;
	}
	if ((rv = addin_adapter_fault(msg, &why)) != ADDIN_OK) {
		reply_fault(rc, rv, "%s", why);
		return;
	}
	h.has_kind    = true;
	h.kind        = ADDIN__WIRE__V1__KIND__RETURN;
	h.has_call_id = true;
	h.call_id     = rc->call_id;
	if ((rv = addin__ch_encode(rc->ch, &h, msg, &rc->out)) != ADDIN_OK) {
		reply_fault(rc, rv, "%s: reply: %s", rc->what, addin_errmsg());
	}
}

// Serve one incoming CALL on the calling thread.  Takes @f.
void
addin__ch_serve(addin__channel *ch, addin__frame *f)
{
	uint64_t                          cid = f->hdr->call_id;
	uint64_t                          oid = f->hdr->object_id;
	uint32_t                          m   = f->hdr->method;
	export_entry                     *e;
	const ProtobufCServiceDescriptor *d;
	ProtobufCMessage                 *req;
	char                              what[160];
	serving                           me;
	reply_ctx                         rc;
	addin_err                         rv;

	pthread_mutex_lock(&ch->mtx);
	e = addin__idmap_get(&ch->exports, oid + 1);
	if (e == NULL || e->removed) {
		pthread_mutex_unlock(&ch->mtx);
		addin__frame_fini(f);
		addin__ch_send_fault(ch, cid, ADDIN_ENOTFOUND,
		                     "no object %llu",
		                     (unsigned long long) oid);
		return;
	}
	e->busy++;
	ch->st.calls_in++;
	pthread_mutex_unlock(&ch->mtx);

	d = e->svc->descriptor;
	if (m >= d->n_methods) {
		addin__frame_fini(f);
		addin__ch_send_fault(ch, cid, ADDIN_EPROTO,
		                     "%s has no method %u", d->name, m);
		addin__ch_export_done(ch, e);
		return;
	}
	snprintf(what, sizeof(what), "%s.%s", d->name, d->methods[m].name);
	const char *why = NULL;
	req             = NULL;
	rv = addin__unpack_untrusted(d->methods[m].input, f->payload_len,
	                             f->payload, &req, &why);
	addin__frame_fini(f); // the request holds its own copy now
	if (rv != ADDIN_OK) {
		addin__ch_send_fault(ch, cid, ADDIN_EPROTO,
		                     "%s: the request: %s", what, why);
		addin__ch_export_done(ch, e);
		return;
	}
	me.ch       = ch;
	me.call_id  = cid;
	me.owner    = e->owner;
	me.up       = tls_serving;
	tls_serving = &me;
	rc.ch       = ch;
	rc.call_id  = cid;
	rc.answered = false;
	rc.what     = what;
	rc.out      = NULL;
	// A clean slate: a service that answers with addin_adapter_fail(...,
	// NULL) must not pick up an older message of this thread.
	addin_set_error(ADDIN_OK, NULL);
	if (e->svc->invoke == protobuf_c_service_invoke_internal &&
	    ((void (*const *)(void))(e->svc + 1))[m] == NULL) {
		// protoc-c's generated dispatch calls handlers unchecked: a
		// method the implementation left NULL is "not implemented".
		addin_adapter_fail(reply_closure, &rc, ADDIN_EUNIMPL,
		                   "%s is not implemented", what);
	} else {
		e->svc->invoke(e->svc, m, req, reply_closure, &rc);
	}
	tls_serving = me.up;
	if (!rc.answered) {
		reply_fault(&rc, ADDIN_EINTERNAL,
		            "%s returned without answering", what);
	}
	protobuf_c_message_free_unpacked(req, &addin__pb_allocator);
	addin__ch_export_done(ch, e);
	if (rc.out != NULL) {
		(void) addin__ch_send_msg(ch, rc.out, REPLY_SEND_MS);
	}
}

const char *
addin__channel_serving_owner(void)
{
	return tls_serving != NULL ? tls_serving->owner : NULL;
}

addin__channel *
addin__channel_serving_channel(void)
{
	return tls_serving != NULL ? tls_serving->ch : NULL;
}

uint64_t
addin__ch_nested_parent(addin__channel *ch)
{
	for (serving *s = tls_serving; s != NULL; s = s->up) {
		if (s->ch == ch) {
			return s->call_id;
		}
	}
	return 0;
}
