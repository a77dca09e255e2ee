// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The segments loader_test loads: one source, built once per kind (and
// variant) by addin-sdk/core/CMakeLists.txt.  A contract with a real
// service descriptor (wire.proto's Control), an add-in whose destroy
// records an error of its own, and add-in-side adapters whose bind works
// or fails.

#include <stddef.h>

#include "addin/err.h"
#include "addin/segment.h"
#include "addin/version.h"
#include "addin/wire.pb-c.h"

#define ID   "addin.wire.v1.Control"
#define HASH "0011"
#define VIEW "test.loader.v1.View"

#define ENTRY(type, name)                                              \
	extern __attribute__((visibility("default"))) const type name; \
	const type                                               name

#if defined(SEG_CONTRACT)
ENTRY(addin_contract_def, addin_entry_contract) = {
    .abi_version   = ADDIN_ABI_VERSION,
    .contract_id   = ID,
    .contract_hash = HASH,
    .descriptor    = &addin__wire__v1__control__descriptor,
};
#elif defined(SEG_ADDIN)
static const struct {
	int unused;
} ops;

static addin_err
create(addin_context *ctx, void **ret_self)
{
	(void) ctx;
	*ret_self = NULL;
	return ADDIN_OK;
}

static void
destroy(void *self)
{
	(void) self;
	// What a destroy may do: record an error of its own.
	addin_set_error(ADDIN_EIO, "the destroy's own error");
}

ENTRY(addin_addin_def, addin_entry_addin) = {
    .abi_version = ADDIN_ABI_VERSION,
    .view_id     = VIEW,
    .view_hash   = HASH,
    .ops         = &ops,
    .ops_size    = sizeof(ops),
    .create      = create,
    .destroy     = destroy,
};
#elif defined(SEG_ADAPTER)
static addin_err
bind(const void *o, void *self, struct ProtobufCService **ret)
{
	(void) o;
	(void) self;
	(void) ret;
#if defined(SEG_BIND_FAILS)
	return addin_set_error(ADDIN_EINIT, "bind refused");
#else
	return addin_set_error(ADDIN_EINTERNAL, "not used");
#endif
}

static void
unbind(struct ProtobufCService *svc)
{
	(void) svc;
}

ENTRY(addin_addin_adapter_def, addin_entry_addin_adapter) = {
    .abi_version   = ADDIN_ABI_VERSION,
    .contract_id   = ID,
    .contract_hash = HASH,
    .view_id       = VIEW,
    .view_hash     = HASH,
    .descriptor    = &addin__wire__v1__control__descriptor,
    .bind          = bind,
    .unbind        = unbind,
};
#endif
