// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The store against pipeline directories built at run time from minimal
// ELF files (elf_testing.h): chains, tokens, the cache and its trust rules,
// incremental updates.  tests/discovery does the same with real compiled
// segment libraries and hostile files.

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addin_test.h"
#include "cursor.h"
#include "elf_testing.h"
#include "store_impl.h"

static char pipe_dir[64];

static void
path_of(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", pipe_dir, rel);
}

static void
mkdir_rel(const char *rel)
{
	char p[256];
	path_of(p, sizeof(p), rel);
	ADDIN_CHECKF(mkdir(p, 0755) == 0 || errno == EEXIST, "mkdir %s", p);
	ADDIN_CHECK(chmod(p, 0755) == 0);
}

static void rmpipe(void);

// mkpipe makes a fresh pipeline directory with the four layout directories
// (removing the case's previous one).
static void
mkpipe(void)
{
	rmpipe();
	snprintf(pipe_dir, sizeof(pipe_dir), "/tmp/addin-store-XXXXXX");
	ADDIN_CHECK(mkdtemp(pipe_dir) != NULL);
	ADDIN_CHECK(chmod(pipe_dir, 0755) == 0);
	mkdir_rel("contracts");
	mkdir_rel("host-adapters");
	mkdir_rel("addin-adapters");
	mkdir_rel("addins");
}

// rmpipe removes the pipeline directory of the case.
static void
rmpipe(void)
{
	char cmd[128];
	if (pipe_dir[0] == '\0') {
		return;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", pipe_dir);
	ADDIN_CHECK(system(cmd) == 0);
	pipe_dir[0] = '\0';
}

// put_seg writes a segment file at @rel whose section holds one record
// with the key/value pairs @kv.
static void
put_seg(const char *rel, const char *const *kv)
{
	char   p[256], rec[4096];
	size_t n = 0;
	path_of(p, sizeof(p), rel);
	ADDIN_CHECK(et_record(rec, sizeof(rec), &n, kv) != 0);
	ADDIN_CHECKF(et_write_so(p, ADDIN_SEGMENT_SECTION, rec, n) == 0,
	             "write %s", p);
}

#define SEG(rel, ...) put_seg(rel, (const char *[]) {__VA_ARGS__, NULL})

#define H1 "c1c1c1"
#define H2 "d2d2d2"

static void
contract(const char *rel, const char *id, const char *hash)
{
	SEG(rel, "kind", "contract", "name", "contract", "contract", id,
	    "contract-hash", hash, "q.wire", "proto");
}

static void
host_adapter(const char *rel, const char *view, const char *vhash,
             const char *id, const char *hash)
{
	SEG(rel, "kind", "host-adapter", "host-view", view, "host-view-hash",
	    vhash, "contract", id, "contract-hash", hash, "q.side", "host");
}

static void
addin_adapter(const char *rel, const char *id, const char *hash,
              const char *view, const char *vhash)
{
	SEG(rel, "kind", "addin-adapter", "contract", id, "contract-hash",
	    hash, "addin-view", view, "addin-view-hash", vhash);
}

static void
addin(const char *rel, const char *name, const char *version, const char *view,
      const char *vhash)
{
	char dir[256], *slash;
	snprintf(dir, sizeof(dir), "%s", rel);
	slash  = strrchr(dir, '/');
	*slash = '\0';
	mkdir_rel(dir);
	SEG(rel, "kind", "addin", "name", name, "version", version,
	    "publisher", "Acme", "description", "adds", "addin-view", view,
	    "addin-view-hash", vhash, "q.culture", "en", "q.area", "math",
	    "needs", "scratch", "needs", "read-own-dir");
}

// calc_pipeline deploys one complete chain for host view calc.v1.Calc.
static void
calc_pipeline(void)
{
	mkpipe();
	contract("contracts/calc.so", "calc.v1.Calc", H1);
	host_adapter("host-adapters/calc.so", "calc.v1.Calc", H1,
	             "calc.v1.Calc", H1);
	addin_adapter("addin-adapters/calc.so", "calc.v1.Calc", H1,
	              "calc.v1.Calc", H1);
	addin("addins/calc/libcalc.so", "Calc", "1.2.0", "calc.v1.Calc", H1);
}

static addin_store *
open_store(uint32_t flags)
{
	addin_store_config cfg = ADDIN_STORE_CONFIG_INIT;
	addin_store       *s;
	cfg.flags = flags;
	ADDIN_PASS(addin_store_create(pipe_dir, &cfg, &s));
	return s;
}

static size_t
update(addin_store *s, struct addin__store_stats *st)
{
	addin_warnings *w;
	size_t          n;
	ADDIN_PASS(addin_store_update(s, &w));
	n = addin_warnings_count(w);
	for (size_t i = 0; i < n; i++) {
		printf("  warning: %s\n", addin_warnings_text(w, i));
	}
	addin_warnings_destroy(w);
	if (st != NULL) {
		addin__store_stats(s, st);
	}
	return n;
}

// expect_warning updates @s and checks that exactly one warning came back,
// about @rel (NULL: the pipeline directory), containing @text.
static void
expect_warning(addin_store *s, const char *rel, const char *text)
{
	addin_warnings *w;
	char            p[256];
	ADDIN_PASS(addin_store_update(s, &w));
	for (size_t i = 0; i < addin_warnings_count(w); i++) {
		printf("  warning: %s\n", addin_warnings_text(w, i));
	}
	ADDIN_CHECK_INT(addin_warnings_count(w), ==, 1);
	if (rel == NULL) {
		snprintf(p, sizeof(p), "%s", pipe_dir);
	} else {
		path_of(p, sizeof(p), rel);
	}
	ADDIN_CHECK_STR(addin_warnings_path(w, 0), p);
	ADDIN_CHECK_CONTAINS(addin_warnings_message(w, 0), text);
	ADDIN_CHECK_CONTAINS(addin_warnings_text(w, 0), p);
	addin_warnings_destroy(w);
}

static size_t
count_found(addin_store *s, const char *view)
{
	addin_token_list *l;
	size_t            n;
	ADDIN_PASS(addin_store_find(s, view, NULL, &l));
	n = addin_token_list_count(l);
	addin_token_list_destroy(l);
	return n;
}

// settle waits until files just written are no longer "racily clean".
static void
settle(void)
{
	struct timespec ts = {2, 200 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

static void
test_find_complete_chain(void)
{
	addin_store      *s;
	addin_token_list *l;
	addin_token      *t;
	const char       *k, *v;
	char              p[256];

	calc_pipeline();
	s = open_store(0);
	ADDIN_CHECK_INT(update(s, NULL), ==, 0);
	ADDIN_PASS(addin_store_find(s, "calc.v1.Calc", H1, &l));
	ADDIN_CHECK_INT(addin_token_list_count(l), ==, 1);
	t = addin_token_list_get(l, 0);
	ADDIN_CHECK(addin_token_list_get(l, 1) == NULL);
	ADDIN_CHECK_STR(addin_token_name(t), "Calc");
	ADDIN_CHECK_STR(addin_token_version(t), "1.2.0");
	ADDIN_CHECK_STR(addin_token_publisher(t), "Acme");
	ADDIN_CHECK_STR(addin_token_description(t), "adds");
	path_of(p, sizeof(p), "addins/calc/libcalc.so");
	ADDIN_CHECK_STR(addin_token_location(t), p);
	ADDIN_CHECK_STR(addin_token_path(t, ADDIN_SEGMENT_ADDIN), p);
	path_of(p, sizeof(p), "host-adapters/calc.so");
	ADDIN_CHECK_STR(addin_token_path(t, ADDIN_SEGMENT_HOST_ADAPTER), p);
	path_of(p, sizeof(p), "contracts/calc.so");
	ADDIN_CHECK_STR(addin_token_path(t, ADDIN_SEGMENT_CONTRACT), p);
	path_of(p, sizeof(p), "addin-adapters/calc.so");
	ADDIN_CHECK_STR(addin_token_path(t, ADDIN_SEGMENT_ADDIN_ADAPTER), p);
	ADDIN_CHECK(addin_token_path(t, (addin_segment_kind) 9) == NULL);
	ADDIN_CHECK_STR(addin_token_host_view_id(t), "calc.v1.Calc");
	ADDIN_CHECK_STR(addin_token_host_view_hash(t), H1);
	ADDIN_CHECK_STR(addin_token_contract_id(t), "calc.v1.Calc");
	ADDIN_CHECK_STR(addin_token_contract_hash(t), H1);
	ADDIN_CHECK_STR(addin_token_addin_view_id(t), "calc.v1.Calc");
	ADDIN_CHECK_STR(addin_token_addin_view_hash(t), H1);
	ADDIN_CHECK(addin_token_direct_connect_possible(t));
	ADDIN_CHECK_INT(addin_token_chain_count(t), ==, 1);
	ADDIN_CHECK_STR(
	    addin_token_qualification(t, ADDIN_SEGMENT_ADDIN, "culture"),
	    "en");
	ADDIN_CHECK_STR(
	    addin_token_qualification(t, ADDIN_SEGMENT_CONTRACT, "wire"),
	    "proto");
	ADDIN_CHECK_STR(
	    addin_token_qualification(t, ADDIN_SEGMENT_HOST_ADAPTER, "side"),
	    "host");
	ADDIN_CHECK(addin_token_qualification(t, ADDIN_SEGMENT_ADDIN, "x") ==
	            NULL);
	ADDIN_CHECK_INT(
	    addin_token_qualification_count(t, ADDIN_SEGMENT_ADDIN), ==, 2);
	ADDIN_PASS(
	    addin_token_qualification_at(t, ADDIN_SEGMENT_ADDIN, 0, &k, &v));
	ADDIN_CHECK_STR(k, "area");
	ADDIN_CHECK_STR(v, "math");
	ADDIN_FAIL(
	    addin_token_qualification_at(t, ADDIN_SEGMENT_ADDIN, 2, &k, &v),
	    ADDIN_EINVAL);
	ADDIN_CHECK_INT(addin_token_needs_count(t), ==, 2);
	ADDIN_CHECK_STR(addin_token_needs_at(t, 0), "scratch");
	ADDIN_CHECK_STR(addin_token_needs_at(t, 1), "read-own-dir");
	ADDIN_CHECK(addin_token_needs_at(t, 2) == NULL);
	ADDIN_CHECK_STR(addin_token_segment_meta(t, ADDIN_SEGMENT_CONTRACT,
	                                         "contract-hash"),
	                H1);
	ADDIN_CHECK_STR(
	    addin_token_segment_meta(t, ADDIN_SEGMENT_ADDIN, "q.area"),
	    "math");
	addin_token_list_destroy(l);

	// A hash the host adapter does not have, another view: nothing.
	ADDIN_PASS(addin_store_find(s, "calc.v1.Calc", H2, &l));
	ADDIN_CHECK_INT(addin_token_list_count(l), ==, 0);
	addin_token_list_destroy(l);
	ADDIN_CHECK_INT(count_found(s, "other.v1.View"), ==, 0);
	ADDIN_FAIL(addin_store_find(s, NULL, H1, &l), ADDIN_EINVAL);
	addin_store_destroy(s);
	rmpipe();
}

static void
test_tokens_outlive_store(void)
{
	addin_store      *s;
	addin_token_list *l;
	addin_token      *t;

	calc_pipeline();
	s = open_store(0);
	// find on a store never updated updates it first.
	ADDIN_PASS(addin_store_find(s, "calc.v1.Calc", NULL, &l));
	t = addin_token_ref(addin_token_list_get(l, 0));
	ADDIN_CHECK(t != NULL);
	addin_token_list_destroy(l);
	addin_store_destroy(s);
	ADDIN_CHECK_STR(addin_token_name(t), "Calc");
	ADDIN_CHECK_STR(addin_token_contract_id(t), "calc.v1.Calc");
	ADDIN_CHECK(addin_token_unref(t) == NULL);
	ADDIN_CHECK(addin_token_unref(NULL) == NULL);
	ADDIN_CHECK(addin_token_ref(NULL) == NULL);
	rmpipe();
}

// check_token checks the add-in location, host view and chosen host and
// add-in adapters of token @i of @l (NULL: not checked).
static void
check_token(addin_token_list *l, size_t i, const char *loc, const char *view,
            const char *ha, const char *aa)
{
	addin_token *t = addin_token_list_get(l, i);
	char         p[256];

	ADDIN_CHECK(t != NULL);
	if (loc != NULL) {
		path_of(p, sizeof(p), loc);
		ADDIN_CHECK_STR(addin_token_location(t), p);
	}
	if (view != NULL) {
		ADDIN_CHECK_STR(addin_token_host_view_id(t), view);
	}
	if (ha != NULL) {
		path_of(p, sizeof(p), ha);
		ADDIN_CHECK_STR(
		    addin_token_path(t, ADDIN_SEGMENT_HOST_ADAPTER), p);
	}
	if (aa != NULL) {
		path_of(p, sizeof(p), aa);
		ADDIN_CHECK_STR(
		    addin_token_path(t, ADDIN_SEGMENT_ADDIN_ADAPTER), p);
	}
}

static void
test_order_and_choice(void)
{
	addin_store      *s;
	addin_token_list *l;

	calc_pipeline();
	// A second host view (v2) of the same contract, and more add-ins.
	host_adapter("host-adapters/calc2.so", "calc.v2.Calc", H2,
	             "calc.v1.Calc", H1);
	// Three chains to host view v1 for every add-in.  They are found in
	// the order of their add-in adapters (a-alt, calc, z-last) but
	// compared host adapter first, then contract, then add-in adapter:
	// the one through host-adapters/calc.so and addin-adapters/calc.so
	// wins, which is neither the first found nor the last.
	contract("contracts/alt.so", "calc.alt.Calc", H1);
	host_adapter("host-adapters/z-alt.so", "calc.v1.Calc", H1,
	             "calc.alt.Calc", H1);
	addin_adapter("addin-adapters/a-alt.so", "calc.alt.Calc", H1,
	              "calc.v1.Calc", H1);
	addin_adapter("addin-adapters/z-last.so", "calc.v1.Calc", H1,
	              "calc.v1.Calc", H1);
	addin("addins/z/z.so", "Calc", "1.10.0", "calc.v1.Calc", H1);
	addin("addins/y/y.so", "Calc", "1.9.0", "calc.v1.Calc", H1);
	// Same name and version: the location decides.
	addin("addins/x/x.so", "Calc", "1.9.0", "calc.v1.Calc", H1);
	addin("addins/b/b.so", "Abacus", "2", "calc.v1.Calc", H1);
	s = open_store(0);
	ADDIN_CHECK_INT(update(s, NULL), ==, 0);

	ADDIN_PASS(addin_store_find(s, "calc.v1.Calc", NULL, &l));
	ADDIN_CHECK_INT(addin_token_list_count(l), ==, 5);
	ADDIN_CHECK_STR(addin_token_name(addin_token_list_get(l, 0)),
	                "Abacus");
	ADDIN_CHECK_STR(addin_token_version(addin_token_list_get(l, 1)),
	                "1.2.0");
	ADDIN_CHECK_STR(addin_token_version(addin_token_list_get(l, 2)),
	                "1.9.0");
	ADDIN_CHECK_STR(addin_token_version(addin_token_list_get(l, 3)),
	                "1.9.0");
	ADDIN_CHECK_STR(addin_token_version(addin_token_list_get(l, 4)),
	                "1.10.0");
	check_token(l, 2, "addins/x/x.so", NULL, NULL, NULL);
	check_token(l, 3, "addins/y/y.so", NULL, NULL, NULL);
	for (size_t i = 0; i < 5; i++) {
		ADDIN_CHECK_INT(
		    addin_token_chain_count(addin_token_list_get(l, i)), ==,
		    3);
		check_token(l, i, NULL, NULL, "host-adapters/calc.so",
		            "addin-adapters/calc.so");
	}
	addin_token_list_destroy(l);

	// Every host view: v1 and v2 tokens, the v2 ones not direct.  The
	// two 1.9.0 add-ins stay apart: location comes before host view.
	ADDIN_PASS(addin_store_find(s, NULL, NULL, &l));
	ADDIN_CHECK_INT(addin_token_list_count(l), ==, 10);
	ADDIN_CHECK_STR(addin_token_host_view_id(addin_token_list_get(l, 0)),
	                "calc.v1.Calc");
	ADDIN_CHECK(
	    addin_token_direct_connect_possible(addin_token_list_get(l, 0)));
	ADDIN_CHECK_STR(addin_token_host_view_id(addin_token_list_get(l, 1)),
	                "calc.v2.Calc");
	ADDIN_CHECK_STR(addin_token_host_view_hash(addin_token_list_get(l, 1)),
	                H2);
	ADDIN_CHECK(
	    !addin_token_direct_connect_possible(addin_token_list_get(l, 1)));
	ADDIN_CHECK_INT(addin_token_chain_count(addin_token_list_get(l, 1)),
	                ==, 2);
	check_token(l, 1, NULL, NULL, "host-adapters/calc2.so",
	            "addin-adapters/calc.so");
	check_token(l, 4, "addins/x/x.so", "calc.v1.Calc", NULL, NULL);
	check_token(l, 5, "addins/x/x.so", "calc.v2.Calc", NULL, NULL);
	check_token(l, 6, "addins/y/y.so", "calc.v1.Calc", NULL, NULL);
	check_token(l, 7, "addins/y/y.so", "calc.v2.Calc", NULL, NULL);
	addin_token_list_destroy(l);
	addin_store_destroy(s);
	rmpipe();
}

static void
test_version_order(void)
{
	ADDIN_CHECK(addin__version_cmp("1.9", "1.10") < 0);
	ADDIN_CHECK(addin__version_cmp("1.10", "1.9") > 0);
	ADDIN_CHECK(addin__version_cmp("1.2.0", "1.2.0") == 0);
	ADDIN_CHECK(addin__version_cmp("1.2", "1.2.0") < 0);
	ADDIN_CHECK(addin__version_cmp("", "0") < 0);
	ADDIN_CHECK(addin__version_cmp("1.01", "1.1") != 0);
	ADDIN_CHECK(addin__version_cmp("2.0-beta", "2.0-alpha") > 0);
	ADDIN_CHECK(addin__version_cmp("10", "9") > 0);
	rmpipe();
}

static void
test_broken_chains(void)
{
	addin_store    *s;
	addin_warnings *w;
	char            p[256];

	calc_pipeline();
	// An add-in adapter for a contract that is not deployed.
	addin_adapter("addin-adapters/lost.so", "lost.v1.Lost", H1,
	              "lost.v1.Lost", H1);
	addin("addins/lost/lost.so", "Lost", "1", "lost.v1.Lost", H1);
	// A host adapter built against another text of the contract.
	host_adapter("host-adapters/stale.so", "calc.v1.Calc", H1,
	             "calc.v1.Calc", H2);
	// An add-in for a view nobody adapts.
	addin("addins/orphan/orphan.so", "Orphan", "1", "nobody.v1.View", H1);
	// An add-in built against another text of the add-in view.
	addin("addins/old/old.so", "Old", "1", "calc.v1.Calc", H2);

	s = open_store(0);
	ADDIN_PASS(addin_store_update(s, &w));
	for (size_t i = 0; i < addin_warnings_count(w); i++) {
		printf("  warning: %s\n", addin_warnings_text(w, i));
	}
	ADDIN_CHECK_INT(addin_warnings_count(w), ==, 4);
	// Sorted by path.
	path_of(p, sizeof(p), "addin-adapters/lost.so");
	ADDIN_CHECK_STR(addin_warnings_path(w, 0), p);
	ADDIN_CHECK_CONTAINS(addin_warnings_message(w, 0),
	                     "contract lost.v1.Lost is not deployed");
	path_of(p, sizeof(p), "addins/old/old.so");
	ADDIN_CHECK_STR(addin_warnings_path(w, 1), p);
	ADDIN_CHECK_CONTAINS(addin_warnings_message(w, 1),
	                     "add-in view calc.v1.Calc hash " H2);
	path_of(p, sizeof(p), "addins/orphan/orphan.so");
	ADDIN_CHECK_STR(addin_warnings_path(w, 2), p);
	ADDIN_CHECK_CONTAINS(
	    addin_warnings_message(w, 2),
	    "no add-in adapter for add-in view nobody.v1.View");
	path_of(p, sizeof(p), "host-adapters/stale.so");
	ADDIN_CHECK_STR(addin_warnings_path(w, 3), p);
	ADDIN_CHECK_CONTAINS(addin_warnings_message(w, 3),
	                     "contracts/calc.so has hash " H1);
	addin_warnings_destroy(w);
	ADDIN_CHECK_INT(count_found(s, "calc.v1.Calc"), ==, 1);
	addin_store_destroy(s);
	rmpipe();
}

static void
test_incremental(void)
{
	struct addin__store_stats st;
	addin_store              *s;

	calc_pipeline();
	addin("addins/two/two.so", "Two", "1", "calc.v1.Calc", H1);
	settle();
	s = open_store(0);
	ADDIN_CHECK_INT(update(s, &st), ==, 0);
	ADDIN_CHECK(!st.cache_loaded);
	ADDIN_CHECK(st.cache_written);
	ADDIN_CHECK_INT(st.files_seen, ==, 5);
	ADDIN_CHECK_INT(st.files_read, ==, 5);
	addin_store_destroy(s);

	// A new store (a new process, say): everything from the cache.
	s = open_store(0);
	ADDIN_CHECK_INT(update(s, &st), ==, 0);
	ADDIN_CHECK(st.cache_loaded);
	ADDIN_CHECK_INT(st.cache_entries, ==, 5);
	ADDIN_CHECK_INT(st.files_read, ==, 0);
	ADDIN_CHECK(!st.cache_written);
	ADDIN_CHECK_INT(count_found(s, "calc.v1.Calc"), ==, 2);

	// Change one add-in: only it is read again, and its new metadata
	// shows.
	addin("addins/two/two.so", "Two", "2", "calc.v1.Calc", H1);
	ADDIN_CHECK_INT(update(s, &st), ==, 0);
	ADDIN_CHECK_INT(st.files_read, ==, 1);
	ADDIN_CHECK(st.cache_written);
	{
		addin_token_list *l;
		ADDIN_PASS(addin_store_find(s, "calc.v1.Calc", NULL, &l));
		ADDIN_CHECK_STR(
		    addin_token_version(addin_token_list_get(l, 1)), "2");
		addin_token_list_destroy(l);
	}
	// Remove one: nothing is read, the cache shrinks.
	{
		char p[256];
		path_of(p, sizeof(p), "addins/two/two.so");
		ADDIN_CHECK(unlink(p) == 0);
	}
	ADDIN_CHECK_INT(update(s, &st), ==, 1); // the empty folder
	ADDIN_CHECK_INT(st.files_read, ==, 0);
	ADDIN_CHECK(st.cache_written);
	ADDIN_CHECK_INT(count_found(s, "calc.v1.Calc"), ==, 1);

	// rebuild reads everything.
	ADDIN_PASS(addin_store_rebuild(s, NULL));
	addin__store_stats(s, &st);
	ADDIN_CHECK_INT(st.files_read, ==, 4);
	ADDIN_CHECK(st.cache_written);
	addin_store_destroy(s);
	rmpipe();
}

static void
test_racy_files_reread(void)
{
	struct addin__store_stats st;
	addin_store              *s;

	calc_pipeline();
	s = open_store(0);
	ADDIN_CHECK_INT(update(s, &st), ==, 0);
	ADDIN_CHECK_INT(st.files_read, ==, 4);
	// Written a moment ago: a change within the same timestamp tick
	// would not show, so the cache does not vouch for them yet.
	ADDIN_CHECK_INT(update(s, &st), ==, 0);
	ADDIN_CHECK(st.cache_loaded);
	ADDIN_CHECK_INT(st.files_read, ==, 4);
	addin_store_destroy(s);
	rmpipe();
}

static void
test_same_size_rewrite_seen(void)
{
	struct addin__store_stats st;
	addin_store              *s;
	addin_token_list         *l;
	char                      p[256];
	struct stat               before;
	struct timespec           times[2];

	calc_pipeline();
	settle();
	s = open_store(0);
	ADDIN_CHECK_INT(update(s, &st), ==, 0);
	// Same size, mtime put back: only the ctime tells.
	path_of(p, sizeof(p), "addins/calc/libcalc.so");
	ADDIN_CHECK(stat(p, &before) == 0);
	addin("addins/calc/libcalc.so", "Cal2", "1.2.0", "calc.v1.Calc", H1);
	times[0] = before.st_atim;
	times[1] = before.st_mtim;
	ADDIN_CHECK(utimensat(AT_FDCWD, p, times, 0) == 0);
	ADDIN_CHECK_INT(update(s, &st), ==, 0);
	ADDIN_CHECK_INT(st.files_read, ==, 1);
	ADDIN_PASS(addin_store_find(s, "calc.v1.Calc", NULL, &l));
	ADDIN_CHECK_STR(addin_token_name(addin_token_list_get(l, 0)), "Cal2");
	addin_token_list_destroy(l);
	addin_store_destroy(s);
	rmpipe();
}

// cache_bytes reads the cache file.
static unsigned char *
cache_bytes(size_t *len)
{
	char           p[256];
	FILE          *f;
	unsigned char *buf;
	long           n;
	path_of(p, sizeof(p), ADDIN_STORE_CACHE_FILE);
	f = fopen(p, "rb");
	ADDIN_CHECK(f != NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t) n);
	ADDIN_CHECK(fread(buf, 1, (size_t) n, f) == (size_t) n);
	fclose(f);
	*len = (size_t) n;
	return buf;
}

static void
cache_put(const unsigned char *buf, size_t len)
{
	char  p[256];
	FILE *f;
	path_of(p, sizeof(p), ADDIN_STORE_CACHE_FILE);
	f = fopen(p, "wb");
	ADDIN_CHECK(f != NULL);
	ADDIN_CHECK(fwrite(buf, 1, len, f) == len);
	ADDIN_CHECK(fclose(f) == 0);
	ADDIN_CHECK(chmod(p, 0644) == 0);
}

// fresh_cache: a settled pipeline with a valid cache.
static void
fresh_cache(void)
{
	addin_store *s;
	calc_pipeline();
	s = open_store(0);
	ADDIN_CHECK_INT(update(s, NULL), ==, 0);
	addin_store_destroy(s);
}

// expect_cache_distrust: the next update warns about the cache with @text,
// still finds the add-in, and leaves a valid cache behind.
static void
expect_cache_distrust(const char *text)
{
	struct addin__store_stats st;
	addin_store              *s = open_store(0);
	expect_warning(s, ADDIN_STORE_CACHE_FILE, text);
	addin__store_stats(s, &st);
	ADDIN_CHECK(!st.cache_loaded);
	ADDIN_CHECK_INT(st.files_read, ==, 4);
	ADDIN_CHECK(st.cache_written);
	ADDIN_CHECK_INT(count_found(s, "calc.v1.Calc"), ==, 1);
	addin_store_destroy(s);
	s = open_store(0);
	ADDIN_CHECK_INT(update(s, &st), ==, 0);
	ADDIN_CHECK(st.cache_loaded);
	ADDIN_CHECK_INT(st.cache_entries, ==, 4);
	addin_store_destroy(s);
}

static void
test_cache_corrupt(void)
{
	size_t         len;
	unsigned char *b;

	fresh_cache();
	b = cache_bytes(&len);
	b[len / 2] ^= 0x40;
	cache_put(b, len);
	expect_cache_distrust("corrupt cache (checksum mismatch)");

	fresh_cache();
	free(b);
	b = cache_bytes(&len);
	cache_put(b, len - 3);
	expect_cache_distrust("corrupt cache (wrong length)");

	cache_put((const unsigned char *) "garbage, not a cache at all....."
	                                  "................",
	          48);
	expect_cache_distrust("bad magic");

	cache_put((const unsigned char *) "x", 1);
	expect_cache_distrust("corrupt cache (1 bytes)");
	free(b);
	rmpipe();
}

// put_framed writes a cache holding the entries bytes @body (@n bytes)
// behind a valid prefix and header for the case's directory, so that only
// the entries are wrong (store_cache.proto: "BHDCACHE", format 2, varint
// header length, Header { dir_dev = 1, dir_ino = 2, entries_size = 3,
// entries_checksum = 4 (fixed64) }).
static void
put_framed(const unsigned char *body, size_t n)
{
	unsigned char *f = malloc(64 + n);
	uint8_t        h[64];
	size_t         hn = 0, fn = 0;
	struct stat    st;
	uint64_t       sum = addin__cache_checksum(body, n);

	ADDIN_CHECK(f != NULL && stat(pipe_dir, &st) == 0);
	h[hn++] = 0x08;
	hn += addin__varint_put(h + hn, (uint64_t) st.st_dev);
	h[hn++] = 0x10;
	hn += addin__varint_put(h + hn, (uint64_t) st.st_ino);
	h[hn++] = 0x18;
	hn += addin__varint_put(h + hn, n);
	h[hn++] = 0x21;
	for (int i = 0; i < 8; i++) {
		h[hn++] = (uint8_t) (sum >> (8 * i));
	}
	memcpy(f, "BHDCACHE\x02", 9);
	fn = 9 + addin__varint_put(f + 9, hn);
	memcpy(f + fn, h, hn);
	memcpy(f + fn + hn, body, n);
	cache_put(f, fn + hn + n);
	free(f);
}

// rewrite_cache loads the case's cache, lets @edit change its entries and
// writes them back through the store's own writer: a well-formed file with
// a matching checksum whose entries are wrong.
static void
rewrite_cache(void (*edit)(addin__entries *))
{
	addin__entries  e = {0};
	addin_store    *s = open_store(0);
	addin_warnings *w = addin__warnings_new();
	struct stat     st;
	int fd = open(pipe_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ADDIN_CHECK(fd >= 0 && fstat(fd, &st) == 0 && w != NULL);
	ADDIN_PASS(addin__cache_load(s, fd, &st, &e, w));
	ADDIN_CHECK_INT(e.n, ==, 4);
	edit(&e);
	ADDIN_PASS(addin__cache_write(fd, &st, &e));
	addin__entries_clear(&e);
	addin_warnings_destroy(w);
	addin_store_destroy(s);
	close(fd);
}

static void
swap_first_two(addin__entries *e)
{
	addin__entry t = e->v[0];
	e->v[0]        = e->v[1];
	e->v[1]        = t;
}

// A contract's record read as an add-in's: it has no name.
static void
contract_as_addin(addin__entries *e)
{
	for (size_t i = 0; i < e->n; i++) {
		if (e->v[i].kind == ADDIN_SEGMENT_CONTRACT) {
			e->v[i].kind = ADDIN_SEGMENT_ADDIN;
		}
	}
}

static void
unknown_state(addin__entries *e)
{
	e->v[0].state = 7;
	e->v[0].msg   = addin__strdup("a state no reader knows");
	ADDIN_CHECK(e->v[0].msg != NULL);
}

static void
test_cache_bad_structure(void)
{
	unsigned char junk[300];

	// A checksum that matches over entries that do not decode.
	fresh_cache();
	memset(junk, 0xff, sizeof(junk));
	put_framed(junk, sizeof(junk));
	expect_cache_distrust("corrupt cache (it does not decode)");
	// A length-delimited field longer than the file.
	fresh_cache();
	junk[0] = 0x0a; // field 1 (entry), length-delimited
	junk[1] = 0xff;
	junk[2] = 0x7f;
	put_framed(junk, 3);
	expect_cache_distrust("corrupt cache (it does not decode)");
	// Entries that decode but break the rules.
	fresh_cache();
	rewrite_cache(swap_first_two);
	expect_cache_distrust("corrupt cache (entries out of order)");
	fresh_cache();
	rewrite_cache(contract_as_addin);
	expect_cache_distrust(
	    "corrupt cache (entry fails the segment checks)");
	fresh_cache();
	rewrite_cache(unknown_state);
	expect_cache_distrust("corrupt cache (bad entry)");
	rmpipe();
}

// An older Bulkhead's cache (format 1: "BHDCACHE", u32 format 1, u32
// header size 48, ...) is refused as such and rewritten in this format.
static void
test_cache_old_format(void)
{
	unsigned char  old[96];
	size_t         len;
	unsigned char *b;

	fresh_cache();
	memset(old, 0, sizeof(old));
	memcpy(old, "BHDCACHE\x01\0\0\0\x30\0\0\0", 16);
	cache_put(old, sizeof(old));
	expect_cache_distrust("cache format 1, this Bulkhead reads format 2");
	b = cache_bytes(&len);
	ADDIN_CHECK(len > 9 && memcmp(b, "BHDCACHE\x02", 9) == 0);
	free(b);
	// A newer one, likewise.
	old[8] = 3;
	cache_put(old, sizeof(old));
	expect_cache_distrust("cache format 3, this Bulkhead reads format 2");
	rmpipe();
}

static void
test_cache_foreign(void)
{
	size_t         len;
	unsigned char *b;
	char           first[64];

	fresh_cache();
	b = cache_bytes(&len);
	// Keep the first directory, so that the second cannot be given its
	// inode.
	snprintf(first, sizeof(first), "%s", pipe_dir);
	pipe_dir[0] = '\0';
	fresh_cache(); // another pipeline directory
	cache_put(b, len);
	expect_cache_distrust("written for another directory");
	free(b);
	rmpipe();
	snprintf(pipe_dir, sizeof(pipe_dir), "%s", first);
	rmpipe();
}

static void
test_cache_untrusted_owner_or_mode(void)
{
	char p[256];

	fresh_cache();
	path_of(p, sizeof(p), ADDIN_STORE_CACHE_FILE);
	ADDIN_CHECK(chmod(p, 0666) == 0);
	expect_cache_distrust("writable by group or others");

	fresh_cache();
	path_of(p, sizeof(p), ADDIN_STORE_CACHE_FILE);
	ADDIN_CHECK(unlink(p) == 0);
	ADDIN_CHECK(symlink("/etc/passwd", p) == 0);
	expect_cache_distrust("symbolic link");

	if (geteuid() != 0) {
		rmpipe();
		return; // chown needs root; the rest is checked above
	}
	fresh_cache();
	path_of(p, sizeof(p), ADDIN_STORE_CACHE_FILE);
	ADDIN_CHECK(chown(p, 65534, 65534) == 0);
	expect_cache_distrust("owned by uid 65534");
	rmpipe();
}

static void
test_cache_flags(void)
{
	struct addin__store_stats st;
	addin_store              *s;
	char                      p[256];

	calc_pipeline();
	path_of(p, sizeof(p), ADDIN_STORE_CACHE_FILE);
	s = open_store(ADDIN_STORE_NO_CACHE);
	ADDIN_CHECK_INT(update(s, &st), ==, 0);
	ADDIN_CHECK(!st.cache_written);
	ADDIN_CHECK(access(p, F_OK) != 0);
	ADDIN_CHECK_INT(count_found(s, "calc.v1.Calc"), ==, 1);
	addin_store_destroy(s);

	s = open_store(ADDIN_STORE_READ_ONLY);
	ADDIN_CHECK_INT(update(s, &st), ==, 0);
	ADDIN_CHECK(!st.cache_written);
	ADDIN_CHECK(access(p, F_OK) != 0);
	path_of(p, sizeof(p), ADDIN_STORE_LOCK_FILE);
	ADDIN_CHECK(access(p, F_OK) != 0);
	addin_store_destroy(s);

	{
		addin_store_config cfg = ADDIN_STORE_CONFIG_INIT;
		cfg.flags              = 0x100;
		ADDIN_FAIL(addin_store_create(pipe_dir, &cfg, &s),
		           ADDIN_EINVAL);
		cfg.flags       = 0;
		cfg.abi_version = 7;
		ADDIN_FAIL(addin_store_create(pipe_dir, &cfg, &s),
		           ADDIN_EINVAL);
	}
	rmpipe();
}

static void
test_lock_timeout(void)
{
	addin_store_config cfg = ADDIN_STORE_CONFIG_INIT;
	addin_store       *s;
	char               p[256];
	int                fd;

	calc_pipeline();
	path_of(p, sizeof(p), ADDIN_STORE_LOCK_FILE);
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	ADDIN_CHECK(fd >= 0);
	ADDIN_CHECK(flock(fd, LOCK_EX) == 0);
	cfg.lock_timeout_ms = 100;
	ADDIN_PASS(addin_store_create(pipe_dir, &cfg, &s));
	int64_t t0 = addin_test_now_ms();
	expect_warning(s, ADDIN_STORE_CACHE_FILE,
	               "cache not written: another process held");
	ADDIN_CHECK_INT(addin_test_now_ms() - t0, <, 2000);
	ADDIN_CHECK_INT(count_found(s, "calc.v1.Calc"), ==, 1);
	addin_store_destroy(s);
	close(fd);
	rmpipe();
}

static void
test_missing_dir(void)
{
	addin_store *s;
	char         p[256];

	ADDIN_FAIL(addin_store_create("/nonexistent/pipeline", NULL, &s),
	           ADDIN_ENOTFOUND);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "/nonexistent/pipeline");
	ADDIN_FAIL(addin_store_create("/etc/passwd", NULL, &s),
	           ADDIN_ENOTFOUND);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "not a directory");

	calc_pipeline();
	s = open_store(0);
	path_of(p, sizeof(p), "");
	ADDIN_CHECK_STR(addin_store_dir(s), pipe_dir);
	// The directory goes away under an open store.
	rmpipe();
	ADDIN_FAIL(addin_store_update(s, NULL), ADDIN_ENOTFOUND);
	addin_store_destroy(s);
	addin_store_destroy(NULL);
	rmpipe();
}

static void
test_not_a_pipeline(void)
{
	addin_store *s;
	rmpipe();
	snprintf(pipe_dir, sizeof(pipe_dir), "/tmp/addin-store-XXXXXX");
	ADDIN_CHECK(mkdtemp(pipe_dir) != NULL);
	s = open_store(0);
	expect_warning(s, NULL, "not a pipeline directory");
	addin_store_destroy(s);
	rmpipe();
}

static void
test_unsafe_pipeline_dir(void)
{
	addin_store *s;
	calc_pipeline();
	ADDIN_CHECK(chmod(pipe_dir, 0777) == 0);
	s = open_store(0);
	expect_warning(s, NULL, "writable by group or others (mode 0777)");
	ADDIN_CHECK_INT(count_found(s, "calc.v1.Calc"), ==, 0);
	addin_store_destroy(s);
	ADDIN_CHECK(chmod(pipe_dir, 0755) == 0);
	rmpipe();
}

static void
test_find_addin(void)
{
	addin_store *s;
	addin_token *t;
	char         p[256], outside[64], op[128];

	calc_pipeline();
	s = open_store(0);
	path_of(p, sizeof(p), "addins/calc/libcalc.so");
	ADDIN_PASS(addin_store_find_addin(s, p, "calc.v1.Calc", NULL, &t));
	ADDIN_CHECK_STR(addin_token_name(t), "Calc");
	ADDIN_CHECK_STR(addin_token_location(t), p);
	addin_token_unref(t);

	ADDIN_FAIL(addin_store_find_addin(s, p, "other.v1.View", NULL, &t),
	           ADDIN_ENOTFOUND);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "no host adapter connects");

	// An add-in outside the pipeline directory (the seed's FindAddIn).
	snprintf(outside, sizeof(outside), "/tmp/addin-out-XXXXXX");
	ADDIN_CHECK(mkdtemp(outside) != NULL);
	ADDIN_CHECK(chmod(outside, 0755) == 0);
	snprintf(op, sizeof(op), "%s/x.so", outside);
	{
		char   rec[512];
		size_t n = 0;
		ADDIN_CHECK(et_record(
		    rec, sizeof(rec), &n,
		    (const char *[]) {"kind", "addin", "name", "Outside",
		                      "addin-view", "calc.v1.Calc",
		                      "addin-view-hash", H1, NULL}));
		ADDIN_CHECK(et_write_so(op, ADDIN_SEGMENT_SECTION, rec, n) ==
		            0);
	}
	ADDIN_PASS(addin_store_find_addin(s, op, "calc.v1.Calc", H1, &t));
	ADDIN_CHECK_STR(addin_token_name(t), "Outside");
	addin_token_unref(t);

	// Unsafe: its directory is writable by others.
	ADDIN_CHECK(chmod(outside, 0777) == 0);
	ADDIN_FAIL(addin_store_find_addin(s, op, "calc.v1.Calc", NULL, &t),
	           ADDIN_EPERM);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "writable by group or others");
	ADDIN_CHECK(chmod(outside, 0755) == 0);

	// Not an add-in: a contract; not a segment at all; missing.
	path_of(p, sizeof(p), "contracts/calc.so");
	ADDIN_FAIL(addin_store_find_addin(s, p, "calc.v1.Calc", NULL, &t),
	           ADDIN_ENOTFOUND);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "no addin record");
	ADDIN_FAIL(
	    addin_store_find_addin(s, "/etc/passwd", "calc.v1.Calc", NULL, &t),
	    ADDIN_ESEGMENT);
	ADDIN_FAIL(addin_store_find_addin(s, "/no/such/file.so",
	                                  "calc.v1.Calc", NULL, &t),
	           ADDIN_ENOTFOUND);
	addin_store_destroy(s);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", outside);
		ADDIN_CHECK(system(cmd) == 0);
	}
	rmpipe();
}

ADDIN_TEST_LIST = {
    {"store finds an add-in through a complete chain with all its metadata",
     test_find_complete_chain},
    {"tokens stay valid after the store and list are gone",
     test_tokens_outlive_store},
    {"tokens come in a fixed order and the smallest chain is chosen",
     test_order_and_choice},
    {"versions are ordered with numeric runs as numbers", test_version_order},
    {"each broken chain gives one warning naming its file",
     test_broken_chains},
    {"update re-reads only changed files", test_incremental},
    {"files changed moments ago are read again", test_racy_files_reread},
    {"a same-size rewrite with the old mtime is noticed",
     test_same_size_rewrite_seen},
    {"a corrupt cache is rebuilt with a warning", test_cache_corrupt},
    {"a cache whose payload does not parse is rebuilt",
     test_cache_bad_structure},
    {"a cache of another format is rebuilt", test_cache_old_format},
    {"a cache from another directory is rebuilt", test_cache_foreign},
    {"a cache others could have written is not trusted",
     test_cache_untrusted_owner_or_mode},
    {"no-cache and read-only stores leave the directory alone",
     test_cache_flags},
    {"an update waits for the lock only so long", test_lock_timeout},
    {"a missing pipeline directory is a clear error", test_missing_dir},
    {"a directory without the layout is reported", test_not_a_pipeline},
    {"a pipeline directory writable by others is not used",
     test_unsafe_pipeline_dir},
    {"find_addin connects one add-in file, inside or outside the pipeline",
     test_find_addin},
    {NULL, NULL},
};
