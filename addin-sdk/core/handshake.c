// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The handshake (docs/architecture.md, "The wire"): HELLO from the dialer,
// the token compared in constant time, the common wire version, HELLO_ACK.

#include <stdio.h>
#include <string.h>

#include "channel_impl.h"
#include "platform/platform.h"

typedef Addin__Wire__V1__Hello hello_msg;

static void
fill_hello(addin__channel *ch, hello_msg *h, uint32_t wmin, uint32_t wmax)
{
	h->has_wire_min    = true;
	h->wire_min        = wmin;
	h->has_wire_max    = true;
	h->wire_max        = wmax;
	h->has_sdk_version = true;
	h->sdk_version     = ADDIN_VERSION_NUMBER;
	h->has_pid         = true;
	h->pid             = (uint32_t) addin__plat_getpid();
	h->has_max_frame   = true;
	h->max_frame       = ch->max_frame;
}

static bool
token_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t diff = (uint8_t) (alen != blen);
	size_t  n    = alen < blen ? alen : blen;
	for (size_t i = 0; i < n; i++) {
		diff |= a[i] ^ b[i];
	}
	return diff == 0;
}

// Listener: a HELLO arrived (runs on the executor: it sends).
void
addin__ch_hello_task(void *arg)
{
	incoming       *in    = arg;
	addin__channel *ch    = in->ch;
	hello_msg      *hello = in->f.hdr->hello;
	hello_msg       ack   = ADDIN__WIRE__V1__HELLO__INIT;
	addin__hdr      h     = ADDIN__WIRE__V1__HEADER__INIT;
	uint32_t        lo, hi;

	if (!token_equal(ch->token, ch->token_len, hello->token.data,
	                 hello->has_token ? hello->token.len : 0)) {
		addin__channel_fail(ch, ADDIN_EAUTH,
		                    "%s: the peer presented a wrong token",
		                    ch->label);
		goto done;
	}
	lo         = hello->wire_min > ADDIN_WIRE_VERSION_MIN ? hello->wire_min
	                                                      : ADDIN_WIRE_VERSION_MIN;
	hi         = hello->wire_max < ADDIN_WIRE_VERSION ? hello->wire_max
	                                                  : ADDIN_WIRE_VERSION;
	h.has_kind = true;
	h.kind     = ADDIN__WIRE__V1__KIND__HELLO_ACK;
	h.hello    = &ack;
	if (lo > hi) {
		// Tell the peer our range so it can say why, then give up.
		fill_hello(ch, &ack, ADDIN_WIRE_VERSION_MIN,
		           ADDIN_WIRE_VERSION);
		(void) addin__ch_send(ch, &h, NULL, REPLY_SEND_MS);
		addin__channel_fail(
		    ch, ADDIN_EVERSION,
		    "%s speaks wire versions %u..%u, this host %u..%u",
		    ch->label, hello->wire_min, hello->wire_max,
		    ADDIN_WIRE_VERSION_MIN, ADDIN_WIRE_VERSION);
		goto done;
	}
	// Accept the peer's calls before it can see our answer, but make no
	// call of our own until the answer is on its way: the peer drops calls
	// that arrive before its HELLO_ACK.
	pthread_mutex_lock(&ch->mtx);
	ch->peer_sdk     = hello->has_sdk_version ? hello->sdk_version : 0;
	ch->wire_version = hi;
	if (hello->has_max_frame && hello->max_frame >= 1024 &&
	    hello->max_frame < ch->max_frame) {
		ch->peer_max_frame = (size_t) hello->max_frame;
	}
	if (ch->state == ST_HANDSHAKE) {
		ch->state = ST_OPEN;
	}
	pthread_mutex_unlock(&ch->mtx);
	fill_hello(ch, &ack, hi, hi);
	if (addin__ch_send(ch, &h, NULL, REPLY_SEND_MS) != ADDIN_OK) {
		addin__channel_fail(ch, ADDIN_ECLOSED,
		                    "%s: cannot answer the hello: %s",
		                    ch->label, addin_errmsg());
		goto done;
	}
	pthread_mutex_lock(&ch->mtx);
	ch->ready = true;
	pthread_cond_broadcast(&ch->state_cv);
	pthread_mutex_unlock(&ch->mtx);
done:
	addin__frame_fini(&in->f);
	addin__free(in);
	addin__channel_unref(ch);
}

// Dialer: the HELLO_ACK arrived (transport thread; no sending).  Called with
// ch->mtx held.
void
addin__ch_hello_ack_locked(addin__channel *ch, const hello_msg *ack)
{
	char msg[256];

	if (ack->wire_max < ADDIN_WIRE_VERSION_MIN ||
	    ack->wire_max > ADDIN_WIRE_VERSION ||
	    ack->wire_min != ack->wire_max) {
		snprintf(msg, sizeof(msg),
		         "%s speaks wire versions %u..%u, this add-in %u..%u",
		         ch->label, ack->wire_min, ack->wire_max,
		         ADDIN_WIRE_VERSION_MIN, ADDIN_WIRE_VERSION);
		addin__ch_fail_locked(ch, ADDIN_EVERSION, msg);
		return;
	}
	ch->wire_version = ack->wire_max;
	ch->peer_sdk     = ack->has_sdk_version ? ack->sdk_version : 0;
	if (ack->has_max_frame && ack->max_frame >= 1024 &&
	    ack->max_frame < ch->max_frame) {
		ch->peer_max_frame = (size_t) ack->max_frame;
	}
	ch->state = ST_OPEN;
	ch->ready = true;
	pthread_cond_broadcast(&ch->state_cv);
}

addin_err
addin__channel_handshake(addin__channel *ch, int timeout_ms)
{
	int64_t         until = addin__now_ms() + timeout_ms;
	struct timespec ts;
	addin_err       rv;

	if (!ch->listener) {
		hello_msg  hello = ADDIN__WIRE__V1__HELLO__INIT;
		addin__hdr h     = ADDIN__WIRE__V1__HEADER__INIT;
		fill_hello(ch, &hello, ADDIN_WIRE_VERSION_MIN,
		           ADDIN_WIRE_VERSION);
		hello.has_token  = true;
		hello.token.data = ch->token;
		hello.token.len  = ch->token_len;
		h.has_kind       = true;
		h.kind           = ADDIN__WIRE__V1__KIND__HELLO;
		h.hello          = &hello;
		if ((rv = addin__ch_send(ch, &h, NULL, timeout_ms)) !=
		    ADDIN_OK) {
			return rv;
		}
	}
	addin__deadline_ts(until, &ts);
	pthread_mutex_lock(&ch->mtx);
	while (ch->state != ST_FAILED && !ch->ready) {
		if (pthread_cond_timedwait(&ch->state_cv, &ch->mtx, &ts) !=
		        0 &&
		    addin__now_ms() >= until) {
			char msg[256];
			snprintf(msg, sizeof(msg),
			         "%s: no handshake within %d ms", ch->label,
			         timeout_ms);
			addin__ch_fail_locked(ch, ADDIN_ETIMEDOUT, msg);
		}
	}
	if (ch->state == ST_OPEN && ch->ready) {
		rv = ADDIN_OK;
	} else {
		rv = addin__seterr(ch->fail_code, "%s", ch->fail_msg);
	}
	pthread_mutex_unlock(&ch->mtx);
	return rv;
}
