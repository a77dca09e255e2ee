// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The supervisor's thread (proc_impl.h): it starts every add-in process,
// so that PR_SET_PDEATHSIG in the children follows a thread that lives as
// long as the host, and waits on every process's pidfd, reaping it the
// moment it ends and failing its channel with ADDIN_EPEERDIED and the
// cause.  A process whose channel closed gets GONE_GRACE_MS to be seen
// dead, then its channel fails as closed.

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "proc_impl.h"

static void
mark_dead_locked(addin__proc *p, const addin__plat_exit *e)
{
	char how[200];

	if (p->death != NULL) {
		p->death(p->hook_arg, e->code, e->value, e->cpu_ms,
		         p->kill_reason[0] != '\0' ? 1 : 0, how, sizeof(how));
	} else {
		addin__plat_describe_status(e->status, how, sizeof(how));
	}
	p->dead   = true;
	p->status = e->status;
	if (p->kill_reason[0] != '\0' && p->death != NULL) {
		// A sandbox's classifier already says the host killed it.
		snprintf(p->death_msg, sizeof(p->death_msg), "%s: %s", how,
		         p->kill_reason);
	} else if (p->kill_reason[0] != '\0') {
		snprintf(p->death_msg, sizeof(p->death_msg),
		         "%s (killed by the host: %s)", how, p->kill_reason);
	} else {
		snprintf(p->death_msg, sizeof(p->death_msg), "%s", how);
	}
	addin__plat_waitset_del(p->sup->ws, p->pidfd);
	// Every call still waiting on this process fails now, with the cause.
	if (p->ch != NULL) {
		addin__channel_fail(p->ch, ADDIN_EPEERDIED, "%s %s", p->label,
		                    p->death_msg);
	}
	pthread_cond_broadcast(&p->sup->cv);
}

static bool
listed_locked(addin__sup *sup, addin__proc *p)
{
	for (addin__proc *q = sup->procs; q != NULL; q = q->next) {
		if (q == p) {
			return true;
		}
	}
	return false;
}

static void
reap_locked(addin__proc *p)
{
	addin__plat_exit e;
	if (!p->dead &&
	    addin__plat_pidfd_wait_ex(p->pidfd, 0, &e) == ADDIN_OK) {
		mark_dead_locked(p, &e);
	}
}

// Reap what is left of freed processes; @timeout_ms each (0: poll).
static void
reap_graves_locked(addin__sup *sup, int timeout_ms)
{
	for (grave **gp = &sup->graves; *gp != NULL;) {
		grave           *g = *gp;
		addin__plat_exit e;
		if (addin__plat_pidfd_wait_ex(g->pidfd, timeout_ms, &e) ==
		    ADDIN_OK) {
			*gp = g->next;
			addin__plat_waitset_del(sup->ws, g->pidfd);
			addin__plat_close(g->pidfd);
			addin__free(g);
		} else {
			gp = &g->next;
		}
	}
}

static void
do_spawn(spawn_req *r)
{
	r->rv = addin__plat_spawn(r->o, &r->pid, &r->pidfd);
	if (r->rv != ADDIN_OK) {
		snprintf(r->msg, sizeof(r->msg), "%s", addin_errmsg());
	}
}

static void *
sup_main(void *arg)
{
	addin__sup *sup = arg;
	void       *tags[32];

	pthread_mutex_lock(&sup->mtx);
	while (!sup->stopping) {
		spawn_req *r;
		int64_t    now, next = -1;
		int        n, timeout;

		while ((r = sup->reqs) != NULL) {
			sup->reqs = r->next;
			pthread_mutex_unlock(&sup->mtx);
			do_spawn(r);
			pthread_mutex_lock(&sup->mtx);
			r->done = true;
			pthread_cond_broadcast(&sup->cv);
		}
		// A process whose channel closed gets GONE_GRACE_MS to die
		// (then the cause is its death); after that the channel fails
		// as closed.
		now = addin__now_ms();
		for (addin__proc *p = sup->procs; p != NULL; p = p->next) {
			if (p->dead || p->gone_deadline == 0) {
				continue;
			}
			reap_locked(p);
			if (p->dead) {
				continue;
			}
			if (now >= p->gone_deadline) {
				p->gone_deadline = 0;
				addin__channel_fail(p->ch, ADDIN_ECLOSED,
				                    "%s closed its channel",
				                    p->label);
			} else if (next < 0 || p->gone_deadline < next) {
				next = p->gone_deadline;
			}
		}
		timeout = next < 0 ? -1 : (int) (next - now);
		pthread_mutex_unlock(&sup->mtx);
		n = addin__plat_waitset_wait(sup->ws, timeout, tags, 32);
		pthread_mutex_lock(&sup->mtx);
		for (int i = 0; i < n; i++) {
			// A tag may belong to a process freed meanwhile.
			if (tags[i] != NULL && listed_locked(sup, tags[i])) {
				reap_locked(tags[i]);
			}
		}
		reap_graves_locked(sup, 0);
	}
	pthread_mutex_unlock(&sup->mtx);
	return NULL;
}

void
addin__sup_wake(addin__sup *sup)
{
	addin__plat_waitset_wake(sup->ws);
}

addin_err
addin__sup_spawn(addin__sup *sup, const addin__spawn_opts *o, int *ret_pid,
                 int *ret_pidfd)
{
	spawn_req r;

	memset(&r, 0, sizeof(r));
	r.o = o;
	pthread_mutex_lock(&sup->mtx);
	r.next    = sup->reqs;
	sup->reqs = &r;
	pthread_mutex_unlock(&sup->mtx);
	addin__sup_wake(sup);
	pthread_mutex_lock(&sup->mtx);
	while (!r.done) {
		pthread_cond_wait(&sup->cv, &sup->mtx);
	}
	pthread_mutex_unlock(&sup->mtx);
	if (r.rv != ADDIN_OK) {
		return addin__seterr(r.rv, "%s", r.msg);
	}
	*ret_pid   = r.pid;
	*ret_pidfd = r.pidfd;
	return ADDIN_OK;
}

addin_err
addin__sup_start(addin__sup *sup)
{
	addin_err rv;
	int       err;

	if ((rv = addin__plat_waitset_create(&sup->ws)) != ADDIN_OK) {
		return rv;
	}
	if ((err = pthread_create(&sup->thread, NULL, sup_main, sup)) != 0) {
		return addin__syserr(ADDIN_ESYSERR, err, "pthread_create");
	}
	sup->thread_started = true;
	return ADDIN_OK;
}

addin_err
addin__sup_watch(addin__sup *sup, addin__proc *p)
{
	addin_err rv;
	pthread_mutex_lock(&sup->mtx);
	p->next    = sup->procs;
	sup->procs = p;
	rv         = addin__plat_waitset_add(sup->ws, p->pidfd, p);
	pthread_mutex_unlock(&sup->mtx);
	return rv;
}

void
addin__sup_forget(addin__sup *sup, addin__proc *p)
{
	grave *g = NULL;

	if (p->pidfd >= 0 && !p->dead) {
		g = ADDIN__NEW(grave);
	}
	pthread_mutex_lock(&sup->mtx);
	for (addin__proc **pp = &sup->procs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	if (p->pidfd >= 0 && !p->dead) {
		addin__plat_waitset_del(sup->ws, p->pidfd);
		if (g != NULL) {
			g->pidfd    = p->pidfd;
			g->next     = sup->graves;
			sup->graves = g;
			p->pidfd    = -1;
			(void) addin__plat_waitset_add(sup->ws, g->pidfd, g);
		}
	}
	pthread_cond_broadcast(&sup->cv);
	pthread_mutex_unlock(&sup->mtx);
	addin__sup_wake(sup);
}

void
addin__sup_stop(addin__sup *sup)
{
	pthread_mutex_lock(&sup->mtx);
	sup->stopping = true;
	for (grave *g = sup->graves; g != NULL; g = g->next) {
		(void) addin__plat_pidfd_kill(g->pidfd, SIGKILL);
	}
	reap_graves_locked(sup, 2000);
	pthread_mutex_unlock(&sup->mtx);
	if (sup->thread_started) {
		// Every process has ended and been reaped.  References the
		// owner still holds must not be used after this (caller bug).
		addin__sup_wake(sup);
		pthread_join(sup->thread, NULL);
		sup->thread_started = false;
	}
	while (sup->graves != NULL) { // survived SIGKILL for 2 s: give up
		grave *g    = sup->graves;
		sup->graves = g->next;
		addin__plat_close(g->pidfd);
		addin__free(g);
	}
	addin__plat_waitset_destroy(sup->ws);
	sup->ws = NULL;
}
