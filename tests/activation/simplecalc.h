// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// simplecalc: a hand-written add-in view that differs from the host's
// (calculator.v1): it only adds two numbers.  The hand-written add-in-side
// adapter simplecalc_adapter.c bridges contract calculator.v1 to it, so a
// host written against calculator.v1 can use a simplecalc add-in -- through
// adapters, never by direct connect.

#ifndef SIMPLECALC_H
#define SIMPLECALC_H

#include "addin/sdk.h"

#define SIMPLECALC_VIEW_ID   "test.simplecalc.v1.SimpleCalc"
#define SIMPLECALC_VIEW_HASH "5157e1ca1c000001"

typedef struct simplecalc_ops {
	addin_err (*add)(void *self, double a, double b, double *ret_sum);
	addin_err (*name)(void *self, char **ret_name);
} simplecalc_ops;

#define SIMPLECALC_ADDIN(ops_, name_)                                       \
	ADDIN_SEGMENT_RECORD(                                               \
	    simplecalc_record_,                                             \
	    ADDIN_KV("kind", "addin") ADDIN_KV("name", name_) ADDIN_KV(     \
	        "version", "1.0.0") ADDIN_KV("publisher", "Bulkhead tests") \
	        ADDIN_KV("addin-view", SIMPLECALC_VIEW_ID)                  \
	            ADDIN_KV("addin-view-hash", SIMPLECALC_VIEW_HASH));     \
	extern ADDIN_API const addin_addin_def addin_entry_addin;           \
	const addin_addin_def                  addin_entry_addin = {        \
	                     .abi_version = ADDIN_ABI_VERSION,              \
	                     .view_id     = SIMPLECALC_VIEW_ID,             \
	                     .view_hash   = SIMPLECALC_VIEW_HASH,           \
	                     .ops         = (ops_),                         \
	                     .ops_size    = sizeof(simplecalc_ops),         \
        }

#endif
