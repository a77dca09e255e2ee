// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// proc_impl.h: the insides of add-in processes and their supervisor
// (proc.h), shared by
//
//   proc.c        the supervisor object and the add-in processes: starting
//                 a runner, talking to its Control object, ending it
//   supervisor.c  the supervisor's thread: it spawns every runner and reaps
//                 every one through its pidfd the moment it ends, failing
//                 its channel with the cause
//
// proc.c calls supervisor.c, never the reverse (the thread reads and
// writes the records below under sup->mtx, and calls no function of
// proc.c).
//
// Locking: sup->mtx guards the process list, the spawn queue and every
// process's state fields; it is taken before a channel's mutex, never
// after.  The supervisor thread is the only one that spawns and reaps.

#ifndef ADDIN_HOST_PROC_IMPL_H
#define ADDIN_HOST_PROC_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "executor.h"
#include "platform/platform.h"
#include "proc.h"

// A process whose channel closed is given this long to be seen dead (then
// its calls fail with ADDIN_EPEERDIED and the cause), after which its
// channel fails as closed (ADDIN_ECLOSED): a peer that closes its channel
// and lives on holds its callers this long, no longer.  A dying process is
// usually seen within a millisecond or two, but a sandboxed one's pid
// namespace teardown took over 100 ms on a loaded 2-core machine.
#define GONE_GRACE_MS 1000

// A process whose record is gone but which was not reaped yet.
typedef struct grave {
	struct grave *next;
	int           pidfd;
} grave;

typedef struct spawn_req {
	struct spawn_req        *next;
	const addin__spawn_opts *o;
	int                      pid, pidfd;
	addin_err                rv;
	char                     msg[ADDIN__ERRMSG_MAX];
	bool                     done;
} spawn_req;

struct addin__proc {
	atomic_int          refs;
	addin__sup         *sup;
	struct addin__proc *next; // in sup->procs
	int                 pid, pidfd;
	addin__channel     *ch;
	char                label[160];
	// Under sup->mtx:
	bool    dead;
	int     status;
	char    death_msg[400];
	char    kill_reason[120];
	int64_t gone_deadline; // 0: no check pending
	bool    shut;
	// Sandbox hooks (proc.h).
	void (*death)(void *arg, int code, int value, int64_t cpu_ms,
	              int host_kill, char *msg, size_t len);
	void *hook_arg;
};

struct addin__sup {
	pthread_mutex_t  mtx;
	pthread_cond_t   cv; // a process died, a spawn finished
	pthread_t        thread;
	bool             thread_started;
	bool             stopping;
	addin__waitset  *ws;
	addin__executor *ex;
	char            *rtdir;
	char            *runner;
	addin__proc     *procs;
	grave           *graves;
	spawn_req       *reqs;
	unsigned         next_id;
	addin__sup_cfg   cfg;
};

// addin__sup_start makes the wait set and starts the thread.  ADDIN_ESYSERR.
ADDIN_PRIVATE addin_err addin__sup_start(addin__sup *sup);
// addin__sup_stop kills what is left of freed processes, reaps it (at most
// 2 s), and stops the thread.  Every process must have ended.
ADDIN_PRIVATE void addin__sup_stop(addin__sup *sup);
// addin__sup_wake makes the thread look again (a request, a deadline).
ADDIN_PRIVATE void addin__sup_wake(addin__sup *sup);
// addin__sup_spawn starts a process on the supervisor's thread (whose
// lifetime PR_SET_PDEATHSIG in the child follows) and returns its pid and
// pidfd.  The errors of addin__plat_spawn.
ADDIN_PRIVATE addin_err addin__sup_spawn(addin__sup              *sup,
                                         const addin__spawn_opts *o,
                                         int *ret_pid, int *ret_pidfd);
// addin__sup_watch lists @p and has the thread reap it when it ends.
ADDIN_PRIVATE addin_err addin__sup_watch(addin__sup *sup, addin__proc *p);
// addin__sup_forget unlists @p: from then on the thread does not touch it.
// A process not reaped yet (it survived SIGKILL for longer than anyone
// waited) is handed to the thread to reap later, never left a zombie;
// @p's pidfd is then the thread's.
ADDIN_PRIVATE void addin__sup_forget(addin__sup *sup, addin__proc *p);

#endif // ADDIN_HOST_PROC_IMPL_H
