// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Entering the sandbox, as the runner does it: every step before the
// add-in is loaded, then the allow list once it is.  Fails closed: a step
// that fails ends the process with the setup exit code.

#include <errno.h>
#include <stdio.h>

#include "platform/platform.h"
#include "sandbox_runner.h"

// fail tells @say and the host which @step failed, and exits.
static _Noreturn void
fail(const addin__sandbox_runner *r, addin__sandbox_step step,
     addin__sandbox_say_fn *say)
{
	int  e = errno;
	char line[ADDIN__ERRMSG_MAX + 64];
	if (say != NULL) {
		snprintf(line, sizeof(line), "sandbox setup, step %s: %s",
		         addin__sandbox_step_name((int) step), addin_errmsg());
		say(line);
	}
	addin__sandbox_fail(r->report_fd, step, e);
}

void
addin__sandbox_enter(addin__sandbox_runner *r, int policy_fd, int report_fd,
                     addin__sandbox_say_fn *say)
{
	r->report_fd = report_fd;
	r->applied   = 0;
	r->stage2    = false;
	if (addin__sandbox_policy_from_fd(policy_fd, &r->policy) != ADDIN_OK) {
		fail(r, ADDIN__STEP_POLICY, say);
	}
	addin__plat_close(policy_fd);
	if (addin__sandbox_namespaces(&r->policy, &r->applied) != ADDIN_OK) {
		fail(r, ADDIN__STEP_NAMESPACES, say);
	}
	if (addin__sandbox_filesystem(&r->policy, &r->applied) != ADDIN_OK) {
		fail(r, ADDIN__STEP_FILESYSTEM, say);
	}
	if (addin__sandbox_setrlimits(&r->policy, &r->applied) != ADDIN_OK) {
		fail(r, ADDIN__STEP_LIMITS, say);
	}
	if (addin__sandbox_identity(&r->policy, &r->applied) != ADDIN_OK) {
		fail(r, ADDIN__STEP_IDENTITY, say);
	}
	if (r->policy.level != ADDIN__SANDBOX_NONE) {
		if (addin__sandbox_sigsys_install(report_fd) != ADDIN_OK) {
			fail(r, ADDIN__STEP_SIGSYS, say);
		}
		r->applied |= ADDIN__APPLIED_SIGSYS;
	}
	if (addin__sandbox_stage1(&r->policy, &r->applied) != ADDIN_OK) {
		fail(r, ADDIN__STEP_STAGE1, say);
	}
	addin__sandbox_report_applied(report_fd, r->applied);
}

void
addin__sandbox_after_load(addin__sandbox_runner *r, addin__sandbox_say_fn *say)
{
	if (r->stage2) {
		return;
	}
	if (addin__sandbox_stage2(&r->policy, &r->applied) != ADDIN_OK) {
		fail(r, ADDIN__STEP_STAGE2, say);
	}
	r->stage2 = true;
	addin__sandbox_report_applied(r->report_fd, r->applied);
}
