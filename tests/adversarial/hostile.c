// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The hostile add-ins of the adversarial suite (issue 6), written only
// against the generated calculator SDK view header.  This one source is
// built once per behaviour with -DATTACK=ATTACK_<X> and -DADV_NAME="...":
// each library does exactly one hostile thing, when the host calls
// Operate("attack", ...), so that activation succeeds first and the attack
// runs inside a fully built sandbox (both seccomp stages on).  Otherwise it
// is a calculator: "+" and "pid" answer, so it can also be the healthy
// add-in (ATTACK_NONE) the tests keep calling beside a hostile one.
//
// What an attack achieved comes back to the host honestly: a syscall that
// fails becomes an error naming the call and errno (ENOENT -> ENOTFOUND,
// EACCES/EPERM/EROFS -> EPERM, EMFILE/EAGAIN -> ELIMIT), a success
// becomes a result, and anything the add-in managed to read is returned by
// get_name ("loot: ...") -- the exfiltration channel a real add-in has.
//
// Operands of "attack": the host's pid (ptrace, kill, environ), a TCP port
// on 127.0.0.1 (inet), an index i (grants).  Environment: ADV_OUTSIDE, a
// path outside the scratch directory (write); TMPDIR, the scratch directory
// (write's "control" operation); ADV_READ<i> and ADV_WRITE<i>, the files
// grants' "attack" reads and its "write" creates; BULKHEAD_TEST_ENTERED,
// the case's event that spin raises before it spins (addin_test_signal.h).

#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addin_test_signal.h"
#include "calculator/v1/calculator.addin.h"

#define ATTACK_NONE           0
#define ATTACK_PASSWD         1  // open and read /etc/passwd
#define ATTACK_WRITE          2  // create a file outside the scratch dir
#define ATTACK_ENVIRON        3  // read /proc/<host pid>/environ
#define ATTACK_INET           4  // AF_INET socket, connect to 127.0.0.1
#define ATTACK_EXECVE         5  // execve("/bin/sh")
#define ATTACK_FORK           6  // fork()
#define ATTACK_PTRACE         7  // PTRACE_ATTACH to the host
#define ATTACK_KILL           8  // kill(host pid, SIGKILL)
#define ATTACK_UNSHARE        9  // unshare(CLONE_NEWUSER)
#define ATTACK_IO_URING       10 // io_uring_setup()
#define ATTACK_SIGSYS_HANDLER 11 // own SIGSYS handler, then ptrace
#define ATTACK_SIGSYS_BLOCK   12 // block SIGSYS, then ptrace
#define ATTACK_MEMORY         13 // allocate and touch 2 GiB
#define ATTACK_FORKBOMB       14 // fork until it fails; children sleep
#define ATTACK_THREADBOMB     15 // threads until it fails; they sleep
#define ATTACK_SPIN           16 // spin forever
#define ATTACK_FDS            17 // dup until it fails; keep them all
#define ATTACK_EXEC_MEMORY    18 // write code, mprotect it PROT_EXEC
#define ATTACK_OPEN_ANY       19 // open /dev/null
#define ATTACK_FORK_AT_LOAD   20 // fork in create(); the child: socket()
#define ATTACK_HANG_AT_LOAD   21 // create() never returns
#define ATTACK_BIG_FILE       22 // write a file past the file size limit
#define ATTACK_ABORT          23 // abort(): a crash that could dump core
#define ATTACK_GRANTS         24 // read $ADV_READ<i>; "write": $ADV_WRITE<i>
#define ATTACK_CLOSE_CHANNEL  25 // shut its sockets down, then live on

#ifndef ATTACK
#error "build with -DATTACK=ATTACK_<behaviour>"
#endif
#ifndef ADV_NAME
#define ADV_NAME "hostile"
#endif

typedef struct adv {
	pthread_mutex_t mtx;
	char            loot[256]; // what an attack read, for get_name
	// ATTACK_FORK_AT_LOAD: the child forked while loading, the pipe that
	// tells it to go and the one it answers on.
	pid_t child;
	int   go, answer;
} adv;

// The host's error for a failed call @what with errno @e.
static addin_err
failed(const char *what, int e)
{
	addin_err code = ADDIN_ESYSERR;
	switch (e) {
	case ENOENT: code = ADDIN_ENOTFOUND; break;
	case EACCES:
	case EPERM:
	case EROFS: code = ADDIN_EPERM; break;
	case EMFILE:
	case ENFILE:
	case EAGAIN:
	case ENOMEM: code = ADDIN_ELIMIT; break;
	default: break;
	}
	return addin_set_error(code, "%s: %s (errno %d)", what, strerror(e),
	                       e);
}

static void
keep_loot(adv *a, const char *data, size_t n)
{
	pthread_mutex_lock(&a->mtx);
	if (n >= sizeof(a->loot)) {
		n = sizeof(a->loot) - 1;
	}
	memcpy(a->loot, data, n);
	a->loot[n] = '\0';
	pthread_mutex_unlock(&a->mtx);
}

// Read @path; keep its first bytes as loot; the result is the byte count.
static addin_err
steal(adv *a, const char *path, double *ret)
{
	char    buf[4096];
	ssize_t n;
	int     fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		char what[300];
		snprintf(what, sizeof(what), "open %s", path);
		return failed(what, errno);
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		return failed("read", errno);
	}
	keep_loot(a, buf, (size_t) n);
	*ret = (double) n;
	return ADDIN_OK;
}

static addin_err
create_file(const char *path, double *ret)
{
	char what[1100];
	int  fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	snprintf(what, sizeof(what), "create %s", path);
	if (fd < 0) {
		return failed(what, errno);
	}
	if (write(fd, "pwned\n", 6) != 6) {
		int e = errno;
		close(fd);
		return failed(what, e);
	}
	close(fd);
	*ret = 1;
	return ADDIN_OK;
}

static addin_err
attack_write(double *ret)
{
	const char *outside = getenv("ADV_OUTSIDE");
	if (outside == NULL) {
		return addin_set_error(ADDIN_EINVAL, "ADV_OUTSIDE is not set");
	}
	return create_file(outside, ret);
}

// The control: a file inside the scratch directory ($TMPDIR).
static addin_err
write_inside(double *ret)
{
	const char *dir = getenv("TMPDIR");
	char        path[1100];
	if (dir == NULL) {
		return addin_set_error(ADDIN_EINVAL, "no scratch directory");
	}
	snprintf(path, sizeof(path), "%s/inside", dir);
	return create_file(path, ret);
}

// The file named by $<prefix><i>, @v[0] being i.
static const char *
env_path(const char *prefix, const double *v, size_t n)
{
	char name[64];
	snprintf(name, sizeof(name), "%s%d", prefix, n == 1 ? (int) v[0] : 0);
	return getenv(name);
}

static addin_err
attack_grants(adv *a, const double *v, size_t n, double *ret)
{
	const char *path = env_path("ADV_READ", v, n);
	if (path == NULL) {
		return addin_set_error(ADDIN_EINVAL, "no ADV_READ<i>");
	}
	return steal(a, path, ret);
}

// Creates $ADV_WRITE<i>, or without it a file in the scratch directory.
static addin_err
grants_write(const double *v, size_t n, double *ret)
{
	const char *path = env_path("ADV_WRITE", v, n);
	if (path == NULL) {
		return write_inside(ret);
	}
	return create_file(path, ret);
}

static addin_err
attack_environ(adv *a, const double *v, size_t n, double *ret)
{
	char path[64];
	if (n != 1) {
		return addin_set_error(ADDIN_EINVAL, "environ: host pid?");
	}
	snprintf(path, sizeof(path), "/proc/%d/environ", (int) v[0]);
	return steal(a, path, ret);
}

static addin_err
attack_inet(const double *v, size_t n, double *ret)
{
	struct sockaddr_in sa;
	int                s;
	if (n != 1) {
		return addin_set_error(ADDIN_EINVAL, "inet: port?");
	}
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		return failed("socket(AF_INET)", errno);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family      = AF_INET;
	sa.sin_port        = htons((uint16_t) v[0]);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *) &sa, sizeof(sa)) != 0) {
		int e = errno;
		close(s);
		return failed("connect 127.0.0.1", e);
	}
	ssize_t w = write(s, "pwned\n", 6);
	(void) w;
	close(s);
	*ret = 1;
	return ADDIN_OK;
}

static addin_err
attack_execve(void)
{
	char  sh[] = "/bin/sh", c[] = "-c", cmd[] = "echo pwned";
	char *argv[] = {sh, c, cmd, NULL};
	char *envp[] = {NULL};
	execve(sh, argv, envp);
	return failed("execve /bin/sh", errno);
}

static addin_err
attack_fork(double *ret)
{
	pid_t pid = fork();
	if (pid < 0) {
		return failed("fork", errno);
	}
	if (pid == 0) {
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	*ret = (double) pid;
	return ADDIN_OK;
}

static addin_err
attack_ptrace(const double *v, size_t n, double *ret)
{
	if (n != 1) {
		return addin_set_error(ADDIN_EINVAL, "ptrace: host pid?");
	}
	if (ptrace(PTRACE_ATTACH, (pid_t) v[0], NULL, NULL) != 0) {
		return failed("ptrace(PTRACE_ATTACH, host)", errno);
	}
	*ret = 1;
	return ADDIN_OK;
}

static addin_err
attack_kill(const double *v, size_t n, double *ret)
{
	if (n != 1) {
		return addin_set_error(ADDIN_EINVAL, "kill: host pid?");
	}
	if (kill((pid_t) v[0], SIGKILL) != 0) {
		return failed("kill(host, SIGKILL)", errno);
	}
	*ret = 1;
	return ADDIN_OK;
}

static addin_err
attack_unshare(double *ret)
{
	if (unshare(CLONE_NEWUSER) != 0) {
		return failed("unshare(CLONE_NEWUSER)", errno);
	}
	*ret = 1;
	return ADDIN_OK;
}

static addin_err
attack_io_uring(double *ret)
{
	unsigned char params[120]; // struct io_uring_params
	long          fd;
	memset(params, 0, sizeof(params));
	fd = syscall(SYS_io_uring_setup, 8, params);
	if (fd < 0) {
		return failed("io_uring_setup", errno);
	}
	close((int) fd);
	*ret = 1;
	return ADDIN_OK;
}

static volatile sig_atomic_t caught;

static void
on_sigsys(int sig)
{
	(void) sig;
	caught = 1;
}

// Take SIGSYS over (or block it), then make a forbidden call: with its own
// handler, a violation would be survivable.
static addin_err
attack_sigsys(bool block, double *ret)
{
	if (block) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGSYS);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
	} else {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigsys;
		if (sigaction(SIGSYS, &sa, NULL) != 0) {
			return failed("sigaction(SIGSYS)", errno);
		}
	}
	(void) ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	// Still here: the violation was survived.
	*ret = caught ? 2 : 1;
	return ADDIN_OK;
}

static addin_err
attack_memory(double *ret)
{
	size_t mib = 0;
	for (; mib < 2048; mib++) {
		char *p = malloc(1 << 20);
		if (p == NULL) {
			return addin_set_error(
			    ADDIN_ELIMIT, "malloc failed after %zu MiB", mib);
		}
		memset(p, (int) (mib & 0x7f) + 1, 1 << 20); // touch it all
	}
	*ret = (double) mib; // leaked on purpose
	return ADDIN_OK;
}

static addin_err
attack_forkbomb(double *ret)
{
	int n = 0;
	for (; n < 4096; n++) {
		pid_t pid = fork();
		if (pid < 0) {
			return addin_set_error(
			    ADDIN_ELIMIT,
			    "fork failed after %d children: %s (errno %d)", n,
			    strerror(errno), errno);
		}
		if (pid == 0) {
			// Escape the process group too; sleep forever.
			setsid();
			for (;;) {
				pause();
			}
		}
	}
	*ret = n;
	return ADDIN_OK;
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

static addin_err
attack_threadbomb(double *ret)
{
	pthread_attr_t attr;
	int            n = 0, err = 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (; n < 4096; n++) {
		pthread_t t;
		if ((err = pthread_create(&t, &attr, sleeper, NULL)) != 0) {
			break;
		}
	}
	pthread_attr_destroy(&attr);
	if (err != 0) {
		return addin_set_error(
		    ADDIN_ELIMIT,
		    "pthread_create failed after %d threads: %s (errno %d)", n,
		    strerror(err), err);
	}
	*ret = n;
	return ADDIN_OK;
}

static addin_err
attack_spin(double *ret)
{
	volatile unsigned long x = 0;
	addin_test_signal_entered();
	for (;;) {
		x = x + 1;
	}
	*ret = (double) x;
	return ADDIN_OK;
}

static void
hang_forever(void)
{
	for (;;) {
		pause();
	}
}

// Closes the channel under the runner (every socket it holds, shut down)
// and lives on: the call never returns, and the runner's exit, once it
// sees the host gone, runs into an exit handler that never returns either.
static addin_err
attack_close_channel(void)
{
	if (atexit(hang_forever) != 0) {
		return addin_set_error(ADDIN_ENOMEM, "atexit failed");
	}
	for (int fd = 3; fd < 1024; fd++) {
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
			(void) shutdown(fd, SHUT_RDWR);
		}
	}
	hang_forever();
	return ADDIN_OK;
}

static addin_err
attack_fds(double *ret)
{
	int n = 0;
	for (; n < 1 << 20; n++) {
		if (dup(0) < 0) {
			return addin_set_error(
			    ADDIN_ELIMIT, "dup failed after %d: %s (errno %d)",
			    n, strerror(errno), errno);
		}
	}
	*ret = n; // kept open on purpose
	return ADDIN_OK;
}

// Write a function (x86-64 "mov eax, 42; ret") into memory and make it
// executable: what a JIT, or an exploit's second stage, does.
static addin_err
attack_exec_memory(double *ret)
{
	static const unsigned char code[] = {0xb8, 0x2a, 0, 0, 0, 0xc3};
	long                       page   = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, (size_t) page, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		return failed("mmap", errno);
	}
	memcpy(p, code, sizeof(code));
	if (mprotect(p, (size_t) page, PROT_READ | PROT_EXEC) != 0) {
		int e = errno;
		munmap(p, (size_t) page);
		return failed("mprotect(PROT_EXEC)", e);
	}
#if defined(__x86_64__)
	int (*fn)(void);
	memcpy(&fn, &p, sizeof(fn));
	*ret = fn();
#else
	*ret = 42;
#endif
	munmap(p, (size_t) page);
	return ADDIN_OK;
}

static addin_err
attack_open_any(double *ret)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return failed("open /dev/null", errno);
	}
	close(fd);
	*ret = 1;
	return ADDIN_OK;
}

// In create(), before the runner loads the allow list: fork a child that
// waits for the host's attack call, then does what the allow list forbids
// (an AF_INET socket) and says whether it could.  If the child escaped the
// allow list, it answers 'E'.
static addin_err
fork_at_load(adv *a)
{
	int go[2], answer[2];
	if (pipe2(go, O_CLOEXEC) != 0 || pipe2(answer, O_CLOEXEC) != 0) {
		return failed("pipe", errno);
	}
	a->child = fork();
	if (a->child < 0) {
		return failed("fork while loading", errno);
	}
	if (a->child == 0) {
		char c;
		int  fd;
		close(go[1]);
		close(answer[0]);
		if (read(go[0], &c, 1) != 1) {
			_exit(1);
		}
		// Forbidden after load at both levels (the allow list has
		// no AF_INET without the network grant).
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		c  = fd >= 0 ? 'E' : 'e';
		if (write(answer[1], &c, 1) != 1) {
			_exit(1);
		}
		_exit(0);
	}
	close(go[0]);
	close(answer[1]);
	a->go     = go[1];
	a->answer = answer[0];
	return ADDIN_OK;
}

static addin_err
attack_fork_at_load(adv *a, double *ret)
{
	char c = 'g';
	if (a->child <= 0) {
		return addin_set_error(ADDIN_EINVAL, "no child");
	}
	if (write(a->go, &c, 1) != 1) {
		return failed("write to the child", errno);
	}
	if (read(a->answer, &c, 1) != 1) {
		return addin_set_error(ADDIN_EPERM,
		                       "the child forked while loading died "
		                       "when it tried to make a socket");
	}
	if (c != 'E') {
		return addin_set_error(ADDIN_EPERM,
		                       "the child forked while loading could "
		                       "not make a socket");
	}
	*ret = 1; // escaped the allow list
	return ADDIN_OK;
}

static addin_err
attack_big_file(double *ret)
{
	static char chunk[1 << 16];
	const char *dir = getenv("TMPDIR");
	char        path[1100];
	int         fd;
	size_t      total = 0;
	if (dir == NULL) {
		return addin_set_error(ADDIN_EINVAL, "no scratch directory");
	}
	snprintf(path, sizeof(path), "%s/big", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		return failed("create big file", errno);
	}
	memset(chunk, 'x', sizeof(chunk));
	for (; total < (256u << 20); total += sizeof(chunk)) {
		if (write(fd, chunk, sizeof(chunk)) !=
		    (ssize_t) sizeof(chunk)) {
			int e = errno;
			close(fd);
			return failed("write big file", e);
		}
	}
	close(fd);
	*ret = (double) total;
	return ADDIN_OK;
}

static addin_err
attack(adv *a, const double *v, size_t n, double *ret)
{
	switch (ATTACK) {
	case ATTACK_PASSWD: return steal(a, "/etc/passwd", ret);
	case ATTACK_WRITE: return attack_write(ret);
	case ATTACK_ENVIRON: return attack_environ(a, v, n, ret);
	case ATTACK_INET: return attack_inet(v, n, ret);
	case ATTACK_EXECVE: return attack_execve();
	case ATTACK_FORK: return attack_fork(ret);
	case ATTACK_PTRACE: return attack_ptrace(v, n, ret);
	case ATTACK_KILL: return attack_kill(v, n, ret);
	case ATTACK_UNSHARE: return attack_unshare(ret);
	case ATTACK_IO_URING: return attack_io_uring(ret);
	case ATTACK_SIGSYS_HANDLER: return attack_sigsys(false, ret);
	case ATTACK_SIGSYS_BLOCK: return attack_sigsys(true, ret);
	case ATTACK_MEMORY: return attack_memory(ret);
	case ATTACK_FORKBOMB: return attack_forkbomb(ret);
	case ATTACK_THREADBOMB: return attack_threadbomb(ret);
	case ATTACK_SPIN: return attack_spin(ret);
	case ATTACK_FDS: return attack_fds(ret);
	case ATTACK_EXEC_MEMORY: return attack_exec_memory(ret);
	case ATTACK_OPEN_ANY: return attack_open_any(ret);
	case ATTACK_FORK_AT_LOAD: return attack_fork_at_load(a, ret);
	case ATTACK_BIG_FILE: return attack_big_file(ret);
	case ATTACK_ABORT: abort();
	case ATTACK_GRANTS: return attack_grants(a, v, n, ret);
	case ATTACK_CLOSE_CHANNEL: return attack_close_channel();
	default:
		return addin_set_error(ADDIN_ENOTFOUND,
		                       "%s has no attack: it is healthy",
		                       ADV_NAME);
	}
}

// ---- the calculator --------------------------------------------------

static addin_err
get_name(void *self, char **ret_name)
{
	adv *a = self;
	char buf[300];
	pthread_mutex_lock(&a->mtx);
	if (a->loot[0] != '\0') {
		snprintf(buf, sizeof(buf), "loot: %s", a->loot);
	} else {
		snprintf(buf, sizeof(buf), "%s", ADV_NAME);
	}
	pthread_mutex_unlock(&a->mtx);
	*ret_name = addin_strdup(buf);
	return *ret_name != NULL ? ADDIN_OK : ADDIN_ENOMEM;
}

static addin_err
operate(void *self, const char *op, const double *v, size_t n, double *ret)
{
	if (strcmp(op, "+") == 0) {
		double r = 0;
		for (size_t i = 0; i < n; i++) {
			r += v[i];
		}
		*ret = r;
		return ADDIN_OK;
	}
	if (strcmp(op, "pid") == 0) {
		*ret = (double) getpid();
		return ADDIN_OK;
	}
	if (strcmp(op, "attack") == 0) {
		return attack(self, v, n, ret);
	}
	if (strcmp(op, "control") == 0 && ATTACK == ATTACK_WRITE) {
		return write_inside(ret);
	}
	if (strcmp(op, "write") == 0 && ATTACK == ATTACK_GRANTS) {
		return grants_write(v, n, ret);
	}
	return addin_set_error(ADDIN_ENOTFOUND, "%s: no operation \"%s\"",
	                       ADV_NAME, op);
}

static addin_err
create(addin_context *ctx, void **ret_self)
{
	adv *a = calloc(1, sizeof(*a));
	(void) ctx;
	if (a == NULL) {
		return ADDIN_ENOMEM;
	}
	pthread_mutex_init(&a->mtx, NULL);
	a->go = a->answer = -1;
	if (ATTACK == ATTACK_HANG_AT_LOAD) {
		for (;;) {
			pause();
		}
	}
	if (ATTACK == ATTACK_FORK_AT_LOAD) {
		addin_err rv = fork_at_load(a);
		if (rv != ADDIN_OK) {
			free(a);
			return rv;
		}
	}
	*ret_self = a;
	return ADDIN_OK;
}

static void
destroy(void *self)
{
	adv *a = self;
	if (a->go >= 0) {
		close(a->go);
		close(a->answer);
	}
	pthread_mutex_destroy(&a->mtx);
	free(a);
}

static const calculator_v1_calculator_ops ops = {
    .get_name = get_name,
    .operate  = operate,
};

#if ATTACK == ATTACK_WRITE || ATTACK == ATTACK_BIG_FILE
#define ADV_NEEDS ADDIN_NEEDS("scratch")
#elif ATTACK == ATTACK_GRANTS
// ADV_NEED_DIR: a directory of the build tree (tests/adversarial/needed).
#define ADV_NEEDS ADDIN_NEEDS("read:" ADV_NEED_DIR) ADDIN_NEEDS("scratch")
#else
#define ADV_NEEDS ""
#endif

CALCULATOR_V1_CALCULATOR_ADDIN(&ops, create, destroy, ADV_NAME, "1.0.0",
                               "Bulkhead adversarial tests",
                               "One hostile behaviour of issue 6", ADV_NEEDS);
