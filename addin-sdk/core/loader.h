// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// loader: brings an add-in to life where the isolation level says: in the
// runner process, or in the host for the in-process levels.  One load
// request (addin__load_req) describes the add-in; the host builds it from
// the token once and, for the process levels, sends it as Control.Load.
// The loader opens the contract, the add-in and the add-in-side adapter
// through addin__segment_open (segment_lib.h: trust check, the file's own
// entry, ids and hashes), creates the add-in instance and binds the adapter
// to it, giving the contract as a ProtobufCService.  Every failure names the
// add-in and the file: ADDIN_EPERM, ADDIN_ELOAD, ADDIN_ESYMBOL,
// ADDIN_EMISMATCH (segment_lib.h), ADDIN_EINIT (the add-in's create failed;
// its message), ADDIN_EINVAL (an incomplete request), ADDIN_ENOMEM.

#ifndef ADDIN_LOADER_H
#define ADDIN_LOADER_H

#include "addin/wire.pb-c.h"
#include "core.h"

// addin__load_req: what to load.  Every string is borrowed.  With an
// adapter (in process, and in a runner) all fields are required; without
// one (direct connect: the host calls the add-in's own ops) only the name,
// the add-in's path and its view.
typedef struct addin__load_req {
	const char *name;          // the add-in's name: messages, its context
	const char *addin_path;    // the add-in library
	const char *adapter_path;  // its add-in-side adapter; NULL: direct
	const char *contract_path; // the contract library
	const char *contract_id;   // expected ids and hashes
	const char *contract_hash;
	const char *view_id; // the add-in view the add-in implements
	const char *view_hash;
} addin__load_req;

// addin__load_req_to_wire fills @out, a Control.Load request borrowing
// @req's strings.
ADDIN_PRIVATE void addin__load_req_to_wire(const addin__load_req        *req,
                                           Addin__Wire__V1__LoadRequest *out);

// addin__load_req_from_wire fills @out from a Control.Load request (sent by
// the host; @out borrows its strings).  A runner only loads through an
// adapter: ADDIN_EINVAL, naming the missing field, when any is absent.
ADDIN_PRIVATE addin_err addin__load_req_from_wire(
    const Addin__Wire__V1__LoadRequest *in, addin__load_req *out);

typedef struct addin__loaded addin__loaded;

// addin__loader_load loads what @req describes and creates the add-in.  On
// success *@ret is the caller's (addin__loader_unload).
ADDIN_PRIVATE addin_err addin__loader_load(const addin__load_req *req,
                                           addin__loaded        **ret);

// addin__loaded_service: the contract implemented by the add-in (NULL when
// loaded for direct connect).  Owned by @l.
ADDIN_PRIVATE ProtobufCService *addin__loaded_service(addin__loaded *l);
// addin__loaded_def / _self: the add-in's entry and instance (direct
// connect calls its ops with its self).
ADDIN_PRIVATE const addin_addin_def *addin__loaded_def(addin__loaded *l);
ADDIN_PRIVATE void                  *addin__loaded_self(addin__loaded *l);
ADDIN_PRIVATE const char            *addin__loaded_name(addin__loaded *l);

// addin__loader_unload unbinds, destroys the instance and unloads the
// libraries, in reverse order.  Accepts NULL.
ADDIN_PRIVATE void addin__loader_unload(addin__loaded *l);

#endif // ADDIN_LOADER_H
