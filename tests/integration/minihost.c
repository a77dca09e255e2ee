// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// minihost: a host that starts one add-in process, prints its pid and then
// waits to be killed.  The host-death tests kill it and watch the add-in
// process go too.
//
// Usage: minihost [TESTSVC_LIB]
// With the test service's library, the add-in process loads it and is kept
// busy serving a long Sleep call: it can then only leave through
// PR_SET_PDEATHSIG, not through its channel dropping (its executor would
// wait for the sleeping worker).  The call is started before the pid is
// printed; $BULKHEAD_TEST_ENTERED (the test's event, addin_test_signal.h)
// is handed on to the add-in process, whose Sleep raises it once the call
// has reached a worker.

#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "addin_test_signal.h"
#include "channel.h"
#include "proc.h"
#include "testsvc.h"

enum { M_SLEEP = 3 };

static int
fail(void)
{
	fprintf(stderr, "minihost: %s\n", addin_errmsg());
	return 1;
}

int
main(int argc, char **argv)
{
	addin__sup_cfg   cfg = {0};
	addin__sup      *sup;
	addin__proc_opts po = {0};
	addin__proc     *p;
	const char      *entered = getenv(ADDIN_TEST_ENTERED_ENV);
	char             env0[512];
	const char      *env[] = {env0, NULL};

	cfg.runner_path = ADDIN_TEST_RUNNER;
	po.name         = "orphan-to-be";
	if (entered != NULL) {
		snprintf(env0, sizeof(env0), "%s=%s", ADDIN_TEST_ENTERED_ENV,
		         entered);
		po.env = env;
	}
	if (addin__sup_create(&cfg, &sup) != ADDIN_OK ||
	    addin__proc_spawn(sup, &po, &p) != ADDIN_OK) {
		return fail();
	}
	if (argc > 1) {
		Addin__Wire__V1__LoadRequest     load;
		Bulkhead__Test__V1__SleepRequest req =
		    BULKHEAD__TEST__V1__SLEEP_REQUEST__INIT;
		char         name[] = "busy";
		uint64_t     obj;
		addin__call *call;

		testsvc_load_request(&load, name, argv[1]);
		req.has_ms = true;
		req.ms     = 60 * 1000;
		if (addin__proc_load(p, &load, &obj) != ADDIN_OK ||
		    addin__channel_call_start(
		        addin__proc_channel(p), obj,
		        &bulkhead__test__v1__test_service__descriptor, M_SLEEP,
		        &req.base, 120 * 1000, &call) != ADDIN_OK) {
			return fail();
		}
	}
	printf("%d\n", addin__proc_pid(p));
	fflush(stdout);
	for (;;) {
		pause();
	}
}
