// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Add-in processes (addin_process, addin/host.h): starting one, holding it,
// ending it when nobody wants it, freeing its record when nobody points at
// it.  Lifetimes and locking: host_impl.h.

#include <stdio.h>
#include <string.h>

#include "host_impl.h"

#define MAX_ENV 64

static addin_err
sbx_started(void *arg, int pid)
{
	return addin__sbx_started(arg, pid);
}

static void
sbx_death(void *arg, int code, int value, int64_t cpu_ms, int host_kill,
          char *msg, size_t len)
{
	addin__sbx_death(arg, code, value, cpu_ms, host_kill, msg, len);
}

// fill_sandbox adds what a sandboxed runner gets to @po: its descriptors,
// arguments, ipc directory and hooks; the sandbox's environment goes first
// into @env (of two equal keys, the first wins).  Returns how many entries
// of @env it used.
static size_t
fill_sandbox(addin__proc_opts *po, addin__sbx *sbx, const char **env,
             int fds[2], char a_pol[16], char a_rep[16], char *args[5])
{
	static const int at[2] = {ADDIN__SBX_POLICY_FD, ADDIN__SBX_REPORT_FD};
	static char      o_pol[] = "--sandbox-fd";
	static char      o_rep[] = "--report-fd";
	size_t           n       = 0;

	for (const char *const *e = addin__sbx_env(sbx);
	     *e != NULL && n + 1 < MAX_ENV; e++) {
		env[n++] = *e;
	}
	snprintf(a_pol, 16, "%d", ADDIN__SBX_POLICY_FD);
	snprintf(a_rep, 16, "%d", ADDIN__SBX_REPORT_FD);
	args[0]        = o_pol;
	args[1]        = a_pol;
	args[2]        = o_rep;
	args[3]        = a_rep;
	args[4]        = NULL;
	fds[0]         = addin__sbx_policy_fd(sbx);
	fds[1]         = addin__sbx_report_fd_child(sbx);
	po->extra_fds  = fds;
	po->extra_at   = at;
	po->n_extra    = 2;
	po->extra_args = args;
	po->ipc_dir    = addin__sbx_ipc_dir(sbx);
	po->started    = sbx_started;
	po->death      = sbx_death;
	po->hook_arg   = sbx;
	return n;
}

addin_err
addin__process_start(addin_host *h, const char *name, const char *const *env,
                     const char *cwd, uint32_t deadline_ms, addin__sbx *sbx,
                     addin_process **ret)
{
	addin_process   *p;
	addin__proc_opts po;
	const char      *merged[MAX_ENV];
	char             a_pol[16], a_rep[16], *args[5];
	int              fds[2];
	size_t           n = 0;
	addin_err        rv;

	if ((p = ADDIN__NEW(addin_process)) == NULL ||
	    (p->name = addin__strdup(name)) == NULL) {
		addin__free(p);
		addin__sbx_destroy(sbx);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	memset(&po, 0, sizeof(po));
	po.name        = name;
	po.cwd         = cwd;
	po.deadline_ms = deadline_ms;
	if (sbx != NULL) {
		n = fill_sandbox(&po, sbx, merged, fds, a_pol, a_rep, args);
	}
	for (size_t i = 0, own = n; env != NULL && env[i] != NULL; i++) {
		if (n + 1 >= MAX_ENV) {
			rv = addin__seterr(
			    ADDIN_EINVAL,
			    "add-in %s: more than %zu environment entries (%d "
			    "at most, less the %zu the sandbox sets)",
			    name, MAX_ENV - 1 - own, MAX_ENV - 1, own);
			goto fail;
		}
		merged[n++] = env[i];
	}
	merged[n] = NULL;
	po.env    = merged;
	if ((rv = addin__proc_spawn(h->sup, &po, &p->proc)) != ADDIN_OK) {
		goto fail;
	}
	atomic_init(&p->refs, 1);
	p->sbx   = sbx;
	p->host  = h;
	p->state = ADDIN__PROC_RUNNING;
	pthread_mutex_lock(&h->mtx);
	p->next  = h->procs;
	h->procs = p;
	pthread_mutex_unlock(&h->mtx);
	*ret = p;
	return ADDIN_OK;

fail:
	addin__sbx_destroy(sbx);
	addin__free(p->name);
	addin__free(p);
	return rv;
}

bool
addin__process_runs_addins_locked(const addin_process    *p,
                                  const addin_controller *except)
{
	for (const addin_controller *c = p->host->ctls; c != NULL;
	     c                         = c->next) {
		if (c != except && c->process == p &&
		    c->state <= ADDIN__CTL_STOPPING) {
			return true;
		}
	}
	return false;
}

static bool
pointed_at_locked(const addin_process *p)
{
	for (const addin_controller *c = p->host->ctls; c != NULL;
	     c                         = c->next) {
		if (c->process == p) {
			return true;
		}
	}
	return false;
}

static void
unlist_locked(addin_process *p)
{
	for (addin_process **pp = &p->host->procs; *pp != NULL;
	     pp                 = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			return;
		}
	}
}

static void
process_free(addin_process *p)
{
	addin__proc_unref(p->proc); // ended and reaped already
	addin__sbx_destroy(p->sbx);
	addin__free(p->name);
	addin__free(p);
}

// end_locked ends the OS process unless it ended; called with the host's
// lock held, which it drops meanwhile.  When another thread is ending it,
// it returns at once, or with @wait once that thread is done (only for a
// caller that holds a reference: the record stays).
static void
end_locked(addin_process *p, bool wait)
{
	addin_host *h = p->host;
	while (wait && p->state == ADDIN__PROC_ENDING) {
		pthread_cond_wait(&h->cv, &h->mtx);
	}
	if (p->state != ADDIN__PROC_RUNNING) {
		return;
	}
	p->state = ADDIN__PROC_ENDING;
	pthread_mutex_unlock(&h->mtx);
	(void) addin__proc_shutdown(p->proc, addin__host_grace_ms(h));
	pthread_mutex_lock(&h->mtx);
	p->state = ADDIN__PROC_ENDED;
	pthread_cond_broadcast(&h->cv);
}

void
addin__process_decide_unlock(addin_process *p)
{
	addin_host *h = p->host;
	bool        free_it;

	if (atomic_load(&p->refs) == 0 &&
	    !addin__process_runs_addins_locked(p, NULL)) {
		end_locked(p, false); // no reference: never wait
	}
	// Only the thread that set ENDED, or one that let go after it, can
	// see all three: the record is freed exactly once.
	free_it = atomic_load(&p->refs) == 0 &&
	          p->state == ADDIN__PROC_ENDED && !pointed_at_locked(p);
	if (free_it) {
		unlist_locked(p);
	}
	pthread_mutex_unlock(&h->mtx);
	if (free_it) {
		process_free(p);
	}
}

void
addin__process_end(addin_process *p)
{
	addin_host *h = p->host;
	if (h == NULL) {
		return;
	}
	pthread_mutex_lock(&h->mtx);
	end_locked(p, true);
	pthread_mutex_unlock(&h->mtx);
}

void
addin__process_detach(addin_process *p)
{
	addin_host *h = p->host;

	pthread_mutex_lock(&h->mtx);
	end_locked(p, false);
	unlist_locked(p);
	p->state = ADDIN__PROC_DETACHED;
	p->host  = NULL;
	pthread_mutex_unlock(&h->mtx);
	// The runner and the sandbox belong to the host's supervisor: they
	// go now.  The record stays for the caller's references.
	addin__proc_unref(p->proc);
	addin__sbx_destroy(p->sbx);
	p->proc = NULL;
	p->sbx  = NULL;
	if (atomic_load(&p->refs) == 0) {
		process_free(p);
	}
}

static addin_err
process_create_impl(addin_host *h, const addin_process_options *opts,
                    addin_process **ret_proc)
{
	addin_process_options defaults = ADDIN_PROCESS_OPTIONS_INIT;
	addin_process        *p;
	addin_err             rv;

	if (h == NULL || ret_proc == NULL ||
	    (opts != NULL && opts->abi_version != 1)) {
		return addin__seterr(ADDIN_EINVAL,
		                     "addin_process_create: bad arguments");
	}
	if (opts == NULL) {
		opts = &defaults;
	}
	rv = addin__process_start(
	    h, opts->name != NULL ? opts->name : "shared", opts->env,
	    opts->cwd, opts->deadline_ms, NULL, &p);
	if (rv != ADDIN_OK) {
		return addin__rc_filter(rv);
	}
	*ret_proc = p; // the caller's reference
	return ADDIN_OK;
}

// Documented in include/addin/host.h.
addin_err
addin_process_create(addin_host *h, const addin_process_options *opts,
                     addin_process **ret_proc)
{
	ADDIN__RETURN_CHECKED(process_create_impl(h, opts, ret_proc),
	                      ADDIN_EINVAL, ADDIN_ESPAWN, ADDIN_ETIMEDOUT,
	                      ADDIN_EAUTH, ADDIN_EVERSION, ADDIN_ESYSERR,
	                      ADDIN_ENOMEM);
}

// Documented in include/addin/host.h.
addin_process *
addin_process_ref(addin_process *proc)
{
	if (proc != NULL) {
		atomic_fetch_add(&proc->refs, 1);
	}
	return proc;
}

// Documented in include/addin/host.h.
addin_process *
addin_process_unref(addin_process *proc)
{
	addin_host *h;

	if (proc == NULL) {
		return NULL;
	}
	if ((h = proc->host) == NULL) { // detached: the caller's record
		if (atomic_fetch_sub(&proc->refs, 1) == 1) {
			process_free(proc);
		}
		return NULL;
	}
	pthread_mutex_lock(&h->mtx);
	atomic_fetch_sub(&proc->refs, 1);
	addin__process_decide_unlock(proc);
	return NULL;
}

// Documented in include/addin/host.h.
int
addin_process_pid(const addin_process *proc)
{
	if (proc->proc == NULL || !addin__proc_alive(proc->proc)) {
		return 0;
	}
	return addin__proc_pid(proc->proc);
}

static addin_err
process_addins_impl(addin_process *proc, char ***ret_names, size_t *ret_count)
{
	addin_host *h = proc->host;
	size_t      n = 0, bytes = 0, i;
	char      **names, *out;

	if (h != NULL) {
		pthread_mutex_lock(&h->mtx);
		for (addin_controller *c = h->ctls; c != NULL; c = c->next) {
			if (c->process == proc &&
			    c->state <= ADDIN__CTL_STOPPING) {
				n++;
				bytes += strlen(c->name) + 1;
			}
		}
	}
	names = addin__alloc((n + 1) * sizeof(*names) + bytes);
	if (names == NULL) {
		if (h != NULL) {
			pthread_mutex_unlock(&h->mtx);
		}
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	out = (char *) (names + n + 1);
	// h->ctls is newest first: fill from the back for activation order.
	i = n;
	for (addin_controller *c = h != NULL ? h->ctls : NULL; c != NULL;
	     c                   = c->next) {
		if (c->process == proc && c->state <= ADDIN__CTL_STOPPING) {
			size_t len = strlen(c->name) + 1;
			memcpy(out, c->name, len);
			names[--i] = out;
			out += len;
		}
	}
	names[n] = NULL;
	if (h != NULL) {
		pthread_mutex_unlock(&h->mtx);
	}
	*ret_names = names;
	*ret_count = n;
	return ADDIN_OK;
}

// Documented in include/addin/host.h.
addin_err
addin_process_addins(addin_process *proc, char ***ret_names, size_t *ret_count)
{
	ADDIN__RETURN_CHECKED(process_addins_impl(proc, ret_names, ret_count),
	                      ADDIN_ENOMEM);
}
