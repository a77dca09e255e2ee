// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The nng transport: one pair1 socket per channel over ipc://.  pair1 because
// a host and an add-in process form exactly one bidirectional peer-to-peer
// link on which both sides initiate calls (callbacks); req/rep would need two
// sockets and cannot interleave nested calls.

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/transport/ipc/ipc.h>
#include <pthread.h>
#include <stdatomic.h>

#include "transport.h"

// A send in progress, so that abort_sends can cancel it.
typedef struct send_op {
	nng_aio        *aio;
	struct send_op *next, *prev;
} send_op;

typedef struct nng_tp {
	addin__transport    base;
	nng_socket          sock;
	nng_aio            *aio;
	addin__transport_cb cb;
	bool                listener;
	atomic_uint         pipe_id; // the accepted pipe, 0 when none
	atomic_int          peer_pid;
	atomic_bool         closing;
	atomic_bool         gone_sent;
	pthread_mutex_t     smtx; // guards sends and aborted
	send_op            *sends;
	bool                aborted;
	pthread_cond_t      gone_cv; // gone_sent became true (under smtx)
} nng_tp;

static addin_err
map_nng(int err, const char *what)
{
	switch (err) {
	case 0: return ADDIN_OK;
	case NNG_ENOMEM: return addin__seterr(ADDIN_ENOMEM, "%s", what);
	case NNG_ECLOSED:
	case NNG_ECONNREFUSED:
	case NNG_ECONNSHUT:
	case NNG_ECONNRESET:
	case NNG_ENOENT:
		return addin__seterr(ADDIN_ECLOSED, "%s: %s", what,
		                     nng_strerror(err));
	case NNG_ETIMEDOUT:
		return addin__seterr(ADDIN_ETIMEDOUT, "%s: %s", what,
		                     nng_strerror(err));
	case NNG_EADDRINVAL:
	case NNG_EINVAL:
		return addin__seterr(ADDIN_EINVAL, "%s: %s", what,
		                     nng_strerror(err));
	case NNG_EMSGSIZE:
		return addin__seterr(ADDIN_EMSGSIZE, "%s: %s", what,
		                     nng_strerror(err));
	default:
		return addin__seterr(ADDIN_ESYSERR, "%s: %s", what,
		                     nng_strerror(err));
	}
}

static addin_err
msg_alloc(size_t len, addin__tmsg **ret)
{
	nng_msg *m;
	int      err = nng_msg_alloc(&m, len);
	if (err != 0) {
		return map_nng(err, "nng_msg_alloc");
	}
	*ret = (addin__tmsg *) m;
	return ADDIN_OK;
}

static uint8_t *
msg_body(addin__tmsg *msg)
{
	return nng_msg_body((nng_msg *) msg);
}

static size_t
msg_len(addin__tmsg *msg)
{
	return nng_msg_len((nng_msg *) msg);
}

static void
msg_free(addin__tmsg *msg)
{
	if (msg != NULL) {
		nng_msg_free((nng_msg *) msg);
	}
}

static addin_err
tp_send(addin__transport *t, addin__tmsg *msg, int timeout_ms)
{
	nng_tp *tp = (nng_tp *) t;
	send_op op = {NULL, NULL, NULL};
	int     err;

	if (atomic_load(&tp->closing) || atomic_load(&tp->gone_sent)) {
		nng_msg_free((nng_msg *) msg);
		return addin__seterr(ADDIN_ECLOSED, "channel closed");
	}
	// Through an aio, so that the send has a deadline and can be
	// cancelled: with pair1 a peer that stops reading would otherwise
	// hold the sender for ever.
	if ((err = nng_aio_alloc(&op.aio, NULL, NULL)) != 0) {
		nng_msg_free((nng_msg *) msg);
		return map_nng(err, "nng_aio_alloc");
	}
	nng_aio_set_timeout(op.aio, timeout_ms < 0
	                                ? NNG_DURATION_INFINITE
	                                : (nng_duration) timeout_ms);
	pthread_mutex_lock(&tp->smtx);
	if (tp->aborted) {
		pthread_mutex_unlock(&tp->smtx);
		nng_aio_free(op.aio);
		nng_msg_free((nng_msg *) msg);
		return addin__seterr(ADDIN_ECLOSED, "channel closed");
	}
	op.next = tp->sends;
	if (tp->sends != NULL) {
		tp->sends->prev = &op;
	}
	tp->sends = &op;
	pthread_mutex_unlock(&tp->smtx);

	nng_aio_set_msg(op.aio, (nng_msg *) msg);
	nng_send_aio(tp->sock, op.aio);
	nng_aio_wait(op.aio);
	err = nng_aio_result(op.aio);

	pthread_mutex_lock(&tp->smtx);
	if (op.prev != NULL) {
		op.prev->next = op.next;
	} else {
		tp->sends = op.next;
	}
	if (op.next != NULL) {
		op.next->prev = op.prev;
	}
	pthread_mutex_unlock(&tp->smtx);
	if (err != 0) {
		// Not delivered: what nng handed back is ours to release.
		nng_msg *back = nng_aio_get_msg(op.aio);
		if (back != NULL) {
			nng_msg_free(back);
		}
	}
	nng_aio_free(op.aio);
	if (err == NNG_ETIMEDOUT) {
		return addin__seterr(
		    ADDIN_ETIMEDOUT,
		    "the peer did not take a message within %d ms",
		    timeout_ms);
	}
	if (err == NNG_ECANCELED) {
		return addin__seterr(ADDIN_ECLOSED, "channel closed");
	}
	return map_nng(err, "send");
}

// A send nobody waits for (a fault answered from a receive callback).
typedef struct async_send {
	nng_aio *aio;
} async_send;

static void
async_done(void *arg)
{
	async_send *a = arg;
	if (nng_aio_result(a->aio) != 0) {
		nng_msg *back = nng_aio_get_msg(a->aio);
		if (back != NULL) {
			nng_msg_free(back);
		}
	}
	nng_aio_reap(a->aio); // not nng_aio_free: we are its callback
	addin__free(a);
}

static void
tp_send_async(addin__transport *t, addin__tmsg *msg, int timeout_ms)
{
	nng_tp     *tp = (nng_tp *) t;
	async_send *a;

	if (atomic_load(&tp->closing) || atomic_load(&tp->gone_sent) ||
	    (a = ADDIN__NEW(async_send)) == NULL) {
		nng_msg_free((nng_msg *) msg);
		return;
	}
	if (nng_aio_alloc(&a->aio, async_done, a) != 0) {
		addin__free(a);
		nng_msg_free((nng_msg *) msg);
		return;
	}
	nng_aio_set_timeout(a->aio, (nng_duration) timeout_ms);
	nng_aio_set_msg(a->aio, (nng_msg *) msg);
	nng_send_aio(tp->sock, a->aio);
}

static void
tp_abort_sends(addin__transport *t)
{
	nng_tp *tp = (nng_tp *) t;
	pthread_mutex_lock(&tp->smtx);
	tp->aborted = true;
	for (send_op *op = tp->sends; op != NULL; op = op->next) {
		nng_aio_cancel(op->aio);
	}
	pthread_mutex_unlock(&tp->smtx);
}

// peer_gone: nng removed the accepted pipe (REM_POST).  Under smtx, for
// tp_await_peer_gone.
static void
peer_gone(nng_tp *tp)
{
	bool first;

	pthread_mutex_lock(&tp->smtx);
	first = !atomic_exchange(&tp->gone_sent, true);
	pthread_cond_broadcast(&tp->gone_cv);
	pthread_mutex_unlock(&tp->smtx);
	if (first && !atomic_load(&tp->closing) && tp->cb.peer_gone != NULL) {
		tp->cb.peer_gone(tp->cb.arg);
	}
}

static void
recv_cb(void *arg)
{
	nng_tp *tp  = arg;
	int     err = nng_aio_result(tp->aio);

	if (err != 0) {
		// NNG_ECLOSED/ECANCELED: we are closing.  Anything else (e.g.
		// a frame above the size limit) costs the peer the frame; nng
		// drops the connection for oversized messages.
		if (err == NNG_ECLOSED || err == NNG_ECANCELED ||
		    atomic_load(&tp->closing)) {
			return;
		}
	} else {
		nng_msg *m = nng_aio_get_msg(tp->aio);
		tp->cb.recv(tp->cb.arg, (addin__tmsg *) m);
	}
	if (!atomic_load(&tp->closing)) {
		nng_recv_aio(tp->sock, tp->aio);
	}
}

static void
pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	nng_tp  *tp = arg;
	unsigned id = (unsigned) nng_pipe_id(p);
	uint64_t pid64;
	int      pid;

	switch (ev) {
	case NNG_PIPE_EV_ADD_PRE:
		// The ipc transport reports the peer's pid (SO_PEERCRED) as a
		// uint64.  Unknown (0) never passes a listener's check.
		if (nng_pipe_get_uint64(p, NNG_OPT_IPC_PEER_PID, &pid64) !=
		        0 ||
		    pid64 > INT32_MAX) {
			pid64 = 0;
		}
		pid = (int) pid64;
		// One peer per channel, and (listener) only the one expected.
		if (atomic_load(&tp->pipe_id) != 0 ||
		    atomic_load(&tp->gone_sent) ||
		    (tp->listener && tp->cb.peer_check != NULL &&
		     !tp->cb.peer_check(tp->cb.arg, pid))) {
			nng_pipe_close(p);
			return;
		}
		atomic_store(&tp->peer_pid, pid);
		atomic_store(&tp->pipe_id, id);
		break;
	case NNG_PIPE_EV_REM_POST:
		if (atomic_load(&tp->pipe_id) == id) {
			peer_gone(tp);
		}
		break;
	default: break;
	}
}

static addin_err
tp_start(addin__transport *t)
{
	nng_tp *tp = (nng_tp *) t;
	nng_recv_aio(tp->sock, tp->aio);
	return ADDIN_OK;
}

// nng 1.5.2 (Debian 12's) can deadlock when a connection is torn down from
// both ends at once: the peer hung up (it died, or exited after our
// GOODBYE) while this side closes the socket, or the pipe.  nng's reaper
// thread then waits forever for a task that never runs, and nng_close, and
// every later close, waits for the reaper (nanomsg/nng#1543, fixed in
// later releases).  The owner of a channel whose peer is known to hang up
// (its process was reaped) first waits for nng to see that (REM_POST):
// a connection torn down from one end only does not deadlock.
static void
tp_await_peer_gone(addin__transport *t, int timeout_ms)
{
	nng_tp         *tp = (nng_tp *) t;
	struct timespec deadline;

	if (atomic_load(&tp->pipe_id) == 0) {
		return; // never connected: no pipe of ours to wait for
	}
	addin__deadline_ts(addin__now_ms() + timeout_ms, &deadline);
	pthread_mutex_lock(&tp->smtx);
	while (!atomic_load(&tp->gone_sent) &&
	       pthread_cond_timedwait(&tp->gone_cv, &tp->smtx, &deadline) ==
	           0) {
	}
	pthread_mutex_unlock(&tp->smtx);
}

static void
tp_close(addin__transport *t)
{
	nng_tp *tp = (nng_tp *) t;
	if (atomic_exchange(&tp->closing, true)) {
		return;
	}
	if (tp->aio != NULL) {
		nng_aio_stop(tp->aio);
	}
	// nng_close waits for pipe callbacks to finish; a socket id that is
	// closed makes later nng_sendmsg calls fail with NNG_ECLOSED.
	nng_close(tp->sock);
}

static void
tp_destroy(addin__transport *t)
{
	nng_tp *tp = (nng_tp *) t;
	if (tp == NULL) {
		return;
	}
	tp_close(t);
	if (tp->aio != NULL) {
		nng_aio_free(tp->aio);
	}
	pthread_cond_destroy(&tp->gone_cv);
	pthread_mutex_destroy(&tp->smtx);
	addin__free(tp);
}

static int
tp_peer_pid(addin__transport *t)
{
	return atomic_load(&((nng_tp *) t)->peer_pid);
}

static const addin__transport_ops nng_ops = {
    .name            = "nng",
    .msg_alloc       = msg_alloc,
    .msg_body        = msg_body,
    .msg_len         = msg_len,
    .msg_free        = msg_free,
    .send            = tp_send,
    .abort_sends     = tp_abort_sends,
    .send_async      = tp_send_async,
    .start           = tp_start,
    .close           = tp_close,
    .await_peer_gone = tp_await_peer_gone,
    .destroy         = tp_destroy,
    .peer_pid        = tp_peer_pid,
};

static addin_err
tp_open(const addin__nng_opts *opts, const addin__transport_cb *cb,
        bool listener, nng_tp **ret)
{
	nng_tp *tp;
	int     err;

	if ((tp = ADDIN__NEW(nng_tp)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	tp->base.ops = &nng_ops;
	pthread_mutex_init(&tp->smtx, NULL);
	addin__cond_init_mono(&tp->gone_cv);
	tp->cb       = *cb;
	tp->listener = listener;
	if ((err = nng_pair1_open(&tp->sock)) != 0) {
		pthread_cond_destroy(&tp->gone_cv);
		pthread_mutex_destroy(&tp->smtx);
		addin__free(tp);
		return map_nng(err, "nng_pair1_open");
	}
	if ((err = nng_aio_alloc(&tp->aio, recv_cb, tp)) != 0 ||
	    (err = nng_socket_set_size(tp->sock, NNG_OPT_RECVMAXSZ,
	                               opts->max_frame)) != 0 ||
	    (err = nng_pipe_notify(tp->sock, NNG_PIPE_EV_ADD_PRE, pipe_cb,
	                           tp)) != 0 ||
	    (err = nng_pipe_notify(tp->sock, NNG_PIPE_EV_REM_POST, pipe_cb,
	                           tp)) != 0) {
		addin_err rv = map_nng(err, "nng socket setup");
		tp_destroy(&tp->base);
		return rv;
	}
	*ret = tp;
	return ADDIN_OK;
}

addin_err
addin__nng_listen(const char *url, const addin__nng_opts *opts,
                  const addin__transport_cb *cb, addin__transport **ret)
{
	nng_tp   *tp;
	addin_err rv;
	int       err;

	if ((rv = tp_open(opts, cb, true, &tp)) != ADDIN_OK) {
		return rv;
	}
	nng_listener l;
	if ((err = nng_listener_create(&l, tp->sock, url)) != 0 ||
	    (opts->ipc_permissions != 0 &&
	     (err = nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS,
	                                 opts->ipc_permissions)) != 0) ||
	    (err = nng_listener_start(l, 0)) != 0) {
		rv = map_nng(err, url);
		tp_destroy(&tp->base);
		return rv;
	}
	*ret = &tp->base;
	return ADDIN_OK;
}

addin_err
addin__nng_dial(const char *url, const addin__nng_opts *opts,
                const addin__transport_cb *cb, addin__transport **ret)
{
	nng_tp   *tp;
	addin_err rv;
	int       err;

	if ((rv = tp_open(opts, cb, false, &tp)) != ADDIN_OK) {
		return rv;
	}
	// Synchronous dial: fail now if nobody listens, and do not let nng
	// redial after the link drops (the channel treats that as final).
	if ((err = nng_dial(tp->sock, url, NULL, 0)) != 0) {
		rv = map_nng(err, url);
		tp_destroy(&tp->base);
		return rv;
	}
	*ret = &tp->base;
	return ADDIN_OK;
}

void
addin__nng_fini(void)
{
	// Waits for nng's own threads to finish closing connections (and to
	// free what they hold), so that a leak checker at exit sees only
	// real leaks.  Nothing of nng may be in use.
	nng_fini();
}
