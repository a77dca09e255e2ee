// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The worker's resource limits (rlimits): what the policy's limits need
// that no cgroup enforces.

#define _GNU_SOURCE

#include <errno.h>
#include <sys/resource.h>

#include "sandbox_runner.h"

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
