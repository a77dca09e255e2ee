// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The worker's identity: an unprivileged uid and gid when the runner is
// root, no capabilities, no_new_privs, not dumpable.

#define _GNU_SOURCE

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox_runner.h"

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
