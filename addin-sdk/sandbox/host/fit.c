// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Fitting a policy to what the kernel offers (the probe): namespaces
// degrade with a warning each, seccomp with TSYNC does not.  Pure code.

#include <stdio.h>
#include <string.h>

#include "sandbox_host.h"

static void
warn_add(char *warn, size_t size, const char *msg)
{
	size_t have;
	if (warn == NULL || size == 0) {
		return;
	}
	have = strnlen(warn, size);
	if (have + 1 >= size) {
		return;
	}
	size_t room = size - have - 1;
	size_t n    = strlen(msg);
	if (n + 1 > room) {
		n = room > 0 ? room - 1 : 0;
	}
	memcpy(warn + have, msg, n);
	warn[have + n]     = '\n';
	warn[have + n + 1] = '\0';
}

addin_err
addin__sandbox_policy_fit(addin__sandbox_policy           *p,
                          const addin__sandbox_probe_info *probe, char *warn,
                          size_t warn_size)
{
	uint32_t want;

	if (p->level == ADDIN__SANDBOX_NONE) {
		p->namespaces = 0;
		return ADDIN_OK;
	}
	if (!probe->seccomp || !probe->tsync) {
		return addin__seterr(
		    ADDIN_ESANDBOX,
		    "sandbox level %s needs seccomp filters with TSYNC, which "
		    "this kernel does not offer",
		    addin__sandbox_level_name(p->level));
	}
	want = p->namespaces;
	if (p->network) {
		want &= ~ADDIN__NS_NET;
	}
	// Root needs no user namespace (it drops to an unprivileged uid);
	// anyone else needs one to create the others.
	if (probe->root) {
		want &= ~ADDIN__NS_USER;
	} else if ((want & ~ADDIN__NS_USER) != 0) {
		want |= ADDIN__NS_USER;
	}
	if ((want & ~probe->namespaces) != 0) {
		for (uint32_t bit = 1; bit <= ADDIN__NS_ALL; bit <<= 1) {
			if ((want & bit) != 0 &&
			    (probe->namespaces & bit) == 0) {
				char msg[128];
				snprintf(msg, sizeof(msg),
				         "sandbox: no %s namespace available: "
				         "running without it",
				         addin__sandbox_ns_name(bit));
				warn_add(warn, warn_size, msg);
			}
		}
		want &= probe->namespaces;
		if (!probe->root && (want & ADDIN__NS_USER) == 0) {
			want = 0; // nothing else is possible without it
		}
	}
	p->namespaces = want;
	return ADDIN_OK;
}
