// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// bench-calls: round trips per second of an int -> int call through the
// generic proxy and stub (host -> add-in process -> host), next to a raw nng
// pair1 ping-pong of the same frame sizes between the same two processes,
// measured in the same run in alternating batches.  The target: the
// proxy/stub path reaches at least 0.85 of the raw ping-pong.
//
// For reference it also times a call as a host makes it through the public
// API: the calculator's Operate through its host view and the generated
// adapters, activated in its own process.
//
// Usage: bench-calls [CALLS_PER_BATCH [BATCHES]]   (default 20000 5)

#define _GNU_SOURCE

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <unistd.h>

#include "addin/adapter.h"
#include "bench_util.h"
#include "calls.pb-c.h"
#include "frame.h"
#include "proc.h"
#include "proxy.h"
#include "service_segment_load.h"

typedef Bulkhead__Bench__V1__Int Int;

static void
die(const char *what)
{
	fprintf(stderr, "bench-calls: %s: %s\n", what, addin_errmsg());
	exit(1);
}

static void
die_nng(const char *what, int rv)
{
	fprintf(stderr, "bench-calls: %s: %s\n", what, nng_strerror(rv));
	exit(1);
}

// The size of a frame holding @hdr and @payload (frame.h's layout:
// version byte, varint header length, header, payload).
static size_t
frame_size(const addin__hdr *hdr, const ProtobufCMessage *payload)
{
	size_t h = protobuf_c_message_get_packed_size(&hdr->base), n = 1;
	for (size_t v = h; v >= 0x80; v >>= 7) {
		n++;
	}
	return 1 + n + h + protobuf_c_message_get_packed_size(payload);
}

typedef struct reply {
	bool    ok;
	int64_t v;
} reply;

static void
int_done(const Int *out, void *data)
{
	reply *r = data;
	// A fault is not an Int (addin/adapter.h).
	r->ok = addin_adapter_fault((const ProtobufCMessage *) out, NULL) ==
	        ADDIN_OK;
	r->v = r->ok && out->has_v ? out->v : 0;
}

// @n Inc calls through @proxy; returns the elapsed seconds.
static double
run_proxy(ProtobufCService *proxy, int n)
{
	double t0 = bench_now_us();
	for (int i = 0; i < n; i++) {
		Int   in = BULKHEAD__BENCH__V1__INT__INIT;
		reply r  = {false, 0};
		in.has_v = true;
		in.v     = i;
		bulkhead__bench__v1__calls__inc(proxy, &in, int_done, &r);
		if (!r.ok || r.v != i + 1) {
			die("Inc");
		}
	}
	return (bench_now_us() - t0) / 1e6;
}

// @n raw round trips on @sock: a message of @req_size bytes out, one back.
static double
run_raw(nng_socket sock, size_t req_size, int n)
{
	double t0 = bench_now_us();
	for (int i = 0; i < n; i++) {
		nng_msg *m;
		int      rv;
		if ((rv = nng_msg_alloc(&m, req_size)) != 0) {
			die_nng("nng_msg_alloc", rv);
		}
		memset(nng_msg_body(m), 0x5a, req_size);
		if ((rv = nng_sendmsg(sock, m, 0)) != 0) {
			die_nng("nng_sendmsg", rv);
		}
		if ((rv = nng_recvmsg(sock, &m, 0)) != 0) {
			die_nng("nng_recvmsg", rv);
		}
		nng_msg_free(m);
	}
	return (bench_now_us() - t0) / 1e6;
}

// @n calculator Operate("+", 1, 2) calls through the public API.
static double
run_view(calculator_v1_calculator *c, int n)
{
	static const double ops[] = {1, 2};
	double              t0    = bench_now_us();
	for (int i = 0; i < n; i++) {
		double r;
		if (calculator_v1_calculator_operate(c, "+", ops, 2, &r) !=
		        ADDIN_OK ||
		    r != 3) {
			die("Operate");
		}
	}
	return (bench_now_us() - t0) / 1e6;
}

// The raw ping-pong's socket directory, removed at exit whatever happens.
static char echo_dir[] = "/tmp/bench-calls-XXXXXX";

static void
remove_echo_dir(void)
{
	char path[sizeof(echo_dir) + 8];
	snprintf(path, sizeof(path), "%s/echo", echo_dir);
	unlink(path);
	rmdir(echo_dir);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t) n, sizeof(*v), bench_cmp);
	return bench_pct(v, n, 0.5);
}

int
main(int argc, char **argv)
{
	int    n       = argc > 1 ? atoi(argv[1]) : 20000;
	int    batches = argc > 2 ? atoi(argv[2]) : 5;
	double raw[64], prx[64], view[64];
	char   url[128];
	char   lib[] = BENCH_CALLS_SVC, id[] = BENCH_CALLS_VIEW_ID,
	     hash[]                         = "00";
	addin__sup_cfg                 scfg = {0};
	addin__proc_opts               po   = {0};
	Addin__Wire__V1__LoadRequest   load;
	Bulkhead__Bench__V1__EchoSetup setup =
	    BULKHEAD__BENCH__V1__ECHO_SETUP__INIT;
	addin__hdr        call   = ADDIN__WIRE__V1__HEADER__INIT;
	addin__hdr        ret    = ADDIN__WIRE__V1__HEADER__INIT;
	Int               sample = BULKHEAD__BENCH__V1__INT__INIT;
	addin__sup       *sup;
	addin__proc      *p;
	ProtobufCService *proxy;
	uint64_t          obj;
	nng_socket        sock;
	size_t            req_size, rep_size;
	reply             started = {false, 0};
	int               rv;

	if (n <= 0 || batches <= 0 || batches > 64) {
		fprintf(stderr, "usage: bench-calls [CALLS (>0) [BATCHES "
		                "(1..64)]]\n");
		return 2;
	}

	// The add-in process, with the bench service loaded.
	if (addin__sup_create(&scfg, &sup) != ADDIN_OK) {
		die("supervisor");
	}
	po.name = "bench-calls";
	service_segment_load_request(&load, lib, lib, id, hash);
	if (addin__proc_spawn(sup, &po, &p) != ADDIN_OK ||
	    addin__proc_load(p, &load, &obj) != ADDIN_OK) {
		die("add-in process");
	}
	if (addin__proxy_create(addin__proc_channel(p), obj,
	                        &bulkhead__bench__v1__calls__descriptor, 0,
	                        &proxy) != ADDIN_OK) {
		die("proxy");
	}

	// The frames the proxy and stub exchange for one Inc: the raw
	// ping-pong sends the same sizes.
	sample.has_v         = true;
	sample.v             = n / 2;
	call.has_kind        = true;
	call.kind            = ADDIN__WIRE__V1__KIND__CALL;
	call.has_call_id     = true;
	call.call_id         = (uint64_t) n * (uint64_t) batches / 2;
	call.has_object_id   = true;
	call.object_id       = obj;
	call.has_method      = true;
	call.method          = 0;
	call.has_deadline_ms = true;
	call.deadline_ms     = 30000;
	ret.has_kind         = true;
	ret.kind             = ADDIN__WIRE__V1__KIND__RETURN;
	ret.has_call_id      = true;
	ret.call_id          = call.call_id;
	req_size             = frame_size(&call, &sample.base);
	sample.v++;
	rep_size = frame_size(&ret, &sample.base);

	// The raw ping-pong: the add-in process dials our pair1 listener and
	// echoes from a thread of its own.
	if (mkdtemp(echo_dir) == NULL) {
		perror("bench-calls: mkdtemp");
		return 1;
	}
	atexit(remove_echo_dir);
	snprintf(url, sizeof(url), "ipc://%s/echo", echo_dir);
	if ((rv = nng_pair1_open(&sock)) != 0 ||
	    (rv = nng_listen(sock, url, NULL, 0)) != 0) {
		die_nng(url, rv);
	}
	setup.url            = url;
	setup.has_reply_size = true;
	setup.reply_size     = (uint32_t) rep_size;
	bulkhead__bench__v1__calls__start_echo(proxy, &setup, int_done,
	                                       &started);
	if (!started.ok) {
		die("StartEcho");
	}

	// The public path: the example calculator in its own process.
	addin_store             *store;
	addin_token_list        *list;
	addin_host              *host;
	addin_object            *cobj;
	addin_activation_options ao = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_token *tok = bench_find_calculator(BENCH_PIPELINE, "bench-calls",
	                                         &store, &list);
	ao.isolation     = ADDIN_ISOLATION_OWN_PROCESS;
	if (addin_host_create(NULL, &host) != ADDIN_OK ||
	    addin_activate(host, tok, &ao, &cobj) != ADDIN_OK) {
		die("calculator");
	}
	calculator_v1_calculator *calc =
	    calculator_v1_calculator_from_object(cobj);

	// Warm up every path, then alternate batches so that drift in the
	// machine's load falls on all of them alike.
	run_raw(sock, req_size, n / 10 + 1);
	run_proxy(proxy, n / 10 + 1);
	run_view(calc, n / 10 + 1);
	for (int b = 0; b < batches; b++) {
		raw[b]  = n / run_raw(sock, req_size, n);
		prx[b]  = n / run_proxy(proxy, n);
		view[b] = n / run_view(calc, n);
	}

	double r = median(raw, batches), x = median(prx, batches);
	double v = median(view, batches);
	printf("int -> int round trips, host -> add-in process, %d batches of "
	       "%d (median)\n",
	       batches, n);
	printf("frames: call %zu bytes, reply %zu bytes\n", req_size,
	       rep_size);
	printf("%-34s %9.0f /s  %6.1f us\n", "raw nng pair1 ping-pong", r,
	       1e6 / r);
	printf("%-34s %9.0f /s  %6.1f us   = %.2f of raw; target >= 0.85: "
	       "%s\n",
	       "proxy/stub (Inc)", x, 1e6 / x, x / r,
	       x / r >= 0.85 ? "met" : "NOT met");
	printf("%-34s %9.0f /s  %6.1f us   = %.2f of raw\n",
	       "calculator view + adapters", v, 1e6 / v, v / r);

	// A 0-byte message stops the echo thread.
	nng_msg *stop;
	if (nng_msg_alloc(&stop, 0) == 0 && nng_sendmsg(sock, stop, 0) != 0) {
		nng_msg_free(stop);
	}
	nng_close(sock);
	calculator_v1_calculator_release(calc);
	addin_host_destroy(host);
	addin_token_list_destroy(list);
	addin_store_destroy(store);
	addin__proxy_destroy(proxy);
	addin__proc_unref(p);
	addin__sup_destroy(sup);
	return 0;
}
