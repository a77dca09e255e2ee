// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Controllers (addin/host.h): an activated add-in's life after activation,
// its shutdown (one add-in, or every add-in of a process), and the object
// the host code holds.  Lifetimes and locking: host_impl.h.
//
// Shutting an add-in down and freeing the code a call may be running in
// are separate steps: shutdown stops new calls, runs the add-in's destroy
// where it lives and lets go of its process; the code (adapter state,
// proxy, in-process libraries) goes only once no call is in flight on the
// object, at the latest when the object is released.

#include <stdio.h>
#include <string.h>

#include "host_impl.h"
#include "platform/platform.h"
#include "proxy.h"

static void ctl_object_destroy(void *self, void *arg);

addin_err
addin__ctl_new(addin_host *h, addin_token *tok, addin_isolation level,
               uint32_t deadline_ms, addin_controller **ret)
{
	addin_controller *ctl;

	if ((ctl = ADDIN__NEW(addin_controller)) == NULL ||
	    (ctl->view_id = addin__strdup(addin_token_host_view_id(tok))) ==
	        NULL) {
		addin__free(ctl);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	atomic_init(&ctl->refs, 1);
	ctl->host        = h;
	ctl->state       = ADDIN__CTL_ACTIVATING;
	ctl->tok         = addin_token_ref(tok);
	ctl->level       = level;
	ctl->deadline_ms = deadline_ms;
	snprintf(ctl->name, sizeof(ctl->name), "%s", addin_token_name(tok));
	pthread_mutex_lock(&h->mtx);
	ctl->next = h->ctls;
	h->ctls   = ctl;
	pthread_mutex_unlock(&h->mtx);
	*ret = ctl;
	return ADDIN_OK;
}

addin_err
addin__ctl_attach_process(addin_controller *ctl, addin_process *p)
{
	addin_host *h  = ctl->host;
	addin_err   rv = ADDIN_OK;

	pthread_mutex_lock(&h->mtx);
	if (p->host != h || p->state != ADDIN__PROC_RUNNING) {
		rv = addin__seterr(ADDIN_ELEVEL,
		                   "add-in %s: the process %s is shut down or "
		                   "belongs to another host",
		                   ctl->name, p->name);
	} else {
		ctl->process = p;
	}
	pthread_mutex_unlock(&h->mtx);
	return rv;
}

void
addin__ctl_pin(addin_controller *ctl)
{
	atomic_fetch_add(&ctl->refs, 1);
}

static void
ctl_free(addin_controller *ctl)
{
	addin_token_unref(ctl->tok);
	addin__free(ctl->view_id);
	addin__free(ctl);
}

void
addin__ctl_unpin(addin_controller *ctl)
{
	if (atomic_fetch_sub(&ctl->refs, 1) == 1) {
		ctl_free(ctl);
	}
}

// set_state moves @ctl to @to, under the host's lock while there is one.
static void
set_state(addin_controller *ctl, enum addin__ctl_state to)
{
	addin_host *h = ctl->host;
	if (h != NULL) {
		pthread_mutex_lock(&h->mtx);
	}
	ctl->state = to;
	if (h != NULL) {
		pthread_mutex_unlock(&h->mtx);
	}
}

// free_code frees what a call could be running in (UNLOADED).  Only when
// the object is idle or was never handed out.  Idempotent.
static void
free_code(addin_controller *ctl)
{
	addin_host *h = ctl->host;
	bool        done;

	if (h != NULL) {
		pthread_mutex_lock(&h->mtx);
	}
	done       = ctl->state == ADDIN__CTL_UNLOADED;
	ctl->state = ADDIN__CTL_UNLOADED;
	if (h != NULL) {
		pthread_mutex_unlock(&h->mtx);
	}
	if (done) {
		return;
	}
	if (ctl->adapter_self != NULL) {
		ctl->had->unwrap(ctl->adapter_self);
		ctl->adapter_self = NULL;
	}
	if (ctl->proxy != NULL) {
		addin__proxy_destroy(ctl->proxy);
		ctl->proxy = NULL;
	}
	addin__loader_unload(ctl->loaded);
	ctl->loaded = NULL;
}

// leave_process detaches @ctl from its process, which may end and free the
// process.  Idempotent.
static void
leave_process(addin_controller *ctl)
{
	addin_host    *h = ctl->host;
	addin_process *p;

	pthread_mutex_lock(&h->mtx);
	if ((p = ctl->process) == NULL) {
		pthread_mutex_unlock(&h->mtx);
		return;
	}
	ctl->process = NULL;
	addin__process_decide_unlock(p);
}

// stop_in_process: the add-in of @ctl leaves its process @p (STOPPED),
// which ends when that was its last user, and @ctl keeps how it ended.
static void
stop_in_process(addin_controller *ctl, addin_process *p)
{
	addin_host *h = ctl->host;
	const char *d;

	pthread_mutex_lock(&h->mtx);
	ctl->state = ADDIN__CTL_STOPPED;
	addin__process_decide_unlock(p); // p stays: ctl points at it
	d = addin__proc_death(p->proc);
	pthread_mutex_lock(&h->mtx);
	if (d != NULL) {
		snprintf(ctl->exit, sizeof(ctl->exit), "%s", d);
	}
	pthread_mutex_unlock(&h->mtx);
}

addin_err
addin__ctl_activated(addin_controller *ctl, const void *ops, void *self)
{
	addin_object_impl impl = ADDIN_OBJECT_IMPL_INIT;
	addin_err         rv;

	impl.view_id     = ctl->view_id;
	impl.ops         = ops;
	impl.self        = self;
	impl.destroy     = ctl_object_destroy;
	impl.destroy_arg = ctl;
	if ((rv = addin_object_create(&impl, &ctl->obj)) != ADDIN_OK) {
		return rv;
	}
	set_state(ctl, ADDIN__CTL_RUNNING);
	return ADDIN_OK;
}

static void
unlist(addin_controller *ctl)
{
	addin_host *h = ctl->host;
	pthread_mutex_lock(&h->mtx);
	for (addin_controller **pp = &h->ctls; *pp != NULL;
	     pp                    = &(*pp)->next) {
		if (*pp == ctl) {
			*pp = ctl->next;
			break;
		}
	}
	pthread_mutex_unlock(&h->mtx);
}

// Will @ctl's process run on when @ctl leaves it (the caller holds it, or
// another add-in runs in it)?  Then what @ctl loaded there must be
// unloaded; otherwise the process ends with it.
static bool
process_outlives(addin_controller *ctl)
{
	addin_host    *h = ctl->host;
	addin_process *p = ctl->process;
	bool           outlives;

	pthread_mutex_lock(&h->mtx);
	outlives = atomic_load(&p->refs) > 0 ||
	           addin__process_runs_addins_locked(p, ctl);
	pthread_mutex_unlock(&h->mtx);
	return outlives && addin__proc_alive(p->proc);
}

void
addin__ctl_abandon(addin_controller *ctl)
{
	addin_err saved = addin_last_error();
	char      msg[ADDIN__ERRMSG_MAX];

	snprintf(msg, sizeof(msg), "%s", addin_errmsg());
	free_code(ctl); // nothing was handed out: no call in flight
	// Loaded in its process, then failed on the host's side (the proxy,
	// the host adapter's wrap): a shared process runs on, so unload it
	// there (best effort; an own process ends with leave_process).
	if (ctl->object_id != 0 && ctl->process != NULL &&
	    process_outlives(ctl)) {
		(void) addin__proc_unload(ctl->process->proc, ctl->object_id);
		ctl->object_id = 0;
	}
	leave_process(ctl);
	unlist(ctl);
	addin__ctl_unpin(ctl);
	addin__seterr(saved, "%s", msg);
}

// shutdown_steps shuts the add-in of @ctl down once this thread made it
// STOPPING; @p is its process (process levels).
static addin_err
shutdown_steps(addin_controller *ctl, addin_host *h, addin_process *p)
{
	bool      last;
	addin_err rv = ADDIN_OK;

	addin__object_kill(ctl->obj, "add-in %s has been shut down",
	                   ctl->name);
	if (ctl->level <= ADDIN_ISOLATION_IN_PROCESS) {
		// Code in the host cannot be interrupted: wait for the calls
		// in flight, bounded.
		if (addin__object_wait_idle(
		        ctl->obj, addin__host_grace_ms(h)) != ADDIN_OK) {
			// Stays killed (no new calls); a later shutdown or the
			// release tries again.
			set_state(ctl, ADDIN__CTL_RUNNING);
			return addin__seterr(
			    ADDIN_EBUSY,
			    "add-in %s: calls still running after %d ms; it "
			    "stays loaded",
			    ctl->name, addin__host_grace_ms(h));
		}
		free_code(ctl);
		return ADDIN_OK;
	}

	// Unload in the process (its destroy runs there) unless the whole
	// process is about to go anyway.
	pthread_mutex_lock(&h->mtx);
	last = atomic_load(&p->refs) == 0 &&
	       !addin__process_runs_addins_locked(p, ctl);
	pthread_mutex_unlock(&h->mtx);
	if (!last && ctl->object_id != 0 && addin__proc_alive(p->proc)) {
		rv = addin__proc_unload(p->proc, ctl->object_id);
		if (rv == ADDIN_EPEERDIED || rv == ADDIN_ECLOSED ||
		    rv == ADDIN_ENOTFOUND) {
			rv = ADDIN_OK; // gone already: nothing to unload
		} else if (rv != ADDIN_OK && rv != ADDIN_ETIMEDOUT &&
		           rv != ADDIN_ENOMEM) {
			// Anything else is an answer that makes no sense.
			rv = addin__seterr(ADDIN_EPROTO,
			                   "add-in %s: unload: %s", ctl->name,
			                   addin_errmsg());
		}
	}
	stop_in_process(ctl, p);
	// Calls still in flight finish or fail fast (their process is gone,
	// or their call deadline passes); the code goes now if they have
	// left, else when the object is released.
	if (addin__object_wait_idle(ctl->obj, addin__host_grace_ms(h)) ==
	    ADDIN_OK) {
		free_code(ctl);
	}
	return addin__rc_filter(rv);
}

static addin_err
controller_shutdown_impl(addin_controller *ctl)
{
	addin_host    *h = ctl != NULL ? ctl->host : NULL;
	addin_process *p;
	addin_err      rv;

	if (h == NULL) {
		return ADDIN_OK; // the host already shut everything down
	}
	pthread_mutex_lock(&h->mtx);
	// Another thread is shutting it down: done when that one is, and
	// only then may this one go on (to free the code, leave the process,
	// let the object go) -- the other is still using them.
	// (The same thread, reached again from code the shutdown runs -- an
	// add-in's destroy that lets go of this very object -- returns.)
	if (ctl->shutting && pthread_equal(ctl->shutter, pthread_self())) {
		pthread_mutex_unlock(&h->mtx);
		return ADDIN_OK;
	}
	while (ctl->shutting) {
		pthread_cond_wait(&h->cv, &h->mtx);
	}
	if (ctl->state != ADDIN__CTL_RUNNING) {
		pthread_mutex_unlock(&h->mtx);
		return ADDIN_OK;
	}
	ctl->state    = ADDIN__CTL_STOPPING;
	ctl->shutting = true;
	ctl->shutter  = pthread_self();
	p             = ctl->process; // stays while ctl points at it
	pthread_mutex_unlock(&h->mtx);
	rv = shutdown_steps(ctl, h, p);
	pthread_mutex_lock(&h->mtx);
	ctl->shutting = false;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mtx);
	return rv;
}

// Documented in include/addin/host.h.
addin_err
addin_controller_shutdown(addin_controller *ctl)
{
	ADDIN__RETURN_CHECKED(controller_shutdown_impl(ctl), ADDIN_EBUSY,
	                      ADDIN_ETIMEDOUT, ADDIN_EPROTO, ADDIN_ENOMEM);
}

// The object's last reference is gone (so no call is in flight): shut the
// add-in down, free its code, let go of its process and of the host, and
// drop the object's reference to the controller.
static void
ctl_object_destroy(void *self, void *arg)
{
	addin_controller *ctl = arg;
	(void) self;
	if (ctl->host != NULL) {
		(void) addin_controller_shutdown(ctl);
	}
	free_code(ctl);
	if (ctl->host != NULL) {
		leave_process(ctl);
		unlist(ctl);
	}
	addin__ctl_unpin(ctl);
}

void
addin__ctl_release_for_host(addin_controller *ctl, bool *busy)
{
	addin_host *h = ctl->host;

	(void) addin_controller_shutdown(ctl);
	if (addin__object_wait_idle(ctl->obj, addin__host_grace_ms(h)) ==
	    ADDIN_OK) {
		free_code(ctl);
	} else {
		*busy = true;
	}
	leave_process(ctl);
	unlist(ctl);
	pthread_mutex_lock(&h->mtx);
	ctl->host = NULL;
	pthread_mutex_unlock(&h->mtx);
}

// Documented in include/addin/host.h.
addin_err
addin_process_shutdown(addin_process *proc)
{
	addin_host *h = proc->host;

	if (h == NULL) {
		return ADDIN_OK; // detached: ended with its host
	}
	// Shut each add-in in it down, newest first (each pinned while we
	// work on it: its object may be released meanwhile), then the process.
	for (;;) {
		addin_controller *victim = NULL;
		pthread_mutex_lock(&h->mtx);
		for (addin_controller *c = h->ctls; c != NULL; c = c->next) {
			if (c->process == proc &&
			    c->state == ADDIN__CTL_RUNNING) {
				victim = c;
				addin__ctl_pin(c);
				break;
			}
		}
		pthread_mutex_unlock(&h->mtx);
		if (victim == NULL) {
			break;
		}
		(void) addin_controller_shutdown(victim);
		addin__ctl_unpin(victim);
	}
	addin__process_end(proc);
	return ADDIN_OK;
}

// Documented in include/addin/host.h.
addin_controller *
addin_controller_get(addin_object *obj)
{
	return addin__object_destroy_arg(obj, ctl_object_destroy);
}

// Documented in include/addin/host.h.
addin_token *
addin_controller_token(const addin_controller *ctl)
{
	return ctl->tok;
}

// Documented in include/addin/host.h.
addin_isolation
addin_controller_isolation(const addin_controller *ctl)
{
	return ctl->level;
}

// Documented in include/addin/host.h.
int
addin_controller_pid(const addin_controller *ctl)
{
	if (ctl->level <= ADDIN_ISOLATION_IN_PROCESS) {
		return addin__plat_getpid();
	}
	if (ctl->process == NULL) {
		return 0; // its process went with the host
	}
	return addin_process_pid(ctl->process);
}

// Documented in include/addin/host.h.
addin_process *
addin_controller_process(const addin_controller *ctl)
{
	return ctl->process;
}

// Documented in include/addin/host.h.
bool
addin_controller_is_running(const addin_controller *ctl)
{
	addin_host *h = ctl->host;
	bool        running;

	if (h == NULL) {
		return false;
	}
	pthread_mutex_lock(&h->mtx);
	running = ctl->state == ADDIN__CTL_RUNNING;
	pthread_mutex_unlock(&h->mtx);
	if (running && ctl->process != NULL) {
		running = addin__proc_alive(ctl->process->proc) &&
		          addin__channel_is_open(
		              addin__proc_channel(ctl->process->proc));
	}
	return running;
}

// Documented in include/addin/host.h.
const char *
addin_controller_sandbox(addin_controller *ctl)
{
	if (ctl->host == NULL || ctl->process == NULL ||
	    ctl->process->sbx == NULL) {
		return ctl->sandbox; // "" or what was last described
	}
	// Copied into the controller: the sandbox's record goes with its
	// process, the string must live as long as the controller.
	addin__sbx_describe(ctl->process->sbx, ctl->sandbox,
	                    sizeof(ctl->sandbox));
	return ctl->sandbox;
}

// Documented in include/addin/host.h.
const char *
addin_controller_exit_status(const addin_controller *ctl)
{
	if (ctl->exit[0] != '\0') {
		return ctl->exit;
	}
	if (ctl->process != NULL && ctl->host != NULL) {
		return addin__proc_death(ctl->process->proc);
	}
	return NULL;
}
