// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Namespaces and the three processes of a sandboxed runner:
//
//   OUTER   the process the host spawned and waits on.  It stays in the
//           host's pid namespace, learns from the reaper how the worker
//           ended, waits for the reaper, then ends exactly as the worker
//           ended (exit code, or the same signal raised on itself), so
//           the host's waitid sees the truth.
//   REAPER  PID 1 of the new pid namespace.  It forks the worker and reaps
//           every process of the namespace.  When the worker ends it
//           tells the outer process and exits; its death makes the kernel
//           kill everything left in the namespace.  It dies with the outer
//           process (parent-death signal, and the hang-up of the socket
//           whose other end the outer holds).
//   WORKER  PID 2, the add-in's process, the reaper's child (so that the
//           namespace never waits for an outside init to reap it).  Never
//           PID 1: PID 1 ignores its own fatal signals (abort() would not
//           kill it).

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

#include "sandbox_runner.h"
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

// The worker's end, relayed by the reaper to the outer process.
struct death {
	int32_t code;   // CLD_EXITED, CLD_KILLED, CLD_DUMPED
	int32_t status; // exit code or signal
};

// reaper_main is PID 1 of the new namespace: it forks the worker (which
// returns, 0), reaps every process of the namespace, sends the worker's
// end to the outer process and exits, which kills what is left.  Its
// parent-death signal and @fd's hang-up end it with the outer process.
static pid_t
reaper_main(int fd)
{
	struct sigaction sa, old_sa;
	struct pollfd    pfd = {.fd = fd, .events = POLLIN};
	sigset_t         block, old, empty;
	pid_t            worker;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);
	// The outer process may have died before the line above.
	if (poll(&pfd, 1, 0) != 0) {
		_exit(0);
	}
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sigaction(SIGCHLD, &sa, &old_sa);
	worker = fork();
	if (worker < 0) {
		_exit(ADDIN__SANDBOX_EXIT_SETUP);
	}
	if (worker == 0) {
		sigaction(SIGCHLD, &old_sa, NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(fd);
		return 0;
	}
	sigemptyset(&empty);
	for (;;) {
		siginfo_t si;
		for (;;) {
			memset(&si, 0, sizeof(si));
			if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) != 0 ||
			    si.si_pid == 0) {
				break;
			}
			if (si.si_pid == worker) {
				struct death d = {si.si_code, si.si_status};
				// Either way the reaper ends now and the
				// namespace goes with it; when the record cannot
				// be written there is nobody left to tell.
				if (write(fd, &d, sizeof(d)) < 0) {
					_exit(0);
				}
				_exit(0); // the namespace goes with us
			}
		}
		pfd.revents = 0;
		if (ppoll(&pfd, 1, NULL, &empty) > 0) {
			_exit(0); // the outer process is gone: so is the
			          // namespace
		}
	}
}

static _Noreturn void
mirror(int code, int sig_or_status)
{
	struct sigaction sa;
	struct rlimit    no_core = {0, 0};
	sigset_t         set;

	if (code == CLD_EXITED) {
		_exit(sig_or_status);
	}
	// Die of the same signal.  The worker wrote its own core if allowed.
	setrlimit(RLIMIT_CORE, &no_core);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(sig_or_status, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig_or_status);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), sig_or_status);
	// A signal whose default is not to terminate cannot have killed the
	// worker; this is not reached in practice.
	_exit(128 + sig_or_status);
}

// outer_main waits for the reaper's report of the worker's end and for
// the reaper (whose exit completes only once the namespace is empty), then
// ends the same way as the worker.  Without a report (the reaper itself
// was killed, e.g. by the OOM killer) it ends as the reaper did.
static _Noreturn void
outer_main(pid_t reaper, int fd)
{
	struct death d;
	size_t       got = 0;
	siginfo_t    si;

	while (got < sizeof(d)) {
		ssize_t n = read(fd, (char *) &d + got, sizeof(d) - got);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		got += (size_t) n;
	}
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t) reaper, &si, WEXITED) != 0) {
		if (errno != EINTR) {
			_exit(ADDIN__SANDBOX_EXIT_SETUP);
		}
	}
	if (got == sizeof(d)) {
		mirror(d.code, d.status);
	}
	mirror(si.si_code, si.si_status);
}

addin_err
addin__sandbox_namespaces(const addin__sandbox_policy *p, uint32_t *applied)
{
	uint32_t ns    = p->level == ADDIN__SANDBOX_NONE ? 0 : p->namespaces;
	int      flags = 0;
	uid_t    uid   = getuid();
	gid_t    gid   = getgid();
	int      link[2];
	pid_t    reaper;

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

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, link) != 0) {
		return addin__syserr(ADDIN_ESANDBOX, errno,
		                     "sandbox: socketpair for the reaper");
	}
	reaper = fork();
	if (reaper < 0) {
		int e = errno;
		close(link[0]);
		close(link[1]);
		return addin__syserr(ADDIN_ESANDBOX, e,
		                     "sandbox: fork reaper");
	}
	if (reaper == 0) {
		close(link[0]);
		// Returns only in the worker.
		(void) reaper_main(link[1]);
		setsid();
		*applied |= ADDIN__APPLIED_REAPER;
		return ADDIN_OK;
	}
	close(link[1]);
	outer_main(reaper, link[0]);
}
