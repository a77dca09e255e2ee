// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// addinctl: Bulkhead's command-line tool.
//
//     addinctl list PIPELINE_DIR [--view ID] [--hash HASH] [--json]
//                   [--rebuild] [--no-cache]
//
// lists the add-ins discovered in a pipeline directory (tokens) and the
// warnings discovery found, for people (text) and scripts (--json, written
// with jansson).  Uses only the public API (addin/host.h).
//
// Exit status: 0 when discovery ran (warnings or not), 1 when it could not
// (missing directory...), 2 for a usage error.

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "addin/host.h"

static const char usage[] =
    "usage: addinctl list PIPELINE_DIR [--view ID] [--hash HASH] [--json]\n"
    "                     [--rebuild] [--no-cache]\n"
    "       addinctl --help | --version\n"
    "\n"
    "list   discover the add-ins in PIPELINE_DIR and print one entry per\n"
    "       add-in and host view, then the warnings (on stderr; in the\n"
    "       \"warnings\" array with --json).\n"
    "  --view ID     only add-ins usable through host view ID (default:\n"
    "                every host view a deployed host adapter implements)\n"
    "  --hash HASH   ... and only when the host view's hash is HASH\n"
    "  --json        print one JSON object on stdout\n"
    "  --rebuild     ignore the cache and read every segment again\n"
    "  --no-cache    neither read nor write the cache\n"
    "\n"
    "Exit status: 0 when discovery ran (with or without warnings), 1 when it\n"
    "could not, 2 for a usage error.\n";

static const char *const kinds[ADDIN_SEGMENT_KINDS] = {
    [ADDIN_SEGMENT_HOST_ADAPTER]  = "host-adapter",
    [ADDIN_SEGMENT_CONTRACT]      = "contract",
    [ADDIN_SEGMENT_ADDIN_ADAPTER] = "addin-adapter",
    [ADDIN_SEGMENT_ADDIN]         = "addin",
};

// utf8_len returns the length of the valid UTF-8 sequence at @p, or 0.
static size_t
utf8_len(const unsigned char *p)
{
	size_t   n;
	uint32_t cp;
	if (p[0] < 0x80) {
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n  = 2;
		cp = p[0] & 0x1fu;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n  = 3;
		cp = p[0] & 0x0fu;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n  = 4;
		cp = p[0] & 0x07u;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
		return 0;
	}
	return n;
}

// put_text prints @s for a terminal: control characters (C0, DEL, and C1
// as U+0080..U+009F, which some terminals obey as CSI and the like),
// bytes that are not valid UTF-8, and backslashes escaped byte by byte as
// \xNN, so metadata cannot drive the terminal.
static void
put_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *) s;

	while (*p != '\0') {
		size_t n = utf8_len(p);
		if (n == 0 || *p < 0x20 || *p == 0x7f || *p == '\\' ||
		    (*p == 0xc2 && p[1] <= 0x9f)) {
			n = n == 0 ? 1 : n;
			for (size_t i = 0; i < n; i++) {
				fprintf(f, "\\x%02x", p[i]);
			}
		} else {
			fwrite(p, 1, n, f);
		}
		p += n;
	}
}

// rel returns @path relative to the pipeline directory @dir when inside.
static const char *
rel(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	if (strncmp(path, dir, n) == 0 && path[n] == '/') {
		return path + n + 1;
	}
	return path;
}

static void
text_token(FILE *f, const char *dir, const addin_token *t)
{
	const char *k, *v;
	size_t      n;
	bool        any = false;

	put_text(f, addin_token_name(t));
	if (addin_token_version(t)[0] != '\0') {
		fputc(' ', f);
		put_text(f, addin_token_version(t));
	}
	fputs("\n  publisher:     ", f);
	put_text(f, addin_token_publisher(t));
	fputs("\n  description:   ", f);
	put_text(f, addin_token_description(t));
	fputs("\n  location:      ", f);
	put_text(f, addin_token_location(t));
	fprintf(f, "\n  host view:     %s (%s)", addin_token_host_view_id(t),
	        addin_token_host_view_hash(t));
	fprintf(f, "\n  contract:      %s (%s)", addin_token_contract_id(t),
	        addin_token_contract_hash(t));
	fprintf(f, "\n  add-in view:   %s (%s)", addin_token_addin_view_id(t),
	        addin_token_addin_view_hash(t));
	fputs("\n  chain:         ", f);
	for (int kind = 0; kind < ADDIN_SEGMENT_KINDS; kind++) {
		if (kind > 0) {
			fputs(" -> ", f);
		}
		put_text(f, rel(dir, addin_token_path(
		                         t, (addin_segment_kind) kind)));
	}
	fprintf(f, "\n  chains:        %zu%s", addin_token_chain_count(t),
	        addin_token_direct_connect_possible(t)
	            ? " (direct connect possible)"
	            : "");
	fputs("\n  qualification:", f);
	for (int kind = 0; kind < ADDIN_SEGMENT_KINDS; kind++) {
		n = addin_token_qualification_count(t,
		                                    (addin_segment_kind) kind);
		for (size_t i = 0; i < n; i++) {
			if (addin_token_qualification_at(
			        t, (addin_segment_kind) kind, i, &k, &v) !=
			    ADDIN_OK) {
				continue;
			}
			fprintf(f, "%s %s:", any ? "," : "", kinds[kind]);
			put_text(f, k);
			fputc('=', f);
			put_text(f, v);
			any = true;
		}
	}
	if (!any) {
		fputs(" -", f);
	}
	fputs("\n  needs:         ", f);
	n = addin_token_needs_count(t);
	for (size_t i = 0; i < n; i++) {
		fputs(i > 0 ? ", " : "", f);
		put_text(f, addin_token_needs_at(t, i));
	}
	fputs(n == 0 ? "-\n" : "\n", f);
}

// The JSON output is built with jansson and printed by it (json_dumpf):
// escaping is jansson's.  Every string comes from files anyone who can
// write the pipeline directory may have written: jansson takes only valid
// UTF-8, so jstr replaces each byte that is not part of it with U+FFFD.
// Out of memory anywhere makes a NULL that put/append turn into *ok =
// false (jansson's setters accept NULL and free what they were given).

static json_t *
jstr(const char *s)
{
	const unsigned char *p   = (const unsigned char *) s;
	char                *buf = addin_alloc(strlen(s) * 3 + 1);
	size_t               n   = 0;
	json_t              *j;

	if (buf == NULL) {
		return NULL;
	}
	while (*p != '\0') {
		size_t k = utf8_len(p);
		if (k == 0) {
			memcpy(buf + n, "\xef\xbf\xbd", 3); // U+FFFD
			n += 3;
			p++;
			continue;
		}
		memcpy(buf + n, p, k);
		n += k;
		p += k;
	}
	j = json_stringn(buf, n);
	addin_free(buf);
	return j;
}

static void
put(json_t *obj, const char *key, json_t *v, bool *ok)
{
	if (json_object_set_new(obj, key, v) != 0) {
		*ok = false;
	}
}

static void
append(json_t *arr, json_t *v, bool *ok)
{
	if (json_array_append_new(arr, v) != 0) {
		*ok = false;
	}
}

static json_t *
json_id(const char *id, const char *hash, bool *ok)
{
	json_t *o = json_object();
	put(o, "id", jstr(id), ok);
	put(o, "hash", jstr(hash), ok);
	return o;
}

static json_t *
json_token(const addin_token *t, bool *ok)
{
	json_t     *o = json_object(), *segs = json_object();
	json_t     *qual = json_object(), *needs = json_array();
	const char *k, *v;
	size_t      n;

	put(o, "name", jstr(addin_token_name(t)), ok);
	put(o, "version", jstr(addin_token_version(t)), ok);
	put(o, "publisher", jstr(addin_token_publisher(t)), ok);
	put(o, "description", jstr(addin_token_description(t)), ok);
	put(o, "location", jstr(addin_token_location(t)), ok);
	put(o, "host_view",
	    json_id(addin_token_host_view_id(t), addin_token_host_view_hash(t),
	            ok),
	    ok);
	put(o, "contract",
	    json_id(addin_token_contract_id(t), addin_token_contract_hash(t),
	            ok),
	    ok);
	put(o, "addin_view",
	    json_id(addin_token_addin_view_id(t),
	            addin_token_addin_view_hash(t), ok),
	    ok);
	put(o, "direct_connect",
	    json_boolean(addin_token_direct_connect_possible(t)), ok);
	put(o, "chains", json_integer((json_int_t) addin_token_chain_count(t)),
	    ok);
	for (int kind = 0; kind < ADDIN_SEGMENT_KINDS; kind++) {
		put(segs, kinds[kind],
		    jstr(addin_token_path(t, (addin_segment_kind) kind)), ok);
	}
	put(o, "segments", segs, ok);
	for (int kind = 0; kind < ADDIN_SEGMENT_KINDS; kind++) {
		json_t *q = json_object();
		n         = addin_token_qualification_count(t,
		                                            (addin_segment_kind) kind);
		for (size_t i = 0; i < n; i++) {
			if (addin_token_qualification_at(
			        t, (addin_segment_kind) kind, i, &k, &v) ==
			    ADDIN_OK) {
				json_t *key = jstr(k);
				// A key that was not valid UTF-8 keys as cleaned.
				if (key == NULL) {
					*ok = false;
					continue;
				}
				put(q, json_string_value(key), jstr(v), ok);
				json_decref(key);
			}
		}
		put(qual, kinds[kind], q, ok);
	}
	put(o, "qualification", qual, ok);
	n = addin_token_needs_count(t);
	for (size_t i = 0; i < n; i++) {
		append(needs, jstr(addin_token_needs_at(t, i)), ok);
	}
	put(o, "needs", needs, ok);
	return o;
}

// print_json prints the pipeline's add-ins and warnings as one JSON object
// and a newline.  0, or 1 (out of memory, write error).
static int
print_json(const addin_store *s, const addin_token_list *l,
           const addin_warnings *w)
{
	json_t *root = json_object(), *addins = json_array();
	json_t *warnings = json_array();
	bool    ok       = true;
	int     rc;

	put(root, "pipeline", jstr(addin_store_dir(s)), &ok);
	for (size_t i = 0; i < addin_token_list_count(l); i++) {
		append(addins, json_token(addin_token_list_get(l, i), &ok),
		       &ok);
	}
	put(root, "addins", addins, &ok);
	for (size_t i = 0; i < addin_warnings_count(w); i++) {
		json_t *o = json_object();
		put(o, "path", jstr(addin_warnings_path(w, i)), &ok);
		put(o, "message", jstr(addin_warnings_message(w, i)), &ok);
		append(warnings, o, &ok);
	}
	put(root, "warnings", warnings, &ok);
	if (!ok) {
		json_decref(root);
		fprintf(stderr, "addinctl: out of memory\n");
		return 1;
	}
	rc = json_dumpf(root, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc != 0 || fputc('\n', stdout) == EOF) {
		fprintf(stderr, "addinctl: write error on standard output\n");
		return 1;
	}
	return 0;
}

struct opts {
	const char *dir;
	const char *view;
	const char *hash;
	bool        json;
	bool        rebuild;
	bool        no_cache;
};

static int
list(const struct opts *o)
{
	addin_store_config cfg = ADDIN_STORE_CONFIG_INIT;
	addin_store       *s;
	addin_warnings    *w = NULL;
	addin_token_list  *l = NULL;
	addin_err          rv;
	size_t             n, nw;

	if (o->no_cache) {
		cfg.flags |= ADDIN_STORE_NO_CACHE;
	}
	rv = addin_store_create(o->dir, &cfg, &s);
	if (rv != ADDIN_OK) {
		fprintf(stderr, "addinctl: %s\n", addin_errmsg());
		return 1;
	}
	rv = o->rebuild ? addin_store_rebuild(s, &w)
	                : addin_store_update(s, &w);
	if (rv == ADDIN_OK) {
		rv = addin_store_find(s, o->view, o->hash, &l);
	}
	if (rv != ADDIN_OK) {
		fprintf(stderr, "addinctl: %s\n", addin_errmsg());
		addin_warnings_destroy(w);
		addin_store_destroy(s);
		return 1;
	}
	n  = addin_token_list_count(l);
	nw = addin_warnings_count(w);
	if (o->json) {
		if (print_json(s, l, w) != 0) {
			addin_token_list_destroy(l);
			addin_warnings_destroy(w);
			addin_store_destroy(s);
			return 1;
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			fputs(i > 0 ? "\n" : "", stdout);
			text_token(stdout, addin_store_dir(s),
			           addin_token_list_get(l, i));
		}
		if (n == 0) {
			fputs("no add-ins found\n", stdout);
		}
		for (size_t i = 0; i < nw; i++) {
			fputs("warning: ", stderr);
			put_text(stderr, addin_warnings_text(w, i));
			fputc('\n', stderr);
		}
	}
	addin_token_list_destroy(l);
	addin_warnings_destroy(w);
	addin_store_destroy(s);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "addinctl: write error on standard output\n");
		return 1;
	}
	return 0;
}

static int
usage_error(const char *what)
{
	fprintf(stderr, "addinctl: %s\n%s", what, usage);
	return 2;
}

int
main(int argc, char **argv)
{
	struct opts o = {0};

	if (argc < 2) {
		return usage_error("no command");
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("addinctl (Bulkhead) %s\n", addin_version_string());
		return 0;
	}
	if (strcmp(argv[1], "list") != 0) {
		return usage_error("unknown command");
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--json") == 0) {
			o.json = true;
		} else if (strcmp(a, "--rebuild") == 0) {
			o.rebuild = true;
		} else if (strcmp(a, "--no-cache") == 0) {
			o.no_cache = true;
		} else if (strcmp(a, "--view") == 0 && i + 1 < argc) {
			o.view = argv[++i];
		} else if (strcmp(a, "--hash") == 0 && i + 1 < argc) {
			o.hash = argv[++i];
		} else if (strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (a[0] == '-' && strcmp(a, "-") != 0) {
			return usage_error("unknown option or missing value");
		} else if (o.dir == NULL) {
			o.dir = a;
		} else {
			return usage_error("more than one PIPELINE_DIR");
		}
	}
	if (o.dir == NULL) {
		return usage_error("list needs a PIPELINE_DIR");
	}
	if (o.hash != NULL && o.view == NULL) {
		return usage_error("--hash needs --view");
	}
	return list(&o);
}
