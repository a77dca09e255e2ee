// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Output buffers and the $var$ template printer.

#include <string.h>

#include "pg.h"

void
pg_putn(pg_buf *b, const char *s, size_t n)
{
	b->data = pg_grow(b->data, &b->cap, b->len + n + 1, 1);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
pg_put(pg_buf *b, const char *s)
{
	pg_putn(b, s, strlen(s));
}

void
pg_putf(pg_buf *b, const char *fmt, ...)
{
	va_list ap;
	char   *s;
	va_start(ap, fmt);
	s = pg_vfmt(fmt, ap);
	va_end(ap);
	pg_put(b, s);
}

const char *
pg_buf_str(pg_buf *b)
{
	if (b->data == NULL) {
		return "";
	}
	return b->data;
}

void
pg_vars_init(pg_vars *v, const pg_vars *parent)
{
	memset(v, 0, sizeof(*v));
	v->parent = parent;
}

void
pg_set(pg_vars *v, const char *key, const char *val)
{
	for (size_t i = 0; i < v->n; i++) {
		if (strcmp(v->key[i], key) == 0) {
			v->val[i] = val;
			return;
		}
	}
	if (v->n == PG_VARS_MAX) {
		pg_die("internal: too many template variables (%s)", key);
	}
	v->key[v->n] = key;
	v->val[v->n] = val;
	v->n++;
}

void
pg_setf(pg_vars *v, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pg_set(v, key, pg_vfmt(fmt, ap));
	va_end(ap);
}

const char *
pg_get(const pg_vars *v, const char *key)
{
	for (; v != NULL; v = v->parent) {
		for (size_t i = 0; i < v->n; i++) {
			if (strcmp(v->key[i], key) == 0) {
				return v->val[i];
			}
		}
	}
	return NULL;
}

void
pg_emit(pg_buf *b, const pg_vars *v, const char *tmpl)
{
	const char *p = tmpl;

	while (*p != '\0') {
		const char *d = strchr(p, '$');
		const char *e;
		const char *val;
		char        name[64];

		if (d == NULL) {
			pg_put(b, p);
			return;
		}
		pg_putn(b, p, (size_t) (d - p));
		if ((e = strchr(d + 1, '$')) == NULL) {
			pg_die("internal: unterminated $ in template: %s",
			       tmpl);
		}
		if (e == d + 1) {
			pg_put(b, "$");
			p = e + 1;
			continue;
		}
		if ((size_t) (e - d - 1) >= sizeof(name)) {
			pg_die("internal: template variable too long: %s", d);
		}
		memcpy(name, d + 1, (size_t) (e - d - 1));
		name[e - d - 1] = '\0';
		if ((val = pg_get(v, name)) == NULL) {
			pg_die("internal: template variable $%s$ not set",
			       name);
		}
		pg_put(b, val);
		p = e + 1;
	}
}

void
pg_list_add(pg_list *l, const char *s)
{
	l->v         = pg_grow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = s;
}

// Width of @s in columns, with tabs of 8 from column @col.
static size_t
width(const char *s, size_t col)
{
	for (; *s != '\0'; s++) {
		col = *s == '\t' ? (col / 8 + 1) * 8 : col + 1;
	}
	return col;
}

void
pg_emit_call(pg_buf *b, const char *indent, const char *head,
             const pg_list *items, const char *tail)
{
	pg_buf one = {0};

	pg_put(&one, indent);
	pg_put(&one, head);
	pg_put(&one, "(");
	for (size_t i = 0; i < items->n; i++) {
		pg_put(&one, i == 0 ? "" : ", ");
		pg_put(&one, items->v[i]);
	}
	pg_put(&one, ")");
	pg_put(&one, tail);
	if (width(pg_buf_str(&one), 0) <= 79 || items->n == 0) {
		pg_put(b, pg_buf_str(&one));
		return;
	}
	pg_put(b, indent);
	pg_put(b, head);
	pg_put(b, "(");
	for (size_t i = 0; i < items->n; i++) {
		pg_put(b, i == 0 ? "" : ",");
		pg_put(b, "\n");
		pg_put(b, indent);
		pg_put(b, "    ");
		pg_put(b, items->v[i]);
	}
	pg_put(b, ")");
	pg_put(b, tail);
}
