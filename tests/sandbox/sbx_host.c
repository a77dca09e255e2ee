// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The sandbox tests' host-side spawner (see sbx_host.h).

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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
	char lib[4096];
	memset(r, 0, sizeof(*r));
	r->level     = level;
	r->stages    = stages;
	r->action    = action;
	r->arg       = arg;
	r->pidfd     = -1;
	r->report_fd = -1;
	r->out_fd    = -1;
	addin__sandbox_policy_init(&r->policy, level);
	snprintf(r->scratch, sizeof(r->scratch), "/tmp/sbx-scratch-XXXXXX");
	ADDIN_CHECK(mkdtemp(r->scratch) != NULL);
	if (geteuid() == 0) {
		ADDIN_CHECK(chown(r->scratch, r->policy.uid, r->policy.gid) ==
		            0);
	}
	ADDIN_PASS(addin__sandbox_policy_set_scratch(&r->policy, r->scratch));
	// The runner's own needs: its libraries (already loaded here, but a
	// real runner dlopens add-ins from such directories).
	const char *bd = getenv("ADDIN_BUILD_DIR");
	if (bd != NULL) {
		snprintf(lib, sizeof(lib), "%s/lib", bd);
		if (access(lib, F_OK) == 0) {
			ADDIN_PASS(
			    addin__sandbox_policy_add_need(&r->policy, lib));
		}
	}
}

void
sbx_start(sbx_run *r)
{
	const addin__sandbox_probe_info *pr = addin__sandbox_probe();
	int                              pol_fd, rep[2], out[2], jfds[8];
	size_t                           nj     = 0;
	pid_t                            parent = getpid();
	char                            *argv[6];
	char                            *envp[8];
	size_t                           ne = 0;
	static char                      helper[4096];

	if (r->level != ADDIN__SANDBOX_NONE && (!pr->seccomp || !pr->tsync)) {
		SBX_SKIP_MISSING("seccomp with TSYNC unavailable");
	}
	ADDIN_PASS(addin__sandbox_policy_fit(&r->policy, pr, r->warnings,
	                                     sizeof(r->warnings)));
	if (!r->no_cgroup) {
		ADDIN_PASS(addin__cgroup_create(pr, r->action,
		                                &r->policy.limits, &r->cg));
		r->mechanisms = addin__cgroup_mechanisms(r->cg);
		r->oom_before = addin__cgroup_oom_kills(r->cg);
		nj            = addin__cgroup_join_fds(r->cg, jfds, 8);
	}
	addin__cgroup_apply_to_policy(r->cg, &r->policy);
	ADDIN_PASS(addin__sandbox_policy_to_fd(&r->policy, &pol_fd));
	ADDIN_PASS(addin__sandbox_report_pipe(rep));
	ADDIN_CHECK(pipe2(out, O_CLOEXEC) == 0);
	// Out of the way of 1, 3 and 4 in the child.
	int hi_pol = fcntl(pol_fd, F_DUPFD_CLOEXEC, 20);
	int hi_rep = fcntl(rep[1], F_DUPFD_CLOEXEC, 20);
	int hi_out = fcntl(out[1], F_DUPFD_CLOEXEC, 20);
	ADDIN_CHECK(hi_pol >= 20 && hi_rep >= 20 && hi_out >= 20);
	close(pol_fd);
	close(rep[1]);
	close(out[1]);

	static char a_stages[256], a_action[64], a_arg[1024];
	static char e_path[] = "PATH=/usr/bin:/bin";
	// LeakSanitizer stops the world with ptrace and a non-thread clone:
	// both are forbidden in the sandbox.
	static char e_asan[]  = "ASAN_OPTIONS=detect_leaks=0";
	static char e_ubsan[] = "UBSAN_OPTIONS=print_stacktrace=1";
	static char e_time[]  = "SANDBOX_HELPER_TIMING=1";
	snprintf(helper, sizeof(helper), "%s", sbx_helper_path());
	snprintf(a_stages, sizeof(a_stages), "%s", r->stages);
	snprintf(a_action, sizeof(a_action), "%s", r->action);
	snprintf(a_arg, sizeof(a_arg), "%s", r->arg != NULL ? r->arg : "");
	argv[0]    = helper;
	argv[1]    = a_stages;
	argv[2]    = a_action;
	argv[3]    = a_arg;
	argv[4]    = NULL;
	envp[ne++] = e_path;
	envp[ne++] = e_asan;
	envp[ne++] = e_ubsan;
	if (r->timing) {
		envp[ne++] = e_time;
	}
	envp[ne] = NULL;

	r->start_us = now_us();
	r->pid      = fork();
	ADDIN_CHECK(r->pid >= 0);
	if (r->pid == 0) {
		// Async-signal-safe only from here to execve.
		if (addin__cgroup_join_self(jfds, nj) != 0 ||
		    addin__sandbox_child_prepare(parent, false) != 0) {
			_exit(ADDIN__SANDBOX_EXIT_SETUP);
		}
		if (dup2(hi_out, 1) < 0 || dup2(hi_pol, 3) < 0 ||
		    dup2(hi_rep, 4) < 0) {
			_exit(ADDIN__SANDBOX_EXIT_SETUP);
		}
		syscall(SYS_close_range, 5, ~0u, 0);
		execve(helper, argv, envp);
		_exit(127);
	}
	close(hi_pol);
	close(hi_rep);
	close(hi_out);
	r->report_fd = rep[0];
	r->out_fd    = out[0];
	fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
	r->pidfd = (int) syscall(SYS_pidfd_open, r->pid, 0);
	ADDIN_CHECK(r->pidfd >= 0);
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
	ADDIN_CHECK(
	    syscall(SYS_pidfd_send_signal, r->pidfd, SIGKILL, NULL, 0) == 0);
}

addin__sandbox_cause
sbx_wait(sbx_run *r)
{
	int           deadline = r->deadline_ms > 0 ? r->deadline_ms : 20000;
	struct pollfd p        = {r->pidfd, POLLIN, 0};
	siginfo_t     si;
	struct rusage ru;
	addin__sandbox_death_in in;

	if (poll(&p, 1, deadline) == 0) {
		sbx_kill(r, ADDIN__HOST_KILL_DEADLINE);
	}
	memset(&si, 0, sizeof(si));
	memset(&ru, 0, sizeof(ru));
	ADDIN_CHECK(
	    syscall(SYS_waitid, P_PIDFD, r->pidfd, &si, WEXITED, &ru) == 0);
	r->elapsed_us  = now_us() - r->start_us;
	r->wait_code   = si.si_code;
	r->wait_status = si.si_status;
	r->cpu_ms =
	    (int64_t) ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000 +
	    (int64_t) ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000;
	(void) addin__sandbox_reports_drain(r->report_fd, &r->reports);
	read_out(r);

	memset(&in, 0, sizeof(in));
	in.wait_code   = r->wait_code;
	in.wait_status = r->wait_status;
	in.host_kill   = r->host_kill;
	in.oom_kills   = -1;
	if (r->cg != NULL && r->oom_before >= 0) {
		int64_t now  = addin__cgroup_oom_kills(r->cg);
		in.oom_kills = now < 0 ? -1 : now - r->oom_before;
	}
	in.cpu_ms      = r->cpu_ms;
	in.cpu_limit_s = r->policy.limits.cpu_seconds;
	in.reports     = &r->reports;
	addin__sandbox_classify(&in, &r->death);

	// Nothing of it may remain, without our help (the namespace dies
	// with its reaper).
	r->left = -1;
	if (r->cg != NULL && addin__cgroup_count(r->cg) >= 0) {
		int64_t end = now_us() + 2000000;
		while ((r->left = addin__cgroup_count(r->cg)) > 0 &&
		       now_us() < end) {
			usleep(1000);
		}
	}
	if (r->cg != NULL) {
		ADDIN_PASS(addin__cgroup_destroy(r->cg));
		r->cg = NULL;
	}
	close(r->pidfd);
	close(r->report_fd);
	close(r->out_fd);
	r->pidfd = r->report_fd = r->out_fd = -1;
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
	addin__sandbox_policy_fini(&r->policy);
	if (r->scratch[0] != '\0') {
		rm_rf(r->scratch);
		r->scratch[0] = '\0';
	}
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

int
sbx_count_fds(void)
{
	DIR           *d = opendir("/proc/self/fd");
	struct dirent *de;
	int            n = 0;
	if (d == NULL) {
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		n += de->d_name[0] != '.';
	}
	closedir(d);
	return n - 1; // the directory's own descriptor
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
