// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Outgoing calls: start (a CALL frame, nested in the call this thread
// serves), wait (serving the peer's nested calls meanwhile, at most until
// the deadline), and turn the answer into a reply or the failure.

#include <stdio.h>
#include <string.h>

#include "channel_impl.h"

static void
free_call(addin__call *c)
{
	incoming *in;
	while ((in = c->qhead) != NULL) {
		c->qhead = in->next;
		addin__frame_fini(&in->f);
		addin__free(in);
	}
	addin__frame_fini(&c->reply);
	pthread_cond_destroy(&c->cv);
	addin__channel_unref(c->ch);
	addin__free(c);
}

addin_err
addin__channel_call_start(addin__channel *ch, uint64_t object_id,
                          const ProtobufCServiceDescriptor *svc,
                          uint32_t method, const ProtobufCMessage *req,
                          uint32_t deadline_ms, addin__call **ret)
{
	addin__call *c;
	addin__hdr   h = ADDIN__WIRE__V1__HEADER__INIT;
	addin_err    rv;

	if (svc == NULL || method >= svc->n_methods || req == NULL ||
	    req->descriptor != svc->methods[method].input) {
		return addin__seterr(
		    ADDIN_EINVAL,
		    "call: no such method or wrong request type");
	}
	if ((c = ADDIN__NEW(addin__call)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	addin__cond_init_mono(&c->cv);
	c->svc    = svc;
	c->method = method;
	c->deadline_ms =
	    deadline_ms != 0 ? deadline_ms : ch->default_deadline_ms;
	c->deadline_abs = addin__now_ms() + c->deadline_ms;

	pthread_mutex_lock(&ch->mtx);
	if (ch->state != ST_OPEN || !ch->ready) {
		rv = ch->state == ST_FAILED
		         ? addin__seterr(ch->fail_code, "%s", ch->fail_msg)
		         : addin__seterr(ADDIN_ECLOSED,
		                         "%s: handshake not done", ch->label);
		pthread_mutex_unlock(&ch->mtx);
		pthread_cond_destroy(&c->cv);
		addin__free(c);
		return rv;
	}
	if (ch->pending.len >= ch->max_pending) {
		pthread_mutex_unlock(&ch->mtx);
		pthread_cond_destroy(&c->cv);
		addin__free(c);
		return addin__seterr(ADDIN_ELIMIT,
		                     "%s: %u calls already in flight",
		                     ch->label, ch->max_pending);
	}
	c->id           = ++ch->next_call_id;
	c->queue_nested = true;
	if ((rv = addin__idmap_put(&ch->pending, c->id, c)) != ADDIN_OK) {
		pthread_mutex_unlock(&ch->mtx);
		pthread_cond_destroy(&c->cv);
		addin__free(c);
		return addin__seterr(rv, NULL);
	}
	c->ch = addin__channel_ref(ch);
	ch->st.calls_out++;
	pthread_mutex_unlock(&ch->mtx);

	h.has_kind        = true;
	h.kind            = ADDIN__WIRE__V1__KIND__CALL;
	h.has_call_id     = true;
	h.call_id         = c->id;
	h.nested_in       = addin__ch_nested_parent(ch);
	h.has_nested_in   = h.nested_in != 0;
	h.has_object_id   = true;
	h.object_id       = object_id;
	h.has_method      = true;
	h.method          = method;
	h.has_deadline_ms = true;
	h.deadline_ms     = c->deadline_ms;
	if ((rv = addin__ch_send(ch, &h, req, (int) c->deadline_ms)) !=
	    ADDIN_OK) {
		char msg[ADDIN__ERRMSG_MAX];
		snprintf(msg, sizeof(msg), "%s", addin_errmsg());
		pthread_mutex_lock(&ch->mtx);
		addin__idmap_del(&ch->pending, c->id);
		if (rv == ADDIN_ECLOSED && ch->state == ST_FAILED) {
			rv = ch->fail_code;
			snprintf(msg, sizeof(msg), "%s", ch->fail_msg);
		}
		pthread_mutex_unlock(&ch->mtx);
		free_call(c);
		return addin__seterr(rv, "%s.%s: %s", svc->name,
		                     svc->methods[method].name, msg);
	}
	*ret = c;
	return ADDIN_OK;
}

// wait_locked waits for @c's answer, serving the nested calls the peer
// makes meanwhile on this thread, at most until the deadline; true when
// the deadline passed first.  Called with ch->mtx held.
static bool
wait_locked(addin__channel *ch, addin__call *c)
{
	struct timespec ts;
	incoming       *in;

	addin__deadline_ts(c->deadline_abs, &ts);
	while (!c->done) {
		// The deadline first: a peer that keeps nesting calls must not
		// hold the caller past it (what is queued then goes to the
		// executor, see hand_over_locked).
		if (addin__now_ms() >= c->deadline_abs) {
			if (addin__idmap_del(&ch->pending, c->id) != NULL) {
				ch->st.timeouts++;
				return true;
			}
			if (ch->state == ST_FAILED) {
				return false; // failed: pending map emptied
			}
		}
		if ((in = c->qhead) != NULL) {
			c->qhead = in->next;
			if (c->qhead == NULL) {
				c->qtail = NULL;
			}
			pthread_mutex_unlock(&ch->mtx);
			// The peer's callback, on this thread.
			addin__ch_serve(ch, &in->f);
			addin__free(in);
			pthread_mutex_lock(&ch->mtx);
			continue;
		}
		pthread_cond_timedwait(&c->cv, &ch->mtx, &ts);
	}
	return false;
}

// hand_over_locked: callbacks queued for @c but not served (it ended first)
// still deserve an answer: they go to the executor.  Called with ch->mtx
// held.
static void
hand_over_locked(addin__channel *ch, addin__call *c)
{
	incoming *in;

	c->queue_nested = false;
	while ((in = c->qhead) != NULL) {
		c->qhead       = in->next;
		addin__frame f = in->f;
		addin__free(in);
		if (ch->state == ST_OPEN) {
			addin__ch_to_executor_locked(ch, &f,
			                             addin__ch_serve_task);
		} else {
			addin__frame_fini(&f);
		}
	}
	c->qtail = NULL;
}

// outcome_locked turns how @c ended into its result: the reply unpacked
// into *@ret_reply, or a failure code with its message in @msg (@len
// bytes).  Drops ch->mtx.
static addin_err
outcome_locked(addin__channel *ch, addin__call *c, bool timed_out,
               ProtobufCMessage **ret_reply, char *msg, size_t len)
{
	const char *sname = c->svc->name;
	const char *mname = c->svc->methods[c->method].name;
	const char *why   = NULL;
	addin_err   rv;

	if (timed_out) {
		pthread_mutex_unlock(&ch->mtx);
		addin__ch_send_simple(ch, ADDIN__WIRE__V1__KIND__CANCEL,
		                      c->id);
		snprintf(msg, len, "%s.%s: %s did not answer within %u ms",
		         sname, mname, ch->label, c->deadline_ms);
		return ADDIN_ETIMEDOUT;
	}
	if (c->reply.hdr == NULL) { // the channel failed
		rv = ch->state == ST_FAILED ? ch->fail_code : ADDIN_EINTERNAL;
		snprintf(msg, len, "%s.%s: %s", sname, mname,
		         ch->state == ST_FAILED ? ch->fail_msg : "no reply");
		pthread_mutex_unlock(&ch->mtx);
		return rv;
	}
	if (c->reply.hdr->kind == ADDIN__WIRE__V1__KIND__FAULT) {
		uint32_t code = c->reply.hdr->fault_code;
		ch->st.faults_in++;
		pthread_mutex_unlock(&ch->mtx);
		if (code == ADDIN_OK || !addin__err_known(code)) {
			code = ADDIN_EREMOTE;
		}
		snprintf(msg, len, "%s",
		         c->reply.hdr->fault_message != NULL
		             ? c->reply.hdr->fault_message
		             : addin_strerror((addin_err) code));
		return (addin_err) code;
	}
	pthread_mutex_unlock(&ch->mtx);
	if (addin__unpack_untrusted(c->svc->methods[c->method].output,
	                            c->reply.payload_len, c->reply.payload,
	                            ret_reply, &why) != ADDIN_OK) {
		pthread_mutex_lock(&ch->mtx);
		addin__ch_bad_frame_locked(ch, why);
		pthread_mutex_unlock(&ch->mtx);
		snprintf(msg, len, "%s.%s: the reply from %s: %s", sname,
		         mname, ch->label, why);
		return ADDIN_EPROTO;
	}
	return ADDIN_OK;
}

addin_err
addin__channel_call_wait(addin__call *c, ProtobufCMessage **ret_reply)
{
	addin__channel *ch = c->ch;
	bool            timed_out;
	addin_err       rv;
	// The failure's message; the thread's error keeps its first 511 bytes.
	char msg[2 * ADDIN__ERRMSG_MAX];

	pthread_mutex_lock(&ch->mtx);
	timed_out = wait_locked(ch, c);
	hand_over_locked(ch, c);
	rv = outcome_locked(ch, c, timed_out, ret_reply, msg, sizeof(msg));
	// The failure becomes the thread's error only after free_call, which
	// may drop the last reference to the channel: nothing it runs can
	// overwrite it (the proxy passes the thread's error on as the call's
	// fault, addin/adapter.h).
	free_call(c);
	return rv == ADDIN_OK ? ADDIN_OK : addin__seterr(rv, "%s", msg);
}

addin_err
addin__channel_call(addin__channel *ch, uint64_t object_id,
                    const ProtobufCServiceDescriptor *svc, uint32_t method,
                    const ProtobufCMessage *req, uint32_t deadline_ms,
                    ProtobufCMessage **ret_reply)
{
	addin__call *c;
	addin_err    rv;

	rv = addin__channel_call_start(ch, object_id, svc, method, req,
	                               deadline_ms, &c);
	if (rv != ADDIN_OK) {
		return rv;
	}
	return addin__channel_call_wait(c, ret_reply);
}
