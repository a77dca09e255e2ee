// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The foundation's promises, with real add-in processes over real nng
// channels: every field type crosses; 40,000 concurrent calls match their
// replies; callbacks nest three levels deep on the threads that wait; a
// killed runner fails its caller at once; a silent one at the deadline;
// garbage is rejected and counted on both sides; the runner dies with its
// host; nothing leaks.

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "addin/adapter.h"
#include "addin_test.h"
#include "channel.h"
#include "channel_testing.h"
#include "frame.h"
#include "proc.h"
#include "proxy.h"
#include "testsvc.h"

extern char **environ;

typedef Bulkhead__Test__V1__AllTypes           AllTypes;
static const ProtobufCServiceDescriptor *const TS =
    &bulkhead__test__v1__test_service__descriptor;

enum { M_TRANSFORM, M_ECHO, M_CHAIN, M_SLEEP, M_FAIL };

// The supervisor of these tests starts addin-runner-testing: the runner
// whose core a test service can call back through.
static addin__sup *
sup_new(void)
{
	addin__sup_cfg cfg = {0};
	addin__sup    *sup;
	cfg.runner_path = ADDIN_TEST_RUNNER;
	ADDIN_PASS(addin__sup_create(&cfg, &sup));
	return sup;
}

// Start a runner with the test service loaded, its environment @env (may
// be NULL); returns the service's id.
static addin__proc *
spawn_svc_env(addin__sup *sup, const char *name, unsigned workers,
              const char *const *env, uint64_t *obj)
{
	addin__proc_opts             po = {0};
	Addin__Wire__V1__LoadRequest req;
	addin__proc                 *p;
	char                         lib[] = TESTSVC_LIB;
	char                         n[64];

	snprintf(n, sizeof(n), "%s", name);
	po.name    = name;
	po.env     = env;
	po.workers = workers;
	testsvc_load_request(&req, n, lib);
	ADDIN_PASS(addin__proc_spawn(sup, &po, &p));
	ADDIN_PASS(addin__proc_load(p, &req, obj));
	ADDIN_CHECK(*obj != 0);
	return p;
}

static addin__proc *
spawn_svc(addin__sup *sup, const char *name, unsigned workers, uint64_t *obj)
{
	return spawn_svc_env(sup, name, workers, NULL, obj);
}

static addin_err
echo(addin__channel *ch, uint64_t obj, uint64_t v, uint32_t deadline,
     uint32_t *ret_pid)
{
	Bulkhead__Test__V1__EchoRequest req =
	    BULKHEAD__TEST__V1__ECHO_REQUEST__INIT;
	ProtobufCMessage *reply;
	addin_err         rv;
	req.has_value = true;
	req.value     = v;
	rv = addin__channel_call(ch, obj, TS, M_ECHO, &req.base, deadline,
	                         &reply);
	if (rv == ADDIN_OK) {
		Bulkhead__Test__V1__EchoReply *r = (void *) reply;
		ADDIN_CHECK_INT(r->value, ==, v);
		if (ret_pid != NULL) {
			*ret_pid = r->pid;
		}
		protobuf_c_message_free_unpacked(reply, &addin__pb_allocator);
	}
	return rv;
}

// ---- every field type, through the generic proxy -----------------------

typedef struct {
	AllTypes   *in;
	const char *bad;
	bool        called;
} transform_ctx;

static void
transform_done(const Bulkhead__Test__V1__AllTypes *out, void *data)
{
	transform_ctx *c = data;
	c->called        = true;
	// A failed call answers with a fault, not an AllTypes.
	c->bad = addin_adapter_fault((const ProtobufCMessage *) out, NULL) !=
	                 ADDIN_OK
	             ? "call failed"
	             : testsvc_check_transform(c->in, out);
}

static void
test_all_types_cross(void)
{
	addin__sup       *sup = sup_new();
	uint64_t          obj;
	addin__proc      *p = spawn_svc(sup, "types", 2, &obj);
	ProtobufCService *proxy;
	size_t            sizes[] = {0, 1, 1000, 1 << 20, 10 * 1000 * 1000};

	ADDIN_PASS(
	    addin__proxy_create(addin__proc_channel(p), obj, TS, 0, &proxy));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		transform_ctx c = {testsvc_fill(sizes[i]), NULL, false};
		// protoc-c's own client stub, over our proxy: any service
		// works.
		bulkhead__test__v1__test_service__transform(
		    proxy, c.in, transform_done, &c);
		ADDIN_CHECKF(c.called, "closure not called (%zu bytes)",
		             sizes[i]);
		ADDIN_CHECKF(c.bad == NULL, "field %s differs (%zu bytes): %s",
		             c.bad, sizes[i], addin_errmsg());
		testsvc_fill_free(c.in);
	}
	addin__proxy_destroy(proxy);
	addin__proc_unref(p);
	addin__sup_destroy(sup);
}

static void
test_fault_crosses(void)
{
	addin__sup                     *sup = sup_new();
	uint64_t                        obj;
	addin__proc                    *p = spawn_svc(sup, "faulty", 2, &obj);
	Bulkhead__Test__V1__FailRequest req =
	    BULKHEAD__TEST__V1__FAIL_REQUEST__INIT;
	ProtobufCMessage *reply;
	char              msg[] = "division by zero in 3 / 0";

	req.has_code = true;
	req.code     = ADDIN_EREMOTE;
	req.message  = msg;
	ADDIN_FAIL(addin__channel_call(addin__proc_channel(p), obj, TS, M_FAIL,
	                               &req.base, 0, &reply),
	           ADDIN_EREMOTE);
	ADDIN_CHECK_STR(addin_errmsg(), msg);
	// Any documented code travels as itself; an unknown one as EREMOTE.
	req.code = ADDIN_EPERM;
	ADDIN_FAIL(addin__channel_call(addin__proc_channel(p), obj, TS, M_FAIL,
	                               &req.base, 0, &reply),
	           ADDIN_EPERM);
	req.code = 9999;
	ADDIN_FAIL(addin__channel_call(addin__proc_channel(p), obj, TS, M_FAIL,
	                               &req.base, 0, &reply),
	           ADDIN_EREMOTE);
	// A message of 511 bytes with control characters crosses intact.
	char long_msg[ADDIN_ADAPTER_MSG_MAX];
	for (size_t i = 0; i < sizeof(long_msg) - 1; i++) {
		long_msg[i] = (char) (i % 16 == 0 ? 1 + (int) (i % 31)
		                                  : 'A' + (int) (i % 26));
	}
	long_msg[sizeof(long_msg) - 1] = '\0';
	req.code                       = ADDIN_EBUSY;
	req.message                    = long_msg;
	ADDIN_FAIL(addin__channel_call(addin__proc_channel(p), obj, TS, M_FAIL,
	                               &req.base, 0, &reply),
	           ADDIN_EBUSY);
	ADDIN_CHECK(strcmp(addin_errmsg(), long_msg) == 0);
	// A service that answers nothing: the stub says so (it used to
	// send ADDIN_EREMOTE "success").
	req.has_code = false;
	ADDIN_FAIL(addin__channel_call(addin__proc_channel(p), obj, TS, M_FAIL,
	                               &req.base, 0, &reply),
	           ADDIN_EREMOTE);
	ADDIN_CHECK_STR(addin_errmsg(), "bulkhead.test.v1.TestService.Fail "
	                                "failed without saying why");
	// An object that does not exist.
	ADDIN_FAIL(echo(addin__proc_channel(p), 4242, 1, 0, NULL),
	           ADDIN_ENOTFOUND);
	addin__proc_unref(p);
	addin__sup_destroy(sup);
}

// ---- concurrency ------------------------------------------------------

enum { NTHREADS = 4, NCALLS = 10000 };

typedef struct {
	addin__channel *ch;
	uint64_t        obj;
	int             t;
	int             bad;
	const char     *why;
} flood_ctx;

static void *
flood(void *arg)
{
	flood_ctx    *c     = arg;
	addin__call **calls = calloc(NCALLS, sizeof(*calls));
	char          text[32];

	// Start all 10,000 before waiting for any: they are all in flight.
	for (int i = 0; i < NCALLS; i++) {
		Bulkhead__Test__V1__EchoRequest req =
		    BULKHEAD__TEST__V1__ECHO_REQUEST__INIT;
		snprintf(text, sizeof(text), "t%d-%d", c->t, i);
		req.has_value = true;
		req.value     = (uint64_t) c->t * 1000000u + (uint64_t) i;
		req.text      = text;
		if (addin__channel_call_start(c->ch, c->obj, TS, M_ECHO,
		                              &req.base, 120000,
		                              &calls[i]) != ADDIN_OK) {
			c->bad++;
			c->why   = "start failed";
			calls[i] = NULL;
		}
	}
	for (int i = 0; i < NCALLS; i++) {
		ProtobufCMessage *reply;
		if (calls[i] == NULL) {
			continue;
		}
		if (addin__channel_call_wait(calls[i], &reply) != ADDIN_OK) {
			c->bad++;
			c->why = "wait failed";
			continue;
		}
		Bulkhead__Test__V1__EchoReply *r = (void *) reply;
		snprintf(text, sizeof(text), "t%d-%d", c->t, i);
		if (r->value != (uint64_t) c->t * 1000000u + (uint64_t) i ||
		    r->text == NULL || strcmp(r->text, text) != 0) {
			c->bad++;
			c->why = "reply does not match its call";
		}
		protobuf_c_message_free_unpacked(reply, &addin__pb_allocator);
	}
	free(calls);
	return NULL;
}

static void
test_concurrent_calls_match(void)
{
	addin__sup          *sup = sup_new();
	uint64_t             obj;
	addin__proc         *p = spawn_svc(sup, "flood", 4, &obj);
	pthread_t            th[NTHREADS];
	flood_ctx            c[NTHREADS];
	addin__channel_stats st;

	for (int t = 0; t < NTHREADS; t++) {
		c[t] = (flood_ctx) {addin__proc_channel(p), obj, t, 0, NULL};
		pthread_create(&th[t], NULL, flood, &c[t]);
	}
	for (int t = 0; t < NTHREADS; t++) {
		pthread_join(th[t], NULL);
		ADDIN_CHECKF(c[t].bad == 0, "thread %d: %d bad (%s)", t,
		             c[t].bad, c[t].why);
	}
	addin__channel_stats_get(addin__proc_channel(p), &st);
	ADDIN_CHECK_INT(st.unknown_ids, ==, 0);
	ADDIN_CHECK_INT(st.bad_frames, ==, 0);
	addin__proc_unref(p);
	addin__sup_destroy(sup);
}

// ---- nesting ------------------------------------------------------------

static void
check_chain(addin__channel *ch, uint64_t addin_obj, uint64_t host_obj,
            uint32_t depth)
{
	Bulkhead__Test__V1__ChainRequest req =
	    BULKHEAD__TEST__V1__CHAIN_REQUEST__INIT;
	ProtobufCMessage *reply;
	char              me[64];

	req.has_depth       = true;
	req.depth           = depth;
	req.has_peer_object = true;
	req.peer_object     = host_obj;
	req.has_self_object = true;
	req.self_object     = addin_obj;
	ADDIN_PASS(addin__channel_call(ch, addin_obj, TS, M_CHAIN, &req.base,
	                               0, &reply));
	Bulkhead__Test__V1__ChainReply *r = (void *) reply;
	// depth + (depth-1) + ... + 1
	ADDIN_CHECK_INT(r->value, ==, depth * (depth + 1) / 2);
	ADDIN_CHECK_INT(r->n_trace, ==, depth + 1);
	// Levels alternate add-in, host, add-in ... from the outermost; the
	// host's levels ran on this very thread (it was waiting), and the
	// add-in's levels on one runner thread (which was waiting too).
	snprintf(me, sizeof(me), "%d:%lu", getpid(),
	         (unsigned long) pthread_self());
	const char *addin_thread = r->trace[r->n_trace - 1];
	for (size_t lvl = 0; lvl < r->n_trace; lvl++) {
		const char *t = r->trace[r->n_trace - 1 - lvl];
		if (lvl % 2 == 1) {
			ADDIN_CHECK_STR(t, me);
		} else {
			ADDIN_CHECK_STR(t, addin_thread);
		}
	}
	ADDIN_CHECK(strncmp(addin_thread, me, strlen(me)) != 0);
	protobuf_c_message_free_unpacked(reply, &addin__pb_allocator);
}

static void
svc_release(ProtobufCService *svc, void *arg)
{
	(void) arg;
	svc->destroy(svc);
}

static void
test_callback_chain(void)
{
	addin__sup     *sup = sup_new();
	uint64_t        addin_obj, host_obj;
	addin__proc    *p  = spawn_svc(sup, "chain", 2, &addin_obj);
	addin__channel *ch = addin__proc_channel(p);

	// The host exports an object the add-in calls back.
	ADDIN_PASS(addin__channel_export(ch, testsvc_create(), svc_release,
	                                 NULL, "host", &host_obj));
	// host -> add-in -> host -> add-in: three levels below the first call.
	check_chain(ch, addin_obj, host_obj, 3);
	// Deeper, and again (ids and queues are reused cleanly).
	check_chain(ch, addin_obj, host_obj, 8);
	check_chain(ch, addin_obj, host_obj, 1);
	addin__channel_stats st;
	addin__channel_stats_get(ch, &st);
	ADDIN_CHECK_INT(st.nested_in, >=, 1 + 4 + 0);
	addin__proc_unref(p);
	addin__sup_destroy(sup);
}

typedef struct {
	addin__channel *ch;
	uint64_t        a, h;
} chain_ctx;

static void *
chain_thread(void *arg)
{
	chain_ctx *c = arg;
	for (int i = 0; i < 50; i++) {
		check_chain(c->ch, c->a, c->h, 3);
	}
	return NULL;
}

static void
test_concurrent_chains(void)
{
	addin__sup  *sup = sup_new();
	uint64_t     addin_obj, host_obj;
	addin__proc *p = spawn_svc(sup, "chains", 4, &addin_obj);
	pthread_t    th[4];
	chain_ctx    c;

	ADDIN_PASS(addin__channel_export(addin__proc_channel(p),
	                                 testsvc_create(), svc_release, NULL,
	                                 "host", &host_obj));
	c = (chain_ctx) {addin__proc_channel(p), addin_obj, host_obj};
	for (int t = 0; t < 4; t++) {
		pthread_create(&th[t], NULL, chain_thread, &c);
	}
	for (int t = 0; t < 4; t++) {
		pthread_join(th[t], NULL);
	}
	addin__proc_unref(p);
	addin__sup_destroy(sup);
}

// ---- failure --------------------------------------------------------

typedef struct {
	addin__channel *ch;
	uint64_t        obj;
	addin_err       rv;
	int64_t         returned_ms;
	char            msg[512];
} sleeper_ctx;

static void *
sleeper(void *arg)
{
	sleeper_ctx                     *c = arg;
	Bulkhead__Test__V1__SleepRequest req =
	    BULKHEAD__TEST__V1__SLEEP_REQUEST__INIT;
	ProtobufCMessage *reply = NULL;
	req.has_ms              = true;
	req.ms                  = 20000;
	c->rv = addin__channel_call(c->ch, c->obj, TS, M_SLEEP, &req.base,
	                            60000, &reply);
	c->returned_ms = addin_test_now_ms();
	snprintf(c->msg, sizeof(c->msg), "%s", addin_errmsg());
	return NULL;
}

static void
test_kill_fails_caller_fast(void)
{
	addin__sup      *sup = sup_new();
	uint64_t         oa, ob;
	addin_test_event entered;
	const char      *env[] = {entered.env, NULL};
	pthread_t        th;
	int64_t          killed;
	int              status;

	addin_test_event_open(&entered);
	addin__proc *a   = spawn_svc_env(sup, "victim", 2, env, &oa);
	addin__proc *b   = spawn_svc(sup, "bystander", 2, &ob);
	int          pid = addin__proc_pid(a);
	sleeper_ctx  c   = {addin__proc_channel(a), oa, ADDIN_OK, 0, ""};

	pthread_create(&th, NULL, sleeper, &c);
	ADDIN_WAIT_EVENT(&entered, 10000); // the call sleeps in the runner
	killed = addin_test_now_ms();
	ADDIN_CHECK(kill(pid, SIGKILL) == 0);
	pthread_join(th, NULL);
	ADDIN_CHECKF(c.rv == ADDIN_EPEERDIED, "got %s: %s",
	             addin_err_name(c.rv), c.msg);
	ADDIN_CHECKF(c.returned_ms - killed <= 100,
	             "caller waited %lld ms after the kill",
	             (long long) (c.returned_ms - killed));
	ADDIN_CHECK_CONTAINS(c.msg, "killed by signal 9 (SIGKILL)");
	ADDIN_CHECK_CONTAINS(c.msg, "victim");
	// New calls fail at once too.
	ADDIN_FAIL(echo(addin__proc_channel(a), oa, 1, 0, NULL),
	           ADDIN_EPEERDIED);
	// The other add-in process did not notice.
	ADDIN_PASS(echo(addin__proc_channel(b), ob, 7, 0, NULL));
	// Reaped: no zombie, the pid is no child of ours any more.
	ADDIN_PASS(addin__proc_wait(a, 1000, &status));
	ADDIN_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ADDIN_CHECK(waitpid(pid, NULL, WNOHANG) == -1 && errno == ECHILD);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d", pid);
	ADDIN_CHECK(access(path, F_OK) != 0);
	addin__proc_unref(a);
	addin__proc_unref(b);
	addin__sup_destroy(sup);
	addin_test_event_close(&entered);
}

// How many replies for no pending call @ch received.
static uint64_t
unknown_ids(addin__channel *ch)
{
	addin__channel_stats st;
	addin__channel_stats_get(ch, &st);
	return st.unknown_ids;
}

static void
test_deadline(void)
{
	addin__sup                      *sup = sup_new();
	uint64_t                         obj;
	addin__proc                     *p = spawn_svc(sup, "slow", 2, &obj);
	Bulkhead__Test__V1__SleepRequest req =
	    BULKHEAD__TEST__V1__SLEEP_REQUEST__INIT;
	ProtobufCMessage *reply;
	int64_t           t0;

	req.has_ms = true;
	req.ms     = 3000;
	t0         = addin_test_now_ms();
	ADDIN_FAIL(addin__channel_call(addin__proc_channel(p), obj, TS,
	                               M_SLEEP, &req.base, 300, &reply),
	           ADDIN_ETIMEDOUT);
	ADDIN_CHECK_INT(addin_test_now_ms() - t0, >=, 290);
	ADDIN_CHECK_INT(addin_test_now_ms() - t0, <, 1500);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "did not answer within 300 ms");
	// The channel is still fine; the late reply will be dropped, counted.
	ADDIN_PASS(echo(addin__proc_channel(p), obj, 5, 0, NULL));

	// A runner that is stopped entirely answers nothing.
	ADDIN_CHECK(addin_test_stop(addin__proc_pid(p)));
	t0 = addin_test_now_ms();
	ADDIN_FAIL(echo(addin__proc_channel(p), obj, 6, 250, NULL),
	           ADDIN_ETIMEDOUT);
	ADDIN_CHECK_INT(addin_test_now_ms() - t0, <, 1500);
	ADDIN_CHECK(kill(addin__proc_pid(p), SIGCONT) == 0);
	ADDIN_PASS(echo(addin__proc_channel(p), obj, 7, 0, NULL));
	// The replies to both timed-out calls arrive for nobody: the echo's
	// once the runner runs again, the Sleep's when it has slept.
	ADDIN_WAIT_UNTIL(unknown_ids(addin__proc_channel(p)) >= 2, 10000);
	addin__channel_stats st;
	addin__channel_stats_get(addin__proc_channel(p), &st);
	ADDIN_CHECK_INT(st.timeouts, ==, 2);
	ADDIN_CHECK_INT(st.unknown_ids, ==, 2);
	addin__proc_unref(p);
	addin__sup_destroy(sup);
}

// ---- garbage --------------------------------------------------------

// A corpus of valid frames of every kind, to mutate.
static size_t
make_corpus(uint8_t bufs[][256], size_t lens[])
{
	static const int kinds[] = {
	    ADDIN__WIRE__V1__KIND__CALL,      ADDIN__WIRE__V1__KIND__RETURN,
	    ADDIN__WIRE__V1__KIND__FAULT,     ADDIN__WIRE__V1__KIND__HELLO,
	    ADDIN__WIRE__V1__KIND__HELLO_ACK, ADDIN__WIRE__V1__KIND__CANCEL};
	size_t n = 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		addin__hdr             h     = ADDIN__WIRE__V1__HEADER__INIT;
		Addin__Wire__V1__Hello hello = ADDIN__WIRE__V1__HELLO__INIT;
		Bulkhead__Test__V1__EchoRequest req =
		    BULKHEAD__TEST__V1__ECHO_REQUEST__INIT;
		char fm[]          = "mutated fault";
		req.has_value      = true;
		req.value          = 99;
		h.has_kind         = true;
		h.kind             = kinds[k];
		h.has_call_id      = true;
		h.call_id          = 1000 + k;
		h.has_object_id    = true;
		h.object_id        = k % 2;
		h.has_method       = true;
		h.method           = 1;
		h.has_fault_code   = true;
		h.fault_code       = ADDIN_EREMOTE;
		h.fault_message    = fm;
		hello.has_wire_min = hello.has_wire_max = true;
		hello.wire_min = hello.wire_max = 1;
		h.hello                         = &hello;
		uint8_t hb[200];
		size_t  hl = addin__wire__v1__header__pack(&h, hb);
		size_t  pl =
                    kinds[k] == ADDIN__WIRE__V1__KIND__CALL
		         ? bulkhead__test__v1__echo_request__pack(&req, hb + hl)
		         : 0;
		bufs[n][0] = 1;
		bufs[n][1] = (uint8_t) hl;
		memcpy(bufs[n] + 2, hb, hl + pl);
		lens[n++] = 2 + hl + pl;
	}
	return n;
}

// True for mutants that are valid frames with an effect we do not want in
// this test (a GOODBYE closes the channel; Shutdown or Unload on object 0
// would end the runner).  Those are correct frames, not garbage: skip them.
static bool
harmful(const uint8_t *b, size_t len)
{
	addin__hdr    *h;
	const uint8_t *p;
	size_t         n;
	bool           bad = false;
	if (addin__frame_parse(b, len, &h, &p, &n) != ADDIN_OK) {
		return false;
	}
	bad = h->kind == ADDIN__WIRE__V1__KIND__GOODBYE ||
	      (h->kind == ADDIN__WIRE__V1__KIND__CALL && h->object_id == 0);
	addin__hdr_free(h);
	return bad;
}

// Send @count mutants through @from; returns how many were sent.
static int
send_garbage(addin__channel *from, int count, unsigned seed)
{
	uint8_t corpus[8][256], buf[300];
	size_t  lens[8];
	size_t  nc   = make_corpus(corpus, lens);
	int     sent = 0;

	while (sent < count) {
		size_t k   = (size_t) rand_r(&seed) % nc;
		size_t len = lens[k];
		memcpy(buf, corpus[k], len);
		int mode = rand_r(&seed) % 4;
		if (mode == 0) { // random bytes
			len = (size_t) rand_r(&seed) % sizeof(buf);
			for (size_t i = 0; i < len; i++) {
				buf[i] = (uint8_t) rand_r(&seed);
			}
		} else { // flip 1..4 bytes, maybe truncate
			for (int f = 1 + rand_r(&seed) % 4; f > 0; f--) {
				buf[(size_t) rand_r(&seed) % len] =
				    (uint8_t) rand_r(&seed);
			}
			if (mode == 3) {
				len = (size_t) rand_r(&seed) % len;
			}
		}
		if (harmful(buf, len)) {
			continue;
		}
		ADDIN_PASS(addin__channel_send_raw(from, buf, len));
		sent++;
	}
	return sent;
}

static void
test_ping(Addin__Wire__V1__Control_Service *s,
          const Addin__Wire__V1__Empty     *in,
          Addin__Wire__V1__Empty_Closure done, void *data)
{
	Addin__Wire__V1__Empty e = ADDIN__WIRE__V1__EMPTY__INIT;
	(void) s;
	(void) in;
	done(&e, data);
}

// How many frames @ch took (decoded or not) since @before.
static uint64_t
frames_taken(addin__channel *ch, const addin__channel_stats *before)
{
	addin__channel_stats st;
	addin__channel_stats_get(ch, &st);
	return st.frames_in + st.bad_frames -
	       (before->frames_in + before->bad_frames);
}

static void
test_garbage_to_host(void)
{
	addin__executor                 *ex;
	addin__channel                  *host, *peer;
	addin__channel_cfg               cfg = {0};
	char                             url[128];
	uint8_t                          token[32] = {7};
	addin__channel_stats             before, after;
	ProtobufCMessage                *reply;
	Addin__Wire__V1__Empty           e = ADDIN__WIRE__V1__EMPTY__INIT;
	Addin__Wire__V1__Control_Service ctl;

	ADDIN_PASS(addin__executor_create(2, 8, &ex));
	snprintf(url, sizeof(url), "ipc:///tmp/bulkhead-garbage-%d.ipc",
	         getpid());
	cfg.url       = url;
	cfg.listener  = true;
	cfg.token     = token;
	cfg.token_len = sizeof(token);
	cfg.executor  = ex;
	cfg.label     = "garbage peer";
	ADDIN_PASS(addin__channel_open(&cfg, &host));
	cfg.listener = false;
	ADDIN_PASS(addin__channel_open(&cfg, &peer));
	ADDIN_PASS(addin__channel_handshake(peer, 5000));
	ADDIN_PASS(addin__channel_handshake(host, 5000));
	// The host side serves a Control object; only Ping is answered.
	addin__wire__v1__control__init(&ctl, NULL);
	ctl.ping = test_ping;
	ADDIN_PASS(
	    addin__channel_export_at(host, 0, &ctl.base, NULL, NULL, "h"));

	addin__channel_stats_get(host, &before);
	int sent = send_garbage(peer, 10000, 99);
	// Wait until the host has taken every frame.
	ADDIN_WAIT_UNTIL(frames_taken(host, &before) >= (uint64_t) sent,
	                 10000);
	addin__channel_stats_get(host, &after);
	ADDIN_CHECK_INT(after.frames_in + after.bad_frames -
	                    (before.frames_in + before.bad_frames),
	                ==, sent);
	ADDIN_CHECK_INT(after.bad_frames, >, 2000);
	ADDIN_CHECK_INT(after.unexpected + after.unknown_ids, >, 500);
	ADDIN_CHECK(addin__channel_is_open(host));
	// And it still answers a real call.
	ADDIN_PASS(addin__channel_call(peer, 0,
	                               &addin__wire__v1__control__descriptor,
	                               4 /* Ping */, &e.base, 5000, &reply));
	protobuf_c_message_free_unpacked(reply, &addin__pb_allocator);
	// A method the service left NULL is "not implemented", not a crash.
	ADDIN_FAIL(addin__channel_call(peer, 0,
	                               &addin__wire__v1__control__descriptor,
	                               6 /* Stats */, &e.base, 5000, &reply),
	           ADDIN_EUNIMPL);
	ADDIN_CHECK_CONTAINS(addin_errmsg(),
	                     "Control.Stats is not implemented");
	addin__channel_close(peer);
	addin__channel_close(host);
	addin__executor_destroy(ex);
}

static void
test_garbage_to_runner(void)
{
	addin__sup                    *sup = sup_new();
	uint64_t                       obj;
	addin__proc                   *p  = spawn_svc(sup, "garbage", 2, &obj);
	addin__channel                *ch = addin__proc_channel(p);
	Addin__Wire__V1__Empty         e  = ADDIN__WIRE__V1__EMPTY__INIT;
	ProtobufCMessage              *reply;
	int                            sent = send_garbage(ch, 10000, 4242);
	Addin__Wire__V1__ChannelStats *st   = NULL;
	addin_test_wait                w    = addin_test_wait_start(10000);

	// The runner counts every frame and still serves.  (Its counts are
	// in another process: asked for until they are complete.)
	for (int i = 0;; i++) {
		ADDIN_PASS(addin__channel_call(
		    ch, 0, &addin__wire__v1__control__descriptor,
		    6 /* Stats */, &e.base, 5000, &reply));
		st = (void *) reply;
		// frames_in includes our Stats calls so far (i + 1) and the
		// load and hello.
		if (st->frames_in + st->bad_frames >=
		    (uint64_t) sent + 3 + i) {
			break;
		}
		protobuf_c_message_free_unpacked(reply, &addin__pb_allocator);
		st = NULL;
		if (!addin_test_wait_more(&w)) {
			break;
		}
	}
	ADDIN_CHECKF(st != NULL, "the runner did not count %d frames", sent);
	ADDIN_CHECK_INT(st->bad_frames, >, 2000);
	protobuf_c_message_free_unpacked(&st->base, &addin__pb_allocator);
	ADDIN_PASS(echo(ch, obj, 11, 0, NULL));
	ADDIN_CHECK(addin__proc_alive(p));
	addin__proc_unref(p);
	addin__sup_destroy(sup);
}

// ---- handshake ----------------------------------------------------

static void
test_wrong_token_refused(void)
{
	addin__executor   *ex;
	addin__channel    *host, *peer;
	addin__channel_cfg cfg = {0};
	char               url[128];
	uint8_t            good[32] = {1}, bad[32] = {2};

	ADDIN_PASS(addin__executor_create(1, 4, &ex));
	snprintf(url, sizeof(url), "ipc:///tmp/bulkhead-token-%d.ipc",
	         getpid());
	cfg.url       = url;
	cfg.listener  = true;
	cfg.token     = good;
	cfg.token_len = sizeof(good);
	cfg.executor  = ex;
	ADDIN_PASS(addin__channel_open(&cfg, &host));
	cfg.listener = false;
	cfg.token    = bad;
	ADDIN_PASS(addin__channel_open(&cfg, &peer));
	(void) addin__channel_handshake(peer, 500);
	ADDIN_FAIL(addin__channel_handshake(host, 2000), ADDIN_EAUTH);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "wrong token");
	addin__channel_close(peer);
	addin__channel_close(host);
	addin__executor_destroy(ex);
}

static void
test_stranger_cannot_connect(void)
{
	addin__executor   *ex;
	addin__channel    *host, *peer;
	addin__channel_cfg cfg = {0};
	char               url[128];
	uint8_t            token[32] = {1};

	ADDIN_PASS(addin__executor_create(1, 4, &ex));
	snprintf(url, sizeof(url), "ipc:///tmp/bulkhead-stranger-%d.ipc",
	         getpid());
	cfg.url       = url;
	cfg.listener  = true;
	cfg.token     = token;
	cfg.token_len = sizeof(token);
	cfg.executor  = ex;
	// Expect a process that is neither us nor an ancestor of ours.
	pid_t other = fork();
	if (other == 0) {
		pause();
		_exit(0);
	}
	cfg.expected_pid = other;
	ADDIN_PASS(addin__channel_open(&cfg, &host));
	cfg.listener = false;
	// Even with the right token, the wrong process is turned away: its
	// connection is closed before anything it sends is read.  It dials
	// (and redials) while the host waits for its handshake.
	if (addin__channel_open(&cfg, &peer) != ADDIN_OK) {
		peer = NULL;
	}
	ADDIN_FAIL(addin__channel_handshake(host, 300), ADDIN_ETIMEDOUT);
	ADDIN_CHECK_INT(addin__channel_peer_pid(host), ==, 0);
	if (peer != NULL) {
		addin__channel_close(peer);
	}
	addin__channel_close(host);
	addin__executor_destroy(ex);
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
}

static void
test_version_mismatch(void)
{
	addin__executor   *ex;
	addin__channel    *host;
	addin__channel_cfg cfg = {0};
	char               url[128];
	uint8_t            token[32] = {3};
	nng_socket         s;
	uint8_t            buf[256];

	ADDIN_PASS(addin__executor_create(1, 4, &ex));
	snprintf(url, sizeof(url), "ipc:///tmp/bulkhead-version-%d.ipc",
	         getpid());
	cfg.url       = url;
	cfg.listener  = true;
	cfg.token     = token;
	cfg.token_len = sizeof(token);
	cfg.executor  = ex;
	ADDIN_PASS(addin__channel_open(&cfg, &host));
	// A peer from the future: wire versions 5..6 only.
	ADDIN_CHECK(nng_pair1_open(&s) == 0);
	ADDIN_CHECK(nng_dial(s, url, NULL, 0) == 0);
	addin__hdr             h     = ADDIN__WIRE__V1__HEADER__INIT;
	Addin__Wire__V1__Hello hello = ADDIN__WIRE__V1__HELLO__INIT;
	hello.has_wire_min = hello.has_wire_max = hello.has_token = true;
	hello.wire_min                                            = 5;
	hello.wire_max                                            = 6;
	hello.token.data                                          = token;
	hello.token.len = sizeof(token);
	h.has_kind      = true;
	h.kind          = ADDIN__WIRE__V1__KIND__HELLO;
	h.hello         = &hello;
	size_t hl       = addin__wire__v1__header__pack(&h, buf + 2);
	buf[0]          = 1;
	buf[1]          = (uint8_t) hl;
	ADDIN_CHECK(nng_send(s, buf, hl + 2, 0) == 0);
	ADDIN_FAIL(addin__channel_handshake(host, 2000), ADDIN_EVERSION);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "5..6");
	// The peer got our range back so it can say why too.
	nng_msg *m;
	nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 2000);
	ADDIN_CHECK(nng_recvmsg(s, &m, 0) == 0);
	addin__hdr    *ack;
	const uint8_t *pl;
	size_t         pn;
	ADDIN_PASS(addin__frame_parse(nng_msg_body(m), nng_msg_len(m), &ack,
	                              &pl, &pn));
	ADDIN_CHECK_INT(ack->kind, ==, ADDIN__WIRE__V1__KIND__HELLO_ACK);
	ADDIN_CHECK_INT(ack->hello->wire_max, ==, ADDIN_WIRE_VERSION);
	addin__hdr_free(ack);
	nng_msg_free(m);
	nng_close(s);
	addin__channel_close(host);
	addin__executor_destroy(ex);
}

// ---- processes ----------------------------------------------------

// Starts minihost (with @lib: its add-in process busy in a call), kills it
// hard and checks that its add-in process is gone within 1 s.
static void
host_dies(const char *lib)
{
	int   out[2];
	pid_t host;
	char  line[32] = "";
	char  path[]   = MINIHOST;
	char  arg[]    = TESTSVC_LIB;
	char *argv[]   = {path, lib != NULL ? arg : NULL, NULL};
	posix_spawn_file_actions_t fa;
	int                        status, runner;
	FILE                      *f;
	addin_test_event           entered;

	// Become the subreaper so the orphaned runner is ours to reap.
	ADDIN_CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	// minihost hands the event on to its runner, whose Sleep raises it.
	addin_test_event_open(&entered);
	ADDIN_CHECK(setenv(ADDIN_TEST_ENTERED_ENV, entered.path, 1) == 0);
	ADDIN_CHECK(pipe(out) == 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	ADDIN_CHECK(posix_spawn(&host, MINIHOST, &fa, NULL, argv, environ) ==
	            0);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	f = fdopen(out[0], "r");
	ADDIN_CHECK(fgets(line, sizeof(line), f) != NULL);
	fclose(f);
	runner = atoi(line);
	ADDIN_CHECK(runner > 0);
	ADDIN_CHECK(kill(runner, 0) == 0);
	if (lib != NULL) {
		ADDIN_WAIT_EVENT(&entered, 10000); // the runner is busy
	}
	// The host dies hard: no chance to shut anything down.
	ADDIN_CHECK(kill(host, SIGKILL) == 0);
	ADDIN_CHECK(waitpid(host, &status, 0) == host);
	ADDIN_WAIT_UNTILF(waitpid(runner, &status, WNOHANG) == runner, 1000,
	                  "runner %d outlived its host by 1 s", runner);
	addin_test_event_close(&entered);
}

static void
test_runner_dies_with_host(void)
{
	host_dies(NULL);
}

// Busy in a 60 s call, the runner cannot leave through its dropped channel
// (its executor waits for the sleeping worker): PR_SET_PDEATHSIG ends it.
static void
test_busy_runner_dies_with_host(void)
{
	host_dies(TESTSVC_LIB);
}

// The host alive, its end of the channel closed: the runner notices and
// leaves by itself (the other way out besides PR_SET_PDEATHSIG).
static void
test_runner_leaves_when_channel_closes(void)
{
	addin__sup     *sup = sup_new();
	uint64_t        obj;
	addin__proc    *p = spawn_svc(sup, "left alone", 2, &obj);
	addin__channel *ch;
	int             status = 0;
	int64_t         t0;

	ADDIN_PASS(echo(addin__proc_channel(p), obj, 3, 0, NULL));
	// Close with a reference of our own: the process keeps its own.
	ch = addin__channel_ref(addin__proc_channel(p));
	t0 = addin_test_now_ms();
	addin__channel_close(ch);
	ADDIN_PASS(addin__proc_wait(p, 1000, &status));
	printf("  runner left %lld ms after the close: %s\n",
	       (long long) (addin_test_now_ms() - t0), addin__proc_death(p));
	ADDIN_CHECKF(WIFEXITED(status) &&
	                 WEXITSTATUS(status) == ADDIN_EXIT_HOST_GONE,
	             "status 0x%x", status);
	addin__proc_unref(p);
	addin__sup_destroy(sup);
}

typedef struct {
	addin__channel   *ch;
	addin_test_event *entered;
} closer_ctx;

// Closes the channel once the call it serves has entered (the test
// service raises "entered" before it sleeps).
static void *
close_when_entered(void *arg)
{
	closer_ctx *c = arg;
	ADDIN_WAIT_EVENT(c->entered, 10000);
	addin__channel_close(c->ch);
	return NULL;
}

// A peer that closes its end (alive, not killed) fails the calls waiting on
// it at once with ADDIN_ECLOSED, not at their deadline.
static void
test_peer_close_fails_calls(void)
{
	addin__executor                 *ex;
	addin__channel                  *callee, *caller;
	addin__channel_cfg               cfg = {0};
	char                             url[128];
	uint8_t                          token[32] = {9};
	uint64_t                         obj;
	pthread_t                        th;
	ProtobufCMessage                *reply;
	Bulkhead__Test__V1__SleepRequest req =
	    BULKHEAD__TEST__V1__SLEEP_REQUEST__INIT;
	addin_test_event entered;
	closer_ctx       closer = {NULL, &entered};

	// The service runs in this process: it sees this environment.
	addin_test_event_open(&entered);
	ADDIN_CHECK(setenv(ADDIN_TEST_ENTERED_ENV, entered.path, 1) == 0);
	ADDIN_PASS(addin__executor_create(2, 8, &ex));
	snprintf(url, sizeof(url), "ipc:///tmp/bulkhead-close-%d.ipc",
	         getpid());
	cfg.url       = url;
	cfg.listener  = true;
	cfg.token     = token;
	cfg.token_len = sizeof(token);
	cfg.executor  = ex;
	cfg.label     = "closing peer";
	ADDIN_PASS(addin__channel_open(&cfg, &callee));
	cfg.listener = false;
	ADDIN_PASS(addin__channel_open(&cfg, &caller));
	ADDIN_PASS(addin__channel_handshake(caller, 5000));
	ADDIN_PASS(addin__channel_handshake(callee, 5000));
	ADDIN_PASS(addin__channel_export(callee, testsvc_create(), svc_release,
	                                 NULL, "callee", &obj));

	// The call sleeps 3 s with a 10 s deadline; its callee closes once
	// the call has entered.
	req.has_ms = true;
	req.ms     = 3000;
	closer.ch  = callee;
	ADDIN_CHECK(pthread_create(&th, NULL, close_when_entered, &closer) ==
	            0);
	int64_t t0 = addin_test_now_ms();
	ADDIN_FAIL(addin__channel_call(caller, obj, TS, M_SLEEP, &req.base,
	                               10 * 1000, &reply),
	           ADDIN_ECLOSED);
	int64_t took = addin_test_now_ms() - t0;
	ADDIN_CHECKF(took < 1500, "failed after %" PRId64 " ms", took);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "Sleep");
	// And every later call fails the same way at once.
	ADDIN_FAIL(echo(caller, obj, 1, 10 * 1000, NULL), ADDIN_ECLOSED);
	pthread_join(th, NULL);
	addin__channel_close(caller);
	addin__executor_destroy(ex);
	unlink(url + strlen("ipc://"));
	addin_test_event_close(&entered);
}

static void
test_no_descriptor_or_process_leak(void)
{
	addin__sup  *sup = sup_new();
	int          before, after;
	uint64_t     obj;
	addin__proc *first;

	// One process first, so that what nng creates once is there; it runs
	// on until the end, so that the count is taken when nothing is being
	// closed (nng closes a connection's descriptor on its own thread,
	// after the call that closed it returned).
	first  = spawn_svc(sup, "warmup", 1, &obj);
	before = addin_test_fd_count();
	for (int i = 0; i < 20; i++) {
		addin__proc *p = spawn_svc(sup, "cycle", 1, &obj);
		ADDIN_PASS(
		    echo(addin__proc_channel(p), obj, (uint64_t) i, 0, NULL));
		if (i % 2 == 0) {
			// Half of them die hard instead of shutting down.
			addin__proc_kill(p, "test");
		}
		addin__proc_unref(p);
	}
	after = addin_test_fd_count_back_to(before);
	ADDIN_CHECK_INT(after, <=, before);
	addin__proc_unref(first);
	ADDIN_CHECK_INT(addin__sup_processes(sup), ==, 0);
	ADDIN_CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
	addin__sup_destroy(sup);
}

static void
test_load_errors_name_the_file(void)
{
	addin__sup                  *sup = sup_new();
	addin__proc_opts             po  = {0};
	addin__proc                 *p;
	uint64_t                     obj;
	Addin__Wire__V1__LoadRequest req;
	char missing[] = "/nonexistent/libnothing.so", lib[] = TESTSVC_LIB;
	char noentry[] = SDK_LIB;
	char name[]    = "broken";

	po.name = "loader";
	ADDIN_PASS(addin__proc_spawn(sup, &po, &p));
	testsvc_load_request(&req, name, missing);
	ADDIN_FAIL(addin__proc_load(p, &req, &obj), ADDIN_ELOAD);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "/nonexistent/libnothing.so");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "broken");
	// A library that is not an add-in: the runtime itself.
	testsvc_load_request(&req, name, lib);
	req.addin_path = noentry;
	ADDIN_FAIL(addin__proc_load(p, &req, &obj), ADDIN_ESYMBOL);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "addin_entry_addin");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), noentry);
	// The process is still fine.
	testsvc_load_request(&req, name, lib);
	ADDIN_PASS(addin__proc_load(p, &req, &obj));
	ADDIN_PASS(echo(addin__proc_channel(p), obj, 3, 0, NULL));
	ADDIN_PASS(addin__proc_unload(p, obj));
	ADDIN_FAIL(echo(addin__proc_channel(p), obj, 3, 0, NULL),
	           ADDIN_ENOTFOUND);
	addin__proc_unref(p);
	addin__sup_destroy(sup);
}

static void
test_missing_runner(void)
{
	addin__sup_cfg   cfg = {0};
	addin__sup      *sup;
	addin__proc_opts po = {0};
	addin__proc     *p;

	cfg.runner_path = "/nonexistent/addin-runner";
	ADDIN_PASS(addin__sup_create(&cfg, &sup));
	po.name = "nowhere";
	ADDIN_FAIL(addin__proc_spawn(sup, &po, &p), ADDIN_ESPAWN);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "/nonexistent/addin-runner");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "nowhere");
	addin__sup_destroy(sup);
}

static void
test_runtime_dir_private_and_removed(void)
{
	addin__sup *sup = sup_new();
	struct stat st;
	char        dir[256];
	snprintf(dir, sizeof(dir), "%s", addin__sup_runtime_dir(sup));
	ADDIN_CHECK(stat(dir, &st) == 0);
	ADDIN_CHECK_INT(st.st_mode & 0777, ==, 0700);
	addin__sup_destroy(sup);
	ADDIN_CHECK(stat(dir, &st) != 0);
}

ADDIN_TEST_LIST = {
    {"every field type crosses the process boundary (bytes up to 10 MB)",
     test_all_types_cross},
    {"faults carry the implementation's code and message", test_fault_crosses},
    {"4 threads x 10,000 calls in flight: every reply matches its call",
     test_concurrent_calls_match},
    {"callback chain host -> add-in -> host -> add-in on waiting threads",
     test_callback_chain},
    {"4 threads run nested chains at once", test_concurrent_chains},
    {"a runner killed mid-call fails its caller within 100 ms",
     test_kill_fails_caller_fast},
    {"a silent or stopped runner fails the call at its deadline",
     test_deadline},
    {"10,000 mutated frames to the host side are rejected and counted",
     test_garbage_to_host},
    {"10,000 mutated frames to the runner are rejected and counted",
     test_garbage_to_runner},
    {"a wrong token is refused", test_wrong_token_refused},
    {"only the spawned process may connect", test_stranger_cannot_connect},
    {"a peer with no common wire version is refused", test_version_mismatch},
    {"the runner dies with its host", test_runner_dies_with_host},
    {"the runner leaves when its channel closes, its host alive",
     test_runner_leaves_when_channel_closes},
    {"a runner busy in a call dies with its host",
     test_busy_runner_dies_with_host},
    {"a peer closing its end fails waiting calls at once",
     test_peer_close_fails_calls},
    {"20 spawn/kill cycles leak no descriptor and no process",
     test_no_descriptor_or_process_leak},
    {"load errors name the add-in and the file",
     test_load_errors_name_the_file},
    {"a missing runner is a clear spawn error", test_missing_runner},
    {"the runtime directory is private and removed",
     test_runtime_dir_private_and_removed},
    {NULL, NULL},
};
