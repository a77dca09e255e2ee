// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// sandbox_launch: the host's half of a sandboxed activation.  Turns the
// public addin_sandbox_options (and the add-in's declared needs, when the
// host grants them) into the runner's policy, creates the per-activation
// cgroup, the private ipc and scratch directories the sandboxed worker can
// reach as its unprivileged uid, the policy memfd and the report socket;
// after the process died, turns the wait status, the cgroup's OOM counter,
// the CPU time and the runner's reports into a cause ("seccomp violation:
// ptrace"); and removes everything at the end.  The primitives are the
// sandbox's host half (addin-sdk/sandbox/host/sandbox_host.h).
//
// The launch, as host.c and proc.c drive it: addin__sbx_prepare; spawn the
// runner with addin__sbx_policy_fd and addin__sbx_report_fd_child at
// ADDIN__SBX_POLICY_FD and ADDIN__SBX_REPORT_FD, the environment of
// addin__sbx_env, its socket in addin__sbx_ipc_dir; addin__sbx_started
// before the runner gets its token; addin__sbx_death when it ended;
// addin__sbx_destroy when the process record goes.

#ifndef ADDIN_HOST_SANDBOX_LAUNCH_H
#define ADDIN_HOST_SANDBOX_LAUNCH_H

#include "addin/host.h"
#include "core.h"
#include "sandbox_host.h"

typedef struct addin__sbx addin__sbx;

// Descriptor numbers the runner gets them at (after the token pipe at 3).
#define ADDIN__SBX_POLICY_FD 4
#define ADDIN__SBX_REPORT_FD 5

typedef struct addin__sbx_args {
	const char *name;          // the add-in's name (cgroup name, messages)
	const char *addin_path;    // its library (own directory, need paths)
	const char *const *loaded; // other libraries the runner loads
	size_t             nloaded;
	const char        *runtime_lib_dir; // libaddin-sdk's directory
	addin_token       *tok;             // declared needs; may be NULL
	// What the kernel offers; NULL: addin__sandbox_probe().  Tests pass
	// a copy with parts taken away to run as on a poorer machine.
	const addin__sandbox_probe_info *probe;
} addin__sbx_args;

// addin__sbx_check_options checks what addin_activate checks of the
// options before anything is loaded or started: ABI version 1 and a level
// of addin_sandbox_level (0, left by options that were not initialised
// with ADDIN_SANDBOX_OPTIONS_INIT, is no level).  ADDIN_EINVAL with a
// message naming @name and saying what to do.
ADDIN_PRIVATE addin_err
addin__sbx_check_options(const addin_sandbox_options *o, const char *name);

// addin__sbx_prepare builds everything a sandboxed runner needs.
// ADDIN_EINVAL (bad options, as addin__sbx_check_options, or grants),
// ADDIN_ESANDBOX (the kernel cannot give the level: no seccomp with TSYNC; a
// limit cannot be set), ADDIN_ENOMEM, ADDIN_ESYSERR.  On success the caller
// owns *@ret.
ADDIN_PRIVATE addin_err addin__sbx_prepare(const addin_sandbox_options *o,
                                           const addin__sbx_args       *a,
                                           addin__sbx                 **ret);

// What the kernel could not give (for example "sandbox: no net namespace
// available: running without it"), a line each, each ending in '\n'; ""
// when nothing.  Owned by @s.
ADDIN_PRIVATE const char *addin__sbx_warnings(addin__sbx *s);
// The level's name ("restricted").
ADDIN_PRIVATE const char *addin__sbx_level_name(addin__sbx *s);

// The ipc directory the channel's socket must live in (reachable by the
// sandbox's uid).
ADDIN_PRIVATE const char *addin__sbx_ipc_dir(addin__sbx *s);
// Descriptors to pass to the runner: policy at ADDIN__SBX_POLICY_FD,
// report at ADDIN__SBX_REPORT_FD.
ADDIN_PRIVATE int addin__sbx_policy_fd(addin__sbx *s);
ADDIN_PRIVATE int addin__sbx_report_fd_child(addin__sbx *s);
// Environment entries for the runner ("K=V", NULL-terminated, owned by
// @s): TMPDIR for a scratch directory, sanitizer settings.
ADDIN_PRIVATE const char *const *addin__sbx_env(addin__sbx *s);

// addin__sbx_started: the runner @pid exists and waits for its token: put
// it in the cgroup (before it can fork) and close the child's descriptors.
ADDIN_PRIVATE addin_err addin__sbx_started(addin__sbx *s, int pid);

// addin__sbx_classify drains the runner's reports and classifies its end
// (addin__sandbox_classify) from the wait status (@wait_code CLD_*,
// @wait_status), the CPU time it used (-1 unknown), the cgroup's OOM
// counter and whether the host killed it (@host_kill: 1 shutdown, 2
// deadline, 0 not killed by the host).  Thread-safe.
ADDIN_PRIVATE void addin__sbx_classify(addin__sbx *s, int wait_code,
                                       int wait_status, int64_t cpu_ms,
                                       int                   host_kill,
                                       addin__sandbox_death *ret);

// addin__sbx_death writes the message of addin__sbx_classify into @msg
// (the supervisor's death hook).  Thread-safe.
ADDIN_PRIVATE void addin__sbx_death(addin__sbx *s, int wait_code,
                                    int wait_status, int64_t cpu_ms,
                                    int host_kill, char *msg, size_t len);

// addin__sbx_reports copies what the runner reported so far (drained
// first) into *@ret.  Thread-safe.
ADDIN_PRIVATE void addin__sbx_reports(addin__sbx             *s,
                                      addin__sandbox_reports *ret);

// addin__sbx_policy returns the policy the runner gets (fitted to the
// probe).  Owned by @s.
ADDIN_PRIVATE const addin__sandbox_policy *addin__sbx_policy(addin__sbx *s);

// addin__sbx_cgroup returns the activation's cgroup (with no mechanisms
// when the machine offers none).  Owned by @s.
ADDIN_PRIVATE addin__cgroup *addin__sbx_cgroup(addin__sbx *s);

// addin__sbx_describe writes the mechanisms actually active
// ("sandbox=restricted ns=user,pid,... fs=private-root ...
// memory=cgroup-v1 ...") into @buf, updated from the runner's reports.
// Thread-safe.
ADDIN_PRIVATE void addin__sbx_describe(addin__sbx *s, char *buf, size_t len);

// addin__sbx_destroy kills what is left in the cgroup, removes it and the
// directories, closes the descriptors.  Accepts NULL.
ADDIN_PRIVATE void addin__sbx_destroy(addin__sbx *s);

#endif // ADDIN_HOST_SANDBOX_LAUNCH_H
