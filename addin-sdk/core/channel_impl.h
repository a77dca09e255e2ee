// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// channel_impl.h: the insides of the channel (channel.h), shared by the
// files that implement it, one job each:
//
//   channel.c       opening and closing a channel; what it says about itself
//   channel_base.c  the channel object: references, failure, sending frames
//   exports.c       the export table: object id -> service
//   handshake.c     HELLO and HELLO_ACK
//   receive.c       the transport's callbacks: decode and route every frame
//   stub.c          serving one incoming call: the generic stub
//   call.c          outgoing calls: start, wait (serving nested calls), reply
//   channel_testing.c  doors for tests into the receive and send paths
//                      (compiled into the testing builds only)
//
// Which file calls which (acyclic):
//
//   channel.c  -> receive.c (its callbacks), exports.c, channel_base.c
//   call.c     -> receive.c, stub.c, channel_base.c
//   receive.c  -> handshake.c, stub.c, channel_base.c
//   stub.c     -> exports.c, channel_base.c
//   handshake.c -> channel_base.c
//   exports.c, channel_base.c -> (the frame, the transport, the idmap)
//
// Locking: one mutex per channel guards the state, the pending-call map, the
// export table, the statistics and every call's fields.  Nothing blocks or
// sends while holding it.  Transport callbacks only decode and route: a
// reply wakes its waiter, a nested call joins the queue of the thread
// waiting for its parent call, anything that needs a send or runs user code
// goes to the executor.

#ifndef ADDIN_CHANNEL_IMPL_H
#define ADDIN_CHANNEL_IMPL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "channel.h"
#include "frame.h"
#include "idmap.h"
#include "transport.h"

#define DEFAULT_DEADLINE_MS 30000u
#define DEFAULT_MAX_FRAME   ((size_t) 64 * 1024 * 1024 + ADDIN__MAX_HEADER)
#define DEFAULT_MAX_PENDING 65536u
#define MAX_TOKEN           64
// How long a send may wait for a peer that does not read (stopped, hung,
// hostile): replies and faults (a caller's own deadline bounds its wait
// anyway), and the short control frames (CANCEL, GOODBYE).
#define REPLY_SEND_MS 10000
// What one peer may have queued for the executor here.
#define MAX_QUEUED_CALLS 65536u
#define MAX_QUEUED_BYTES ((size_t) 256 * 1024 * 1024)
#define CONTROL_SEND_MS  1000

enum addin__ch_state { ST_HANDSHAKE, ST_OPEN, ST_FAILED };

typedef struct export_entry {
	ProtobufCService *svc;
	void (*release)(ProtobufCService *, void *);
	void *arg;
	char *owner;
	int   busy;    // serves running
	bool  removed; // release when busy drops to 0
} export_entry;

typedef struct incoming {
	struct incoming *next;
	addin__channel  *ch; // executor tasks: a reference
	addin__frame     f;
} incoming;

struct addin__call {
	addin__channel                   *ch;
	uint64_t                          id;
	const ProtobufCServiceDescriptor *svc;
	uint32_t                          method;
	uint32_t                          deadline_ms;
	int64_t                           deadline_abs;
	pthread_cond_t                    cv;
	bool                              done;
	// Nested calls the peer makes while serving this call are queued here
	// for the thread that waits for it.  Set from the start: the peer may
	// call back before the caller reaches call_wait.
	bool         queue_nested;
	addin_err    rv;
	char        *fault_msg;
	addin__frame reply;
	incoming    *qhead, *qtail;
};

struct addin__channel {
	atomic_int           refs;
	pthread_mutex_t      mtx;
	pthread_cond_t       state_cv;
	enum addin__ch_state state;
	bool                 hello_seen;
	bool                 ready; // handshake complete: calls may go out
	bool                 closed;
	addin_err            fail_code;
	char                 fail_msg[ADDIN__ERRMSG_MAX];
	addin__transport    *tp;

	bool             listener;
	uint8_t          token[MAX_TOKEN];
	size_t           token_len;
	atomic_int       expected_pid; // -1: nobody yet; 0: anyone
	uint32_t         default_deadline_ms;
	size_t           max_frame;
	uint32_t         max_pending;
	uint32_t         max_bad_frames;
	addin__executor *executor;
	void (*on_peer_gone)(void *arg);
	void *arg;
	char  label[128];

	uint64_t             next_call_id;
	uint64_t             next_export_id;
	addin__idmap         pending; // call id -> addin__call
	addin__idmap         exports; // object id + 1 -> export_entry
	uint32_t             peer_sdk;
	size_t               peer_max_frame;
	uint32_t             wire_version;
	addin__channel_stats st;
	unsigned             queued_calls; // for the executor, not yet served
	size_t               queued_bytes;
};

// The channel object (channel_base.c).

// addin__ch_fail_locked fails the channel with @code and @msg (the first
// failure wins): every pending call fails, senders stop waiting.  Called
// with ch->mtx held.
ADDIN_PRIVATE void addin__ch_fail_locked(addin__channel *ch, addin_err code,
                                         const char *msg);
// addin__ch_encode encodes @hdr and @payload (may be NULL) into one frame
// no larger than both sides accept.  On success the caller owns *@ret
// (addin__ch_send_msg, or the transport's msg_free).  ADDIN_EMSGSIZE,
// ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err addin__ch_encode(addin__channel         *ch,
                                         const addin__hdr       *hdr,
                                         const ProtobufCMessage *payload,
                                         addin__tmsg           **ret);
// addin__ch_send_msg sends the encoded frame @msg (taking it in every
// case), waiting at most @timeout_ms for a peer that does not read.  The
// transport's errors.
ADDIN_PRIVATE addin_err addin__ch_send_msg(addin__channel *ch,
                                           addin__tmsg *msg, int timeout_ms);
// addin__ch_send encodes @hdr and @payload (may be NULL) into one frame and
// sends it, waiting at most @timeout_ms for a peer that does not read.
// ADDIN_EMSGSIZE, ADDIN_ENOMEM, and the transport's errors.
ADDIN_PRIVATE addin_err addin__ch_send(addin__channel         *ch,
                                       const addin__hdr       *hdr,
                                       const ProtobufCMessage *payload,
                                       int                     timeout_ms);
// addin__ch_send_simple sends a frame of @kind about @call_id (0: none)
// with no payload, best effort (CANCEL, GOODBYE).
ADDIN_PRIVATE void addin__ch_send_simple(addin__channel       *ch,
                                         Addin__Wire__V1__Kind kind,
                                         uint64_t              call_id);
// addin__ch_fault_header fills @h as a FAULT answering @call_id; @msg is
// borrowed.
ADDIN_PRIVATE void addin__ch_fault_header(addin__hdr *h, uint64_t call_id,
                                          addin_err code, char *msg);
// addin__ch_vencode_fault encodes a FAULT answering @call_id with @code and
// the formatted message, and counts it; NULL when out of memory.
ADDIN_PRIVATE addin__tmsg *
addin__ch_vencode_fault(addin__channel *ch, uint64_t call_id, addin_err code,
                        const char *fmt, va_list ap);
// addin__ch_send_fault answers @call_id with a FAULT of @code and the
// formatted message, best effort.
ADDIN_PRIVATE void addin__ch_send_fault(addin__channel *ch, uint64_t call_id,
                                        addin_err code, const char *fmt, ...)
    ADDIN_PRINTF(4, 5);

// Exports (exports.c).

// addin__ch_release_exports removes every export: idle ones are released
// now, busy ones by the serve that holds them (addin__ch_export_done).
ADDIN_PRIVATE void addin__ch_release_exports(addin__channel *ch);
// addin__ch_export_done ends a serve of @e (busy was raised under the lock
// by the stub); releases @e when it was removed meanwhile.
ADDIN_PRIVATE void addin__ch_export_done(addin__channel *ch, export_entry *e);

// The handshake (handshake.c).

// addin__ch_hello_task: the listener's answer to a HELLO (an executor task:
// it sends); takes the incoming frame and its channel reference.
ADDIN_PRIVATE void addin__ch_hello_task(void *arg);
// addin__ch_hello_ack_locked: the dialer received HELLO_ACK @ack (a
// transport thread; no sending).  Called with ch->mtx held.
ADDIN_PRIVATE void
addin__ch_hello_ack_locked(addin__channel               *ch,
                           const Addin__Wire__V1__Hello *ack);

// Receiving (receive.c): the transport callbacks and the routing.

ADDIN_PRIVATE void addin__ch_on_recv(void *arg, addin__tmsg *msg);
ADDIN_PRIVATE void addin__ch_on_gone(void *arg);
ADDIN_PRIVATE bool addin__ch_on_peer_check(void *arg, int pid);
// addin__ch_bad_frame_locked counts a frame that did not decode; past
// max_bad_frames the channel fails with ADDIN_EPROTO.  Called with ch->mtx
// held.
ADDIN_PRIVATE void addin__ch_bad_frame_locked(addin__channel *ch,
                                              const char     *why);
// addin__ch_to_executor_locked queues @f for the executor to run @fn on
// (addin__ch_serve_task or addin__ch_hello_task), refusing calls beyond
// what one peer may queue.  Takes @f.  Called with ch->mtx held.
ADDIN_PRIVATE void addin__ch_to_executor_locked(addin__channel *ch,
                                                addin__frame   *f,
                                                void (*fn)(void *));
// addin__ch_serve_task: an executor task serving one incoming call.
ADDIN_PRIVATE void addin__ch_serve_task(void *arg);

// Serving (stub.c).

// addin__ch_serve serves the incoming CALL @f on the calling thread and
// answers it.  Takes @f.
ADDIN_PRIVATE void addin__ch_serve(addin__channel *ch, addin__frame *f);
// addin__ch_nested_parent returns the id of the call of @ch this thread is
// serving (innermost), or 0: a call made now is nested in it.
ADDIN_PRIVATE uint64_t addin__ch_nested_parent(addin__channel *ch);

#endif // ADDIN_CHANNEL_IMPL_H
