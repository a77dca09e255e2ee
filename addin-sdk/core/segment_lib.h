// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// segment_lib: the one way a segment library is loaded, on either side of a
// boundary.  Open the library of kind K, find the entry structure the file
// itself defines, and check it against what discovery promised: the ABI
// version, the ids and hashes, the functions the runtime will call.
// Contracts, host-side adapters, add-in-side adapters and add-ins all go
// through addin__segment_open, in the host (host adapters, and every
// segment at the in-process levels) and in the runner alike.
//
// Loading a library runs its code, so the file is checked first with the
// platform's trust predicate (addin__plat_path_trusted: only the host's user
// or root can have put it there, again, in case it changed since discovery
// read it).

#ifndef ADDIN_SEGMENT_LIB_H
#define ADDIN_SEGMENT_LIB_H

#include <stdbool.h>

#include "core.h"

// What a segment must be.  Every id and hash its kind carries must be
// given (a token always has them) and must equal the entry's, byte for
// byte: a NULL expectation is a caller bug (ADDIN_EINVAL), never "any".
//
//   kind              checked fields of the entry
//   contract          contract id and hash, descriptor
//   host-adapter      host view id and hash, contract id and hash,
//                     descriptor, wrap, unwrap
//   addin-adapter     contract id and hash, add-in view id and hash,
//                     descriptor, bind, unbind
//   addin             add-in view id and hash, ops
//
// @descriptor, when not NULL, must be the entry's descriptor itself: an
// adapter loaded after its contract must use that contract's copy.
typedef struct addin__segment_want {
	addin_segment_kind kind;
	const char        *name; // the add-in's name, for messages
	const char        *path; // absolute
	const char        *contract_id;
	const char        *contract_hash;
	const char *view_id; // host view (host adapter), else add-in view
	const char *view_hash;
	const struct ProtobufCServiceDescriptor *descriptor;
} addin__segment_want;

// An open segment library: its handle and its checked entry.
typedef struct addin__segment_lib {
	void       *handle;
	const void *entry; // const addin_<kind>_def *
} addin__segment_lib;

// addin__segment_open loads the library @w->path and checks its entry.
// Errors, each with a message naming the add-in, the kind and the file:
// ADDIN_EPERM (the file or a directory above it may have been written by
// someone else), ADDIN_ELOAD (dlopen failed: its message), ADDIN_ESYMBOL (the
// file itself does not define the kind's entry), ADDIN_EMISMATCH (another
// ABI, other ids or hashes, a missing function, another contract's
// descriptor), ADDIN_EINVAL (bad @w).  On success *@ret is the caller's
// (addin__segment_close).  Thread-safe.
ADDIN_PRIVATE addin_err addin__segment_open(const addin__segment_want *w,
                                            addin__segment_lib        *ret);

// addin__segment_close unloads @l (dlclose) and clears it.  Accepts a
// cleared or zeroed @l.
ADDIN_PRIVATE void addin__segment_close(addin__segment_lib *l);

// addin__segment_kind_label returns "contract", "host adapter", "add-in
// adapter" or "add-in", for messages.
ADDIN_PRIVATE const char *addin__segment_kind_label(addin_segment_kind k);

#endif // ADDIN_SEGMENT_LIB_H
