// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// sbx_host.h: a host-side spawner for the sandbox tests, doing what the
// host's spawner will do around the runner: probe, fit the policy, make
// the cgroup, hand over the policy (sealed memfd at fd 3) and the report
// socket (fd 4), fork, join the cgroup and set the parent-death signal in
// the child (async-signal-safe only), exec sandbox_helper, wait with a
// deadline through a pidfd, drain the reports, classify the death, check
// that nothing of it is left, and remove the cgroup.

#ifndef SBX_HOST_H
#define SBX_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox/sandbox.h"

typedef struct sbx_run {
	// Inputs.
	addin__sandbox_level level;
	const char          *stages; // helper stage list ("all", ...)
	const char          *action;
	const char          *arg; // may be NULL
	bool                 no_cgroup;
	int                  deadline_ms; // 0: 20 s
	bool                 timing;      // SANDBOX_HELPER_TIMING
	// The policy, initialised by sbx_init; tests adjust it before
	// sbx_start, which fits it to the probe.
	addin__sandbox_policy policy;
	char                  scratch[256]; // made by sbx_init, 0700 nobody

	// Outputs.
	pid_t                    pid;
	int                      pidfd;
	int                      report_fd;
	int                      out_fd;
	addin__cgroup           *cg;
	int64_t                  oom_before;
	uint32_t                 mechanisms;
	char                     warnings[512];
	addin__sandbox_host_kill host_kill;
	int                      wait_code, wait_status;
	int64_t                  cpu_ms;
	int64_t                  start_us, elapsed_us;
	addin__sandbox_reports   reports;
	addin__sandbox_death     death;
	int64_t                  left; // processes in its cgroup after death
	char                     out[16384];
	size_t                   out_len;
} sbx_run;

// sbx_helper_path returns the helper beside the running test executable.
const char *sbx_helper_path(void);

// sbx_init prepares @r for @level with the default policy, a fresh scratch
// directory and the helper's own needs.
void sbx_init(sbx_run *r, addin__sandbox_level level, const char *stages,
              const char *action, const char *arg);

// sbx_start fits the policy, makes the cgroup and starts the helper.
void sbx_start(sbx_run *r);

// sbx_wait_output waits up to @ms for @text to appear on the helper's
// stdout; false on timeout or death.
bool sbx_wait_output(sbx_run *r, const char *text, int ms);

// sbx_kill kills the helper's outer process as the host would.
void sbx_kill(sbx_run *r, addin__sandbox_host_kill why);

// sbx_wait waits for the death (killing at the deadline), classifies it,
// waits up to 2 s for the cgroup to empty on its own (r->left), then
// removes the cgroup and closes everything.  Returns r->death.cause.
addin__sandbox_cause sbx_wait(sbx_run *r);

// sbx_fini frees the policy and removes the scratch directory.
void sbx_fini(sbx_run *r);

// sbx_descendants lists up to @max live processes below @pid (children,
// grandchildren...; from /proc/*/stat, so it works unprivileged and sees
// processes in other pid namespaces by their pids here).  Returns how many.
int sbx_descendants(pid_t pid, pid_t *pids, int max);

// sbx_alive counts how many of @pids still run (zombies do not count:
// an orphan waits for the system's init to reap it).
int sbx_alive(const pid_t *pids, int n);

// sbx_count_fds counts this process's open descriptors.
int sbx_count_fds(void);

// sbx_print writes a one-line summary of @r to stdout.
void sbx_print(const sbx_run *r);

#endif // SBX_HOST_H
