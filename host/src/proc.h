// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// proc: add-in processes and their supervision.
//
// One supervisor per host owns a private runtime directory (0700, removed
// at destroy), the executor that serves add-ins' calls into the host, and a
// thread that (1) starts every add-in process, so that PR_SET_PDEATHSIG in
// the children follows a thread that lives as long as the host, and (2)
// watches every process through a pidfd, reaping it the moment it ends and
// failing its channel with ADDIN_EPEERDIED and the cause ("killed by signal
// 9 (SIGKILL)").  No zombie outlives the supervisor's next wake-up.

#ifndef ADDIN_HOST_PROC_H
#define ADDIN_HOST_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include "addin/wire.pb-c.h"
#include "channel.h"
#include "core.h"

typedef struct addin__sup  addin__sup;
typedef struct addin__proc addin__proc;

typedef struct addin__sup_cfg {
	const char *runner_path;         // NULL: $ADDIN_RUNNER, then beside us
	uint32_t    default_deadline_ms; // per call; 0: 30000
	int         handshake_timeout_ms; // 0: 10000
	int         shutdown_grace_ms;    // 0: 2000
	unsigned    workers_max;          // host executor; 0: 16
} addin__sup_cfg;

ADDIN_PRIVATE addin_err addin__sup_create(const addin__sup_cfg *cfg,
                                          addin__sup          **ret);
// addin__sup_destroy shuts every process down (graceful, bounded, then
// SIGKILL), reaps them, and removes the runtime directory.  Accepts NULL.
ADDIN_PRIVATE void        addin__sup_destroy(addin__sup *sup);
ADDIN_PRIVATE const char *addin__sup_runtime_dir(addin__sup *sup);
ADDIN_PRIVATE const char *addin__sup_runner_path(addin__sup *sup);
// addin__sup_processes: processes alive or not yet released.
ADDIN_PRIVATE unsigned addin__sup_processes(addin__sup *sup);

typedef struct addin__proc_opts {
	const char        *name;    // for messages: "add-in <name> (pid N)"
	const char *const *env;     // environment "K=V" entries; may be NULL
	const char        *cwd;     // working directory; NULL: inherit
	unsigned           workers; // runner threads; 0: 4
	uint32_t deadline_ms;       // default per call; 0: the supervisor's
	// Extra descriptors for the child (sandbox policy, crash reports),
	// placed at fixed numbers >= 4.
	const int   *extra_fds; // parent fds
	const int   *extra_at;  // child fd numbers
	size_t       n_extra;
	char *const *extra_args; // appended to the runner's argv
	// Sandboxed runners: listen in @ipc_dir (socket mode 0666: the
	// sandbox's user connects) instead of the runtime directory; @started
	// runs once the process exists but before it gets its token (it cannot
	// have forked yet); @death describes how it ended (replacing "killed
	// by signal n"); both get @hook_arg.
	const char *ipc_dir;
	addin_err (*started)(void *arg, int pid);
	void (*death)(void *arg, int code, int value, int64_t cpu_ms,
	              int host_kill, char *msg, size_t len);
	void *hook_arg;
} addin__proc_opts;

// addin__proc_spawn starts an add-in process and completes the handshake.
// ADDIN_ESPAWN (cannot start, or died before the handshake: the message
// says how it ended), ADDIN_ETIMEDOUT, ADDIN_EAUTH, ADDIN_EVERSION,
// ADDIN_ENOMEM.  On success the caller owns one reference.
ADDIN_PRIVATE addin_err addin__proc_spawn(addin__sup             *sup,
                                          const addin__proc_opts *opts,
                                          addin__proc           **ret);

ADDIN_PRIVATE addin__proc *addin__proc_ref(addin__proc *p);
// addin__proc_unref drops a reference; the last one shuts the process down
// (if still running) and frees it.  Accepts NULL.
ADDIN_PRIVATE void addin__proc_unref(addin__proc *p);

ADDIN_PRIVATE addin__channel *addin__proc_channel(addin__proc *p);
ADDIN_PRIVATE int             addin__proc_pid(addin__proc *p);
ADDIN_PRIVATE const char     *addin__proc_label(addin__proc *p);
ADDIN_PRIVATE bool            addin__proc_alive(addin__proc *p);

// addin__proc_load asks the process to load an add-in (Control.Load) and
// returns the exported object id.  Errors: the loader's in the runner
// (ADDIN_EINVAL, ADDIN_EPERM, ADDIN_ELOAD, ADDIN_ESYMBOL, ADDIN_EMISMATCH,
// ADDIN_EINIT, ADDIN_ELEVEL, ADDIN_ENOMEM), the channel's (ADDIN_ETIMEDOUT,
// ADDIN_EPEERDIED, ADDIN_ECLOSED), and ADDIN_EPROTO for any other answer
// (codes from an add-in process are untrusted input).
ADDIN_PRIVATE addin_err
addin__proc_load(addin__proc *p, const Addin__Wire__V1__LoadRequest *req,
                 uint64_t *ret_object_id);
ADDIN_PRIVATE addin_err addin__proc_unload(addin__proc *p, uint64_t object);

// addin__proc_shutdown: Control.Shutdown, wait up to @grace_ms (<0: the
// supervisor's) for the process to exit, then SIGKILL; reaps it and closes
// the channel.  Idempotent.
ADDIN_PRIVATE addin_err addin__proc_shutdown(addin__proc *p, int grace_ms);

// addin__proc_kill sends SIGKILL now; @reason goes into the death message.
ADDIN_PRIVATE void addin__proc_kill(addin__proc *p, const char *reason);

// addin__proc_wait waits up to @timeout_ms for the process to have ended
// and been reaped.  ADDIN_OK with its wait status, or ADDIN_ETIMEDOUT.
ADDIN_PRIVATE addin_err addin__proc_wait(addin__proc *p, int timeout_ms,
                                         int *ret_status);

// addin__proc_death returns how the process ended ("exited with status
// 0", "killed by signal 9 (SIGKILL)"), or NULL while it runs.
ADDIN_PRIVATE const char *addin__proc_death(addin__proc *p);

#endif // ADDIN_HOST_PROC_H
