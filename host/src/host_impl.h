// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// host_impl.h: the insides of activation in the host library (addin/host.h).
//
//   host.c          the host: create, destroy, its log
//   host_adapter.c  host-side adapters, loaded once per host
//   process.c       add-in processes (addin_process): start, hold, end
//   controller.c    controllers: an activated add-in's life after activation
//   activate.c      addin_activate at every level
//
// Which file calls which (acyclic; data is shared through this header):
//
//   activate.c -> host.c (log), host_adapter.c, controller.c, process.c
//   host.c     -> host_adapter.c, controller.c, process.c
//   controller.c -> process.c
//   process.c  -> proc.c (the runner and its supervisor), sandbox_launch.c
//
// Lifetimes.  Each record has one reference count and one state:
//
// - A process's refs are the caller's references (addin_process_create,
//   addin_process_ref) and short-lived ones of the code creating it.  Its
//   OS process is wanted while refs > 0 or an add-in runs in it (a
//   controller attached to it whose state is ACTIVATING, RUNNING or
//   STOPPING: derived from the host's list, not counted twice).  When it is
//   wanted no longer, or addin_process_shutdown() asks, it is ended
//   (RUNNING -> ENDING -> ENDED); its record is freed once refs is 0, it has
//   ended and no controller points at it.
// - A controller's refs are its object's reference and the pins of threads
//   working on it outside the host's lock; the last one frees it.  Its
//   state says how far its add-in got: ACTIVATING -> RUNNING -> STOPPING ->
//   STOPPED (the add-in ended, its code may still be mapped) -> UNLOADED
//   (the code a call can run in is freed).
// - addin_host_destroy detaches instead of freeing what callers still
//   hold: every add-in is shut down, every process ended; a process record
//   the caller holds becomes DETACHED (host NULL: pid 0, no add-ins,
//   shutdown does nothing) and is freed by its last addin_process_unref; a
//   controller (with its object) outlives the host with host NULL and
//   process NULL.
//
// Locking: host->mtx guards the lists and every record's state and links.
// It is never held across a call into an add-in, a channel call or the end
// of a process.  refs are atomic: detached records have no host lock.

#ifndef ADDIN_HOST_IMPL_H
#define ADDIN_HOST_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "addin/host.h"
#include "core.h"
#include "loader.h"
#include "proc.h"
#include "sandbox_launch.h"
#include "segment_lib.h"

// A host-side adapter loaded into the host, with its contract.  Loaded once
// per host and kept until the host is destroyed: objects point into it.
typedef struct addin__host_adapter {
	struct addin__host_adapter *next;
	char                       *path;
	addin__segment_lib          contract, lib;
} addin__host_adapter;

enum addin__proc_state {
	ADDIN__PROC_RUNNING,  // the OS process runs
	ADDIN__PROC_ENDING,   // a thread is ending it
	ADDIN__PROC_ENDED,    // ended and reaped
	ADDIN__PROC_DETACHED, // its host is gone; only the record is left
};

struct addin_process {
	atomic_int             refs;
	addin_host            *host; // NULL once DETACHED
	struct addin_process  *next; // host->procs
	addin__proc           *proc; // the runner; NULL once DETACHED
	addin__sbx            *sbx;  // sandboxed: cgroup, directories, reports
	char                  *name;
	enum addin__proc_state state;
};

enum addin__ctl_state {
	ADDIN__CTL_ACTIVATING, // addin_activate is bringing it up
	ADDIN__CTL_RUNNING,
	ADDIN__CTL_STOPPING, // a thread is shutting it down
	ADDIN__CTL_STOPPED,  // the add-in ended; its code may still be mapped
	ADDIN__CTL_UNLOADED, // the code a call could run in is freed
};

struct addin_controller {
	atomic_int               refs;
	addin_host              *host; // NULL once the host was destroyed
	struct addin_controller *next; // host->ctls
	enum addin__ctl_state    state;
	bool                     shutting; // a thread is in its shutdown:
	pthread_t                shutter;  // that one
	addin_token             *tok;
	addin_isolation          level;
	addin_object            *obj;
	char                    *view_id;
	char                     name[128];
	// The host adapter's entry (in its library, which stays loaded as long
	// as an object may need it, even past the host) and its state.
	const addin_host_adapter_def *had;
	void                         *adapter_self;
	addin__loaded                *loaded;  // direct, in-process
	addin_process                *process; // process levels; NULL: gone
	uint64_t                      object_id;
	ProtobufCService             *proxy;
	uint32_t                      deadline_ms;
	char                          exit[400];
	char                          sandbox[2048]; // its describe string
};

struct addin_host {
	pthread_mutex_t mtx;
	// Broadcast (under mtx) when a controller's shutdown is over or a
	// process leaves ENDING: a second thread shutting either down waits
	// for the first.
	pthread_cond_t           cv;
	addin__sup              *sup;
	addin__host_adapter     *adapters;
	struct addin_controller *ctls;  // newest first
	struct addin_process    *procs; // newest first
	addin_host_config        cfg;
	// Warnings already logged, by hash of their text (once per host).
	uint64_t logged[32];
	size_t   nlogged;
};

// The host (host.c).

// addin__host_grace_ms is the host's shutdown grace period.
ADDIN_PRIVATE int addin__host_grace_ms(const addin_host *h);
// addin__host_log_degraded logs each thing the kernel could not give
// @name's sandbox, once per host.
ADDIN_PRIVATE void addin__host_log_degraded(addin_host *h, const char *name,
                                            addin__sbx *sbx);

// Host adapters (host_adapter.c).

// addin__host_adapter_get returns the host adapter of @tok, loading it (and
// its contract, checked as addin__segment_open does) the first time.  The
// adapter stays the host's.  Errors of addin__segment_open, ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err addin__host_adapter_get(addin_host           *h,
                                                const addin_token    *tok,
                                                addin__host_adapter **ret);
// addin__host_adapters_unload frees the host's adapter records and, unless
// @keep_code (a call may still run in one), unloads their libraries.
ADDIN_PRIVATE void addin__host_adapters_unload(addin_host *h, bool keep_code);

// Processes (process.c).

// addin__process_start starts an add-in process, sandboxed when @sbx is
// given (the process then owns it, also on failure), lists it in the host
// and returns it with one reference, the caller's.  Errors of
// addin__proc_spawn, ADDIN_EINVAL (too many environment entries).
ADDIN_PRIVATE addin_err addin__process_start(
    addin_host *h, const char *name, const char *const *env, const char *cwd,
    uint32_t deadline_ms, addin__sbx *sbx, addin_process **ret);
// addin__process_decide_unlock is called with the host's lock held, after
// one of @p's holders let go under that same lock (a reference dropped, an
// add-in that stopped, a controller that detached): it ends the OS process
// when nobody wants it any more, frees the record when nobody points at it,
// and drops the lock.  @p may be gone on return.
ADDIN_PRIVATE void addin__process_decide_unlock(addin_process *p);
// addin__process_end ends @p's OS process now if it still runs (Shutdown
// within the grace period, then SIGKILL), whoever still holds it; when
// another thread is ending it, it returns once that one is done.  The
// caller holds a reference to @p.
ADDIN_PRIVATE void addin__process_end(addin_process *p);
// addin__process_detach: host destruction.  Ends @p, releases the runner
// and the sandbox, unlists it and leaves the record to the caller's
// references (freeing it when there are none).  No controller may point
// at it any more.  Call without the host's lock.
ADDIN_PRIVATE void addin__process_detach(addin_process *p);
// addin__process_runs_addins_locked: does an add-in run in @p (a
// controller attached to it and not yet stopped), other than @except?
ADDIN_PRIVATE bool
addin__process_runs_addins_locked(const addin_process    *p,
                                  const addin_controller *except);

// Controllers (controller.c).

// addin__ctl_new makes the controller of an activation of @tok at @level,
// listed in the host in state ACTIVATING, with one reference (the future
// object's).  ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err addin__ctl_new(addin_host *h, addin_token *tok,
                                       addin_isolation    level,
                                       uint32_t           deadline_ms,
                                       addin_controller **ret);
// addin__ctl_attach_process attaches @ctl to @p (under the host's lock,
// refusing a process that is not running or belongs to another host with
// ADDIN_ELEVEL).
ADDIN_PRIVATE addin_err addin__ctl_attach_process(addin_controller *ctl,
                                                  addin_process    *p);
// addin__ctl_activated makes the object of a controller whose add-in now
// runs, behind @ops / @self, and moves it to RUNNING.  ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err addin__ctl_activated(addin_controller *ctl,
                                             const void *ops, void *self);
// addin__ctl_abandon undoes a failed activation: unloads, leaves and ends
// a process made for it, and frees the controller.  Keeps the thread's
// error.
ADDIN_PRIVATE void addin__ctl_abandon(addin_controller *ctl);
// addin__ctl_pin / addin__ctl_unpin: a reference for a thread working on
// @ctl outside the host's lock; the last unpin frees the controller.
ADDIN_PRIVATE void addin__ctl_pin(addin_controller *ctl);
ADDIN_PRIVATE void addin__ctl_unpin(addin_controller *ctl);
// addin__ctl_release_for_host: host destruction.  @ctl is shut down (its
// code unloaded when no call runs in it; *@busy set otherwise), detached
// from its process and from the host.
ADDIN_PRIVATE void addin__ctl_release_for_host(addin_controller *ctl,
                                               bool             *busy);

#endif // ADDIN_HOST_IMPL_H
