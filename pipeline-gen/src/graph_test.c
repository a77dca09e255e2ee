// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The call graph drawn at the top of pg.h is the generator's: for every
// source file, the files whose pg_* functions or data it uses are exactly
// the ones the table lists (emit.c and alloc.c aside, which anyone may
// use), every file is in the table, and the graph has no cycle.

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addin_test.h"

#define MAX_FILES 64
#define MAX_DEFS  1024

typedef struct node {
	char name[64];
	bool listed;          // in pg.h's table
	bool doc[MAX_FILES];  // edges the table draws
	bool code[MAX_FILES]; // edges the code has
	int  state;           // cycle search: 0 new, 1 on path, 2 done
} node;

static node   nodes[MAX_FILES];
static size_t n_nodes;
static struct {
	char name[64];
	int  file;
} defs[MAX_DEFS];
static size_t n_defs;

static char *
slurp(const char *dir, const char *name)
{
	char  path[512];
	FILE *f;
	long  len;
	char *s;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	ADDIN_CHECKF(f != NULL, "cannot open %s", path);
	ADDIN_CHECK(fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0);
	rewind(f);
	s = malloc((size_t) len + 1);
	ADDIN_CHECK(s != NULL && fread(s, 1, (size_t) len, f) == (size_t) len);
	s[len] = '\0';
	fclose(f);
	return s;
}

static int
node_of(const char *name, size_t len)
{
	for (size_t i = 0; i < n_nodes; i++) {
		if (strlen(nodes[i].name) == len &&
		    strncmp(nodes[i].name, name, len) == 0) {
			return (int) i;
		}
	}
	return -1;
}

static bool
is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

// Blanks out comments and string and character literals, so that only
// code is searched.
static void
code_only(char *s)
{
	for (char *p = s; *p != '\0'; p++) {
		if (p[0] == '/' && p[1] == '/') {
			while (*p != '\0' && *p != '\n') {
				*p++ = ' ';
			}
		} else if (*p == '"' || *p == '\'') {
			char q = *p;
			for (p++; *p != '\0' && *p != q; p++) {
				if (*p == '\\' && p[1] != '\0') {
					*p++ = ' ';
				}
				*p = ' ';
			}
			if (*p == '\0') {
				break;
			}
		}
	}
}

// Definitions: "pg_x(" at the start of a line (functions), and exported
// data ("const T pg_x" at the start of a line).
static void
collect_defs(const char *s, int file)
{
	for (const char *line = s; line != NULL && *line != '\0';) {
		const char *p = line;
		if (strncmp(p, "const ", 6) == 0) {
			// The last identifier before '=' or ';': the object's
			// name, not its type.
			const char *end = line + strcspn(line, "=;\n[");
			const char *q   = end;
			while (q > line && !is_ident(q[-1])) {
				q--;
			}
			while (q > line && is_ident(q[-1])) {
				q--;
			}
			p = strncmp(q, "pg_", 3) == 0 &&
			            (*end == '=' || *end == ';' || *end == '[')
			        ? q
			        : line;
		}
		if (strncmp(p, "pg_", 3) == 0) {
			size_t n = 0;
			while (is_ident(p[n])) {
				n++;
			}
			ADDIN_CHECK(n_defs < MAX_DEFS &&
			            n < sizeof(defs[0].name));
			memcpy(defs[n_defs].name, p, n);
			defs[n_defs].name[n] = '\0';
			defs[n_defs++].file  = file;
		}
		line = strchr(line, '\n');
		line = line != NULL ? line + 1 : NULL;
	}
}

static void
collect_uses(const char *s, int file)
{
	for (const char *p = s; (p = strstr(p, "pg_")) != NULL;) {
		size_t n = 0;
		if (p > s && is_ident(p[-1])) {
			p += 3;
			continue;
		}
		while (is_ident(p[n])) {
			n++;
		}
		for (size_t d = 0; d < n_defs; d++) {
			if (strlen(defs[d].name) == n &&
			    strncmp(defs[d].name, p, n) == 0 &&
			    defs[d].file != file) {
				nodes[file].code[defs[d].file] = true;
			}
		}
		p += n;
	}
}

// The table: "//   a.c   what   -> b.c c.c", continued on lines that hold
// only file names, or "(nothing)".
static void
parse_table(const char *pgh)
{
	const char *t   = strstr(pgh, "\n//   main.c ");
	int         cur = -1;

	ADDIN_CHECK(t != NULL);
	// From the table's first line to the next empty comment line.
	for (const char *line = t + 1;
	     strncmp(line, "//\n", 3) != 0 && strncmp(line, "//", 2) == 0;
	     line = strchr(line, '\n') + 1) {
		const char *end = strchr(line, '\n');
		const char *p   = line + 2;
		const char *arrow;

		if (strncmp(p, "   ", 3) == 0 && is_ident(p[3])) {
			size_t n = 0;
			p += 3;
			while (p[n] != ' ' && p + n < end) {
				n++;
			}
			if (n > 2 && strncmp(p + n - 2, ".c", 2) == 0) {
				cur = node_of(p, n);
				ADDIN_CHECKF(cur >= 0,
				             "pg.h lists %.*s, which does "
				             "not exist",
				             (int) n, p);
				nodes[cur].listed = true;
			}
			p += n;
		}
		arrow = strstr(p, "-> ");
		p     = arrow != NULL && arrow < end ? arrow + 3 : p;
		if (arrow == NULL || arrow > end) {
			// A continuation holds only file names.
			while (*p == ' ') {
				p++;
			}
			if (strncmp(p, "gen_", 4) != 0 &&
			    strncmp(p, "model", 5) != 0 &&
			    strncmp(p, "names", 5) != 0 &&
			    strncmp(p, "hash", 4) != 0 &&
			    strncmp(p, "source", 6) != 0) {
				continue;
			}
		}
		while (p < end) {
			size_t n = 0;
			while (*p == ' ') {
				p++;
			}
			while (p + n < end && p[n] != ' ') {
				n++;
			}
			if (n > 2 && strncmp(p + n - 2, ".c", 2) == 0) {
				int to = node_of(p, n);
				ADDIN_CHECKF(to >= 0 && cur >= 0,
				             "pg.h draws an edge to %.*s",
				             (int) n, p);
				nodes[cur].doc[to] = true;
			}
			p += n;
		}
	}
}

static bool
cycle_from(size_t i)
{
	nodes[i].state = 1;
	for (size_t j = 0; j < n_nodes; j++) {
		if (!nodes[i].code[j]) {
			continue;
		}
		if (nodes[j].state == 1) {
			fprintf(stderr, "  cycle: %s -> %s\n", nodes[i].name,
			        nodes[j].name);
			return true;
		}
		if (nodes[j].state == 0 && cycle_from(j)) {
			fprintf(stderr, "  ... from %s\n", nodes[i].name);
			return true;
		}
	}
	nodes[i].state = 2;
	return false;
}

static void
test_graph(void)
{
	DIR           *d = opendir(PG_SRC_DIR);
	struct dirent *e;
	char          *src[MAX_FILES];
	int            bad = 0;

	ADDIN_CHECK(d != NULL);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 3 || strcmp(e->d_name + n - 2, ".c") != 0 ||
		    (n > 7 && strcmp(e->d_name + n - 7, "_test.c") == 0)) {
			continue;
		}
		ADDIN_CHECK(n_nodes < MAX_FILES && n < sizeof(nodes[0].name));
		memcpy(nodes[n_nodes++].name, e->d_name, n + 1);
	}
	closedir(d);
	for (size_t i = 0; i < n_nodes; i++) {
		src[i] = slurp(PG_SRC_DIR, nodes[i].name);
		code_only(src[i]);
		collect_defs(src[i], (int) i);
	}
	for (size_t i = 0; i < n_nodes; i++) {
		collect_uses(src[i], (int) i);
		free(src[i]);
	}
	char *pgh = slurp(PG_SRC_DIR, "pg.h");
	parse_table(pgh);
	free(pgh);

	for (size_t i = 0; i < n_nodes; i++) {
		if (!nodes[i].listed) {
			fprintf(stderr, "  pg.h does not list %s\n",
			        nodes[i].name);
			bad++;
		}
		for (size_t j = 0; j < n_nodes; j++) {
			bool drawn = strcmp(nodes[j].name, "emit.c") == 0 ||
			             strcmp(nodes[j].name, "alloc.c") == 0;
			if (drawn) {
				continue;
			}
			if (nodes[i].code[j] != nodes[i].doc[j]) {
				fprintf(stderr, "  %s %s %s, pg.h says %s\n",
				        nodes[i].name,
				        nodes[i].code[j] ? "calls"
				                         : "does not call",
				        nodes[j].name,
				        nodes[i].doc[j] ? "it does"
				                        : "it does not");
				bad++;
			}
		}
	}
	for (size_t i = 0; i < n_nodes; i++) {
		if (nodes[i].state == 0 && cycle_from(i)) {
			bad++;
			break;
		}
	}
	ADDIN_CHECKF(bad == 0,
	             "%d difference(s) between the code and the "
	             "graph at the top of pg.h",
	             bad);
}

ADDIN_TEST_LIST = {
    {"pg.h's call graph is the code's, and has no cycle", test_graph},
    {NULL, NULL},
};
