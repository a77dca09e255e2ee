// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Resource limits and identity of the worker, and the child-side
// preparation between the host's fork and exec.

#define _GNU_SOURCE

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox.h"

static addin_err
set_limit(int res, const char *name, uint64_t soft, uint64_t hard)
{
	struct rlimit rl;
	rl.rlim_cur =
	    soft == ADDIN__SANDBOX_UNLIMITED ? RLIM_INFINITY : (rlim_t) soft;
	rl.rlim_max =
	    hard == ADDIN__SANDBOX_UNLIMITED ? RLIM_INFINITY : (rlim_t) hard;
	if (setrlimit(res, &rl) != 0) {
		return addin__syserr(ADDIN_ESANDBOX, errno,
		                     "sandbox: setrlimit(%s, %llu)", name,
		                     (unsigned long long) soft);
	}
	return ADDIN_OK;
}

addin_err
addin__sandbox_setrlimits(const addin__sandbox_policy *p, uint32_t *applied)
{
	const addin__sandbox_limits *l  = &p->limits;
	addin_err                    rv = ADDIN_OK;

	if (!l->core_dumps) {
		rv = set_limit(RLIMIT_CORE, "RLIMIT_CORE", 0, 0);
	} else if (set_limit(RLIMIT_CORE, "RLIMIT_CORE",
	                     ADDIN__SANDBOX_UNLIMITED,
	                     ADDIN__SANDBOX_UNLIMITED) != ADDIN_OK) {
		// Asked for, but the runner starts with core dumps off (and
		// so may its host): raise them again.  Above the hard limit
		// only with CAP_SYS_RESOURCE (a root host); else up to it.
		struct rlimit rl;
		if (getrlimit(RLIMIT_CORE, &rl) == 0) {
			rl.rlim_cur = rl.rlim_max;
			(void) setrlimit(RLIMIT_CORE, &rl);
		}
	}
	if (rv == ADDIN_OK && l->cpu_seconds != ADDIN__SANDBOX_UNLIMITED) {
		// SIGXCPU at the soft limit, SIGKILL one second later.
		rv = set_limit(RLIMIT_CPU, "RLIMIT_CPU", l->cpu_seconds,
		               l->cpu_seconds + 1);
	}
	if (rv == ADDIN_OK && l->open_files != ADDIN__SANDBOX_UNLIMITED) {
		rv = set_limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", l->open_files,
		               l->open_files);
	}
	if (rv == ADDIN_OK && l->file_size != ADDIN__SANDBOX_UNLIMITED) {
		rv = set_limit(RLIMIT_FSIZE, "RLIMIT_FSIZE", l->file_size,
		               l->file_size);
	}
#ifndef ADDIN_SANITIZED
	// Without a memory cgroup: RLIMIT_DATA (private writable memory, not
	// reservations; RLIMIT_AS would count nng's thread stacks and
	// glibc's arena reservations).  Sanitizer builds skip it: their
	// shadow memory is already far above any sane limit.
	if (rv == ADDIN_OK && !p->cgroup_memory &&
	    l->memory_bytes != ADDIN__SANDBOX_UNLIMITED) {
		rv = set_limit(RLIMIT_DATA, "RLIMIT_DATA", l->memory_bytes,
		               l->memory_bytes);
		*applied |= rv == ADDIN_OK ? ADDIN__APPLIED_RLIMIT_DATA : 0;
	}
#endif
	// Without a pids cgroup: RLIMIT_NPROC (counts every process of the
	// uid, and root ignores it).
	if (rv == ADDIN_OK && !p->cgroup_pids &&
	    l->processes != ADDIN__SANDBOX_UNLIMITED) {
		rv = set_limit(RLIMIT_NPROC, "RLIMIT_NPROC", l->processes,
		               l->processes);
		*applied |= rv == ADDIN_OK ? ADDIN__APPLIED_RLIMIT_NPROC : 0;
	}
	if (rv == ADDIN_OK) {
		*applied |= ADDIN__APPLIED_LIMITS;
	}
	return rv;
}

static void
drop_capabilities(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct   data[2] = {{0, 0, 0}, {0, 0, 0}};
	// The bounding set first (needs CAP_SETPCAP, which we may still
	// have), then the ambient set, then everything else.
	for (int c = 0; c <= 63; c++) {
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 &&
		    errno == EINVAL) {
			break;
		}
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	syscall(SYS_capset, &hdr, data);
}

static bool
caps_clear(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct   data[2];
	if (syscall(SYS_capget, &hdr, data) != 0) {
		return false;
	}
	return (data[0].effective | data[0].permitted | data[1].effective |
	        data[1].permitted) == 0;
}

addin_err
addin__sandbox_identity(const addin__sandbox_policy *p, uint32_t *applied)
{
	if (p->level != ADDIN__SANDBOX_NONE) {
		// Root of the initial user namespace becomes an unprivileged
		// user; in a user namespace we already are one.
		if (geteuid() == 0 && (p->namespaces & ADDIN__NS_USER) == 0) {
			uid_t r, e, s;
			gid_t gid = (gid_t) p->gid;
			if (setgroups(0, NULL) != 0 ||
			    setresgid(gid, gid, gid) != 0 ||
			    setresuid((uid_t) p->uid, (uid_t) p->uid,
			              (uid_t) p->uid) != 0) {
				return addin__syserr(
				    ADDIN_ESANDBOX, errno,
				    "sandbox: dropping to uid %u gid %u",
				    p->uid, p->gid);
			}
			if (getresuid(&r, &e, &s) != 0 || r != p->uid ||
			    e != p->uid || s != p->uid) {
				return addin__seterr(
				    ADDIN_ESANDBOX,
				    "sandbox: uid %u did not stick", p->uid);
			}
			*applied |= ADDIN__APPLIED_IDENTITY;
		}
		drop_capabilities();
		if (!caps_clear()) {
			return addin__seterr(
			    ADDIN_ESANDBOX,
			    "sandbox: capabilities could not be cleared");
		}
		// Not dumpable: no core, and /proc/<pid>/mem and friends
		// closed to anyone without CAP_SYS_PTRACE.  Core dumps on
		// request need it dumpable.
		if (prctl(PR_SET_DUMPABLE, p->limits.core_dumps ? 1 : 0, 0, 0,
		          0) != 0) {
			return addin__syserr(ADDIN_ESANDBOX, errno,
			                     "sandbox: PR_SET_DUMPABLE");
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		return addin__syserr(ADDIN_ESANDBOX, errno,
		                     "sandbox: PR_SET_NO_NEW_PRIVS");
	}
	*applied |= ADDIN__APPLIED_NNP;
	return ADDIN_OK;
}

int
addin__sandbox_child_prepare(pid_t parent, bool core_dumps)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
		return errno;
	}
	// The parent may have died before the line above.
	if (getppid() != parent) {
		return ESRCH;
	}
	if (!core_dumps) {
		struct rlimit rl = {0, 0};
		if (setrlimit(RLIMIT_CORE, &rl) != 0) {
			return errno;
		}
	}
	return 0;
}
