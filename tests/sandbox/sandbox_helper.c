// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// sandbox_helper: a stand-in for the add-in runner in the sandbox tests,
// started the way the host starts the runner (tests/sandbox/sbx_host.c).
// Like the runner it asks to die with its parent, waits for its token on
// descriptor 3 (the host puts it into the cgroup first), and reads its
// policy from the descriptor given; then it enters the sandbox through the
// runner half (addin-sdk/sandbox/runner/sandbox_runner.h) and performs one
// action.
//
//   sandbox_helper --parent PID --sandbox-fd N --report-fd N
//                  STAGES ACTION [ARG]
//   STAGES  "all": addin__sandbox_enter and addin__sandbox_after_load, as
//           the runner does; or a comma list of ns,fs,limits,identity,
//           sigsys,stage1,stage2 applied step by step in the runner's
//           order (each alone: what the product's entry is built of);
//           or "none"
//
// Output: lines on stdout ("ready", "count N", "blocked: <errno text>",
// "timing <stage> <us>").  Exit status: 0 when the action was attempted
// and refused without a trap; HELPER_EFFECT (42) when a hostile action got
// through (a containment failure); others as noted per action.

#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>

#include "parse.h"
#include "platform/platform.h"
#include "sandbox_runner.h"

#define TOKEN_FD      3
#define HELPER_EFFECT 42

static bool timing;
static int  report_fd = -1;

static int64_t
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static _Noreturn void
blocked(const char *what)
{
	say("blocked: %s: %s", what, strerror(errno));
	exit(0);
}

static _Noreturn void
effect(const char *what)
{
	say("EFFECT: %s", what);
	exit(HELPER_EFFECT);
}

static bool
has(const char *list, const char *stage)
{
	size_t n = strlen(stage);
	if (strcmp(list, "all") == 0) {
		return true;
	}
	for (const char *s = list; *s != '\0';) {
		size_t l = strcspn(s, ",");
		if (l == n && strncmp(s, stage, n) == 0) {
			return true;
		}
		s += l;
		s += *s == ',';
	}
	return false;
}

// ---------------------------------------------------------------- actions

static void
on_sigsys_own(int sig)
{
	(void) sig;
	// An add-in's own handler would swallow the violation and go on.
	_exit(HELPER_EFFECT);
}

static void *
sleeper(void *arg)
{
	(void) arg;
	for (;;) {
		pause();
	}
	return NULL;
}

// A thread started before stage 2, woken after it: TSYNC must have put
// the allow list on it too.
static int tsync_pipe[2];

static void *
tsync_thread(void *arg)
{
	char c;
	(void) arg;
	if (read(tsync_pipe[0], &c, 1) == 1) {
		// Allowed by stage 1, not by stage 2.
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0) {
			say("EFFECT: socket(AF_INET) from an older thread");
			_exit(HELPER_EFFECT);
		}
	}
	return NULL;
}

// Stage 2 once nng is up, as the runner does after the add-in's load.
typedef void stage2_fn(void *arg);

static int
act_pingpong(const char *url, stage2_fn *stage2, void *arg)
{
	nng_socket s;
	int        rv;
	if ((rv = nng_pair1_open(&s)) != 0 ||
	    (rv = nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, 4096)) != 0 ||
	    (rv = nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 10000)) != 0 ||
	    (rv = nng_dial(s, url, NULL, 0)) != 0) {
		say("nng: %s", nng_strerror(rv));
		return 3;
	}
	// nng is up and connected: now the allow list, with TSYNC, so that
	// its threads are filtered too.
	if (stage2 != NULL) {
		stage2(arg);
	}
	for (int i = 0;; i++) {
		char  *buf;
		size_t len;
		char   reply[64];
		if ((rv = nng_recv(s, &buf, &len, NNG_FLAG_ALLOC)) != 0) {
			say("nng recv: %s", nng_strerror(rv));
			return 4;
		}
		if (len == 4 && memcmp(buf, "quit", 4) == 0) {
			nng_free(buf, len);
			break;
		}
		snprintf(reply, sizeof(reply), "pong %.*s", (int) len, buf);
		nng_free(buf, len);
		if ((rv = nng_send(s, reply, strlen(reply), 0)) != 0) {
			say("nng send: %s", nng_strerror(rv));
			return 5;
		}
	}
	nng_close(s);
	return 0;
}

static int
act(const char *a, const char *arg)
{
	if (strcmp(a, "ok") == 0) {
		return 0;
	}
	if (strcmp(a, "exit") == 0) {
		return atoi(arg);
	}
	if (strcmp(a, "abort") == 0) {
		abort();
	}
	if (strcmp(a, "sleep") == 0) {
		say("ready");
		for (;;) {
			pause();
		}
	}
	if (strcmp(a, "sleepers") == 0) {
		// Leave processes behind inside the namespace (in their own
		// sessions), then sleep.
		int  p[2];
		char c;
		if (pipe(p) != 0) {
			return 9;
		}
		for (int i = 0; i < 3; i++) {
			pid_t pid = fork();
			if (pid < 0) {
				say("fork: %s", strerror(errno));
				return 9; // not "ready": the caller says why
			}
			if (pid == 0) {
				setsid();
				pid = fork();
				if (pid == 0) {
					(void) write(p[1], "s", 1);
					for (;;) {
						pause();
					}
				}
				if (pid < 0) {
					(void) write(p[1], "f", 1);
				}
				_exit(0);
			}
		}
		for (int i = 0; i < 3; i++) {
			if (read(p[0], &c, 1) != 1 || c != 's') {
				say("fork of a sleeper failed");
				return 9;
			}
		}
		say("ready");
		for (;;) {
			pause();
		}
	}
	if (strcmp(a, "read") == 0) { // read ARG (a file) fully
		char buf[256];
		int  fd = open(arg, O_RDONLY);
		if (fd < 0) {
			blocked(arg);
		}
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			blocked(arg);
		}
		effect(arg);
	}
	if (strcmp(a, "write") == 0) { // create and write ARG
		int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			blocked(arg);
		}
		if (write(fd, "hostile\n", 8) != 8) {
			blocked(arg);
		}
		close(fd);
		say("wrote %s", arg);
		return HELPER_EFFECT;
	}
	if (strcmp(a, "inet") == 0) { // TCP connect to 127.0.0.1:ARG
		struct sockaddr_in sin;
		int                fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0) {
			blocked("socket(AF_INET)");
		}
		memset(&sin, 0, sizeof(sin));
		sin.sin_family      = AF_INET;
		sin.sin_port        = htons((uint16_t) atoi(arg));
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) != 0) {
			blocked("connect 127.0.0.1");
		}
		effect("connected to 127.0.0.1");
	}
	if (strcmp(a, "exec") == 0) {
		static char sh[] = "sh", c[] = "-c", cmd[] = "exit 0";
		char *const argv[] = {sh, c, cmd, NULL};
		execve("/bin/sh", argv, environ);
		blocked("execve /bin/sh");
	}
	if (strcmp(a, "fork") == 0) {
		pid_t pid = fork();
		if (pid < 0) {
			blocked("fork");
		}
		if (pid == 0) {
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		effect("forked");
	}
	if (strcmp(a, "ptrace") == 0) {
		if (ptrace(PTRACE_ATTACH, (pid_t) atoi(arg), NULL, NULL) !=
		    0) {
			blocked("ptrace attach");
		}
		effect("attached");
	}
	if (strcmp(a, "kill") == 0) {
		if (kill((pid_t) atoi(arg), SIGKILL) != 0) {
			blocked("kill");
		}
		effect("killed");
	}
	// The queued forms of kill and tgkill, and a pidfd's signal (to
	// itself: the host's pid may not exist in its namespace).
	if (strcmp(a, "sigqueue") == 0) {
		union sigval v = {0};
		if (sigqueue((pid_t) atoi(arg), SIGKILL, v) != 0) {
			blocked("sigqueue");
		}
		effect("queued");
	}
	if (strcmp(a, "tgsigqueue") == 0) {
		siginfo_t si;
		pid_t     pid = (pid_t) atoi(arg);
		memset(&si, 0, sizeof(si));
		si.si_signo = SIGKILL;
		si.si_code  = SI_QUEUE;
		si.si_pid   = getpid();
		si.si_uid   = getuid();
		if (syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGKILL, &si) !=
		    0) {
			blocked("rt_tgsigqueueinfo");
		}
		effect("queued");
	}
	if (strcmp(a, "pidfd-signal") == 0) {
		long fd = syscall(SYS_pidfd_open, getpid(), 0);
		if (fd < 0) {
			blocked("pidfd_open");
		}
		if (syscall(SYS_pidfd_send_signal, (int) fd, 0, NULL, 0) !=
		    0) {
			blocked("pidfd_send_signal");
		}
		effect("signalled through a pidfd");
	}
	if (strcmp(a, "unshare-user") == 0) {
		if (unshare(CLONE_NEWUSER) != 0) {
			blocked("unshare(CLONE_NEWUSER)");
		}
		effect("new user namespace");
	}
	if (strcmp(a, "io-uring") == 0) {
		struct io_uring_params prm;
		memset(&prm, 0, sizeof(prm));
		long fd = syscall(SYS_io_uring_setup, 8, &prm);
		if (fd < 0) {
			blocked("io_uring_setup");
		}
		effect("io_uring instance");
	}
	if (strcmp(a, "own-sigsys") == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigsys_own;
		if (sigaction(SIGSYS, &sa, NULL) != 0) {
			blocked("sigaction(SIGSYS)");
		}
		// Installed: now a forbidden call would land in our handler.
		syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
		effect("own SIGSYS handler installed");
	}
	if (strcmp(a, "alloc") == 0) { // ARG MiB, touched
		size_t mib = (size_t) atoi(arg);
		for (size_t i = 0; i < mib; i++) {
			char *p = malloc(1 << 20);
			if (p == NULL) {
				say("malloc failed after %zu MiB", i);
				return 7;
			}
			memset(p, 0x5a, 1 << 20);
		}
		effect("allocated everything");
	}
	if (strcmp(a, "fork-bomb") == 0) {
		int n = 0;
		for (int i = 0; i < 1000; i++) {
			pid_t pid = fork();
			if (pid < 0) {
				break;
			}
			if (pid == 0) {
				for (;;) {
					pause();
				}
			}
			n++;
		}
		say("count %d", n);
		return 0;
	}
	if (strcmp(a, "thread-bomb") == 0) {
		int n = 0;
		for (int i = 0; i < 1000; i++) {
			pthread_t      t;
			pthread_attr_t at;
			pthread_attr_init(&at);
			pthread_attr_setstacksize(&at, 64 * 1024);
			int rc = pthread_create(&t, &at, sleeper, NULL);
			pthread_attr_destroy(&at);
			if (rc != 0) {
				break;
			}
			n++;
		}
		say("count %d", n);
		fflush(stdout);
		_exit(0);
	}
	if (strcmp(a, "spin") == 0) {
		volatile uint64_t x = 0;
		for (;;) {
			x++;
		}
	}
	if (strcmp(a, "fds") == 0) {
		int n = 0;
		for (int i = 0; i < 100000; i++) {
			if (open("/dev/null", O_RDONLY) < 0) {
				break;
			}
			n++;
		}
		say("count %d errno %d", n, errno);
		return errno == EMFILE ? 0 : 8;
	}
	if (strcmp(a, "fsize") == 0) { // write 2 MiB to ARG
		int  fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		char buf[65536];
		memset(buf, 'x', sizeof(buf));
		if (fd < 0) {
			blocked(arg);
		}
		for (int i = 0; i < 32; i++) {
			if (write(fd, buf, sizeof(buf)) < 0) {
				blocked("write");
			}
		}
		effect("wrote past the file size limit");
	}
	if (strcmp(a, "mprotect-exec") == 0) {
		unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			blocked("mmap");
		}
		p[0] = 0xc3; // ret
		if (mprotect(p, 4096, PROT_READ | PROT_EXEC) != 0) {
			blocked("mprotect(PROT_EXEC)");
		}
		effect("made written memory executable");
	}
	if (strcmp(a, "open-any") == 0) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0) {
			blocked("open /dev/null");
		}
		effect("opened /dev/null");
	}
	if (strcmp(a, "dlopen") == 0) { // a library not loaded yet
		void *h = dlopen(arg, RTLD_NOW | RTLD_LOCAL);
		if (h == NULL) {
			say("blocked: dlopen: %s", dlerror());
			return 0;
		}
		say("loaded %s", arg);
		return HELPER_EFFECT;
	}
	if (strcmp(a, "whoami") == 0) {
		say("uid %d gid %d pid %d ppid %d", getuid(), getgid(),
		    getpid(), getppid());
		return 0;
	}
	say("unknown action %s", a);
	return 2;
}

// ---------------------------------------------------------------- entry

static void
say_err(const char *line)
{
	fprintf(stderr, "helper: %s\n", line);
}

// The runner's way in: every step before the add-in through
// addin__sandbox_enter, the allow list through addin__sandbox_after_load.
static addin__sandbox_runner runner;

static void
after_load(void *arg)
{
	(void) arg;
	addin__sandbox_after_load(&runner, say_err);
}

// Step by step: only the steps in @stages, each timed.
typedef struct steps {
	const char           *stages;
	addin__sandbox_policy p;
	uint32_t              applied;
} steps;

static steps S;

#define STEP(name, step, call)                                               \
	do {                                                                 \
		if (has(S.stages, name)) {                                   \
			int64_t t0_ = now_us();                              \
			if ((call) != ADDIN_OK) {                            \
				fprintf(stderr, "helper: %s: %s\n", name,    \
				        addin_errmsg());                     \
				addin__sandbox_fail(report_fd, step, errno); \
			}                                                    \
			if (timing) {                                        \
				say("timing %s %lld", name,                  \
				    (long long) (now_us() - t0_));           \
			}                                                    \
		}                                                            \
	} while (0)

static void
steps_before_load(int policy_fd)
{
	if (addin__sandbox_policy_from_fd(policy_fd, &S.p) != ADDIN_OK) {
		fprintf(stderr, "helper: policy: %s\n", addin_errmsg());
		addin__sandbox_fail(report_fd, ADDIN__STEP_POLICY, EINVAL);
	}
	close(policy_fd);
	STEP("ns", ADDIN__STEP_NAMESPACES,
	     addin__sandbox_namespaces(&S.p, &S.applied));
	STEP("fs", ADDIN__STEP_FILESYSTEM,
	     addin__sandbox_filesystem(&S.p, &S.applied));
	STEP("limits", ADDIN__STEP_LIMITS,
	     addin__sandbox_setrlimits(&S.p, &S.applied));
	STEP("identity", ADDIN__STEP_IDENTITY,
	     addin__sandbox_identity(&S.p, &S.applied));
	STEP("sigsys", ADDIN__STEP_SIGSYS,
	     addin__sandbox_sigsys_install(report_fd));
	if (has(S.stages, "sigsys")) {
		S.applied |= ADDIN__APPLIED_SIGSYS;
	}
	STEP("stage1", ADDIN__STEP_STAGE1,
	     addin__sandbox_stage1(&S.p, &S.applied));
	addin__sandbox_report_applied(report_fd, S.applied);
}

static void
step_stage2(void *arg)
{
	(void) arg;
	STEP("stage2", ADDIN__STEP_STAGE2,
	     addin__sandbox_stage2(&S.p, &S.applied));
	if (has(S.stages, "stage2")) {
		addin__sandbox_report_applied(report_fd, S.applied);
	}
}

static int
usage(void)
{
	fprintf(stderr, "usage: sandbox_helper --parent PID --sandbox-fd N "
	                "--report-fd N STAGES ACTION [ARG]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	int         parent = 0, policy_fd = -1;
	char        token;
	bool        whole;
	stage2_fn  *stage2;
	const char *action, *arg;

	if (argc < 9 || strcmp(argv[1], "--parent") != 0 ||
	    strcmp(argv[3], "--sandbox-fd") != 0 ||
	    strcmp(argv[5], "--report-fd") != 0 ||
	    addin__parse_int("--parent", argv[2], 1, 1 << 30, &parent) !=
	        ADDIN_OK ||
	    addin__parse_int("--sandbox-fd", argv[4], 3, 1000, &policy_fd) !=
	        ADDIN_OK ||
	    addin__parse_int("--report-fd", argv[6], 3, 1000, &report_fd) !=
	        ADDIN_OK) {
		return usage();
	}
	S.stages = argv[7];
	action   = argv[8];
	arg      = argc > 9 ? argv[9] : "";
	timing   = getenv("SANDBOX_HELPER_TIMING") != NULL;
	whole    = strcmp(S.stages, "all") == 0 && !timing;
	if (strcmp(S.stages, "none") == 0) {
		S.stages = "";
	}
	// As the runner: die with the host, then wait for the token.
	if (!addin__plat_pdeathsig(parent)) {
		return 3;
	}
	if (read(TOKEN_FD, &token, 1) != 1) {
		return 3;
	}
	close(TOKEN_FD);

	if (whole) {
		addin__sandbox_enter(&runner, policy_fd, report_fd, say_err);
		stage2 = after_load;
	} else {
		steps_before_load(policy_fd);
		stage2 = step_stage2;
	}
	if (strcmp(action, "pingpong") == 0) {
		return act_pingpong(
		    arg, has(S.stages, "stage2") ? stage2 : NULL, NULL);
	}
	pthread_t older;
	bool      tsync = strcmp(action, "tsync") == 0;
	if (tsync && (pipe(tsync_pipe) != 0 ||
	              pthread_create(&older, NULL, tsync_thread, NULL) != 0)) {
		return 9;
	}
	stage2(NULL);
	if (tsync) {
		(void) write(tsync_pipe[1], "go", 1);
		pthread_join(older, NULL);
		return 0;
	}
	return act(action, arg);
}
