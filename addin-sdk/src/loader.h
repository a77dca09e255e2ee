// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// loader: brings an add-in to life where the isolation level says — in the
// runner process, or in the host for the in-process levels.  Loads the
// contract, the add-in-side adapter and the add-in with dlopen, checks each
// entry structure against what discovery promised (ABI, ids, hashes),
// creates the add-in instance and binds the adapter to it, giving the
// contract as a ProtobufCService.  Every failure names the add-in and the
// file: ADDIN_ELOAD (dlopen's message), ADDIN_ESYMBOL, ADDIN_EMISMATCH,
// ADDIN_EINIT (the add-in's create failed; its message), ADDIN_ENOMEM.

#ifndef ADDIN_LOADER_H
#define ADDIN_LOADER_H

#include "core.h"

typedef struct addin__load_req {
	const char *name;          // for messages and the add-in's context
	const char *addin_path;    // the add-in library
	const char *adapter_path;  // add-in-side adapter; NULL for direct
	const char *contract_path; // contract library; may be NULL
	const char *contract_id;   // expected (NULL: not checked)
	const char *contract_hash;
	const char *view_id; // add-in view the add-in must implement
	const char *view_hash;
	// Tests: @addin_path exports this symbol, a `ProtobufCService *
	// (*)(void)` factory; no adapter, no add-in entry.
	const char *service_symbol;
} addin__load_req;

typedef struct addin__loaded addin__loaded;

ADDIN_PRIVATE addin_err addin__loader_load(const addin__load_req *req,
                                           addin__loaded        **ret);

// addin__loaded_service: the contract implemented by the add-in (NULL when
// loaded for direct connect).  Owned by @l.
ADDIN_PRIVATE ProtobufCService *addin__loaded_service(addin__loaded *l);
// addin__loaded_def / _self: the add-in's entry and instance (direct
// connect); NULL for a test service.
ADDIN_PRIVATE const addin_addin_def *addin__loaded_def(addin__loaded *l);
ADDIN_PRIVATE void                  *addin__loaded_self(addin__loaded *l);
ADDIN_PRIVATE const char            *addin__loaded_name(addin__loaded *l);

// addin__loader_unload unbinds, destroys the instance and unloads the
// libraries, in reverse order.  Accepts NULL.
ADDIN_PRIVATE void addin__loader_unload(addin__loaded *l);

// addin__dlsym_own returns the address of @name in the library of handle
// @h itself, or NULL when that library does not define it.  dlsym() on a
// handle also searches the libraries it depends on: a file swapped for one
// that merely links the right segment (a host adapter put where the
// contract was) would otherwise pass for it.  Thread-safe.
ADDIN_PRIVATE void *addin__dlsym_own(void *h, const char *name);

#endif // ADDIN_LOADER_H
