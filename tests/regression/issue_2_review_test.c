// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Regressions found by a review of the foundation (issue 2): the executor
// did not grow when queued tasks waited for each other; a peer could hold a
// caller past its deadline with nested calls; a peer that stopped reading
// held senders for ever; decoding had no memory budget.

#define _GNU_SOURCE

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "addin/wire.pb-c.h"
#include "addin_test.h"
#include "alltypes/v1/alltypes.pb-c.h"
#include "calc_host_test.h"
#include "channel.h"
#include "executor.h"
#include "frame.h"

// ---- executor -----------------------------------------------------------

static pthread_mutex_t m  = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t  cv = PTHREAD_COND_INITIALIZER;
static int             released, gave_up;

static void
waiter(void *arg)
{
	struct timespec ts;
	int             rc = 0;
	(void) arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 3;
	pthread_mutex_lock(&m);
	while (!released && rc != ETIMEDOUT) {
		rc = pthread_cond_timedwait(&cv, &m, &ts);
	}
	gave_up += !released;
	pthread_mutex_unlock(&m);
}

static void
releaser(void *arg)
{
	(void) arg;
	pthread_mutex_lock(&m);
	released = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&m);
}

static void
test_executor_grows_for_queued_tasks(void)
{
	addin__executor *ex;
	ADDIN_PASS(addin__executor_create(2, 8, &ex));
	// Both threads idle: the state in which the executor did not grow.
	ADDIN_WAIT_UNTIL(addin__executor_idle(ex) == 2, 5000);
	// A and B wait for C: C must get a thread of its own.
	ADDIN_PASS(addin__executor_submit(ex, waiter, NULL));
	ADDIN_PASS(addin__executor_submit(ex, waiter, NULL));
	ADDIN_PASS(addin__executor_submit(ex, releaser, NULL));
	addin__executor_destroy(ex);
	ADDIN_CHECK_INT(gave_up, ==, 0);
}

// ---- nested calls and deadlines -----------------------------------------

static addin__channel  *host, *peer;
static addin_test_event peer_done; // raised when peer_ping returned

static uint32_t
ping_idx(void)
{
	const ProtobufCServiceDescriptor *d =
	    &addin__wire__v1__control__descriptor;
	return (uint32_t) (protobuf_c_service_descriptor_get_method_by_name(
	                       d, "Ping") -
	                   d->methods);
}

static void
host_ping(Addin__Wire__V1__Control_Service *s,
          const Addin__Wire__V1__Empty     *in,
          Addin__Wire__V1__Empty_Closure done, void *data)
{
	Addin__Wire__V1__Empty e = ADDIN__WIRE__V1__EMPTY__INIT;
	(void) s;
	(void) in;
	// Each callback takes a while: the load on the waiting thread that
	// the case is about, not a wait.
	usleep(2000);
	done(&e, data);
}

// The peer's Ping keeps many nested calls back into the host in flight
// for 2 s, so the host's waiting thread always has one to serve.
static void
peer_ping(Addin__Wire__V1__Control_Service *s,
          const Addin__Wire__V1__Empty     *in,
          Addin__Wire__V1__Empty_Closure done, void *data)
{
	Addin__Wire__V1__Empty e = ADDIN__WIRE__V1__EMPTY__INIT;
	static addin__call    *win[64];
	ProtobufCMessage      *r;
	int64_t                t0 = addin_test_now_ms();
	int                    k  = 0;
	(void) s;
	(void) in;
	for (int i = 0; i < 64; i++) {
		(void) addin__channel_call_start(
		    peer, 0, &addin__wire__v1__control__descriptor, ping_idx(),
		    &e.base, 5000, &win[i]);
	}
	while (addin_test_now_ms() - t0 < 2000) {
		if (addin__channel_call_wait(win[k], &r) == ADDIN_OK) {
			protobuf_c_message_free_unpacked(r,
			                                 &addin__pb_allocator);
		}
		(void) addin__channel_call_start(
		    peer, 0, &addin__wire__v1__control__descriptor, ping_idx(),
		    &e.base, 5000, &win[k]);
		k = (k + 1) % 64;
	}
	for (int i = 0; i < 64; i++) {
		if (addin__channel_call_wait(win[(k + i) % 64], &r) ==
		    ADDIN_OK) {
			protobuf_c_message_free_unpacked(r,
			                                 &addin__pb_allocator);
		}
	}
	done(&e, data);
	addin_test_event_raise(&peer_done);
}

static void
test_nested_calls_cannot_extend_a_deadline(void)
{
	addin__executor                 *ex;
	addin__channel_cfg               cfg = {0};
	char                             url[128];
	uint8_t                          token[32] = {7};
	Addin__Wire__V1__Control_Service hc, pc;
	Addin__Wire__V1__Empty           e = ADDIN__WIRE__V1__EMPTY__INIT;
	ProtobufCMessage                *r;
	int64_t                          t0;

	addin_test_event_open(&peer_done);
	ADDIN_PASS(addin__executor_create(2, 16, &ex));
	snprintf(url, sizeof(url), "ipc:///tmp/bulkhead-nested-%d.ipc",
	         getpid());
	cfg.url       = url;
	cfg.listener  = true;
	cfg.token     = token;
	cfg.token_len = sizeof(token);
	cfg.executor  = ex;
	ADDIN_PASS(addin__channel_open(&cfg, &host));
	cfg.listener = false;
	ADDIN_PASS(addin__channel_open(&cfg, &peer));
	ADDIN_PASS(addin__channel_handshake(peer, 5000));
	ADDIN_PASS(addin__channel_handshake(host, 5000));
	addin__wire__v1__control__init(&hc, NULL);
	hc.ping = host_ping;
	addin__wire__v1__control__init(&pc, NULL);
	pc.ping = peer_ping;
	ADDIN_PASS(
	    addin__channel_export_at(host, 0, &hc.base, NULL, NULL, "h"));
	ADDIN_PASS(
	    addin__channel_export_at(peer, 0, &pc.base, NULL, NULL, "p"));
	t0 = addin_test_now_ms();
	ADDIN_FAIL(addin__channel_call(host, 0,
	                               &addin__wire__v1__control__descriptor,
	                               ping_idx(), &e.base, 300, &r),
	           ADDIN_ETIMEDOUT);
	ADDIN_CHECK_INT(addin_test_now_ms() - t0, <, 450);
	// The peer keeps calling back for 2 s; then it is done.
	ADDIN_WAIT_EVENT(&peer_done, 10000);
	addin__channel_close(peer);
	addin__channel_close(host);
	addin__executor_destroy(ex);
	addin_test_event_close(&peer_done);
}

// ---- a peer that stops reading ---------------------------------------------

typedef struct {
	calculator_v1_calculator *c;
	addin_err                 rv;
	int64_t                   took;
} big_ctx;

static void *
big_call(void *arg)
{
	big_ctx *b  = arg;
	size_t   n  = 1000000; // 8 MB of operands: more than a socket buffer
	double  *v  = calloc(n, sizeof(double)), r;
	int64_t  t0 = addin_test_now_ms();
	b->rv       = calculator_v1_calculator_operate(b->c, "+", v, n, &r);
	b->took     = addin_test_now_ms() - t0;
	free(v);
	return NULL;
}

static void
test_stopped_peer_cannot_hold_senders(void)
{
	addin_host_config        cfg = ADDIN_HOST_CONFIG_INIT;
	addin_activation_options o   = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_host              *h;
	addin_object            *obj;
	addin_token             *t =
	    addin_test_find_calc(PIPELINE_DIR, "Basic calculator");
	big_ctx   b;
	pthread_t th;
	int64_t   t0;

	cfg.shutdown_grace_ms = 500;
	o.deadline_ms         = 500;
	ADDIN_PASS(addin_host_create(&cfg, &h));
	ADDIN_PASS(addin_activate(h, t, &o, &obj));
	b.c     = calculator_v1_calculator_from_object(obj);
	int pid = addin_controller_pid(addin_controller_get(obj));
	ADDIN_CHECK(addin_test_stop(pid));
	pthread_create(&th, NULL, big_call, &b);
	pthread_join(th, NULL);
	ADDIN_CHECK_INT(b.rv, ==, ADDIN_ETIMEDOUT);
	ADDIN_CHECK_INT(b.took, <, 2000);
	// Shutdown of the stopped process: Shutdown cannot be delivered, the
	// grace passes, SIGKILL ends it.
	t0 = addin_test_now_ms();
	ADDIN_PASS(addin_controller_shutdown(addin_controller_get(obj)));
	ADDIN_CHECK_INT(addin_test_now_ms() - t0, <, 3000);
	ADDIN_CHECK_CONTAINS(
	    addin_controller_exit_status(addin_controller_get(obj)),
	    "SIGKILL");
	addin_object_unref(obj);
	addin_token_unref(t);
	addin_host_destroy(h);
}

// ---- decoding budget ---------------------------------------------------

static void
test_decoding_is_budgeted(void)
{
	// An Empty message carrying 100,000 tiny unknown fields: 200 KB on
	// the wire, many times that once protobuf-c keeps each field.
	size_t            n   = 100000;
	uint8_t          *buf = malloc(2 * n);
	addin__pb_budget  b;
	ProtobufCMessage *msg;

	for (size_t i = 0; i < n; i++) {
		buf[2 * i]     = (uint8_t) (15 << 3); // field 15, varint
		buf[2 * i + 1] = 1;
	}
	addin__pb_budget_init(&b, 2 * n);
	ADDIN_CHECK(b.left == 2 * n * 64 + (1u << 20));
	b.left = 1u << 20; // a 1 MiB budget: not enough
	msg    = protobuf_c_message_unpack(&addin__wire__v1__empty__descriptor,
	                                   &b.alloc, 2 * n, buf);
	ADDIN_CHECK(msg == NULL);
	ADDIN_CHECK(b.exceeded);
	// The default budget for that size is enough for honest messages.
	addin__pb_budget_init(&b, 2 * n);
	msg = protobuf_c_message_unpack(&addin__wire__v1__empty__descriptor,
	                                &b.alloc, 2 * n, buf);
	ADDIN_CHECK(msg != NULL);
	protobuf_c_message_free_unpacked(msg, &addin__pb_allocator);
	// And the cap holds however large the input.
	addin__pb_budget_init(&b, (size_t) 1 << 40);
	ADDIN_CHECK(b.left == ADDIN__DECODE_CAP);
	free(buf);
}

// A Shape nested @depth deep through its repeated field children (9).
static uint8_t *
nested_shape(unsigned depth, size_t *ret_len)
{
	size_t   cap = (size_t) depth * 8 + 16, len = 0;
	uint8_t *buf = malloc(cap), *tmp = malloc(cap);
	for (unsigned i = 0; i < depth; i++) {
		size_t n = 0;
		tmp[n++] = (9 << 3) | 2;
		for (size_t v = len;; v >>= 7) {
			tmp[n++] =
			    (uint8_t) ((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
			if (v <= 0x7f) {
				break;
			}
		}
		memcpy(tmp + n, buf, len);
		len += n;
		memcpy(buf, tmp, len);
	}
	free(tmp);
	*ret_len = len;
	return buf;
}

static void
test_deep_nesting_is_refused(void)
{
	size_t            len;
	uint8_t          *deep = nested_shape(20000, &len);
	ProtobufCMessage *msg  = NULL;
	const char       *why  = NULL;

	// 20,000 levels in ~70 KB: protobuf-c alone would recurse that deep
	// and overflow the stack.
	ADDIN_FAIL(addin__unpack_untrusted(&alltypes__v1__shape__descriptor,
	                                   len, deep, &msg, &why),
	           ADDIN_EPROTO);
	ADDIN_CHECK_CONTAINS(why, "nest deeper");
	free(deep);
	// Honest nesting decodes.
	deep = nested_shape(40, &len);
	ADDIN_PASS(addin__unpack_untrusted(&alltypes__v1__shape__descriptor,
	                                   len, deep, &msg, &why));
	protobuf_c_message_free_unpacked(msg, &addin__pb_allocator);
	free(deep);
}

ADDIN_TEST_LIST = {
    {"messages nested thousands deep are refused, not recursed into",
     test_deep_nesting_is_refused},
    {"the executor grows when queued tasks wait for each other",
     test_executor_grows_for_queued_tasks},
    {"nested calls cannot hold a caller past its deadline",
     test_nested_calls_cannot_extend_a_deadline},
    {"a stopped add-in process cannot hold senders or shutdown",
     test_stopped_peer_cannot_hold_senders},
    {"decoding what a peer sent has a memory budget",
     test_decoding_is_budgeted},
    {NULL, NULL},
};
