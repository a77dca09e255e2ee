// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#ifndef ADDIN_STORE_H
#define ADDIN_STORE_H

// The add-in store: discovery of add-ins in a pipeline directory.
//
// A pipeline directory holds the deployed segments, one shared library each:
//
//     PIPELINE/contracts/*.so          contract segments
//     PIPELINE/host-adapters/*.so      host-side adapters (host view ->
//                                      contract)
//     PIPELINE/addin-adapters/*.so     add-in-side adapters (contract ->
//                                      add-in view)
//     PIPELINE/addins/<name>/*.so      add-ins, one folder each; a folder
//                                      may also hold the add-in's other
//                                      files
//     PIPELINE/.bulkhead-cache         the store's cache (written by the
//                                      store)
//     PIPELINE/.bulkhead-cache.lock    serialises updaters (flock)
//
// Discovery reads the metadata record each segment carries in its ELF section
// "addin_segment" (see addin/segment.h) straight from the file: it never
// loads or runs segment code.  It builds every chain
//
//     host view -> host adapter -> contract -> add-in adapter
//               -> add-in view -> add-in
//
// whose ids and hashes agree, and describes each usable add-in with a token,
// without loading it.  Problems with segments come back as warnings, each
// naming the file and the problem.  docs/architecture.md ("Pipeline directory
// and discovery") gives the rules in full.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addin/api.h"
#include "addin/err.h"
#include "addin/segment.h"

#ifdef __cplusplus
extern "C" {
#endif

// addin_segment_kind and ADDIN_SEGMENT_KINDS are in addin/segment.h.

// addin_segment_kind_name returns the metadata spelling of @kind
// ("host-adapter", "contract", "addin-adapter", "addin"), or NULL for a value
// out of range.  Static string.  Thread-safe.
ADDIN_API const char *addin_segment_kind_name(addin_segment_kind kind);

// The names of the store's own files in the pipeline directory.  Names that
// start with a dot are never taken for segments.
#define ADDIN_STORE_CACHE_FILE ".bulkhead-cache"
#define ADDIN_STORE_LOCK_FILE  ".bulkhead-cache.lock"

typedef struct addin_store      addin_store;
typedef struct addin_token      addin_token;
typedef struct addin_token_list addin_token_list;
typedef struct addin_warnings   addin_warnings;

// Flags of addin_store_config.
//
// ADDIN_STORE_NO_CACHE: neither read nor write the cache; every update reads
// every segment.  ADDIN_STORE_READ_ONLY: read the cache when it is valid, but
// never write to the pipeline directory (no lock file, no cache file), e.g.
// for a pipeline directory the host may not write.
#define ADDIN_STORE_NO_CACHE  0x1u
#define ADDIN_STORE_READ_ONLY 0x2u

// addin_store_config configures a store.  Always initialise with
// ADDIN_STORE_CONFIG_INIT.
typedef struct addin_store_config {
	uint32_t abi_version; // 1
	uint32_t flags;       // ADDIN_STORE_* flags
	// lock_timeout_ms is how long an update waits for another process
	// updating the same pipeline directory.  When it expires the update
	// goes on without writing the cache (and says so in a warning).
	int   lock_timeout_ms;
	void *reserved[4];
} addin_store_config;

#define ADDIN_STORE_CONFIG_INIT                                         \
	{                                                               \
		.abi_version = 1, .flags = 0, .lock_timeout_ms = 10000, \
		.reserved = {                                           \
			0                                               \
		}                                                       \
	}

// addin_store_create opens a store on the pipeline directory @dir.  It only
// checks that @dir is a directory and remembers its canonical absolute path;
// nothing is read until the first update or find.  @cfg may be NULL for the
// defaults.  Returns ADDIN_EINVAL (NULL argument, unknown config version or
// flags), ADDIN_ENOTFOUND when @dir does not exist or is not a directory,
// ADDIN_EPERM when it cannot be accessed, ADDIN_ENOMEM, ADDIN_ESYSERR.  On
// success *@ret_store is owned by the caller (addin_store_destroy).
// Thread-safe.
ADDIN_API addin_err addin_store_create(const char               *dir,
                                       const addin_store_config *cfg,
                                       addin_store             **ret_store)
    ADDIN_NONNULL(1, 3);

// addin_store_destroy closes @store.  Tokens found through it stay valid.
// Accepts NULL.  Not to be called while another thread uses @store.
ADDIN_API void addin_store_destroy(addin_store *store);

// addin_store_dir returns the canonical absolute path of @store's pipeline
// directory.  The string lives as long as @store.  Thread-safe.
ADDIN_API const char *addin_store_dir(const addin_store *store)
    ADDIN_NONNULL(1);

// addin_store_update brings @store up to date with its pipeline directory,
// incrementally: it loads the cache and re-reads only segment files whose
// (device, inode, size, mtime, ctime) changed since the cache was written
// (and files changed too recently to tell, see docs/architecture.md), then
// writes the cache back atomically if anything changed.  A corrupt, foreign
// or untrusted cache is ignored and rewritten, with a warning.  Every problem
// found (a broken or unsafe segment, a chain that cannot be completed, a cache
// that could not be used or written) is a warning, not an error.
//
// Returns ADDIN_OK; ADDIN_EINVAL when @store is NULL; ADDIN_ENOTFOUND when
// the pipeline directory has gone; ADDIN_EPERM when it cannot be opened;
// ADDIN_ENOMEM; ADDIN_ESYSERR.  A
// pipeline directory that others could have written (it, or a directory
// above it) is a warning, and nothing in it is used.  On success, when
// @ret_warnings is not NULL, *@ret_warnings receives the warnings (possibly
// none), owned by the caller (addin_warnings_destroy).  Thread-safe: calls on
// one store are serialised, and processes updating the same directory take
// turns (flock on ADDIN_STORE_LOCK_FILE).
ADDIN_API addin_err addin_store_update(addin_store     *store,
                                       addin_warnings **ret_warnings)
    ADDIN_NONNULL(1);

// addin_store_rebuild is addin_store_update ignoring the cache: every segment
// is read again, and the cache is rewritten.  Same errors, ownership and
// thread-safety.
ADDIN_API addin_err addin_store_rebuild(addin_store     *store,
                                        addin_warnings **ret_warnings)
    ADDIN_NONNULL(1);

// addin_store_find finds the add-ins a host compiled against host view
// @host_view_id can use: one token per add-in that a complete chain connects
// to that view.  @host_view_hash, when not NULL, must also equal the host
// adapter's host-view-hash.  A NULL @host_view_id finds the add-ins for every
// host view that some deployed host adapter implements (an add-in reachable
// from two host views then has two tokens); @host_view_hash must then be
// NULL.  Tokens come in a deterministic
// order: by name, then version (numeric runs compared as numbers), then
// location, then host view id.  The result reflects the last update; a store
// never updated is updated first (its warnings are dropped).
//
// Returns ADDIN_OK (an empty list when nothing fits), ADDIN_EINVAL,
// ADDIN_ENOMEM, or an error of addin_store_update.  On success
// *@ret_tokens is owned by the caller (addin_token_list_destroy).
// Thread-safe.
ADDIN_API addin_err addin_store_find(addin_store       *store,
                                     const char        *host_view_id,
                                     const char        *host_view_hash,
                                     addin_token_list **ret_tokens)
    ADDIN_NONNULL(1, 4);

// addin_store_find_addin is the seed's FindAddIn: it reads the add-in
// library at @path (anywhere, not only under addins/; relative paths are
// relative to the working directory) and connects it to host view
// @host_view_id (@host_view_hash as for addin_store_find; may be NULL)
// through the segments of @store's pipeline directory.  @path is made
// canonical first (realpath: links in it are resolved, and the token names
// the real file); the file and every directory from "/" down to it must
// then pass the same safety checks as discovered segments (docs/security.md,
// "Who could have written a file").
//
// Returns ADDIN_OK; ADDIN_EINVAL; ADDIN_ENOTFOUND when @path does not exist,
// has no add-in record, or no chain connects it to the host view (the
// message says which link is missing); ADDIN_ESEGMENT when the file is not a
// valid segment (the message says why); ADDIN_EPERM when it or its directory
// is unsafe (writable by others, foreign owner) or unreadable; ADDIN_EBUSY
// when the file was replaced while it was read (look again); ADDIN_ENOMEM;
// an error of addin_store_update when the store had never been updated.  On
// success *@ret_token is owned by the caller (addin_token_unref).
// Thread-safe.
ADDIN_API addin_err addin_store_find_addin(addin_store  *store,
                                           const char   *path,
                                           const char   *host_view_id,
                                           const char   *host_view_hash,
                                           addin_token **ret_token)
    ADDIN_NONNULL(1, 2, 3, 5);

// Warnings: what an update found wrong.  Each warning names a file (an
// absolute path) and the problem.

// addin_warnings_count returns the number of warnings in @w; 0 for NULL.
ADDIN_API size_t addin_warnings_count(const addin_warnings *w);

// addin_warnings_path returns the absolute path of the file (or directory)
// warning @i is about, or NULL when @i is out of range.  The strings of a
// warning list live as long as the list.  Thread-safe (the list is
// immutable).
ADDIN_API const char *addin_warnings_path(const addin_warnings *w, size_t i);

// addin_warnings_message returns the problem of warning @i without the path,
// e.g. "not an ELF file", or NULL when @i is out of range.
ADDIN_API const char *addin_warnings_message(const addin_warnings *w,
                                             size_t                i);

// addin_warnings_text returns warning @i as one line, "PATH: MESSAGE", or
// NULL when @i is out of range.
ADDIN_API const char *addin_warnings_text(const addin_warnings *w, size_t i);

// addin_warnings_destroy frees @w.  Accepts NULL.
ADDIN_API void addin_warnings_destroy(addin_warnings *w);

// Token lists.

// addin_token_list_count returns the number of tokens in @list; 0 for NULL.
ADDIN_API size_t addin_token_list_count(const addin_token_list *list);

// addin_token_list_get returns token @i of @list, or NULL when @i is out of
// range.  The token is borrowed from the list: take a reference
// (addin_token_ref) to keep it after the list is destroyed.  Thread-safe.
ADDIN_API addin_token *addin_token_list_get(const addin_token_list *list,
                                            size_t                  i);

// addin_token_list_destroy frees @list and drops its references to its
// tokens.  Accepts NULL.
ADDIN_API void addin_token_list_destroy(addin_token_list *list);

// Tokens.  A token describes one add-in and the chain of segments that
// connects it to one host view, as discovery read them; it does not load
// anything.  Tokens are immutable and reference-counted, independent of the
// store and list they came from, and safe to share between threads.  Every
// string a token returns lives as long as the token.  The accessors accept
// only a valid token (they do not check for NULL).

// addin_token_ref adds a reference to @tok and returns it.  Accepts NULL.
// Thread-safe.
ADDIN_API addin_token *addin_token_ref(addin_token *tok);

// addin_token_unref drops a reference to @tok and frees it with the last one.
// Accepts NULL.  Always returns NULL.  Thread-safe.
ADDIN_API addin_token *addin_token_unref(addin_token *tok);

// The add-in's own metadata, from its record; "" when the record does not
// say.  Thread-safe; the strings live as long as @tok.
//
// addin_token_name returns the add-in's name (never empty).
ADDIN_API const char *addin_token_name(const addin_token *tok)
    ADDIN_NONNULL(1);
// addin_token_version returns the add-in's version string.
ADDIN_API const char *addin_token_version(const addin_token *tok)
    ADDIN_NONNULL(1);
// addin_token_publisher returns the add-in's publisher.
ADDIN_API const char *addin_token_publisher(const addin_token *tok)
    ADDIN_NONNULL(1);
// addin_token_description returns the add-in's description.
ADDIN_API const char *addin_token_description(const addin_token *tok)
    ADDIN_NONNULL(1);

// addin_token_location returns the absolute path of the add-in library.
ADDIN_API const char *addin_token_location(const addin_token *tok)
    ADDIN_NONNULL(1);

// addin_token_path returns the absolute path of the chain's segment of
// @kind: the host adapter, the contract, the add-in adapter or the add-in
// (the same as addin_token_location).  NULL for a @kind out of range.
ADDIN_API const char *addin_token_path(const addin_token *tok,
                                       addin_segment_kind kind)
    ADDIN_NONNULL(1);

// addin_token_segment_meta returns the value of metadata key @key (as in
// addin/segment.h: "name", "version", "publisher", "description",
// "contract", "contract-hash", "host-view", "host-view-hash", "addin-view",
// "addin-view-hash", or "q.<key>") in the record of the chain's segment of
// @kind, or NULL when that record has no such key or @kind is out of range.
// Repeatable keys ("needs") and unknown keys are not available here.
ADDIN_API const char *addin_token_segment_meta(const addin_token *tok,
                                               addin_segment_kind kind,
                                               const char        *key)
    ADDIN_NONNULL(1, 3);

// The identities along the chain.  The host view is the one the host adapter
// implements (its id equals the one asked for; its hash is the host
// adapter's host-view-hash).  The contract is the one the host adapter, the
// contract segment and the add-in adapter agree on.  The add-in view is the
// one the add-in adapter and the add-in agree on.  Never NULL.  Thread-safe;
// the strings live as long as @tok.
//
// addin_token_host_view_id returns the host view's id.
ADDIN_API const char *addin_token_host_view_id(const addin_token *tok)
    ADDIN_NONNULL(1);
// addin_token_host_view_hash returns the host view's hash.
ADDIN_API const char *addin_token_host_view_hash(const addin_token *tok)
    ADDIN_NONNULL(1);
// addin_token_contract_id returns the contract's id.
ADDIN_API const char *addin_token_contract_id(const addin_token *tok)
    ADDIN_NONNULL(1);
// addin_token_contract_hash returns the contract's hash.
ADDIN_API const char *addin_token_contract_hash(const addin_token *tok)
    ADDIN_NONNULL(1);
// addin_token_addin_view_id returns the add-in view's id.
ADDIN_API const char *addin_token_addin_view_id(const addin_token *tok)
    ADDIN_NONNULL(1);
// addin_token_addin_view_hash returns the add-in view's hash.
ADDIN_API const char *addin_token_addin_view_hash(const addin_token *tok)
    ADDIN_NONNULL(1);

// addin_token_direct_connect_possible is true when the add-in's add-in view
// (id and hash) is the host view itself, so that activation may connect
// host and add-in directly, without adapters (the seed's
// EnableDirectConnect).  Whether to do so is activation's decision.
ADDIN_API bool addin_token_direct_connect_possible(const addin_token *tok)
    ADDIN_NONNULL(1);

// addin_token_chain_count returns how many complete chains connect this
// add-in to the host view.  When there are several, the token carries the
// one whose (host adapter, contract, add-in adapter) paths are smallest in
// byte order, so the choice is the same on every run.
ADDIN_API size_t addin_token_chain_count(const addin_token *tok)
    ADDIN_NONNULL(1);

// Qualification data (the seed's QualificationData): free key/value pairs
// each segment declares with ADDIN_QUALIFY(); keys without the "q." prefix.
//
// addin_token_qualification returns the value of @key in the qualification
// data of the chain's segment of @kind, or NULL when absent.
ADDIN_API const char *addin_token_qualification(const addin_token *tok,
                                                addin_segment_kind kind,
                                                const char        *key)
    ADDIN_NONNULL(1, 3);

// addin_token_qualification_count returns the number of qualification pairs
// of the segment of @kind (0 for a @kind out of range).
ADDIN_API size_t addin_token_qualification_count(const addin_token *tok,
                                                 addin_segment_kind kind)
    ADDIN_NONNULL(1);

// addin_token_qualification_at gives pair @i (in byte order of the keys) of
// the segment of @kind.  Returns ADDIN_EINVAL when @kind or @i is out of
// range.  The outputs are written only on success.
ADDIN_API addin_err addin_token_qualification_at(
    const addin_token *tok, addin_segment_kind kind, size_t i,
    const char **ret_key, const char **ret_value) ADDIN_NONNULL(1, 4, 5);

// addin_token_needs_count returns the number of sandbox grants the add-in
// declared with ADDIN_NEEDS(); addin_token_needs_at returns grant @i (in
// declaration order, duplicates removed), or NULL when @i is out of range.
// The host decides whether to give them.
ADDIN_API size_t addin_token_needs_count(const addin_token *tok)
    ADDIN_NONNULL(1);
ADDIN_API const char *addin_token_needs_at(const addin_token *tok, size_t i)
    ADDIN_NONNULL(1);

#ifdef __cplusplus
}
#endif

#endif // ADDIN_STORE_H
