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
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addin/err.h"

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

// addin_test_stop sends SIGSTOP to @pid and waits (up to 2 s) until every
// thread of it has stopped: kill() returns before the stop takes effect,
// and a thread not yet stopped could still answer a call.  True when all
// stopped.
static inline bool
addin_test_stop(int pid)
{
	int64_t until = addin_test_now_ms() + 2000;
	char    dir[64];

	if (kill(pid, SIGSTOP) != 0) {
		return false;
	}
	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	while (addin_test_now_ms() < until) {
		DIR           *d = opendir(dir);
		struct dirent *de;
		bool           all = d != NULL;
		while (d != NULL && (de = readdir(d)) != NULL) {
			char  path[sizeof(dir) + 270], buf[512], *p;
			FILE *f;
			if (de->d_name[0] == '.') {
				continue;
			}
			snprintf(path, sizeof(path), "%s/%s/stat", dir,
			         de->d_name);
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
		if (all) {
			return true;
		}
		nanosleep(&(struct timespec) {0, 1000 * 1000}, NULL);
	}
	return false;
}

// addin_test_dump_ says where the threads of a case that timed out are
// waiting: the kernel's view of each, then, where gdb is installed, their
// stacks.
static void
addin_test_dump_(pid_t pid)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd),
	         "for t in /proc/%d/task/*; do echo \"  thread ${t##*/} "
	         "$(cat $t/comm) waits in $(cat $t/wchan)\"; done >&2; "
	         "command -v gdb >/dev/null && gdb -p %d -batch -nx "
	         "-ex 'thread apply all bt' 2>/dev/null | "
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

static int
addin_test_run_forked_(const struct addin_test_case *tc, int timeout_s)
{
	pid_t   pid;
	int     status;
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
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			break;
		}
		if (r < 0 && errno != EINTR) {
			perror("waitpid");
			return 1;
		}
		if (addin_test_now_ms() > deadline) {
			fprintf(stderr, "  FAILED: timed out after %d s\n",
			        timeout_s);
			addin_test_dump_(pid);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return 1;
		}
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
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
