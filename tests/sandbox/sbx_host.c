// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The sandbox tests' host side: the product's launch without the channel
// (see sbx_host.h).

#define _GNU_SOURCE

#include "sbx_host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "platform/platform.h"

// Checks of the spawner itself: a failure ends the case (exit 1), a
// missing kernel feature skips it (exit 77) or, with
// ADDIN_TEST_REQUIRE_SANDBOX set, fails it, as ADDIN_SKIP_MISSING in
// addin_test.h.
#define ADDIN_CHECK(cond)                                                    \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "  FAILED %s:%d: %s (%s)\n",         \
			        __FILE__, __LINE__, #cond, strerror(errno)); \
			_exit(1);                                            \
		}                                                            \
	} while (0)
#define ADDIN_PASS(expr)                                                   \
	do {                                                               \
		addin_err rv_ = (expr);                                    \
		if (rv_ != ADDIN_OK) {                                     \
			fprintf(stderr, "  FAILED %s:%d: %s -> %s (%s)\n", \
			        __FILE__, __LINE__, #expr,                 \
			        addin_err_name(rv_), addin_errmsg());      \
			_exit(1);                                          \
		}                                                          \
	} while (0)
#define SBX_SKIP_MISSING(msg)                                            \
	do {                                                             \
		const char *req_ = getenv("ADDIN_TEST_REQUIRE_SANDBOX"); \
		if (req_ != NULL && *req_ != '\0' &&                     \
		    strcmp(req_, "0") != 0) {                            \
			fprintf(stderr,                                  \
			        "  FAILED %s:%d: missing: %s "           \
			        "(ADDIN_TEST_REQUIRE_SANDBOX is set)\n", \
			        __FILE__, __LINE__, msg);                \
			_exit(1);                                        \
		}                                                        \
		fprintf(stderr, "  SKIP: %s\n", msg);                    \
		_exit(77);                                               \
	} while (0)

static int64_t
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *
sbx_helper_path(void)
{
	static char path[4096];
	char        self[4096];
	ssize_t     n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ADDIN_CHECK(n > 0);
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/sandbox_helper", dirname(self));
	return path;
}

void
sbx_init(sbx_run *r, addin__sandbox_level level, const char *stages,
         const char *action, const char *arg)
{
	addin_sandbox_options dflt = ADDIN_SANDBOX_OPTIONS_INIT;

	memset(r, 0, sizeof(*r));
	r->level  = level;
	r->stages = stages;
	r->action = action;
	r->arg    = arg;
	r->pid    = -1;
	r->pidfd  = -1;
	r->out_fd = -1;
	snprintf(r->scratch, sizeof(r->scratch), "/tmp/sbx-scratch-XXXXXX");
	ADDIN_CHECK(mkdtemp(r->scratch) != NULL);
	if (geteuid() == 0) {
		ADDIN_CHECK(chown(r->scratch, ADDIN__SANDBOX_NOBODY,
		                  ADDIN__SANDBOX_NOBODY) == 0);
	}
	r->opts              = dflt;
	r->opts.level        = (addin_sandbox_level) level;
	r->opts.read_own_dir = false; // the helper's folder is the tests'
	r->opts.scratch_dir  = r->scratch;
	r->opts.read_dirs    = r->read_dirs;
}

void
sbx_add_read(sbx_run *r, const char *dir)
{
	size_t n = 0;
	while (r->read_dirs[n] != NULL) {
		n++;
	}
	ADDIN_CHECK(n < SBX_MAX_READ);
	r->read_dirs[n]     = dir;
	r->read_dirs[n + 1] = NULL;
}

// The launch's arguments, as host.c's sandbox_prepare makes them for an
// add-in: here the "add-in" is the helper itself, which loads nothing.
static void
launch_args(sbx_run *r, addin__sandbox_probe_info *pr, addin__sbx_args *a)
{
	static char lib[4096];
	const char *bd = getenv("ADDIN_BUILD_DIR");

	memset(a, 0, sizeof(*a));
	a->name       = r->action;
	a->addin_path = sbx_helper_path();
	// The runner's own libraries (already loaded here, but a real runner
	// dlopens add-ins from such directories).
	if (bd != NULL) {
		snprintf(lib, sizeof(lib), "%s/lib", bd);
		if (access(lib, F_OK) == 0) {
			a->runtime_lib_dir = lib;
		}
	}
	// A machine with no writable cgroup hierarchy, or without a cpu
	// controller.
	*pr = *addin__sandbox_probe();
	if (r->no_cgroup) {
		pr->cgroup2      = false;
		pr->cgroup1_ctrl = 0;
		a->probe         = pr;
	}
	if (r->no_cpu_ctrl) {
		pr->cgroup2_ctrl &= ~ADDIN__CG_CPU;
		pr->cgroup1_ctrl &= ~ADDIN__CG_CPU;
		a->probe = pr;
	}
}

void
sbx_prepare(sbx_run *r)
{
	const addin__sandbox_probe_info *pr = addin__sandbox_probe();
	addin__sandbox_probe_info        poor;
	addin__sbx_args                  a;

	// What the launch refuses for want of a kernel feature
	// (addin__sandbox_policy_fit, and the mount namespace
	// sandbox_launch.c insists on); any other failure fails.
	if (r->level != ADDIN__SANDBOX_NONE && (!pr->seccomp || !pr->tsync)) {
		SBX_SKIP_MISSING("seccomp with TSYNC unavailable");
	}
	if (r->level != ADDIN__SANDBOX_NONE && !sbx_can_ns(ADDIN__NS_MNT)) {
		SBX_SKIP_MISSING("no mount namespace");
	}
	launch_args(r, &poor, &a);
	ADDIN_PASS(addin__sbx_prepare(&r->opts, &a, &r->sbx));
	r->namespaces = addin__sbx_policy(r->sbx)->namespaces;
	r->mechanisms = addin__cgroup_mechanisms(addin__sbx_cgroup(r->sbx));
}

void
sbx_spawn(sbx_run *r)
{
	int               tsock[2], out[2], pid, pidfd;
	addin__spawn_fd   fds[4];
	addin__spawn_opts so;
	char              parent[16];
	char             *argv[12];
	char             *envp[8];
	size_t            ne = 0;
	static char       helper[4096];
	static char       a_stages[256], a_action[64], a_arg[1024];
	static char       o_parent[] = "--parent", o_pol[] = "--sandbox-fd";
	static char       o_rep[]   = "--report-fd", a_pol[16], a_rep[16];
	static char       e_path[]  = "PATH=/usr/bin:/bin";
	static char       e_ubsan[] = "UBSAN_OPTIONS=print_stacktrace=1";
	static char       e_time[]  = "SANDBOX_HELPER_TIMING=1";

	ADDIN_PASS(addin__plat_socketpair(tsock));
	ADDIN_CHECK(pipe2(out, O_CLOEXEC) == 0);
	snprintf(helper, sizeof(helper), "%s", sbx_helper_path());
	snprintf(parent, sizeof(parent), "%d", (int) getpid());
	snprintf(a_stages, sizeof(a_stages), "%s", r->stages);
	snprintf(a_action, sizeof(a_action), "%s", r->action);
	snprintf(a_arg, sizeof(a_arg), "%s", r->arg != NULL ? r->arg : "");
	snprintf(a_pol, sizeof(a_pol), "%d", ADDIN__SBX_POLICY_FD);
	snprintf(a_rep, sizeof(a_rep), "%d", ADDIN__SBX_REPORT_FD);
	argv[0]  = helper;
	argv[1]  = o_parent;
	argv[2]  = parent;
	argv[3]  = o_pol;
	argv[4]  = a_pol;
	argv[5]  = o_rep;
	argv[6]  = a_rep;
	argv[7]  = a_stages;
	argv[8]  = a_action;
	argv[9]  = a_arg;
	argv[10] = NULL;
	// The sandbox's own settings first (TMPDIR; no LeakSanitizer in a
	// sanitizer build: it stops the world with ptrace and a non-thread
	// clone, both forbidden in the sandbox).
	for (const char *const *e = addin__sbx_env(r->sbx); *e != NULL; e++) {
		ADDIN_CHECK(ne + 4 < sizeof(envp) / sizeof(envp[0]));
		envp[ne++] = addin__deconst(*e);
	}
	envp[ne++] = e_path;
	envp[ne++] = e_ubsan;
	if (r->timing) {
		envp[ne++] = e_time;
	}
	envp[ne] = NULL;
	fds[0]   = (addin__spawn_fd) {tsock[0], 3};
	fds[1]   = (addin__spawn_fd) {out[1], 1};
	fds[2]   = (addin__spawn_fd) {addin__sbx_policy_fd(r->sbx),
	                              ADDIN__SBX_POLICY_FD};
	fds[3]   = (addin__spawn_fd) {addin__sbx_report_fd_child(r->sbx),
	                              ADDIN__SBX_REPORT_FD};
	memset(&so, 0, sizeof(so));
	so.path       = helper;
	so.argv       = argv;
	so.envp       = envp;
	so.fds        = fds;
	so.nfds       = 4;
	so.new_pgroup = true;

	r->start_us = now_us();
	ADDIN_PASS(addin__plat_spawn(&so, &pid, &pidfd));
	close(tsock[0]);
	close(out[1]);
	r->pid   = pid;
	r->pidfd = pidfd;
	// In the cgroup before it has its token, so before it can fork.
	ADDIN_PASS(addin__sbx_started(r->sbx, pid));
	ADDIN_PASS(addin__plat_send_full(tsock[1], "t", 1));
	close(tsock[1]);
	r->out_fd = out[0];
	fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
}

void
sbx_start(sbx_run *r)
{
	sbx_prepare(r);
	sbx_spawn(r);
}

static void
read_out(sbx_run *r)
{
	for (;;) {
		ssize_t n;
		if (r->out_len + 1 >= sizeof(r->out)) {
			return;
		}
		n = read(r->out_fd, r->out + r->out_len,
		         sizeof(r->out) - 1 - r->out_len);
		if (n <= 0) {
			return;
		}
		r->out_len += (size_t) n;
		r->out[r->out_len] = '\0';
	}
}

bool
sbx_wait_output(sbx_run *r, const char *text, int ms)
{
	int64_t end = now_us() + (int64_t) ms * 1000;
	for (;;) {
		struct pollfd p[2] = {{r->out_fd, POLLIN, 0},
		                      {r->pidfd, POLLIN, 0}};
		read_out(r);
		if (strstr(r->out, text) != NULL) {
			return true;
		}
		int64_t left = (end - now_us()) / 1000;
		if (left <= 0) {
			return false;
		}
		if (poll(p, 2, (int) left) > 0 && (p[1].revents & POLLIN) &&
		    !(p[0].revents & POLLIN)) {
			read_out(r);
			return strstr(r->out, text) != NULL;
		}
	}
}

void
sbx_kill(sbx_run *r, addin__sandbox_host_kill why)
{
	r->host_kill = why;
	ADDIN_PASS(addin__plat_pidfd_kill(r->pidfd, SIGKILL));
}

// No per-activation group of this process may be left in any hierarchy.
static void
check_no_group_left(void)
{
	const addin__sandbox_probe_info *p = addin__sandbox_probe();
	char                             prefix[64];
	snprintf(prefix, sizeof(prefix), "bulkhead-%d-", (int) getpid());
	for (int i = 0; i < 5; i++) {
		const char *dir = i == 4 ? p->cgroup2_dir : p->cgroup1_dir[i];
		DIR        *d;
		struct dirent *de;
		if (dir[0] == '\0' || (d = opendir(dir)) == NULL) {
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
				fprintf(stderr,
				        "  FAILED: left behind: %s/%s\n", dir,
				        de->d_name);
				_exit(1);
			}
		}
		closedir(d);
	}
}

addin__sandbox_cause
sbx_wait(sbx_run *r)
{
	int           deadline = r->deadline_ms > 0 ? r->deadline_ms : 20000;
	struct pollfd p        = {r->pidfd, POLLIN, 0};
	addin__plat_exit ex;
	addin__cgroup   *cg = addin__sbx_cgroup(r->sbx);

	if (poll(&p, 1, deadline) == 0) {
		sbx_kill(r, ADDIN__HOST_KILL_DEADLINE);
	}
	ADDIN_PASS(addin__plat_pidfd_wait_ex(r->pidfd, -1, &ex));
	r->elapsed_us  = now_us() - r->start_us;
	r->wait_code   = ex.code;
	r->wait_status = ex.value;
	r->cpu_ms      = ex.cpu_ms;
	addin__sbx_classify(r->sbx, r->wait_code, r->wait_status, r->cpu_ms,
	                    (int) r->host_kill, &r->death);
	addin__sbx_reports(r->sbx, &r->reports);
	read_out(r);

	// Nothing of it may remain, without our help (the namespace dies
	// with its reaper).
	r->left = -1;
	if (addin__cgroup_count(cg) >= 0) {
		int64_t end = now_us() + 2000000;
		while ((r->left = addin__cgroup_count(cg)) > 0 &&
		       now_us() < end) {
			usleep(1000);
		}
	}
	addin__sbx_destroy(r->sbx);
	r->sbx = NULL;
	check_no_group_left();
	close(r->pidfd);
	close(r->out_fd);
	r->pidfd = r->out_fd = -1;
	return r->death.cause;
}

static void
rm_rf(const char *dir)
{
	DIR           *d = opendir(dir);
	struct dirent *de;
	char           path[4096];
	if (d == NULL) {
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) != 0) {
			rm_rf(path);
		}
	}
	closedir(d);
	rmdir(dir);
}

void
sbx_fini(sbx_run *r)
{
	addin__sbx_destroy(r->sbx); // when sbx_wait did not run
	r->sbx = NULL;
	if (r->scratch[0] != '\0') {
		rm_rf(r->scratch);
		r->scratch[0] = '\0';
	}
}

bool
sbx_can_ns(uint32_t ns_bit)
{
	addin__sandbox_policy p;
	bool                  can;
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_RESTRICTED);
	can = addin__sandbox_policy_fit(&p, addin__sandbox_probe(), NULL, 0) ==
	          ADDIN_OK &&
	      (p.namespaces & ns_bit) != 0;
	addin__sandbox_policy_fini(&p);
	return can;
}

// stat_of reads the parent pid and state of /proc/@name/stat.
static bool
stat_of(const char *name, pid_t *ppid, char *state)
{
	char  path[300], buf[1024];
	FILE *f;
	bool  ok = false;
	snprintf(path, sizeof(path), "/proc/%s/stat", name);
	f = fopen(path, "r");
	if (f != NULL && fgets(buf, sizeof(buf), f) != NULL) {
		const char *e = strrchr(buf, ')');
		int         pp;
		if (e != NULL && sscanf(e + 2, "%c %d", state, &pp) == 2) {
			*ppid = pp;
			ok    = true;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return ok;
}

int
sbx_descendants(pid_t pid, pid_t *pids, int max)
{
	int n = 0, grew = 1;
	// Breadth by repetition: a few passes over /proc catch every level.
	while (grew && n < max) {
		DIR           *d = opendir("/proc");
		struct dirent *de;
		grew = 0;
		while (d != NULL && (de = readdir(d)) != NULL && n < max) {
			pid_t pp, me = (pid_t) atoi(de->d_name);
			char  st;
			bool  known = false, under = false;
			if (me <= 0 || !stat_of(de->d_name, &pp, &st) ||
			    st == 'Z') {
				continue;
			}
			for (int i = 0; i < n; i++) {
				known |= pids[i] == me;
				under |= pids[i] == pp;
			}
			if (!known && (pp == pid || under)) {
				pids[n++] = me;
				grew      = 1;
			}
		}
		if (d != NULL) {
			closedir(d);
		}
	}
	return n;
}

int
sbx_alive(const pid_t *pids, int n)
{
	int alive = 0;
	for (int i = 0; i < n; i++) {
		char  name[16], st;
		pid_t pp;
		snprintf(name, sizeof(name), "%d", pids[i]);
		alive += stat_of(name, &pp, &st) && st != 'Z';
	}
	return alive;
}

void
sbx_print(const sbx_run *r)
{
	char mech[128], applied[256];
	addin__cgroup_describe(r->mechanisms, mech, sizeof(mech));
	addin__sandbox_describe(
	    r->reports.have_applied ? r->reports.applied.flags : 0, applied,
	    sizeof(applied));
	printf("  %s/%s %s: cause=%s \"%s\" (%.1f ms)\n    %s | %s\n",
	       addin__sandbox_level_name(r->level), r->stages, r->action,
	       addin__sandbox_cause_name(r->death.cause), r->death.message,
	       (double) r->elapsed_us / 1000.0, applied, mech);
	if (r->out_len > 0) {
		printf("    stdout: %.*s", (int) r->out_len, r->out);
		if (r->out[r->out_len - 1] != '\n') {
			printf("\n");
		}
	}
}
