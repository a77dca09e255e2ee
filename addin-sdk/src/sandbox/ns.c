// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Namespaces and the three processes of a sandboxed runner:
//
//   OUTER   the process the host spawned and waits on.  It stays in the
//           host's pid namespace, waits for the worker, then ends exactly
//           as the worker ended (exit code, or the same signal), so the
//           host's waitid sees the truth.
//   REAPER  PID 1 of the new pid namespace.  It only reaps orphans.  It
//           dies with the outer process (parent-death signal, and a socket
//           whose other end the outer holds), and its death makes the
//           kernel kill everything left in the namespace.
//   WORKER  PID 2, the add-in's process.  Never PID 1: PID 1 ignores its
//           own fatal signals (abort() would not kill it).

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"
#include "sbx_os.h"

static const struct {
	uint32_t bit;
	int      flag;
} ns_flags[] = {
    {ADDIN__NS_USER, CLONE_NEWUSER}, {ADDIN__NS_PID, CLONE_NEWPID},
    {ADDIN__NS_NET, CLONE_NEWNET},   {ADDIN__NS_IPC, CLONE_NEWIPC},
    {ADDIN__NS_MNT, CLONE_NEWNS},    {ADDIN__NS_UTS, CLONE_NEWUTS}};

static int
write_id_map(const char *file, unsigned id)
{
	char line[64];
	snprintf(line, sizeof(line), "%u %u 1\n", id, id);
	return addin__sbx_write_file(file, line);
}

static void
on_sigchld(int sig)
{
	(void) sig; // only interrupts ppoll
}

static _Noreturn void
reaper_main(int alive_fd)
{
	struct sigaction sa;
	struct pollfd    pfd = {.fd = alive_fd, .events = POLLIN};
	sigset_t         block, empty;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);
	// The outer process may have died before the line above.
	if (poll(&pfd, 1, 0) != 0) {
		_exit(0);
	}
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&empty);
	for (;;) {
		while (waitpid(-1, NULL, WNOHANG) > 0) {
		}
		pfd.revents = 0;
		if (ppoll(&pfd, 1, NULL, &empty) > 0) {
			_exit(0); // the outer process is gone: so is the
			          // namespace
		}
	}
}

static _Noreturn void
outer_main(pid_t worker, pid_t reaper, int alive_fd)
{
	siginfo_t        si;
	struct sigaction sa;
	struct rlimit    no_core = {0, 0};
	sigset_t         set;
	int              sig;

	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t) worker, &si, WEXITED) != 0) {
		if (errno != EINTR) {
			kill(reaper, SIGKILL);
			_exit(ADDIN__SANDBOX_EXIT_SETUP);
		}
	}
	// Kill the namespace (everything the worker left behind) and wait
	// until it is empty: the reaper's exit completes only then.
	kill(reaper, SIGKILL);
	close(alive_fd);
	while (waitpid(reaper, NULL, 0) < 0 && errno == EINTR) {
	}
	if (si.si_code == CLD_EXITED) {
		_exit(si.si_status);
	}
	// Die of the same signal.  The worker wrote its own core if allowed.
	sig = si.si_status;
	setrlimit(RLIMIT_CORE, &no_core);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), sig);
	// A signal whose default is not to terminate cannot have killed the
	// worker; this is not reached in practice.
	_exit(128 + sig);
}

addin_err
addin__sandbox_namespaces(const addin__sandbox_policy *p, int report_fd,
                          uint32_t *applied)
{
	uint32_t ns    = p->level == ADDIN__SANDBOX_NONE ? 0 : p->namespaces;
	int      flags = 0;
	uid_t    uid   = getuid();
	gid_t    gid   = getgid();
	int      alive[2];
	pid_t    reaper, worker;

	(void) report_fd;
	if (ns == 0) {
		return ADDIN_OK;
	}
	for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++) {
		if (ns & ns_flags[i].bit) {
			flags |= ns_flags[i].flag;
		}
	}
	if (unshare(flags) != 0) {
		return addin__syserr(ADDIN_ESANDBOX, errno,
		                     "sandbox: unshare(0x%x)",
		                     (unsigned) flags);
	}
	if (ns & ADDIN__NS_USER) {
		int e = addin__sbx_write_file("/proc/self/setgroups", "deny");
		if (e == 0) {
			e = write_id_map("/proc/self/uid_map", (unsigned) uid);
		}
		if (e == 0) {
			e = write_id_map("/proc/self/gid_map", (unsigned) gid);
		}
		if (e != 0) {
			return addin__syserr(
			    ADDIN_ESANDBOX, e,
			    "sandbox: mapping uid %u / gid %u in the user "
			    "namespace",
			    (unsigned) uid, (unsigned) gid);
		}
	}
	*applied |= ns << ADDIN__APPLIED_NS_SHIFT;
	if ((ns & ADDIN__NS_PID) == 0) {
		setsid();
		return ADDIN_OK;
	}

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, alive) != 0) {
		return addin__syserr(ADDIN_ESANDBOX, errno,
		                     "sandbox: socketpair for the reaper");
	}
	reaper = fork();
	if (reaper < 0) {
		int e = errno;
		close(alive[0]);
		close(alive[1]);
		return addin__syserr(ADDIN_ESANDBOX, e,
		                     "sandbox: fork reaper");
	}
	if (reaper == 0) {
		close(alive[0]);
		reaper_main(alive[1]);
	}
	close(alive[1]);
	worker = fork();
	if (worker < 0) {
		int e = errno;
		kill(reaper, SIGKILL);
		waitpid(reaper, NULL, 0);
		close(alive[0]);
		return addin__syserr(ADDIN_ESANDBOX, e,
		                     "sandbox: fork worker");
	}
	if (worker == 0) {
		close(alive[0]);
		setsid();
		*applied |= ADDIN__APPLIED_REAPER;
		return ADDIN_OK;
	}
	outer_main(worker, reaper, alive[0]);
}
