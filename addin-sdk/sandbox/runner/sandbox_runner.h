// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// sandbox_runner.h: the runner's half of the sandbox (internal API of the
// static library addin-sandbox-runner, linked into addin-runner only;
// nothing here is exported from any shared library).
//
// The one launch there is, as addin-sdk/runner/main.c drives it.  The host
// spawned the runner with the policy (a sealed memfd) on descriptor 4 and
// the report socket on 5 (sandbox_host.h); the runner has read its token,
// so the host has put it into the activation's cgroup, and it is still
// single-threaded:
//
//   addin__sandbox_enter()        read the policy, then in this order:
//     addin__sandbox_namespaces()   forks: returns only in the WORKER; the
//                                   OUTER process waits and mirrors the
//                                   worker's death; the REAPER is PID 1 of
//                                   the new pid namespace
//     addin__sandbox_filesystem()   new root in the mount namespace
//     addin__sandbox_setrlimits()   rlimits
//     addin__sandbox_identity()     uid/gid, capabilities, no_new_privs
//     addin__sandbox_sigsys_install() the SIGSYS reporter
//     addin__sandbox_stage1()       seccomp deny list (TSYNC)
//     addin__sandbox_report_applied() what was applied, to the host
//   ... the worker starts nng, connects, shakes hands; Control.Load loads
//   the add-in ...
//   addin__sandbox_after_load()   seccomp allow list (TSYNC: nng's threads
//                                 too), reported; before the host can call
//                                 any method of the add-in
//
// Every step fails closed: addin__sandbox_enter and
// addin__sandbox_after_load never return after a failed step; they report
// it (ADDIN__REC_SETUP) and exit with ADDIN__SANDBOX_EXIT_SETUP, so the
// add-in never runs half-sandboxed.  The steps are declared one by one
// below so that tests/sandbox/sandbox_helper can apply them alone.

#ifndef ADDIN_SANDBOX_RUNNER_H
#define ADDIN_SANDBOX_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox_policy.h"

// ---------------------------------------------------------------- entry

// What a sandboxed runner holds once it is in: the policy it obeys, the
// report socket, what it applied.  Owned by the runner; not thread-safe
// (the runner serialises addin__sandbox_after_load).
typedef struct addin__sandbox_runner {
	addin__sandbox_policy policy;
	int                   report_fd;
	uint32_t              applied; // ADDIN__APPLIED_*
	bool                  stage2;  // the allow list is on
} addin__sandbox_runner;

// addin__sandbox_say_fn receives one line for humans about a failed step
// ("sandbox: unshare(0x...): Operation not permitted"), just before the
// process exits; the runner prints it with its name.
typedef void addin__sandbox_say_fn(const char *line);

// addin__sandbox_enter reads the policy from @policy_fd (and closes it),
// then applies every step before loading, in the order above, and sends
// the APPLIED record to @report_fd.  Returns only in the WORKER, with @r
// filled in and stage 1 on; the runner's OUTER and REAPER processes never
// return.  On any failure it calls @say (may be NULL) and exits with
// ADDIN__SANDBOX_EXIT_SETUP after a SETUP record.  Call while
// single-threaded, after the token was read (the host attaches the cgroup
// before it sends the token).
void addin__sandbox_enter(addin__sandbox_runner *r, int policy_fd,
                          int report_fd, addin__sandbox_say_fn *say);

// addin__sandbox_after_load loads the stage-2 allow list of @r's level,
// once (later calls do nothing), and reports it.  Call once the add-in is
// loaded and nng is connected, or after a failed load (what ran of the
// add-in goes on under the allow list), before answering the host.
// Fails closed like addin__sandbox_enter.
void addin__sandbox_after_load(addin__sandbox_runner *r,
                               addin__sandbox_say_fn *say);

// ---------------------------------------------------------------- steps

// addin__sandbox_policy_from_fd reads and decodes a policy from @fd (from
// offset 0 if seekable; at most ADDIN__SANDBOX_POLICY_MAX bytes).  Errors
// as addin__sandbox_policy_decode, plus ADDIN_ESYSERR.
addin_err addin__sandbox_policy_from_fd(int fd, addin__sandbox_policy *ret_p);

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
// single-threaded.
addin_err addin__sandbox_namespaces(const addin__sandbox_policy *p,
                                    uint32_t                    *applied);

// addin__sandbox_filesystem (worker, after namespaces, as root or with
// user-namespace capabilities): at restricted and strict with a mount
// namespace, replaces the root with a read-only tmpfs holding only: the
// system library directories (/usr/lib, /usr/lib64, /usr/local/lib, /lib
// and /lib64 as on the host), /etc/ld.so.cache, /dev/{null,zero,full,
// random,urandom}, a fresh /proc of the new pid namespace, @p's need and
// read paths and the ipc directory (read-only), the scratch directory
// (read-write), all at their host paths; cwd becomes "/".  No /tmp (use
// the scratch dir).  With the network grant also /etc/resolv.conf, hosts,
// nsswitch.conf, gai.conf, host.conf, services, protocols and /etc/ssl
// (those that exist; symlinks followed).  Does nothing at level none or
// without a mount namespace.  ADDIN_ESANDBOX with a message naming the path
// that failed.
addin_err addin__sandbox_filesystem(const addin__sandbox_policy *p,
                                    uint32_t                    *applied);

// addin__sandbox_setrlimits sets rlimits: RLIMIT_CPU (soft n, hard n+1),
// RLIMIT_NOFILE, RLIMIT_FSIZE, RLIMIT_CORE (0 unless core_dumps); without
// cgroup memory RLIMIT_DATA (skipped in sanitizer builds: the shadow
// memory is already above any sane limit); without cgroup pids
// RLIMIT_NPROC (binds only non-root).  ADDIN_ESANDBOX.
addin_err addin__sandbox_setrlimits(const addin__sandbox_policy *p,
                                    uint32_t                    *applied);

// addin__sandbox_identity: when root in the initial user namespace, drops
// to @p's uid/gid (setgroups, setresgid, setresuid); then clears every
// capability, sets PR_SET_NO_NEW_PRIVS and PR_SET_DUMPABLE 0.  At level
// none only no_new_privs.  ADDIN_ESANDBOX.
addin_err addin__sandbox_identity(const addin__sandbox_policy *p,
                                  uint32_t                    *applied);

// addin__sandbox_sigsys_install builds the syscall name table and
// installs the SIGSYS reporter, which sends a SIGSYS record to @report_fd
// and dies of SIGSYS.  Call before stage 1.  ADDIN_ESANDBOX.
addin_err addin__sandbox_sigsys_install(int report_fd);

// addin__sandbox_syscall_name returns the name of syscall @nr of the
// native architecture from the table (or "?"): no allocation, usable in a
// signal handler once the table is built.
const char *addin__sandbox_syscall_name(int nr);

// addin__sandbox_stage1 loads the deny list (TSYNC; default allow; listed
// calls trap).  ADDIN_ESANDBOX.  Does nothing at level none.
addin_err addin__sandbox_stage1(const addin__sandbox_policy *p,
                                uint32_t                    *applied);

// addin__sandbox_stage2 loads the allow list for the level (TSYNC;
// everything else traps).  ADDIN_ESANDBOX.  Does nothing at level none.
addin_err addin__sandbox_stage2(const addin__sandbox_policy *p,
                                uint32_t                    *applied);

// addin__sandbox_filter_export writes the stage-@stage filter of @p as
// the worker with pid @self would build it to @fd, as raw BPF (@pfc false)
// or libseccomp's PFC text (@pfc true), for tests and docs.
// ADDIN_ESANDBOX.
addin_err addin__sandbox_filter_export(const addin__sandbox_policy *p,
                                       int stage, pid_t self, bool pfc,
                                       int fd);

// addin__sandbox_report_applied sends an APPLIED record with @flags.
// Never blocks; errors are ignored (reports are hints).  Async-signal-safe.
void addin__sandbox_report_applied(int fd, uint32_t flags);

// addin__sandbox_fail sends a SETUP record (step, errno) when @fd >= 0 and
// exits with ADDIN__SANDBOX_EXIT_SETUP.  Async-signal-safe.
_Noreturn void addin__sandbox_fail(int fd, addin__sandbox_step step,
                                   int errnum);

#endif // ADDIN_SANDBOX_RUNNER_H
