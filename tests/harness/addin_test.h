// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// addin_test.h: Bulkhead's own tiny test harness (acutest-like, ours).
//
// A test file defines its cases and one table, and includes this header once:
//
//     static void test_dup(void) { ADDIN_PASS(...); ADDIN_CHECK(x == 1); }
//     ADDIN_TEST_LIST = {
//         { "registry rejects duplicate id", test_dup },
//         { NULL, NULL },
//     };
//
// Each case runs in its own forked child with a deadline (like libuv's
// runner), so a case that crashes, hangs or is killed fails alone.  The parent
// never initialises nng or any other library, so forking it is safe.  After a
// case returns, the child checks that every allocation made through Bulkhead's
// allocator seam was freed.
//
// A case synchronises on events, never on sleeps: a test add-in raises
// "entered" through an addin_test_event the case made (the add-in side is
// addin_test_signal.h); what has no event (a process that must be gone, a
// descriptor nng closes on its own thread) is polled to a deadline by
// ADDIN_WAIT_UNTIL, which fails naming the condition; addin_test_fd_count
// and addin_test_fd_count_back_to are the one descriptor counter.  See
// "waiting" below.
//
// Usage:  test-binary [--list] [--no-fork] [--exact] [name...]
// Runs the cases whose names contain one of the names given (all without
// any), or with --exact only cases named exactly so (one ctest test per
// case: cmake/AddinTesting.cmake, PER_CASE).  A name that selects no case
// is an error.
// Environment: ADDIN_TEST_TIMEOUT (seconds per case, default 120);
// ADDIN_TEST_REQUIRE_SANDBOX=1 (CI): a case that would skip for a missing
// kernel feature (ADDIN_SKIP_MISSING) fails instead.
// Exit: 0 all passed, 1 a case failed, 77 every case run was skipped.

#ifndef ADDIN_TEST_H
#define ADDIN_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addin/err.h"
#include "addin_test_signal.h"

struct addin_test_case {
	const char *name;
	void (*fn)(void);
};

// Defined by the test file.
extern const struct addin_test_case addin_test_list_[];
#define ADDIN_TEST_LIST const struct addin_test_case addin_test_list_[]

// Live allocations of Bulkhead's allocator seam (libaddin-sdk, private).
extern int64_t addin__alloc_live(void);
// Lets nng finish tearing connections down before the exit-time leak
// check.  Weak: a test that never loads nng (through libaddin-host) has none.
extern void nng_fini(void) __attribute__((weak));

#define ADDIN_TEST_SKIP_CODE 77

static bool        addin_test_leakcheck_ = true;
static const char *addin_test_current_   = "";

static void addin_test_fail_(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

static void
addin_test_fail_(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "  FAILED %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	fflush(stdout);
	_exit(1);
}

// ADDIN_TEST_NO_LEAKCHECK() turns off the allocation check for this case
// (for cases that deliberately abandon objects, e.g. after fork tricks).
#define ADDIN_TEST_NO_LEAKCHECK() (addin_test_leakcheck_ = false)

#define ADDIN_CHECK(cond)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			addin_test_fail_(__FILE__, __LINE__, "%s", #cond); \
		}                                                          \
	} while (0)

#define ADDIN_CHECKF(cond, ...)                                            \
	do {                                                               \
		if (!(cond)) {                                             \
			addin_test_fail_(__FILE__, __LINE__, __VA_ARGS__); \
		}                                                          \
	} while (0)

// ADDIN_PASS(expr): @expr must return ADDIN_OK.
#define ADDIN_PASS(expr)                                                      \
	do {                                                                  \
		addin_err rv_ = (expr);                                       \
		if (rv_ != ADDIN_OK) {                                        \
			addin_test_fail_(__FILE__, __LINE__, "%s -> %s (%s)", \
			                 #expr, addin_err_name(rv_),          \
			                 addin_errmsg());                     \
		}                                                             \
	} while (0)

// ADDIN_FAIL(expr, code): @expr must return exactly @code.
#define ADDIN_FAIL(expr, code)                                                \
	do {                                                                  \
		addin_err rv_ = (expr);                                       \
		if (rv_ != (code)) {                                          \
			addin_test_fail_(                                     \
			    __FILE__, __LINE__, "%s -> %s, expected %s (%s)", \
			    #expr, addin_err_name(rv_), addin_err_name(code), \
			    addin_errmsg());                                  \
		}                                                             \
	} while (0)

#define ADDIN_CHECK_INT(a, op, b)                                           \
	do {                                                                \
		long long a_ = (long long) (a), b_ = (long long) (b);       \
		if (!(a_ op b_)) {                                          \
			addin_test_fail_(__FILE__, __LINE__,                \
			                 "%s %s %s: %lld vs %lld", #a, #op, \
			                 #b, a_, b_);                       \
		}                                                           \
	} while (0)

#define ADDIN_CHECK_STR(a, b)                                                 \
	do {                                                                  \
		const char *a_ = (a), *b_ = (b);                              \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {        \
			addin_test_fail_(                                     \
			    __FILE__, __LINE__, "%s == %s: \"%s\" vs \"%s\"", \
			    #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");  \
		}                                                             \
	} while (0)

// ADDIN_CHECK_CONTAINS(haystack, needle)
#define ADDIN_CHECK_CONTAINS(h, n)                                         \
	do {                                                               \
		const char *h_ = (h), *n_ = (n);                           \
		if (h_ == NULL || strstr(h_, n_) == NULL) {                \
			addin_test_fail_(__FILE__, __LINE__,               \
			                 "\"%s\" does not contain \"%s\"", \
			                 h_ ? h_ : "(null)", n_);          \
		}                                                          \
	} while (0)

// ADDIN_SKIP(...): the case cannot run here (kernel feature missing...).
#define ADDIN_SKIP(...)                       \
	do {                                  \
		fprintf(stderr, "  SKIP: ");  \
		fprintf(stderr, __VA_ARGS__); \
		fprintf(stderr, "\n");        \
		fflush(stderr);               \
		_exit(ADDIN_TEST_SKIP_CODE);  \
	} while (0)

// addin_test_require_sandbox: is ADDIN_TEST_REQUIRE_SANDBOX set (and not
// "0")?  Then this machine is declared to have every kernel feature the
// sandbox uses (CI, as root).
static inline bool
addin_test_require_sandbox(void)
{
	const char *v = getenv("ADDIN_TEST_REQUIRE_SANDBOX");
	return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

// ADDIN_SKIP_MISSING(...): the case needs a kernel feature that the
// sandbox probe says this machine lacks.  Skips, or fails when
// ADDIN_TEST_REQUIRE_SANDBOX is set.  Only for what the probe (or the
// kernel) decides; a feature the probe offers but the code under test did
// not use is a failure, never a skip.
#define ADDIN_SKIP_MISSING(...)                                   \
	do {                                                      \
		if (addin_test_require_sandbox()) {               \
			fprintf(stderr, "  missing: ");           \
			fprintf(stderr, __VA_ARGS__);             \
			fprintf(stderr, "\n");                    \
			addin_test_fail_(                         \
			    __FILE__, __LINE__,                   \
			    "ADDIN_TEST_REQUIRE_SANDBOX is set: " \
			    "a missing feature fails");           \
		}                                                 \
		ADDIN_SKIP(__VA_ARGS__);                          \
	} while (0)

// addin_test_name returns the name of the running case.
static inline const char *
addin_test_name(void)
{
	return addin_test_current_;
}

// addin_test_now_ms: a monotonic clock in milliseconds, for tests that
// assert a bound ("within 100 ms").
static inline int64_t
addin_test_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// ---- waiting ---------------------------------------------------------------
//
// A case never sleeps a fixed time for something to happen.  It waits for
// an event where there is one: an add-in raising an addin_test_event
// (below), a condition variable of its own threads, a descriptor that
// becomes readable.  Where what it waits for has no event -- a process that
// must have died, a descriptor nng closes on its own thread, a cgroup that
// must empty, a counter kept in another process -- it polls the condition
// with addin_test_wait, the one poll loop of the tests, until a deadline,
// and fails naming the condition when the deadline passed.  (A sleep may
// stay where it is the behaviour under test -- an add-in that must be slow
// for a deadline to fire -- with a comment saying so.)

// addin_test_wait: a deadline and the back-off of a poll loop.
typedef struct addin_test_wait {
	int64_t deadline; // addin_test_now_ms()
	long    nap_us;   // the next nap
} addin_test_wait;

// addin_test_wait_start begins a wait of @timeout_ms (0 or less: the
// condition is looked at once).
static inline addin_test_wait
addin_test_wait_start(int timeout_ms)
{
	addin_test_wait w = {addin_test_now_ms() + timeout_ms, 100};
	return w;
}

// addin_test_wait_more is false once the deadline of @w has passed;
// otherwise it naps and returns true, so that the caller looks at its
// condition again.  The naps start at 0.1 ms (a condition that turns true
// at once is seen at once) and double up to 10 ms (a slow one costs
// little).  A poll loop reads
//
//     addin_test_wait w = addin_test_wait_start(2000);
//     while (!gone(pid)) {
//             if (!addin_test_wait_more(&w)) { ... the deadline passed }
//     }
static inline bool
addin_test_wait_more(addin_test_wait *w)
{
	int64_t         left = w->deadline - addin_test_now_ms();
	long            nap  = w->nap_us;
	struct timespec ts;

	if (left <= 0) {
		return false;
	}
	if (nap > left * 1000) {
		nap = (long) left * 1000;
	}
	ts.tv_sec  = 0;
	ts.tv_nsec = nap * 1000;
	nanosleep(&ts, NULL);
	if (w->nap_us < 10 * 1000) {
		w->nap_us *= 2;
	}
	return true;
}

// ADDIN_WAIT_UNTIL(cond, timeout_ms) polls @cond until it holds; when it
// still does not after @timeout_ms, the case fails naming @cond.
#define ADDIN_WAIT_UNTIL(cond, timeout_ms)                              \
	ADDIN_WAIT_UNTILF(cond, timeout_ms, "still not %s after %d ms", \
	                  #cond, (int) (timeout_ms))

// ADDIN_WAIT_UNTILF(cond, timeout_ms, fmt, ...): the same, failing with
// the message given (its arguments are evaluated at the deadline, so it can
// show what the condition saw).
#define ADDIN_WAIT_UNTILF(cond, timeout_ms, ...)                        \
	do {                                                            \
		addin_test_wait w_ = addin_test_wait_start(timeout_ms); \
		while (!(cond)) {                                       \
			if (!addin_test_wait_more(&w_)) {               \
				addin_test_fail_(__FILE__, __LINE__,    \
				                 __VA_ARGS__);          \
			}                                               \
		}                                                       \
	} while (0)

// addin_test_stopped: has every thread of @pid stopped (state T or t)?
static inline bool
addin_test_stopped(int pid)
{
	char           dir[64];
	DIR           *d;
	struct dirent *de;
	bool           all;

	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	all = (d = opendir(dir)) != NULL;
	while (d != NULL && (de = readdir(d)) != NULL) {
		char  path[sizeof(dir) + 270], buf[512], *p;
		FILE *f;
		if (de->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/stat", dir, de->d_name);
		if ((f = fopen(path, "r")) == NULL) {
			continue; // the thread ended
		}
		if (fgets(buf, sizeof(buf), f) == NULL ||
		    (p = strrchr(buf, ')')) == NULL || p[1] != ' ' ||
		    (p[2] != 'T' && p[2] != 't')) {
			all = false;
		}
		fclose(f);
	}
	if (d != NULL) {
		closedir(d);
	}
	return all;
}

// addin_test_stop sends SIGSTOP to @pid and waits (up to 2 s) until every
// thread of it has stopped: kill() returns before the stop takes effect,
// and a thread not yet stopped could still answer a call.  True when all
// stopped.
static inline bool
addin_test_stop(int pid)
{
	addin_test_wait w = addin_test_wait_start(2000);

	if (kill(pid, SIGSTOP) != 0) {
		return false;
	}
	while (!addin_test_stopped(pid)) {
		if (!addin_test_wait_more(&w)) {
			return false;
		}
	}
	return true;
}

// ---- events from add-ins ---------------------------------------------------
//
// addin_test_event: a FIFO in a directory of the case's own.  Whoever opens
// its path and writes a byte raises the event: this process, another, or
// an add-in in a sandbox that was granted the directory read-only.  A test
// add-in raises "entered" with addin_test_signal_entered()
// (addin_test_signal.h) when $BULKHEAD_TEST_ENTERED names the FIFO: the
// case passes @env in the activation's environment, or setenv()s
// ADDIN_TEST_ENTERED_ENV to @path for an add-in in its own process.  Each
// raise is one byte; each wait takes one.

typedef struct addin_test_event {
	char dir[40];  // /tmp/bulkhead-event-XXXXXX, mode 0755
	char path[56]; // dir/entered, the FIFO, mode 0666
	char env[96];  // "BULKHEAD_TEST_ENTERED=<path>"
	int  fd;       // the case's end, read-write: never at end of file
} addin_test_event;

// addin_test_event_open makes @ev; fails the case when it cannot.  The
// directory and FIFO can be reached by the sandbox's user (nobody, when
// the case runs as root).
static inline void
addin_test_event_open(addin_test_event *ev)
{
	snprintf(ev->dir, sizeof(ev->dir), "/tmp/bulkhead-event-XXXXXX");
	ADDIN_CHECK(mkdtemp(ev->dir) != NULL);
	ADDIN_CHECK(chmod(ev->dir, 0755) == 0);
	snprintf(ev->path, sizeof(ev->path), "%s/entered", ev->dir);
	ADDIN_CHECK(mkfifo(ev->path, 0666) == 0);
	ADDIN_CHECK(chmod(ev->path, 0666) == 0); // whatever the umask
	snprintf(ev->env, sizeof(ev->env), "%s=%s", ADDIN_TEST_ENTERED_ENV,
	         ev->path);
	// Read-write (Linux): a writer that comes and goes never leaves the
	// FIFO at end of file, so poll() waits for data, not for writers.
	ev->fd = open(ev->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ADDIN_CHECK(ev->fd >= 0);
}

// addin_test_event_raise raises @ev from this process.
static inline void
addin_test_event_raise(addin_test_event *ev)
{
	ADDIN_CHECK(write(ev->fd, "e", 1) == 1);
}

// addin_test_event_wait_ takes one raise of @ev, waiting up to @timeout_ms
// for it; false at the deadline.
static inline bool
addin_test_event_wait_(addin_test_event *ev, int timeout_ms)
{
	int64_t deadline = addin_test_now_ms() + timeout_ms;
	for (;;) {
		struct pollfd pfd = {ev->fd, POLLIN, 0};
		char          c;
		int64_t       left = deadline - addin_test_now_ms();
		if (read(ev->fd, &c, 1) == 1) {
			return true;
		}
		if (left <= 0) {
			return false;
		}
		(void) poll(&pfd, 1, (int) left);
	}
}

// ADDIN_WAIT_EVENT(ev, timeout_ms) waits for one raise of the
// addin_test_event @ev; fails the case when none came within @timeout_ms.
#define ADDIN_WAIT_EVENT(ev, timeout_ms)                                     \
	ADDIN_CHECKF(addin_test_event_wait_((ev), (timeout_ms)),             \
	             "%s (%s) was not raised within %d ms", #ev, (ev)->path, \
	             (int) (timeout_ms))

// addin_test_event_close closes @ev and removes its FIFO and directory.
static inline void
addin_test_event_close(addin_test_event *ev)
{
	close(ev->fd);
	(void) unlink(ev->path);
	(void) rmdir(ev->dir);
}

// ---- descriptors ----------------------------------------------------------

// addin_test_fd_count returns how many descriptors this process has open
// (the one descriptor counter of the tests).
static inline int
addin_test_fd_count(void)
{
	DIR           *d = opendir("/proc/self/fd");
	struct dirent *de;
	int            n = 0;

	ADDIN_CHECK(d != NULL);
	while ((de = readdir(d)) != NULL) {
		n += de->d_name[0] != '.';
	}
	closedir(d);
	return n - 1; // the directory's own descriptor
}

// addin_test_fd_list_ prints this process's descriptors and what they
// are to stderr.
static inline void
addin_test_fd_list_(void)
{
	DIR           *d = opendir("/proc/self/fd");
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		char    path[300], link[256];
		ssize_t n;
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d)) {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n                   = readlink(path, link, sizeof(link) - 1);
		link[n < 0 ? 0 : n] = '\0';
		fprintf(stderr, "  fd %s -> %s\n", de->d_name, link);
	}
	if (d != NULL) {
		closedir(d);
	}
}

// addin_test_fd_count_back_to waits (up to 10 s) until this process has at
// most @n descriptors open, and returns the count then.  nng closes a
// connection's descriptor on its own thread a moment after the call that
// closed it returned; so a case takes @n where nothing is being closed
// (after an activation, not after a release) and checks
//
//     ADDIN_CHECK_INT(addin_test_fd_count_back_to(before), ==, before);
//
// When the deadline passes, the descriptors open are listed on stderr.
static inline int
addin_test_fd_count_back_to(int n)
{
	addin_test_wait w = addin_test_wait_start(10 * 1000);
	int             now;

	while ((now = addin_test_fd_count()) > n) {
		if (!addin_test_wait_more(&w)) {
			fprintf(stderr, "  %d descriptors open, not %d:\n",
			        now, n);
			addin_test_fd_list_();
			break;
		}
	}
	return now;
}

// addin_test_dump_ says where the threads of a case that timed out are
// waiting: the kernel's view of each, then, where gdb is installed, their
// stacks, the case's own thread first (the output is cut at 150 lines).
static void
addin_test_dump_(pid_t pid)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd),
	         "for t in /proc/%d/task/*; do echo \"  thread ${t##*/} "
	         "$(cat $t/comm) waits in $(cat $t/wchan)\"; done >&2; "
	         "command -v gdb >/dev/null && gdb -p %d -batch -nx "
	         "-ex 'thread apply all -ascending bt' 2>/dev/null | "
	         "grep -E '^(Thread|#)' | head -150 >&2",
	         (int) pid, (int) pid);
	if (system(cmd) == -1) {
		perror("system");
	}
}

static int
addin_test_run_child_(const struct addin_test_case *tc)
{
	int64_t before;
	addin_test_current_ = tc->name;
	before              = addin__alloc_live();
	tc->fn();
	if (addin_test_leakcheck_) {
		int64_t after = addin__alloc_live();
		if (after != before) {
			fprintf(stderr,
			        "  FAILED: %" PRId64 " allocation(s) leaked\n",
			        after - before);
			return 1;
		}
		// Only when the case cleaned up (it may have abandoned
		// objects on purpose otherwise).
		if (nng_fini != NULL) {
			nng_fini();
		}
	}
	return 0;
}

// addin_test_reap_ waits until the case's process @pid ended or @deadline
// passed: 0 when it ended (its *@status set), 1 at the deadline, -1 when
// waitpid failed.  The wait is on a pidfd, which becomes readable when the
// process exits; where there is none (before Linux 5.3), the poll loop.
static int
addin_test_reap_(pid_t pid, int64_t deadline, int *status)
{
	int             pfd  = pidfd_open(pid, 0);
	int64_t         left = deadline - addin_test_now_ms();
	addin_test_wait w    = addin_test_wait_start((int) left);
	int             rc;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid) {
			rc = 0;
			break;
		}
		if (r < 0 && errno != EINTR) {
			perror("waitpid");
			rc = -1;
			break;
		}
		if (pfd >= 0) {
			struct pollfd p = {pfd, POLLIN, 0};
			if ((left = deadline - addin_test_now_ms()) <= 0) {
				rc = 1;
				break;
			}
			(void) poll(&p, 1, (int) left);
		} else if (!addin_test_wait_more(&w)) {
			rc = 1;
			break;
		}
	}
	if (pfd >= 0) {
		close(pfd);
	}
	return rc;
}

static int
addin_test_run_forked_(const struct addin_test_case *tc, int timeout_s)
{
	pid_t   pid;
	int     status, reaped;
	int64_t deadline;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		struct rlimit no_core = {0, 0};
		setrlimit(RLIMIT_CORE, &no_core);
		setpgid(0, 0);
		int rc = addin_test_run_child_(tc);
		fflush(stdout);
		fflush(stderr);
		// exit, not _exit: LeakSanitizer checks at exit in sanitizer
		// builds, and reports a leak as a failing exit status.
		exit(rc);
	}
	setpgid(pid, pid);
	deadline = addin_test_now_ms() + (int64_t) timeout_s * 1000;
	reaped   = addin_test_reap_(pid, deadline, &status);
	if (reaped < 0) {
		return 1;
	}
	if (reaped > 0) {
		fprintf(stderr, "  FAILED: timed out after %d s\n", timeout_s);
		addin_test_dump_(pid);
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return 1;
	}
	// Whatever the case left in its process group goes with it.
	kill(-pid, SIGKILL);
	if (WIFEXITED(status)) {
		return WEXITSTATUS(status);
	}
	fprintf(stderr, "  FAILED: killed by signal %d (%s)\n",
	        WTERMSIG(status), strsignal(WTERMSIG(status)));
	return 1;
}

static bool
addin_test_matches_(const char *name, const char *arg, bool exact)
{
	return exact ? strcmp(name, arg) == 0 : strstr(name, arg) != NULL;
}

static bool
addin_test_selected_(const char *name, int argc, char **argv, bool exact)
{
	bool any = false;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			continue;
		}
		any = true;
		if (addin_test_matches_(name, argv[i], exact)) {
			return true;
		}
	}
	return !any;
}

// Every name given selects at least one case (a renamed case must not
// turn its ctest test into one that runs nothing and passes).
static bool
addin_test_names_known_(int argc, char **argv, bool exact)
{
	bool ok = true;
	for (int i = 1; i < argc; i++) {
		bool found = false;
		if (argv[i][0] == '-') {
			continue;
		}
		for (const struct addin_test_case *tc = addin_test_list_;
		     tc->name != NULL && !found; tc++) {
			found = addin_test_matches_(tc->name, argv[i], exact);
		}
		if (!found) {
			fprintf(stderr, "no case %s \"%s\"\n",
			        exact ? "named" : "matches", argv[i]);
			ok = false;
		}
	}
	return ok;
}

int
main(int argc, char **argv)
{
	bool        fork_each = true;
	bool        exact     = false;
	int         timeout_s = 120;
	int         failed = 0, passed = 0, skipped = 0;
	const char *t = getenv("ADDIN_TEST_TIMEOUT");

	if (t != NULL && *t != '\0') {
		timeout_s = (int) strtol(t, NULL, 10);
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--list") == 0) {
			for (const struct addin_test_case *tc =
			         addin_test_list_;
			     tc->name != NULL; tc++) {
				printf("%s\n", tc->name);
			}
			return 0;
		}
		if (strcmp(argv[i], "--no-fork") == 0) {
			fork_each = false;
		} else if (strcmp(argv[i], "--exact") == 0) {
			exact = true;
		} else if (argv[i][0] == '-' &&
		           strcmp(argv[i], "--list") != 0) {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return 1;
		}
	}
	if (!addin_test_names_known_(argc, argv, exact)) {
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (const struct addin_test_case *tc = addin_test_list_;
	     tc->name != NULL; tc++) {
		int rc;
		if (!addin_test_selected_(tc->name, argc, argv, exact)) {
			continue;
		}
		printf("[ RUN  ] %s\n", tc->name);
		int64_t t0 = addin_test_now_ms();
		rc         = fork_each ? addin_test_run_forked_(tc, timeout_s)
		                       : addin_test_run_child_(tc);
		int64_t ms = addin_test_now_ms() - t0;
		if (rc == 0) {
			passed++;
			printf("[  OK  ] %s (%" PRId64 " ms)\n", tc->name, ms);
		} else if (rc == ADDIN_TEST_SKIP_CODE) {
			skipped++;
			printf("[ SKIP ] %s\n", tc->name);
		} else {
			failed++;
			printf("[ FAIL ] %s (%" PRId64 " ms)\n", tc->name, ms);
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	if (failed > 0) {
		return 1;
	}
	if (passed == 0 && skipped > 0) {
		return ADDIN_TEST_SKIP_CODE;
	}
	return 0;
}

#endif // ADDIN_TEST_H
