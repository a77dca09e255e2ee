// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// pipeline_fixture.h: an in-process pipeline built by hand from segment
// libraries, the way activation will build one: dlopen the contract, the
// add-in-side adapter, the host-side adapter and the add-in; check that
// their entries agree (ids, hashes, ABI); create the add-in; bind the
// add-in-side adapter to its ops; wrap the result with the host-side
// adapter; make an addin_object of the host view.  Or, for direct connect,
// make the object straight over the add-in's own ops.

#ifndef GEN_PIPELINE_FIXTURE_H
#define GEN_PIPELINE_FIXTURE_H

#include <stdbool.h>

#include <protobuf-c/protobuf-c.h>

#include "addin/object.h"
#include "addin/sdk.h"
#include "addin/segment.h"

typedef struct gen_pipeline {
	void                          *dl_contract;
	void                          *dl_host_adapter;
	void                          *dl_addin_adapter;
	void                          *dl_addin;
	const addin_contract_def      *contract;
	const addin_host_adapter_def  *host_adapter;
	const addin_addin_adapter_def *addin_adapter;
	const addin_addin_def         *addin;
	addin_context                 *ctx;
	void                          *addin_self;
	ProtobufCService              *service; // add-in-side adapter
	void                          *host_self;
	addin_object                  *obj; // the host's object; owned
} gen_pipeline;

// The segment libraries of one contract and add-in.
typedef struct gen_segments {
	const char *contract;
	const char *host_adapter;
	const char *addin_adapter;
	const char *addin;
} gen_segments;

// gen_pipeline_open builds @p for host view @view_id (with @view_hash),
// through both adapters or, when @direct, by direct connect.  Returns
// ADDIN_ELOAD, ADDIN_ESYMBOL, ADDIN_EMISMATCH (entries disagree) or what the
// segments return.  On failure @p holds nothing.
addin_err gen_pipeline_open(gen_pipeline *p, const gen_segments *segs,
                            const char *view_id, const char *view_hash,
                            bool direct);

// gen_pipeline_close drops the object (which unwraps, unbinds and destroys
// the add-in) and closes the libraries.
void gen_pipeline_close(gen_pipeline *p);

#endif // GEN_PIPELINE_FIXTURE_H
