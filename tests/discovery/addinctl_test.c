// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// addinctl, run as a program, on pipelines made from the fixtures: text for
// people, valid JSON for scripts (read back with jansson), clear failures.

#include <ctype.h>
#include <jansson.h>

#include "discovery_util.h"

#ifndef ADDINCTL
#define ADDINCTL ""
#endif

static char out_path[160], err_path[160];

static int
run(const char *a1, const char *a2, const char *a3, const char *a4,
    const char *a5)
{
	const char *argv[] = {ADDINCTL, a1, a2, a3, a4, a5, NULL};
	snprintf(out_path, sizeof(out_path), "%s.out", du_pipe);
	snprintf(err_path, sizeof(err_path), "%s.err", du_pipe);
	return du_run(argv, out_path, err_path);
}

static char *
out(void)
{
	size_t n;
	return du_slurp(out_path, &n);
}

static char *
err(void)
{
	size_t n;
	return du_slurp(err_path, &n);
}

static void
cleanup(void)
{
	unlink(out_path);
	unlink(err_path);
	du_rmpipe();
}

static void
setup(void)
{
	if (ADDINCTL[0] == '\0') {
		ADDIN_SKIP("addinctl not built");
	}
	du_mkpipe();
	du_calc_chain();
	du_deploy("addin_unknown_view", "addins/stray/libstray.so");
}

// parse_json parses addinctl's JSON output @text with jansson, failing
// the case when it is not one valid JSON object.
static json_t *
parse_json(const char *text)
{
	json_error_t err;
	json_t      *root = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	ADDIN_CHECKF(root != NULL, "invalid JSON at line %d column %d: %s",
	             err.line, err.column, err.text);
	ADDIN_CHECK(json_is_object(root));
	return root;
}

// jget is the string at path @a.@b (@b may be NULL) of @o, or "" when it
// is not there or not a string.
static const char *
jget(const json_t *o, const char *a, const char *b)
{
	const json_t *v = json_object_get(o, a);
	if (b != NULL) {
		v = json_object_get(v, b);
	}
	return json_is_string(v) ? json_string_value(v) : "";
}

static void
test_text(void)
{
	char *o, *e;
	setup();
	ADDIN_CHECK_INT(run("list", du_pipe, NULL, NULL, NULL), ==, 0);
	o = out();
	e = err();
	printf("%s%s", o, e);
	ADDIN_CHECK_CONTAINS(o, "Calc 1.2.0\n");
	ADDIN_CHECK_CONTAINS(o, "publisher:     Acme \"Tools\"");
	ADDIN_CHECK_CONTAINS(o, du_path("addins/calc/libcalc.so"));
	ADDIN_CHECK_CONTAINS(o,
	                     "host view:     calc.v1.Calculator (1111aaaa)");
	ADDIN_CHECK_CONTAINS(
	    o, "chain:         host-adapters/calc.so -> contracts/calc.so -> "
	       "addin-adapters/calc.so -> addins/calc/libcalc.so");
	ADDIN_CHECK_CONTAINS(o, "1 (direct connect possible)");
	ADDIN_CHECK_CONTAINS(o, "addin:area=math, addin:culture=en");
	ADDIN_CHECK_CONTAINS(o, "needs:         scratch, network");
	// Control characters from metadata never reach the terminal.
	ADDIN_CHECK_CONTAINS(o,
	                     "Adds.\\x0a\\x09Subtracts \\x5c \\x01\\x1b[31m "
	                     "\\xff\\xfe caf\xc3\xa9");
	ADDIN_CHECK(strchr(o, '\x1b') == NULL);
	ADDIN_CHECK(strstr(o, "Stray") == NULL);
	ADDIN_CHECK_CONTAINS(e, "warning: ");
	ADDIN_CHECK_CONTAINS(e, du_path("addins/stray/libstray.so"));
	ADDIN_CHECK_CONTAINS(e, "no add-in adapter for add-in view");
	free(o);
	free(e);
	cleanup();
}

// deploy_patched copies fixture @name to @rel with the @n bytes @from,
// found in it, replaced by as many bytes @to: odd metadata made from a
// fixture at run time.
static void
deploy_patched(const char *name, const char *rel, const char *from,
               const char *to, size_t n)
{
	size_t len;
	char  *img = du_slurp(du_fixture(name), &len);
	char  *at  = NULL;

	for (size_t i = 0; at == NULL && i + n <= len; i++) {
		if (memcmp(img + i, from, n) == 0) {
			at = img + i;
		}
	}
	ADDIN_CHECKF(at != NULL, "no \"%s\" in fixture %s", from, name);
	memcpy(at, to, n);
	du_write(rel, img, len);
	free(img);
}

static void
test_text_c1(void)
{
	char *o;
	setup();
	// The description ends in "\xc2\x9b\x9b[1m\xc3\xa9": CSI as UTF-8
	// (U+009B), CSI as a raw C1 byte, then a harmless U+00E9.
	deploy_patched("addin_calc", "addins/calc/libcalc.so", "\xff\xfe caf",
	               "\xc2\x9b\x9b[1m", 6);
	ADDIN_CHECK_INT(run("list", du_pipe, NULL, NULL, NULL), ==, 0);
	o = out();
	printf("%s", o);
	ADDIN_CHECK_CONTAINS(o, "\\x1b[31m \\xc2\\x9b\\x9b[1m\xc3\xa9\n");
	ADDIN_CHECK(strchr(o, '\x9b') == NULL);
	free(o);
	cleanup();
}

static void
test_json(void)
{
	char         *o, *e;
	json_t       *root, *addins, *calc, *needs, *warnings;
	bool          stray = false;
	const json_t *w;
	size_t        i;

	setup();
	ADDIN_CHECK_INT(run("list", du_pipe, "--json", NULL, NULL), ==, 0);
	o = out();
	e = err();
	printf("%s", o);
	ADDIN_CHECK_STR(e, ""); // warnings are in the JSON
	root = parse_json(o);
	// No byte of the metadata reaches the output unescaped.
	for (const char *p = o; *p != '\0'; p++) {
		ADDIN_CHECKF((unsigned char) *p >= 0x20 || p[1] == '\0',
		             "raw control byte 0x%02x", (unsigned char) *p);
	}
	ADDIN_CHECK_STR(jget(root, "pipeline", NULL), du_pipe);
	addins = json_object_get(root, "addins");
	ADDIN_CHECK(json_is_array(addins));
	ADDIN_CHECK_INT(json_array_size(addins), ==, 1); // not the stray
	calc = json_array_get(addins, 0);
	ADDIN_CHECK_STR(jget(calc, "name", NULL), "Calc");
	ADDIN_CHECK_STR(jget(calc, "version", NULL), "1.2.0");
	ADDIN_CHECK_STR(jget(calc, "publisher", NULL), "Acme \"Tools\"");
	// Control characters as they were, each invalid byte as U+FFFD.
	ADDIN_CHECK_STR(jget(calc, "description", NULL),
	                "Adds.\n\tSubtracts \\ \x01\x1b[31m "
	                "\xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9");
	ADDIN_CHECK_STR(jget(calc, "host_view", "id"), "calc.v1.Calculator");
	ADDIN_CHECK_STR(jget(calc, "host_view", "hash"), "1111aaaa");
	ADDIN_CHECK_STR(jget(calc, "segments", "addin"),
	                du_path("addins/calc/libcalc.so"));
	ADDIN_CHECK(json_is_true(json_object_get(calc, "direct_connect")));
	ADDIN_CHECK_INT(json_integer_value(json_object_get(calc, "chains")),
	                ==, 1);
	ADDIN_CHECK_STR(
	    jget(json_object_get(calc, "qualification"), "addin", "area"),
	    "math");
	ADDIN_CHECK_STR(
	    jget(json_object_get(calc, "qualification"), "addin", "culture"),
	    "en");
	needs = json_object_get(calc, "needs");
	ADDIN_CHECK_INT(json_array_size(needs), ==, 2);
	ADDIN_CHECK_STR(json_string_value(json_array_get(needs, 0)),
	                "scratch");
	ADDIN_CHECK_STR(json_string_value(json_array_get(needs, 1)),
	                "network");
	warnings = json_object_get(root, "warnings");
	ADDIN_CHECK(json_is_array(warnings));
	json_array_foreach(warnings, i, w)
	{
		if (strcmp(jget(w, "path", NULL),
		           du_path("addins/stray/libstray.so")) == 0) {
			stray = true;
			ADDIN_CHECK_CONTAINS(
			    jget(w, "message", NULL),
			    "no add-in adapter for add-in view");
		}
	}
	ADDIN_CHECK(stray);
	json_decref(root);
	free(o);
	free(e);
	cleanup();
}

static void
test_view_filter(void)
{
	char   *o;
	json_t *root;
	setup();
	ADDIN_CHECK_INT(run("list", du_pipe, "--view", "other.v1.View", NULL),
	                ==, 0);
	o = out();
	ADDIN_CHECK_STR(o, "no add-ins found\n");
	free(o);
	ADDIN_CHECK_INT(
	    run("list", "--view", "calc.v1.Calculator", du_pipe, "--json"), ==,
	    0);
	o    = out();
	root = parse_json(o);
	ADDIN_CHECK_INT(json_array_size(json_object_get(root, "addins")), ==,
	                1);
	ADDIN_CHECK_STR(
	    jget(json_array_get(json_object_get(root, "addins"), 0), "name",
	         NULL),
	    "Calc");
	json_decref(root);
	free(o);
	ADDIN_CHECK_INT(run("list", du_pipe, "--rebuild", "--json", NULL), ==,
	                0);
	o    = out();
	root = parse_json(o);
	ADDIN_CHECK_INT(json_array_size(json_object_get(root, "addins")), ==,
	                1);
	json_decref(root);
	free(o);
	cleanup();
}

static void
test_failures(void)
{
	char *o, *e;
	setup();
	ADDIN_CHECK_INT(run("list", "/nonexistent/pipeline", NULL, NULL, NULL),
	                ==, 1);
	e = err();
	ADDIN_CHECK_CONTAINS(
	    e,
	    "addinctl: pipeline directory /nonexistent/pipeline: No such file "
	    "or directory");
	free(e);

	ADDIN_CHECK_INT(run("list", NULL, NULL, NULL, NULL), ==, 2);
	e = err();
	ADDIN_CHECK_CONTAINS(e, "usage: addinctl list");
	free(e);
	ADDIN_CHECK_INT(run("frobnicate", NULL, NULL, NULL, NULL), ==, 2);
	ADDIN_CHECK_INT(run("list", du_pipe, "--bogus", NULL, NULL), ==, 2);
	ADDIN_CHECK_INT(run("list", du_pipe, "--hash", "ab", NULL), ==, 2);

	ADDIN_CHECK_INT(run("--help", NULL, NULL, NULL, NULL), ==, 0);
	o = out();
	ADDIN_CHECK_CONTAINS(o, "usage: addinctl list PIPELINE_DIR");
	free(o);
	ADDIN_CHECK_INT(run("--version", NULL, NULL, NULL, NULL), ==, 0);
	o = out();
	ADDIN_CHECK_CONTAINS(o, "addinctl (Bulkhead) ");
	free(o);
	cleanup();
}

ADDIN_TEST_LIST = {
    {"addinctl lists add-ins for people, warnings on stderr", test_text},
    {"addinctl text escapes C1 controls and invalid UTF-8", test_text_c1},
    {"addinctl --json prints valid, escaped JSON with the warnings",
     test_json},
    {"addinctl --view and --rebuild select what is listed", test_view_filter},
    {"addinctl fails clearly on a missing directory and bad usage",
     test_failures},
    {NULL, NULL},
};
