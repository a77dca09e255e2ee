// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#include <pthread.h>

#include "executor.h"

typedef struct task {
	struct task *next;
	void (*fn)(void *);
	void *arg;
} task;

#define MAX_THREADS 256

struct addin__executor {
	pthread_mutex_t mtx;
	pthread_cond_t  cv;
	task           *head, *tail;
	unsigned        nthreads, idle, max;
	unsigned        queued; // tasks not yet taken by a thread
	bool            stopping;
	pthread_t       threads[MAX_THREADS];
};

static void *
worker(void *arg)
{
	addin__executor *ex = arg;

	pthread_mutex_lock(&ex->mtx);
	for (;;) {
		task *t = ex->head;
		if (t == NULL) {
			if (ex->stopping) {
				break;
			}
			ex->idle++;
			pthread_cond_wait(&ex->cv, &ex->mtx);
			ex->idle--;
			continue;
		}
		ex->head = t->next;
		if (ex->head == NULL) {
			ex->tail = NULL;
		}
		ex->queued--;
		pthread_mutex_unlock(&ex->mtx);
		t->fn(t->arg);
		addin__free(t);
		pthread_mutex_lock(&ex->mtx);
	}
	pthread_mutex_unlock(&ex->mtx);
	return NULL;
}

// Called with ex->mtx held.
static addin_err
start_thread(addin__executor *ex)
{
	int err = pthread_create(&ex->threads[ex->nthreads], NULL, worker, ex);
	if (err != 0) {
		return addin__syserr(ADDIN_ESYSERR, err, "pthread_create");
	}
	ex->nthreads++;
	return ADDIN_OK;
}

addin_err
addin__executor_create(unsigned min_threads, unsigned max_threads,
                       addin__executor **ret)
{
	addin__executor *ex;
	addin_err        rv = ADDIN_OK;

	if (min_threads < 1) {
		min_threads = 1;
	}
	if (max_threads > MAX_THREADS) {
		max_threads = MAX_THREADS;
	}
	if (max_threads < min_threads) {
		max_threads = min_threads;
	}
	if ((ex = ADDIN__NEW(addin__executor)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	pthread_mutex_init(&ex->mtx, NULL);
	pthread_cond_init(&ex->cv, NULL);
	ex->max = max_threads;
	pthread_mutex_lock(&ex->mtx);
	for (unsigned i = 0; i < min_threads && rv == ADDIN_OK; i++) {
		rv = start_thread(ex);
	}
	pthread_mutex_unlock(&ex->mtx);
	if (rv != ADDIN_OK) {
		addin__executor_destroy(ex);
		return rv;
	}
	*ret = ex;
	return ADDIN_OK;
}

addin_err
addin__executor_submit(addin__executor *ex, void (*fn)(void *), void *arg)
{
	task *t = ADDIN__NEW(task);

	if (t == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	t->fn  = fn;
	t->arg = arg;
	pthread_mutex_lock(&ex->mtx);
	if (ex->stopping) {
		pthread_mutex_unlock(&ex->mtx);
		addin__free(t);
		return addin__seterr(ADDIN_ESHUTDOWN, "executor stopping");
	}
	if (ex->tail != NULL) {
		ex->tail->next = t;
	} else {
		ex->head = t;
	}
	ex->tail = t;
	ex->queued++;
	// Grow while more tasks wait than threads are idle: a task must not
	// wait behind threads that are blocked in long calls.  (Idle threads
	// only count themselves busy once they woke, so the queue length is
	// what tells.)  Failure to grow is not fatal: the task runs when a
	// thread frees up.
	if (ex->queued > ex->idle && ex->nthreads < ex->max) {
		(void) start_thread(ex);
	}
	pthread_cond_signal(&ex->cv);
	pthread_mutex_unlock(&ex->mtx);
	return ADDIN_OK;
}

void
addin__executor_destroy(addin__executor *ex)
{
	if (ex == NULL) {
		return;
	}
	pthread_mutex_lock(&ex->mtx);
	ex->stopping = true;
	pthread_cond_broadcast(&ex->cv);
	pthread_mutex_unlock(&ex->mtx);
	for (unsigned i = 0; i < ex->nthreads; i++) {
		pthread_join(ex->threads[i], NULL);
	}
	pthread_cond_destroy(&ex->cv);
	pthread_mutex_destroy(&ex->mtx);
	addin__free(ex);
}

unsigned
addin__executor_threads(addin__executor *ex)
{
	unsigned n;
	pthread_mutex_lock(&ex->mtx);
	n = ex->nthreads;
	pthread_mutex_unlock(&ex->mtx);
	return n;
}

unsigned
addin__executor_idle(addin__executor *ex)
{
	unsigned n;
	pthread_mutex_lock(&ex->mtx);
	n = ex->idle;
	pthread_mutex_unlock(&ex->mtx);
	return n;
}
