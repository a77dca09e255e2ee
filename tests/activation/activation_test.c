// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Activation with an isolation level (issue 5), through the public API only:
// the store finds the calculator add-ins in a pipeline directory deployed at
// build time; the host activates them at every level and talks to them
// through the generated host view.

#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "addin_test.h"
#include "calc_host_test.h"

typedef calculator_v1_calculator calc;

// ---- helpers ------------------------------------------------------------

static addin_token *
find(const char *name)
{
	return addin_test_find_calc(PIPELINE_DIR, name);
}

static addin_host *
host_new(void)
{
	addin_host_config cfg = ADDIN_HOST_CONFIG_INIT;
	addin_host       *h;
	cfg.shutdown_grace_ms = 1000;
	ADDIN_PASS(addin_host_create(&cfg, &h));
	return h;
}

static calc *
activate(addin_host *h, addin_token *t, addin_isolation level,
         addin_process *proc)
{
	addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_object            *obj;
	calc                    *c;
	o.isolation = level;
	o.process   = proc;
	ADDIN_PASS(addin_activate(h, t, &o, &obj));
	c = calculator_v1_calculator_from_object(obj);
	ADDIN_CHECK(c != NULL);
	return c;
}

static addin_controller *
ctl_of(calc *c)
{
	addin_controller *ctl =
	    addin_controller_get(calculator_v1_calculator_as_object(c));
	ADDIN_CHECK(ctl != NULL);
	return ctl;
}

static double
op1(calc *c, const char *op, double a)
{
	double r = -1;
	ADDIN_PASS(calculator_v1_calculator_operate(c, op, &a, 1, &r));
	return r;
}

static int
pid_of(calc *c)
{
	double r = -1;
	ADDIN_PASS(calculator_v1_calculator_operate(c, "pid", NULL, 0, &r));
	return (int) r;
}

// Run a fixed battery of calls and write down every result, error code and
// error message: the transcript of one level must equal every other's.
static void
battery(calc *c, char *out, size_t len)
{
	static const struct {
		const char *op;
		double      v[4];
		size_t      n;
	} calls[] = {
	    {"+", {1, 2, 3.5}, 3}, {"-", {10, 4}, 2}, {"*", {2, 3, 4}, 3},
	    {"/", {1, 8}, 2},      {"/", {1, 0}, 2},  {"%", {7, 2}, 2},
	    {"-", {1}, 1},         {"+", {0}, 0},
	};
	char                    *name = NULL;
	calculator_v1_operation *ops  = NULL;
	size_t                   nops = 0, used = 0;

	ADDIN_PASS(calculator_v1_calculator_get_name(c, &name));
	used += (size_t) snprintf(out + used, len - used, "name=%s\n", name);
	calculator_v1_calculator_get_name_free_out(name);
	ADDIN_PASS(calculator_v1_calculator_get_operations(c, &ops, &nops));
	for (size_t i = 0; i < nops; i++) {
		used += (size_t) snprintf(out + used, len - used,
		                          "op %s/%u %s\n", ops[i].name,
		                          ops[i].arity, ops[i].description);
	}
	calculator_v1_calculator_get_operations_free_out(ops, nops);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		double    r  = 0;
		addin_err rv = calculator_v1_calculator_operate(
		    c, calls[i].op, calls[i].v, calls[i].n, &r);
		used += (size_t) snprintf(
		    out + used, len - used, "%s -> %s %g %s\n", calls[i].op,
		    addin_err_name(rv), rv == ADDIN_OK ? r : 0.0,
		    rv == ADDIN_OK ? "" : addin_errmsg());
	}
}

static int
is_loaded_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	(void) size;
	return strstr(info->dlpi_name, data) != NULL;
}

// Is a library whose path contains @part loaded in this process?
static bool
loaded(const char *part)
{
	return dl_iterate_phdr(is_loaded_cb, (void *) (uintptr_t) part) != 0;
}

// Is process @pid gone (reaped) within @timeout_ms?
static bool
pid_gone(int pid, int timeout_ms)
{
	char            path[64];
	addin_test_wait w = addin_test_wait_start(timeout_ms);
	snprintf(path, sizeof(path), "/proc/%d", pid);
	while (access(path, F_OK) == 0) {
		if (!addin_test_wait_more(&w)) {
			return false;
		}
	}
	return true;
}

// ---- the same answers at every level -----------------------------------

static void
test_same_answers_at_every_level(void)
{
	addin_host                  *h = host_new();
	addin_token                 *t = find("Basic calculator");
	addin_process               *proc;
	static char                  want[4096], got[4096];
	static const addin_isolation levels[] = {
	    ADDIN_ISOLATION_DIRECT, ADDIN_ISOLATION_IN_PROCESS,
	    ADDIN_ISOLATION_SHARED_PROCESS, ADDIN_ISOLATION_OWN_PROCESS};

	ADDIN_PASS(addin_process_create(h, NULL, &proc));
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		calc *c = activate(h, t, levels[i], proc);
		ADDIN_CHECK_INT(addin_controller_isolation(ctl_of(c)), ==,
		                levels[i]);
		battery(c, i == 0 ? want : got, sizeof(want));
		if (i > 0) {
			ADDIN_CHECKF(strcmp(want, got) == 0,
			             "%s differs from direct:\n%s\nvs\n%s",
			             addin_isolation_name(levels[i]), got,
			             want);
		}
		// Where it runs: the host for the first two, another process
		// for the others.
		int pid = pid_of(c);
		ADDIN_CHECK_INT(pid, ==, addin_controller_pid(ctl_of(c)));
		ADDIN_CHECK((pid == getpid()) ==
		            (levels[i] <= ADDIN_ISOLATION_IN_PROCESS));
		calculator_v1_calculator_release(c);
	}
	ADDIN_CHECK_CONTAINS(want, "name=Basic calculator");
	ADDIN_CHECK_CONTAINS(want, "+ -> OK 6.5");
	ADDIN_CHECK_CONTAINS(want, "/ -> EINVAL 0 division by zero");
	ADDIN_CHECK_CONTAINS(want, "% -> ENOTFOUND 0 Basic calculator does "
	                           "not offer operation \"%\"");
	addin_process_unref(proc);
	addin_token_unref(t);
	addin_host_destroy(h);
}

// ---- direct connect -------------------------------------------------------

static void
test_direct_connect_only_when_views_match(void)
{
	addin_host              *h      = host_new();
	addin_token             *basic  = find("Basic calculator");
	addin_token             *simple = find("Simple adder");
	addin_activation_options o      = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_object            *obj;
	double                   v[2] = {2, 3}, r = 0;

	ADDIN_CHECK(addin_token_direct_connect_possible(basic));
	ADDIN_CHECK(!addin_token_direct_connect_possible(simple));

	// Direct: the add-in is called without any adapter in the host.
	calc *c = activate(h, basic, ADDIN_ISOLATION_DIRECT, NULL);
	ADDIN_CHECK(loaded("libcalc_basic.so"));
	ADDIN_CHECK(!loaded("libcalculator-addin-adapter.so"));
	ADDIN_CHECK(!loaded("libcalculator-host-adapter.so"));
	ADDIN_CHECK_INT(op1(c, "+", 4), ==, 4);
	calculator_v1_calculator_release(c);

	// In-process: the same add-in through both adapters.
	c = activate(h, basic, ADDIN_ISOLATION_IN_PROCESS, NULL);
	ADDIN_CHECK(loaded("libcalculator-addin-adapter.so"));
	ADDIN_CHECK(loaded("libcalculator-host-adapter.so"));
	ADDIN_CHECK_INT(op1(c, "+", 5), ==, 5);
	calculator_v1_calculator_release(c);

	// An add-in of another view cannot be connected directly...
	o.isolation = ADDIN_ISOLATION_DIRECT;
	ADDIN_FAIL(addin_activate(h, simple, &o, &obj), ADDIN_ELEVEL);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "Simple adder");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "test.simplecalc.v1.SimpleCalc");
	ADDIN_CHECK(!loaded("libsimple_calc.so"));
	// ...but the hand-written adapter bridges it in process and across.
	c = activate(h, simple, ADDIN_ISOLATION_IN_PROCESS, NULL);
	ADDIN_CHECK(loaded("libsimplecalc_adapter.so"));
	ADDIN_PASS(calculator_v1_calculator_operate(c, "+", v, 2, &r));
	ADDIN_CHECK(r == 5);
	calculator_v1_calculator_release(c);
	c = activate(h, simple, ADDIN_ISOLATION_OWN_PROCESS, NULL);
	ADDIN_PASS(calculator_v1_calculator_operate(c, "+", v, 2, &r));
	ADDIN_CHECK(r == 5);
	ADDIN_FAIL(calculator_v1_calculator_operate(c, "*", v, 2, &r),
	           ADDIN_ENOTFOUND);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "only adds two numbers");
	calculator_v1_calculator_release(c);

	addin_token_unref(basic);
	addin_token_unref(simple);
	addin_host_destroy(h);
}

// ---- process levels --------------------------------------------------------

static void
test_addins_never_loaded_in_host_for_process_levels(void)
{
	addin_host  *h = host_new();
	addin_token *t = find("Basic calculator");
	calc        *c = activate(h, t, ADDIN_ISOLATION_OWN_PROCESS, NULL);

	ADDIN_CHECK_INT(op1(c, "+", 1), ==, 1);
	ADDIN_CHECK(loaded("libcalculator-host-adapter.so"));
	ADDIN_CHECK(!loaded("libcalc_basic.so"));
	ADDIN_CHECK(!loaded("libcalculator-addin-adapter.so"));
	calculator_v1_calculator_release(c);
	addin_token_unref(t);
	addin_host_destroy(h);
}

static bool
mark_exists(const char *dir, int pid)
{
	DIR           *d = opendir(dir);
	struct dirent *de;
	char           prefix[64];
	bool           found = false;
	snprintf(prefix, sizeof(prefix), "destroyed-%d-", pid);
	while (d != NULL && (de = readdir(d)) != NULL) {
		found =
		    found || strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	}
	if (d != NULL) {
		closedir(d);
	}
	return found;
}

static void
test_three_addins_share_a_process(void)
{
	addin_host           *h = host_new();
	addin_token          *t[3];
	calc                 *c[3];
	addin_process        *proc;
	addin_process_options po    = ADDIN_PROCESS_OPTIONS_INIT;
	char                  dir[] = "/tmp/bulkhead-marks-XXXXXX";
	char                  env0[300];
	const char           *env[] = {env0, NULL};
	char                **names;
	size_t                n;
	int                   pid;

	ADDIN_CHECK(mkdtemp(dir) != NULL);
	snprintf(env0, sizeof(env0), "BULKHEAD_TEST_MARK_DIR=%s", dir);
	po.name = "calculators";
	po.env  = env;
	ADDIN_PASS(addin_process_create(h, &po, &proc));
	pid  = addin_process_pid(proc);
	t[0] = find("Basic calculator");
	t[1] = find("Scientific calculator");
	t[2] = find("Third calculator");
	for (int i = 0; i < 3; i++) {
		c[i] = activate(h, t[i], ADDIN_ISOLATION_SHARED_PROCESS, proc);
		ADDIN_CHECK(addin_controller_process(ctl_of(c[i])) == proc);
	}
	for (int i = 0; i < 3; i++) {
		ADDIN_CHECK_INT(pid_of(c[i]), ==, pid);
		ADDIN_CHECK_INT(op1(c[i], "+", i), ==, i);
	}
	ADDIN_PASS(addin_process_addins(proc, &names, &n));
	ADDIN_CHECK_INT(n, ==, 3);
	ADDIN_CHECK_STR(names[0], "Basic calculator");
	ADDIN_CHECK_STR(names[2], "Third calculator");
	addin_free(names);
	// The host lets go of the process: the add-ins keep it.
	addin_process_unref(proc);

	// One shuts down: its destroy ran in the process, the others go on.
	ADDIN_PASS(addin_controller_shutdown(ctl_of(c[1])));
	ADDIN_CHECK(mark_exists(dir, pid));
	ADDIN_FAIL(calculator_v1_calculator_operate(c[1], "pid", NULL, 0,
	                                            &(double) {0}),
	           ADDIN_ESHUTDOWN);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "Scientific calculator");
	ADDIN_CHECK_INT(pid_of(c[0]), ==, pid);
	ADDIN_CHECK_INT(pid_of(c[2]), ==, pid);
	ADDIN_PASS(addin_process_addins(proc, &names, &n));
	ADDIN_CHECK_INT(n, ==, 2);
	addin_free(names);
	ADDIN_PASS(addin_controller_shutdown(ctl_of(c[0])));
	ADDIN_CHECK_INT(pid_of(c[2]), ==, pid);
	ADDIN_CHECK(kill(pid, 0) == 0);
	// The last one ends the process.
	ADDIN_PASS(addin_controller_shutdown(ctl_of(c[2])));
	ADDIN_CHECK(pid_gone(pid, 3000));
	ADDIN_CHECK_CONTAINS(addin_controller_exit_status(ctl_of(c[2])),
	                     "exited with status 0");
	for (int i = 0; i < 3; i++) {
		calculator_v1_calculator_release(c[i]);
		addin_token_unref(t[i]);
	}
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
	addin_host_destroy(h);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ADDIN_CHECK(system(cmd) == 0);
}

enum { MANY = 100 };

static void
test_hundred_processes(void)
{
	addin_host  *h = host_new();
	addin_token *t = find("Basic calculator");
	static calc *c[MANY];
	static int   pids[MANY];
	int          fds_before, first_pid;
	calc        *first;

	// One add-in first, so that what nng and the host create once is
	// there; it runs on until the end, so that the count is taken when
	// nothing is being closed (nng closes a released connection's
	// descriptor on its own thread, after the release returned).
	first      = activate(h, t, ADDIN_ISOLATION_OWN_PROCESS, NULL);
	first_pid  = pid_of(first);
	fds_before = addin_test_fd_count();
	for (int i = 0; i < MANY; i++) {
		c[i] = activate(h, t, ADDIN_ISOLATION_OWN_PROCESS, NULL);
	}
	ADDIN_CHECK_INT(addin_test_children(), ==, MANY + 1);
	for (int i = 0; i < MANY; i++) {
		double v[2] = {i, 1000}, r = 0;
		ADDIN_PASS(
		    calculator_v1_calculator_operate(c[i], "+", v, 2, &r));
		ADDIN_CHECK(r == i + 1000);
		pids[i] = pid_of(c[i]);
		for (int j = 0; j < i; j++) {
			ADDIN_CHECK(pids[j] != pids[i]);
		}
	}
	for (int i = 0; i < MANY; i++) {
		calculator_v1_calculator_release(c[i]);
	}
	for (int i = 0; i < MANY; i++) {
		ADDIN_CHECK(pid_gone(pids[i], 3000));
	}
	ADDIN_CHECK_INT(addin_test_fd_count_back_to(fds_before), ==,
	                fds_before);
	calculator_v1_calculator_release(first);
	ADDIN_CHECK(pid_gone(first_pid, 3000));
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
	ADDIN_CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
	addin_token_unref(t);
	addin_host_destroy(h);
}

static void
test_runner_gets_only_what_it_is_given(void)
{
	addin_host              *h     = host_new();
	addin_token             *t     = find("Basic calculator");
	addin_activation_options o     = ADDIN_ACTIVATION_OPTIONS_INIT;
	const char              *env[] = {"GREETING=hello", NULL};
	addin_object            *obj;
	char                     path[128], buf[8192], link[512];
	int                      secret, pid;

	// A descriptor the host did not mark close-on-exec must not leak.
	secret = open("/etc/hostname", O_RDONLY);
	ADDIN_CHECK(secret >= 0);
	setenv("HOST_ONLY_SECRET", "s3cr3t", 1);
	o.env = env;
	o.cwd = "/tmp";
	ADDIN_PASS(addin_activate(h, t, &o, &obj));
	calc *c = calculator_v1_calculator_from_object(obj);
	pid     = pid_of(c);

	// The environment is exactly what the options gave (sanitizer
	// settings of a sanitized host aside).
	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	int  fd = open(path, O_RDONLY);
	long n  = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ADDIN_CHECK(n > 0);
	for (char *p = buf; p < buf + n; p += strlen(p) + 1) {
		ADDIN_CHECKF(strcmp(p, "GREETING=hello") == 0 ||
		                 strstr(p, "SAN_OPTIONS=") != NULL,
		             "unexpected environment entry %s", p);
	}
	// Its working directory.
	snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
	ADDIN_CHECK(readlink(path, link, sizeof(link)) == 4);
	ADDIN_CHECK(strncmp(link, "/tmp", 4) == 0);
	// No descriptor of the host's files.
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	DIR           *d = opendir(path);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char    p2[400];
		ssize_t len;
		if (de->d_name[0] == '.') {
			continue;
		}
		snprintf(p2, sizeof(p2), "%s/%s", path, de->d_name);
		len = readlink(p2, link, sizeof(link) - 1);
		ADDIN_CHECK(len > 0);
		link[len] = '\0';
		ADDIN_CHECKF(strcmp(link, "/etc/hostname") != 0,
		             "the runner inherited the host's descriptor %s",
		             de->d_name);
	}
	closedir(d);
	// Its own process group.
	ADDIN_CHECK_INT(getpgid(pid), ==, pid);
	close(secret);
	calculator_v1_calculator_release(c);
	addin_token_unref(t);
	addin_host_destroy(h);
}

// ---- controllers ---------------------------------------------------------

static void
test_controller_and_graceful_shutdown(void)
{
	addin_host              *h = host_new();
	addin_token             *t = find("Basic calculator");
	addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
	char          dir[]        = "/tmp/bulkhead-marks-XXXXXX", env0[300];
	const char   *env[]        = {env0, NULL};
	addin_object *obj;

	ADDIN_CHECK(mkdtemp(dir) != NULL);
	snprintf(env0, sizeof(env0), "BULKHEAD_TEST_MARK_DIR=%s", dir);
	o.env = env;
	ADDIN_PASS(addin_activate(h, t, &o, &obj));
	calc             *c   = calculator_v1_calculator_from_object(obj);
	addin_controller *ctl = ctl_of(c);
	int               pid = addin_controller_pid(ctl);

	ADDIN_CHECK(addin_controller_token(ctl) == t);
	ADDIN_CHECK(addin_controller_is_running(ctl));
	ADDIN_CHECK(addin_controller_exit_status(ctl) == NULL);
	ADDIN_CHECK_INT(pid_of(c), ==, pid);
	ADDIN_PASS(addin_controller_shutdown(ctl));
	ADDIN_PASS(addin_controller_shutdown(ctl)); // idempotent
	ADDIN_CHECK(!addin_controller_is_running(ctl));
	ADDIN_CHECK(mark_exists(dir, pid)); // its destroy ran
	ADDIN_CHECK(pid_gone(pid, 3000));
	ADDIN_CHECK_CONTAINS(addin_controller_exit_status(ctl),
	                     "exited with status 0");
	ADDIN_FAIL(
	    calculator_v1_calculator_operate(c, "+", NULL, 0, &(double) {0}),
	    ADDIN_ESHUTDOWN);
	ADDIN_CHECK_CONTAINS(addin_errmsg(),
	                     "Basic calculator has been shut down");
	calculator_v1_calculator_release(c);
	addin_token_unref(t);
	addin_host_destroy(h);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ADDIN_CHECK(system(cmd) == 0);
}

typedef struct {
	calc     *c;
	double    ms;
	addin_err rv;
	char      msg[512];
} slow_ctx;

static void *
slow_call(void *arg)
{
	slow_ctx *s = arg;
	double    r;
	s->rv = calculator_v1_calculator_operate(s->c, "sleep", &s->ms, 1, &r);
	snprintf(s->msg, sizeof(s->msg), "%s", addin_errmsg());
	return NULL;
}

static void
test_crash_mid_call(void)
{
	addin_host              *h = host_new();
	addin_token             *t = find("Basic calculator");
	addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_test_event         entered;
	const char              *env[] = {entered.env, NULL};
	addin_object            *obj;
	pthread_t                th;

	addin_test_event_open(&entered);
	o.env = env;
	ADDIN_PASS(addin_activate(h, t, &o, &obj));
	calc    *c   = calculator_v1_calculator_from_object(obj);
	slow_ctx s   = {c, 20000, ADDIN_OK, ""};
	int      pid = pid_of(c);

	pthread_create(&th, NULL, slow_call, &s);
	ADDIN_WAIT_EVENT(&entered, 10000); // the call sleeps in the add-in
	ADDIN_CHECK(kill(pid, SIGKILL) == 0);
	pthread_join(th, NULL);
	ADDIN_CHECK_INT(s.rv, ==, ADDIN_EPEERDIED);
	ADDIN_CHECK_CONTAINS(s.msg, "Basic calculator");
	ADDIN_CHECK_CONTAINS(s.msg, "killed by signal 9");
	ADDIN_CHECK(!addin_controller_is_running(ctl_of(c)));
	ADDIN_CHECK_CONTAINS(addin_controller_exit_status(ctl_of(c)),
	                     "killed by signal 9 (SIGKILL)");
	ADDIN_FAIL(
	    calculator_v1_calculator_operate(c, "pid", NULL, 0, &(double) {0}),
	    ADDIN_EPEERDIED);
	calculator_v1_calculator_release(c);
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
	addin_token_unref(t);
	addin_host_destroy(h);
	addin_test_event_close(&entered);
}

static void
test_in_process_shutdown_waits_for_calls(void)
{
	addin_host_config cfg = ADDIN_HOST_CONFIG_INIT;
	addin_host       *h;
	addin_token      *t = find("Basic calculator");
	addin_test_event  entered;
	pthread_t         th;

	// In the host's process, the add-in sees the host's environment.
	addin_test_event_open(&entered);
	ADDIN_CHECK(setenv(ADDIN_TEST_ENTERED_ENV, entered.path, 1) == 0);
	cfg.shutdown_grace_ms = 200;
	ADDIN_PASS(addin_host_create(&cfg, &h));
	calc    *c = activate(h, t, ADDIN_ISOLATION_IN_PROCESS, NULL);
	slow_ctx s = {c, 800, ADDIN_OK, ""};
	pthread_create(&th, NULL, slow_call, &s);
	ADDIN_WAIT_EVENT(&entered, 10000); // the call sleeps in the add-in
	// The call cannot be interrupted in the host: EBUSY, still loaded.
	ADDIN_FAIL(addin_controller_shutdown(ctl_of(c)), ADDIN_EBUSY);
	ADDIN_CHECK(loaded("libcalc_basic.so"));
	// New calls are refused meanwhile.
	ADDIN_FAIL(
	    calculator_v1_calculator_operate(c, "pid", NULL, 0, &(double) {0}),
	    ADDIN_ESHUTDOWN);
	pthread_join(th, NULL);
	ADDIN_PASS(s.rv);
	ADDIN_PASS(addin_controller_shutdown(ctl_of(c)));
	ADDIN_CHECK(!loaded("libcalc_basic.so"));
	calculator_v1_calculator_release(c);
	addin_token_unref(t);
	addin_host_destroy(h);
	addin_test_event_close(&entered);
}

// ---- failures ------------------------------------------------------------

static void
expect_failure(addin_host *h, addin_token *t, addin_isolation level,
               addin_err want, const char *needle1, const char *needle2)
{
	addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_object            *obj;
	o.isolation = level;
	ADDIN_FAIL(addin_activate(h, t, &o, &obj), want);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), needle1);
	if (needle2 != NULL) {
		ADDIN_CHECK_CONTAINS(addin_errmsg(), needle2);
	}
	// Nothing is left running or loaded.
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
	ADDIN_CHECK(!loaded(addin_token_location(t)));
}

static void
test_failures_are_specific(void)
{
	addin_host  *h    = host_new();
	addin_token *dep  = find("Calculator missing a library");
	addin_token *sym  = find("Calculator with a missing symbol");
	addin_token *init = find("Unlicensed calculator");
	static const addin_isolation levels[] = {ADDIN_ISOLATION_IN_PROCESS,
	                                         ADDIN_ISOLATION_OWN_PROCESS};

	for (size_t i = 0; i < 2; i++) {
		expect_failure(h, dep, levels[i], ADDIN_ELOAD,
		               "Calculator missing a library",
		               "libcalc_dep.so");
		expect_failure(h, sym, levels[i], ADDIN_ELOAD,
		               "Calculator with a missing symbol",
		               "bulkhead_no_such_function");
		expect_failure(h, init, levels[i], ADDIN_EINIT,
		               "Unlicensed calculator",
		               "licence file /etc/calc.licence");
	}
	expect_failure(h, dep, ADDIN_ISOLATION_DIRECT, ADDIN_ELOAD,
	               "libcalc_dep.so", NULL);
	// A shared process without a process.
	expect_failure(h, init, ADDIN_ISOLATION_SHARED_PROCESS, ADDIN_ELEVEL,
	               "Unlicensed calculator", "needs a process");
	addin_token_unref(dep);
	addin_token_unref(sym);
	addin_token_unref(init);
	addin_host_destroy(h);
}

static void
test_missing_runner(void)
{
	addin_host_config cfg = ADDIN_HOST_CONFIG_INIT;
	addin_host       *h;
	addin_token      *t = find("Basic calculator");
	cfg.runner_path     = "/nonexistent/addin-runner";
	ADDIN_PASS(addin_host_create(&cfg, &h));
	expect_failure(h, t, ADDIN_ISOLATION_OWN_PROCESS, ADDIN_ESPAWN,
	               "Basic calculator", "/nonexistent/addin-runner");
	// In process needs no runner.
	calc *c = activate(h, t, ADDIN_ISOLATION_IN_PROCESS, NULL);
	calculator_v1_calculator_release(c);
	addin_token_unref(t);
	addin_host_destroy(h);
}

// The host's default deadline bounds a call into an add-in process; an
// activation's own deadline overrides it.
static void
test_default_deadline(void)
{
	addin_host_config        cfg = ADDIN_HOST_CONFIG_INIT;
	addin_activation_options o   = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_host              *h;
	addin_object            *obj;
	addin_token             *t  = find("Basic calculator");
	double                   ms = 1500, r;

	cfg.default_deadline_ms = 300;
	cfg.shutdown_grace_ms   = 100;
	ADDIN_PASS(addin_host_create(&cfg, &h));
	calc   *c  = activate(h, t, ADDIN_ISOLATION_OWN_PROCESS, NULL);
	int64_t t0 = addin_test_now_ms();
	ADDIN_FAIL(calculator_v1_calculator_operate(c, "sleep", &ms, 1, &r),
	           ADDIN_ETIMEDOUT);
	int64_t took = addin_test_now_ms() - t0;
	ADDIN_CHECKF(took >= 290 && took < 1200,
	             "timed out after %" PRId64 " ms", took);
	calculator_v1_calculator_release(c);

	o.isolation   = ADDIN_ISOLATION_OWN_PROCESS;
	o.deadline_ms = 5000;
	ADDIN_PASS(addin_activate(h, t, &o, &obj));
	c = calculator_v1_calculator_from_object(obj);
	ADDIN_PASS(calculator_v1_calculator_operate(c, "sleep", &ms, 1, &r));
	calculator_v1_calculator_release(c);
	addin_token_unref(t);
	addin_host_destroy(h);
}

// A runner that starts and then ends before its handshake: the error says
// how it ended, not just that the handshake failed.
static void
test_runner_ends_before_handshake(void)
{
	addin_host_config cfg = ADDIN_HOST_CONFIG_INIT;
	addin_host       *h;
	addin_token      *t        = find("Basic calculator");
	char              script[] = "/tmp/bulkhead-runner-XXXXXX";
	int               fd       = mkstemp(script);
	static const char crash[]  = "#!/bin/sh\nkill -SEGV $$\n";

	ADDIN_CHECK(fd >= 0);
	ADDIN_CHECK(write(fd, crash, sizeof(crash) - 1) ==
	            (ssize_t) sizeof(crash) - 1);
	ADDIN_CHECK(fchmod(fd, 0700) == 0);
	close(fd);

	// Often gone before the host writes the token: that write must not
	// raise SIGPIPE in the host (it did, once).
	cfg.runner_path = "/bin/false";
	ADDIN_PASS(addin_host_create(&cfg, &h));
	for (int i = 0; i < 20; i++) {
		expect_failure(h, t, ADDIN_ISOLATION_OWN_PROCESS, ADDIN_ESPAWN,
		               "Basic calculator", "exited with status 1");
	}
	addin_host_destroy(h);

	cfg.runner_path = script;
	ADDIN_PASS(addin_host_create(&cfg, &h));
	expect_failure(h, t, ADDIN_ISOLATION_OWN_PROCESS, ADDIN_ESPAWN,
	               "Basic calculator", "SIGSEGV");
	addin_host_destroy(h);
	addin_token_unref(t);
	unlink(script);
}

// A runner that connects, hangs up before its handshake and lives on did
// not start: ADDIN_ESPAWN (it was ADDIN_ECLOSED, which addin_process_create
// does not document), and it is killed.
static void
test_runner_hangs_up_before_handshake(void)
{
	addin_host_config cfg = ADDIN_HOST_CONFIG_INIT;
	addin_host       *h;
	addin_process    *p = NULL;
	addin_token      *t = find("Basic calculator");

	cfg.runner_path = RUNNER_HANGS_UP;
	ADDIN_PASS(addin_host_create(&cfg, &h));
	ADDIN_FAIL(addin_process_create(h, NULL, &p), ADDIN_ESPAWN);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "did not complete the handshake");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "closed its channel");
	ADDIN_CHECK(p == NULL);
	expect_failure(h, t, ADDIN_ISOLATION_OWN_PROCESS, ADDIN_ESPAWN,
	               "Basic calculator", "closed its channel");
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
	addin_host_destroy(h);
	addin_token_unref(t);
}

// Discover, then swap one segment of the chain for another file: activation
// notices that the library is not what the token says, in process and in an
// add-in process, names the add-in and what differs, and leaves nothing
// loaded or running.
static void
test_mismatch_after_discovery(void)
{
	static const struct {
		const char *from, *to, *needle;
		addin_err   want, or_want;
	} swaps[] = {
	    // The add-in's library for one of another view.
	    {"addins/simple_calc/libsimple_calc.so",
	     "addins/calc_basic/libcalc_basic.so",
	     "test.simplecalc.v1.SimpleCalc", ADDIN_EMISMATCH,
	     ADDIN_EMISMATCH},
	    // The add-in-side adapter for one from another add-in view.
	    {"addin-adapters/libsimplecalc_adapter.so",
	     "addin-adapters/libcalculator-addin-adapter.so",
	     "test.simplecalc.v1.SimpleCalc", ADDIN_EMISMATCH,
	     ADDIN_EMISMATCH},
	    // The contract for a segment of another kind that links the
	    // contract: its entry point must be the file's own, not one found
	    // in what it depends on.  Where no contract is loaded yet, the
	    // file does not even load.
	    {"host-adapters/libcalculator-host-adapter.so",
	     "contracts/libcalculator-contract.so",
	     "contracts/libcalculator-contract.so", ADDIN_ESYMBOL,
	     ADDIN_ELOAD},
	};
	static const addin_isolation levels[] = {ADDIN_ISOLATION_IN_PROCESS,
	                                         ADDIN_ISOLATION_OWN_PROCESS};
	addin_host                  *h        = host_new();

	for (size_t i = 0; i < sizeof(swaps) / sizeof(swaps[0]); i++) {
		char         dir[] = "/tmp/bulkhead-pipe-XXXXXX", cmd[600];
		addin_token *t;

		ADDIN_CHECK(mkdtemp(dir) != NULL);
		snprintf(cmd, sizeof(cmd), "cp -a %s/. %s/", PIPELINE_DIR,
		         dir);
		ADDIN_CHECK(system(cmd) == 0);
		t = addin_test_find_calc(dir, "Basic calculator");
		snprintf(cmd, sizeof(cmd), "cp %s/%s %s/%s", dir,
		         swaps[i].from, dir, swaps[i].to);
		ADDIN_CHECK(system(cmd) == 0);
		for (size_t l = 0; l < 2; l++) {
			addin_activation_options o =
			    ADDIN_ACTIVATION_OPTIONS_INIT;
			addin_object *obj;
			o.isolation  = levels[l];
			addin_err rv = addin_activate(h, t, &o, &obj);
			ADDIN_CHECKF(rv == swaps[i].want ||
			                 rv == swaps[i].or_want,
			             "%s at %s: %s (%s)", swaps[i].to,
			             addin_isolation_name(levels[l]),
			             addin_err_name(rv), addin_errmsg());
			ADDIN_CHECK_CONTAINS(addin_errmsg(),
			                     "Basic calculator");
			ADDIN_CHECK_CONTAINS(addin_errmsg(), swaps[i].needle);
			ADDIN_CHECK_INT(addin_test_children(), ==, 0);
			ADDIN_CHECK(!loaded(addin_token_location(t)));
		}
		addin_token_unref(t);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		ADDIN_CHECK(system(cmd) == 0);
	}
	addin_host_destroy(h);
}

static void
test_objects_outlive_the_host(void)
{
	addin_host  *h   = host_new();
	addin_token *t   = find("Basic calculator");
	calc        *a   = activate(h, t, ADDIN_ISOLATION_OWN_PROCESS, NULL);
	calc        *b   = activate(h, t, ADDIN_ISOLATION_IN_PROCESS, NULL);
	int          pid = pid_of(a);

	addin_host_destroy(h);
	ADDIN_CHECK(pid_gone(pid, 3000));
	ADDIN_FAIL(
	    calculator_v1_calculator_operate(a, "pid", NULL, 0, &(double) {0}),
	    ADDIN_ESHUTDOWN);
	ADDIN_FAIL(
	    calculator_v1_calculator_operate(b, "pid", NULL, 0, &(double) {0}),
	    ADDIN_ESHUTDOWN);
	calculator_v1_calculator_release(a);
	calculator_v1_calculator_release(b);
	addin_token_unref(t);
}

static void
test_sandboxed_levels_answer(void)
{
	addin_host                      *h        = host_new();
	addin_token                     *t        = find("Basic calculator");
	static const addin_sandbox_level levels[] = {ADDIN_SANDBOX_NONE,
	                                             ADDIN_SANDBOX_RESTRICTED,
	                                             ADDIN_SANDBOX_STRICT};

	static char want[4096], got[4096];

	// The transcript of direct connect is what every sandbox level must
	// answer too.
	calc *d = activate(h, t, ADDIN_ISOLATION_DIRECT, NULL);
	battery(d, want, sizeof(want));
	calculator_v1_calculator_release(d);
	for (size_t i = 0; i < 3; i++) {
		addin_activation_options o  = ADDIN_ACTIVATION_OPTIONS_INIT;
		addin_sandbox_options    sb = ADDIN_SANDBOX_OPTIONS_INIT;
		addin_object            *obj;
		sb.level    = levels[i];
		o.isolation = ADDIN_ISOLATION_SANDBOXED;
		o.sandbox   = &sb;
		ADDIN_PASS(addin_activate(h, t, &o, &obj));
		calc *c = calculator_v1_calculator_from_object(obj);
		addin_controller *ctl = ctl_of(c);
		battery(c, got, sizeof(got));
		ADDIN_CHECKF(
		    strcmp(want, got) == 0,
		    "sandbox level %zu differs from direct:\n%s\nvs\n%s", i,
		    got, want);
		ADDIN_CHECK_INT(addin_controller_isolation(ctl), ==,
		                ADDIN_ISOLATION_SANDBOXED);
		const char *mech = addin_controller_sandbox(ctl);
		printf("  %s\n", mech);
		if (levels[i] != ADDIN_SANDBOX_NONE) {
			ADDIN_CHECK_CONTAINS(mech, "stage1");
			ADDIN_CHECK_CONTAINS(mech, "stage2");
		}
		int pid = addin_controller_pid(ctl);
		calculator_v1_calculator_release(c);
		ADDIN_CHECK(pid_gone(pid, 3000));
	}
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
	addin_token_unref(t);
	addin_host_destroy(h);
}

// no_net_namespaces makes this process, and what it starts, run on a
// kernel without network namespaces, as in a container that forbids them:
// unshare(CLONE_NEWNET) fails with EPERM.  (The sandbox's probe and the
// runner create namespaces with unshare.)
static void
no_net_namespaces(void)
{
#if defined(__x86_64__)
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	             offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	             offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    // The flags' low 32 bits (little-endian).
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	             offsetof(struct seccomp_data, args[0])),
	    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWNET, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};
	ADDIN_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	ADDIN_CHECK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0);
#else
	ADDIN_SKIP("the test's filter is written for x86_64");
#endif
}

static pthread_mutex_t log_mtx = PTHREAD_MUTEX_INITIALIZER;
static char            log_text[4096];
static int             log_count;

static void
log_to_buffer(void *arg, addin_log_level level, const char *msg)
{
	ADDIN_CHECK(arg == &log_count);
	ADDIN_CHECK_INT(level, ==, ADDIN_LOG_WARNING);
	pthread_mutex_lock(&log_mtx);
	log_count++;
	snprintf(log_text + strlen(log_text),
	         sizeof(log_text) - strlen(log_text), "%s\n", msg);
	pthread_mutex_unlock(&log_mtx);
}

static calc *
activate_restricted(addin_host *h, addin_token *t)
{
	addin_activation_options o  = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_sandbox_options    sb = ADDIN_SANDBOX_OPTIONS_INIT;
	addin_object            *obj;
	o.isolation = ADDIN_ISOLATION_SANDBOXED;
	o.sandbox   = &sb;
	ADDIN_PASS(addin_activate(h, t, &o, &obj));
	return calculator_v1_calculator_from_object(obj);
}

static void
test_degraded_sandbox_is_logged(void)
{
	addin_host_config cfg = ADDIN_HOST_CONFIG_INIT;
	addin_host       *h;
	addin_token      *t = find("Basic calculator");
	calc             *c[2];
	char              path[] = "/tmp/bulkhead-stderr-XXXXXX";
	char              err[4096];
	int               fd, saved;
	ssize_t           n;

	no_net_namespaces();
	// Through the host's log function: once per host, though two
	// add-ins were degraded alike; both answer.
	cfg.log     = log_to_buffer;
	cfg.log_arg = &log_count;
	ADDIN_PASS(addin_host_create(&cfg, &h));
	c[0] = activate_restricted(h, t);
	c[1] = activate_restricted(h, t);
	printf("  log: %s", log_text);
	ADDIN_CHECK_INT(log_count, ==, 1);
	ADDIN_CHECK_CONTAINS(log_text, "add-in Basic calculator: restricted "
	                               "sandbox degraded: no net namespace "
	                               "available: running without it");
	for (int i = 0; i < 2; i++) {
		ADDIN_CHECK_INT(op1(c[i], "+", 7 + i), ==, 7 + i);
		const char *sbx = addin_controller_sandbox(ctl_of(c[i]));
		printf("  %s\n", sbx);
		ADDIN_CHECK_CONTAINS(sbx,
		                     "degraded: sandbox: no net namespace");
		// The namespaces made: the others, not net.
		char ns[128] = "";
		ADDIN_CHECK(sscanf(sbx, "%*s ns=%127s", ns) == 1);
		ADDIN_CHECK_CONTAINS(ns, "pid");
		ADDIN_CHECK_CONTAINS(ns, "mnt");
		ADDIN_CHECK(strstr(ns, "net") == NULL);
		calculator_v1_calculator_release(c[i]);
	}
	addin_host_destroy(h);

	// Without one: to stderr.
	ADDIN_CHECK((fd = mkstemp(path)) >= 0);
	unlink(path);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	ADDIN_PASS(addin_host_create(NULL, &h));
	c[0] = activate_restricted(h, t);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, err, sizeof(err) - 1, 0);
	close(fd);
	ADDIN_CHECK(n > 0);
	err[n] = '\0';
	ADDIN_CHECK_CONTAINS(err, "bulkhead: warning: add-in Basic "
	                          "calculator: restricted sandbox degraded: "
	                          "no net namespace available");
	calculator_v1_calculator_release(c[0]);
	addin_host_destroy(h);
	addin_token_unref(t);
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
}

ADDIN_TEST_LIST = {
    {"a sandboxed add-in answers as direct connect at every sandbox level",
     test_sandboxed_levels_answer},
    {"a sandbox the kernel cannot give in full is logged, once per host",
     test_degraded_sandbox_is_logged},
    {"one calculator gives the same answers at every level",
     test_same_answers_at_every_level},
    {"direct connect is taken when views match and not otherwise",
     test_direct_connect_only_when_views_match},
    {"process levels never load the add-in into the host",
     test_addins_never_loaded_in_host_for_process_levels},
    {"three add-ins share one process; the last shutdown ends it",
     test_three_addins_share_a_process},
    {"100 add-ins in 100 processes, then no zombie and no descriptor",
     test_hundred_processes},
    {"the add-in process gets only the environment, cwd and fds given",
     test_runner_gets_only_what_it_is_given},
    {"the controller reports and shuts down gracefully",
     test_controller_and_graceful_shutdown},
    {"a process killed mid-call fails the call and is reaped",
     test_crash_mid_call},
    {"in-process shutdown waits for calls in flight",
     test_in_process_shutdown_waits_for_calls},
    {"each activation failure has its specific error and leaves nothing",
     test_failures_are_specific},
    {"a missing runner is ESPAWN naming the add-in", test_missing_runner},
    {"the host's default deadline bounds calls; an activation's wins",
     test_default_deadline},
    {"a runner that hangs up before its handshake is ESPAWN",
     test_runner_hangs_up_before_handshake},
    {"a runner that ends before its handshake says how it ended",
     test_runner_ends_before_handshake},
    {"a segment changed after discovery is refused, naming the add-in",
     test_mismatch_after_discovery},
    {"objects outlive their host and fail cleanly",
     test_objects_outlive_the_host},
    {NULL, NULL},
};
