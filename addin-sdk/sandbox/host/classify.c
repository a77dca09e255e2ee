// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Why did the add-in process die?  The exit status from the kernel is the
// truth; the runner's reports and the cgroup's counters refine it.

#define _GNU_SOURCE

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "sandbox_host.h"

static const char *const cause_names[] = {
    "unknown",         "exited",         "signaled",
    "seccomp",         "out-of-memory",  "cpu-limit",
    "file-size-limit", "killed-by-host", "setup-failed"};

const char *
addin__sandbox_cause_name(addin__sandbox_cause c)
{
	if ((size_t) c < sizeof(cause_names) / sizeof(cause_names[0])) {
		return cause_names[c];
	}
	return cause_names[0];
}

static const char *
signame(int sig)
{
	const char *s = sigabbrev_np(sig);
	return s == NULL ? "?" : s;
}

void
addin__sandbox_classify(const addin__sandbox_death_in *in,
                        addin__sandbox_death          *ret)
{
	addin__sandbox_death          d;
	const addin__sandbox_reports *rep = in->reports;
	bool                          signaled =
	    in->wait_code == CLD_KILLED || in->wait_code == CLD_DUMPED;
	int sig = in->wait_status;

	memset(&d, 0, sizeof(d));
	d.syscall_nr = -1;
	d.status     = in->wait_status;

	if (!signaled) {
		if (in->wait_status == ADDIN__SANDBOX_EXIT_SETUP) {
			d.cause = ADDIN__CAUSE_SETUP;
			if (rep != NULL && rep->have_setup) {
				d.setup_step  = (int) rep->setup.flags;
				d.setup_errno = rep->setup.errnum;
				snprintf(
				    d.message, sizeof(d.message),
				    "sandbox setup failed: %s: %s",
				    addin__sandbox_step_name(d.setup_step),
				    strerror(d.setup_errno));
			} else {
				snprintf(
				    d.message, sizeof(d.message),
				    "sandbox setup failed (exit code %d, no "
				    "report)",
				    in->wait_status);
			}
		} else {
			d.cause = ADDIN__CAUSE_EXITED;
			snprintf(d.message, sizeof(d.message),
			         "exited with code %d", in->wait_status);
		}
		*ret = d;
		return;
	}

	if (in->host_kill != ADDIN__HOST_KILL_NONE && sig == SIGKILL) {
		d.cause = ADDIN__CAUSE_HOST_KILL;
		snprintf(
		    d.message, sizeof(d.message), "killed by the host (%s)",
		    in->host_kill == ADDIN__HOST_KILL_DEADLINE ? "deadline"
		                                               : "shutdown");
	} else if (sig == SIGSYS) {
		d.cause = ADDIN__CAUSE_SECCOMP;
		if (rep != NULL && rep->have_sigsys &&
		    rep->sigsys.code == 1 /* SYS_SECCOMP */) {
			d.syscall_nr = rep->sigsys.nr;
			// The name comes from the add-in's process: keep only
			// what a syscall name can hold, so it cannot inject
			// anything into the host's messages and logs.
			size_t k = 0;
			for (size_t i = 0; rep->sigsys.text[i] != '\0' &&
			                   i < sizeof(rep->sigsys.text) &&
			                   k + 1 < sizeof(d.syscall);
			     i++) {
				char ch = rep->sigsys.text[i];
				if ((ch >= 'a' && ch <= 'z') ||
				    (ch >= '0' && ch <= '9') || ch == '_') {
					d.syscall[k++] = ch;
				}
			}
			d.syscall[k] = '\0';
			snprintf(
			    d.message, sizeof(d.message),
			    "killed by the sandbox: forbidden system call %s "
			    "(%d)",
			    d.syscall, d.syscall_nr);
		} else {
			snprintf(
			    d.message, sizeof(d.message),
			    "killed by the sandbox: forbidden system call "
			    "(not reported)");
		}
	} else if (sig == SIGKILL && in->oom_kills > 0) {
		d.cause = ADDIN__CAUSE_OOM;
		snprintf(d.message, sizeof(d.message),
		         "out of memory: killed by the memory limit");
	} else if (sig == SIGXCPU ||
	           (sig == SIGKILL && in->cpu_ms >= 0 &&
	            in->cpu_limit_s != ADDIN__SANDBOX_UNLIMITED &&
	            (uint64_t) in->cpu_ms >= in->cpu_limit_s * 1000)) {
		d.cause = ADDIN__CAUSE_CPU_LIMIT;
		snprintf(d.message, sizeof(d.message),
		         "CPU time limit exceeded (%s)", signame(sig));
	} else if (sig == SIGXFSZ) {
		d.cause = ADDIN__CAUSE_FILE_SIZE;
		snprintf(d.message, sizeof(d.message),
		         "file size limit exceeded (SIGXFSZ)");
	} else {
		d.cause = ADDIN__CAUSE_SIGNALED;
		snprintf(d.message, sizeof(d.message),
		         "killed by signal %d (SIG%s)%s", sig, signame(sig),
		         in->wait_code == CLD_DUMPED ? ", core dumped" : "");
	}
	*ret = d;
}
