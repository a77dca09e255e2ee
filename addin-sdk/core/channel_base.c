// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The channel object (channel_impl.h): references and the last free, failing
// the channel, sending frames.

#include <stdio.h>
#include <string.h>

#include "channel_impl.h"

addin__channel *
addin__channel_ref(addin__channel *ch)
{
	atomic_fetch_add(&ch->refs, 1);
	return ch;
}

static void
fail_one(uint64_t key, void *val, void *arg)
{
	addin__call    *c  = val;
	addin__channel *ch = arg;
	(void) key;
	c->done = true;
	c->rv   = ch->fail_code;
	pthread_cond_signal(&c->cv);
}

void
addin__ch_fail_locked(addin__channel *ch, addin_err code, const char *msg)
{
	if (ch->state == ST_FAILED) {
		return;
	}
	ch->state     = ST_FAILED;
	ch->fail_code = code;
	snprintf(ch->fail_msg, sizeof(ch->fail_msg), "%s", msg);
	addin__idmap_each(&ch->pending, fail_one, ch);
	addin__idmap_fini(&ch->pending);
	pthread_cond_broadcast(&ch->state_cv);
	// Senders blocked on a peer that is gone must not wait for it.  (A
	// link that drops while the channel is being opened fails it before
	// the transport is known; nothing is being sent then.)
	if (ch->tp != NULL) {
		ch->tp->ops->abort_sends(ch->tp);
	}
}

void
addin__channel_fail(addin__channel *ch, addin_err code, const char *fmt, ...)
{
	char    msg[ADDIN__ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&ch->mtx);
	addin__ch_fail_locked(ch, code, msg);
	pthread_mutex_unlock(&ch->mtx);
}

addin_err
addin__ch_encode(addin__channel *ch, const addin__hdr *hdr,
                 const ProtobufCMessage *payload, addin__tmsg **ret)
{
	size_t limit = ch->peer_max_frame < ch->max_frame ? ch->peer_max_frame
	                                                  : ch->max_frame;
	return addin__frame_encode(ch->tp->ops, hdr, payload, limit, ret);
}

addin_err
addin__ch_send_msg(addin__channel *ch, addin__tmsg *msg, int timeout_ms)
{
	addin_err rv;

	if ((rv = ch->tp->ops->send(ch->tp, msg, timeout_ms)) != ADDIN_OK) {
		return rv; // the transport freed the message
	}
	pthread_mutex_lock(&ch->mtx);
	ch->st.frames_out++;
	pthread_mutex_unlock(&ch->mtx);
	return ADDIN_OK;
}

addin_err
addin__ch_send(addin__channel *ch, const addin__hdr *hdr,
               const ProtobufCMessage *payload, int timeout_ms)
{
	addin__tmsg *msg;
	addin_err    rv;

	if ((rv = addin__ch_encode(ch, hdr, payload, &msg)) != ADDIN_OK) {
		return rv;
	}
	return addin__ch_send_msg(ch, msg, timeout_ms);
}

void
addin__ch_send_simple(addin__channel *ch, Addin__Wire__V1__Kind kind,
                      uint64_t call_id)
{
	addin__hdr h = ADDIN__WIRE__V1__HEADER__INIT;
	h.has_kind   = true;
	h.kind       = kind;
	if (call_id != 0) {
		h.has_call_id = true;
		h.call_id     = call_id;
	}
	(void) addin__ch_send(ch, &h, NULL, CONTROL_SEND_MS);
}

// A FAULT header answering call @call_id; @msg is borrowed.
void
addin__ch_fault_header(addin__hdr *h, uint64_t call_id, addin_err code,
                       char *msg)
{
	addin__wire__v1__header__init(h);
	h->has_kind       = true;
	h->kind           = ADDIN__WIRE__V1__KIND__FAULT;
	h->has_call_id    = true;
	h->call_id        = call_id;
	h->has_fault_code = true;
	h->fault_code     = (uint32_t) code;
	h->fault_message  = msg;
}

addin__tmsg *
addin__ch_vencode_fault(addin__channel *ch, uint64_t call_id, addin_err code,
                        const char *fmt, va_list ap)
{
	char         msg[ADDIN__ERRMSG_MAX];
	addin__hdr   h = ADDIN__WIRE__V1__HEADER__INIT;
	addin__tmsg *out;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	addin__ch_fault_header(&h, call_id, code, msg);
	pthread_mutex_lock(&ch->mtx);
	ch->st.faults_out++;
	pthread_mutex_unlock(&ch->mtx);
	return addin__ch_encode(ch, &h, NULL, &out) == ADDIN_OK ? out : NULL;
}

void
addin__ch_send_fault(addin__channel *ch, uint64_t call_id, addin_err code,
                     const char *fmt, ...)
{
	addin__tmsg *out;
	va_list      ap;

	va_start(ap, fmt);
	out = addin__ch_vencode_fault(ch, call_id, code, fmt, ap);
	va_end(ap);
	if (out != NULL) {
		(void) addin__ch_send_msg(ch, out, REPLY_SEND_MS);
	}
}

static void
free_channel(addin__channel *ch)
{
	// No transport callback can run now (closed), no addin__ch_serve holds a
	// reference (we are the last): release what is left.
	addin__ch_release_exports(ch);
	addin__idmap_fini(&ch->pending);
	ch->tp->ops->destroy(ch->tp);
	pthread_cond_destroy(&ch->state_cv);
	pthread_mutex_destroy(&ch->mtx);
	addin__free(ch);
}

void
addin__channel_unref(addin__channel *ch)
{
	if (ch == NULL || atomic_fetch_sub(&ch->refs, 1) != 1) {
		return;
	}
	// If the owner never closed, stop the transport now (not from a
	// transport thread: those hold no references).
	ch->tp->ops->close(ch->tp);
	free_channel(ch);
}
