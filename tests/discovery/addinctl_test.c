// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// addinctl, run as a program, on pipelines made from the fixtures: text for
// people, valid JSON for scripts, clear failures.

#include <ctype.h>

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

// A JSON syntax checker (RFC 8259), enough to tell valid from not.
struct js {
	const unsigned char *p;
	int                  depth;
};

static bool js_value(struct js *j);

static void
js_ws(struct js *j)
{
	while (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' ||
	       *j->p == '\t') {
		j->p++;
	}
}

static bool
js_string(struct js *j)
{
	if (*j->p != '"') {
		return false;
	}
	j->p++;
	for (;;) {
		unsigned char c = *j->p;
		if (c == '"') {
			j->p++;
			return true;
		}
		if (c < 0x20) {
			return false; // also the end of the text
		}
		if (c == '\\') {
			j->p++;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++) {
					if (!isxdigit(j->p[i])) {
						return false;
					}
				}
				j->p += 5;
				continue;
			}
			if (strchr("\"\\/bfnrt", *j->p) == NULL ||
			    *j->p == 0) {
				return false;
			}
			j->p++;
			continue;
		}
		if (c >= 0x80) {
			// Valid UTF-8 only.
			int n = c >= 0xf0   ? 4
			        : c >= 0xe0 ? 3
			        : c >= 0xc2 ? 2
			                    : 0;
			if (n == 0 || c > 0xf4) {
				return false;
			}
			for (int i = 1; i < n; i++) {
				if ((j->p[i] & 0xc0) != 0x80) {
					return false;
				}
			}
			j->p += n;
			continue;
		}
		j->p++;
	}
}

static bool
js_number(struct js *j)
{
	const unsigned char *start = j->p;
	if (*j->p == '-') {
		j->p++;
	}
	while (isdigit(*j->p) || *j->p == '.' || *j->p == 'e' ||
	       *j->p == 'E' || *j->p == '+' || *j->p == '-') {
		j->p++;
	}
	return j->p > start;
}

static bool
js_value(struct js *j)
{
	bool first = true;
	js_ws(j);
	if (++j->depth > 64) {
		return false;
	}
	switch (*j->p) {
	case '{':
		j->p++;
		for (;;) {
			js_ws(j);
			if (*j->p == '}' && first) {
				j->p++;
				break;
			}
			if (!js_string(j)) {
				return false;
			}
			js_ws(j);
			if (*j->p++ != ':' || !js_value(j)) {
				return false;
			}
			js_ws(j);
			first = false;
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p++ != '}') {
				return false;
			}
			break;
		}
		break;
	case '[':
		j->p++;
		for (;;) {
			js_ws(j);
			if (*j->p == ']' && first) {
				j->p++;
				break;
			}
			if (!js_value(j)) {
				return false;
			}
			js_ws(j);
			first = false;
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p++ != ']') {
				return false;
			}
			break;
		}
		break;
	case '"':
		if (!js_string(j)) {
			return false;
		}
		break;
	case 't':
		if (strncmp((const char *) j->p, "true", 4) != 0) {
			return false;
		}
		j->p += 4;
		break;
	case 'f':
		if (strncmp((const char *) j->p, "false", 5) != 0) {
			return false;
		}
		j->p += 5;
		break;
	case 'n':
		if (strncmp((const char *) j->p, "null", 4) != 0) {
			return false;
		}
		j->p += 4;
		break;
	default:
		if (!js_number(j)) {
			return false;
		}
	}
	j->depth--;
	return true;
}

static bool
json_valid(const char *text)
{
	struct js j = {(const unsigned char *) text, 0};
	if (!js_value(&j)) {
		return false;
	}
	js_ws(&j);
	return *j.p == '\0';
}

static void
test_json_checker(void)
{
	// The checker itself must be able to say no.
	ADDIN_CHECK(json_valid("{\"a\":[1,true,null,\"x\\u00e9\"]}"));
	ADDIN_CHECK(!json_valid("{\"a\":\"raw\nnewline\"}"));
	ADDIN_CHECK(!json_valid("{\"a\":\"bad \xff byte\"}"));
	ADDIN_CHECK(!json_valid("{\"a\":1,}"));
	ADDIN_CHECK(!json_valid("{\"a\":1} x"));
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
	char *o, *e;
	setup();
	ADDIN_CHECK_INT(run("list", du_pipe, "--json", NULL, NULL), ==, 0);
	o = out();
	e = err();
	printf("%s", o);
	ADDIN_CHECKF(json_valid(o), "invalid JSON");
	ADDIN_CHECK_STR(e, ""); // warnings are in the JSON
	ADDIN_CHECK_CONTAINS(o, "\"name\":\"Calc\"");
	ADDIN_CHECK_CONTAINS(o, "\"publisher\":\"Acme \\\"Tools\\\"\"");
	ADDIN_CHECK_CONTAINS(
	    o,
	    "\"description\":\"Adds.\\n\\tSubtracts \\\\ \\u0001\\u001b[31m "
	    "\\ufffd\\ufffd caf\xc3\xa9\"");
	ADDIN_CHECK_CONTAINS(o, "\"direct_connect\":true,\"chains\":1");
	ADDIN_CHECK_CONTAINS(o, "\"needs\":[\"scratch\",\"network\"]");
	ADDIN_CHECK_CONTAINS(
	    o, "\"addin\":{\"area\":\"math\",\"culture\":\"en\"}");
	ADDIN_CHECK_CONTAINS(o, "\"warnings\":[\n{\"path\":");
	ADDIN_CHECK_CONTAINS(o, "no add-in adapter for add-in view");
	free(o);
	free(e);
	cleanup();
}

static void
test_view_filter(void)
{
	char *o;
	setup();
	ADDIN_CHECK_INT(run("list", du_pipe, "--view", "other.v1.View", NULL),
	                ==, 0);
	o = out();
	ADDIN_CHECK_STR(o, "no add-ins found\n");
	free(o);
	ADDIN_CHECK_INT(
	    run("list", "--view", "calc.v1.Calculator", du_pipe, "--json"), ==,
	    0);
	o = out();
	ADDIN_CHECK(json_valid(o));
	ADDIN_CHECK_CONTAINS(o, "\"name\":\"Calc\"");
	free(o);
	ADDIN_CHECK_INT(run("list", du_pipe, "--rebuild", "--json", NULL), ==,
	                0);
	o = out();
	ADDIN_CHECK(json_valid(o));
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
    {"the test's JSON checker rejects invalid JSON", test_json_checker},
    {"addinctl lists add-ins for people, warnings on stderr", test_text},
    {"addinctl text escapes C1 controls and invalid UTF-8", test_text_c1},
    {"addinctl --json prints valid, escaped JSON with the warnings",
     test_json},
    {"addinctl --view and --rebuild select what is listed", test_view_filter},
    {"addinctl fails clearly on a missing directory and bad usage",
     test_failures},
    {NULL, NULL},
};
