// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The export table of a channel: object id -> service, with its owner for
// attribution; an export in use is released when its last serve ends.

#include <string.h>

#include "channel_impl.h"

static void
release_export(export_entry *e)
{
	if (e->release != NULL) {
		e->release(e->svc, e->arg);
	}
	addin__free(e->owner);
	addin__free(e);
}

// Remove every export: idle ones are released now, busy ones by the addin__ch_serve
// that holds them (addin__ch_export_done).
void
addin__ch_release_exports(addin__channel *ch)
{
	export_entry **idle = NULL;
	size_t         n    = 0;

	pthread_mutex_lock(&ch->mtx);
	if (ch->exports.len > 0) {
		idle = addin__zalloc(ch->exports.len * sizeof(*idle));
	}
	for (size_t i = 0; i < ch->exports.cap; i++) {
		export_entry *e = ch->exports.vals[i];
		if (ch->exports.keys[i] == 0) {
			continue;
		}
		e->removed = true;
		if (e->busy == 0 && idle != NULL) {
			idle[n++] = e;
		} else if (e->busy == 0) {
			e->busy = -1; // out of memory: leak rather than crash
		}
	}
	addin__idmap_fini(&ch->exports);
	pthread_mutex_unlock(&ch->mtx);
	for (size_t i = 0; i < n; i++) {
		release_export(idle[i]);
	}
	addin__free(idle);
}

void
addin__ch_export_done(addin__channel *ch, export_entry *e)
{
	bool release;
	pthread_mutex_lock(&ch->mtx);
	e->busy--;
	release = e->removed && e->busy == 0;
	pthread_mutex_unlock(&ch->mtx);
	if (release) {
		release_export(e);
	}
}

addin_err
addin__channel_export_at(addin__channel *ch, uint64_t id,
                         ProtobufCService *svc,
                         void (*release)(ProtobufCService *, void *),
                         void *arg, const char *owner)
{
	export_entry *e;
	addin_err     rv;

	if (svc == NULL || id == UINT64_MAX) {
		return addin__seterr(ADDIN_EINVAL, "export: no service");
	}
	if ((e = ADDIN__NEW(export_entry)) == NULL ||
	    (e->owner = addin__strdup(owner != NULL ? owner : "")) == NULL) {
		addin__free(e);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	e->svc     = svc;
	e->release = release;
	e->arg     = arg;
	pthread_mutex_lock(&ch->mtx);
	if (ch->closed) {
		rv = addin__seterr(ADDIN_ECLOSED, "%s: channel closed",
		                   ch->label);
	} else if (addin__idmap_get(&ch->exports, id + 1) != NULL) {
		rv = addin__seterr(ADDIN_EEXIST, "object %llu exists",
		                   (unsigned long long) id);
	} else {
		rv = addin__idmap_put(&ch->exports, id + 1, e);
	}
	pthread_mutex_unlock(&ch->mtx);
	if (rv != ADDIN_OK) {
		addin__free(e->owner);
		addin__free(e);
	}
	return rv;
}

addin_err
addin__channel_export(addin__channel *ch, ProtobufCService              *svc,
                      void (*release)(ProtobufCService *, void *), void *arg,
                      const char *owner, uint64_t *ret_id)
{
	uint64_t  id;
	addin_err rv;

	pthread_mutex_lock(&ch->mtx);
	id = ++ch->next_export_id;
	pthread_mutex_unlock(&ch->mtx);
	if ((rv = addin__channel_export_at(ch, id, svc, release, arg,
	                                   owner)) == ADDIN_OK) {
		*ret_id = id;
	}
	return rv;
}

addin_err
addin__channel_unexport(addin__channel *ch, uint64_t id)
{
	export_entry *e;
	bool          release;

	pthread_mutex_lock(&ch->mtx);
	e = addin__idmap_del(&ch->exports, id + 1);
	if (e == NULL) {
		pthread_mutex_unlock(&ch->mtx);
		return addin__seterr(ADDIN_ENOTFOUND, "no object %llu",
		                     (unsigned long long) id);
	}
	e->removed = true;
	release    = e->busy == 0;
	pthread_mutex_unlock(&ch->mtx);
	if (release) {
		release_export(e);
	}
	return ADDIN_OK;
}

size_t
addin__channel_exports(addin__channel *ch)
{
	size_t n;
	pthread_mutex_lock(&ch->mtx);
	n = ch->exports.len;
	pthread_mutex_unlock(&ch->mtx);
	return n;
}
