// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Live tests of the sandbox: the helper (tests/sandbox/sandbox_helper.c),
// launched the way the host launches the runner (sbx_host.h), enters the
// sandbox through the runner half (all of it as the runner does, or stage by
// stage) and then does one hostile thing.  Each case checks that the thing did
// not happen, that the death is classified with the right cause (and syscall),
// and that nothing of the helper is left: no process in its cgroup, no
// descriptor in the host.  Restricted level and every stage unless the name
// says otherwise.

#define _GNU_SOURCE

#include "addin_test.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sbx_host.h"

#define MIB (1024ull * 1024ull)

static sbx_run R;
static int     fds_before;

static sbx_run *
setup(addin__sandbox_level level, const char *stages, const char *action,
      const char *arg)
{
	fds_before = addin_test_fd_count();
	sbx_init(&R, level, stages, action, arg);
	return &R;
}

static addin__sandbox_cause
run(sbx_run *r)
{
	sbx_start(r);
	sbx_wait(r);
	sbx_print(r);
	ADDIN_CHECKF(r->left <= 0, "%lld processes left in the cgroup",
	             (long long) r->left);
	ADDIN_CHECK_INT(addin_test_fd_count(), ==, fds_before);
	return r->death.cause;
}

static void
done(sbx_run *r)
{
	sbx_fini(r);
}

static void
expect_seccomp(sbx_run *r, const char *syscall_name)
{
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_SECCOMP);
	ADDIN_CHECK_STR(r->death.syscall, syscall_name);
	ADDIN_CHECK(strstr(r->out, "EFFECT") == NULL);
	ADDIN_CHECK_CONTAINS(r->death.message, syscall_name);
	done(r);
}

static void
expect_blocked(sbx_run *r)
{
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(r->death.status, ==, 0);
	ADDIN_CHECK_CONTAINS(r->out, "blocked: ");
	done(r);
}

static const char *
host_pid(void)
{
	static char buf[16];
	snprintf(buf, sizeof(buf), "%d", getpid());
	return buf;
}

// ---------------------------------------------------------------- basics

static void
test_healthy(void)
{
	const addin__sandbox_probe_info *pr = addin__sandbox_probe();
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "ok", NULL);
	uint32_t want_ns;
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(r->death.status, ==, 0);
	ADDIN_CHECK(r->reports.have_applied);
	uint32_t f = r->reports.applied.flags;
	want_ns    = r->namespaces;
	ADDIN_CHECK_INT(f & ADDIN__NS_ALL, ==, want_ns);
	ADDIN_CHECK(f & ADDIN__APPLIED_NNP);
	ADDIN_CHECK(f & ADDIN__APPLIED_STAGE1);
	ADDIN_CHECK(f & ADDIN__APPLIED_STAGE2);
	ADDIN_CHECK(f & ADDIN__APPLIED_SIGSYS);
	ADDIN_CHECK(f & ADDIN__APPLIED_LIMITS);
	if (want_ns & ADDIN__NS_PID) {
		ADDIN_CHECK(f & ADDIN__APPLIED_REAPER);
	}
	if (want_ns & ADDIN__NS_MNT) {
		ADDIN_CHECK(f & ADDIN__APPLIED_FS);
	}
	if (pr->root) {
		ADDIN_CHECK(f & ADDIN__APPLIED_IDENTITY);
	}
	done(r);
}

static void
test_identity(void)
{
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "whoami", NULL);
	char     want[64];
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	if (addin__sandbox_probe()->root) {
		ADDIN_CHECK_CONTAINS(r->out, "uid 65534 gid 65534");
	} else {
		snprintf(want, sizeof(want), "uid %d gid %d", getuid(),
		         getgid());
		ADDIN_CHECK_CONTAINS(r->out, want);
	}
	if (r->namespaces & ADDIN__NS_PID) {
		// PID 2 of its namespace, child of the reaper, PID 1.
		ADDIN_CHECK_CONTAINS(r->out, "pid 2 ppid 1");
	}
	done(r);
}

static void
test_exit_code(void)
{
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "exit", "7");
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(r->death.status, ==, 7);
	done(r);
}

static void
test_abort(void)
{
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "abort", NULL);
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_SIGNALED);
	ADDIN_CHECK_INT(r->death.status, ==, SIGABRT);
	done(r);
}

static void
test_setup_failure(void)
{
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "ok", NULL);
	sbx_add_read(r, "/no/such/dir");
	if ((addin__sandbox_probe()->namespaces & ADDIN__NS_MNT) == 0) {
		done(r);
		ADDIN_SKIP_MISSING("no mount namespace");
	}
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_SETUP);
	ADDIN_CHECK_INT(r->death.status, ==, ADDIN__SANDBOX_EXIT_SETUP);
	ADDIN_CHECK_INT(r->death.setup_step, ==, ADDIN__STEP_FILESYSTEM);
	ADDIN_CHECK_CONTAINS(r->death.message, "filesystem");
	done(r);
}

static void
test_level_none(void)
{
	// Level none is not a security boundary, and the tests say so.
	sbx_run *r = setup(ADDIN__SANDBOX_NONE, "all", "read", "/etc/passwd");
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(r->death.status, ==, 42);
	ADDIN_CHECK_INT(r->reports.applied.flags & ~ADDIN__APPLIED_NNP &
	                    ~ADDIN__APPLIED_LIMITS & ~ADDIN__APPLIED_SIGSYS,
	                ==, 0);
	done(r);
}

// ---------------------------------------------------------------- files

static void
test_passwd(void)
{
	expect_blocked(
	    setup(ADDIN__SANDBOX_RESTRICTED, "all", "read", "/etc/passwd"));
}

static void
test_write_outside(void)
{
	char dir[64] = "/tmp/sbx-outside-XXXXXX";
	char file[128];
	ADDIN_CHECK(mkdtemp(dir) != NULL);
	// World-writable: only the mount namespace stands in the way.
	ADDIN_CHECK(chmod(dir, 0777) == 0);
	snprintf(file, sizeof(file), "%s/hostile", dir);
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "write", file);
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(r->death.status, ==, 0);
	ADDIN_CHECK_CONTAINS(r->out, "blocked: ");
	ADDIN_CHECK(access(file, F_OK) != 0);
	rmdir(dir);
	done(r);
}

static void
test_write_scratch(void)
{
	// The control: the scratch grant is writable, and the file lands in
	// the host's directory.
	char     file[300];
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "write", NULL);
	snprintf(file, sizeof(file), "%.255s/result", r->scratch);
	r->arg = file;
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(r->death.status, ==, 42);
	ADDIN_CHECK(access(file, F_OK) == 0);
	done(r);
}

static void
test_environ(void)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/environ", getpid());
	expect_blocked(setup(ADDIN__SANDBOX_RESTRICTED, "all", "read", path));
}

static void
test_fsize(void)
{
	char     file[300];
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "fsize", NULL);
	snprintf(file, sizeof(file), "%.255s/big", r->scratch);
	r->arg                = file;
	r->opts.max_file_size = 1 * MIB;
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_FILE_SIZE);
	done(r);
}

static void
test_read_grant(void)
{
	char  dir[64] = "/tmp/sbx-grant-XXXXXX";
	char  file[128], other[128];
	FILE *f;
	ADDIN_CHECK(mkdtemp(dir) != NULL);
	ADDIN_CHECK(chmod(dir, 0755) == 0);
	snprintf(file, sizeof(file), "%s/data", dir);
	f = fopen(file, "w");
	ADDIN_CHECK(f != NULL && fputs("granted\n", f) >= 0);
	fclose(f);
	// Readable with the grant.
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "read", file);
	sbx_add_read(r, dir);
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(r->death.status, ==, 42);
	done(r);
	// Read-only even though the directory is world-writable.
	ADDIN_CHECK(chmod(dir, 0777) == 0);
	snprintf(other, sizeof(other), "%s/new", dir);
	r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "write", other);
	sbx_add_read(r, dir);
	expect_blocked(r);
	ADDIN_CHECK(access(other, F_OK) != 0);
	// Without the grant it is not there at all.
	expect_blocked(setup(ADDIN__SANDBOX_RESTRICTED, "all", "read", file));
	unlink(file);
	rmdir(dir);
}

// ---------------------------------------------------------------- network

static int
tcp_listener(int *ret_port)
{
	struct sockaddr_in sin;
	socklen_t          len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ADDIN_CHECK(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family      = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ADDIN_CHECK(bind(fd, (struct sockaddr *) &sin, sizeof(sin)) == 0);
	ADDIN_CHECK(listen(fd, 4) == 0);
	ADDIN_CHECK(getsockname(fd, (struct sockaddr *) &sin, &len) == 0);
	*ret_port = ntohs(sin.sin_port);
	return fd;
}

static void
inet_case(const char *stages, bool trap)
{
	int  port, lfd = tcp_listener(&port);
	char arg[16];
	snprintf(arg, sizeof(arg), "%d", port);
	fds_before = addin_test_fd_count();
	sbx_init(&R, ADDIN__SANDBOX_RESTRICTED, stages, "inet", arg);
	if (trap) {
		ADDIN_CHECK_INT(run(&R), ==, ADDIN__CAUSE_SECCOMP);
		ADDIN_CHECK_STR(R.death.syscall, "socket");
	} else {
		if (!sbx_can_ns(ADDIN__NS_NET)) {
			ADDIN_SKIP_MISSING("no net namespace");
		}
		ADDIN_CHECK_INT(run(&R), ==, ADDIN__CAUSE_EXITED);
		ADDIN_CHECK_CONTAINS(R.out, "blocked: connect");
	}
	// Nobody knocked.
	ADDIN_CHECK(accept(lfd, NULL, NULL) < 0 && errno == EAGAIN);
	close(lfd);
	done(&R);
}

static void
test_network_grant(void)
{
	int  port, lfd = tcp_listener(&port), c = -1;
	char arg[16];
	snprintf(arg, sizeof(arg), "%d", port);
	fds_before = addin_test_fd_count();
	sbx_init(&R, ADDIN__SANDBOX_RESTRICTED, "all", "inet", arg);
	R.opts.network = true;
	ADDIN_CHECK_INT(run(&R), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(R.death.status, ==, 42);
	ADDIN_CHECK_INT(R.reports.applied.flags & ADDIN__NS_NET, ==, 0);
	// It connected before it exited: the connection waits in the backlog.
	struct pollfd pfd = {.fd = lfd, .events = POLLIN};
	ADDIN_CHECK_INT(poll(&pfd, 1, 0), ==, 1);
	c = accept(lfd, NULL, NULL);
	ADDIN_CHECK(c >= 0); // it did knock
	close(c);
	close(lfd);
	done(&R);
}

static void
test_inet(void)
{
	inet_case("all", true);
}

static void
test_inet_netns(void)
{
	inet_case("ns,fs,limits,identity,sigsys,stage1", false);
}

// ---------------------------------------------------------------- processes

static void
test_tsync(void)
{
	expect_seccomp(setup(ADDIN__SANDBOX_RESTRICTED, "all", "tsync", NULL),
	               "socket");
}

static void
test_exec(void)
{
	expect_seccomp(setup(ADDIN__SANDBOX_RESTRICTED, "all", "exec", NULL),
	               "execve");
}

static void
test_exec_stage1(void)
{
	expect_seccomp(setup(ADDIN__SANDBOX_RESTRICTED,
	                     "ns,fs,limits,identity,sigsys,stage1", "exec",
	                     NULL),
	               "execve");
}

static void
test_fork(void)
{
	expect_seccomp(setup(ADDIN__SANDBOX_RESTRICTED, "all", "fork", NULL),
	               "clone");
}

static bool
traced(void)
{
	char  line[256];
	bool  t = false;
	FILE *f = fopen("/proc/self/status", "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "TracerPid:", 10) == 0) {
			t = atoi(line + 10) != 0;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return t;
}

static void
test_ptrace(void)
{
	expect_seccomp(
	    setup(ADDIN__SANDBOX_RESTRICTED, "all", "ptrace", host_pid()),
	    "ptrace");
	ADDIN_CHECK(!traced());
}

static void
test_kill(void)
{
	expect_seccomp(
	    setup(ADDIN__SANDBOX_RESTRICTED, "all", "kill", host_pid()),
	    "kill");
	// and we are still here to check it
}

// The queued forms of kill and tgkill, and pidfd_send_signal, before
// stage 2 (an add-in's constructor) and after.
static void
test_sigqueue_stage1(void)
{
	expect_seccomp(setup(ADDIN__SANDBOX_RESTRICTED,
	                     "ns,fs,limits,identity,sigsys,stage1", "sigqueue",
	                     host_pid()),
	               "rt_sigqueueinfo");
}

static void
test_tgsigqueue_stage1(void)
{
	expect_seccomp(setup(ADDIN__SANDBOX_RESTRICTED,
	                     "ns,fs,limits,identity,sigsys,stage1",
	                     "tgsigqueue", host_pid()),
	               "rt_tgsigqueueinfo");
}

static void
test_pidfd_signal_stage1(void)
{
	expect_seccomp(setup(ADDIN__SANDBOX_RESTRICTED,
	                     "ns,fs,limits,identity,sigsys,stage1",
	                     "pidfd-signal", NULL),
	               "pidfd_send_signal");
}

static void
test_sigqueue(void)
{
	expect_seccomp(
	    setup(ADDIN__SANDBOX_RESTRICTED, "all", "sigqueue", host_pid()),
	    "rt_sigqueueinfo");
}

static void
test_kill_pidns(void)
{
	// Without seccomp the pid namespace alone hides the host.
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "ns,fs,limits,identity",
	                   "kill", host_pid());
	if (!sbx_can_ns(ADDIN__NS_PID) &&
	    addin__sandbox_probe()->root == false) {
		done(r);
		ADDIN_SKIP_MISSING("no pid namespace");
	}
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_CONTAINS(r->out, "blocked: kill");
	done(r);
}

static void
test_unshare(void)
{
	expect_seccomp(
	    setup(ADDIN__SANDBOX_RESTRICTED, "all", "unshare-user", NULL),
	    "unshare");
}

static void
test_io_uring(void)
{
	expect_seccomp(
	    setup(ADDIN__SANDBOX_RESTRICTED, "all", "io-uring", NULL),
	    "io_uring_setup");
}

static void
test_own_sigsys(void)
{
	expect_seccomp(
	    setup(ADDIN__SANDBOX_RESTRICTED, "all", "own-sigsys", NULL),
	    "rt_sigaction");
}

static void
test_own_sigsys_stage1(void)
{
	// Before stage 2 (an add-in's constructor) too.
	expect_seccomp(setup(ADDIN__SANDBOX_RESTRICTED,
	                     "ns,fs,limits,identity,sigsys,stage1",
	                     "own-sigsys", NULL),
	               "rt_sigaction");
}

// ---------------------------------------------------------------- limits

static void
test_memory(void)
{
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "alloc", "1024");
	r->opts.memory_bytes = 64 * MIB;
	sbx_start(r);
	sbx_wait(r);
	sbx_print(r);
	if (!(r->mechanisms &
	      (ADDIN__MECH_MEMORY_V1 | ADDIN__MECH_MEMORY_V2))) {
		const addin__sandbox_probe_info *pr = addin__sandbox_probe();
		uint32_t                         ctrl =
		    (pr->cgroup2 ? pr->cgroup2_ctrl : 0) | pr->cgroup1_ctrl;
		done(r);
		ADDIN_CHECKF((ctrl & ADDIN__CG_MEMORY) == 0,
		             "the probe offers a memory cgroup, the group "
		             "did not use it");
		ADDIN_SKIP_MISSING(
		    "no memory cgroup (see the RLIMIT_DATA case)");
	}
	ADDIN_CHECK_INT(r->death.cause, ==, ADDIN__CAUSE_OOM);
	ADDIN_CHECK_INT(r->left, <=, 0);
	ADDIN_CHECK_INT(addin_test_fd_count(), ==, fds_before);
	done(r);
}

static void
test_memory_rlimit(void)
{
#ifdef ADDIN_SANITIZED
	ADDIN_SKIP("RLIMIT_DATA is not used in sanitizer builds");
#else
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "alloc", "1024");
	r->no_cgroup         = true;
	r->opts.memory_bytes = 64 * MIB;
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(r->death.status, ==, 7); // malloc returned NULL
	ADDIN_CHECK(r->reports.applied.flags & ADDIN__APPLIED_RLIMIT_DATA);
	done(r);
#endif
}

static int
count_of(const sbx_run *r)
{
	const char *c = strstr(r->out, "count ");
	return c == NULL ? -1 : atoi(c + 6);
}

static void
test_fork_bomb(void)
{
	// Forks are allowed until stage 1: stop before it.
	sbx_run *r            = setup(ADDIN__SANDBOX_RESTRICTED,
	                              "ns,fs,limits,identity,sigsys", "fork-bomb", NULL);
	r->opts.max_processes = 16;
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(count_of(r), >, 0);
	ADDIN_CHECK_INT(count_of(r), <, 16);
	done(r);
}

static void
test_thread_bomb(void)
{
	sbx_run *r =
	    setup(ADDIN__SANDBOX_RESTRICTED, "all", "thread-bomb", NULL);
	r->opts.max_processes = 16;
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(count_of(r), >, 0);
	ADDIN_CHECK_INT(count_of(r), <, 16);
	done(r);
}

static void
test_cpu(void)
{
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "spin", NULL);
	r->opts.cpu_seconds = 1;
	// No CPU quota (a machine without a cpu controller), so that the
	// spin runs at full speed.
	r->no_cpu_ctrl = true;
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_CPU_LIMIT);
	ADDIN_CHECK_INT(r->death.status, ==, SIGXCPU);
	// The kernel sent SIGXCPU at 1 s of the spinner's own CPU time;
	// cpu_ms is the rusage of the outer process's reaped descendants,
	// which on a loaded machine falls short of that (866 ms seen), but
	// not far: it spun, it did not die at once.
	ADDIN_CHECK_INT(r->cpu_ms, >=, 500);
	done(r);
}

static void
test_deadline(void)
{
	sbx_run *r     = setup(ADDIN__SANDBOX_RESTRICTED, "all", "spin", NULL);
	r->deadline_ms = 300;
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_HOST_KILL);
	ADDIN_CHECK_CONTAINS(r->death.message, "deadline");
	done(r);
}

static void
test_fds(void)
{
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED, "all", "fds", NULL);
	r->opts.max_open_files = 32;
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(r->death.status, ==, 0); // EMFILE
	ADDIN_CHECK_INT(count_of(r), >, 0);
	ADDIN_CHECK_INT(count_of(r), <, 32);
	done(r);
}

// ---------------------------------------------------------------- strict

static void
test_strict_mprotect(void)
{
	expect_seccomp(
	    setup(ADDIN__SANDBOX_STRICT, "all", "mprotect-exec", NULL),
	    "mprotect");
}

static void
test_strict_mprotect_restricted(void)
{
	// The same at restricted is allowed (JITs), which is why strict
	// exists.
	sbx_run *r =
	    setup(ADDIN__SANDBOX_RESTRICTED, "all", "mprotect-exec", NULL);
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(r->death.status, ==, 42);
	done(r);
}

static void
test_strict_open(void)
{
	expect_seccomp(setup(ADDIN__SANDBOX_STRICT, "all", "open-any", NULL),
	               "openat");
}

static void
test_strict_passwd(void)
{
	expect_seccomp(
	    setup(ADDIN__SANDBOX_STRICT, "all", "read", "/etc/passwd"),
	    "openat");
}

static void
test_strict_healthy(void)
{
	sbx_run *r = setup(ADDIN__SANDBOX_STRICT, "all", "whoami", NULL);
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(r->death.status, ==, 0);
	done(r);
}

static void
test_dlopen_restricted(void)
{
	// The runner loads add-ins when the host asks, possibly after stage
	// 2: at restricted that works (inside the private root).
	sbx_run *r =
	    setup(ADDIN__SANDBOX_RESTRICTED, "all", "dlopen", "libz.so.1");
	ADDIN_CHECK_INT(run(r), ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECKF(r->death.status == 42, "%s", r->out);
	done(r);
}

static void
test_dlopen_strict(void)
{
	// At strict nothing can be loaded after stage 2: load first.
	expect_seccomp(
	    setup(ADDIN__SANDBOX_STRICT, "all", "dlopen", "libz.so.1"),
	    "openat");
}

// ---------------------------------------------------------------- whole

static void
test_kill_outer(void)
{
	pid_t    pids[64];
	int      n;
	sbx_run *r = setup(ADDIN__SANDBOX_RESTRICTED,
	                   "ns,fs,limits,identity,sigsys", "sleepers", NULL);
	if (!sbx_can_ns(ADDIN__NS_PID)) {
		done(r);
		ADDIN_SKIP_MISSING("no pid namespace");
	}
	sbx_start(r);
	ADDIN_CHECK(sbx_wait_output(r, "ready", 10000));
	// reaper, worker and three setsid'd sleepers (maybe a middle one
	// still exiting)
	n = sbx_descendants(r->pid, pids, 64);
	ADDIN_CHECK_INT(n, >=, 5);
	// SIGKILL to the outer process only: the namespace must follow on
	// its own (sbx_wait waits for the cgroup to empty without killing).
	sbx_kill(r, ADDIN__HOST_KILL_SHUTDOWN);
	sbx_wait(r);
	sbx_print(r);
	ADDIN_CHECK_INT(r->death.cause, ==, ADDIN__CAUSE_HOST_KILL);
	ADDIN_CHECK_CONTAINS(r->death.message, "shutdown");
	ADDIN_CHECK_INT(r->left, <=, 0);
	ADDIN_WAIT_UNTILF(sbx_alive(pids, n) == 0, 3000,
	                  "%d of %d processes still alive after 3 s",
	                  sbx_alive(pids, n), n);
	ADDIN_CHECK_INT(addin_test_fd_count(), ==, fds_before);
	done(r);
}

static void
test_dies_with_host(void)
{
	int   p[2], status;
	pid_t host;
	struct {
		int   n;
		pid_t pids[64];
		char  scratch[256];
		char  ipc[256];
	} info;

	ADDIN_CHECK(pipe(p) == 0);
	host = fork();
	if (host == 0) {
		// A host that spawns a sandboxed add-in and then dies hard.
		close(p[0]);
		sbx_init(&R, ADDIN__SANDBOX_RESTRICTED,
		         "ns,fs,limits,identity,sigsys", "sleepers", NULL);
		R.no_cgroup = true;
		// Without a pids cgroup the task limit would be RLIMIT_NPROC,
		// which counts every process of uid 65534 on the machine
		// (other sandboxes' too) and so can refuse the sleepers'
		// forks.
		R.opts.max_processes = UINT64_MAX;
		if (!sbx_can_ns(ADDIN__NS_PID)) {
			_exit(77);
		}
		sbx_start(&R);
		if (!sbx_wait_output(&R, "ready", 10000)) {
			fprintf(stderr, "  the helper said: %s\n", R.out);
			_exit(1);
		}
		info.n = sbx_descendants(getpid(), info.pids, 64);
		snprintf(info.scratch, sizeof(info.scratch), "%s", R.scratch);
		snprintf(info.ipc, sizeof(info.ipc), "%s",
		         addin__sbx_ipc_dir(R.sbx));
		(void) write(p[1], &info, sizeof(info));
		kill(getpid(), SIGKILL);
	}
	close(p[1]);
	if (read(p[0], &info, sizeof(info)) != sizeof(info)) {
		waitpid(host, &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
			ADDIN_SKIP_MISSING("no pid namespace");
		}
		ADDIN_CHECK(!"the host did not start its add-in");
	}
	close(p[0]);
	waitpid(host, &status, 0);
	ADDIN_CHECK(WIFSIGNALED(status));
	// outer, reaper, worker and three sleepers in their own sessions
	// (and maybe a middle process still exiting)
	ADDIN_CHECK_INT(info.n, >=, 6);
	// Issue 6's bound: gone within 1 s of the host's death.
	int64_t t0 = addin_test_now_ms();
	ADDIN_WAIT_UNTILF(sbx_alive(info.pids, info.n) == 0, 1000,
	                  "%d of %d processes still alive 1 s after the host "
	                  "died",
	                  sbx_alive(info.pids, info.n), info.n);
	printf("  all %d processes gone %lld ms after the host died\n", info.n,
	       (long long) (addin_test_now_ms() - t0));
	// What a host that died hard leaves until the next one sweeps it.
	rmdir(info.scratch);
	ADDIN_CHECK(rmdir(info.ipc) == 0);
}

ADDIN_TEST_LIST = {
    {"a healthy helper exits 0 and reports every mechanism applied",
     test_healthy},
    {"the worker runs as nobody (root host), as PID 2 under a reaper",
     test_identity},
    {"the worker's exit code passes through the outer process",
     test_exit_code},
    {"abort() in the worker is SIGABRT for the host (not PID 1)", test_abort},
    {"a setup failure exits with the setup code and names the step",
     test_setup_failure},
    {"level none is not a boundary: /etc/passwd is readable", test_level_none},
    {"reading /etc/passwd fails: it is not in the sandbox's root",
     test_passwd},
    {"writing outside the scratch dir fails and leaves no file",
     test_write_outside},
    {"writing inside the scratch dir works (control)", test_write_scratch},
    {"the host's /proc/<pid>/environ cannot be read", test_environ},
    {"a read grant shows a directory read-only; without it it is absent",
     test_read_grant},
    {"writing past the file size limit is SIGXFSZ", test_fsize},
    {"an AF_INET socket traps as seccomp violation socket", test_inet},
    {"with the network grant the helper reaches 127.0.0.1",
     test_network_grant},
    {"without stage 2 the empty net namespace refuses 127.0.0.1",
     test_inet_netns},
    {"execve /bin/sh traps as execve", test_exec},
    {"a thread started before stage 2 is filtered too (TSYNC)", test_tsync},
    {"execve traps already at stage 1", test_exec_stage1},
    {"fork traps as clone at stage 2", test_fork},
    {"ptrace-attaching the host traps; the host is not traced", test_ptrace},
    {"kill()ing the host traps as kill", test_kill},
    {"sigqueue()ing the host traps already at stage 1", test_sigqueue_stage1},
    {"rt_tgsigqueueinfo to the host traps already at stage 1",
     test_tgsigqueue_stage1},
    {"pidfd_send_signal traps already at stage 1, even to itself",
     test_pidfd_signal_stage1},
    {"sigqueue()ing the host traps as rt_sigqueueinfo", test_sigqueue},
    {"without seccomp the pid namespace hides the host from kill()",
     test_kill_pidns},
    {"unshare(CLONE_NEWUSER) traps as unshare", test_unshare},
    {"io_uring_setup traps", test_io_uring},
    {"installing its own SIGSYS handler traps as rt_sigaction",
     test_own_sigsys},
    {"installing its own SIGSYS handler traps before stage 2 too",
     test_own_sigsys_stage1},
    {"allocating far beyond the memory limit is an OOM kill", test_memory},
    {"without a memory cgroup RLIMIT_DATA makes malloc fail",
     test_memory_rlimit},
    {"a fork bomb stops below the process limit", test_fork_bomb},
    {"a thread bomb stops below the process limit", test_thread_bomb},
    {"spinning hits the CPU limit (SIGXCPU)", test_cpu},
    {"spinning past the host's deadline is killed by the host", test_deadline},
    {"exhausting descriptors stops at the limit; the host's are "
     "untouched",
     test_fds},
    {"strict: mprotect(PROT_EXEC) on written memory traps",
     test_strict_mprotect},
    {"restricted: mprotect(PROT_EXEC) is allowed (the difference)",
     test_strict_mprotect_restricted},
    {"strict: opening any file traps as openat", test_strict_open},
    {"strict: reading /etc/passwd traps as openat", test_strict_passwd},
    {"strict: a healthy helper runs to the end", test_strict_healthy},
    {"restricted: dlopen after stage 2 works (late loads)",
     test_dlopen_restricted},
    {"strict: dlopen after stage 2 traps (load before it)",
     test_dlopen_strict},
    {"SIGKILL to the outer process leaves no process of the namespace",
     test_kill_outer},
    {"when the host dies hard, the whole sandbox dies with it",
     test_dies_with_host},
    {NULL, NULL},
};
