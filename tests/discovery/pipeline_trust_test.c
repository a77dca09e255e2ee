// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// One trust rule for discovery and activation (issue 10, item 2), end to
// end: copies of the calculator pipeline (tests/activation) under sticky,
// group-writable and foreign directories and behind symbolic links, each
// discovered with the store and activated in the host and in an add-in
// process.  Whatever one refuses the other refuses, with the same reason
// (platform.h, addin__plat_path_trusted; docs/security.md, "Who could have
// written a file").  The rule itself is tested in
// addin-sdk/src/platform/trust_test.c.

#define _GNU_SOURCE

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "addin_test.h"
#include "calc_host_test.h"
#include "discovery_util.h"

#define NAME "Basic calculator"

// mktop makes the case's directory under /tmp with @mode (du_pipe; its
// paths are du_path's).
static void
mktop(mode_t mode)
{
	snprintf(du_pipe, sizeof(du_pipe), "/tmp/addin-ptrust-XXXXXX");
	ADDIN_CHECK(mkdtemp(du_pipe) != NULL);
	ADDIN_CHECK(chmod(du_pipe, mode) == 0);
}

// deploy copies the calculator pipeline to @rel (made with mode 0755,
// like every directory above it that it makes).
static void
deploy(const char *rel)
{
	ADDIN_CHECK(mkdir(du_path(rel), 0755) == 0);
	ADDIN_CHECK(chmod(du_path(rel), 0755) == 0);
	char cmd[600];
	// The layout only: not the cache, nor a temporary file another test
	// process may be renaming there.
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && cp -a contracts host-adapters addin-adapters "
	         "addins '%s/'",
	         PIPELINE_DIR, du_path(rel));
	ADDIN_CHECKF(system(cmd) == 0, "%s", cmd);
}

// discover updates a store on @dir and returns its warnings as one string
// (lines "path: message"), and the token of the basic calculator or NULL.
static addin_token *
discover(const char *dir, char *warnings, size_t len)
{
	addin_store      *s;
	addin_warnings   *w;
	addin_token_list *l;
	addin_token      *found = NULL;
	size_t            used  = 0;

	warnings[0] = '\0';
	ADDIN_PASS(addin_store_create(dir, NULL, &s));
	ADDIN_PASS(addin_store_update(s, &w));
	for (size_t i = 0; i < addin_warnings_count(w); i++) {
		printf("  warning: %s\n", addin_warnings_text(w, i));
		used += (size_t) snprintf(warnings + used, len - used, "%s\n",
		                          addin_warnings_text(w, i));
		ADDIN_CHECK(used < len);
	}
	addin_warnings_destroy(w);
	ADDIN_PASS(
	    addin_store_find(s, CALCULATOR_V1_CALCULATOR_VIEW_ID, NULL, &l));
	for (size_t i = 0; i < addin_token_list_count(l); i++) {
		addin_token *t = addin_token_list_get(l, i);
		if (strcmp(addin_token_name(t), NAME) == 0) {
			found = addin_token_ref(t);
		}
	}
	addin_token_list_destroy(l);
	addin_store_destroy(s);
	return found;
}

static const addin_isolation levels[] = {ADDIN_ISOLATION_IN_PROCESS,
                                         ADDIN_ISOLATION_OWN_PROCESS};

// activate_all activates @t at each level and adds 2 + 3 (ADDIN_OK), or
// checks that activation fails with @want and a message holding @text.
static void
activate_all(addin_token *t, addin_err want, const char *text)
{
	addin_host_config cfg = ADDIN_HOST_CONFIG_INIT;
	addin_host       *h;

	cfg.shutdown_grace_ms = 1000;
	ADDIN_PASS(addin_host_create(&cfg, &h));
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
		addin_object            *obj;
		addin_err                rv;
		o.isolation = levels[i];
		rv          = addin_activate(h, t, &o, &obj);
		ADDIN_CHECKF(rv == want, "%s: %s (%s)",
		             addin_isolation_name(levels[i]),
		             addin_err_name(rv), addin_errmsg());
		if (rv != ADDIN_OK) {
			ADDIN_CHECK_CONTAINS(addin_errmsg(), NAME);
			ADDIN_CHECK_CONTAINS(addin_errmsg(), text);
			continue;
		}
		calculator_v1_calculator *c =
		    calculator_v1_calculator_from_object(obj);
		double args[] = {2, 3}, r = 0;
		ADDIN_CHECK(c != NULL);
		ADDIN_PASS(
		    calculator_v1_calculator_operate(c, "+", args, 2, &r));
		ADDIN_CHECK(r == 5);
		calculator_v1_calculator_release(c);
	}
	addin_host_destroy(h);
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
}

static void
test_sticky_parent(void)
{
	char         warnings[4096];
	addin_token *t;

	// Like /tmp: anyone may add entries, nobody may replace ours.
	mktop(01777);
	deploy("pipe");
	t = discover(du_path("pipe"), warnings, sizeof(warnings));
	ADDIN_CHECKF(t != NULL, "not found; warnings:\n%s", warnings);
	ADDIN_CHECK_STR(warnings, "");
	activate_all(t, ADDIN_OK, NULL);
	addin_token_unref(t);
	// A sticky directory inside the pipeline is no different.
	ADDIN_CHECK(chmod(du_path("pipe/addins"), 01777) == 0);
	t = discover(du_path("pipe"), warnings, sizeof(warnings));
	ADDIN_CHECKF(t != NULL, "not found; warnings:\n%s", warnings);
	ADDIN_CHECK_STR(warnings, "");
	activate_all(t, ADDIN_OK, NULL);
	addin_token_unref(t);
	du_rmpipe();
}

// expect_same_refusal: the directory @bad above the pipeline @pipe is in
// the state @state ("writable by group or others (mode 0775)", ...) after
// a discovery that found @t: activation refuses @t, and discovery now finds
// nothing, both for the same reason.
static void
expect_same_refusal(const char *pipe, const char *bad, const char *state,
                    addin_token *t)
{
	char warnings[4096], want[400];

	snprintf(want, sizeof(want),
	         "%s may have been changed by someone else: %s", bad, state);
	activate_all(t, ADDIN_EPERM, want);
	ADDIN_CHECK(discover(pipe, warnings, sizeof(warnings)) == NULL);
	ADDIN_CHECK_CONTAINS(warnings, pipe);
	ADDIN_CHECK_CONTAINS(warnings, "pipeline directory not trusted");
	ADDIN_CHECK_CONTAINS(warnings, want);
}

// deploy_below makes the case's directory with the directory @parent in it
// and the pipeline in "@parent/pipe", discovers it and returns the basic
// calculator's token.
static addin_token *
deploy_below(const char *parent)
{
	char         warnings[4096], pipe[64];
	addin_token *t;

	mktop(0755);
	ADDIN_CHECK(mkdir(du_path(parent), 0755) == 0);
	snprintf(pipe, sizeof(pipe), "%s/pipe", parent);
	deploy(pipe);
	t = discover(du_path(pipe), warnings, sizeof(warnings));
	ADDIN_CHECKF(t != NULL, "not found; warnings:\n%s", warnings);
	return t;
}

static void
test_group_writable_parent(void)
{
	addin_token *t = deploy_below("g");

	ADDIN_CHECK(chmod(du_path("g"), 0775) == 0);
	expect_same_refusal(du_path("g/pipe"), du_path("g"),
	                    "writable by group or others (mode 0775)", t);
	ADDIN_CHECK(chmod(du_path("g"), 0755) == 0);
	activate_all(t, ADDIN_OK, NULL);
	addin_token_unref(t);
	du_rmpipe();
}

static void
test_foreign_parent(void)
{
	addin_token *t;

	if (geteuid() != 0) {
		ADDIN_SKIP("chown to another user needs root");
	}
	t = deploy_below("theirs");
	ADDIN_CHECK(chown(du_path("theirs"), 65534, 65534) == 0);
	expect_same_refusal(du_path("theirs/pipe"), du_path("theirs"),
	                    "owned by uid 65534, neither the host's user (uid "
	                    "0) nor root",
	                    t);
	addin_token_unref(t);
	ADDIN_CHECK(chown(du_path("theirs"), 0, 0) == 0);
	du_rmpipe();
}

static void
test_pipeline_through_link(void)
{
	char         warnings[4096], real[PATH_MAX];
	addin_store *s;
	addin_token *t;

	// Reached through a link, a pipeline is known by its real path:
	// paths are made canonical where they enter (addin_store_create,
	// addin_store_find_addin), then checked without following links.
	mktop(0755);
	deploy("real");
	ADDIN_CHECK(symlink("real", du_path("link")) == 0);
	ADDIN_PASS(addin_store_create(du_path("link"), NULL, &s));
	ADDIN_CHECK_STR(addin_store_dir(s), du_path("real"));
	addin_store_destroy(s);
	t = discover(du_path("link"), warnings, sizeof(warnings));
	ADDIN_CHECKF(t != NULL, "not found; warnings:\n%s", warnings);
	ADDIN_CHECK_STR(addin_token_location(t),
	                du_path("real/addins/calc_basic/libcalc_basic.so"));
	activate_all(t, ADDIN_OK, NULL);
	addin_token_unref(t);

	// find_addin with a path through the link, to a link.
	ADDIN_CHECK(symlink("calc_basic/libcalc_basic.so",
	                    du_path("real/addins/alias.so")) == 0);
	ADDIN_PASS(addin_store_create(du_path("link"), NULL, &s));
	ADDIN_PASS(addin_store_find_addin(s, du_path("link/addins/alias.so"),
	                                  CALCULATOR_V1_CALCULATOR_VIEW_ID,
	                                  NULL, &t));
	ADDIN_CHECK(realpath(du_path("link/addins/alias.so"), real) != NULL);
	ADDIN_CHECK_STR(addin_token_location(t), real);
	activate_all(t, ADDIN_OK, NULL);
	addin_token_unref(t);
	addin_store_destroy(s);
	du_rmpipe();
}

static void
test_link_in_segment_path(void)
{
	char         warnings[4096], want[400];
	addin_token *t = deploy_below("a");

	// The add-in's folder is moved out and a link to it left in its
	// place: discovery warns about the link and offers nothing there;
	// activation of the token from before refuses the link in its path.
	ADDIN_CHECK(rename(du_path("a/pipe/addins/calc_basic"),
	                   du_path("a/moved")) == 0);
	ADDIN_CHECK(
	    symlink("../../moved", du_path("a/pipe/addins/calc_basic")) == 0);
	snprintf(want, sizeof(want), "%s is a symbolic link",
	         du_path("a/pipe/addins/calc_basic"));
	activate_all(t, ADDIN_EPERM, want);
	ADDIN_CHECK(discover(du_path("a/pipe"), warnings, sizeof(warnings)) ==
	            NULL);
	ADDIN_CHECK_CONTAINS(warnings,
	                     "addins/calc_basic: is a symbolic link, not a "
	                     "directory");
	ADDIN_CHECK(unlink(du_path("a/pipe/addins/calc_basic")) == 0);
	ADDIN_CHECK(rename(du_path("a/moved"),
	                   du_path("a/pipe/addins/calc_basic")) == 0);
	activate_all(t, ADDIN_OK, NULL);

	// A directory above the pipeline becomes a link: every segment's
	// path has a link in it (discovery's side of this is the next case).
	ADDIN_CHECK(rename(du_path("a"), du_path("b")) == 0);
	ADDIN_CHECK(symlink("b", du_path("a")) == 0);
	snprintf(want, sizeof(want), "%s is a symbolic link", du_path("a"));
	activate_all(t, ADDIN_EPERM, want);
	addin_token_unref(t);
	du_rmpipe();
}

static void
test_store_path_becomes_link(void)
{
	char              want[400];
	addin_store      *s;
	addin_warnings   *w;
	addin_token_list *l;

	// A store opened on a canonical path whose directory above is then
	// replaced by a link: the next update refuses the link, in the words
	// activation uses.
	mktop(0755);
	ADDIN_CHECK(mkdir(du_path("a"), 0755) == 0);
	deploy("a/pipe");
	ADDIN_PASS(addin_store_create(du_path("a/pipe"), NULL, &s));
	ADDIN_PASS(
	    addin_store_find(s, CALCULATOR_V1_CALCULATOR_VIEW_ID, NULL, &l));
	ADDIN_CHECK_INT(addin_token_list_count(l), >, 0);
	addin_token_list_destroy(l);
	ADDIN_CHECK(rename(du_path("a"), du_path("b")) == 0);
	ADDIN_CHECK(symlink("b", du_path("a")) == 0);
	snprintf(want, sizeof(want), "%s is a symbolic link", du_path("a"));
	ADDIN_PASS(addin_store_update(s, &w));
	ADDIN_CHECK_INT(addin_warnings_count(w), ==, 1);
	ADDIN_CHECK_STR(addin_warnings_path(w, 0), du_path("a/pipe"));
	ADDIN_CHECK_CONTAINS(addin_warnings_message(w, 0), want);
	addin_warnings_destroy(w);
	ADDIN_PASS(
	    addin_store_find(s, CALCULATOR_V1_CALCULATOR_VIEW_ID, NULL, &l));
	ADDIN_CHECK_INT(addin_token_list_count(l), ==, 0);
	addin_token_list_destroy(l);
	addin_store_destroy(s);
	du_rmpipe();
}

ADDIN_TEST_LIST = {
    {"a pipeline below sticky world-writable directories is discovered and "
     "activated",
     test_sticky_parent},
    {"a group-writable parent is refused by discovery and activation, for "
     "the same reason",
     test_group_writable_parent},
    {"a parent owned by another user is refused by discovery and "
     "activation, for the same reason",
     test_foreign_parent},
    {"a pipeline reached through a link is discovered and activated by its "
     "real path",
     test_pipeline_through_link},
    {"a link that appears in a segment's path is refused by discovery and "
     "activation",
     test_link_in_segment_path},
    {"a store whose directory's path came to hold a link refuses it",
     test_store_path_becomes_link},
    {NULL, NULL},
};
