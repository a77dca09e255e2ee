// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The two seccomp stages of the add-in process.
//
// Stage 1, before the add-in library is loaded: default allow, a deny list
// of what no add-in may ever do (tracing, namespaces, mounts, kernel
// modules, io_uring, exec...).  Stage 2, once the runner's nng is connected
// and the add-in is loaded: default trap, an allow list of what a running
// add-in plus nng needs.  Both are loaded with TSYNC so that every thread
// (nng starts about 13) is filtered.  Violations trap (SIGSYS to the
// reporter in report.c, which reports the call and dies); never
// SCMP_ACT_KILL, which would kill only the thread.

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "sandbox_runner.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

// Namespace flags that clone() accepts (CLONE_NEWTIME shares bits with the
// exit signal in clone(); only unshare/clone3 take it, and both are denied).
#define CLONE_NS_FLAGS                                              \
	((uint64_t) (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
	             CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |  \
	             CLONE_NEWNET))
#define CLONE_THREAD_FLAGS \
	((uint64_t) (CLONE_THREAD | CLONE_VM | CLONE_SIGHAND))

// ---------------------------------------------------------------- stage 1

// Denied before the add-in is loaded: each traps.
static const char *const stage1_deny[] = {
    // tracing and other processes' memory or descriptors
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "process_madvise",
    "pidfd_getfd",
    "kcmp",
    // mounts and namespaces
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "unshare",
    "setns",
    // kernel attack surface
    "bpf",
    "keyctl",
    "add_key",
    "request_key",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "open_by_handle_at",
    "name_to_handle_at",
    "lookup_dcookie",
    "quotactl",
    "quotactl_fd",
    "acct",
    "swapon",
    "swapoff",
    "reboot",
    "syslog",
    "iopl",
    "ioperm",
    "vhangup",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "fanotify_init",
    "uselib",
    "nfsservctl",
    "vm86",
    "vm86old",
    "personality",
    // new programs
    "execve",
    "execveat",
    // new processes: the add-in's constructors and create() run under
    // stage 1 only, and a process forked then would never get stage 2
    // (clone is filtered below: threads only)
    "fork",
    "vfork",
    // signals to threads by tid alone (tgkill is filtered below), and
    // through a pidfd (a descriptor cannot be compared with the add-in's
    // own pid; kill, tgkill and their queued forms are filtered below)
    "tkill",
    "pidfd_send_signal",
};

static int
resolve(const char *name)
{
	return seccomp_syscall_resolve_name(name);
}

// rule adds one rule; a syscall this architecture lacks is skipped.
static int
rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n_args,
     const struct scmp_arg_cmp *args)
{
	int nr = resolve(name);
	if (nr < 0) {
		return 0;
	}
	return seccomp_rule_add_array(ctx, action, nr, n_args, args);
}

static int
rule0(scmp_filter_ctx ctx, uint32_t action, const char *name)
{
	return rule(ctx, action, name, 0, NULL);
}

static int
rule1(scmp_filter_ctx ctx, uint32_t action, const char *name,
      struct scmp_arg_cmp a)
{
	return rule(ctx, action, name, 1, &a);
}

static int
rule2(scmp_filter_ctx ctx, uint32_t action, const char *name,
      struct scmp_arg_cmp a, struct scmp_arg_cmp b)
{
	struct scmp_arg_cmp args[2] = {a, b};
	return rule(ctx, action, name, 2, args);
}

static int
build_stage1(scmp_filter_ctx ctx, pid_t self)
{
	int      rc = 0;
	uint64_t me = (uint64_t) self;

	for (size_t i = 0;
	     rc == 0 && i < sizeof(stage1_deny) / sizeof(stage1_deny[0]);
	     i++) {
		rc = rule0(ctx, SCMP_ACT_TRAP, stage1_deny[i]);
	}
	// clone() creating a namespace: one rule per flag (rules OR).
	static const uint64_t ns_flags[] = {
	    CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
	    CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET};
	for (size_t i = 0; rc == 0 && i < 7; i++) {
		rc = rule1(
		    ctx, SCMP_ACT_TRAP, "clone",
		    SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
	}
	// Threads only (the kernel refuses CLONE_THREAD without CLONE_VM
	// and CLONE_SIGHAND): see "fork" above.
	if (rc == 0) {
		rc = rule1(ctx, SCMP_ACT_TRAP, "clone",
		           SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
	}
	// clone3's flags live in memory, out of the filter's reach: ENOSYS
	// makes glibc fall back to clone(), which is filtered.
	if (rc == 0) {
		rc = rule0(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3");
	}
	// Nobody replaces the SIGSYS reporter (queries are fine).
	if (rc == 0) {
		rc = rule2(ctx, SCMP_ACT_TRAP, "rt_sigaction",
		           SCMP_A0(SCMP_CMP_EQ, SIGSYS),
		           SCMP_A1(SCMP_CMP_NE, 0));
	}
	// No re-enabling of core dumps and /proc/<pid>/mem access.
	if (rc == 0) {
		rc = rule1(ctx, SCMP_ACT_TRAP, "prctl",
		           SCMP_A0(SCMP_CMP_EQ, PR_SET_DUMPABLE));
	}
	// Signals only to itself.  With a pid namespace nothing else is
	// visible anyway; without one this keeps the host and its other
	// add-ins out of reach.
	if (rc == 0) {
		rc = rule1(ctx, SCMP_ACT_TRAP, "kill",
		           SCMP_A0(SCMP_CMP_NE, me));
	}
	if (rc == 0) {
		rc = rule1(ctx, SCMP_ACT_TRAP, "tgkill",
		           SCMP_A0(SCMP_CMP_NE, me));
	}
	// The queued forms (sigqueue, pthread_sigqueue) alike.  Stage 2
	// allows neither: only kill and tgkill of itself.
	if (rc == 0) {
		rc = rule1(ctx, SCMP_ACT_TRAP, "rt_sigqueueinfo",
		           SCMP_A0(SCMP_CMP_NE, me));
	}
	if (rc == 0) {
		rc = rule1(ctx, SCMP_ACT_TRAP, "rt_tgsigqueueinfo",
		           SCMP_A0(SCMP_CMP_NE, me));
	}
	return rc;
}

// ---------------------------------------------------------------- stage 2

#define L_R  0x1u // allowed at restricted
#define L_S  0x2u // allowed at strict
#define L_RS (L_R | L_S)

// Allowed without conditions on arguments.
static const struct {
	const char *name;
	unsigned    levels;
} stage2_allow[] = {
    // descriptors and I/O on them
    {"read", L_RS},
    {"write", L_RS},
    {"readv", L_RS},
    {"writev", L_RS},
    {"pread64", L_RS},
    {"pwrite64", L_RS},
    {"preadv", L_RS},
    {"pwritev", L_RS},
    {"preadv2", L_RS},
    {"pwritev2", L_RS},
    {"close", L_RS},
    {"close_range", L_RS},
    {"dup", L_RS},
    {"dup2", L_RS},
    {"dup3", L_RS},
    {"fcntl", L_RS},
    {"lseek", L_RS},
    {"fstat", L_RS},
    {"fstatfs", L_RS},
    {"fsync", L_RS},
    {"fdatasync", L_RS},
    {"pipe", L_RS},
    {"pipe2", L_RS},
    {"eventfd", L_RS},
    {"eventfd2", L_RS},
    {"timerfd_create", L_RS},
    {"timerfd_settime", L_RS},
    {"timerfd_gettime", L_RS},
    {"signalfd", L_RS},
    {"signalfd4", L_RS},
    // polling (nng: epoll + eventfd)
    {"epoll_create", L_RS},
    {"epoll_create1", L_RS},
    {"epoll_ctl", L_RS},
    {"epoll_wait", L_RS},
    {"epoll_pwait", L_RS},
    {"epoll_pwait2", L_RS},
    {"poll", L_RS},
    {"ppoll", L_RS},
    {"select", L_RS},
    {"pselect6", L_RS},
    // sockets already open (nng's ipc pipe)
    {"sendmsg", L_RS},
    {"recvmsg", L_RS},
    {"sendto", L_RS},
    {"recvfrom", L_RS},
    {"sendmmsg", L_RS},
    {"recvmmsg", L_RS},
    {"shutdown", L_RS},
    {"getsockopt", L_RS},
    {"setsockopt", L_RS},
    {"getsockname", L_RS},
    {"getpeername", L_RS},
    // memory (mmap and mprotect are conditional at strict)
    {"brk", L_RS},
    {"munmap", L_RS},
    {"mremap", L_RS},
    {"madvise", L_RS},
    {"msync", L_RS},
    {"mincore", L_RS},
    {"membarrier", L_RS},
    // threads (clone is conditional), time, identity
    {"futex", L_RS},
    {"futex_waitv", L_RS},
    {"set_robust_list", L_RS},
    {"get_robust_list", L_RS},
    {"rseq", L_RS},
    {"set_tid_address", L_RS},
    {"exit", L_RS},
    {"exit_group", L_RS},
    {"gettid", L_RS},
    {"getpid", L_RS},
    {"getppid", L_RS},
    {"getuid", L_RS},
    {"geteuid", L_RS},
    {"getgid", L_RS},
    {"getegid", L_RS},
    {"getgroups", L_RS},
    {"getresuid", L_RS},
    {"getresgid", L_RS},
    {"getpgrp", L_RS},
    {"getpgid", L_RS},
    {"getsid", L_RS},
    {"sched_yield", L_RS},
    {"sched_getaffinity", L_RS},
    {"sched_getparam", L_RS},
    {"sched_getscheduler", L_RS},
    {"sched_get_priority_max", L_RS},
    {"sched_get_priority_min", L_RS},
    {"nanosleep", L_RS},
    {"clock_nanosleep", L_RS},
    {"clock_gettime", L_RS},
    {"clock_getres", L_RS},
    {"gettimeofday", L_RS},
    {"time", L_RS},
    {"getrandom", L_RS},
    {"uname", L_RS},
    {"sysinfo", L_RS},
    {"getrusage", L_RS},
    {"times", L_RS},
    {"getrlimit", L_RS},
    {"setrlimit", L_RS},
    {"getcwd", L_RS},
    {"restart_syscall", L_RS},
    {"getcpu", L_RS},
    // signals (rt_sigaction, kill and tgkill are conditional)
    {"rt_sigprocmask", L_RS},
    {"rt_sigreturn", L_RS},
    {"rt_sigpending", L_RS},
    {"rt_sigtimedwait", L_RS},
    {"rt_sigsuspend", L_RS},
    {"sigaltstack", L_RS},
    {"pause", L_RS},
    // files, inside the private root (restricted only)
    {"open", L_R},
    {"openat", L_R},
    {"openat2", L_R},
    {"creat", L_R},
    {"stat", L_R},
    {"lstat", L_R},
    {"access", L_R},
    {"faccessat", L_R},
    {"faccessat2", L_R},
    {"readlink", L_R},
    {"readlinkat", L_R},
    {"getdents", L_R},
    {"getdents64", L_R},
    {"chdir", L_R},
    {"fchdir", L_R},
    {"mkdir", L_R},
    {"mkdirat", L_R},
    {"rmdir", L_R},
    {"unlink", L_R},
    {"unlinkat", L_R},
    {"rename", L_R},
    {"renameat", L_R},
    {"renameat2", L_R},
    {"link", L_R},
    {"linkat", L_R},
    {"symlink", L_R},
    {"symlinkat", L_R},
    {"truncate", L_R},
    {"ftruncate", L_R},
    {"fallocate", L_R},
    {"flock", L_R},
    {"chmod", L_R},
    {"fchmod", L_R},
    {"fchmodat", L_R},
    {"utimensat", L_R},
    {"statfs", L_R},
    {"umask", L_R},
    {"memfd_create", L_R},
    {"sendfile", L_R},
    {"copy_file_range", L_R},
    {"splice", L_R},
    {"tee", L_R},
    {"fadvise64", L_R},
};

// Allowed ioctl requests (terminal queries from stdio, non-blocking I/O).
static const uint64_t ioctl_allow[] = {TCGETS,  TIOCGWINSZ, FIONREAD,
                                       FIONBIO, FIOCLEX,    FIONCLEX};

// Allowed prctl options.
static const uint64_t prctl_allow[] = {PR_SET_NAME, PR_GET_NAME,
                                       PR_GET_DUMPABLE, PR_GET_NO_NEW_PRIVS,
                                       PR_GET_SECCOMP};

// The parts of the stage-2 allow list.  Each returns 0 or libseccomp's
// error.

// stage2_plain: the calls allowed whatever their arguments.
static int
stage2_plain(scmp_filter_ctx ctx, unsigned lv)
{
	int rc = 0;
	for (size_t i = 0;
	     rc == 0 && i < sizeof(stage2_allow) / sizeof(stage2_allow[0]);
	     i++) {
		if ((stage2_allow[i].levels & lv) != 0) {
			rc = rule0(ctx, SCMP_ACT_ALLOW, stage2_allow[i].name);
		}
	}
	return rc;
}

// stage2_memory: threads only (clone must share memory and signal handlers
// and create no namespace; clone3 -> ENOSYS, glibc falls back); at strict
// no executable mapping may appear, and only fstat() of the stat family
// (glibc's fstat is newfstatat(fd, "", AT_EMPTY_PATH)).
static int
stage2_memory(scmp_filter_ctx ctx, bool strict)
{
	int rc = rule1(ctx, SCMP_ACT_ALLOW, "clone",
	               SCMP_A0(SCMP_CMP_MASKED_EQ,
	                       CLONE_THREAD_FLAGS | CLONE_NS_FLAGS,
	                       CLONE_THREAD_FLAGS));
	if (rc == 0) {
		rc = rule0(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3");
	}
	if (rc == 0 && strict) {
		rc = rule1(ctx, SCMP_ACT_ALLOW, "mmap",
		           SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
		if (rc == 0) {
			rc = rule1(ctx, SCMP_ACT_ALLOW, "mprotect",
			           SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
		}
		if (rc == 0) {
			rc = rule1(ctx, SCMP_ACT_ALLOW, "newfstatat",
			           SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH,
			                   AT_EMPTY_PATH));
		}
		if (rc == 0) {
			rc = rule1(ctx, SCMP_ACT_ALLOW, "statx",
			           SCMP_A2(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH,
			                   AT_EMPTY_PATH));
		}
		return rc;
	}
	static const char *const free_calls[] = {"mmap", "mprotect",
	                                         "newfstatat", "statx"};
	for (size_t i = 0; rc == 0 && i < 4; i++) {
		rc = rule0(ctx, SCMP_ACT_ALLOW, free_calls[i]);
	}
	return rc;
}

// stage2_process: any signal handler but SIGSYS's; signals only to
// itself; the ioctls and prctls on the lists; its own rlimits only.
static int
stage2_process(scmp_filter_ctx ctx, uint64_t me)
{
	int rc = rule1(ctx, SCMP_ACT_ALLOW, "rt_sigaction",
	               SCMP_A0(SCMP_CMP_NE, SIGSYS));
	if (rc == 0) {
		rc = rule2(ctx, SCMP_ACT_ALLOW, "rt_sigaction",
		           SCMP_A0(SCMP_CMP_EQ, SIGSYS),
		           SCMP_A1(SCMP_CMP_EQ, 0));
	}
	if (rc == 0) {
		rc = rule1(ctx, SCMP_ACT_ALLOW, "kill",
		           SCMP_A0(SCMP_CMP_EQ, me));
	}
	if (rc == 0) {
		rc = rule1(ctx, SCMP_ACT_ALLOW, "tgkill",
		           SCMP_A0(SCMP_CMP_EQ, me));
	}
	for (size_t i = 0;
	     rc == 0 && i < sizeof(ioctl_allow) / sizeof(ioctl_allow[0]);
	     i++) {
		rc = rule1(ctx, SCMP_ACT_ALLOW, "ioctl",
		           SCMP_A1(SCMP_CMP_EQ, ioctl_allow[i]));
	}
	for (size_t i = 0;
	     rc == 0 && i < sizeof(prctl_allow) / sizeof(prctl_allow[0]);
	     i++) {
		rc = rule1(ctx, SCMP_ACT_ALLOW, "prctl",
		           SCMP_A0(SCMP_CMP_EQ, prctl_allow[i]));
	}
	if (rc == 0) {
		rc = rule1(ctx, SCMP_ACT_ALLOW, "prlimit64",
		           SCMP_A0(SCMP_CMP_EQ, 0));
	}
	return rc;
}

// stage2_sockets: AF_UNIX at restricted (nng's ipc transport redials),
// none at strict; AF_INET/AF_INET6 (and netlink route for getaddrinfo)
// only with the network grant.
static int
stage2_sockets(scmp_filter_ctx ctx, bool strict, bool network)
{
	int rc = 0;
	if (!strict) {
		rc = rule1(ctx, SCMP_ACT_ALLOW, "socket",
		           SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	}
	if (rc == 0) {
		rc = rule1(ctx, SCMP_ACT_ALLOW, "socketpair",
		           SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	}
	if (rc == 0 && network) {
		rc = rule1(ctx, SCMP_ACT_ALLOW, "socket",
		           SCMP_A0(SCMP_CMP_EQ, AF_INET));
		if (rc == 0) {
			rc = rule1(ctx, SCMP_ACT_ALLOW, "socket",
			           SCMP_A0(SCMP_CMP_EQ, AF_INET6));
		}
		if (rc == 0) {
			rc = rule2(ctx, SCMP_ACT_ALLOW, "socket",
			           SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
			           SCMP_A2(SCMP_CMP_EQ, 0));
		}
	}
	if (rc == 0 && (!strict || network)) {
		static const char *const sock_calls[] = {
		    "connect", "bind", "listen", "accept", "accept4"};
		for (size_t i = 0; rc == 0 && i < 5; i++) {
			rc = rule0(ctx, SCMP_ACT_ALLOW, sock_calls[i]);
		}
	}
	return rc;
}

static int
build_stage2(scmp_filter_ctx ctx, const addin__sandbox_policy *p, pid_t self)
{
	bool strict = p->level == ADDIN__SANDBOX_STRICT;
	int  rc;

	if ((rc = stage2_plain(ctx, strict ? L_S : L_R)) != 0 ||
	    (rc = stage2_memory(ctx, strict)) != 0 ||
	    (rc = stage2_process(ctx, (uint64_t) self)) != 0) {
		return rc;
	}
	return stage2_sockets(ctx, strict, p->network);
}

// ---------------------------------------------------------------- build

static addin_err
build(const addin__sandbox_policy *p, int stage, pid_t self,
      scmp_filter_ctx *ret)
{
	scmp_filter_ctx ctx = NULL;
	int             rc;

	if (stage != 1 && stage != 2) {
		return addin__seterr(ADDIN_EINVAL, "seccomp: no stage %d",
		                     stage);
	}
	ctx = seccomp_init(stage == 1 ? SCMP_ACT_ALLOW : SCMP_ACT_TRAP);
	if (ctx == NULL) {
		return addin__seterr(ADDIN_ESANDBOX, "seccomp_init failed");
	}
	// Another architecture's calls (i386 int 0x80, x32) trap too.
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	if (rc == 0) {
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	}
	if (rc == 0) {
		rc = stage == 1 ? build_stage1(ctx, self)
		                : build_stage2(ctx, p, self);
	}
	if (rc != 0) {
		seccomp_release(ctx);
		return addin__syserr(ADDIN_ESANDBOX, -rc,
		                     "seccomp: building the stage %d filter",
		                     stage);
	}
	*ret = ctx;
	return ADDIN_OK;
}

static addin_err
load(const addin__sandbox_policy *p, int stage, uint32_t *applied)
{
	scmp_filter_ctx ctx = NULL;
	addin_err       rv;
	int             rc;

	if (p->level == ADDIN__SANDBOX_NONE) {
		return ADDIN_OK;
	}
	rv = build(p, stage, getpid(), &ctx);
	if (rv != ADDIN_OK) {
		return rv;
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		// Fail closed: the caller must not run the add-in.
		return addin__syserr(
		    ADDIN_ESANDBOX, -rc,
		    "seccomp: loading the stage %d filter (TSYNC)", stage);
	}
	if (applied != NULL) {
		*applied |=
		    stage == 1 ? ADDIN__APPLIED_STAGE1 : ADDIN__APPLIED_STAGE2;
	}
	return ADDIN_OK;
}

addin_err
addin__sandbox_stage1(const addin__sandbox_policy *p, uint32_t *applied)
{
	return load(p, 1, applied);
}

addin_err
addin__sandbox_stage2(const addin__sandbox_policy *p, uint32_t *applied)
{
	return load(p, 2, applied);
}

addin_err
addin__sandbox_filter_export(const addin__sandbox_policy *p, int stage,
                             pid_t self, bool pfc, int fd)
{
	scmp_filter_ctx ctx = NULL;
	addin_err       rv  = build(p, stage, self, &ctx);
	int             rc;
	if (rv != ADDIN_OK) {
		return rv;
	}
	rc = pfc ? seccomp_export_pfc(ctx, fd) : seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (rc != 0) {
		return addin__syserr(ADDIN_ESANDBOX, -rc,
		                     "seccomp: exporting the stage %d filter",
		                     stage);
	}
	return ADDIN_OK;
}
