// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// transport: how frames move between two processes.  The channel sees only
// this interface.  nng (pair1 over ipc://) is the first transport and always
// carries the handshake and control traffic; a shared-memory ring for small
// calls, negotiated over nng, is meant to slot in beside it (ROADMAP 4).

#ifndef ADDIN_TRANSPORT_H
#define ADDIN_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

typedef struct addin__transport addin__transport;
typedef struct addin__tmsg      addin__tmsg; // one message; opaque

// Callbacks from a transport.  They run on transport threads and must not
// block: no sending, no waiting.
typedef struct addin__transport_cb {
	// recv takes ownership of @msg.
	void (*recv)(void *arg, addin__tmsg *msg);
	// peer_gone: the connected peer went away (closed, died).  Final.
	void (*peer_gone)(void *arg);
	// peer_check (listener only): may a process with @pid connect?  NULL
	// accepts anyone.  Called before the peer is attached.
	bool (*peer_check)(void *arg, int pid);
	void *arg;
} addin__transport_cb;

typedef struct addin__transport_ops {
	const char *name;
	addin_err (*msg_alloc)(size_t len, addin__tmsg **ret);
	uint8_t *(*msg_body)(addin__tmsg *msg);
	size_t (*msg_len)(addin__tmsg *msg);
	void (*msg_free)(addin__tmsg *msg);
	// send blocks until the transport took @msg, at most @timeout_ms
	// (< 0: no bound).  It takes @msg in every case (a message that could
	// not be sent is freed).  ADDIN_ETIMEDOUT (a peer that does not
	// read: stopped, hung, or hostile), ADDIN_ECLOSED once the transport
	// is closed or sends were aborted.
	addin_err (*send)(addin__transport *tp, addin__tmsg *msg,
	                  int timeout_ms);
	// abort_sends makes every send in progress, and every later one, fail
	// with ADDIN_ECLOSED.  Does not block; callable with locks held.
	void (*abort_sends)(addin__transport *tp);
	// send_async queues @msg and returns at once (callable from a
	// callback); it takes @msg; failures are silent (at most
	// @timeout_ms later the message is freed).
	void (*send_async)(addin__transport *tp, addin__tmsg *msg,
	                   int timeout_ms);
	// start begins delivering callbacks.
	addin_err (*start)(addin__transport *tp);
	// close stops everything; when it returns no callback is running or
	// will run, and send fails with ADDIN_ECLOSED.  Idempotent.  Must not
	// be called from a callback.
	void (*close)(addin__transport *tp);
	// await_peer_gone waits, at most @timeout_ms, until the transport has
	// seen a connected peer hang up (at once when none ever connected).
	// For an owner that knows the peer is gone (its process was reaped)
	// and closes afterwards: a connection torn down from both ends at
	// once can deadlock nng 1.5.2 (transport_nng.c).  Must not be called
	// from a callback.
	void (*await_peer_gone)(addin__transport *tp, int timeout_ms);
	// destroy frees @tp after close; no thread may use it any more.
	void (*destroy)(addin__transport *tp);
	// peer_pid returns the connected peer's pid, or 0.
	int (*peer_pid)(addin__transport *tp);
} addin__transport_ops;

struct addin__transport {
	const addin__transport_ops *ops;
};

typedef struct addin__nng_opts {
	size_t max_frame;       // largest message accepted (NNG_OPT_RECVMAXSZ)
	int    ipc_permissions; // listener: socket file mode; 0: default
} addin__nng_opts;

// addin__nng_listen creates an nng pair1 socket listening on @url
// ("ipc:///path").  Callbacks start with ops->start().  ADDIN_ESYSERR,
// ADDIN_ENOMEM, ADDIN_EINVAL (bad url).
ADDIN_PRIVATE addin_err addin__nng_listen(const char                *url,
                                          const addin__nng_opts     *opts,
                                          const addin__transport_cb *cb,
                                          addin__transport         **ret);

// addin__nng_dial creates an nng pair1 socket and connects it to @url
// synchronously.  ADDIN_ECLOSED when nobody listens there.
ADDIN_PRIVATE addin_err addin__nng_dial(const char                *url,
                                        const addin__nng_opts     *opts,
                                        const addin__transport_cb *cb,
                                        addin__transport         **ret);

// addin__nng_fini shuts nng down at process exit (tests, the runner):
// connections nng is still tearing down on its threads are finished, so
// LeakSanitizer does not mistake them for leaks.  Nothing of nng may be in
// use, and nothing may use it afterwards.
ADDIN_PRIVATE void addin__nng_fini(void);

#endif // ADDIN_TRANSPORT_H
