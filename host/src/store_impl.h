// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// store_impl.h: the insides of the add-in store (discovery), shared by its
// files, each with one job:
//
//     store_api.c       the public API: arguments, the mutex, rc filter
//     store_update.c    one update: open, check, lock, cache, scan, install
//     store_scan.c      reading the pipeline directory (or one file)
//     store_chain.c     the index by kind, chains, chain warnings, finding
//     store_cache.c     the cache file and the updaters' lock
//     store_entries.c   the sorted array of entries
//     store_token.c     tokens and token lists
//     store_warnings.c  warning lists
//     segment_meta.c    a segment's record: read, parse, check; the object
//     elf_reader.c      one section of an ELF file, bounded
//
// Which file calls which (an arrow: calls into; no cycles):
//
//     store_api ---> store_update, store_chain, store_scan, store_entries,
//                    store_warnings, segment_meta
//     store_update -> store_scan, store_cache, store_chain, store_entries,
//                    store_warnings, platform
//     store_scan ---> store_entries, store_warnings, segment_meta, platform
//     store_cache --> store_entries, store_warnings, segment_meta, platform,
//                    the SDK's bounded decoder (frame.h)
//     store_chain --> store_token, store_warnings
//     store_token --> segment_meta
//     store_entries -> segment_meta
//     segment_meta -> elf_reader
//
// store_warnings and elf_reader call nothing of the store; everything uses
// the SDK's core (errors, allocator, cursor.h, parse.h).

#ifndef ADDIN_STORE_IMPL_H
#define ADDIN_STORE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "addin/store.h"

#include "core.h"
#include "segment_meta.h"

// A file changed less than this before it was read may change again within
// the same timestamp tick without its stat changing ("racily clean", as git
// calls it): its cache entry is not trusted and it is read again on the
// next update.  Two seconds covers filesystems with coarse timestamps.
#define ADDIN__STORE_RACY_NS (2LL * 1000 * 1000 * 1000)
// The most entries read from one directory; the rest is ignored (warning).
#define ADDIN__STORE_MAX_DIR_ENTRIES 65536
// The largest cache file read (bytes).
#define ADDIN__STORE_MAX_CACHE (256u * 1024 * 1024)

#define ADDIN__STORE_CACHE_TMP ".bulkhead-cache.tmp"

// What identifies a version of a file: if none of these changed, neither did
// the file (unless racily clean, see above).  ctime cannot be set by a user,
// so it catches a rewrite that restored size and mtime.
typedef struct addin__stat_key {
	uint64_t dev, ino, size, mtime_ns, ctime_ns;
} addin__stat_key;

// The states of a scanned segment file; cached with it.
enum addin__entry_state {
	ADDIN__E_SEGMENT  = 0, // a valid record of the directory's kind
	ADDIN__E_BROKEN   = 1, // not a usable segment: msg says why
	ADDIN__E_NORECORD = 2, // an ELF shared object without such a record
};

// addin__entry: one segment file as the last scan (or the cache) saw it.
typedef struct addin__entry {
	char              *rel;  // path in the pipeline directory; owned
	addin_segment_kind kind; // of the directory it lies in
	addin__stat_key    key;
	uint8_t            state; // enum addin__entry_state
	bool               racy;  // read too soon after a change: re-read
	addin__segment    *seg;   // ADDIN__E_SEGMENT; one reference
	char              *msg;   // ADDIN__E_BROKEN, ADDIN__E_NORECORD; owned
} addin__entry;

typedef struct addin__entries {
	addin__entry *v;
	size_t        n, cap;
} addin__entries;

// addin__store_stats tells the tests what an update did.
struct addin__store_stats {
	size_t files_seen;    // segment files examined
	size_t files_read;    // of those, read (not reused from the cache)
	size_t cache_entries; // entries loaded from a valid cache
	bool   cache_loaded;  // a valid cache was read
	bool   cache_written; // the cache was (re)written
};

struct addin_store {
	pthread_mutex_t mtx;
	char           *dir; // canonical absolute path; owned
	uint32_t        flags;
	int             lock_timeout_ms;
	bool            updated;
	addin__entries  entries; // by rel, strictly increasing
	// The valid segments of each kind, sorted by path (borrowed from
	// entries).
	addin__segment          **by_kind[ADDIN_SEGMENT_KINDS];
	size_t                    nby_kind[ADDIN_SEGMENT_KINDS];
	struct addin__store_stats stats;
};

struct addin_token {
	atomic_uint     refs;
	addin__segment *seg[ADDIN_SEGMENT_KINDS]; // one reference each
	size_t          chains;
	bool            direct;
};

struct addin_token_list {
	size_t        n;
	addin_token **v;
};

struct addin__warning {
	const char *path;
	const char *msg;
	const char *text; // "path: msg"; the allocation holding all three
};

struct addin_warnings {
	size_t                 n, cap;
	struct addin__warning *v;
	bool                   lost; // a warning was lost for lack of memory
};

// Declarations marked ADDIN_PRIVATE are exported for the white-box tests
// (and fuzz targets); the others are shared between the store's files
// only and stay hidden inside libaddin-host.

// Entries (store_entries.c).
ADDIN_PRIVATE void addin__entries_clear(addin__entries *e);
// addin__entries_push appends a zeroed entry and returns it, or NULL.
ADDIN_PRIVATE addin__entry *addin__entries_push(addin__entries *e);
// addin__entries_find returns the entry for @rel in the sorted @e, or NULL.
ADDIN_PRIVATE addin__entry *addin__entries_find(const addin__entries *e,
                                                const char           *rel);
// addin__entries_sort sorts @e by rel.
void addin__entries_sort(addin__entries *e);

// An update (store_update.c).

// addin__store_update updates @s from its pipeline directory (@rebuild:
// ignoring the cache), adding what it found wrong to @w; the caller holds
// @s->mtx.  Returns ADDIN_OK (the store is then updated), or an error of
// addin_store_update (the store is then as it was, or empty and not
// updated when out of memory while installing).
addin_err addin__store_update(addin_store *s, bool rebuild, addin_warnings *w);

// addin__store_stats copies what the last update did.
ADDIN_PRIVATE void addin__store_stats(addin_store               *s,
                                      struct addin__store_stats *ret);

// Scanning (store_scan.c).

// addin__scan reads the pipeline directory of @s, open on @pfd (its
// ancestors already checked), into *@ret, sorted by rel: every candidate
// segment file of the layout, reusing the entry @base (the cache, or the
// last update) has for a file whose stat is unchanged unless @fresh.
// Counts files seen and read in @s->stats.  Everything wrong is a warning
// in @w.  Returns ADDIN_OK, or ADDIN_ENOMEM (*@ret then untouched).
addin_err addin__scan(addin_store *s, int pfd, const addin__entries *base,
                      bool fresh, addin_warnings *w, addin__entries *ret);

// addin__scan_addin_file reads the add-in record of the file at the
// canonical @path, after the trust walk from "/" (platform.h).  Returns
// ADDIN_OK and *@ret (one reference), or the errors of
// addin_store_find_addin about the file, with a message naming it.
addin_err addin__scan_addin_file(const char *path, addin__segment **ret);

// Chains (store_chain.c).  All read the index; the caller holds the lock.

// addin__chain_index fills @s->by_kind from @s->entries.  ADDIN_ENOMEM.
addin_err addin__chain_index(addin_store *s);
// addin__chain_index_clear empties @s->by_kind.
void addin__chain_index_clear(addin_store *s);
// addin__chain_warnings adds to @w one warning per segment whose own link
// (its contract, its add-in view) is missing.
void addin__chain_warnings(addin_store *s, addin_warnings *w);
// addin__chain_find is addin_store_find on an updated store.
addin_err addin__chain_find(const addin_store *s, const char *view,
                            const char *vhash, addin_token_list **ret);
// addin__chain_token makes the token of add-in @a for host view @view
// (@vhash may be NULL), or says which link is missing (ADDIN_ENOTFOUND).
addin_err addin__chain_token(const addin_store *s, addin__segment *a,
                             const char *view, const char *vhash,
                             addin_token **ret);

// Warnings (store_warnings.c).
ADDIN_PRIVATE addin_warnings *addin__warnings_new(void);
// addin__warn appends a warning about @path; on ENOMEM the warning is lost
// and ADDIN_ENOMEM returned.
ADDIN_PRIVATE addin_err addin__warn(addin_warnings *w, const char *path,
                                    const char *fmt, ...) ADDIN_PRINTF(3, 4);
// addin__warnings_sort orders @w by path, then message.
ADDIN_PRIVATE void addin__warnings_sort(addin_warnings *w);

// Tokens (store_token.c).  addin__token_new takes a reference to each of
// the four segments.
ADDIN_PRIVATE addin_err
addin__token_new(addin__segment *const seg[ADDIN_SEGMENT_KINDS], size_t chains,
                 bool direct, addin_token **ret);
// addin__token_cmp orders tokens by name, version, location, host view.
ADDIN_PRIVATE int addin__token_cmp(const addin_token *a, const addin_token *b);
// addin__version_cmp compares version strings, numeric runs as numbers.
ADDIN_PRIVATE int addin__version_cmp(const char *a, const char *b);

// The cache (store_cache.c; the layout is store_cache.proto's).  Both take
// the pipeline directory open on @pfd and its fstat @pst.

// addin__cache_load reads the cache into @ret (sorted by rel).  Returns
// ADDIN_OK; ADDIN_ENOTFOUND when there is no cache; ADDIN_ECORRUPT when the
// cache is corrupt, foreign, of another format or untrusted, after adding a
// warning about it to @w; ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err addin__cache_load(addin_store *s, int pfd,
                                          const struct stat *pst,
                                          addin__entries    *ret,
                                          addin_warnings    *w);

// addin__cache_decode is what addin__cache_load does with the bytes of a
// cache file it trusts by owner and mode: it decodes the @len bytes at
// @data as a cache written for the directory @pst, checking the magic,
// format, directory, length and checksum, then decodes the entries with the
// bounded decoder and checks each like a fresh record (segments located in
// @dir).  Returns ADDIN_OK and @ret (sorted by rel); ADDIN_ECORRUPT with
// the reason in @why ("corrupt cache (checksum mismatch)", "cache format
// 1, this Bulkhead reads format 2", ...), @ret then empty; ADDIN_ENOMEM.
// No I/O: the entry point for a fuzz target of the cache.
ADDIN_PRIVATE addin_err addin__cache_decode(const uint8_t *data, size_t len,
                                            const struct stat *pst,
                                            const char        *dir,
                                            addin__entries *ret, char *why,
                                            size_t wlen);

// addin__cache_write writes @e as the new cache, atomically (temporary file,
// fsync, rename, fsync of the directory).  The caller holds the lock.
ADDIN_PRIVATE addin_err addin__cache_write(int pfd, const struct stat *pst,
                                           const addin__entries *e);

// addin__cache_checksum is the checksum of the cache's entries (64 bits
// over little-endian words; detects corruption, not malice).
ADDIN_PRIVATE uint64_t addin__cache_checksum(const void *data, size_t n);

// addin__cache_lock takes the exclusive lock on the pipeline directory's
// lock file, waiting at most @timeout_ms.  Returns ADDIN_OK and the lock's
// descriptor (close it to release); ADDIN_ETIMEDOUT; ADDIN_EPERM when the
// lock file cannot be opened or created (read-only directory).
ADDIN_PRIVATE addin_err addin__cache_lock(int pfd, int timeout_ms,
                                          int *ret_fd);

#endif // ADDIN_STORE_IMPL_H
