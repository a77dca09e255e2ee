// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The channel: see channel.h for what it promises and docs/architecture.md
// ("The channel") for how a call travels.
//
// Locking: one mutex per channel guards the state, the pending-call map, the
// export table, the statistics and every call's fields.  Nothing blocks or
// sends while holding it.  Transport callbacks (on_recv, on_gone) only decode
// and route: a reply wakes its waiter, a nested call joins the queue of the
// thread waiting for its parent call, anything that needs a send or runs
// user code goes to the executor.

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "channel.h"

#include "addin/adapter.h"
#include "frame.h"
#include "idmap.h"
#include "platform/platform.h"
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

typedef Addin__Wire__V1__Hello hello_msg;

enum state { ST_HANDSHAKE, ST_OPEN, ST_FAILED };

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
	atomic_int        refs;
	pthread_mutex_t   mtx;
	pthread_cond_t    state_cv;
	enum state        state;
	bool              hello_seen;
	bool              ready; // handshake complete: calls may go out
	bool              closed;
	addin_err         fail_code;
	char              fail_msg[ADDIN__ERRMSG_MAX];
	addin__transport *tp;

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

// The calls this thread is serving, innermost first: an outgoing call made
// while serving call X of channel C carries nested_in = X.
typedef struct serving {
	addin__channel *ch;
	uint64_t        call_id;
	const char     *owner;
	struct serving *up;
} serving;

static _Thread_local serving *tls_serving;

static void on_recv(void *arg, addin__tmsg *msg);
static void on_gone(void *arg);
static bool on_peer_check(void *arg, int pid);
static void serve(addin__channel *ch, addin__frame *f);

static void
deadline_ts(int64_t abs_ms, struct timespec *ts)
{
	ts->tv_sec  = (time_t) (abs_ms / 1000);
	ts->tv_nsec = (long) (abs_ms % 1000) * 1000000L;
}

static void
cond_init_mono(pthread_cond_t *cv)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &a);
	pthread_condattr_destroy(&a);
}

addin__channel *
addin__channel_ref(addin__channel *ch)
{
	atomic_fetch_add(&ch->refs, 1);
	return ch;
}

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
	cond_init_mono(&ch->state_cv);
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

	cb.recv           = on_recv;
	cb.peer_gone      = on_gone;
	cb.peer_check     = on_peer_check;
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

// Called with ch->mtx held.
static void fail_locked(addin__channel *ch, addin_err code, const char *msg);

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

static void
fail_locked(addin__channel *ch, addin_err code, const char *msg)
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
	fail_locked(ch, code, msg);
	pthread_mutex_unlock(&ch->mtx);
}

static addin_err
send_hdr(addin__channel *ch, const addin__hdr *hdr,
         const ProtobufCMessage *payload, int timeout_ms)
{
	addin__tmsg *msg;
	addin_err    rv;
	size_t limit = ch->peer_max_frame < ch->max_frame ? ch->peer_max_frame
	                                                  : ch->max_frame;

	rv = addin__frame_encode(ch->tp->ops, hdr, payload, limit, &msg);
	if (rv != ADDIN_OK) {
		return rv;
	}
	if ((rv = ch->tp->ops->send(ch->tp, msg, timeout_ms)) != ADDIN_OK) {
		return rv; // the transport freed the message
	}
	pthread_mutex_lock(&ch->mtx);
	ch->st.frames_out++;
	pthread_mutex_unlock(&ch->mtx);
	return ADDIN_OK;
}

static void
send_simple(addin__channel *ch, Addin__Wire__V1__Kind kind, uint64_t call_id)
{
	addin__hdr h = ADDIN__WIRE__V1__HEADER__INIT;
	h.has_kind   = true;
	h.kind       = kind;
	if (call_id != 0) {
		h.has_call_id = true;
		h.call_id     = call_id;
	}
	(void) send_hdr(ch, &h, NULL, CONTROL_SEND_MS);
}

static void
release_export(export_entry *e)
{
	if (e->release != NULL) {
		e->release(e->svc, e->arg);
	}
	addin__free(e->owner);
	addin__free(e);
}

// Remove every export: idle ones are released now, busy ones by the serve
// that holds them (export_done).
static void
release_all_exports(addin__channel *ch)
{
	export_entry **idle = NULL;
	size_t         n    = 0;

	pthread_mutex_lock(&ch->mtx);
	if (ch->exports.len > 0) {
		idle = addin__zalloc(ch->exports.len * sizeof(*idle));
	}
	for (size_t i = 0; i < ch->exports.cap; i++) {
		export_entry *e = ch->exports.vals[i];
		if (ch->exports.keys[i] == 0) {
			continue;
		}
		e->removed = true;
		if (e->busy == 0 && idle != NULL) {
			idle[n++] = e;
		} else if (e->busy == 0) {
			e->busy = -1; // out of memory: leak rather than crash
		}
	}
	addin__idmap_fini(&ch->exports);
	pthread_mutex_unlock(&ch->mtx);
	for (size_t i = 0; i < n; i++) {
		release_export(idle[i]);
	}
	addin__free(idle);
}

static void
free_channel(addin__channel *ch)
{
	// No transport callback can run now (closed), no serve holds a
	// reference (we are the last): release what is left.
	release_all_exports(ch);
	addin__idmap_fini(&ch->pending);
	ch->tp->ops->destroy(ch->tp);
	pthread_cond_destroy(&ch->state_cv);
	pthread_mutex_destroy(&ch->mtx);
	addin__free(ch);
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
		send_simple(ch, ADDIN__WIRE__V1__KIND__GOODBYE, 0);
	}
	addin__channel_fail(ch, ADDIN_ECLOSED, "%s: channel closed",
	                    ch->label);
	// Stop the transport: no callback runs after this, sends fail with
	// ADDIN_ECLOSED.  Its memory goes with the channel (other threads may
	// still be sending).
	ch->tp->ops->close(ch->tp);
	release_all_exports(ch);
	addin__channel_unref(ch);
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

// ---- handshake ----------------------------------------------------------

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
static void
hello_task(void *arg)
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
		(void) send_hdr(ch, &h, NULL, REPLY_SEND_MS);
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
	if (send_hdr(ch, &h, NULL, REPLY_SEND_MS) != ADDIN_OK) {
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
static void
hello_ack_locked(addin__channel *ch, const hello_msg *ack)
{
	char msg[256];

	if (ack->wire_max < ADDIN_WIRE_VERSION_MIN ||
	    ack->wire_max > ADDIN_WIRE_VERSION ||
	    ack->wire_min != ack->wire_max) {
		snprintf(msg, sizeof(msg),
		         "%s speaks wire versions %u..%u, this add-in %u..%u",
		         ch->label, ack->wire_min, ack->wire_max,
		         ADDIN_WIRE_VERSION_MIN, ADDIN_WIRE_VERSION);
		fail_locked(ch, ADDIN_EVERSION, msg);
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
		if ((rv = send_hdr(ch, &h, NULL, timeout_ms)) != ADDIN_OK) {
			return rv;
		}
	}
	deadline_ts(until, &ts);
	pthread_mutex_lock(&ch->mtx);
	while (ch->state != ST_FAILED && !ch->ready) {
		if (pthread_cond_timedwait(&ch->state_cv, &ch->mtx, &ts) !=
		        0 &&
		    addin__now_ms() >= until) {
			char msg[256];
			snprintf(msg, sizeof(msg),
			         "%s: no handshake within %d ms", ch->label,
			         timeout_ms);
			fail_locked(ch, ADDIN_ETIMEDOUT, msg);
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

// ---- receiving ----------------------------------------------------------

static void
bad_frame_locked(addin__channel *ch, const char *why)
{
	ch->st.bad_frames++;
	if (ch->max_bad_frames != 0 &&
	    ch->st.bad_frames > ch->max_bad_frames) {
		char msg[ADDIN__ERRMSG_MAX];
		snprintf(msg, sizeof(msg),
		         "%s sent %llu malformed frames (last: %s)", ch->label,
		         (unsigned long long) ch->st.bad_frames, why);
		fail_locked(ch, ADDIN_EPROTO, msg);
	}
}

static void
serve_task(void *arg)
{
	incoming       *in = arg;
	addin__channel *ch = in->ch;
	pthread_mutex_lock(&ch->mtx);
	ch->queued_calls--;
	ch->queued_bytes -= in->f.payload_len;
	pthread_mutex_unlock(&ch->mtx);
	serve(ch, &in->f);
	addin__free(in);
	addin__channel_unref(ch);
}

// A FAULT header answering call @call_id; @msg is borrowed.
static void
fault_header(addin__hdr *h, uint64_t call_id, addin_err code, char *msg)
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
	fault_header(&h, call_id, code, text);
	if (addin__frame_encode(ch->tp->ops, &h, NULL, ch->peer_max_frame,
	                        &out) == ADDIN_OK) {
		ch->st.faults_out++;
		ch->tp->ops->send_async(ch->tp, out, CONTROL_SEND_MS);
	}
}

// Queue @f for the executor.  Called with ch->mtx held; takes @f.
static void
to_executor_locked(addin__channel *ch, addin__frame *f, void (*fn)(void *))
{
	incoming *in;

	// A peer may not pile up work in this process: calls beyond the
	// bounds are refused at once with ADDIN_ELIMIT (and counted).
	if (fn == serve_task &&
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
	if (fn == serve_task) {
		ch->queued_calls++;
		ch->queued_bytes += in->f.payload_len;
	}
	if (addin__executor_submit(ch->executor, fn, in) != ADDIN_OK) {
		if (fn == serve_task) {
			ch->queued_calls--;
			ch->queued_bytes -= in->f.payload_len;
		}
		addin__frame_fini(&in->f);
		addin__free(in);
		atomic_fetch_sub(&ch->refs, 1); // we hold ch->refs >= 2 here
	}
}

static void
on_recv(void *arg, addin__tmsg *msg)
{
	addin__channel *ch = arg;
	addin__frame    f;
	addin__call    *c;
	addin_err       rv;

	rv = addin__frame_decode(ch->tp->ops, msg, &f);
	pthread_mutex_lock(&ch->mtx);
	if (rv != ADDIN_OK) {
		bad_frame_locked(ch, addin_errmsg());
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
		to_executor_locked(ch, &f, hello_task);
		pthread_mutex_unlock(&ch->mtx);
		return;
	case ADDIN__WIRE__V1__KIND__HELLO_ACK:
		if (ch->listener || ch->state != ST_HANDSHAKE) {
			break;
		}
		hello_ack_locked(ch, f.hdr->hello);
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
		to_executor_locked(ch, &f, serve_task);
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
		fail_locked(ch, ADDIN_ECLOSED, m);
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

static void
on_gone(void *arg)
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

static bool
on_peer_check(void *arg, int pid)
{
	addin__channel *ch       = arg;
	int             expected = atomic_load(&ch->expected_pid);
	return expected == 0 ||
	       (expected > 0 &&
	        addin__plat_is_self_or_descendant(pid, expected));
}

void
addin__channel_inject(addin__channel *ch, const uint8_t *bytes, size_t len)
{
	addin__tmsg *msg;
	if (ch->tp->ops->msg_alloc(len, &msg) != ADDIN_OK) {
		return;
	}
	if (len > 0) {
		memcpy(ch->tp->ops->msg_body(msg), bytes, len);
	}
	on_recv(ch, msg);
}

addin_err
addin__channel_send_raw(addin__channel *ch, const uint8_t *bytes, size_t len)
{
	addin__tmsg *msg;
	addin_err    rv;
	if ((rv = ch->tp->ops->msg_alloc(len, &msg)) != ADDIN_OK) {
		return rv;
	}
	if (len > 0) {
		memcpy(ch->tp->ops->msg_body(msg), bytes, len);
	}
	return ch->tp->ops->send(ch->tp, msg, REPLY_SEND_MS);
}

// ---- serving ------------------------------------------------------------

typedef struct reply_ctx {
	addin__channel *ch;
	uint64_t        call_id;
	bool            answered;
	const char     *what; // "Service.Method"
} reply_ctx;

static void send_fault(addin__channel *ch, uint64_t call_id, addin_err code,
                       const char *fmt, ...) ADDIN_PRINTF(4, 5);

static void
send_fault(addin__channel *ch, uint64_t call_id, addin_err code,
           const char *fmt, ...)
{
	char       msg[ADDIN__ERRMSG_MAX];
	addin__hdr h = ADDIN__WIRE__V1__HEADER__INIT;
	va_list    ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fault_header(&h, call_id, code, msg);
	pthread_mutex_lock(&ch->mtx);
	ch->st.faults_out++;
	pthread_mutex_unlock(&ch->mtx);
	(void) send_hdr(ch, &h, NULL, REPLY_SEND_MS);
}

// The stub's closure: the reply becomes a RETURN frame, a fault
// (addin/adapter.h) a FAULT frame with its code and message, and NULL (a
// service that answered nothing) a FAULT of ADDIN_EREMOTE.
static void
reply_closure(const ProtobufCMessage *msg, void *data)
{
	reply_ctx  *rc = data;
	const char *why;
	addin_err   rv;

	if (rc->answered) {
		return; // a second answer is ignored
	}
	rc->answered = true;
	if (msg == NULL) {
		send_fault(rc->ch, rc->call_id, ADDIN_EREMOTE,
		           "%s failed without saying why", rc->what);
		return;
	}
	if ((rv = addin_adapter_fault(msg, &why)) != ADDIN_OK) {
		send_fault(rc->ch, rc->call_id, rv, "%s", why);
		return;
	}
	addin__hdr h  = ADDIN__WIRE__V1__HEADER__INIT;
	h.has_kind    = true;
	h.kind        = ADDIN__WIRE__V1__KIND__RETURN;
	h.has_call_id = true;
	h.call_id     = rc->call_id;
	rv            = send_hdr(rc->ch, &h, msg, REPLY_SEND_MS);
	if (rv == ADDIN_EMSGSIZE || rv == ADDIN_ENOMEM) {
		send_fault(rc->ch, rc->call_id, rv, "%s: reply: %s", rc->what,
		           addin_errmsg());
	}
}

static void
export_done(addin__channel *ch, export_entry *e)
{
	bool release;
	pthread_mutex_lock(&ch->mtx);
	e->busy--;
	release = e->removed && e->busy == 0;
	pthread_mutex_unlock(&ch->mtx);
	if (release) {
		release_export(e);
	}
}

// Serve one incoming CALL on the calling thread.  Takes @f.
static void
serve(addin__channel *ch, addin__frame *f)
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
		send_fault(ch, cid, ADDIN_ENOTFOUND, "no object %llu",
		           (unsigned long long) oid);
		return;
	}
	e->busy++;
	ch->st.calls_in++;
	pthread_mutex_unlock(&ch->mtx);

	d = e->svc->descriptor;
	if (m >= d->n_methods) {
		addin__frame_fini(f);
		send_fault(ch, cid, ADDIN_EPROTO, "%s has no method %u",
		           d->name, m);
		export_done(ch, e);
		return;
	}
	snprintf(what, sizeof(what), "%s.%s", d->name, d->methods[m].name);
	const char *why = NULL;
	req             = NULL;
	rv = addin__unpack_untrusted(d->methods[m].input, f->payload_len,
	                             f->payload, &req, &why);
	addin__frame_fini(f); // the request holds its own copy now
	if (rv != ADDIN_OK) {
		send_fault(ch, cid, ADDIN_EPROTO, "%s: the request: %s", what,
		           why);
		export_done(ch, e);
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
		send_fault(ch, cid, ADDIN_EINTERNAL,
		           "%s returned without answering", what);
	}
	protobuf_c_message_free_unpacked(req, &addin__pb_allocator);
	export_done(ch, e);
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

// ---- exports ------------------------------------------------------------

addin_err
addin__channel_export_at(addin__channel *ch, uint64_t id,
                         ProtobufCService *svc,
                         void (*release)(ProtobufCService *, void *),
                         void *arg, const char *owner)
{
	export_entry *e;
	addin_err     rv;

	if (svc == NULL || id == UINT64_MAX) {
		return addin__seterr(ADDIN_EINVAL, "export: no service");
	}
	if ((e = ADDIN__NEW(export_entry)) == NULL ||
	    (e->owner = addin__strdup(owner != NULL ? owner : "")) == NULL) {
		addin__free(e);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	e->svc     = svc;
	e->release = release;
	e->arg     = arg;
	pthread_mutex_lock(&ch->mtx);
	if (ch->closed) {
		rv = addin__seterr(ADDIN_ECLOSED, "%s: channel closed",
		                   ch->label);
	} else if (addin__idmap_get(&ch->exports, id + 1) != NULL) {
		rv = addin__seterr(ADDIN_EEXIST, "object %llu exists",
		                   (unsigned long long) id);
	} else {
		rv = addin__idmap_put(&ch->exports, id + 1, e);
	}
	pthread_mutex_unlock(&ch->mtx);
	if (rv != ADDIN_OK) {
		addin__free(e->owner);
		addin__free(e);
	}
	return rv;
}

addin_err
addin__channel_export(addin__channel *ch, ProtobufCService              *svc,
                      void (*release)(ProtobufCService *, void *), void *arg,
                      const char *owner, uint64_t *ret_id)
{
	uint64_t  id;
	addin_err rv;

	pthread_mutex_lock(&ch->mtx);
	id = ++ch->next_export_id;
	pthread_mutex_unlock(&ch->mtx);
	if ((rv = addin__channel_export_at(ch, id, svc, release, arg,
	                                   owner)) == ADDIN_OK) {
		*ret_id = id;
	}
	return rv;
}

addin_err
addin__channel_unexport(addin__channel *ch, uint64_t id)
{
	export_entry *e;
	bool          release;

	pthread_mutex_lock(&ch->mtx);
	e = addin__idmap_del(&ch->exports, id + 1);
	if (e == NULL) {
		pthread_mutex_unlock(&ch->mtx);
		return addin__seterr(ADDIN_ENOTFOUND, "no object %llu",
		                     (unsigned long long) id);
	}
	e->removed = true;
	release    = e->busy == 0;
	pthread_mutex_unlock(&ch->mtx);
	if (release) {
		release_export(e);
	}
	return ADDIN_OK;
}

size_t
addin__channel_exports(addin__channel *ch)
{
	size_t n;
	pthread_mutex_lock(&ch->mtx);
	n = ch->exports.len;
	pthread_mutex_unlock(&ch->mtx);
	return n;
}

// ---- calling ------------------------------------------------------------

static uint64_t
nested_parent(addin__channel *ch)
{
	for (serving *s = tls_serving; s != NULL; s = s->up) {
		if (s->ch == ch) {
			return s->call_id;
		}
	}
	return 0;
}

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
	cond_init_mono(&c->cv);
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
	h.nested_in       = nested_parent(ch);
	h.has_nested_in   = h.nested_in != 0;
	h.has_object_id   = true;
	h.object_id       = object_id;
	h.has_method      = true;
	h.method          = method;
	h.has_deadline_ms = true;
	h.deadline_ms     = c->deadline_ms;
	if ((rv = send_hdr(ch, &h, req, (int) c->deadline_ms)) != ADDIN_OK) {
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

addin_err
addin__channel_call_wait(addin__call *c, ProtobufCMessage **ret_reply)
{
	addin__channel *ch = c->ch;
	struct timespec ts;
	bool            timed_out = false;
	addin_err       rv;
	incoming       *in;
	const char     *sname = c->svc->name;
	const char     *mname = c->svc->methods[c->method].name;
	// The failure's message; the thread's error keeps its first 511 bytes.
	char msg[2 * ADDIN__ERRMSG_MAX];

	deadline_ts(c->deadline_abs, &ts);
	pthread_mutex_lock(&ch->mtx);
	while (!c->done) {
		// The deadline first: a peer that keeps nesting calls must not
		// hold the caller past it (what is queued then goes to the
		// executor, below).
		if (addin__now_ms() >= c->deadline_abs) {
			if (addin__idmap_del(&ch->pending, c->id) != NULL) {
				timed_out = true;
				ch->st.timeouts++;
				break;
			}
			if (ch->state == ST_FAILED) {
				break; // failed: pending map emptied
			}
		}
		if ((in = c->qhead) != NULL) {
			c->qhead = in->next;
			if (c->qhead == NULL) {
				c->qtail = NULL;
			}
			pthread_mutex_unlock(&ch->mtx);
			serve(ch,
			      &in->f); // the peer's callback, on this thread
			addin__free(in);
			pthread_mutex_lock(&ch->mtx);
			continue;
		}
		pthread_cond_timedwait(&c->cv, &ch->mtx, &ts);
	}
	c->queue_nested = false;
	// Callbacks queued for this call but not served (it ended first) still
	// deserve an answer: hand them to the executor.
	while ((in = c->qhead) != NULL) {
		c->qhead       = in->next;
		addin__frame f = in->f;
		addin__free(in);
		if (ch->state == ST_OPEN) {
			to_executor_locked(ch, &f, serve_task);
		} else {
			addin__frame_fini(&f);
		}
	}
	c->qtail = NULL;
	// The outcome goes into @msg first and becomes the thread's error only
	// after free_call, which may drop the last reference to the channel:
	// nothing it runs can overwrite the failure (the proxy passes the
	// thread's error on as the call's fault, addin/adapter.h).
	rv = ADDIN_OK;
	if (timed_out) {
		pthread_mutex_unlock(&ch->mtx);
		send_simple(ch, ADDIN__WIRE__V1__KIND__CANCEL, c->id);
		rv = ADDIN_ETIMEDOUT;
		snprintf(msg, sizeof(msg),
		         "%s.%s: %s did not answer within %u ms", sname, mname,
		         ch->label, c->deadline_ms);
	} else if (c->reply.hdr == NULL) {
		// Failed channel.
		if (ch->state == ST_FAILED) {
			rv = ch->fail_code;
			snprintf(msg, sizeof(msg), "%s.%s: %s", sname, mname,
			         ch->fail_msg);
		} else {
			rv = ADDIN_EINTERNAL;
			snprintf(msg, sizeof(msg), "%s.%s: no reply", sname,
			         mname);
		}
		pthread_mutex_unlock(&ch->mtx);
	} else if (c->reply.hdr->kind == ADDIN__WIRE__V1__KIND__FAULT) {
		uint32_t code = c->reply.hdr->fault_code;
		ch->st.faults_in++;
		pthread_mutex_unlock(&ch->mtx);
		if (code == ADDIN_OK || !addin__err_known(code)) {
			code = ADDIN_EREMOTE;
		}
		rv = (addin_err) code;
		snprintf(msg, sizeof(msg), "%s",
		         c->reply.hdr->fault_message != NULL
		             ? c->reply.hdr->fault_message
		             : addin_strerror(rv));
	} else {
		const char *why = NULL;
		pthread_mutex_unlock(&ch->mtx);
		if (addin__unpack_untrusted(c->svc->methods[c->method].output,
		                            c->reply.payload_len,
		                            c->reply.payload, ret_reply,
		                            &why) != ADDIN_OK) {
			pthread_mutex_lock(&ch->mtx);
			bad_frame_locked(ch, why);
			pthread_mutex_unlock(&ch->mtx);
			rv = ADDIN_EPROTO;
			snprintf(msg, sizeof(msg),
			         "%s.%s: the reply from %s: %s", sname, mname,
			         ch->label, why);
		}
	}
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
