// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The add-in side of bench-calls, loaded by addin-runner as a segment
// (tests/fixtures/service_segment.h): Inc for the proxy/stub path, and
// StartEcho for the raw nng ping-pong it is compared with, so both run
// between the same two processes.

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <pthread.h>
#include <stdlib.h>

#include "addin/adapter.h"
#include "addin/err.h"
#include "calls.pb-c.h"
#include "service_segment.h"

static void
svc_inc(Bulkhead__Bench__V1__Calls_Service *s,
        const Bulkhead__Bench__V1__Int     *in,
        Bulkhead__Bench__V1__Int_Closure done, void *data)
{
	Bulkhead__Bench__V1__Int out = BULKHEAD__BENCH__V1__INT__INIT;
	(void) s;
	out.has_v = true;
	out.v     = in->v + 1;
	done(&out, data);
}

typedef struct echo {
	nng_socket sock;
	size_t     reply_size;
} echo;

// Answers every message with one of reply_size bytes; stops at a 0-byte
// message or when the socket fails.
static void *
echo_loop(void *arg)
{
	echo    *e = arg;
	nng_msg *m;
	while (nng_recvmsg(e->sock, &m, 0) == 0) {
		size_t len = nng_msg_len(m);
		nng_msg_free(m);
		if (len == 0 || nng_msg_alloc(&m, e->reply_size) != 0) {
			break;
		}
		if (nng_sendmsg(e->sock, m, 0) != 0) {
			nng_msg_free(m);
			break;
		}
	}
	nng_close(e->sock);
	free(e);
	return NULL;
}

static void
svc_start_echo(Bulkhead__Bench__V1__Calls_Service   *s,
               const Bulkhead__Bench__V1__EchoSetup *in,
               Bulkhead__Bench__V1__Int_Closure done, void *data)
{
	Bulkhead__Bench__V1__Int out = BULKHEAD__BENCH__V1__INT__INIT;
	echo                    *e   = calloc(1, sizeof(*e));
	pthread_t                t;
	int                      rv;
	(void) s;
	if (e == NULL || in->url == NULL) {
		free(e);
		addin_adapter_fail((ProtobufCClosure) done, data, ADDIN_EINVAL,
		                   "StartEcho: no url");
		return;
	}
	e->reply_size = in->reply_size;
	if ((rv = nng_pair1_open(&e->sock)) != 0 ||
	    (rv = nng_dial(e->sock, in->url, NULL, 0)) != 0) {
		addin_adapter_fail((ProtobufCClosure) done, data, ADDIN_EIO,
		                   "StartEcho: %s: %s", in->url,
		                   nng_strerror(rv));
		nng_close(e->sock);
		free(e);
		return;
	}
	if (pthread_create(&t, NULL, echo_loop, e) != 0) {
		nng_close(e->sock);
		free(e);
		addin_adapter_fail((ProtobufCClosure) done, data, ADDIN_ENOMEM,
		                   "StartEcho: no thread");
		return;
	}
	pthread_detach(t);
	done(&out, data);
}

static void
svc_destroy(Bulkhead__Bench__V1__Calls_Service *s)
{
	free(s);
}

static ProtobufCService *
calls_create(void)
{
	Bulkhead__Bench__V1__Calls_Service *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return NULL;
	}
	bulkhead__bench__v1__calls__init(s, svc_destroy);
	s->inc        = svc_inc;
	s->start_echo = svc_start_echo;
	return &s->base;
}

SERVICE_SEGMENT(BENCH_CALLS_VIEW_ID, "00",
                &bulkhead__bench__v1__calls__descriptor, calls_create);
