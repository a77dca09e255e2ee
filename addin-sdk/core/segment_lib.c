// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Opening one segment library and checking its entry (segment_lib.h).

#include <string.h>

#include "platform/platform.h"
#include "segment_lib.h"

static const char *const entry_name[ADDIN_SEGMENT_KINDS] = {
    [ADDIN_SEGMENT_HOST_ADAPTER]  = ADDIN_ENTRY_HOST_ADAPTER,
    [ADDIN_SEGMENT_CONTRACT]      = ADDIN_ENTRY_CONTRACT,
    [ADDIN_SEGMENT_ADDIN_ADAPTER] = ADDIN_ENTRY_ADDIN_ADAPTER,
    [ADDIN_SEGMENT_ADDIN]         = ADDIN_ENTRY_ADDIN,
};

static const char *const kind_label[ADDIN_SEGMENT_KINDS] = {
    [ADDIN_SEGMENT_HOST_ADAPTER]  = "host adapter",
    [ADDIN_SEGMENT_CONTRACT]      = "contract",
    [ADDIN_SEGMENT_ADDIN_ADAPTER] = "add-in adapter",
    [ADDIN_SEGMENT_ADDIN]         = "add-in",
};

const char *
addin__segment_kind_label(addin_segment_kind k)
{
	return (unsigned) k < ADDIN_SEGMENT_KINDS ? kind_label[k] : "segment";
}

static bool
eq(const char *want, const char *have)
{
	return have != NULL && strcmp(want, have) == 0;
}

static const char *
str(const char *s)
{
	return s != NULL ? s : "(none)";
}

// The ids one entry carries, whatever its kind: NULL where the kind has
// none.
typedef struct ids {
	uint32_t    abi;
	const char *contract_id, *contract_hash, *view_id, *view_hash;
	const struct ProtobufCServiceDescriptor *descriptor;
	bool                                     complete; // functions present
} ids;

static ids
ids_of(addin_segment_kind kind, const void *entry)
{
	ids i;
	memset(&i, 0, sizeof(i));
	switch (kind) {
	case ADDIN_SEGMENT_CONTRACT: {
		const addin_contract_def *d = entry;
		i.abi                       = d->abi_version;
		i.contract_id               = d->contract_id;
		i.contract_hash             = d->contract_hash;
		i.descriptor                = d->descriptor;
		i.complete                  = d->descriptor != NULL;
		break;
	}
	case ADDIN_SEGMENT_HOST_ADAPTER: {
		const addin_host_adapter_def *d = entry;
		i.abi                           = d->abi_version;
		i.contract_id                   = d->contract_id;
		i.contract_hash                 = d->contract_hash;
		i.view_id                       = d->view_id;
		i.view_hash                     = d->view_hash;
		i.descriptor                    = d->descriptor;
		i.complete = d->descriptor != NULL && d->wrap != NULL &&
		             d->unwrap != NULL;
		break;
	}
	case ADDIN_SEGMENT_ADDIN_ADAPTER: {
		const addin_addin_adapter_def *d = entry;
		i.abi                            = d->abi_version;
		i.contract_id                    = d->contract_id;
		i.contract_hash                  = d->contract_hash;
		i.view_id                        = d->view_id;
		i.view_hash                      = d->view_hash;
		i.descriptor                     = d->descriptor;
		i.complete = d->descriptor != NULL && d->bind != NULL &&
		             d->unbind != NULL;
		break;
	}
	case ADDIN_SEGMENT_ADDIN: {
		const addin_addin_def *d = entry;
		i.abi                    = d->abi_version;
		i.view_id                = d->view_id;
		i.view_hash              = d->view_hash;
		i.complete               = d->ops != NULL;
		break;
	}
	}
	return i;
}

// check_contract_of: an adapter whose descriptor is not the one of the
// contract library just loaded for it links another copy of a contract,
// one loaded earlier under the same soname (the dynamic linker resolves
// DT_NEEDED by soname: a second pipeline, a redeployed contract).  That
// is fine when that copy is the same contract, id and hash; anything else
// would make the adapter pack another contract's messages.
static addin_err
check_contract_of(const addin__segment_want               *w,
                  const struct ProtobufCServiceDescriptor *desc)
{
	const addin_contract_def *c;
	char                      file[512] = "?";

	c = addin__plat_dl_owner_sym(desc, ADDIN_ENTRY_CONTRACT, file,
	                             sizeof(file));
	if (c == NULL || c->abi_version != ADDIN_ABI_VERSION ||
	    !eq(w->contract_id, c->contract_id) ||
	    !eq(w->contract_hash, c->contract_hash)) {
		return addin__seterr(
		    ADDIN_EMISMATCH,
		    "add-in %s: %s %s uses the contract of %s, not %s (%s)",
		    w->name, kind_label[w->kind], w->path, file,
		    w->contract_id, w->contract_hash);
	}
	return ADDIN_OK;
}

// check compares the entry's ids with @w's; on a difference it records
// ADDIN_EMISMATCH naming both sides.
static addin_err
check(const addin__segment_want *w, const void *entry)
{
	const char *label        = kind_label[w->kind];
	ids         i            = ids_of(w->kind, entry);
	bool        has_contract = w->kind != ADDIN_SEGMENT_ADDIN;
	bool        has_view     = w->kind != ADDIN_SEGMENT_CONTRACT;

	if (i.abi != ADDIN_ABI_VERSION) {
		return addin__seterr(ADDIN_EMISMATCH,
		                     "add-in %s: %s %s is of ABI %u, this "
		                     "runtime of ABI %u",
		                     w->name, label, w->path, (unsigned) i.abi,
		                     (unsigned) ADDIN_ABI_VERSION);
	}
	if (has_contract && (!eq(w->contract_id, i.contract_id) ||
	                     !eq(w->contract_hash, i.contract_hash))) {
		return addin__seterr(
		    ADDIN_EMISMATCH,
		    "add-in %s: %s %s is for contract %s (%s), expected %s "
		    "(%s)",
		    w->name, label, w->path, str(i.contract_id),
		    str(i.contract_hash), w->contract_id, w->contract_hash);
	}
	if (has_view &&
	    (!eq(w->view_id, i.view_id) || !eq(w->view_hash, i.view_hash))) {
		return addin__seterr(
		    ADDIN_EMISMATCH,
		    "add-in %s: %s %s is for view %s (%s), expected %s (%s)",
		    w->name, label, w->path, str(i.view_id), str(i.view_hash),
		    w->view_id, w->view_hash);
	}
	if (!i.complete) {
		return addin__seterr(ADDIN_EMISMATCH,
		                     "add-in %s: %s %s: its entry %s is "
		                     "incomplete",
		                     w->name, label, w->path,
		                     entry_name[w->kind]);
	}
	if (i.descriptor != NULL &&
	    (i.descriptor->magic != PROTOBUF_C__SERVICE_DESCRIPTOR_MAGIC ||
	     (has_contract && !eq(w->contract_id, i.descriptor->name)))) {
		return addin__seterr(
		    ADDIN_EMISMATCH,
		    "add-in %s: %s %s: its service descriptor "
		    "is not contract %s",
		    w->name, label, w->path, w->contract_id);
	}
	if (w->descriptor != NULL && i.descriptor != w->descriptor) {
		return check_contract_of(w, i.descriptor);
	}
	return ADDIN_OK;
}

static bool
want_ok(const addin__segment_want *w)
{
	if (w == NULL || (unsigned) w->kind >= ADDIN_SEGMENT_KINDS ||
	    w->name == NULL || w->path == NULL) {
		return false;
	}
	if (w->kind != ADDIN_SEGMENT_ADDIN &&
	    (w->contract_id == NULL || w->contract_hash == NULL)) {
		return false;
	}
	if (w->kind != ADDIN_SEGMENT_CONTRACT &&
	    (w->view_id == NULL || w->view_hash == NULL)) {
		return false;
	}
	return true;
}

addin_err
addin__segment_open(const addin__segment_want *w, addin__segment_lib *ret)
{
	addin__segment_lib l = {NULL, NULL};
	const char        *label;
	addin_err          rv;

	if (!want_ok(w) || ret == NULL) {
		return addin__seterr(ADDIN_EINVAL,
		                     "segment: what to load is incomplete");
	}
	label = kind_label[w->kind];
	if ((rv = addin__plat_path_trusted(w->path)) != ADDIN_OK) {
		return addin__seterr(rv == ADDIN_EPERM ? ADDIN_EPERM
		                                       : ADDIN_ELOAD,
		                     "add-in %s: will not load the %s %s: %s",
		                     w->name, label, w->path, addin_errmsg());
	}
	if ((rv = addin__plat_dlopen(w->path, &l.handle)) != ADDIN_OK) {
		return addin__seterr(rv, "add-in %s: cannot load the %s: %s",
		                     w->name, label, addin_errmsg());
	}
	if ((l.entry = addin__plat_dlsym_own(l.handle, entry_name[w->kind])) ==
	    NULL) {
		rv = addin__seterr(
		    ADDIN_ESYMBOL, "add-in %s: %s %s does not define %s",
		    w->name, label, w->path, entry_name[w->kind]);
		addin__plat_dlclose(l.handle);
		return rv;
	}
	if ((rv = check(w, l.entry)) != ADDIN_OK) {
		addin__plat_dlclose(l.handle);
		return rv;
	}
	*ret = l;
	return ADDIN_OK;
}

void
addin__segment_close(addin__segment_lib *l)
{
	if (l != NULL) {
		addin__plat_dlclose(l->handle);
		l->handle = NULL;
		l->entry  = NULL;
	}
}
