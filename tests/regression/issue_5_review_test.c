// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Regressions found by a review of activation (issue 5): destroying the
// host unloaded an in-process add-in under a running call; shutting an
// add-in down freed its adapter state under a call in flight; a process
// released from two threads at once was freed under one of them; a
// controller reported the host's pid for a process that was gone.  (Run
// under AddressSanitizer in CI: the memory errors surface there.)

#define _GNU_SOURCE

#include <pthread.h>

#include "addin_test.h"
#include "calc_host_test.h"

typedef calculator_v1_calculator calc;

typedef struct {
	calc     *c;
	double    ms;
	addin_err rv;
} slow_ctx;

static void *
slow_call(void *arg)
{
	slow_ctx *s = arg;
	double    r;
	s->rv = calculator_v1_calculator_operate(s->c, "sleep", &s->ms, 1, &r);
	return NULL;
}

static addin_host *
host_with_grace(uint32_t grace_ms)
{
	addin_host_config cfg = ADDIN_HOST_CONFIG_INIT;
	addin_host       *h;
	cfg.shutdown_grace_ms = grace_ms;
	ADDIN_PASS(addin_host_create(&cfg, &h));
	return h;
}

static void
test_host_destroy_keeps_running_in_process_code(void)
{
	addin_host  *h = host_with_grace(200);
	addin_token *t =
	    addin_test_find_calc(PIPELINE_DIR, "Basic calculator");
	addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_object            *obj;
	slow_ctx                 s;
	pthread_t                th;
	addin_test_event         entered;

	// In the host's process, the add-in sees the host's environment.
	addin_test_event_open(&entered);
	ADDIN_CHECK(setenv(ADDIN_TEST_ENTERED_ENV, entered.path, 1) == 0);
	o.isolation = ADDIN_ISOLATION_IN_PROCESS;
	ADDIN_PASS(addin_activate(h, t, &o, &obj));
	s.c  = calculator_v1_calculator_from_object(obj);
	s.ms = 1000;
	pthread_create(&th, NULL, slow_call, &s);
	ADDIN_WAIT_EVENT(&entered, 10000); // the call sleeps in the add-in
	// The call outlives the grace: the host goes, the add-in's code stays
	// mapped until the call returned and the object is released.
	addin_host_destroy(h);
	pthread_join(th, NULL);
	ADDIN_PASS(s.rv);
	ADDIN_FAIL(
	    calculator_v1_calculator_operate(s.c, "+", NULL, 0, &(double) {0}),
	    ADDIN_ESHUTDOWN);
	addin_object_unref(obj);
	addin_token_unref(t);
	addin_test_event_close(&entered);
}

static void
test_shutdown_with_a_call_in_flight(void)
{
	addin_host  *h = host_with_grace(300);
	addin_token *t =
	    addin_test_find_calc(PIPELINE_DIR, "Basic calculator");
	addin_token *u =
	    addin_test_find_calc(PIPELINE_DIR, "Scientific calculator");
	addin_process           *proc;
	slow_ctx                 s;
	pthread_t                th;
	addin_activation_options o  = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_process_options    po = ADDIN_PROCESS_OPTIONS_INIT;
	addin_test_event         entered;
	const char              *env[] = {entered.env, NULL};
	addin_object            *a, *b;

	addin_test_event_open(&entered);
	po.env = env;
	ADDIN_PASS(addin_process_create(h, &po, &proc));
	o.isolation = ADDIN_ISOLATION_SHARED_PROCESS;
	o.process   = proc;
	ADDIN_PASS(addin_activate(h, t, &o, &a));
	ADDIN_PASS(addin_activate(h, u, &o, &b)); // keeps the process up
	s.c  = calculator_v1_calculator_from_object(a);
	s.ms = 800;
	pthread_create(&th, NULL, slow_call, &s);
	ADDIN_WAIT_EVENT(&entered, 10000); // the call sleeps in the process
	// Shut down while the call is in flight: the call finishes in the
	// process; the host-side adapter state must still be there for it.
	ADDIN_PASS(addin_controller_shutdown(addin_controller_get(a)));
	pthread_join(th, NULL);
	ADDIN_PASS(s.rv);
	ADDIN_FAIL(
	    calculator_v1_calculator_operate(s.c, "+", NULL, 0, &(double) {0}),
	    ADDIN_ESHUTDOWN);
	addin_object_unref(a);
	// The other add-in was never disturbed.
	double r = 0, v[2] = {1, 2};
	ADDIN_PASS(calculator_v1_calculator_operate(
	    calculator_v1_calculator_from_object(b), "+", v, 2, &r));
	ADDIN_CHECK(r == 3);
	addin_object_unref(b);
	addin_process_unref(proc);
	addin_token_unref(t);
	addin_token_unref(u);
	addin_host_destroy(h);
	addin_test_event_close(&entered);
}

typedef struct {
	addin_process *proc;
	addin_object  *obj;
} race_ctx;

static void *
drop_process(void *arg)
{
	addin_process_unref(((race_ctx *) arg)->proc);
	return NULL;
}

static void *
drop_object(void *arg)
{
	addin_object_unref(((race_ctx *) arg)->obj);
	return NULL;
}

static void
test_process_released_from_two_threads(void)
{
	addin_host  *h = host_with_grace(300);
	addin_token *t =
	    addin_test_find_calc(PIPELINE_DIR, "Basic calculator");

	for (int i = 0; i < 10; i++) {
		addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
		race_ctx                 r;
		pthread_t                a, b;
		ADDIN_PASS(addin_process_create(h, NULL, &r.proc));
		o.isolation = ADDIN_ISOLATION_SHARED_PROCESS;
		o.process   = r.proc;
		ADDIN_PASS(addin_activate(h, t, &o, &r.obj));
		// The add-in is shut down first, so that both releases race to
		// end and free the process.
		ADDIN_PASS(
		    addin_controller_shutdown(addin_controller_get(r.obj)));
		pthread_create(&a, NULL, drop_process, &r);
		pthread_create(&b, NULL, drop_object, &r);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
	}
	addin_token_unref(t);
	addin_host_destroy(h);
}

static void
test_controller_pid_after_host(void)
{
	addin_host  *h = host_with_grace(300);
	addin_token *t =
	    addin_test_find_calc(PIPELINE_DIR, "Basic calculator");
	addin_object *obj;
	ADDIN_PASS(addin_activate(h, t, NULL, &obj));
	ADDIN_CHECK(addin_controller_pid(addin_controller_get(obj)) > 0);
	addin_host_destroy(h);
	// Its process went with the host: 0, not the host's own pid.
	ADDIN_CHECK_INT(addin_controller_pid(addin_controller_get(obj)), ==,
	                0);
	addin_object_unref(obj);
	addin_token_unref(t);
}

ADDIN_TEST_LIST = {
    {"host destroy keeps in-process code that a call is running in",
     test_host_destroy_keeps_running_in_process_code},
    {"shutdown with a call in flight leaves the call its adapter",
     test_shutdown_with_a_call_in_flight},
    {"a process released from two threads at once is freed once",
     test_process_released_from_two_threads},
    {"a controller's pid is 0 once its process went with the host",
     test_controller_pid_after_host},
    {NULL, NULL},
};
