// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// View objects: reference counting, in-flight call counting and shutdown.

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "runtime.h"

#define OBJECT_MAGIC 0x4f424a31u // "OBJ1"

struct addin_object {
	uint32_t          magic;
	atomic_int        refs;
	atomic_int        inflight;
	atomic_bool       dead;
	pthread_mutex_t   mtx; // guards reason and the idle wait
	pthread_cond_t    idle;
	char             *reason;
	addin_object_impl impl;
};

static addin_err
object_create_impl(const addin_object_impl *impl, addin_object **ret_obj)
{
	addin_object *obj;

	if (impl == NULL || ret_obj == NULL ||
	    impl->abi_version != ADDIN_ABI_VERSION || impl->view_id == NULL ||
	    impl->ops == NULL) {
		return addin__seterr(
		    ADDIN_EINVAL,
		    "addin_object_create: impl incomplete or of another ABI");
	}
	if ((obj = ADDIN__NEW(addin_object)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	obj->magic = OBJECT_MAGIC;
	atomic_init(&obj->refs, 1);
	atomic_init(&obj->inflight, 0);
	atomic_init(&obj->dead, false);
	pthread_mutex_init(&obj->mtx, NULL);
	pthread_cond_init(&obj->idle, NULL);
	obj->impl = *impl;
	*ret_obj  = obj;
	return ADDIN_OK;
}

// Documented in include/addin/object.h.
addin_err
addin_object_create(const addin_object_impl *impl, addin_object **ret_obj)
{
	ADDIN__RETURN_CHECKED(object_create_impl(impl, ret_obj), ADDIN_EINVAL,
	                      ADDIN_ENOMEM);
}

// Documented in include/addin/object.h.
addin_object *
addin_object_ref(addin_object *obj)
{
	if (obj != NULL) {
		atomic_fetch_add(&obj->refs, 1);
	}
	return obj;
}

// Documented in include/addin/object.h.
addin_object *
addin_object_unref(addin_object *obj)
{
	if (obj == NULL || atomic_fetch_sub(&obj->refs, 1) != 1) {
		return NULL;
	}
	// Last reference: nobody can enter any more.  A call still in flight
	// would be a caller's bug (it must hold a reference); wait for it
	// rather than free memory under it.
	addin__object_wait_idle(obj, -1);
	if (obj->impl.destroy != NULL) {
		obj->impl.destroy(obj->impl.self, obj->impl.destroy_arg);
	}
	pthread_cond_destroy(&obj->idle);
	pthread_mutex_destroy(&obj->mtx);
	addin__free(obj->reason);
	obj->magic = 0;
	addin__free(obj);
	return NULL;
}

static addin_err
object_enter_impl(addin_object *obj, const char *view_id, const void **ret_ops,
                  void **ret_self)
{
	if (obj == NULL || obj->magic != OBJECT_MAGIC) {
		return addin__seterr(ADDIN_EINVAL, "not a view object");
	}
	if (obj->impl.view_id != view_id &&
	    strcmp(obj->impl.view_id, view_id) != 0) {
		return addin__seterr(ADDIN_EMISMATCH,
		                     "object implements view %s, not %s",
		                     obj->impl.view_id, view_id);
	}
	atomic_fetch_add(&obj->inflight, 1);
	if (atomic_load(&obj->dead)) {
		addin_object_leave(obj);
		pthread_mutex_lock(&obj->mtx);
		addin__seterr(ADDIN_ESHUTDOWN, "%s",
		              obj->reason != NULL ? obj->reason
		                                  : "add-in shut down");
		pthread_mutex_unlock(&obj->mtx);
		return ADDIN_ESHUTDOWN;
	}
	*ret_ops  = obj->impl.ops;
	*ret_self = obj->impl.self;
	return ADDIN_OK;
}

// Documented in include/addin/object.h.
addin_err
addin_object_enter(addin_object *obj, const char *view_id,
                   const void **ret_ops, void **ret_self)
{
	ADDIN__RETURN_CHECKED(
	    object_enter_impl(obj, view_id, ret_ops, ret_self), ADDIN_EINVAL,
	    ADDIN_EMISMATCH, ADDIN_ESHUTDOWN);
}

// Documented in include/addin/object.h.
void
addin_object_leave(addin_object *obj)
{
	if (atomic_fetch_sub(&obj->inflight, 1) == 1 &&
	    atomic_load(&obj->dead)) {
		pthread_mutex_lock(&obj->mtx);
		pthread_cond_broadcast(&obj->idle);
		pthread_mutex_unlock(&obj->mtx);
	}
}

// Documented in include/addin/object.h.
const char *
addin_object_view_id(const addin_object *obj)
{
	return obj == NULL ? NULL : obj->impl.view_id;
}

// Documented in include/addin/object.h.
bool
addin_object_is_alive(const addin_object *obj)
{
	return obj != NULL && !atomic_load(&obj->dead);
}

void
addin__object_kill(addin_object *obj, const char *fmt, ...)
{
	char    buf[ADDIN__ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&obj->mtx);
	if (obj->reason == NULL) {
		obj->reason = addin__strdup(buf);
	}
	atomic_store(&obj->dead, true);
	pthread_cond_broadcast(&obj->idle);
	pthread_mutex_unlock(&obj->mtx);
}

addin_err
addin__object_wait_idle(addin_object *obj, int timeout_ms)
{
	addin_err       rv = ADDIN_OK;
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	if (timeout_ms >= 0) {
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&obj->mtx);
	// Waiters are woken by leave() only once the object is dead; poll the
	// count with a short timed wait otherwise.
	while (atomic_load(&obj->inflight) > 0) {
		struct timespec step;
		clock_gettime(CLOCK_REALTIME, &step);
		step.tv_nsec += 10 * 1000000L;
		if (step.tv_nsec >= 1000000000L) {
			step.tv_sec++;
			step.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&obj->idle, &obj->mtx, &step);
		if (timeout_ms >= 0) {
			struct timespec now;
			clock_gettime(CLOCK_REALTIME, &now);
			if (now.tv_sec > until.tv_sec ||
			    (now.tv_sec == until.tv_sec &&
			     now.tv_nsec >= until.tv_nsec)) {
				rv = atomic_load(&obj->inflight) > 0
				         ? ADDIN_ETIMEDOUT
				         : ADDIN_OK;
				break;
			}
		}
	}
	pthread_mutex_unlock(&obj->mtx);
	return rv;
}

void *
addin__object_destroy_arg(const addin_object *obj,
                          void (*destroy)(void *, void *))
{
	if (obj == NULL || obj->magic != OBJECT_MAGIC ||
	    obj->impl.destroy != destroy) {
		return NULL;
	}
	return obj->impl.destroy_arg;
}
