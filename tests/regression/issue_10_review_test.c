// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Regressions found by the review behind issue 10 (the structure issue):
// releasing an add-in process after destroying its host was a
// use-after-free (host.h promises objects may be released before or after
// the host); the host loaded a contract library without checking its
// entry; addin_process_shutdown racing an object's release used what the
// release freed; times above INT32_MAX ms turned negative.  (Run under AddressSanitizer in CI: the memory errors surface
// there.)

#define _GNU_SOURCE

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "addin_test.h"
#include "calc_host_test.h"

typedef calculator_v1_calculator calc;

static addin_host *
host_new(void)
{
	addin_host_config cfg = ADDIN_HOST_CONFIG_INIT;
	addin_host       *h;
	cfg.shutdown_grace_ms = 500;
	ADDIN_PASS(addin_host_create(&cfg, &h));
	return h;
}

// The reproduction: create a host, create a process, destroy the
// host, release the process.
static void
test_process_released_after_its_host(void)
{
	addin_host    *h = host_new();
	addin_process *p;
	char         **names;
	size_t         n;
	int            pid;

	ADDIN_PASS(addin_process_create(h, NULL, &p));
	pid = addin_process_pid(p);
	ADDIN_CHECK(pid > 0);
	addin_host_destroy(h);
	// The handle is still the caller's: it answers, and its process is
	// gone and reaped.
	ADDIN_CHECK_INT(addin_process_pid(p), ==, 0);
	ADDIN_CHECK_INT(kill(pid, 0), ==, -1);
	ADDIN_PASS(addin_process_addins(p, &names, &n));
	ADDIN_CHECK_INT(n, ==, 0);
	ADDIN_CHECK(names[0] == NULL);
	addin_free(names);
	ADDIN_PASS(addin_process_shutdown(p));
	ADDIN_CHECK(addin_process_ref(p) == p);
	ADDIN_CHECK(addin_process_unref(p) == NULL);
	ADDIN_CHECK(addin_process_unref(p) == NULL); // the last: freed
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
}

// The same with add-ins in the process whose objects the caller also
// keeps past the host, released in both orders.
static void
test_process_and_objects_outlive_the_host(void)
{
	for (int order = 0; order < 2; order++) {
		addin_host  *h = host_new();
		addin_token *t =
		    addin_test_find_calc(PIPELINE_DIR, "Basic calculator");
		addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
		addin_process           *p;
		addin_object            *obj[2];
		double                   r;

		ADDIN_PASS(addin_process_create(h, NULL, &p));
		o.isolation = ADDIN_ISOLATION_SHARED_PROCESS;
		o.process   = p;
		for (int i = 0; i < 2; i++) {
			ADDIN_PASS(addin_activate(h, t, &o, &obj[i]));
		}
		addin_host_destroy(h);
		for (int i = 0; i < 2; i++) {
			calc *c = calculator_v1_calculator_from_object(obj[i]);
			addin_controller *ctl = addin_controller_get(obj[i]);
			ADDIN_FAIL(calculator_v1_calculator_operate(
			               c, "+", (double[]) {1, 2}, 2, &r),
			           ADDIN_ESHUTDOWN);
			ADDIN_CHECK(addin_controller_process(ctl) == NULL);
			ADDIN_CHECK_INT(addin_controller_pid(ctl), ==, 0);
			ADDIN_CHECK(!addin_controller_is_running(ctl));
		}
		if (order == 0) {
			addin_process_unref(p);
		}
		for (int i = 0; i < 2; i++) {
			addin_object_unref(obj[i]);
		}
		if (order == 1) {
			ADDIN_CHECK_INT(addin_process_pid(p), ==, 0);
			addin_process_unref(p);
		}
		addin_token_unref(t);
		ADDIN_CHECK_INT(addin_test_children(), ==, 0);
	}
}

// A process the caller let go of ends with its last add-in, and one it
// holds outlives its add-ins; neither leaks (the harness counts).
static void
test_process_lives_while_wanted(void)
{
	addin_host  *h = host_new();
	addin_token *t =
	    addin_test_find_calc(PIPELINE_DIR, "Basic calculator");
	addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_process           *p;
	addin_object            *obj;
	int                      pid;

	ADDIN_PASS(addin_process_create(h, NULL, &p));
	pid         = addin_process_pid(p);
	o.isolation = ADDIN_ISOLATION_SHARED_PROCESS;
	o.process   = p;
	ADDIN_PASS(addin_activate(h, t, &o, &obj));
	// Held by the caller: the add-in's release leaves it running.
	addin_object_unref(obj);
	ADDIN_CHECK_INT(addin_process_pid(p), ==, pid);
	ADDIN_CHECK_INT(kill(pid, 0), ==, 0);
	// Held by an add-in: the caller's release leaves it running...
	ADDIN_PASS(addin_activate(h, t, &o, &obj));
	addin_process_unref(p);
	ADDIN_CHECK_INT(kill(pid, 0), ==, 0);
	ADDIN_CHECK_INT(addin_controller_pid(addin_controller_get(obj)), ==,
	                pid);
	// ...until the add-in goes: then it ends, and is reaped.
	addin_object_unref(obj);
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
	addin_token_unref(t);
	addin_host_destroy(h);
}

// take_marks counts the add-ins' destroy marks in @dir and removes them
// (a mark is named by the instance's address, which the next one reuses).
static size_t
take_marks(const char *dir)
{
	DIR           *d = opendir(dir);
	struct dirent *de;
	size_t         n = 0;
	char           path[600];
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "destroyed-", 10) == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			n += unlink(path) == 0;
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	return n;
}

// A call's answer is sent only once the callee is done with the object:
// the stub used to send the reply and only then leave the export, so an
// Unload right after the answer could find the export still busy, and the
// add-in's destroy ran after Unload had already answered (seen under
// AddressSanitizer).  Each round: a call, then the add-in's shutdown
// (an Unload: another add-in keeps the process); its destroy has run by
// the time shutdown returns.
static void
test_unload_after_a_call_has_destroyed(void)
{
	addin_host  *h = host_new();
	addin_token *t =
	    addin_test_find_calc(PIPELINE_DIR, "Basic calculator");
	addin_process_options    po = ADDIN_PROCESS_OPTIONS_INIT;
	addin_activation_options o  = ADDIN_ACTIVATION_OPTIONS_INIT;
	char        dir[] = "/tmp/bulkhead-marks-XXXXXX", env0[300], cmd[400];
	const char *env[] = {env0, NULL};
	addin_process *p;
	addin_object  *keep, *obj;
	double         r;

	ADDIN_CHECK(mkdtemp(dir) != NULL);
	snprintf(env0, sizeof(env0), "BULKHEAD_TEST_MARK_DIR=%s", dir);
	po.env = env;
	ADDIN_PASS(addin_process_create(h, &po, &p));
	o.isolation = ADDIN_ISOLATION_SHARED_PROCESS;
	o.process   = p;
	ADDIN_PASS(addin_activate(h, t, &o, &keep));
	for (int i = 0; i < 200; i++) {
		ADDIN_PASS(addin_activate(h, t, &o, &obj));
		ADDIN_PASS(calculator_v1_calculator_operate(
		    calculator_v1_calculator_from_object(obj), "+",
		    (double[]) {1, 2}, 2, &r));
		ADDIN_PASS(
		    addin_controller_shutdown(addin_controller_get(obj)));
		ADDIN_CHECK_INT(take_marks(dir), ==, 1);
		addin_object_unref(obj);
	}
	addin_object_unref(keep);
	addin_process_unref(p);
	addin_token_unref(t);
	addin_host_destroy(h);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ADDIN_CHECK(system(cmd) == 0);
}

// Times above INT32_MAX ms were cast to int: a negative grace made a
// shutdown wait forever for calls in flight and kill processes at once.
static void
test_host_times_bounded(void)
{
	addin_host_config cfg = ADDIN_HOST_CONFIG_INIT;
	addin_host       *h   = NULL;

	cfg.shutdown_grace_ms = (uint32_t) INT32_MAX + 1;
	ADDIN_FAIL(addin_host_create(&cfg, &h), ADDIN_EINVAL);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "INT32_MAX");
	ADDIN_CHECK(h == NULL);
	cfg.shutdown_grace_ms   = INT32_MAX;
	cfg.default_deadline_ms = UINT32_MAX;
	ADDIN_FAIL(addin_host_create(&cfg, &h), ADDIN_EINVAL);
	cfg.default_deadline_ms = INT32_MAX;
	ADDIN_PASS(addin_host_create(&cfg, &h));
	addin_host_destroy(h);
}

// The environment's limit: the message said "more than 60" whatever the
// sandbox added; host.h now says how many, and so does the error.
static void
test_environment_limit(void)
{
	addin_host  *h = host_new();
	addin_token *t =
	    addin_test_find_calc(PIPELINE_DIR, "Basic calculator");
	addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
	static char              entries[64][16];
	const char              *env[65];
	addin_object            *obj = NULL;

	for (int i = 0; i < 64; i++) {
		snprintf(entries[i], sizeof(entries[i]), "K%d=v", i);
		env[i] = entries[i];
	}
	env[64]     = NULL;
	o.isolation = ADDIN_ISOLATION_OWN_PROCESS;
	o.env       = env;
	ADDIN_FAIL(addin_activate(h, t, &o, &obj), ADDIN_EINVAL);
	ADDIN_CHECK_CONTAINS(addin_errmsg(),
	                     "more than 63 environment entries");
	ADDIN_CHECK(obj == NULL);
	env[63] = NULL; // 63: the most
	ADDIN_PASS(addin_activate(h, t, &o, &obj));
	addin_object_unref(obj);
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
	addin_token_unref(t);
	addin_host_destroy(h);
}

typedef struct race {
	pthread_barrier_t go;
	addin_process    *p;
	addin_object     *obj;
	unsigned          spin; // how long the release waits after the go
} race;

static void *
race_shutdown(void *arg)
{
	race *r = arg;
	pthread_barrier_wait(&r->go);
	ADDIN_PASS(addin_process_shutdown(r->p));
	return NULL;
}

static void *
race_release(void *arg)
{
	race *r = arg;
	pthread_barrier_wait(&r->go);
	// Not synchronisation: a different head start each round, so that
	// the release meets the shutdown at every one of its steps.
	for (volatile unsigned i = 0; i < r->spin; i++) {
	}
	addin_object_unref(r->obj);
	return NULL;
}

// addin_process_shutdown while another thread releases one of the
// process's add-ins: the release's shutdown of that add-in returned at
// once when it found the add-in STOPPING, left the process and freed the
// object, while addin_process_shutdown was still using both (a crash,
// found by the review).  Now a second shutdown waits for the first, and
// addin_process_shutdown returns with the process ended.
static void
test_process_shutdown_races_a_release(void)
{
	addin_host  *h = host_new();
	addin_token *t =
	    addin_test_find_calc(PIPELINE_DIR, "Basic calculator");
	addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_object            *keep;
	race                     r;
	pthread_t                a, b;

	o.isolation = ADDIN_ISOLATION_SHARED_PROCESS;
	for (unsigned i = 0; i < 60; i++) {
		int pid;
		ADDIN_PASS(addin_process_create(h, NULL, &r.p));
		pid       = addin_process_pid(r.p);
		o.process = r.p;
		ADDIN_PASS(addin_activate(h, t, &o, &keep));
		ADDIN_PASS(addin_activate(h, t, &o, &r.obj));
		r.spin = (i % 20) * 20000;
		ADDIN_CHECK(pthread_barrier_init(&r.go, NULL, 2) == 0);
		ADDIN_CHECK(pthread_create(&a, NULL, race_shutdown, &r) == 0);
		ADDIN_CHECK(pthread_create(&b, NULL, race_release, &r) == 0);
		pthread_join(a, NULL);
		// Shutdown returned: the process has ended and was reaped.
		ADDIN_CHECK_INT(kill(pid, 0), ==, -1);
		pthread_join(b, NULL);
		pthread_barrier_destroy(&r.go);
		ADDIN_FAIL(calculator_v1_calculator_operate(
		               calculator_v1_calculator_from_object(keep), "+",
		               (double[]) {1, 2}, 2, &(double) {0}),
		           ADDIN_ESHUTDOWN);
		addin_object_unref(keep);
		addin_process_unref(r.p);
	}
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
	addin_token_unref(t);
	addin_host_destroy(h);
}

// The host checks the contract library's entry itself before it loads the
// host adapter on it: a contract swapped for another contract after
// discovery is refused at every level, naming both.  The host has no
// runner: the refusal must come from the host's own check, before any
// process is started (it used to leave the check to the runner).
static void
test_host_checks_the_contract_entry(void)
{
	static const addin_isolation levels[] = {ADDIN_ISOLATION_IN_PROCESS,
	                                         ADDIN_ISOLATION_OWN_PROCESS};
	char              dir[] = "/tmp/bulkhead-pipe-XXXXXX", cmd[700];
	addin_host_config cfg   = ADDIN_HOST_CONFIG_INIT;
	addin_host       *h;
	addin_token      *t;

	cfg.runner_path = "/nonexistent/addin-runner";
	ADDIN_PASS(addin_host_create(&cfg, &h));
	ADDIN_CHECK(mkdtemp(dir) != NULL);
	snprintf(cmd, sizeof(cmd), "cp -a %s/. %s/", PIPELINE_DIR, dir);
	ADDIN_CHECK(system(cmd) == 0);
	t = addin_test_find_calc(dir, "Basic calculator");
	snprintf(cmd, sizeof(cmd),
	         "cp %s %s/contracts/libcalculator-contract.so",
	         OTHER_CONTRACT, dir);
	ADDIN_CHECK(system(cmd) == 0);
	for (size_t l = 0; l < 2; l++) {
		addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
		addin_object            *obj;
		o.isolation = levels[l];
		ADDIN_FAIL(addin_activate(h, t, &o, &obj), ADDIN_EMISMATCH);
		ADDIN_CHECK_CONTAINS(addin_errmsg(), "Basic calculator");
		ADDIN_CHECK_CONTAINS(addin_errmsg(), "contract");
		ADDIN_CHECK_CONTAINS(addin_errmsg(),
		                     "libcalculator-contract.so");
		ADDIN_CHECK_CONTAINS(addin_errmsg(),
		                     "calculator.v1.Calculator");
		ADDIN_CHECK_INT(addin_test_children(), ==, 0);
	}
	addin_token_unref(t);
	addin_host_destroy(h);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ADDIN_CHECK(system(cmd) == 0);
}

ADDIN_TEST_LIST = {
    {"a process released after its host is destroyed",
     test_process_released_after_its_host},
    {"a process and its add-ins' objects outlive the host, either order",
     test_process_and_objects_outlive_the_host},
    {"a process lives while the caller or an add-in wants it",
     test_process_lives_while_wanted},
    {"an add-in's destroy has run when its Unload answers, even right after a "
     "call",
     test_unload_after_a_call_has_destroyed},
    {"the host's times are at most INT32_MAX ms", test_host_times_bounded},
    {"an add-in process's environment has at most 63 entries",
     test_environment_limit},
    {"addin_process_shutdown racing the release of one of its add-ins",
     test_process_shutdown_races_a_release},
    {"the host checks the contract library's entry",
     test_host_checks_the_contract_entry},
    {NULL, NULL},
};
