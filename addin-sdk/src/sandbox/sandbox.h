// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// sandbox.h: the sandbox primitives for add-in processes (internal API).
//
// Who calls what, in order (see docs/security.md for the why):
//
//   HOST PROCESS (may have nng threads)
//     addin__sandbox_probe()            once; cached; what the kernel allows
//     addin__sandbox_policy_init()      level defaults, then grants:
//     addin__sandbox_policy_add_read() / _set_scratch() / _set_ipc() /
//     addin__sandbox_policy_add_need()
//     addin__sandbox_policy_fit()       clamp to the probe; warnings
//     addin__cgroup_create()            per-activation group + limits
//     addin__cgroup_apply_to_policy()   tell the runner what the group covers
//     addin__sandbox_policy_to_fd()     sealed memfd for the runner
//     addin__sandbox_report_pipe()      report socket pair
//     addin__cgroup_join_fds()          pre-opened procs files for the child
//   FORKED CHILD, BEFORE EXEC (async-signal-safe only)
//     addin__cgroup_join_self()         join the group
//     addin__sandbox_child_prepare()    parent-death signal, no core dumps
//     dup2 the policy and report fds to known numbers, execve the runner
//   RUNNER (single-threaded until the add-in is loaded)
//     addin__sandbox_policy_from_fd()
//     addin__sandbox_namespaces()       forks: returns only in the WORKER;
//                                       the OUTER process waits and mirrors
//                                       the worker's death; the REAPER is
//                                       PID 1 of the new pid namespace
//   WORKER (the process that runs the add-in)
//     addin__sandbox_filesystem()       new root in the mount namespace
//     addin__sandbox_setrlimits()           setrlimit
//     addin__sandbox_identity()         uid/gid, capabilities, no_new_privs
//     addin__sandbox_sigsys_install()   the SIGSYS reporter
//     addin__sandbox_stage1()           seccomp deny list (TSYNC)
//     addin__sandbox_report_applied()   what was applied, to the host
//     ... load the add-in, start nng, connect ...
//     addin__sandbox_stage2()           seccomp allow list (TSYNC)
//   HOST PROCESS, when the runner died
//     addin__sandbox_reports_drain()    SIGSYS / setup / applied records
//     addin__cgroup_oom_kills()
//     addin__sandbox_classify()         -> cause + one-line message
//     addin__cgroup_destroy()           kill what is left, remove the group
//
// Any step of the runner that fails must fail closed: call
// addin__sandbox_fail(), which reports the step and exits with
// ADDIN__SANDBOX_EXIT_SETUP.  Never run the add-in after a failed step.

#ifndef ADDIN_SANDBOX_H
#define ADDIN_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core.h"

// ---------------------------------------------------------------- levels

typedef enum addin__sandbox_level {
	// Own process only.  NOT a security boundary: the add-in runs with
	// the host's user, files and network.  Limits apply if set.
	ADDIN__SANDBOX_NONE = 0,
	// The default for untrusted add-ins: namespaces, unprivileged uid,
	// limits, seccomp deny list then allow list (violations trap and are
	// reported with the syscall's name).
	ADDIN__SANDBOX_RESTRICTED = 1,
	// Restricted plus no file access at all after load, no new executable
	// memory, tighter limits.
	ADDIN__SANDBOX_STRICT = 2,
} addin__sandbox_level;

// addin__sandbox_level_name returns "none", "restricted", "strict" or
// "unknown".
ADDIN_PRIVATE const char *addin__sandbox_level_name(addin__sandbox_level l);
// addin__sandbox_level_parse parses a level name.  ADDIN_EINVAL if unknown.
ADDIN_PRIVATE addin_err
addin__sandbox_level_parse(const char *name, addin__sandbox_level *ret_level);

// ---------------------------------------------------------------- policy

// Namespaces (policy.namespaces, probe.namespaces, applied flags).
#define ADDIN__NS_USER 0x01u
#define ADDIN__NS_PID  0x02u
#define ADDIN__NS_NET  0x04u
#define ADDIN__NS_IPC  0x08u
#define ADDIN__NS_MNT  0x10u
#define ADDIN__NS_UTS  0x20u
#define ADDIN__NS_ALL  0x3fu

// A numeric limit meaning "leave it as it is".
#define ADDIN__SANDBOX_UNLIMITED UINT64_MAX

#define ADDIN__SANDBOX_MAX_PATHS      16 // per list (read, need)
#define ADDIN__SANDBOX_PATH_MAX       1024
#define ADDIN__SANDBOX_POLICY_MAX     65536 // encoded size bound
#define ADDIN__SANDBOX_POLICY_VERSION 1
#define ADDIN__SANDBOX_NOBODY         65534

typedef struct addin__sandbox_limits {
	uint64_t memory_bytes; // cgroup memory, else RLIMIT_DATA
	uint64_t cpu_seconds;  // RLIMIT_CPU (SIGXCPU, SIGKILL one s later)
	uint64_t processes;    // pids cgroup (tasks), else RLIMIT_NPROC
	uint64_t open_files;   // RLIMIT_NOFILE
	uint64_t file_size;    // RLIMIT_FSIZE, bytes
	uint64_t cpu_percent;  // cgroup cpu quota, % of one CPU
	bool     core_dumps;   // false: RLIMIT_CORE 0
} addin__sandbox_limits;

// addin__sandbox_policy: everything the runner needs to build the sandbox.
// Strings are owned by the policy (addin__alloc); release with
// addin__sandbox_policy_fini().  Not thread-safe; one owner at a time.
typedef struct addin__sandbox_policy {
	uint32_t              version; // ADDIN__SANDBOX_POLICY_VERSION
	addin__sandbox_level  level;
	uint32_t              namespaces; // ADDIN__NS_* to create
	uint32_t              uid;        // identity when the runner is root
	uint32_t              gid;
	addin__sandbox_limits limits;
	bool                  network; // grant: AF_INET/AF_INET6, no net ns
	char                 *scratch; // grant: one read-write dir; or NULL
	char                 *ipc;     // the runner's ipc directory (rw)
	char                 *read[ADDIN__SANDBOX_MAX_PATHS]; // grants: ro
	size_t                n_read;
	char  *need[ADDIN__SANDBOX_MAX_PATHS]; // runner's own ro paths (libs)
	size_t n_need;
	// Set by the host from the cgroup it created: the runner then does
	// not use the rlimit fallbacks.
	bool cgroup_memory;
	bool cgroup_pids;
} addin__sandbox_policy;

// addin__sandbox_policy_init fills @p with the safe defaults of @level
// (docs/security.md has the table).  @p owns nothing yet.
ADDIN_PRIVATE void addin__sandbox_policy_init(addin__sandbox_policy *p,
                                              addin__sandbox_level   level);

// addin__sandbox_policy_fini frees the strings of @p and leaves it as
// addin__sandbox_policy_init(@p, NONE) would.  Accepts NULL.
ADDIN_PRIVATE void addin__sandbox_policy_fini(addin__sandbox_policy *p);

// Grants and paths.  @path must be absolute, without "." or ".."
// components, newlines or "//", shorter than ADDIN__SANDBOX_PATH_MAX.  A
// trailing "/" is removed.  ADDIN_EINVAL for a bad path, ADDIN_ELIMIT when
// a list is full, ADDIN_ENOMEM.  The policy copies @path.
ADDIN_PRIVATE addin_err
addin__sandbox_policy_add_read(addin__sandbox_policy *p, const char *path);
ADDIN_PRIVATE addin_err
addin__sandbox_policy_add_need(addin__sandbox_policy *p, const char *path);
ADDIN_PRIVATE addin_err
addin__sandbox_policy_set_scratch(addin__sandbox_policy *p, const char *path);
ADDIN_PRIVATE addin_err addin__sandbox_policy_set_ipc(addin__sandbox_policy *p,
                                                      const char *path);

// addin__sandbox_policy_grant_need applies one grant an add-in declared
// with ADDIN_NEEDS() (addin/segment.h), after the host decided to give
// it: "read-own-dir" adds @own_dir as a read grant, "read:<dir>" adds
// <dir>, "network" sets the network grant, "scratch" sets @scratch (a
// directory the host made for this activation; may be NULL otherwise).
// ADDIN_EINVAL for an unknown need, a bad path or a missing argument;
// errors of the add/set functions.
ADDIN_PRIVATE addin_err
addin__sandbox_policy_grant_need(addin__sandbox_policy *p, const char *need,
                                 const char *own_dir, const char *scratch);

// addin__sandbox_policy_encode writes @p as text:
//
//     bulkhead-sandbox 1\n  key=value\n ...  end\n
//
// keys: level, ns (comma list of user,pid,net,ipc,mnt,uts), uid, gid,
// memory, cpu, processes, files, fsize, cpu-percent (decimal or
// "unlimited"), core, network, cg-memory, cg-pids (0/1), scratch, ipc,
// read, need (paths; read and need repeat).  On success *@ret_buf (NUL-
// terminated, freed with addin__free) and *@ret_len are the caller's.
// ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err addin__sandbox_policy_encode(
    const addin__sandbox_policy *p, char **ret_buf, size_t *ret_len);

// addin__sandbox_policy_decode parses @len bytes at @buf (no NUL needed)
// into *@ret_p, which must not own anything (it is overwritten).  Bounded
// and strict: ADDIN_ECORRUPT, with a message naming the line, for a wrong
// header, a missing "end", an unknown or repeated key, a bad number, a bad
// path, too many paths, or more than ADDIN__SANDBOX_POLICY_MAX bytes.
// ADDIN_EVERSION for another format version.  ADDIN_ENOMEM.  *@ret_p is
// written only on success.
ADDIN_PRIVATE addin_err addin__sandbox_policy_decode(
    const char *buf, size_t len, addin__sandbox_policy *ret_p);

// addin__sandbox_policy_to_fd encodes @p into a sealed, close-on-exec
// memfd (read it with addin__sandbox_policy_from_fd).  The caller owns
// *@ret_fd.  ADDIN_ESYSERR, ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err
addin__sandbox_policy_to_fd(const addin__sandbox_policy *p, int *ret_fd);

// addin__sandbox_policy_from_fd reads and decodes a policy from @fd (from
// offset 0 if seekable; at most ADDIN__SANDBOX_POLICY_MAX bytes).  Errors
// as addin__sandbox_policy_decode, plus ADDIN_ESYSERR.
ADDIN_PRIVATE addin_err
addin__sandbox_policy_from_fd(int fd, addin__sandbox_policy *ret_p);

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
// appended, one line each, to @warn (may be NULL).
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
// usable hierarchy it still succeeds with no mechanisms (the rlimit
// fallbacks then apply).  The first call in a process first removes the
// empty groups that hosts which died hard left (see docs/security.md); a
// name still taken moves on to the next <n>.  ADDIN_ESANDBOX when a group
// cannot be made or a limit cannot be written, ADDIN_ENOMEM.  On success the
// caller owns *@ret (addin__cgroup_destroy). Thread-safe for different groups.
ADDIN_PRIVATE addin_err
addin__cgroup_create(const addin__sandbox_probe_info *pr, const char *name,
                     const addin__sandbox_limits *lim, addin__cgroup **ret);

// addin__cgroup_mechanisms returns the ADDIN__MECH_* flags active.
ADDIN_PRIVATE uint32_t addin__cgroup_mechanisms(const addin__cgroup *cg);

// addin__cgroup_describe writes "memory=cgroup-v1 pids=cgroup-v1 cpu=none
// kill=freezer" style text for @mech into @buf.
ADDIN_PRIVATE void addin__cgroup_describe(uint32_t mech, char *buf,
                                          size_t size);

// addin__cgroup_apply_to_policy records in @p which limits the group
// enforces, so the runner skips the matching rlimit fallbacks.
ADDIN_PRIVATE void addin__cgroup_apply_to_policy(const addin__cgroup   *cg,
                                                 addin__sandbox_policy *p);

// addin__cgroup_join_fds returns in @fds (up to @max) close-on-exec
// write descriptors of the group's cgroup.procs files, owned by @cg
// (closed by destroy), for addin__cgroup_join_self in a forked child.
// Returns how many.
ADDIN_PRIVATE size_t addin__cgroup_join_fds(const addin__cgroup *cg, int *fds,
                                            size_t max);

// addin__cgroup_join_self moves the calling process into the group by
// writing "0" to each of @fds.  Async-signal-safe (for a child between
// fork and exec).  Returns 0 or an errno value.
ADDIN_PRIVATE int addin__cgroup_join_self(const int *fds, size_t n);

// addin__cgroup_attach moves process @pid into the group.  ADDIN_ESYSERR.
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

// ---------------------------------------------------------------- child

// The fixed exit status of a runner whose sandbox could not be set up
// (after an ADDIN__REC_SETUP record when possible): the runner's
// ADDIN_EXIT_SANDBOX_SETUP (core.h).
#define ADDIN__SANDBOX_EXIT_SETUP ADDIN_EXIT_SANDBOX_SETUP

// addin__sandbox_child_prepare: in a child between fork and exec (async-
// signal-safe): SIGKILL when @parent dies (and exits at once when it
// already did), RLIMIT_CORE 0 unless @core_dumps.  Returns 0 or an errno
// value.
ADDIN_PRIVATE int addin__sandbox_child_prepare(pid_t parent, bool core_dumps);

// ---------------------------------------------------------------- reports

// Records the runner sends to the host over the report socket (a
// SOCK_SEQPACKET pair: one record per packet; the runner sends with
// MSG_DONTWAIT and never blocks).  Fixed size, host byte order.
#define ADDIN__REC_MAGIC   0x52534b42u // "BKSR"
#define ADDIN__REC_VERSION 1
#define ADDIN__REC_APPLIED 1 // flags = ADDIN__APPLIED_* done
#define ADDIN__REC_SIGSYS  2 // a seccomp violation, from the handler
#define ADDIN__REC_SETUP   3 // a failed setup step: step, errnum

typedef struct addin__sandbox_record {
	uint32_t magic;   // ADDIN__REC_MAGIC
	uint16_t version; // ADDIN__REC_VERSION
	uint16_t type;    // ADDIN__REC_*
	int32_t  pid;     // reporter's pid (in its own namespace)
	int32_t  tid;
	int32_t  nr;     // SIGSYS: syscall number (si_syscall)
	uint32_t arch;   // SIGSYS: AUDIT_ARCH_* (si_arch)
	int32_t  code;   // SIGSYS: si_code (SYS_SECCOMP = 1)
	int32_t  errnum; // SIGSYS: si_errno (filter data); SETUP: errno
	uint32_t flags;  // APPLIED: ADDIN__APPLIED_*; SETUP: step
	uint32_t pad;
	uint64_t addr;     // SIGSYS: si_call_addr
	char     text[64]; // SIGSYS: syscall name; SETUP: step name
} addin__sandbox_record;

// Applied flags (also the SETUP step numbers are ADDIN__STEP_*).
#define ADDIN__APPLIED_NS_SHIFT     0 // ADDIN__NS_* << 0
#define ADDIN__APPLIED_REAPER       0x0100u
#define ADDIN__APPLIED_FS           0x0200u
#define ADDIN__APPLIED_LIMITS       0x0400u
#define ADDIN__APPLIED_RLIMIT_DATA  0x0800u
#define ADDIN__APPLIED_RLIMIT_NPROC 0x1000u
#define ADDIN__APPLIED_IDENTITY     0x2000u // uid changed
#define ADDIN__APPLIED_NNP          0x4000u
#define ADDIN__APPLIED_STAGE1       0x8000u
#define ADDIN__APPLIED_STAGE2       0x10000u
#define ADDIN__APPLIED_SIGSYS       0x20000u

typedef enum addin__sandbox_step {
	ADDIN__STEP_POLICY     = 1,
	ADDIN__STEP_NAMESPACES = 2,
	ADDIN__STEP_FILESYSTEM = 3,
	ADDIN__STEP_LIMITS     = 4,
	ADDIN__STEP_IDENTITY   = 5,
	ADDIN__STEP_SIGSYS     = 6,
	ADDIN__STEP_STAGE1     = 7,
	ADDIN__STEP_STAGE2     = 8,
	ADDIN__STEP_LOAD       = 9, // the runner's own: loading, nng
} addin__sandbox_step;

ADDIN_PRIVATE const char *addin__sandbox_step_name(int step);

// addin__sandbox_report_pipe makes the report socket pair (close-on-exec,
// the host's end non-blocking).  ret_fds[0] is the host's (read) end,
// ret_fds[1] the runner's.  ADDIN_ESYSERR.
ADDIN_PRIVATE addin_err addin__sandbox_report_pipe(int ret_fds[2]);

// addin__sandbox_report_applied sends an APPLIED record with @flags.
// Never blocks; errors are ignored (reports are hints).
ADDIN_PRIVATE void addin__sandbox_report_applied(int fd, uint32_t flags);

// addin__sandbox_fail sends a SETUP record (step, errno) when @fd >= 0 and
// exits with ADDIN__SANDBOX_EXIT_SETUP.  Async-signal-safe.
ADDIN_PRIVATE _Noreturn void
addin__sandbox_fail(int fd, addin__sandbox_step step, int errnum);

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

// addin__sandbox_record_decode checks that @len bytes at @buf are one
// valid record and copies it into *@ret.  The text is NUL-terminated on
// return.  ADDIN_ECORRUPT otherwise.
ADDIN_PRIVATE addin_err addin__sandbox_record_decode(
    const void *buf, size_t len, addin__sandbox_record *ret);

// addin__sandbox_reports_drain reads every record available now from
// @fd (non-blocking, at most 256 packets per call) into @r.  Returns
// ADDIN_OK, or ADDIN_ECLOSED when the runner's end is closed and nothing
// is left.  Thread-safe for different @r.
ADDIN_PRIVATE addin_err
addin__sandbox_reports_drain(int fd, addin__sandbox_reports *r);

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

ADDIN_PRIVATE const char *addin__sandbox_cause_name(addin__sandbox_cause c);

// ---------------------------------------------------------------- runner

// addin__sandbox_namespaces creates @p's namespaces.  With a user
// namespace the current uid/gid map to themselves.  With a pid namespace
// it forks the REAPER, PID 1 of the new namespace, which forks the WORKER
// (PID 2); only the worker returns from this call.  The reaper reaps
// every process of the namespace, relays the worker's end to the calling
// process and exits, which kills whatever is left; it dies with the
// calling process (parent-death signal and a socket hang-up).  The calling
// process becomes the OUTER process and never returns: it ends exactly as
// the worker ended (same exit code, or the same signal raised on itself),
// once the namespace is empty.  Without a pid namespace it returns in the
// calling process.  The worker is made a session leader.  *@applied gets
// the ADDIN__NS_* created and ADDIN__APPLIED_REAPER.  ADDIN_ESANDBOX when
// unshare, the id maps or a fork fail: the caller must then exit through
// addin__sandbox_fail (some namespaces may exist already).  Call while
// single-threaded.  @report_fd is unused today (kept open throughout).
ADDIN_PRIVATE addin_err addin__sandbox_namespaces(
    const addin__sandbox_policy *p, int report_fd, uint32_t *applied);

// addin__sandbox_filesystem (worker, after namespaces, as root or with
// user-namespace capabilities): at restricted and strict with a mount
// namespace, replaces the root with a read-only tmpfs holding only: the
// system library directories (/usr/lib, /usr/lib64, /usr/local/lib, /lib
// and /lib64 as on the host), /etc/ld.so.cache, /dev/{null,zero,full,
// random,urandom}, a fresh /proc of the new pid namespace, @p's need and
// read paths (read-only), the ipc and scratch directories (read-write),
// all at their host paths; cwd becomes "/".  No /tmp (use the scratch
// dir).  With the network grant also /etc/resolv.conf, hosts,
// nsswitch.conf, gai.conf, host.conf, services, protocols and /etc/ssl
// (those that exist; symlinks followed).  Does nothing at level none or
// without a mount namespace. ADDIN_ESANDBOX with a message naming the path
// that failed.
ADDIN_PRIVATE addin_err
addin__sandbox_filesystem(const addin__sandbox_policy *p, uint32_t *applied);

// addin__sandbox_setrlimits sets rlimits: RLIMIT_CPU (soft n, hard n+1),
// RLIMIT_NOFILE, RLIMIT_FSIZE, RLIMIT_CORE (0 unless core_dumps); without
// cgroup memory RLIMIT_DATA (skipped in sanitizer builds: the shadow
// memory is already above any sane limit); without cgroup pids
// RLIMIT_NPROC (binds only non-root).  ADDIN_ESANDBOX.
ADDIN_PRIVATE addin_err
addin__sandbox_setrlimits(const addin__sandbox_policy *p, uint32_t *applied);

// addin__sandbox_identity: when root in the initial user namespace, drops
// to @p's uid/gid (setgroups, setresgid, setresuid); then clears every
// capability, sets PR_SET_NO_NEW_PRIVS and PR_SET_DUMPABLE 0.  At level
// none only no_new_privs.  ADDIN_ESANDBOX.
ADDIN_PRIVATE addin_err addin__sandbox_identity(const addin__sandbox_policy *p,
                                                uint32_t *applied);

// addin__sandbox_sigsys_install builds the syscall name table and
// installs the SIGSYS reporter, which sends a SIGSYS record to @report_fd
// and dies of SIGSYS.  Call before stage 1.  ADDIN_ESANDBOX.
ADDIN_PRIVATE addin_err addin__sandbox_sigsys_install(int report_fd);

// addin__sandbox_syscall_name returns the name of syscall @nr of the
// native architecture from the table (or "?"): no allocation, usable in a
// signal handler once the table is built.
ADDIN_PRIVATE const char *addin__sandbox_syscall_name(int nr);

// addin__sandbox_stage1 loads the deny list (TSYNC; default allow; listed
// calls trap).  ADDIN_ESANDBOX.  Does nothing at level none.
ADDIN_PRIVATE addin_err addin__sandbox_stage1(const addin__sandbox_policy *p,
                                              uint32_t *applied);

// addin__sandbox_stage2 loads the allow list for the level (TSYNC;
// everything else traps).  Call after the add-in is loaded and nng is
// connected.  ADDIN_ESANDBOX.  Does nothing at level none.
ADDIN_PRIVATE addin_err addin__sandbox_stage2(const addin__sandbox_policy *p,
                                              uint32_t *applied);

// Filter export for tests and docs: the stage-@stage filter of @p as the
// worker with pid @self would build it, written to @fd as raw BPF
// (@pfc false) or libseccomp's PFC text (@pfc true).  ADDIN_ESANDBOX.
ADDIN_PRIVATE addin_err addin__sandbox_filter_export(
    const addin__sandbox_policy *p, int stage, pid_t self, bool pfc, int fd);

// addin__sandbox_describe writes "ns=pid,net,... fs=private-root ..."
// for APPLIED @flags into @buf.
ADDIN_PRIVATE void addin__sandbox_describe(uint32_t flags, char *buf,
                                           size_t size);

#endif // ADDIN_SANDBOX_H
