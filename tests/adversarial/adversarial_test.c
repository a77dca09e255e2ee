// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The adversarial suite of issue 6: one hostile add-in per behaviour
// (hostile.c), activated sandboxed through the public API beside a healthy
// one, each case showing that the attack
//
//   - is contained: its effect did not happen, and the add-in either got
//     an error back for that call or died;
//   - is reported with the right cause: a death names it in
//     addin_controller_exit_status() ("forbidden system call ptrace", "out
//     of memory", "CPU time limit") and the failed call returned
//     ADDIN_EPEERDIED with the same cause in addin_errmsg();
//   - does not disturb the healthy add-in: a thread calls it in a loop
//     throughout, and every call succeeds;
//   - leaves nothing behind: the add-in's outer process is gone and reaped,
//     none of its descendants (reaper, worker, anything it forked) remains,
//     its cgroup directories and its private ipc and scratch directories
//     are removed, and the host's descriptor count is back where it was.
//
// At the restricted level unless the name says otherwise; a few cases run
// at level none to show honestly what that level does not stop.

#define _GNU_SOURCE

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "addin_test.h"
#include "calc_host_test.h"
#include "sandbox_host.h"

typedef calculator_v1_calculator calc;

#define MAX_TRACKED 4096
#define MAX_DIRS    8

// ---- looking at processes, descriptors and directories -------------------

typedef struct proc_id {
	int                pid;
	unsigned long long start; // start time: guards against pid reuse
} proc_id;

// The ppid and start time of @pid from /proc/<pid>/stat; false if gone.
static bool
proc_stat(int pid, int *ret_ppid, unsigned long long *ret_start)
{
	char  path[64], buf[1024];
	FILE *f;
	bool  ok = false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL) {
		return false;
	}
	if (fgets(buf, sizeof(buf), f) != NULL) {
		char *p = strrchr(buf, ')');
		// state ppid pgrp session tty tpgid flags minflt cminflt
		// majflt cmajflt utime stime cutime cstime priority nice
		// threads itrealvalue starttime
		ok = p != NULL &&
		     sscanf(p + 1,
		            " %*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u "
		            "%*u %*d %*d %*d %*d %*d %*d %llu",
		            ret_ppid, ret_start) == 2;
	}
	fclose(f);
	return ok;
}

static bool
proc_alive(const proc_id *p)
{
	int                ppid;
	unsigned long long start;
	return proc_stat(p->pid, &ppid, &start) && start == p->start;
}

// Adds @pid, started at @start, to @set unless it is there.
static void
track_one(int pid, unsigned long long start, proc_id *set, size_t *n)
{
	for (size_t k = 0; k < *n; k++) {
		if (set[k].pid == pid) {
			return;
		}
	}
	if (*n < MAX_TRACKED) {
		set[(*n)++] = (proc_id) {pid, start};
	}
}

// Adds @root and every descendant of it now alive to @set (no duplicates).
static void
track_tree(int root, proc_id *set, size_t *n)
{
	static int                pids[32768], ppids[32768];
	static unsigned long long starts[32768];
	size_t                    np = 0;
	DIR                      *d  = opendir("/proc");
	struct dirent            *de;
	bool                      grew = true;

	ADDIN_CHECK(d != NULL);
	while ((de = readdir(d)) != NULL && np < 32768) {
		int pid = atoi(de->d_name);
		if (pid > 0 && proc_stat(pid, &ppids[np], &starts[np])) {
			pids[np++] = pid;
		}
	}
	closedir(d);
	// The root first, then whoever's parent is in the set, until stable.
	for (size_t i = 0; i < np; i++) {
		if (pids[i] == root) {
			track_one(root, starts[i], set, n);
		}
	}
	while (grew) {
		grew = false;
		for (size_t i = 0; i < np; i++) {
			bool parent_in = false, have = false;
			for (size_t k = 0; k < *n; k++) {
				parent_in =
				    parent_in || set[k].pid == ppids[i];
				have = have || (set[k].pid == pids[i] &&
				                set[k].start == starts[i]);
			}
			if (parent_in && !have && *n < MAX_TRACKED) {
				set[(*n)++] = (proc_id) {pids[i], starts[i]};
				grew        = true;
			}
		}
	}
}

// Is the /proc/<pid>/stat line @st a zombie whose parent is not this
// process?
static bool
zombie_of_other(const char *st)
{
	const char *p = strrchr(st, ')');
	char        state;
	int         ppid;
	return p != NULL && sscanf(p + 1, " %c %d", &state, &ppid) == 2 &&
	       state == 'Z' && ppid != getpid();
}

static bool
exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

// Reads a NUL-separated /proc file into @buf; returns its length.
static size_t
read_proc(int pid, const char *what, char *buf, size_t len)
{
	char    path[64];
	int     fd;
	ssize_t n;
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return 0;
	}
	n = read(fd, buf, len - 1);
	close(fd);
	n      = n < 0 ? 0 : n;
	buf[n] = '\0';
	return (size_t) n;
}

// Is @p dead: gone, or a zombie whose parent is not this process (init
// reaps it in its own time: it holds nothing and is not ours to reap)?
// When not, its /proc stat line is left in @st.
static bool
proc_dead(const proc_id *p, char *st, size_t len)
{
	st[0] = '\0';
	if (proc_alive(p)) {
		read_proc(p->pid, "stat", st, len);
	}
	return st[0] == '\0' || zombie_of_other(st);
}

// How many of the @n processes of @procs are not dead?
static size_t
procs_left(const proc_id *procs, size_t n)
{
	size_t left = 0;
	for (size_t i = 0; i < n; i++) {
		char st[512];
		left += !proc_dead(&procs[i], st, sizeof(st));
	}
	return left;
}

static bool
traced(void)
{
	char  line[256];
	FILE *f      = fopen("/proc/self/status", "r");
	int   tracer = -1;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "TracerPid:", 10) == 0) {
			tracer = atoi(line + 10);
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return tracer != 0;
}

// The directories of @pid's cgroups (v1 per controller, and v2) that exist,
// found through /proc/<pid>/cgroup and the mounts; with @bulkhead only
// Bulkhead's per-activation groups.
static size_t
cgroup_dirs(int pid, bool bulkhead, char dirs[][600], size_t max)
{
	char   buf[8192], mounts[16384];
	size_t n = 0;

	if (read_proc(pid, "cgroup", buf, sizeof(buf)) == 0 ||
	    read_proc(getpid(), "mounts", mounts, sizeof(mounts)) == 0) {
		return 0;
	}
	for (char *line = strtok(buf, "\n"); line != NULL && n < max;
	     line       = strtok(NULL, "\n")) {
		char *c1 = strchr(line, ':'), *c2, *save = NULL;
		char  copy[16384];
		if (c1 == NULL || (c2 = strchr(c1 + 1, ':')) == NULL ||
		    (bulkhead && strstr(c2, "/bulkhead-") == NULL)) {
			continue;
		}
		*c2 = '\0';
		snprintf(copy, sizeof(copy), "%s", mounts);
		for (char *m = strtok_r(copy, "\n", &save); m != NULL;
		     m       = strtok_r(NULL, "\n", &save)) {
			char dev[64], mnt[256], type[32], opts[512];
			if (sscanf(m, "%63s %255s %31s %511s", dev, mnt, type,
			           opts) != 4) {
				continue;
			}
			bool v2    = c1[1] == '\0';
			bool match = v2 ? strcmp(type, "cgroup2") == 0
			                : strcmp(type, "cgroup") == 0;
			if (match && !v2) {
				// Every controller of the line is mounted
				// here.
				char ctrls[128], *s2 = NULL;
				snprintf(ctrls, sizeof(ctrls), "%s", c1 + 1);
				for (char *c      = strtok_r(ctrls, ",", &s2);
				     c != NULL; c = strtok_r(NULL, ",", &s2)) {
					char want[140];
					snprintf(want, sizeof(want), ",%s,",
					         c);
					char have[520];
					snprintf(have, sizeof(have), ",%s,",
					         opts);
					match = match && strstr(have, want);
				}
			}
			if (match) {
				snprintf(dirs[n], sizeof(dirs[n]), "%s%s", mnt,
				         strcmp(c2 + 1, "/") == 0 ? ""
				                                  : c2 + 1);
				if (exists(dirs[n])) {
					n++;
				}
				break;
			}
		}
	}
	return n;
}

// How many per-activation groups host @pid has (they are named
// "bulkhead-<host pid>-<n>-<name>", beside this process in each
// hierarchy); with @remove, removes them (empty groups of a dead host).
static int
groups_of(int pid, bool remove)
{
	char dirs[16][600], prefix[64];
	int  n = 0;
	snprintf(prefix, sizeof(prefix), "bulkhead-%d-", pid);
	for (size_t i = 0, nd = cgroup_dirs(getpid(), false, dirs, 16); i < nd;
	     i++) {
		DIR           *d = opendir(dirs[i]);
		struct dirent *de;
		while (d != NULL && (de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
				char path[1200];
				n++;
				snprintf(path, sizeof(path), "%.600s/%.255s",
				         dirs[i], de->d_name);
				if (remove) {
					(void) rmdir(path);
				}
			}
		}
		if (d != NULL) {
			closedir(d);
		}
	}
	return n;
}

static int
host_groups(void)
{
	return groups_of(getpid(), false);
}

// ---- the healthy add-in, called in a loop throughout ---------------------

typedef struct healthy {
	calc           *c;
	pthread_t       thread;
	atomic_bool     stop;
	atomic_long     calls, failures;
	pthread_mutex_t mtx;
	pthread_cond_t  answered; // after each call (on the monotonic clock)
	char            first_failure[600];
} healthy;

static void *
healthy_loop(void *arg)
{
	healthy *hl = arg;
	for (long i = 0; !atomic_load(&hl->stop); i++) {
		double    v[2] = {(double) i, 1}, r = 0;
		addin_err rv =
		    calculator_v1_calculator_operate(hl->c, "+", v, 2, &r);
		if (rv != ADDIN_OK || r != (double) i + 1) {
			if (atomic_fetch_add(&hl->failures, 1) == 0) {
				snprintf(hl->first_failure,
				         sizeof(hl->first_failure),
				         "%s: %s (r=%g)", addin_err_name(rv),
				         addin_errmsg(), r);
			}
		}
		pthread_mutex_lock(&hl->mtx);
		atomic_fetch_add(&hl->calls, 1);
		pthread_cond_broadcast(&hl->answered);
		pthread_mutex_unlock(&hl->mtx);
		// Pacing, not a wait: some 400 calls a second show any
		// disturbance and leave the two CPUs to the case.
		usleep(2000);
	}
	return NULL;
}

// Starts calling the healthy add-in @c in a loop.
static void
healthy_start(healthy *hl, calc *c)
{
	pthread_condattr_t ca;
	hl->c = c;
	pthread_mutex_init(&hl->mtx, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hl->answered, &ca);
	pthread_condattr_destroy(&ca);
	ADDIN_CHECK(pthread_create(&hl->thread, NULL, healthy_loop, hl) == 0);
}

// Stops the loop.
static void
healthy_stop(healthy *hl)
{
	atomic_store(&hl->stop, true);
	pthread_join(hl->thread, NULL);
	pthread_cond_destroy(&hl->answered);
	pthread_mutex_destroy(&hl->mtx);
}

// Waits (up to 10 s) until the healthy add-in answered @more calls after
// now.
static void
healthy_more(healthy *hl, long more)
{
	struct timespec until;
	int             rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&hl->mtx);
	long want = atomic_load(&hl->calls) + more;
	while (atomic_load(&hl->calls) < want && rc == 0) {
		rc = pthread_cond_timedwait(&hl->answered, &hl->mtx, &until);
	}
	pthread_mutex_unlock(&hl->mtx);
	ADDIN_CHECKF(atomic_load(&hl->calls) >= want,
	             "the healthy add-in stopped answering");
}

// ---- one hostile activation -----------------------------------------------

typedef struct adv {
	addin_host         *h;
	addin_token        *healthy_tok, *tok;
	healthy             hl;
	calc               *c; // the hostile add-in
	addin_controller   *ctl;
	int                 pid; // its outer process
	addin_sandbox_level level;
	proc_id             procs[MAX_TRACKED];
	size_t              nprocs;
	char                cg[MAX_DIRS][600];
	size_t              ncg;
	char                ipc[600], scratch[600];
	// A scratch directory the host gave (scratch_dir): it stays.
	const char *host_scratch;
	int         fds_before, groups_before;
	int         healthy_pid;
	char        healthy_mech[1024]; // what this host can do
	atomic_bool watch_stop;
	sem_t       watching; // posted after the watcher's first look
	char        mech[1024];
	// The attack call.
	addin_err rv;
	double    r;
	char      msg[1024];
	int64_t   ms;
} adv;

static addin_token *
find(const char *name)
{
	return addin_test_find_calc(PIPELINE_DIR, name);
}

// Everything of the add-in's that should vanish with it, seen while it runs.
static void
track(adv *a)
{
	if (a->pid > 0) {
		track_tree(a->pid, a->procs, &a->nprocs);
	}
}

// The ipc directory of runner @pid (from its --connect URL) into @out.
static void
ipc_dir_of(int pid, char *out, size_t len)
{
	char   buf[4096];
	size_t n = read_proc(pid, "cmdline", buf, sizeof(buf));
	for (size_t i = 0; i < n; i += strlen(buf + i) + 1) {
		if (strncmp(buf + i, "ipc://", 6) == 0) {
			char *slash;
			snprintf(out, len, "%s", buf + i + 6);
			if ((slash = strrchr(out, '/')) != NULL) {
				*slash = '\0';
			}
		}
	}
}

// Why this machine cannot run a restricted sandbox, by the kernel probe:
// exactly the conditions under which activation refuses with
// ADDIN_ESANDBOX for want of a feature (addin__sandbox_policy_fit, and
// the mount namespace sandbox_launch.c insists on).  NULL when it can.
// Activation failing for any other reason (a cgroup that cannot be made, a
// broken policy) is a failure, never a skip.
static const char *
sandbox_missing(void)
{
	const addin__sandbox_probe_info *pr = addin__sandbox_probe();
	if (!pr->seccomp || !pr->tsync) {
		return "no seccomp filters with TSYNC";
	}
	if (!pr->root && (pr->namespaces & ADDIN__NS_USER) == 0) {
		return "no user namespaces for an unprivileged host";
	}
	if ((pr->namespaces & ADDIN__NS_MNT) == 0) {
		return "no mount namespace";
	}
	return NULL;
}

// Does the probe offer a writable cgroup with controller @cg
// (ADDIN__CG_*)?
static bool
probe_has_cgroup(uint32_t cg)
{
	const addin__sandbox_probe_info *pr = addin__sandbox_probe();
	return ((pr->cgroup2 ? pr->cgroup2_ctrl : 0) | pr->cgroup1_ctrl) & cg;
}

// Skips (or, with ADDIN_TEST_REQUIRE_SANDBOX, fails) when the kernel cannot
// sandbox here.
static void
require_sandbox(void)
{
	const char *why = sandbox_missing();
	if (why != NULL) {
		ADDIN_SKIP_MISSING("this machine cannot sandbox: %s", why);
	}
}

// Creates the host, activates the healthy add-in (restricted, called in a
// loop from now on) and takes the baselines.  Skips when the kernel probe
// says this machine cannot sandbox; any failure to activate is a failure.
static void
adv_host(adv *a, const char *name)
{
	addin_host_config        cfg = ADDIN_HOST_CONFIG_INIT;
	addin_activation_options ho  = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_object            *obj;

	memset(a, 0, sizeof(*a));
	require_sandbox();
	cfg.shutdown_grace_ms = 1000;
	ADDIN_PASS(addin_host_create(&cfg, &a->h));
	a->healthy_tok = find("Healthy calculator");
	a->tok         = find(name);

	ho.isolation = ADDIN_ISOLATION_SANDBOXED;
	ADDIN_PASS(addin_activate(a->h, a->healthy_tok, &ho, &obj));
	a->healthy_pid = addin_controller_pid(addin_controller_get(obj));
	snprintf(a->healthy_mech, sizeof(a->healthy_mech), "%s",
	         addin_controller_sandbox(addin_controller_get(obj)));
	healthy_start(&a->hl, calculator_v1_calculator_from_object(obj));
	healthy_more(&a->hl, 3);
	// Nothing was released yet: nothing is being closed.
	a->fds_before    = addin_test_fd_count();
	a->groups_before = host_groups();
}

// Activates the hostile add-in with @sb and @o (either may be NULL) and,
// when that worked, notes what belongs to it.
static addin_err
adv_activate(adv *a, addin_sandbox_options *sb, addin_activation_options *o)
{
	addin_activation_options dflt = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_sandbox_options    sdef = ADDIN_SANDBOX_OPTIONS_INIT;
	addin_object            *obj;
	addin_err                rv;
	char                     buf[4096];
	size_t                   len;

	if (o == NULL) {
		o = &dflt;
	}
	if (sb == NULL) {
		sb = &sdef;
	}
	o->isolation = ADDIN_ISOLATION_SANDBOXED;
	o->sandbox   = sb;
	a->level     = sb->level;
	if ((rv = addin_activate(a->h, a->tok, o, &obj)) != ADDIN_OK) {
		snprintf(a->msg, sizeof(a->msg), "%s", addin_errmsg());
		printf("  activation -> %s \"%s\"\n", addin_err_name(rv),
		       a->msg);
		return rv;
	}
	a->c   = calculator_v1_calculator_from_object(obj);
	a->ctl = addin_controller_get(obj);
	ADDIN_CHECK(a->ctl != NULL);
	a->pid = addin_controller_pid(a->ctl);
	ADDIN_CHECK(a->pid > 0 && a->pid != getpid());
	snprintf(a->mech, sizeof(a->mech), "%s",
	         addin_controller_sandbox(a->ctl));
	printf("  %s: %s\n", addin_token_name(a->tok), a->mech);
	if (sb->level != ADDIN_SANDBOX_NONE) {
		ADDIN_CHECK_CONTAINS(a->mech, "stage1+stage2");
	}

	// Its private ipc directory, its scratch directory ($TMPDIR), its
	// cgroups.
	ipc_dir_of(a->pid, a->ipc, sizeof(a->ipc));
	ADDIN_CHECKF(exists(a->ipc), "no ipc directory \"%s\"", a->ipc);
	len = read_proc(a->pid, "environ", buf, sizeof(buf));
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
		if (strncmp(buf + i, "TMPDIR=", 7) == 0) {
			snprintf(a->scratch, sizeof(a->scratch), "%s",
			         buf + i + 7);
		}
	}
	a->ncg = cgroup_dirs(a->pid, true, a->cg, MAX_DIRS);
	if (strstr(a->mech, "cgroup") != NULL) {
		ADDIN_CHECKF(a->ncg > 0, "no cgroup directory found for %d",
		             a->pid);
	}
	track(a);
	return ADDIN_OK;
}

static void
adv_begin(adv *a, const char *name, addin_sandbox_options *sb,
          addin_activation_options *o)
{
	adv_host(a, name);
	ADDIN_PASS(adv_activate(a, sb, o));
}

// While an activation that is expected to fail runs: catch its runner (a
// child of the host other than the healthy add-in's) and what it starts.
static void *
watch_loop(void *arg)
{
	adv *a     = arg;
	bool first = true;
	while (!atomic_load(&a->watch_stop)) {
		DIR           *d = opendir("/proc");
		struct dirent *de;
		while (d != NULL && (de = readdir(d)) != NULL) {
			int                pid = atoi(de->d_name), ppid;
			unsigned long long start;
			if (pid <= 0 || pid == a->healthy_pid ||
			    !proc_stat(pid, &ppid, &start) ||
			    ppid != getpid()) {
				continue;
			}
			if (a->pid == 0) {
				a->pid = pid;
			}
			if (a->ipc[0] == '\0') {
				ipc_dir_of(pid, a->ipc, sizeof(a->ipc));
			}
			// Noted now: a runner that fails fast may be gone by
			// the time track_tree looks at /proc again.
			track_one(pid, start, a->procs, &a->nprocs);
			track_tree(pid, a->procs, &a->nprocs);
		}
		if (d != NULL) {
			closedir(d);
		}
		if (first) {
			sem_post(&a->watching);
			first = false;
		}
		// The sampling interval, not a wait: nothing announces a
		// process the host starts, so the watcher looks every 0.5 ms
		// until the activation returns.
		usleep(500);
	}
	return NULL;
}

static addin_err
adv_activate_watched(adv *a, addin_sandbox_options *sb,
                     addin_activation_options *o)
{
	pthread_t       th;
	addin_err       rv;
	struct timespec until;
	atomic_store(&a->watch_stop, false);
	ADDIN_CHECK(sem_init(&a->watching, 0, 0) == 0);
	ADDIN_CHECK(pthread_create(&th, NULL, watch_loop, a) == 0);
	// Activate once the watcher runs: a loaded machine may not schedule
	// a new thread before a runner that fails fast is gone.
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += 10;
	ADDIN_CHECKF(sem_clockwait(&a->watching, CLOCK_MONOTONIC, &until) == 0,
	             "the watcher did not start");
	rv = adv_activate(a, sb, o);
	atomic_store(&a->watch_stop, true);
	pthread_join(th, NULL);
	sem_destroy(&a->watching);
	return rv;
}

// Calls Operate("attack", @v[0..n)) on the hostile add-in while the
// healthy one is being called.
static addin_err
adv_attack(adv *a, const double *v, size_t n)
{
	int64_t t0 = addin_test_now_ms();
	healthy_more(&a->hl, 2);
	track(a);
	a->r  = 0;
	a->rv = calculator_v1_calculator_operate(a->c, "attack", v, n, &a->r);
	snprintf(a->msg, sizeof(a->msg), "%s", addin_errmsg());
	a->ms = addin_test_now_ms() - t0;
	printf("  attack -> %s %g \"%s\" (%lld ms)\n", addin_err_name(a->rv),
	       a->r, a->rv == ADDIN_OK ? "" : a->msg, (long long) a->ms);
	track(a);
	healthy_more(&a->hl, 3);
	return a->rv;
}

// The attack call failed with @code and a message containing @needle; the
// add-in lives on and still answers.
static void
adv_expect_error(adv *a, addin_err code, const char *needle)
{
	double v[2] = {2, 3}, r = 0;
	ADDIN_CHECKF(a->rv == code, "attack -> %s, expected %s (%s)",
	             addin_err_name(a->rv), addin_err_name(code), a->msg);
	ADDIN_CHECK_CONTAINS(a->msg, needle);
	ADDIN_PASS(calculator_v1_calculator_operate(a->c, "+", v, 2, &r));
	ADDIN_CHECK(r == 5);
	ADDIN_CHECK(addin_controller_is_running(a->ctl));
}

// The add-in died: the call failed with ADDIN_EPEERDIED naming the add-in
// and @cause (and @detail when not NULL), and the controller says the same.
static void
adv_expect_death(adv *a, const char *cause, const char *detail)
{
	const char *status;
	ADDIN_CHECKF(a->rv == ADDIN_EPEERDIED,
	             "attack -> %s, expected EPEERDIED (%s)",
	             addin_err_name(a->rv), a->msg);
	ADDIN_CHECK_CONTAINS(a->msg, addin_token_name(a->tok));
	ADDIN_CHECK_CONTAINS(a->msg, cause);
	ADDIN_CHECK(!addin_controller_is_running(a->ctl));
	status = addin_controller_exit_status(a->ctl);
	printf("  exit status: %s\n", status != NULL ? status : "(none)");
	ADDIN_CHECK_CONTAINS(status, cause);
	if (detail != NULL) {
		ADDIN_CHECK_CONTAINS(a->msg, detail);
		ADDIN_CHECK_CONTAINS(status, detail);
	}
	ADDIN_FAIL(calculator_v1_calculator_operate(a->c, "+", NULL, 0,
	                                            &(double) {0}),
	           ADDIN_EPEERDIED);
}

// A seccomp violation of @syscall.
static void
adv_expect_trap(adv *a, const char *syscall)
{
	char detail[96];
	snprintf(detail, sizeof(detail), "forbidden system call %s (",
	         syscall);
	adv_expect_death(a, "killed by the sandbox", detail);
}

// Releases the hostile add-in and checks that nothing of it remains and
// that the healthy add-in answered every call throughout; then ends the
// healthy add-in and the host.
static void
adv_end(adv *a)
{
	if (a->c != NULL) {
		track(a);
		calculator_v1_calculator_release(a->c);
		a->c = NULL;
	}
	// (No hostile process when the case stopped before activating it.)
	if (a->pid != 0) {
		// The outer process was the host's child: reaped, so gone
		// entirely.
		ADDIN_CHECK(a->nprocs > 0 && a->procs[0].pid == a->pid);
		ADDIN_CHECKF(!proc_alive(&a->procs[0]),
		             "the add-in's process %d remains", a->pid);
		// Everything it started is dead.  A process whose parent died
		// first (the reaper when the outer process is killed; at level
		// none what the add-in forked) was handed to init, which reaps
		// it in its own time: a zombie is dead, holds nothing, and is
		// not ours to reap.
		// Without a cgroup to empty (an unprivileged host) the host
		// cannot wait for them: after a forced kill of the outer
		// process, the reaper and the worker die on their own a
		// moment later.  Allow 2 s.
		addin_test_wait w  = addin_test_wait_start(2000);
		int64_t         t0 = addin_test_now_ms(), late = 0;
		for (size_t i = 1; i < a->nprocs; i++) {
			char st[512];
			while (!proc_dead(&a->procs[i], st, sizeof(st))) {
				bool more = addin_test_wait_more(&w);
				late      = addin_test_now_ms();
				ADDIN_CHECKF(more,
				             "process %d of the add-in (%zu "
				             "tracked) remains: %s",
				             a->procs[i].pid, a->nprocs, st);
			}
		}
		if (late != 0) {
			printf("  processes of the add-in outlived its "
			       "release by %lld ms\n",
			       (long long) (late - t0));
		}
		ADDIN_CHECK(a->ipc[0] != '\0');
		ADDIN_CHECKF(!exists(a->ipc), "ipc directory %s remains",
		             a->ipc);
		if (a->host_scratch != NULL) {
			ADDIN_CHECK_STR(a->scratch, a->host_scratch);
			ADDIN_CHECKF(exists(a->scratch),
			             "the host's scratch directory %s was "
			             "removed",
			             a->scratch);
		} else if (a->scratch[0] != '\0') {
			ADDIN_CHECKF(!exists(a->scratch),
			             "scratch directory %s remains",
			             a->scratch);
		}
		for (size_t i = 0; i < a->ncg; i++) {
			ADDIN_CHECKF(!exists(a->cg[i]), "cgroup %s remains",
			             a->cg[i]);
		}
	}
	ADDIN_CHECK_INT(host_groups(), ==, a->groups_before);
	ADDIN_CHECK_INT(addin_test_fd_count_back_to(a->fds_before), ==,
	                a->fds_before);
	// Only the healthy add-in's process is left, and it still answers.
	ADDIN_CHECK_INT(addin_test_children(), ==, 1);
	healthy_more(&a->hl, 3);
	healthy_stop(&a->hl);
	ADDIN_CHECKF(atomic_load(&a->hl.failures) == 0,
	             "%ld of %ld calls to the healthy add-in failed; first: "
	             "%s",
	             atomic_load(&a->hl.failures), atomic_load(&a->hl.calls),
	             a->hl.first_failure);
	printf("  healthy add-in: %ld calls, all answered; %zu process(es) "
	       "of the hostile one tracked, all gone\n",
	       atomic_load(&a->hl.calls), a->nprocs);
	ADDIN_CHECK(!traced());
	calculator_v1_calculator_release(a->hl.c);
	addin_token_unref(a->healthy_tok);
	addin_token_unref(a->tok);
	addin_host_destroy(a->h);
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
}

static addin_sandbox_options
level(addin_sandbox_level l)
{
	addin_sandbox_options sb = ADDIN_SANDBOX_OPTIONS_INIT;
	sb.level                 = l;
	return sb;
}

static char *
name_of(calc *c)
{
	static char buf[400];
	char       *name = NULL;
	ADDIN_PASS(calculator_v1_calculator_get_name(c, &name));
	snprintf(buf, sizeof(buf), "%s", name);
	calculator_v1_calculator_get_name_free_out(name);
	return buf;
}

// ---- files -----------------------------------------------------------------

static void
test_passwd(void)
{
	adv a;
	adv_begin(&a, "hostile passwd", NULL, NULL);
	adv_attack(&a, NULL, 0);
	adv_expect_error(&a, ADDIN_ENOTFOUND,
	                 "open /etc/passwd: No such file or directory");
	ADDIN_CHECK(strstr(name_of(a.c), "loot") == NULL);
	adv_end(&a);
}

static void
test_passwd_none(void)
{
	adv                   a;
	addin_sandbox_options sb = level(ADDIN_SANDBOX_NONE);
	adv_begin(&a, "hostile passwd", &sb, NULL);
	ADDIN_PASS(adv_attack(&a, NULL, 0));
	ADDIN_CHECK(a.r > 0);
	ADDIN_CHECK_CONTAINS(name_of(a.c), "loot: root:");
	adv_end(&a);
}

static void
test_write_outside_scratch(void)
{
	adv                      a;
	addin_sandbox_options    sb    = level(ADDIN_SANDBOX_RESTRICTED);
	addin_activation_options o     = ADDIN_ACTIVATION_OPTIONS_INIT;
	char                     dir[] = "/tmp/bulkhead-adv-XXXXXX";
	char                     outside[200], env0[300], inside[700];
	const char              *env[] = {env0, NULL};
	double                   r     = 0;

	// A directory anyone may write: only the sandbox stands in the way.
	ADDIN_CHECK(mkdtemp(dir) != NULL);
	ADDIN_CHECK(chmod(dir, 0777) == 0);
	snprintf(outside, sizeof(outside), "%s/outside", dir);
	snprintf(env0, sizeof(env0), "ADV_OUTSIDE=%s", outside);
	o.env          = env;
	sb.grant_needs = true; // it declares ADDIN_NEEDS("scratch")
	adv_begin(&a, "hostile write", &sb, &o);
	ADDIN_CHECKF(a.scratch[0] != '\0' && exists(a.scratch),
	             "no private scratch directory (TMPDIR=%s)", a.scratch);

	// The control: inside the scratch directory a file can be written,
	// and the host sees it at the same path.
	ADDIN_PASS(
	    calculator_v1_calculator_operate(a.c, "control", NULL, 0, &r));
	snprintf(inside, sizeof(inside), "%s/inside", a.scratch);
	ADDIN_CHECKF(exists(inside), "%s was not written", inside);

	adv_attack(&a, NULL, 0);
	ADDIN_CHECK(a.rv != ADDIN_OK);
	ADDIN_CHECK_CONTAINS(a.msg, outside);
	adv_expect_error(&a, ADDIN_ENOTFOUND, "No such file or directory");
	ADDIN_CHECKF(!exists(outside), "%s exists", outside);
	adv_end(&a); // the scratch directory is removed with the add-in
	ADDIN_CHECK(rmdir(dir) == 0);
}

// The host's environment, as the kernel shows it (the first entry).
static const char *
own_environ_head(void)
{
	static char buf[8192];
	ADDIN_CHECK(read_proc(getpid(), "environ", buf, sizeof(buf)) > 0);
	return buf;
}

static void
test_environ(void)
{
	adv    a;
	double v[1] = {(double) getpid()};
	adv_begin(&a, "hostile environ", NULL, NULL);
	adv_attack(&a, v, 1);
	// Its own /proc shows its own pid namespace: the host is not there.
	adv_expect_error(&a, ADDIN_ENOTFOUND, "/environ: No such file");
	ADDIN_CHECK(strstr(name_of(a.c), "loot") == NULL);
	adv_end(&a);
}

static void
test_environ_none(void)
{
	adv                   a;
	addin_sandbox_options sb   = level(ADDIN_SANDBOX_NONE);
	double                v[1] = {(double) getpid()};
	char                  want[300];
	adv_begin(&a, "hostile environ", &sb, NULL);
	ADDIN_PASS(adv_attack(&a, v, 1));
	// (The add-in keeps at most 255 bytes of loot.)
	snprintf(want, sizeof(want), "loot: %.255s", own_environ_head());
	ADDIN_CHECK_STR(name_of(a.c), want);
	adv_end(&a);
}

// ---- grants through the public API ----------------------------------------
//
// "hostile grants" reads $ADV_READ<i> on Operate("attack", i) and creates
// $ADV_WRITE<i> (without it, $TMPDIR/inside) on Operate("write", i).  It
// declares ADDIN_NEEDS("read:" ADV_NEED_DIR) and ADDIN_NEEDS("scratch"),
// and its folder holds own-data.txt beside its library.

// Calls @op(i) on the hostile add-in: the result or the error and message.
static addin_err
grants_call(adv *a, const char *op, int i)
{
	double v[1] = {i};
	a->r        = 0;
	a->rv       = calculator_v1_calculator_operate(a->c, op, v, 1, &a->r);
	snprintf(a->msg, sizeof(a->msg), "%s", addin_errmsg());
	printf("  %s(%d) -> %s %g \"%s\"\n", op, i, addin_err_name(a->rv),
	       a->r, a->rv == ADDIN_OK ? "" : a->msg);
	return a->rv;
}

static void
write_file(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	ADDIN_CHECK(fd >= 0);
	ADDIN_CHECK(write(fd, text, strlen(text)) == (ssize_t) strlen(text));
	close(fd);
}

static void
remove_tree(const char *dir)
{
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ADDIN_CHECK(system(cmd) == 0);
}

static void
test_grant_read_dirs(void)
{
	adv                      a;
	addin_sandbox_options    sb     = level(ADDIN_SANDBOX_RESTRICTED);
	addin_activation_options o      = ADDIN_ACTIVATION_OPTIONS_INIT;
	char                     base[] = "/tmp/bulkhead-adv-XXXXXX";
	char                     granted[100], other[100], e[3][300];
	const char              *env[]  = {e[0], e[1], e[2], NULL};
	const char              *dirs[] = {granted, NULL};
	char                     path[200];

	// Both readable by anyone: only the grant makes the difference.
	ADDIN_CHECK(mkdtemp(base) != NULL);
	ADDIN_CHECK(chmod(base, 0755) == 0);
	snprintf(granted, sizeof(granted), "%s/granted", base);
	snprintf(other, sizeof(other), "%s/other", base);
	ADDIN_CHECK(mkdir(granted, 0755) == 0 && mkdir(other, 0755) == 0);
	snprintf(path, sizeof(path), "%s/data", granted);
	write_file(path, "granted data\n");
	snprintf(e[0], sizeof(e[0]), "ADV_READ0=%s", path);
	snprintf(path, sizeof(path), "%s/data", other);
	write_file(path, "other data\n");
	snprintf(e[1], sizeof(e[1]), "ADV_READ1=%s", path);
	snprintf(e[2], sizeof(e[2]), "ADV_WRITE0=%s/new", granted);
	sb.read_dirs = dirs;
	o.env        = env;
	adv_begin(&a, "hostile grants", &sb, &o);

	ADDIN_PASS(grants_call(&a, "attack", 0));
	ADDIN_CHECK_STR(name_of(a.c), "loot: granted data\n");
	// Its sibling, as readable on the host, is not there.
	grants_call(&a, "attack", 1);
	adv_expect_error(&a, ADDIN_ENOTFOUND, "No such file or directory");
	ADDIN_CHECK_STR(name_of(a.c), "loot: granted data\n");
	// Read-only.
	grants_call(&a, "write", 0);
	adv_expect_error(&a, ADDIN_EPERM, "Read-only file system");
	snprintf(path, sizeof(path), "%s/new", granted);
	ADDIN_CHECKF(!exists(path), "%s was written", path);
	adv_end(&a);
	remove_tree(base);
}

static void
test_grant_scratch_dir(void)
{
	adv                      a;
	addin_sandbox_options    sb     = level(ADDIN_SANDBOX_RESTRICTED);
	addin_activation_options o      = ADDIN_ACTIVATION_OPTIONS_INIT;
	char                     base[] = "/tmp/bulkhead-adv-XXXXXX";
	char                     path[200];
	char                     buf[16] = "";
	int                      fd;

	// The host's own directory, made writable for the sandbox's user.
	ADDIN_CHECK(mkdtemp(base) != NULL);
	if (addin__sandbox_probe()->root) {
		ADDIN_CHECK(chown(base, ADDIN__SANDBOX_NOBODY,
		                  ADDIN__SANDBOX_NOBODY) == 0);
	}
	sb.scratch_dir = base;
	adv_begin(&a, "hostile grants", &sb, &o);
	a.host_scratch = base;
	ADDIN_CHECK_STR(a.scratch, base); // its $TMPDIR
	ADDIN_PASS(grants_call(&a, "write", 0));
	snprintf(path, sizeof(path), "%s/inside", base);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ADDIN_CHECKF(fd >= 0, "%s was not written", path);
	ADDIN_CHECK(read(fd, buf, sizeof(buf)) == 6);
	close(fd);
	ADDIN_CHECK(memcmp(buf, "pwned\n", 6) == 0);
	adv_end(&a); // checks that the host's directory stays
	ADDIN_CHECKF(exists(path), "%s was removed with the add-in", path);
	remove_tree(base);
}

// The add-in's own folder, read from inside with @read_own_dir.
static void
own_dir(bool read_own_dir)
{
	adv                      a;
	addin_sandbox_options    sb = level(ADDIN_SANDBOX_RESTRICTED);
	addin_activation_options o  = ADDIN_ACTIVATION_OPTIONS_INIT;
	char                     e[1][1100];
	const char              *env[] = {e[0], NULL};
	const char              *lib, *slash;

	adv_host(&a, "hostile grants");
	lib   = addin_token_path(a.tok, ADDIN_SEGMENT_ADDIN);
	slash = strrchr(lib, '/');
	ADDIN_CHECK(slash != NULL);
	snprintf(e[0], sizeof(e[0]), "ADV_READ0=%.*s/own-data.txt",
	         (int) (slash - lib), lib);
	ADDIN_CHECKF(exists(e[0] + 10), "%s is missing", e[0] + 10);
	sb.read_own_dir = read_own_dir;
	o.env           = env;
	ADDIN_PASS(adv_activate(&a, &sb, &o));
	grants_call(&a, "attack", 0);
	if (read_own_dir) {
		ADDIN_PASS(a.rv);
		ADDIN_CHECK_STR(name_of(a.c), "loot: own data\n");
	} else {
		// Its library was loaded from there; nothing else of the
		// folder is visible.
		adv_expect_error(&a, ADDIN_ENOTFOUND,
		                 "No such file or directory");
	}
	adv_end(&a);
}

static void
test_own_dir_default(void)
{
	own_dir(true);
}

static void
test_own_dir_not_granted(void)
{
	own_dir(false);
}

// What the add-in declares with ADDIN_NEEDS(), with and without
// grant_needs.
static void
needs(bool grant_needs)
{
	adv                      a;
	addin_sandbox_options    sb = level(ADDIN_SANDBOX_RESTRICTED);
	addin_activation_options o  = ADDIN_ACTIVATION_OPTIONS_INIT;
	const char *env[] = {"ADV_READ0=" ADV_NEED_DIR "/data.txt", NULL};
	char        inside[700];
	bool        declared = false;

	adv_host(&a, "hostile grants");
	// It does ask (else this case could not fail).
	for (size_t i = 0; i < addin_token_needs_count(a.tok); i++) {
		declared = declared || strcmp(addin_token_needs_at(a.tok, i),
		                              "read:" ADV_NEED_DIR) == 0;
	}
	ADDIN_CHECK(declared);
	ADDIN_CHECK(exists(ADV_NEED_DIR "/data.txt"));
	sb.grant_needs = grant_needs;
	o.env          = env;
	ADDIN_PASS(adv_activate(&a, &sb, &o));
	grants_call(&a, "attack", 0);
	if (grant_needs) {
		ADDIN_PASS(a.rv);
		ADDIN_CHECK_STR(name_of(a.c), "loot: needed data\n");
		// "scratch": a private one, removed with it (adv_end).
		ADDIN_CHECK_CONTAINS(a.scratch, "/tmp/bulkhead-scratch-");
		ADDIN_PASS(grants_call(&a, "write", 0));
		snprintf(inside, sizeof(inside), "%s/inside", a.scratch);
		ADDIN_CHECKF(exists(inside), "%s was not written", inside);
	} else {
		adv_expect_error(&a, ADDIN_ENOTFOUND,
		                 "No such file or directory");
		ADDIN_CHECK_STR(name_of(a.c), "hostile grants");
		ADDIN_CHECK_STR(a.scratch, ""); // no $TMPDIR
		grants_call(&a, "write", 0);
		adv_expect_error(&a, ADDIN_EINVAL, "no scratch directory");
	}
	adv_end(&a);
}

static void
test_needs_refused(void)
{
	needs(false);
}

static void
test_needs_granted(void)
{
	needs(true);
}

// ---- network ---------------------------------------------------------------

static int
listener(int *ret_port)
{
	struct sockaddr_in sa;
	socklen_t          len = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ADDIN_CHECK(s >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family      = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ADDIN_CHECK(bind(s, (struct sockaddr *) &sa, sizeof(sa)) == 0);
	ADDIN_CHECK(listen(s, 8) == 0);
	ADDIN_CHECK(getsockname(s, (struct sockaddr *) &sa, &len) == 0);
	*ret_port = ntohs(sa.sin_port);
	return s;
}

static void
test_inet(void)
{
	adv    a;
	int    port, ls = listener(&port);
	double v[1] = {port};

	adv_begin(&a, "hostile inet", NULL, NULL);
	adv_attack(&a, v, 1);
	adv_expect_trap(&a, "socket");
	ADDIN_CHECK(accept4(ls, NULL, NULL, SOCK_CLOEXEC) < 0 &&
	            errno == EAGAIN);
	adv_end(&a);
	close(ls);
}

static void
test_inet_granted(void)
{
	adv                   a;
	addin_sandbox_options sb = level(ADDIN_SANDBOX_RESTRICTED);
	int                   port, ls = listener(&port), conn = -1;
	double                v[1] = {port};
	char                  buf[16];
	struct pollfd         knock = {ls, POLLIN, 0};

	sb.network = true;
	adv_begin(&a, "hostile inet", &sb, NULL);
	ADDIN_PASS(adv_attack(&a, v, 1));
	// The add-in connected before its call returned; the listener is
	// readable once the connection is there to accept.
	ADDIN_CHECK(poll(&knock, 1, 5000) == 1);
	conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	ADDIN_CHECK(conn >= 0);
	ADDIN_CHECK(read(conn, buf, sizeof(buf)) == 6);
	ADDIN_CHECK(memcmp(buf, "pwned\n", 6) == 0);
	close(conn);
	adv_end(&a);
	close(ls);
}

// ---- programs, processes, the host ----------------------------------------

static void
test_execve(void)
{
	adv a;
	adv_begin(&a, "hostile execve", NULL, NULL);
	adv_attack(&a, NULL, 0);
	adv_expect_trap(&a, "execve");
	adv_end(&a);
}

static void
test_fork(void)
{
	adv a;
	adv_begin(&a, "hostile fork", NULL, NULL);
	adv_attack(&a, NULL, 0);
	adv_expect_trap(&a, "clone");
	adv_end(&a);
}

static void
test_ptrace(void)
{
	adv    a;
	double v[1] = {(double) getpid()};
	adv_begin(&a, "hostile ptrace", NULL, NULL);
	adv_attack(&a, v, 1);
	adv_expect_trap(&a, "ptrace");
	ADDIN_CHECK(!traced());
	adv_end(&a);
}

static void
test_kill(void)
{
	adv    a;
	double v[1] = {(double) getpid()};
	adv_begin(&a, "hostile kill", NULL, NULL);
	adv_attack(&a, v, 1);
	adv_expect_trap(&a, "kill");
	adv_end(&a); // we are here: the host lives
}

static void
test_unshare(void)
{
	adv a;
	adv_begin(&a, "hostile unshare", NULL, NULL);
	adv_attack(&a, NULL, 0);
	adv_expect_trap(&a, "unshare");
	adv_end(&a);
}

static void
test_io_uring(void)
{
	adv a;
	adv_begin(&a, "hostile io_uring", NULL, NULL);
	adv_attack(&a, NULL, 0);
	adv_expect_trap(&a, "io_uring_setup");
	adv_end(&a);
}

static void
test_sigsys_handler(void)
{
	adv a;
	adv_begin(&a, "hostile sigsys_handler", NULL, NULL);
	adv_attack(&a, NULL, 0);
	// Installing the handler is itself the violation.
	adv_expect_trap(&a, "rt_sigaction");
	adv_end(&a);
}

static void
test_sigsys_block(void)
{
	adv a;
	adv_begin(&a, "hostile sigsys_block", NULL, NULL);
	adv_attack(&a, NULL, 0);
	// The kernel unblocks SIGSYS and resets it to its default: the
	// process dies of it before the reporter can run.  The exit status
	// still tells the truth.
	adv_expect_death(&a, "killed by the sandbox",
	                 "forbidden system call (not reported)");
	adv_end(&a);
}

// ---- resources
// ---------------------------------------------------------------

static void
test_memory(void)
{
	adv                   a;
	addin_sandbox_options sb = level(ADDIN_SANDBOX_RESTRICTED);

	adv_host(&a, "hostile memory");
	ADDIN_CHECKF(probe_has_cgroup(ADDIN__CG_MEMORY) ==
	                 (strstr(a.healthy_mech, "memory=cgroup") != NULL),
	             "the probe and the activation disagree on the memory "
	             "cgroup: %s",
	             a.healthy_mech);
	if (probe_has_cgroup(ADDIN__CG_MEMORY)) {
		sb.memory_bytes = 96u << 20;
		ADDIN_PASS(adv_activate(&a, &sb, NULL));
		adv_attack(&a, NULL, 0);
		adv_expect_death(&a, "out of memory", NULL);
	} else {
#if defined(ADDIN_SANITIZED)
		adv_end(&a);
		ADDIN_SKIP_MISSING("no memory cgroup, and no RLIMIT_DATA "
		                   "under sanitizers");
#else
		// The fallback, RLIMIT_DATA, makes malloc fail.  It counts
		// the runner's thread stacks too: the default 256 MiB, not
		// less (nng cannot start its threads under ~110 MiB).
		ADDIN_PASS(adv_activate(&a, &sb, NULL));
		adv_attack(&a, NULL, 0);
		adv_expect_error(&a, ADDIN_ELIMIT, "malloc failed after");
#endif
	}
	adv_end(&a);
}

static void
test_forkbomb(void)
{
	adv a;
	adv_begin(&a, "hostile forkbomb", NULL, NULL);
	adv_attack(&a, NULL, 0);
	adv_expect_trap(&a, "clone"); // at the first fork
	adv_end(&a);
}

static void
test_forkbomb_none(void)
{
	adv                   a;
	addin_sandbox_options sb = level(ADDIN_SANDBOX_NONE);

	sb.max_processes = 24;
	adv_host(&a, "hostile forkbomb");
	if (!probe_has_cgroup(ADDIN__CG_PIDS)) {
		// RLIMIT_NPROC, the fallback, counts every process and thread
		// of the uid: the host's too.
		adv_end(&a);
		ADDIN_SKIP_MISSING("no writable pids cgroup");
	}
	ADDIN_CHECKF(strstr(a.healthy_mech, "pids=cgroup") != NULL,
	             "the probe offers a pids cgroup, the activation did not "
	             "use it: %s",
	             a.healthy_mech);
	ADDIN_PASS(adv_activate(&a, &sb, NULL));
	adv_attack(&a, NULL, 0);
	adv_expect_error(&a, ADDIN_ELIMIT, "fork failed after");
	// Its children live (each in its own session) until the add-in ends.
	ADDIN_CHECKF(a.nprocs > 2 && a.nprocs <= 24,
	             "%zu processes of the add-in", a.nprocs);
	adv_end(&a);
}

static void
test_threadbomb(void)
{
	adv                   a;
	addin_sandbox_options sb = level(ADDIN_SANDBOX_RESTRICTED);
	int                   made;

	sb.max_processes = 40;
	adv_begin(&a, "hostile threadbomb", &sb, NULL);
	adv_attack(&a, NULL, 0);
	adv_expect_error(&a, ADDIN_ELIMIT, "pthread_create failed after");
	ADDIN_CHECK(sscanf(strstr(a.msg, "after"), "after %d", &made) == 1);
	ADDIN_CHECKF(made > 0 && made < 40, "%d threads made", made);
	adv_end(&a);
}

static void *
spin_call(void *arg)
{
	adv   *a = arg;
	double r;
	(void) calculator_v1_calculator_operate(a->c, "attack", NULL, 0, &r);
	return NULL;
}

static void
test_spin_cpu_limit(void)
{
	adv                   a;
	addin_sandbox_options sb = level(ADDIN_SANDBOX_RESTRICTED);

	sb.cpu_seconds = 1;
	adv_begin(&a, "hostile spin", &sb, NULL);
	adv_attack(&a, NULL, 0);
	adv_expect_death(&a, "CPU time limit exceeded", NULL);
	ADDIN_CHECKF(a.ms >= 900 && a.ms < 10000, "died after %lld ms",
	             (long long) a.ms);
	adv_end(&a);
}

static void
test_spin_deadline(void)
{
	adv                      a;
	addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
	const char              *status;

	o.deadline_ms = 300;
	adv_begin(&a, "hostile spin", NULL, &o);
	adv_attack(&a, NULL, 0);
	ADDIN_CHECKF(a.rv == ADDIN_ETIMEDOUT, "attack -> %s (%s)",
	             addin_err_name(a.rv), a.msg);
	ADDIN_CHECKF(a.ms >= 300 && a.ms < 3000, "gave up after %lld ms",
	             (long long) a.ms);
	// The add-in spins on; shutting it down ends it by force once the
	// grace period (1 s here) is over.
	healthy_more(&a.hl, 20);
	ADDIN_PASS(addin_controller_shutdown(a.ctl));
	status = addin_controller_exit_status(a.ctl);
	printf("  exit status: %s\n", status != NULL ? status : "(none)");
	ADDIN_CHECK_CONTAINS(status, "killed by the host");
	ADDIN_CHECK_CONTAINS(status, "did not exit within 1000 ms");
	adv_end(&a);
}

// An add-in that closes its channel and lives on is not mistaken for a
// dead one: its call fails as closed once the host's grace for seeing it
// die (1 s, host/src/proc_impl.h) is over, and shutting it down kills it.
static void
test_close_channel(void)
{
	adv         a;
	const char *status;

	adv_begin(&a, "hostile close_channel", NULL, NULL);
	adv_attack(&a, NULL, 0);
	ADDIN_CHECKF(a.rv == ADDIN_ECLOSED,
	             "attack -> %s, expected ECLOSED (%s)",
	             addin_err_name(a.rv), a.msg);
	ADDIN_CHECK_CONTAINS(a.msg, "hostile close_channel");
	ADDIN_CHECK_CONTAINS(a.msg, "closed its channel");
	ADDIN_CHECKF(a.ms >= 900 && a.ms < 10000, "failed after %lld ms",
	             (long long) a.ms);
	ADDIN_CHECK(proc_alive(&a.procs[0]));
	ADDIN_FAIL(
	    calculator_v1_calculator_operate(a.c, "+", NULL, 0, &(double) {0}),
	    ADDIN_ECLOSED);
	(void) addin_controller_shutdown(a.ctl);
	status = addin_controller_exit_status(a.ctl);
	printf("  exit status: %s\n", status != NULL ? status : "(none)");
	ADDIN_CHECK_CONTAINS(status, "killed by the host");
	adv_end(&a);
}

static void
test_fds(void)
{
	adv                   a;
	addin_sandbox_options sb = level(ADDIN_SANDBOX_RESTRICTED);
	int                   made, host_fds;

	sb.max_open_files = 64;
	adv_begin(&a, "hostile fds", &sb, NULL);
	host_fds = addin_test_fd_count();
	adv_attack(&a, NULL, 0);
	adv_expect_error(&a, ADDIN_ELIMIT, "dup failed after");
	ADDIN_CHECK_CONTAINS(a.msg, "Too many open files");
	ADDIN_CHECK(sscanf(strstr(a.msg, "after"), "after %d", &made) == 1);
	ADDIN_CHECKF(made > 0 && made < 64, "%d descriptors made", made);
	// The host's own descriptors are untouched, and it can open more.
	ADDIN_CHECK_INT(addin_test_fd_count(), ==, host_fds);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ADDIN_CHECK(fd >= 0);
	close(fd);
	adv_end(&a);
}

// ---- strict --------------------------------------------------------------

static void
test_exec_memory_strict(void)
{
	adv                   a;
	addin_sandbox_options sb = level(ADDIN_SANDBOX_STRICT);
	adv_begin(&a, "hostile exec_memory", &sb, NULL);
	adv_attack(&a, NULL, 0);
	adv_expect_trap(&a, "mprotect");
	adv_end(&a);
}

static void
test_exec_memory_restricted(void)
{
	adv a;
	adv_begin(&a, "hostile exec_memory", NULL, NULL);
	ADDIN_PASS(adv_attack(&a, NULL, 0));
#if defined(__x86_64__)
	ADDIN_CHECK(a.r == 42); // the written code ran
#endif
	adv_end(&a);
}

static void
test_open_any_strict(void)
{
	adv                   a;
	addin_sandbox_options sb = level(ADDIN_SANDBOX_STRICT);
	adv_begin(&a, "hostile open_any", &sb, NULL);
	adv_attack(&a, NULL, 0);
	adv_expect_trap(&a, "openat");
	adv_end(&a);
}

static void
test_open_any_restricted(void)
{
	adv a;
	adv_begin(&a, "hostile open_any", NULL, NULL);
	ADDIN_PASS(adv_attack(&a, NULL, 0));
	adv_end(&a);
}

// A process forked while the add-in was loading (its create() runs before
// the allow list goes on) would never be held to the allow list: it could
// make AF_INET sockets, and at strict open files, after load.  Forking is
// forbidden from stage 1 on, so the activation fails, naming the call.
static void
test_fork_at_load(addin_sandbox_level l)
{
	adv                   a;
	addin_sandbox_options sb = level(l);
	addin_err             rv;
	adv_host(&a, "hostile fork_at_load");
	rv = adv_activate_watched(&a, &sb, NULL);
	if (rv == ADDIN_OK) {
		adv_attack(&a, NULL, 0);
		ADDIN_CHECKF(a.rv != ADDIN_OK,
		             "a child forked at load escaped the allow list");
	} else {
		ADDIN_CHECK_CONTAINS(a.msg, "hostile fork_at_load");
		ADDIN_CHECK_CONTAINS(a.msg, "forbidden system call clone");
		ADDIN_CHECKF(a.pid > 0, "the runner was not seen");
	}
	adv_end(&a);
}

static void
test_fork_at_load_strict(void)
{
	test_fork_at_load(ADDIN_SANDBOX_STRICT);
}

static void
test_fork_at_load_restricted(void)
{
	test_fork_at_load(ADDIN_SANDBOX_RESTRICTED);
}

// ---- load, files, crashes, the host's death
// ---------------------------------

static void
test_hang_at_load(void)
{
	adv                      a;
	addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_err                rv;
	int64_t                  t0;

	o.deadline_ms = 500;
	adv_host(&a, "hostile hang_at_load");
	t0 = addin_test_now_ms();
	rv = adv_activate_watched(&a, NULL, &o);
	ADDIN_CHECKF(rv == ADDIN_ETIMEDOUT, "activation -> %s (%s)",
	             addin_err_name(rv), a.msg);
	ADDIN_CHECK_CONTAINS(a.msg, "hostile hang_at_load");
	ADDIN_CHECKF(addin_test_now_ms() - t0 < 5000,
	             "activation gave up after %lld ms",
	             (long long) (addin_test_now_ms() - t0));
	ADDIN_CHECKF(a.pid > 0, "the runner was not seen");
	adv_end(&a);
}

static void
test_big_file(void)
{
	adv                   a;
	addin_sandbox_options sb = level(ADDIN_SANDBOX_RESTRICTED);

	sb.grant_needs   = true; // it declares ADDIN_NEEDS("scratch")
	sb.max_file_size = 1u << 20;
	adv_begin(&a, "hostile big_file", &sb, NULL);
	adv_attack(&a, NULL, 0);
	adv_expect_death(&a, "file size limit exceeded", NULL);
	adv_end(&a); // its scratch directory goes with it
}

#define CAP_SYS_RESOURCE 24

// Is capability @cap in this process's effective set?
static bool
has_cap(int cap)
{
	char               line[256];
	unsigned long long eff = 0;
	FILE              *f   = fopen("/proc/self/status", "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "CapEff:", 7) == 0) {
			eff = strtoull(line + 7, NULL, 16);
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return (eff >> cap) & 1;
}

// At level none, with the host's cwd a directory anyone may write and the
// kernel's core_pattern a plain file name: a crash leaves a core file only
// when the activation asked for core dumps.
static void
crash(bool core_dumps)
{
	adv                      a;
	addin_sandbox_options    sb           = level(ADDIN_SANDBOX_NONE);
	addin_activation_options o            = ADDIN_ACTIVATION_OPTIONS_INIT;
	char                     dir[]        = "/tmp/bulkhead-adv-XXXXXX";
	char                     pattern[256] = "", cmd[300];
	int                      fd;
	bool                     dumped;
	DIR                     *d;
	struct dirent           *de;

	fd = open("/proc/sys/kernel/core_pattern", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, pattern, sizeof(pattern) - 1);
		pattern[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	if (pattern[0] == '|' || strchr(pattern, '/') != NULL) {
		ADDIN_SKIP("core_pattern \"%s\" does not write into the cwd",
		           pattern);
	}
	if (core_dumps && !has_cap(CAP_SYS_RESOURCE)) {
		// The runner starts with RLIMIT_CORE 0 (so does each test
		// case): only CAP_SYS_RESOURCE raises a hard limit again.
		ADDIN_SKIP("core dumps on request need CAP_SYS_RESOURCE here");
	}
	ADDIN_CHECK(mkdtemp(dir) != NULL);
	ADDIN_CHECK(chmod(dir, 0777) == 0);
	o.cwd         = dir;
	sb.core_dumps = core_dumps;
	adv_begin(&a, "hostile abort", &sb, &o);
	adv_attack(&a, NULL, 0);
	adv_expect_death(&a, "killed by signal 6 (SIGABRT)", NULL);
	dumped = strstr(a.msg, "core dumped") != NULL;
	adv_end(&a);
	// What the crash left in its cwd.
	d = opendir(dir);
	ADDIN_CHECK(d != NULL);
	int files = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.') {
			printf("  left in its cwd: %s\n", de->d_name);
			files++;
		}
	}
	closedir(d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ADDIN_CHECK(system(cmd) == 0);
	if (core_dumps) {
		ADDIN_CHECK(dumped);
		ADDIN_CHECK_INT(files, ==, 1);
	} else {
		ADDIN_CHECK(!dumped);
		ADDIN_CHECK_INT(files, ==, 0);
	}
}

static void
test_crash_no_core(void)
{
	crash(false);
}

static void
test_crash_core_when_asked(void)
{
	crash(true);
}

// A host that dies hard takes its sandboxed add-ins with it: a second host
// process activates a spinning add-in and is killed with SIGKILL.
static void
test_dies_with_host(void)
{
	int   p[2], status;
	pid_t host;
	struct {
		int  outer;
		char ipc[600];
	} info;
	proc_id          procs[MAX_TRACKED];
	size_t           n = 0, left;
	int64_t          killed_at;
	char             cmd[800];
	int              groups;
	addin_test_event spinning;

	memset(&info, 0, sizeof(info));
	require_sandbox();
	addin_test_event_open(&spinning);
	ADDIN_CHECK(pipe2(p, O_CLOEXEC) == 0);
	host = fork();
	ADDIN_CHECK(host >= 0);
	if (host == 0) {
		adv                      a;
		pthread_t                th;
		addin_sandbox_options    sb = level(ADDIN_SANDBOX_RESTRICTED);
		addin_activation_options o  = ADDIN_ACTIVATION_OPTIONS_INIT;
		const char              *env[]  = {spinning.env, NULL};
		const char              *dirs[] = {spinning.dir, NULL};
		close(p[0]);
		// The add-in raises "entered" through the event's FIFO.
		o.env        = env;
		sb.read_dirs = dirs;
		adv_begin(&a, "hostile spin", &sb, &o);
		ADDIN_CHECK(pthread_create(&th, NULL, spin_call, &a) == 0);
		info.outer = a.pid;
		snprintf(info.ipc, sizeof(info.ipc), "%s", a.ipc);
		ADDIN_CHECK(write(p[1], &info, sizeof(info)) ==
		            (ssize_t) sizeof(info));
		for (;;) {
			pause();
		}
	}
	close(p[1]);
	if (read(p[0], &info, sizeof(info)) != (ssize_t) sizeof(info)) {
		waitpid(host, &status, 0);
		ADDIN_CHECKF(false, "the second host failed (status 0x%x)",
		             status);
	}
	close(p[0]);
	// The worker spins: outer, reaper and worker all exist.
	ADDIN_WAIT_EVENT(&spinning, 10000);
	track_tree(info.outer, procs, &n);
	ADDIN_CHECK_INT(n, >=, 3);
	// Issue 6's bound: within 1 s of the host's SIGKILL nothing of the
	// add-in runs.
	killed_at = addin_test_now_ms();
	ADDIN_CHECK(kill(host, SIGKILL) == 0);
	ADDIN_CHECK(waitpid(host, &status, 0) == host);
	ADDIN_WAIT_UNTILF((left = procs_left(procs, n)) == 0,
	                  (int) (killed_at + 1000 - addin_test_now_ms()),
	                  "%zu of %zu processes of the add-in outlive its "
	                  "host",
	                  left, n);
	addin_test_event_close(&spinning);
	printf("  %zu processes of the add-in died with the host within "
	       "%lld ms\n",
	       n, (long long) (addin_test_now_ms() - killed_at));
	// What nobody could clean up: the dead host's (empty) cgroups, the
	// add-in's ipc directory, the host's runtime directory.  Known; left
	// for a later host to sweep.  Removed here.
	groups = groups_of(host, true);
	printf("  left behind by the dead host: %d cgroup(s), ipc directory "
	       "%s\n",
	       groups, exists(info.ipc) ? "yes" : "no");
	snprintf(cmd, sizeof(cmd), "rm -rf %s /tmp/bulkhead-%d-*",
	         info.ipc[0] == '/' ? info.ipc : "", (int) host);
	ADDIN_CHECK(system(cmd) == 0);
	// A group whose last zombie init has not reaped yet is still busy.
	ADDIN_WAIT_UNTILF((groups = groups_of(host, true)) == 0, 3000,
	                  "%d cgroup(s) of the dead host stay busy", groups);
	ADDIN_CHECK_INT(groups_of(host, false), ==, 0);
}

ADDIN_TEST_LIST = {
    {"reading /etc/passwd fails: the sandbox has no such file", test_passwd},
    {"at level none /etc/passwd is read: none is not a security boundary",
     test_passwd_none},
    {"a file outside the scratch directory cannot be written, inside can",
     test_write_outside_scratch},
    {"the host's /proc/<pid>/environ is out of reach", test_environ},
    {"at level none the host's /proc/<pid>/environ is read",
     test_environ_none},
    {"a granted read directory is readable and read-only, its sibling absent",
     test_grant_read_dirs},
    {"a scratch directory the host names is writable and stays the host's",
     test_grant_scratch_dir},
    {"the add-in's own folder is readable by default", test_own_dir_default},
    {"without read_own_dir only its library is visible of its folder",
     test_own_dir_not_granted},
    {"a need the add-in declares is refused when needs are not granted",
     test_needs_refused},
    {"a need the add-in declares is given when the host grants needs",
     test_needs_granted},
    {"an AF_INET socket traps and the listener accepts nothing", test_inet},
    {"with the network grant the add-in does reach 127.0.0.1",
     test_inet_granted},
    {"execve(\"/bin/sh\") traps", test_execve},
    {"fork() traps", test_fork},
    {"ptrace-attaching to the host traps; the host stays untraced",
     test_ptrace},
    {"kill() of the host traps; the host lives", test_kill},
    {"unshare(CLONE_NEWUSER) traps", test_unshare},
    {"io_uring_setup() traps", test_io_uring},
    {"installing its own SIGSYS handler traps", test_sigsys_handler},
    {"blocking SIGSYS does not survive a forbidden call", test_sigsys_block},
    {"allocating far beyond the memory limit is an OOM kill", test_memory},
    {"a fork bomb dies at its first fork", test_forkbomb},
    {"at level none a fork bomb stops at the process limit and its "
     "children go with it",
     test_forkbomb_none},
    {"a thread bomb stops at the process limit", test_threadbomb},
    {"spinning forever meets the CPU limit", test_spin_cpu_limit},
    {"spinning forever fails the call at its deadline; shutdown kills it",
     test_spin_deadline},
    {"closing its channel and living on fails its calls as closed; "
     "shutdown kills it",
     test_close_channel},
    {"exhausting its descriptors leaves the host's untouched", test_fds},
    {"at strict, making written memory executable traps",
     test_exec_memory_strict},
    {"at restricted, written memory may be made executable (JIT)",
     test_exec_memory_restricted},
    {"at strict, opening any file traps", test_open_any_strict},
    {"at restricted, /dev/null can be opened", test_open_any_restricted},
    {"at strict, forking while loading fails the activation",
     test_fork_at_load_strict},
    {"forking while loading fails the activation",
     test_fork_at_load_restricted},
    {"an add-in that hangs while loading fails the activation at its "
     "deadline",
     test_hang_at_load},
    {"writing past the file size limit is reported as such", test_big_file},
    {"at level none a crash leaves no core file", test_crash_no_core},
    {"at level none a crash dumps core when the activation asks",
     test_crash_core_when_asked},
    {"when the host dies hard, its sandboxed add-in dies with it",
     test_dies_with_host},
    {NULL, NULL},
};
