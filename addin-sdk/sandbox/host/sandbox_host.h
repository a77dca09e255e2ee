// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// sandbox_host.h: the host's half of the sandbox (internal API of the
// static library addin-sandbox-host, linked into libaddin-host only).
//
// The one launch there is, as host/src/sandbox_launch.c drives it for an
// ADDIN_ISOLATION_SANDBOXED activation (the host may have nng threads):
//
//   BEFORE THE SPAWN
//     addin__sandbox_probe()            once per process; what the kernel
//                                       allows
//     addin__sandbox_policy_init()      level defaults (sandbox_policy.h),
//     _add_read() / _set_scratch() /    then the grants and what the runner
//     _set_ipc() / _add_need() /        itself must see
//     _grant_need()
//     addin__sandbox_policy_fit()       clamp to the probe; warnings
//     addin__cgroup_create()            per-activation group + limits
//     addin__cgroup_apply_to_policy()   tell the runner what the group covers
//     addin__sandbox_policy_to_fd()     sealed memfd: the runner's fd 4
//     addin__sandbox_report_pipe()      report socket: the runner's fd 5
//   THE SPAWN (host/src/proc.c: posix_spawn of addin-runner, token on fd 3)
//   STARTED (the runner exists and waits for its token, so it cannot have
//   forked)
//     addin__cgroup_attach()            the runner's pid into the group
//   ... the runner builds the sandbox itself (sandbox_runner.h) ...
//   DESCRIBING (addin_controller_sandbox)
//     addin__sandbox_reports_drain()    the runner's APPLIED records
//     addin__sandbox_describe(), addin__cgroup_describe()
//   WHEN THE RUNNER DIED (the supervisor reaped it through its pidfd)
//     addin__sandbox_reports_drain()    SIGSYS / setup / applied records
//     addin__cgroup_oom_kills()
//     addin__sandbox_classify()         -> cause + one-line message
//     addin__cgroup_destroy()           kill what is left, remove the group
//
// Nothing here runs in the child: the host never forks.

#ifndef ADDIN_SANDBOX_HOST_H
#define ADDIN_SANDBOX_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox_policy.h"

// ---------------------------------------------------------------- probe

// Cgroup controllers (probe, cgroup manager).
#define ADDIN__CG_MEMORY  0x01u
#define ADDIN__CG_PIDS    0x02u
#define ADDIN__CG_CPU     0x04u
#define ADDIN__CG_FREEZER 0x08u

typedef struct addin__sandbox_probe_info {
	bool     seccomp;    // seccomp filters can be loaded
	bool     tsync;      // ... with SECCOMP_FILTER_FLAG_TSYNC
	bool     root;       // euid 0 in the initial user namespace
	uint32_t namespaces; // ADDIN__NS_* a child could create
	// cgroup v2: the host's own group in the unified hierarchy, and the
	// controllers a child group of it can use (memory, pids, cpu).
	bool     cgroup2;      // a writable v2 group exists
	uint32_t cgroup2_ctrl; // ADDIN__CG_* usable in v2
	char     cgroup2_dir[512];
	// cgroup v1: per controller, the host's own group directory, when a
	// child group can be created there.
	uint32_t cgroup1_ctrl;        // ADDIN__CG_* usable in v1
	char     cgroup1_dir[4][512]; // memory, pids, cpu, freezer
	// What is missing, one line each ("no user namespaces: ...").
	char warnings[1024];
} addin__sandbox_probe_info;

// addin__sandbox_probe returns what this kernel and this process can do,
// probed once per process (the first call forks one short-lived child that
// only calls unshare() and _exit(), so it is safe with threads running).
// Never NULL; the result is static.  Thread-safe.
ADDIN_PRIVATE const addin__sandbox_probe_info *addin__sandbox_probe(void);

// addin__sandbox_probe_run probes again into *@ret (uncached; tests).
ADDIN_PRIVATE void addin__sandbox_probe_run(addin__sandbox_probe_info *ret);

// addin__sandbox_policy_fit decides, for @p's level, the namespaces the
// runner creates (a user namespace only when not root; none without the
// kernel's support, with a warning) and checks what cannot degrade:
// restricted and strict need seccomp with TSYNC (ADDIN_ESANDBOX
// otherwise).  A network grant drops the net namespace.  Warnings are
// appended, one line each, to @warn (may be NULL).  Pure.
ADDIN_PRIVATE addin_err addin__sandbox_policy_fit(
    addin__sandbox_policy *p, const addin__sandbox_probe_info *probe,
    char *warn, size_t warn_size);

// ---------------------------------------------------------------- cgroups

typedef struct addin__cgroup addin__cgroup;

// Mechanisms (addin__cgroup_mechanisms): one per resource.
#define ADDIN__MECH_MEMORY_V2    0x0001u
#define ADDIN__MECH_MEMORY_V1    0x0002u
#define ADDIN__MECH_PIDS_V2      0x0004u
#define ADDIN__MECH_PIDS_V1      0x0008u
#define ADDIN__MECH_CPU_V2       0x0010u
#define ADDIN__MECH_CPU_V1       0x0020u
#define ADDIN__MECH_KILL_V2      0x0040u // cgroup.kill
#define ADDIN__MECH_KILL_FREEZER 0x0080u // v1 freezer, then SIGKILL
#define ADDIN__MECH_KILL_LOOP    0x0100u // SIGKILL procs until empty

// addin__cgroup_create makes a group for one activation under the host's
// own group (v2 when it has the controller, else v1 per controller), named
// "bulkhead-<host pid>-<n>-<@name>" (@name: [A-Za-z0-9_.-], cut to 64),
// and sets @lim's memory (and swap), processes and cpu quota.  With no
// usable hierarchy in @pr it still succeeds with no mechanisms (the rlimit
// fallbacks then apply).  The first call in a process first removes the
// empty groups that hosts which died hard left (see docs/security.md); a
// name still taken moves on to the next <n>.  ADDIN_ESANDBOX when a group
// cannot be made or a limit cannot be written, ADDIN_ENOMEM.  On success the
// caller owns *@ret (addin__cgroup_destroy). Thread-safe for different groups.
ADDIN_PRIVATE addin_err
addin__cgroup_create(const addin__sandbox_probe_info *pr, const char *name,
                     const addin__sandbox_limits *lim, addin__cgroup **ret);

// addin__cgroup_mechanisms returns the ADDIN__MECH_* flags active (0 for
// NULL).
ADDIN_PRIVATE uint32_t addin__cgroup_mechanisms(const addin__cgroup *cg);

// addin__cgroup_describe writes "memory=cgroup-v1 pids=cgroup-v1 cpu=none
// kill=freezer" style text for @mech into @buf.
ADDIN_PRIVATE void addin__cgroup_describe(uint32_t mech, char *buf,
                                          size_t size);

// addin__cgroup_apply_to_policy records in @p which limits the group
// enforces (none for a NULL @cg), so the runner skips the matching rlimit
// fallbacks.
ADDIN_PRIVATE void addin__cgroup_apply_to_policy(const addin__cgroup   *cg,
                                                 addin__sandbox_policy *p);

// addin__cgroup_attach moves process @pid into the group, in every
// hierarchy it has.  The host calls it for the runner it just spawned,
// which waits for its token and so cannot have forked yet.  ADDIN_ESANDBOX.
ADDIN_PRIVATE addin_err addin__cgroup_attach(addin__cgroup *cg, pid_t pid);

// addin__cgroup_oom_kills returns the group's OOM-kill counter (v1
// memory.oom_control oom_kill, v2 memory.events oom_kill), or -1 when the
// group has no memory controller.
ADDIN_PRIVATE int64_t addin__cgroup_oom_kills(const addin__cgroup *cg);

// addin__cgroup_count returns how many processes are in the group, or -1
// when it has no hierarchy.
ADDIN_PRIVATE int64_t addin__cgroup_count(const addin__cgroup *cg);

// addin__cgroup_kill sends SIGKILL to every process in the group (v2
// cgroup.kill; v1 freeze + kill + thaw; else kill until empty) and waits
// up to @timeout_ms until it is empty.  ADDIN_ETIMEDOUT, ADDIN_ENOTSUP
// when the group has no hierarchy.
ADDIN_PRIVATE addin_err addin__cgroup_kill(addin__cgroup *cg, int timeout_ms);

// addin__cgroup_destroy kills what is left (waiting up to 2 s), removes
// the group's directories and frees @cg.  Accepts NULL.  ADDIN_EBUSY when
// a directory could not be removed (it is left behind; @cg is still
// freed).
ADDIN_PRIVATE addin_err addin__cgroup_destroy(addin__cgroup *cg);

// ---------------------------------------------------------------- handover

// addin__sandbox_policy_to_fd encodes @p into a sealed, close-on-exec
// memfd (the runner reads it with addin__sandbox_policy_from_fd).  The
// caller owns *@ret_fd.  ADDIN_ESYSERR, ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err
addin__sandbox_policy_to_fd(const addin__sandbox_policy *p, int *ret_fd);

// addin__sandbox_report_pipe makes the report socket pair (close-on-exec,
// one-way).  ret_fds[0] is the host's (read) end, ret_fds[1] the runner's.
// ADDIN_ESYSERR.
ADDIN_PRIVATE addin_err addin__sandbox_report_pipe(int ret_fds[2]);

// ---------------------------------------------------------------- reports

// What the host collected from the report socket: the first record of
// each type (later ones are ignored: the first is written by the runner
// before add-in code ran, except SIGSYS, which is a hint anyway).  The
// runner sends APPLIED twice: after stage 1 (before the add-in is loaded)
// and after stage 2; only the STAGE2 bit is taken from the second.
typedef struct addin__sandbox_reports {
	bool                  have_applied, have_sigsys, have_setup;
	addin__sandbox_record applied, sigsys, setup;
	uint32_t              garbage; // packets that were not valid records
} addin__sandbox_reports;

// addin__sandbox_reports_drain reads every record available now from
// @fd (non-blocking, at most 256 packets per call) into @r.  Returns
// ADDIN_OK, or ADDIN_ECLOSED when the runner's end is closed and nothing
// is left.  Thread-safe for different @r.
ADDIN_PRIVATE addin_err
addin__sandbox_reports_drain(int fd, addin__sandbox_reports *r);

// addin__sandbox_describe writes "ns=pid,net,... fs=private-root ..."
// for APPLIED @flags into @buf.
ADDIN_PRIVATE void addin__sandbox_describe(uint32_t flags, char *buf,
                                           size_t size);

// ---------------------------------------------------------------- deaths

typedef enum addin__sandbox_cause {
	ADDIN__CAUSE_EXITED    = 1, // normal exit, code n
	ADDIN__CAUSE_SIGNALED  = 2, // fatal signal n
	ADDIN__CAUSE_SECCOMP   = 3, // seccomp violation (SIGSYS)
	ADDIN__CAUSE_OOM       = 4, // killed by the cgroup OOM killer
	ADDIN__CAUSE_CPU_LIMIT = 5, // RLIMIT_CPU: SIGXCPU / SIGKILL
	ADDIN__CAUSE_FILE_SIZE = 6, // RLIMIT_FSIZE: SIGXFSZ
	ADDIN__CAUSE_HOST_KILL = 7, // the host killed it (see host_kill)
	ADDIN__CAUSE_SETUP     = 8, // sandbox setup failed
} addin__sandbox_cause;

typedef enum addin__sandbox_host_kill {
	ADDIN__HOST_KILL_NONE     = 0,
	ADDIN__HOST_KILL_SHUTDOWN = 1,
	ADDIN__HOST_KILL_DEADLINE = 2,
} addin__sandbox_host_kill;

typedef struct addin__sandbox_death_in {
	int wait_code;   // from waitid: CLD_EXITED, CLD_KILLED, CLD_DUMPED
	int wait_status; // exit code or signal
	addin__sandbox_host_kill host_kill; // the host sent the kill
	int64_t                  oom_kills; // OOM counter increase; -1 unknown
	int64_t                  cpu_ms; // CPU time used (rusage); -1 unknown
	uint64_t cpu_limit_s; // the policy's, or ADDIN__SANDBOX_UNLIMITED
	const addin__sandbox_reports *reports; // may be NULL
} addin__sandbox_death_in;

typedef struct addin__sandbox_death {
	addin__sandbox_cause cause;
	int  status;       // exit code (EXITED, SETUP) or signal number
	int  syscall_nr;   // SECCOMP: from the report, or -1
	char syscall[64];  // SECCOMP: name, or "" when not reported
	int  setup_step;   // SETUP: ADDIN__STEP_*, or 0
	int  setup_errno;  // SETUP: errno reported, or 0
	char message[192]; // one line for humans
} addin__sandbox_death;

// addin__sandbox_classify turns a death into a cause and a message.  The
// exit status is the truth; reports are hints (a SIGSYS record without a
// SIGSYS death is ignored).  Order: setup exit code, the host's own kill,
// SIGSYS, OOM counter, SIGXCPU / SIGKILL past the CPU limit, SIGXFSZ,
// other signal, exit code.  Pure; thread-safe.
ADDIN_PRIVATE void addin__sandbox_classify(const addin__sandbox_death_in *in,
                                           addin__sandbox_death          *ret);

// addin__sandbox_cause_name returns "exited", "seccomp", ... or "unknown".
ADDIN_PRIVATE const char *addin__sandbox_cause_name(addin__sandbox_cause c);

#endif // ADDIN_SANDBOX_HOST_H
