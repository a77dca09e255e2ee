// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#ifndef ADDIN_SEGMENT_H
#define ADDIN_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "addin/api.h"
#include "addin/err.h"

#ifdef __cplusplus
extern "C" {
#endif

// Pipeline segments: what a segment library declares about itself, and the
// entry structure the runtime looks up once it has decided to load it.
//
// A pipeline has four kinds of deployed segment, each a shared library:
//
//   contract       the .proto service compiled by protoc-c: the stable wire
//   host-adapter   host view  -> contract   (loaded into the host)
//   addin-adapter  contract   -> add-in view (loaded next to the add-in)
//   addin          the add-in, implementing an add-in view
//
// The views themselves are headers compiled into the host and the add-in.
//
// 1. Metadata (read by discovery, never executed).  Each segment library
//    carries one or more metadata records in an ELF section named
//    ADDIN_SEGMENT_SECTION.  A record is a run of NUL-terminated strings:
//
//        "BULKHEAD-SEGMENT" "1" key value key value ... ""
//
//    i.e. the magic, the record format version, then key/value pairs, ended
//    by an empty key.  Records follow each other with no padding.  Keys:
//
//        kind             contract | host-adapter | addin-adapter | addin
//        name             human name (add-ins: the add-in's name)
//        version          free-form version string, e.g. "1.2.0"
//        publisher        free-form
//        description      free-form
//        contract         contract id, "<package>.<Service>", e.g.
//                         "calculator.v1.Calculator" (contract, adapters)
//        contract-hash    digest of the contract's text (see below)
//        host-view        host view id implemented (host-adapter)
//        host-view-hash   digest of that view's text
//        addin-view       add-in view id used (addin-adapter) or
//                         implemented (addin)
//        addin-view-hash  digest of that view's text
//        q.<key>          qualification data: free key/value pairs
//        needs            a sandbox grant the add-in asks for (repeatable):
//                         "read-own-dir", "scratch", "network", "read:<dir>"
//
//    A hash is an opaque string of lowercase hex; equal strings mean the same
//    text.  pipeline-gen computes the contract hash from the service's
//    canonical descriptor; a generated view's hash equals its contract's.
//    Discovery only chains segments whose ids AND hashes agree.  Unknown keys
//    are ignored, so records can grow.
//
//    Records are written with ADDIN_SEGMENT_RECORD() and ADDIN_KV():
//
//        ADDIN_SEGMENT_RECORD(my_meta,
//            ADDIN_KV("kind", "addin") ADDIN_KV("name", "Calc") ...)
//
//    All values must be string literals: the record is one array of chars,
//    needing no relocation, readable straight from the file.
//
// 2. Entry points (used by activation, after the segment was chosen).  Each
//    library exports one object with C linkage, named by its kind:
//
//        addin          ADDIN_ENTRY_ADDIN          addin_addin_def
//        addin-adapter  ADDIN_ENTRY_ADDIN_ADAPTER  addin_addin_adapter_def
//        host-adapter   ADDIN_ENTRY_HOST_ADAPTER   addin_host_adapter_def
//        contract       ADDIN_ENTRY_CONTRACT       addin_contract_def
//
//    (each a const object of that type)
//
//    The runtime checks abi_version and the ids and hashes against the
//    metadata before it uses anything else in the structure.

// addin_segment_kind names the four kinds of deployed segment.  The numbers
// are stable.
typedef enum addin_segment_kind {
	ADDIN_SEGMENT_HOST_ADAPTER  = 0, // "host-adapter", in host-adapters/
	ADDIN_SEGMENT_CONTRACT      = 1, // "contract", in contracts/
	ADDIN_SEGMENT_ADDIN_ADAPTER = 2, // "addin-adapter", in addin-adapters/
	ADDIN_SEGMENT_ADDIN         = 3, // "addin", in addins/<name>/
} addin_segment_kind;

#define ADDIN_SEGMENT_KINDS 4

#define ADDIN_SEGMENT_SECTION "addin_segment"
#define ADDIN_SEGMENT_MAGIC   "BULKHEAD-SEGMENT"
#define ADDIN_SEGMENT_FORMAT  "1"

#define ADDIN_ENTRY_ADDIN         "addin_entry_addin"
#define ADDIN_ENTRY_ADDIN_ADAPTER "addin_entry_addin_adapter"
#define ADDIN_ENTRY_HOST_ADAPTER  "addin_entry_host_adapter"
#define ADDIN_ENTRY_CONTRACT      "addin_entry_contract"

// ADDIN_KV(key, value) is one key/value pair of a metadata record; both must
// be string literals.
#define ADDIN_KV(key, value) key "\0" value "\0"

// ADDIN_QUALIFY(key, value) is one pair of qualification data ("q.<key>").
#define ADDIN_QUALIFY(key, value) ADDIN_KV("q." key, value)

// ADDIN_NEEDS(grant) declares a sandbox grant the add-in asks for; the host
// decides whether to give it.
#define ADDIN_NEEDS(grant) ADDIN_KV("needs", grant)

// ADDIN_SEGMENT_RECORD(ident, pairs) defines a metadata record named @ident
// (file-local) in the segment section of the library being built.  @pairs is
// a juxtaposition of ADDIN_KV() items.
#define ADDIN_SEGMENT_RECORD(ident, pairs)                      \
	__attribute__((section(ADDIN_SEGMENT_SECTION), used,    \
	               aligned(1))) static const char ident[] = \
	    ADDIN_SEGMENT_MAGIC "\0" ADDIN_SEGMENT_FORMAT "\0" pairs

// The record array ends with the NUL that terminates its string literal; as
// the last pair also ended with a NUL, that NUL is the empty key ending the
// record.

struct ProtobufCService;
struct ProtobufCServiceDescriptor;

// addin_context is what the runtime gives an add-in when it creates it.
// Opaque; see addin/sdk.h for its accessors.
typedef struct addin_context addin_context;

// addin_addin_def is the entry of an add-in library: the add-in view it
// implements and how to make and destroy one instance.  The declaration
// macro of a generated SDK view header defines it; authors do not write it.
typedef struct addin_addin_def {
	uint32_t    abi_version; // ADDIN_ABI_VERSION
	const char *view_id;     // add-in view implemented
	const char *view_hash;
	const void *ops;      // the add-in view's ops table
	size_t      ops_size; // sizeof that ops table, checked by the runtime
	// create makes the add-in instance; @ctx lives until destroy returns.
	// Returns ADDIN_OK and sets *ret_self (may be NULL), or an error whose
	// message (addin_set_error) becomes the activation error.  May be NULL.
	addin_err (*create)(addin_context *ctx, void **ret_self);
	// destroy frees the instance; called once; may be NULL.
	void (*destroy)(void *self);
	void *reserved[4];
} addin_addin_def;

// addin_addin_adapter_def is the entry of an add-in-side adapter library:
// it turns an add-in view implementation into the contract.
typedef struct addin_addin_adapter_def {
	uint32_t                                 abi_version;
	const char                              *contract_id;
	const char                              *contract_hash;
	const char                              *view_id; // add-in view used
	const char                              *view_hash;
	const struct ProtobufCServiceDescriptor *descriptor; // the contract
	// bind returns a new ProtobufCService implementing the contract by
	// calling @ops with @self.  The service does not own @self.  A method
	// that fails sets the thread's error (addin_set_error) and calls the
	// closure with NULL.  Free with unbind.
	addin_err (*bind)(const void *ops, void *self,
	                  struct ProtobufCService **ret_service);
	void (*unbind)(struct ProtobufCService *service);
	void *reserved[4];
} addin_addin_adapter_def;

// addin_host_adapter_def is the entry of a host-side adapter library: it
// turns the contract into a host view.
typedef struct addin_host_adapter_def {
	uint32_t    abi_version;
	const char *view_id; // host view implemented
	const char *view_hash;
	const char *contract_id;
	const char *contract_hash;
	const struct ProtobufCServiceDescriptor *descriptor; // the contract
	// wrap returns the host view's ops table and a new adapter state that
	// implements it by calling @contract.  The state does not own
	// @contract.  A contract call that fails (closure called with NULL)
	// becomes the view function's result: the thread's error code, or
	// ADDIN_EREMOTE when none was set.  Free the state with unwrap.
	addin_err (*wrap)(struct ProtobufCService *contract,
	                  const void **ret_ops, void **ret_self);
	void (*unwrap)(void *self);
	void *reserved[4];
} addin_host_adapter_def;

// addin_contract_def is the entry of a contract library.
typedef struct addin_contract_def {
	uint32_t                                 abi_version;
	const char                              *contract_id;
	const char                              *contract_hash;
	const struct ProtobufCServiceDescriptor *descriptor;
	void                                    *reserved[4];
} addin_contract_def;

#ifdef __cplusplus
}
#endif

#endif // ADDIN_SEGMENT_H
