// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// store_impl.h: the insides of the add-in store (store.c: scanning, chains,
// the public store API; store_cache.c: the cache file and its lock;
// store_token.c: tokens, token lists and warnings).

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

// Entries (store.c).
ADDIN_PRIVATE void addin__entries_clear(addin__entries *e);
// addin__entries_push appends a zeroed entry and returns it, or NULL.
ADDIN_PRIVATE addin__entry *addin__entries_push(addin__entries *e);
// addin__entries_find returns the entry for @rel in the sorted @e, or NULL.
ADDIN_PRIVATE addin__entry *addin__entries_find(const addin__entries *e,
                                                const char           *rel);

// addin__store_stats copies what the last update did.
ADDIN_PRIVATE void addin__store_stats(addin_store               *s,
                                      struct addin__store_stats *ret);

// Warnings (store_token.c).
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

// The cache (store_cache.c).  Both take the pipeline directory open on @pfd
// and its fstat @pst.

// addin__cache_load reads the cache into @ret (sorted by rel).  Returns
// ADDIN_OK; ADDIN_ENOTFOUND when there is no cache; ADDIN_ECORRUPT when the
// cache is corrupt, foreign or untrusted, after adding a warning about it to
// @w; ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err addin__cache_load(addin_store *s, int pfd,
                                          const struct stat *pst,
                                          addin__entries    *ret,
                                          addin_warnings    *w);

// addin__cache_write writes @e as the new cache, atomically (temporary file,
// fsync, rename, fsync of the directory).  The caller holds the lock.
ADDIN_PRIVATE addin_err addin__cache_write(int pfd, const struct stat *pst,
                                           const addin__entries *e);

// addin__cache_checksum is the checksum of the cache's payload (64 bits over
// little-endian words; detects corruption, not malice).
ADDIN_PRIVATE uint64_t addin__cache_checksum(const void *data, size_t n);

// addin__cache_lock takes the exclusive lock on the pipeline directory's
// lock file, waiting at most @timeout_ms.  Returns ADDIN_OK and the lock's
// descriptor (close it to release); ADDIN_ETIMEDOUT; ADDIN_EPERM when the
// lock file cannot be opened or created (read-only directory).
ADDIN_PRIVATE addin_err addin__cache_lock(int pfd, int timeout_ms,
                                          int *ret_fd);

#endif // ADDIN_STORE_IMPL_H
