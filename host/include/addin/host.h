// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#ifndef ADDIN_HOST_H
#define ADDIN_HOST_H

// The host API: discovery (the store), activation, controllers.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addin/api.h"
#include "addin/err.h"
#include "addin/object.h"
#include "addin/store.h"
#include "addin/version.h"

#ifdef __cplusplus
extern "C" {
#endif

// ---- The host -------------------------------------------------------------
//
// An addin_host activates add-ins and owns everything that takes: the add-in
// processes it starts (and their supervision), the host-side adapters it
// loads, a private runtime directory.  Discovery (addin/store.h) needs no
// host.  One host per program is usual; several are allowed.

typedef struct addin_host       addin_host;
typedef struct addin_controller addin_controller;
typedef struct addin_process    addin_process;

// How much a host's log message matters.
typedef enum addin_log_level {
	ADDIN_LOG_WARNING = 1, // something is weaker than asked, but works
	ADDIN_LOG_INFO    = 2,
} addin_log_level;

// addin_log_fn receives a host's log messages: one line, no newline, valid
// only during the call.  It may be called from any thread that calls into
// the host (concurrently, when several do) and must not call back into
// the host.
typedef void addin_log_fn(void *arg, addin_log_level level, const char *msg);

// addin_host_config configures a host.  Always initialise with
// ADDIN_HOST_CONFIG_INIT.
typedef struct addin_host_config {
	uint32_t abi_version; // 1
	// The add-in runner executable.  NULL: $ADDIN_RUNNER, else the one
	// installed beside libaddin-host.
	const char *runner_path;
	// Deadline of a call into an add-in process when the activation does
	// not set one, in ms.  0: 30000.  At most INT32_MAX.
	uint32_t default_deadline_ms;
	// How long a shutdown waits for an add-in process to exit before it
	// is killed, in ms.  0: 2000.  At most INT32_MAX.
	uint32_t shutdown_grace_ms;
	// Where the host's warnings go: today, a sandbox the kernel could
	// not give in full ("add-in NAME: restricted sandbox degraded: no
	// net namespace available: running without it"), once per host and
	// kind of degradation.  NULL: to stderr, prefixed "bulkhead: warning:
	// ".  To silence them, pass a function that does nothing.
	addin_log_fn *log;
	void         *log_arg;
	void         *reserved[2];
} addin_host_config;

#define ADDIN_HOST_CONFIG_INIT                                    \
	{                                                         \
		.abi_version = 1, .runner_path = NULL,            \
		.default_deadline_ms = 0, .shutdown_grace_ms = 0, \
		.log = NULL, .log_arg = NULL, .reserved = {       \
			0                                         \
		}                                                 \
	}

// addin_host_create makes a host.  @cfg may be NULL for the defaults.
// Returns ADDIN_EINVAL (unknown config version, a time above INT32_MAX
// ms), ADDIN_ENOMEM, ADDIN_ESYSERR
// (no runtime directory, no thread).  On success *@ret_host is owned by the
// caller (addin_host_destroy).  Thread-safe.
ADDIN_API addin_err addin_host_create(const addin_host_config *cfg,
                                      addin_host **ret_host) ADDIN_NONNULL(2);

// addin_host_destroy shuts down every add-in the host activated (each with
// the bounded grace, then SIGKILL), reaps every process, unloads what it
// loaded and removes its runtime directory.  Objects the caller still holds
// fail every call with ADDIN_ESHUTDOWN; release them before or after.
// Accepts NULL.  Must not run concurrently with other calls on @h.
ADDIN_API void addin_host_destroy(addin_host *h);

// ---- Activation -----------------------------------------------------------

// addin_isolation: where an activated add-in runs, fastest first.  The level
// is a parameter of activation; the same token can be activated at any level
// its chain allows.
typedef enum addin_isolation {
	// Same view on both sides: the host calls the add-in's functions
	// directly, no adapter, no encoding (the seed's EnableDirectConnect).
	// Only when addin_token_direct_connect_possible().
	ADDIN_ISOLATION_DIRECT = 1,
	// The add-in is loaded into the host; calls pass through the adapters
	// (and the contract's messages) but never touch the wire.
	ADDIN_ISOLATION_IN_PROCESS = 2,
	// The add-in runs in an add-in process the host created with
	// addin_process_create(), possibly beside others.
	ADDIN_ISOLATION_SHARED_PROCESS = 3,
	// The add-in runs alone in its own add-in process.
	ADDIN_ISOLATION_OWN_PROCESS = 4,
	// Its own process, sandboxed (see addin_sandbox_options).
	ADDIN_ISOLATION_SANDBOXED = 5,
} addin_isolation;

// addin_isolation_name returns "direct", "in-process", "shared-process",
// "own-process", "sandboxed", or "unknown".  Static.  Thread-safe.
ADDIN_API const char *addin_isolation_name(addin_isolation level);

// The sandbox of ADDIN_ISOLATION_SANDBOXED (README, "Sandbox levels").  0 is
// no level, as for addin_isolation: options whose level was never set are
// refused with ADDIN_EINVAL, never run without a boundary.  (Until 0.1,
// ADDIN_SANDBOX_NONE was 0; see NEWS.md.)
typedef enum addin_sandbox_level {
	ADDIN_SANDBOX_RESTRICTED = 1, // the default for untrusted add-ins
	ADDIN_SANDBOX_STRICT     = 2, // restricted, no files after load
	ADDIN_SANDBOX_NONE       = 3, // own process only; not a boundary
} addin_sandbox_level;

// addin_sandbox_options: the sandbox level, limits and grants of one
// activation.  Always initialise with ADDIN_SANDBOX_OPTIONS_INIT (level
// restricted): a level of 0, as left by `{ .abi_version = 1 }` or a zeroed
// struct, or any value not listed above, makes addin_activate fail with
// ADDIN_EINVAL.  For a limit, 0 means the level's default and UINT64_MAX
// means unlimited.
typedef struct addin_sandbox_options {
	uint32_t            abi_version; // 1
	addin_sandbox_level level;
	uint64_t            memory_bytes;
	uint64_t            cpu_seconds;
	uint64_t            max_processes; // processes and threads
	uint64_t            max_open_files;
	uint64_t            max_file_size;
	bool                core_dumps;
	// Grants.  Read-only directories (NULL-terminated list; may be
	// NULL); the add-in's own folder (false: of that folder only its
	// library is visible); one read-write scratch directory, which stays
	// the host's (the sandbox's user must be able to write it: uid 65534
	// when the host is root); network access.
	const char *const *read_dirs;
	bool               read_own_dir;
	const char        *scratch_dir;
	bool               network;
	// Also grant what the add-in declares with ADDIN_NEEDS() in its
	// metadata ("read-own-dir", "read:<dir>", "scratch", "network"; see
	// addin_token_needs_at).  A "scratch" need without @scratch_dir gets
	// a private directory, removed when the add-in ends.
	bool  grant_needs;
	void *reserved[4];
} addin_sandbox_options;

#define ADDIN_SANDBOX_OPTIONS_INIT                                            \
	{                                                                     \
		.abi_version = 1, .level = ADDIN_SANDBOX_RESTRICTED,          \
		.memory_bytes = 0, .cpu_seconds = 0, .max_processes = 0,      \
		.max_open_files = 0, .max_file_size = 0, .core_dumps = false, \
		.read_dirs = NULL, .read_own_dir = true, .scratch_dir = NULL, \
		.network = false, .grant_needs = false, .reserved = {         \
			0                                                     \
		}                                                             \
	}

// addin_activation_options: how to activate.  Always initialise with
// ADDIN_ACTIVATION_OPTIONS_INIT.
typedef struct addin_activation_options {
	uint32_t        abi_version; // 1
	addin_isolation isolation;
	// Deadline of each call into the add-in, in ms (process levels).
	// 0: the host's default.
	uint32_t deadline_ms;
	// The add-in process's whole environment, "KEY=value" strings,
	// NULL-terminated; NULL: empty.  Copied.  (Process levels.)  At most
	// 63 entries, less the few a sandbox sets itself (TMPDIR, ...); more
	// is ADDIN_EINVAL.
	const char *const *env;
	// The add-in process's working directory; NULL: the host's.
	const char *cwd;
	// ADDIN_ISOLATION_SHARED_PROCESS: the process to run in.
	addin_process *process;
	// ADDIN_ISOLATION_SANDBOXED: the sandbox; NULL: the defaults.
	const addin_sandbox_options *sandbox;
	void                        *reserved[4];
} addin_activation_options;

#define ADDIN_ACTIVATION_OPTIONS_INIT                                        \
	{                                                                    \
		.abi_version = 1, .isolation = ADDIN_ISOLATION_OWN_PROCESS,  \
		.deadline_ms = 0, .env = NULL, .cwd = NULL, .process = NULL, \
		.sandbox = NULL, .reserved = {                               \
			0                                                    \
		}                                                            \
	}

// addin_activate brings the add-in of @tok to life at the isolation level of
// @opts (NULL: own process) and returns an object of the token's host view.
// Host code turns it into its typed view with the generated
// <view>_from_object() and releases it with the generated <view>_release()
// (or addin_object_unref); releasing the last reference shuts the add-in
// down.  The host-side adapter is loaded into the host; the add-in and its
// add-in-side adapter only where the level says.
//
// Errors, each with a message naming the add-in (addin_errmsg()):
// ADDIN_EINVAL (bad arguments or options, among them sandbox options that
// are not version 1 or whose level is not one of addin_sandbox_level:
// nothing is loaded or started then), ADDIN_ELEVEL (the level is not
// possible for this token: direct connect across different views, a shared
// process without a process), ADDIN_ESPAWN (the runner is missing or died
// before it was ready), ADDIN_ELOAD (a library failed to load: the missing
// library or symbol is named), ADDIN_ESYMBOL (a segment lacks its entry),
// ADDIN_EMISMATCH (a segment is not what discovery promised), ADDIN_EINIT
// (the add-in's create failed; its message), ADDIN_EPEERDIED (the add-in's
// process died while loading it: the message says how, e.g. "forbidden
// system call clone"), ADDIN_ECLOSED (it closed its channel while loading
// it), ADDIN_EPERM (a segment file, or a directory above it, that someone
// but the host's user or root could have written: checked again before
// anything is loaded), ADDIN_ESANDBOX, ADDIN_ETIMEDOUT, ADDIN_EAUTH and
// ADDIN_EVERSION (the add-in process failed the handshake: a wrong token, no
// common wire version), ADDIN_EPROTO (the add-in process answered with
// something that makes no sense), ADDIN_ESYSERR (an operating-system call
// failed), ADDIN_ENOMEM.  Every public function that returns addin_err
// returns only the codes its comment lists (checked: a debug build aborts
// on any other, a release build turns it into ADDIN_EINTERNAL).  A failed
// activation leaves nothing
// running and nothing loaded but host-side adapters.  Thread-safe.
ADDIN_API addin_err addin_activate(addin_host *h, addin_token *tok,
                                   const addin_activation_options *opts,
                                   addin_object                  **ret_obj)
    ADDIN_NONNULL(1, 2, 4);

// ---- Controllers ----------------------------------------------------------

// addin_controller_get returns the controller of an object that
// addin_activate() returned (the seed's AddInController), or NULL for any
// other object.  The controller lives as long as the object.  Thread-safe.
ADDIN_API addin_controller *addin_controller_get(addin_object *obj);

// addin_controller_token returns the token the add-in was activated from.
ADDIN_API addin_token *addin_controller_token(const addin_controller *ctl)
    ADDIN_NONNULL(1);

// addin_controller_isolation returns the level the add-in runs at.
ADDIN_API addin_isolation
addin_controller_isolation(const addin_controller *ctl) ADDIN_NONNULL(1);

// addin_controller_pid returns the pid of the process the add-in runs in
// (the host's own for direct and in-process), or 0 once that process ended.
ADDIN_API int addin_controller_pid(const addin_controller *ctl)
    ADDIN_NONNULL(1);

// addin_controller_process returns the add-in process the add-in runs in
// (borrowed: valid while the controller lives), or NULL for direct and
// in-process.
ADDIN_API addin_process *addin_controller_process(const addin_controller *ctl)
    ADDIN_NONNULL(1);

// addin_controller_is_running is false once the add-in was shut down or its
// process ended.
ADDIN_API bool addin_controller_is_running(const addin_controller *ctl)
    ADDIN_NONNULL(1);

// addin_controller_shutdown shuts the add-in down now: new calls fail with
// ADDIN_ESHUTDOWN, the add-in's destroy runs, and a process that only
// this add-in used exits (gracefully within the host's grace period, else
// it is killed); every child is reaped, every descriptor closed.  The
// object stays valid until released.  In-process add-ins cannot be
// interrupted: when calls are still running after the grace period,
// returns ADDIN_EBUSY and leaves the add-in loaded.  Returns ADDIN_ETIMEDOUT,
// ADDIN_EPROTO or ADDIN_ENOMEM when the add-in's process did not answer the
// request to unload it in time, answered it with nonsense, or the request
// could not be made: the add-in is shut down all the same (no more calls;
// it left its process), but its destroy may not have run.  Idempotent.
// Thread-safe: while another thread shuts the same add-in down, this call
// (and the object's last release) waits for that shutdown to finish, and
// then returns ADDIN_OK.
ADDIN_API addin_err addin_controller_shutdown(addin_controller *ctl)
    ADDIN_NONNULL(1);

// addin_controller_sandbox returns a one-line description of the sandbox
// mechanisms actually active for a sandboxed add-in ("" otherwise), e.g.
// "sandbox=restricted ns=pid,net,ipc,mnt,uts ... seccomp=stage1+stage2
// ... memory=cgroup-v1 ...", plus "degraded: ..." when the kernel could
// not give everything.  The string is the controller's, valid until the
// next call with @ctl or its release.  Thread-safe except for concurrent
// calls with the same @ctl.
ADDIN_API const char *addin_controller_sandbox(addin_controller *ctl)
    ADDIN_NONNULL(1);

// addin_controller_exit_status returns, once the add-in's process has
// ended, a one-line description of how ("exited with status 0", "killed by
// signal 9 (SIGKILL)", "seccomp violation: ptrace"), else NULL.
ADDIN_API const char *addin_controller_exit_status(const addin_controller *ctl)
    ADDIN_NONNULL(1);

// ---- Add-in processes ----------------------------------------------------

// addin_process_options: an add-in process for several add-ins.  Always
// initialise with ADDIN_PROCESS_OPTIONS_INIT.
typedef struct addin_process_options {
	uint32_t           abi_version; // 1
	const char        *name;        // for messages; NULL: "shared"
	const char *const *env;         // as in addin_activation_options
	const char        *cwd;
	uint32_t           deadline_ms;
	void              *reserved[4];
} addin_process_options;

#define ADDIN_PROCESS_OPTIONS_INIT                                        \
	{                                                                 \
		.abi_version = 1, .name = NULL, .env = NULL, .cwd = NULL, \
		.deadline_ms = 0, .reserved = {                           \
			0                                                 \
		}                                                         \
	}

// addin_process_create starts an add-in process that add-ins can then be
// activated into with ADDIN_ISOLATION_SHARED_PROCESS (the seed's
// AddInProcess).  The process lives while the caller's reference or any
// add-in in it does: after addin_process_unref(), shutting down its last
// add-in ends it.  Errors: ADDIN_ESPAWN, ADDIN_ETIMEDOUT, ADDIN_EAUTH and
// ADDIN_EVERSION (the handshake failed), ADDIN_EINVAL, ADDIN_ESYSERR,
// ADDIN_ENOMEM.  Thread-safe.
ADDIN_API addin_err addin_process_create(addin_host                  *h,
                                         const addin_process_options *opts,
                                         addin_process              **ret_proc)
    ADDIN_NONNULL(1, 3);

// addin_process_ref / addin_process_unref: reference counting; unref
// accepts NULL and always returns NULL.  Thread-safe.
ADDIN_API addin_process *addin_process_ref(addin_process *proc);
ADDIN_API addin_process *addin_process_unref(addin_process *proc);

// addin_process_pid returns the process id, or 0 once it ended.
ADDIN_API int addin_process_pid(const addin_process *proc) ADDIN_NONNULL(1);

// addin_process_addins returns a snapshot of the names of the add-ins that
// run in the process now, in activation order: *@ret_count strings in one
// block allocated with addin_alloc() (free it with addin_free()).  Returns
// ADDIN_ENOMEM.  Thread-safe.
ADDIN_API addin_err addin_process_addins(addin_process *proc,
                                         char ***ret_names, size_t *ret_count)
    ADDIN_NONNULL(1, 2, 3);

// addin_process_shutdown shuts down every add-in in the process and the
// process itself; when it returns, the process has ended and was reaped
// (also when another thread was shutting it down).  Idempotent.
// Thread-safe.
ADDIN_API addin_err addin_process_shutdown(addin_process *proc)
    ADDIN_NONNULL(1);

#ifdef __cplusplus
}
#endif

#endif // ADDIN_HOST_H
