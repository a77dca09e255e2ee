// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// sandbox_policy.h: what both halves of the sandbox share (internal API of
// the static library addin-sandbox-common): the levels, the policy the host
// writes and the runner obeys, its encoding (policy.proto), and the format
// of the records the runner reports to the host.  The host half is
// sandbox_host.h, the runner half sandbox_runner.h; docs/security.md has the
// why.
//
// Pure code (no system calls) but for the small file helpers of sbx_os.h.

#ifndef ADDIN_SANDBOX_POLICY_H
#define ADDIN_SANDBOX_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

// ---------------------------------------------------------------- levels

// The values are those of the public addin_sandbox_level (addin/host.h),
// so a level crosses from the options to the policy by a cast
// (host/src/sandbox_launch.c checks it at compile time).
typedef enum addin__sandbox_level {
	// 0 is no level: the host refuses it, the codec writes it as the
	// message's LEVEL_UNSET and the runner refuses that.
	// The default for untrusted add-ins: namespaces, unprivileged uid,
	// limits, seccomp deny list then allow list (violations trap and are
	// reported with the syscall's name).
	ADDIN__SANDBOX_RESTRICTED = 1,
	// Restricted plus no file access at all after load, no new executable
	// memory, tighter limits.
	ADDIN__SANDBOX_STRICT = 2,
	// Own process only.  NOT a security boundary: the add-in runs with
	// the host's user, files and network.  Limits apply if set.
	ADDIN__SANDBOX_NONE = 3,
} addin__sandbox_level;

// addin__sandbox_level_name returns "none", "restricted", "strict" or
// "unknown".  Static.
ADDIN_PRIVATE const char *addin__sandbox_level_name(addin__sandbox_level l);

// addin__sandbox_level_known is true for the three levels, false for 0 and
// anything else.
ADDIN_PRIVATE bool addin__sandbox_level_known(addin__sandbox_level l);

// ---------------------------------------------------------------- policy

// Namespaces (policy.namespaces, probe.namespaces, applied flags).
#define ADDIN__NS_USER 0x01u
#define ADDIN__NS_PID  0x02u
#define ADDIN__NS_NET  0x04u
#define ADDIN__NS_IPC  0x08u
#define ADDIN__NS_MNT  0x10u
#define ADDIN__NS_UTS  0x20u
#define ADDIN__NS_ALL  0x3fu

// addin__sandbox_ns_name returns "user", "pid", "net", "ipc", "mnt" or
// "uts" for one ADDIN__NS_* bit, "?" for anything else.  Static.
ADDIN_PRIVATE const char *addin__sandbox_ns_name(uint32_t bit);

// A numeric limit meaning "leave it as it is".
#define ADDIN__SANDBOX_UNLIMITED UINT64_MAX

#define ADDIN__SANDBOX_MAX_PATHS      16 // per list (read, need)
#define ADDIN__SANDBOX_PATH_MAX       1024
#define ADDIN__SANDBOX_POLICY_MAX     65536 // encoded size bound
#define ADDIN__SANDBOX_POLICY_VERSION 2     // 1 was a text format
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
	char                 *ipc;     // the runner's ipc directory (ro)
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
// (docs/security.md has the table), which must be known (an unknown one
// gets restricted's defaults, and stays unknown, so that the runner refuses
// it).  @p owns nothing yet.
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

// addin__sandbox_policy_encode packs @p as the Policy message of
// policy.proto (every field but the paths set, `end` last).  On success
// *@ret_buf (freed with addin__free) and *@ret_len are the caller's.
// ADDIN_ELIMIT when it would exceed ADDIN__SANDBOX_POLICY_MAX (it cannot:
// the paths are bounded), ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err addin__sandbox_policy_encode(
    const addin__sandbox_policy *p, uint8_t **ret_buf, size_t *ret_len);

// addin__sandbox_policy_decode decodes @len bytes at @buf, from the host
// and so trusted only so far, into *@ret_p, which must not own anything
// (it is overwritten).  It fails closed (policy.proto says why):
// ADDIN_ECORRUPT, with a message naming the defect, for more than
// ADDIN__SANDBOX_POLICY_MAX bytes, bytes that do not decode (within the
// decoder's memory budget and nesting bound, addin__unpack_untrusted), an
// unknown field, an encoding other than the one the host writes (a field
// twice or out of order, a padded number), a missing field or end mark, an
// unknown level, unknown namespace bits, an id of 2^32 - 1, a bad path or
// more than ADDIN__SANDBOX_MAX_PATHS in a list; ADDIN_EVERSION for another
// format version; ADDIN_ENOMEM.  *@ret_p is written only on success.
ADDIN_PRIVATE addin_err addin__sandbox_policy_decode(
    const uint8_t *buf, size_t len, addin__sandbox_policy *ret_p);

// ---------------------------------------------------------------- reports

// The fixed exit status of a runner whose sandbox could not be set up
// (after an ADDIN__REC_SETUP record when possible): the runner's
// ADDIN_EXIT_SANDBOX_SETUP (core.h).
#define ADDIN__SANDBOX_EXIT_SETUP ADDIN_EXIT_SANDBOX_SETUP

// Records the runner sends to the host over the report socket (a
// SOCK_SEQPACKET pair: one record per packet; the runner sends with
// MSG_DONTWAIT and never blocks).  Fixed size, host byte order: both ends
// are the same machine, and the SIGSYS reporter fills a record in a signal
// handler, which rules out an encoder.
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

// The steps of the runner's sandbox entry, in order (a SETUP record's
// flags).
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

// addin__sandbox_step_name returns "policy", "namespaces", ...,
// "seccomp-stage2", "load", or "unknown".  Static; async-signal-safe.
ADDIN_PRIVATE const char *addin__sandbox_step_name(int step);

// addin__sandbox_record_decode checks that @len bytes at @buf are one
// valid record and copies it into *@ret.  The text is NUL-terminated on
// return.  ADDIN_ECORRUPT otherwise.
ADDIN_PRIVATE addin_err addin__sandbox_record_decode(
    const void *buf, size_t len, addin__sandbox_record *ret);

#endif // ADDIN_SANDBOX_POLICY_H
