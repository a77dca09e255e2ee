// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// segment_meta.h: a segment's metadata record (addin/segment.h), parsed and
// checked, and the immutable, reference-counted segment object that the
// store, its cache and tokens share.

#ifndef ADDIN_SEGMENT_META_H
#define ADDIN_SEGMENT_META_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addin/segment.h"
#include "addin/store.h"

#include "core.h"

// Hard limits on what a segment may declare.  Anything larger is a warning.
#define ADDIN__SEG_MAX_SECTION \
	(64 * 1024)                 // bytes of the addin_segment section
#define ADDIN__SEG_MAX_RECORDS 32   // records in one library
#define ADDIN__SEG_MAX_PAIRS   256  // key/value pairs in one record
#define ADDIN__SEG_MAX_KEY     128  // bytes of a key
#define ADDIN__SEG_MAX_VALUE   4096 // bytes of a value
#define ADDIN__SEG_MAX_ID      256  // bytes of an id or a hash
#define ADDIN__SEG_MAX_QUALS   64   // qualification pairs
#define ADDIN__SEG_MAX_NEEDS   32   // distinct grants

// The single-valued keys of a record, in this order everywhere (the cache
// stores them in this order too).
enum addin__field {
	ADDIN__F_NAME,
	ADDIN__F_VERSION,
	ADDIN__F_PUBLISHER,
	ADDIN__F_DESCRIPTION,
	ADDIN__F_CONTRACT,
	ADDIN__F_CONTRACT_HASH,
	ADDIN__F_HOST_VIEW,
	ADDIN__F_HOST_VIEW_HASH,
	ADDIN__F_ADDIN_VIEW,
	ADDIN__F_ADDIN_VIEW_HASH,
	ADDIN__F_COUNT
};

// A string that is not NUL-terminated where it lies.
typedef struct addin__str {
	const char *p; // NULL: absent
	size_t      n;
} addin__str;

// addin__seg_src is what a segment is made from: the record's values,
// pointing into the buffer they were parsed from.
typedef struct addin__seg_src {
	addin_segment_kind kind;
	addin__str         f[ADDIN__F_COUNT];
	size_t             nq;
	addin__str         qk[ADDIN__SEG_MAX_QUALS]; // without "q."
	addin__str         qv[ADDIN__SEG_MAX_QUALS];
	size_t             nneeds;
	addin__str         needs[ADDIN__SEG_MAX_NEEDS];
} addin__seg_src;

// addin__segment: one segment library's record, immutable once made, shared
// by reference.  One allocation holds the structure and all its strings.
typedef struct addin__segment {
	atomic_uint        refs;
	addin_segment_kind kind;
	const char        *path;    // absolute path
	size_t             rel_off; // path + rel_off: path in the pipeline dir
	const char        *f[ADDIN__F_COUNT]; // never NULL; "" when absent
	size_t             nq;
	const char *const *qk; // sorted by key
	const char *const *qv;
	size_t             nneeds;
	const char *const *needs;
} addin__segment;

// addin__segment_dir returns the pipeline subdirectory of @kind
// ("contracts", "host-adapters", "addin-adapters", "addins").
ADDIN_PRIVATE const char *addin__segment_dir(addin_segment_kind kind);

// addin__segment_parse parses the records of a segment section (@data,
// @len bytes) and fills @src from the one record of @kind, pointing into
// @data.  Returns ADDIN_OK; ADDIN_ENOTFOUND when no record is of @kind (the
// message names the kinds found); ADDIN_ESEGMENT for a malformed section, an
// unknown record format, two records of @kind, or a record that fails
// addin__segment_check; ADDIN_ELIMIT when a limit above is exceeded.
ADDIN_PRIVATE addin_err addin__segment_parse(const char *data, size_t len,
                                             addin_segment_kind kind,
                                             addin__seg_src    *src);

// addin__segment_check checks that @src has what its kind requires (ids and
// hashes well formed, an add-in's name) and respects the limits.  Returns
// ADDIN_OK or ADDIN_ESEGMENT with a message.
ADDIN_PRIVATE addin_err addin__segment_check(const addin__seg_src *src);

// addin__segment_new makes a segment with one reference from @src, located
// at "@dir/@rel" (@dir may be NULL: @rel is then the whole path).  Returns
// ADDIN_OK or ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err addin__segment_new(const addin__seg_src *src,
                                           const char *dir, const char *rel,
                                           addin__segment **ret);

// addin__segment_read reads the segment of @kind from the file open on @fd
// (@size bytes, as fstat gave) and makes it, located at "@dir/@rel" as for
// addin__segment_new.  It is the whole of what discovery does with the
// bytes of a file nobody vouches for (anyone who can write the pipeline
// directory may drop one there): the ELF section reader (elf_reader.c),
// then the record parser and its checks (addin__segment_parse), then the
// segment object.  The trust checks that come before (the file's owner,
// mode and type, store_scan.c) are not part of it: they look at the stat,
// not the bytes.  @fd is only read with pread (a memfd does; a fuzz target
// writes its input to one and calls this).
//
// Returns ADDIN_OK and *@ret (one reference); ADDIN_ENOTFOUND when the file
// is an ELF shared object without a record of @kind (no section, or only
// records of other kinds); ADDIN_ESEGMENT or ADDIN_ELIMIT when it is not a
// usable segment; ADDIN_EIO; ADDIN_ENOMEM.  The message (addin__seterr)
// says why without naming the file.  Thread-safe.
ADDIN_PRIVATE addin_err addin__segment_read(int fd, uint64_t size,
                                            addin_segment_kind kind,
                                            const char *dir, const char *rel,
                                            addin__segment **ret);

ADDIN_PRIVATE addin__segment *addin__segment_ref(addin__segment *seg);
ADDIN_PRIVATE addin__segment *addin__segment_unref(addin__segment *seg);

// addin__segment_qual returns the value of qualification key @key, or NULL.
ADDIN_PRIVATE const char *addin__segment_qual(const addin__segment *seg,
                                              const char           *key);

// addin__segment_meta returns the value of metadata key @key ("name", ...,
// "q.<key>"), or NULL when absent.
ADDIN_PRIVATE const char *addin__segment_meta(const addin__segment *seg,
                                              const char           *key);

#endif // ADDIN_SEGMENT_META_H
