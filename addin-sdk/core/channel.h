// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// channel: calls in both directions between two processes over a transport.
//
// - Many calls in flight at once from many threads, each matched to its reply
//   by call id.
// - Nested, re-entrant calls: while thread T waits for its call X, the peer
//   may call back (a CALL frame with nested_in = X); T itself serves that
//   call, so a chain host -> add-in -> host -> add-in ... unwinds on the
//   threads that started it.  Calls the peer makes outside any call of ours
//   (top-level) are served by the executor given in the configuration.
// - A deadline per call; a clear error at once when the channel fails (the
//   owner says why: the peer closed, or its process died).
// - Frames that do not decode, unknown call ids, frames of the wrong kind or
//   state: rejected, counted, never fatal to the receiver.
//
// Objects a side serves are exported: an object id -> ProtobufCService.
// Object 0 is the Control service of wire.proto.

#ifndef ADDIN_CHANNEL_H
#define ADDIN_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "executor.h"

typedef struct addin__channel addin__channel;
typedef struct addin__call    addin__call;

typedef struct addin__channel_cfg {
	const char *url;      // ipc:///... private to the host
	bool        listener; // host side: listen and accept one peer
	// The one-time token the dialer must present in its HELLO (listener)
	// or presents (dialer).  Copied.
	const uint8_t *token;
	size_t         token_len;
	// Listener: only this process or a descendant of it may connect (0:
	// anyone, tests only; -1: nobody until addin__channel_expect_pid).
	int expected_pid;
	// Deadline of a call that does not give one, in ms (0: 30000).
	uint32_t default_deadline_ms;
	// Largest frame sent or accepted (0: 64 MiB + 64 KiB).
	size_t max_frame;
	// Outgoing calls in flight at once (0: 65536); beyond: ADDIN_ELIMIT.
	uint32_t max_pending;
	// Bad frames tolerated before the channel fails with ADDIN_EPROTO
	// (0: unlimited; they are always counted).
	uint32_t max_bad_frames;
	// Serves top-level incoming calls.  Not owned; must outlive the
	// channel.
	addin__executor *executor;
	// on_peer_gone runs on a transport thread when the link drops; it must
	// not block.  The owner then calls addin__channel_fail with the cause
	// it knows (e.g. the process was killed).  NULL: the channel fails at
	// once with ADDIN_ECLOSED.
	void (*on_peer_gone)(void *arg);
	void *arg;
	// Used in messages, e.g. "add-in calc (pid 1234)".  Copied.
	const char *label;
	// Listener: mode of the ipc socket file (0: nng's default).
	int ipc_permissions;
} addin__channel_cfg;

typedef struct addin__channel_stats {
	uint64_t frames_in, frames_out;
	uint64_t bad_frames;  // did not decode
	uint64_t unknown_ids; // RETURN/FAULT for no pending call
	uint64_t unexpected;  // wrong kind for the state (HELLO twice ...)
	uint64_t calls_in, calls_out, faults_in, faults_out;
	uint64_t timeouts, cancels_in, nested_in;
	uint64_t overload; // incoming calls dropped: too many queued
} addin__channel_stats;

// addin__channel_open creates a channel and starts its transport.  The
// channel is not usable for calls until addin__channel_handshake succeeded.
// On success the caller owns one reference (drop it with
// addin__channel_close).
ADDIN_PRIVATE addin_err addin__channel_open(const addin__channel_cfg *cfg,
                                            addin__channel          **ret);

// addin__channel_handshake: the dialer sends HELLO and waits for HELLO_ACK;
// the listener waits until a peer's HELLO was accepted.  ADDIN_ETIMEDOUT,
// ADDIN_EAUTH (wrong token), ADDIN_EVERSION (no common wire version), or the
// channel's failure.
ADDIN_PRIVATE addin_err addin__channel_handshake(addin__channel *ch,
                                                 int             timeout_ms);

// addin__channel_fail fails the channel: every waiting and later call fails
// with @code and the message.  The first failure wins.  Does not block;
// callable from any thread, including transport callbacks.
ADDIN_PRIVATE void addin__channel_fail(addin__channel *ch, addin_err code,
                                       const char *fmt, ...)
    ADDIN_PRINTF(3, 4);

// addin__channel_close says GOODBYE to the peer (best effort), fails what is
// pending with ADDIN_ECLOSED, stops the transport, releases every export and
// drops the owner's reference.  Accepts NULL.  Must not run on a transport
// thread.
ADDIN_PRIVATE void addin__channel_close(addin__channel *ch);

// addin__channel_await_peer_gone waits, at most @timeout_ms, until the
// transport has seen the connected peer hang up (at once when none ever
// connected).  An owner that knows the peer is gone -- its process was
// reaped -- calls it before addin__channel_close, so that the connection
// is not torn down from both ends at once (transport.h).  Must not run on
// a transport thread.
ADDIN_PRIVATE void addin__channel_await_peer_gone(addin__channel *ch,
                                                  int             timeout_ms);

ADDIN_PRIVATE addin__channel *addin__channel_ref(addin__channel *ch);
ADDIN_PRIVATE void            addin__channel_unref(addin__channel *ch);

// addin__channel_is_open: handshake done and not failed.
ADDIN_PRIVATE bool addin__channel_is_open(addin__channel *ch);

// addin__channel_failure returns ADDIN_OK while the channel has not failed,
// else its failure code; *@ret_msg (may be NULL) gets the message, valid
// while the caller holds a reference.
ADDIN_PRIVATE addin_err addin__channel_failure(addin__channel *ch,
                                               const char    **ret_msg);

ADDIN_PRIVATE void addin__channel_stats_get(addin__channel       *ch,
                                            addin__channel_stats *ret);
ADDIN_PRIVATE int  addin__channel_peer_pid(addin__channel *ch);
// addin__channel_expect_pid sets which process (or its descendants) may
// connect to a listener.
ADDIN_PRIVATE void     addin__channel_expect_pid(addin__channel *ch, int pid);
ADDIN_PRIVATE uint32_t addin__channel_peer_sdk(addin__channel *ch);
ADDIN_PRIVATE const char *addin__channel_label(addin__channel *ch);

// Exports.  On success the channel owns @svc and calls @release(svc, arg)
// once the export is removed and no call on it is running (or when the
// channel closes).  @owner names whose code this is (crash attribution);
// copied.  addin__channel_export picks a fresh id.
ADDIN_PRIVATE addin_err
addin__channel_export(addin__channel *ch, ProtobufCService              *svc,
                      void (*release)(ProtobufCService *, void *), void *arg,
                      const char *owner, uint64_t *ret_id);
ADDIN_PRIVATE addin_err addin__channel_export_at(
    addin__channel *ch, uint64_t id, ProtobufCService *svc,
    void (*release)(ProtobufCService *, void *), void *arg, const char *owner);
// addin__channel_unexport removes object @id.  ADDIN_ENOTFOUND.
ADDIN_PRIVATE addin_err addin__channel_unexport(addin__channel *ch,
                                                uint64_t        id);
// addin__channel_exports returns the number of exported objects.
ADDIN_PRIVATE size_t addin__channel_exports(addin__channel *ch);

// Calls.  @req is packed at once; the caller keeps it.
//
// addin__channel_call_start sends a CALL to method @method of object
// @object_id (whose contract is @svc, used for checks and messages) and
// returns a handle to wait on.  Calls the peer makes back while serving it
// are served by the thread that then waits for it; a caller with several
// calls in flight should not make one wait depend on another's callbacks.
// @deadline_ms 0 uses the default. ADDIN_ECLOSED (or the failure) when the
// channel is not open, ADDIN_ELIMIT, ADDIN_EMSGSIZE, ADDIN_EINVAL (no such
// method), ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err addin__channel_call_start(
    addin__channel *ch, uint64_t object_id,
    const ProtobufCServiceDescriptor *svc, uint32_t method,
    const ProtobufCMessage *req, uint32_t deadline_ms, addin__call **ret);

// addin__channel_call_wait waits for @call (serving nested calls meanwhile)
// and frees it.  On success *@ret_reply is the reply, unpacked with
// addin__pb_allocator (free with protobuf_c_message_free_unpacked).  On
// failure the thread's error holds the code and message: the peer's fault,
// ADDIN_ETIMEDOUT, or the channel's failure (ADDIN_EPEERDIED, ...),
// recorded as the very last step (after the call was freed), so that the
// caller can pass it on at once (the proxy makes it the call's fault).
ADDIN_PRIVATE addin_err addin__channel_call_wait(addin__call       *call,
                                                 ProtobufCMessage **ret_reply);

// addin__channel_call: start + wait.
ADDIN_PRIVATE addin_err
addin__channel_call(addin__channel *ch, uint64_t object_id,
                    const ProtobufCServiceDescriptor *svc, uint32_t method,
                    const ProtobufCMessage *req, uint32_t deadline_ms,
                    ProtobufCMessage **ret_reply);

// addin__channel_serving_owner returns the owner of the export whose method
// the calling thread is running (innermost), or NULL.
ADDIN_PRIVATE const char *addin__channel_serving_owner(void);

// addin__channel_serving_channel returns the channel of the call the
// calling thread is serving (innermost), or NULL.  No reference is taken:
// valid while the call is being served.
ADDIN_PRIVATE addin__channel *addin__channel_serving_channel(void);

#endif // ADDIN_CHANNEL_H
