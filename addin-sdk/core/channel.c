// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Opening and closing a channel, and what it says about itself (channel.h;
// docs/architecture.md, "The channel").  The parts: channel_impl.h.

#include <stdio.h>
#include <string.h>

#include "channel_impl.h"

addin_err
addin__channel_open(const addin__channel_cfg *cfg, addin__channel **ret)
{
	addin__channel     *ch;
	addin__transport_cb cb;
	addin__nng_opts     o;
	addin_err           rv;

	if (cfg == NULL || cfg->url == NULL || cfg->executor == NULL ||
	    cfg->token_len > MAX_TOKEN) {
		return addin__seterr(ADDIN_EINVAL,
		                     "channel: bad configuration");
	}
	if ((ch = ADDIN__NEW(addin__channel)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	atomic_init(&ch->refs, 1);
	pthread_mutex_init(&ch->mtx, NULL);
	addin__cond_init_mono(&ch->state_cv);
	ch->state     = ST_HANDSHAKE;
	ch->listener  = cfg->listener;
	ch->token_len = cfg->token_len;
	if (cfg->token_len > 0) {
		memcpy(ch->token, cfg->token, cfg->token_len);
	}
	atomic_init(&ch->expected_pid, cfg->expected_pid);
	ch->default_deadline_ms = cfg->default_deadline_ms != 0
	                              ? cfg->default_deadline_ms
	                              : DEFAULT_DEADLINE_MS;
	ch->max_frame =
	    cfg->max_frame != 0 ? cfg->max_frame : DEFAULT_MAX_FRAME;
	ch->peer_max_frame = ch->max_frame;
	ch->max_pending =
	    cfg->max_pending != 0 ? cfg->max_pending : DEFAULT_MAX_PENDING;
	ch->max_bad_frames = cfg->max_bad_frames;
	ch->executor       = cfg->executor;
	ch->on_peer_gone   = cfg->on_peer_gone;
	ch->arg            = cfg->arg;
	snprintf(ch->label, sizeof(ch->label), "%s",
	         cfg->label != NULL ? cfg->label : "peer");

	cb.recv           = addin__ch_on_recv;
	cb.peer_gone      = addin__ch_on_gone;
	cb.peer_check     = addin__ch_on_peer_check;
	cb.arg            = ch;
	o.max_frame       = ch->max_frame;
	o.ipc_permissions = cfg->ipc_permissions;
	rv = cfg->listener ? addin__nng_listen(cfg->url, &o, &cb, &ch->tp)
	                   : addin__nng_dial(cfg->url, &o, &cb, &ch->tp);
	if (rv != ADDIN_OK) {
		pthread_cond_destroy(&ch->state_cv);
		pthread_mutex_destroy(&ch->mtx);
		addin__free(ch);
		return rv;
	}
	if ((rv = ch->tp->ops->start(ch->tp)) != ADDIN_OK) {
		addin__channel_unref(ch);
		return rv;
	}
	*ret = ch;
	return ADDIN_OK;
}

void
addin__channel_close(addin__channel *ch)
{
	bool was_open;

	if (ch == NULL) {
		return;
	}
	pthread_mutex_lock(&ch->mtx);
	was_open   = ch->state == ST_OPEN && !ch->closed;
	ch->closed = true;
	pthread_mutex_unlock(&ch->mtx);
	if (was_open) {
		addin__ch_send_simple(ch, ADDIN__WIRE__V1__KIND__GOODBYE, 0);
	}
	addin__channel_fail(ch, ADDIN_ECLOSED, "%s: channel closed",
	                    ch->label);
	// Stop the transport: no callback runs after this, sends fail with
	// ADDIN_ECLOSED.  Its memory goes with the channel (other threads may
	// still be sending).
	ch->tp->ops->close(ch->tp);
	addin__ch_release_exports(ch);
	addin__channel_unref(ch);
}

bool
addin__channel_is_open(addin__channel *ch)
{
	bool open;
	pthread_mutex_lock(&ch->mtx);
	open = ch->state == ST_OPEN && ch->ready;
	pthread_mutex_unlock(&ch->mtx);
	return open;
}

addin_err
addin__channel_failure(addin__channel *ch, const char **ret_msg)
{
	addin_err rv;
	pthread_mutex_lock(&ch->mtx);
	rv = ch->state == ST_FAILED ? ch->fail_code : ADDIN_OK;
	if (ret_msg != NULL) {
		*ret_msg = ch->state == ST_FAILED ? ch->fail_msg : "";
	}
	pthread_mutex_unlock(&ch->mtx);
	return rv;
}

void
addin__channel_stats_get(addin__channel *ch, addin__channel_stats *ret)
{
	pthread_mutex_lock(&ch->mtx);
	*ret = ch->st;
	pthread_mutex_unlock(&ch->mtx);
}

void
addin__channel_expect_pid(addin__channel *ch, int pid)
{
	atomic_store(&ch->expected_pid, pid);
}

void
addin__channel_await_peer_gone(addin__channel *ch, int timeout_ms)
{
	ch->tp->ops->await_peer_gone(ch->tp, timeout_ms);
}

int
addin__channel_peer_pid(addin__channel *ch)
{
	return ch->tp->ops->peer_pid(ch->tp);
}

uint32_t
addin__channel_peer_sdk(addin__channel *ch)
{
	uint32_t v;
	pthread_mutex_lock(&ch->mtx);
	v = ch->peer_sdk;
	pthread_mutex_unlock(&ch->mtx);
	return v;
}

const char *
addin__channel_label(addin__channel *ch)
{
	return ch->label;
}
