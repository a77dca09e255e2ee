// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Receiving: the transport's callbacks decode each frame and route it (a
// reply to its waiter, a nested call to the thread waiting for its parent,
// anything that sends or runs user code to the executor); garbage is
// counted.

#include <stdio.h>
#include <string.h>

#include "channel_impl.h"
#include "platform/platform.h"

void
addin__ch_bad_frame_locked(addin__channel *ch, const char *why)
{
	ch->st.bad_frames++;
	if (ch->max_bad_frames != 0 &&
	    ch->st.bad_frames > ch->max_bad_frames) {
		char msg[ADDIN__ERRMSG_MAX];
		snprintf(msg, sizeof(msg),
		         "%s sent %llu malformed frames (last: %s)", ch->label,
		         (unsigned long long) ch->st.bad_frames, why);
		addin__ch_fail_locked(ch, ADDIN_EPROTO, msg);
	}
}

void
addin__ch_serve_task(void *arg)
{
	incoming       *in = arg;
	addin__channel *ch = in->ch;
	pthread_mutex_lock(&ch->mtx);
	ch->queued_calls--;
	ch->queued_bytes -= in->f.payload_len;
	pthread_mutex_unlock(&ch->mtx);
	addin__ch_serve(ch, &in->f);
	addin__free(in);
	addin__channel_unref(ch);
}

// Answer call @call_id with a fault from a receive callback (which must
// not block): queued without waiting.  Called with ch->mtx held.
static void
refuse_locked(addin__channel *ch, uint64_t call_id, addin_err code,
              const char *msg)
{
	addin__hdr   h;
	addin__tmsg *out;
	char         text[128];

	snprintf(text, sizeof(text), "%s", msg);
	addin__ch_fault_header(&h, call_id, code, text);
	if (addin__frame_encode(ch->tp->ops, &h, NULL, ch->peer_max_frame,
	                        &out) == ADDIN_OK) {
		ch->st.faults_out++;
		ch->tp->ops->send_async(ch->tp, out, CONTROL_SEND_MS);
	}
}

// Queue @f for the executor.  Called with ch->mtx held; takes @f.
void
addin__ch_to_executor_locked(addin__channel *ch, addin__frame *f,
                             void (*fn)(void *))
{
	incoming *in;

	// A peer may not pile up work in this process: calls beyond the
	// bounds are refused at once with ADDIN_ELIMIT (and counted).
	if (fn == addin__ch_serve_task &&
	    (ch->queued_calls >= MAX_QUEUED_CALLS ||
	     ch->queued_bytes + f->payload_len > MAX_QUEUED_BYTES)) {
		ch->st.overload++;
		refuse_locked(ch, f->hdr->call_id, ADDIN_ELIMIT,
		              "too many calls queued; try again later");
		addin__frame_fini(f);
		return;
	}
	if ((in = ADDIN__NEW(incoming)) == NULL) {
		addin__frame_fini(f);
		return;
	}
	in->f  = *f;
	in->ch = addin__channel_ref(ch);
	if (fn == addin__ch_serve_task) {
		ch->queued_calls++;
		ch->queued_bytes += in->f.payload_len;
	}
	if (addin__executor_submit(ch->executor, fn, in) != ADDIN_OK) {
		if (fn == addin__ch_serve_task) {
			ch->queued_calls--;
			ch->queued_bytes -= in->f.payload_len;
		}
		addin__frame_fini(&in->f);
		addin__free(in);
		atomic_fetch_sub(&ch->refs, 1); // we hold ch->refs >= 2 here
	}
}

void
addin__ch_on_recv(void *arg, addin__tmsg *msg)
{
	addin__channel *ch = arg;
	addin__frame    f;
	addin__call    *c;
	addin_err       rv;

	rv = addin__frame_decode(ch->tp->ops, msg, &f);
	pthread_mutex_lock(&ch->mtx);
	if (rv != ADDIN_OK) {
		addin__ch_bad_frame_locked(ch, addin_errmsg());
		pthread_mutex_unlock(&ch->mtx);
		return;
	}
	ch->st.frames_in++;
	if (ch->state == ST_FAILED) {
		pthread_mutex_unlock(&ch->mtx);
		addin__frame_fini(&f);
		return;
	}
	switch (f.hdr->kind) {
	case ADDIN__WIRE__V1__KIND__HELLO:
		if (!ch->listener || ch->state != ST_HANDSHAKE ||
		    ch->hello_seen) {
			break;
		}
		ch->hello_seen = true;
		addin__ch_to_executor_locked(ch, &f, addin__ch_hello_task);
		pthread_mutex_unlock(&ch->mtx);
		return;
	case ADDIN__WIRE__V1__KIND__HELLO_ACK:
		if (ch->listener || ch->state != ST_HANDSHAKE) {
			break;
		}
		addin__ch_hello_ack_locked(ch, f.hdr->hello);
		pthread_mutex_unlock(&ch->mtx);
		addin__frame_fini(&f);
		return;
	case ADDIN__WIRE__V1__KIND__CALL:
		if (ch->state != ST_OPEN) {
			break;
		}
		c = f.hdr->nested_in != 0
		        ? addin__idmap_get(&ch->pending, f.hdr->nested_in)
		        : NULL;
		if (c != NULL && c->queue_nested && !c->done) {
			incoming *in = ADDIN__NEW(incoming);
			if (in != NULL) {
				ch->st.nested_in++;
				in->f = f;
				if (c->qtail != NULL) {
					c->qtail->next = in;
				} else {
					c->qhead = in;
				}
				c->qtail = in;
				pthread_cond_signal(&c->cv);
				pthread_mutex_unlock(&ch->mtx);
				return;
			}
		}
		addin__ch_to_executor_locked(ch, &f, addin__ch_serve_task);
		pthread_mutex_unlock(&ch->mtx);
		return;
	case ADDIN__WIRE__V1__KIND__RETURN:
	case ADDIN__WIRE__V1__KIND__FAULT:
		if (ch->state != ST_OPEN) {
			break;
		}
		c = addin__idmap_del(&ch->pending, f.hdr->call_id);
		if (c == NULL) {
			// Late (the caller gave up) or forged: drop.
			ch->st.unknown_ids++;
			pthread_mutex_unlock(&ch->mtx);
			addin__frame_fini(&f);
			return;
		}
		c->done  = true;
		c->reply = f;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&ch->mtx);
		return;
	case ADDIN__WIRE__V1__KIND__CANCEL:
		ch->st.cancels_in++;
		pthread_mutex_unlock(&ch->mtx);
		addin__frame_fini(&f);
		return;
	case ADDIN__WIRE__V1__KIND__GOODBYE: {
		char m[256];
		snprintf(m, sizeof(m), "%s closed the channel", ch->label);
		addin__ch_fail_locked(ch, ADDIN_ECLOSED, m);
		pthread_mutex_unlock(&ch->mtx);
		addin__frame_fini(&f);
		return;
	}
	default: break;
	}
	ch->st.unexpected++;
	pthread_mutex_unlock(&ch->mtx);
	addin__frame_fini(&f);
}

void
addin__ch_on_gone(void *arg)
{
	addin__channel *ch = arg;
	if (ch->on_peer_gone != NULL) {
		ch->on_peer_gone(ch->arg);
	} else {
		addin__channel_fail(ch, ADDIN_ECLOSED,
		                    "%s went away (connection closed)",
		                    ch->label);
	}
}

bool
addin__ch_on_peer_check(void *arg, int pid)
{
	addin__channel *ch       = arg;
	int             expected = atomic_load(&ch->expected_pid);
	return expected == 0 ||
	       (expected > 0 &&
	        addin__plat_is_self_or_descendant(pid, expected));
}
