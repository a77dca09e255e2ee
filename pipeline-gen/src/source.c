// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Source positions and comments (SourceCodeInfo), and the error that goes
// back to protoc as "file:line: message".

#include <stdio.h>
#include <string.h>

#include "pg.h"

pg_path
pg_path_field(const pg_path *parent, int32_t field)
{
	pg_path p = *parent;
	if (p.n < PG_PATH_MAX) {
		p.v[p.n++] = field;
	}
	return p;
}

pg_path
pg_path_child(const pg_path *parent, int32_t field, int32_t idx)
{
	pg_path p = pg_path_field(parent, field);
	return pg_path_field(&p, idx);
}

static const Google__Protobuf__SourceCodeInfo__Location *
find(const pg_file *f, const pg_path *path, size_t n)
{
	const Google__Protobuf__SourceCodeInfo *sci = f->pb->source_code_info;

	if (sci == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < sci->n_location; i++) {
		const Google__Protobuf__SourceCodeInfo__Location *loc =
		    sci->location[i];
		if (loc->n_path == n &&
		    (n == 0 ||
		     memcmp(loc->path, path->v, n * sizeof(int32_t)) == 0) &&
		    loc->n_span >= 3) {
			return loc;
		}
	}
	return NULL;
}

// pg_line returns the 1-based line of @path, or of its closest ancestor
// that has a location, or 1.
int
pg_line(const pg_file *f, const pg_path *path)
{
	for (size_t n = path->n;; n--) {
		const Google__Protobuf__SourceCodeInfo__Location *loc =
		    find(f, path, n);
		if (loc != NULL) {
			return loc->span[0] + 1;
		}
		if (n == 0) {
			return 1;
		}
	}
}

const char *
pg_comment(const pg_file *f, const pg_path *path)
{
	const Google__Protobuf__SourceCodeInfo__Location *loc =
	    find(f, path, path->n);
	if (loc == NULL) {
		return NULL;
	}
	if (loc->leading_comments != NULL && loc->leading_comments[0] != 0) {
		return loc->leading_comments;
	}
	if (loc->trailing_comments != NULL && loc->trailing_comments[0] != 0) {
		return loc->trailing_comments;
	}
	return NULL;
}

// The file name as the error's location: control characters (which the
// file-name check refuses) are written as octal escapes, so that the error
// stays one line even for a name with a newline in it.
static const char *
location(const char *name)
{
	pg_buf b = {0};

	for (const char *p = name; *p != '\0'; p++) {
		unsigned char c = (unsigned char) *p;
		if (c < 0x20 || c == 0x7f) {
			pg_putf(&b, "\\%03o", c);
		} else {
			pg_putn(&b, p, 1);
		}
	}
	return pg_buf_str(&b);
}

bool
pg_fail(pg_ctx *ctx, const pg_file *f, const pg_path *path, const char *fmt,
        ...)
{
	va_list ap;
	char   *msg;

	if (ctx->error != NULL) {
		return false; // the first error stands
	}
	va_start(ap, fmt);
	msg = pg_vfmt(fmt, ap);
	va_end(ap);
	ctx->error =
	    pg_fmt("%s:%d: %s", location(f->name), pg_line(f, path), msg);
	return false;
}
