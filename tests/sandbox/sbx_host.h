// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// sbx_host.h: the host side of the sandbox tests.  It launches the helper
// (sandbox_helper.c, which applies the runner half's steps itself) exactly
// the way the host launches addin-runner, only without the channel: the
// options become a policy, cgroup, private ipc directory, sealed policy
// memfd and report socket through host/src/sandbox_launch.c
// (addin__sbx_prepare); the helper is spawned with posix_spawn through the
// platform layer (addin__plat_spawn, as the supervisor does) with a token
// socket on descriptor 3, the policy on 4 and the report socket on 5;
// addin__sbx_started puts it into the cgroup while it waits for its token;
// then the token.  Its end is waited for through the pidfd with a
// deadline, classified by addin__sbx_classify, and everything is removed by
// addin__sbx_destroy, after checking that nothing of it was left.

#ifndef SBX_HOST_H
#define SBX_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "addin/host.h"
#include "sandbox_launch.h"

#define SBX_MAX_READ 8

typedef struct sbx_run {
	// Inputs.
	addin__sandbox_level level;
	const char          *stages; // helper stage list ("all", ...)
	const char          *action;
	const char          *arg;         // may be NULL
	bool                 no_cgroup;   // run as on a machine without any
	bool                 no_cpu_ctrl; // ... without a cpu controller
	int                  deadline_ms; // 0: 20 s
	bool                 timing;      // SANDBOX_HELPER_TIMING
	// The activation's sandbox options, set up by sbx_init (read_own_dir
	// off, the scratch directory below); tests adjust them before
	// sbx_start.
	addin_sandbox_options opts;
	const char           *read_dirs[SBX_MAX_READ + 1]; // opts.read_dirs
	char                  scratch[256]; // made by sbx_init, 0700 nobody

	// Outputs.
	addin__sbx              *sbx;        // the host's half of the launch
	uint32_t                 namespaces; // the fitted policy's
	uint32_t                 mechanisms; // the cgroup's
	int                      pid;
	int                      pidfd;
	int                      out_fd;
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

// sbx_init prepares @r for @level with the level's default options and a
// fresh scratch directory.
void sbx_init(sbx_run *r, addin__sandbox_level level, const char *stages,
              const char *action, const char *arg);

// sbx_add_read grants @dir read-only (opts.read_dirs).
void sbx_add_read(sbx_run *r, const char *dir);

// sbx_prepare prepares the launch (addin__sbx_prepare): policy, cgroup,
// ipc directory, memfd, report socket.  Skips (or, with
// ADDIN_TEST_REQUIRE_SANDBOX, fails) when this machine cannot sandbox at
// @r's level; any other failure fails.
void sbx_prepare(sbx_run *r);

// sbx_spawn spawns the helper, puts it into the cgroup (addin__sbx_started)
// and hands it its token.
void sbx_spawn(sbx_run *r);

// sbx_start is sbx_prepare, then sbx_spawn.
void sbx_start(sbx_run *r);

// sbx_wait_output waits up to @ms for @text to appear on the helper's
// stdout; false on timeout or death.
bool sbx_wait_output(sbx_run *r, const char *text, int ms);

// sbx_kill kills the helper's outer process as the host would.
void sbx_kill(sbx_run *r, addin__sandbox_host_kill why);

// sbx_wait waits for the death (killing at the deadline), classifies it,
// waits up to 2 s for the cgroup to empty on its own (r->left), then
// removes everything (addin__sbx_destroy), checks that no cgroup of this
// process is left, and closes the rest.  Returns r->death.cause.
addin__sandbox_cause sbx_wait(sbx_run *r);

// sbx_fini removes the scratch directory.
void sbx_fini(sbx_run *r);

// sbx_can_ns is true when a restricted policy fitted to this machine
// creates namespace @ns_bit (ADDIN__NS_*).
bool sbx_can_ns(uint32_t ns_bit);

// sbx_descendants lists up to @max live processes below @pid (children,
// grandchildren...; from /proc/*/stat, so it works unprivileged and sees
// processes in other pid namespaces by their pids here).  Returns how many.
int sbx_descendants(pid_t pid, pid_t *pids, int max);

// sbx_alive counts how many of @pids still run (zombies do not count:
// an orphan waits for the system's init to reap it).
int sbx_alive(const pid_t *pids, int n);

// sbx_print writes a one-line summary of @r to stdout.
void sbx_print(const sbx_run *r);

#endif // SBX_HOST_H
