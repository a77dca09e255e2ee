// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Parameters: how a message's fields become the parameters of a view
// function (in-parameters, out-parameters ret_*, or the owning outputs a
// free_out helper takes), the arguments that pass an adapter's locals to an
// op, and the declarations of those locals.

#include <string.h>

#include "pg.h"

// A free_out helper needs the count of an array only when its elements
// own memory (strings, structs).
static bool
free_needs_count(const pg_field *fld)
{
	return fld->kind == PG_STRING || fld->kind == PG_MESSAGE;
}

void
pg_params(pg_list *decls, const pg_message *m, pg_pmode mode)
{
	const char *r = mode == PG_P_OUT ? "ret_" : "";

	PG_EACH_MEMBER(m, i, fld, o)
	{
		const char *t = pg_c_type(fld);
		const char *n = fld->name;

		if (o != NULL) {
			if (mode == PG_P_IN) {
				pg_list_add(decls, pg_fmt("const %s *%s",
				                          o->c_type, o->name));
			} else if (mode == PG_P_OUT || pg_oneof_owns(m, o)) {
				pg_list_add(
				    decls,
				    pg_fmt("%s *%s%s", o->c_type, r, o->name));
			}
			continue;
		}
		if (mode == PG_P_FREE && !pg_field_owns(fld)) {
			continue;
		}
		if (fld->presence && mode != PG_P_FREE) {
			pg_list_add(decls,
			            pg_fmt(mode == PG_P_IN ? "bool %shas_%s"
			                                   : "bool *%shas_%s",
			                   r, n));
		}
		if (fld->repeated) {
			const char *e =
			    fld->kind == PG_STRING
			        ? (mode == PG_P_IN ? "const char *const *"
			                           : "char **")
			        : pg_fmt(mode == PG_P_IN ? "const %s *"
			                                 : "%s *",
			                 t);
			pg_list_add(decls, pg_fmt(mode == PG_P_OUT ? "%s*%s%s"
			                                           : "%s%s%s",
			                          e, r, n));
			if (mode != PG_P_FREE || free_needs_count(fld)) {
				pg_list_add(decls,
				            pg_fmt(mode == PG_P_OUT
				                       ? "size_t *%sn_%s"
				                       : "size_t %sn_%s",
				                   r, n));
			}
			continue;
		}
		switch (fld->kind) {
		case PG_STRING:
			pg_list_add(decls,
			            pg_fmt(mode == PG_P_IN ? "const char *%s%s"
			                   : mode == PG_P_OUT ? "char **%s%s"
			                                      : "char *%s%s",
			                   r, n));
			break;
		case PG_BYTES:
			pg_list_add(decls, pg_fmt(mode == PG_P_IN
			                              ? "const uint8_t *%s%s"
			                          : mode == PG_P_OUT
			                              ? "uint8_t **%s%s"
			                              : "uint8_t *%s%s",
			                          r, n));
			if (mode != PG_P_FREE) {
				pg_list_add(decls,
				            pg_fmt(mode == PG_P_IN
				                       ? "size_t %s%s_len"
				                       : "size_t *%s%s_len",
				                   r, n));
			}
			break;
		case PG_MESSAGE:
			pg_list_add(decls,
			            pg_fmt(mode == PG_P_IN ? "const %s *%s%s"
			                                   : "%s *%s%s",
			                   t, r, n));
			break;
		default:
			pg_list_add(decls, pg_fmt(mode == PG_P_IN ? "%s %s%s"
			                                          : "%s *%s%s",
			                          t, r, n));
			break;
		}
	}
}

void
pg_local_args(pg_list *args, const pg_message *m, pg_pmode mode)
{
	const char *r   = mode == PG_P_IN ? "" : "ret_";
	const char *amp = mode == PG_P_OUT ? "&" : "";

	PG_EACH_MEMBER(m, i, fld, o)
	{
		const char *n = fld->name;
		if (o != NULL) {
			if (mode != PG_P_FREE || pg_oneof_owns(m, o)) {
				pg_list_add(args, pg_fmt("&%s%s", r, o->name));
			}
			continue;
		}
		if (mode == PG_P_FREE && !pg_field_owns(fld)) {
			continue;
		}
		if (fld->presence && mode != PG_P_FREE) {
			pg_list_add(args, pg_fmt("%s%shas_%s", amp, r, n));
		}
		if (fld->kind == PG_MESSAGE && !fld->repeated &&
		    mode != PG_P_IN) {
			pg_list_add(args, pg_fmt("&%s%s", r, n));
		} else {
			pg_list_add(args, pg_fmt("%s%s%s", amp, r, n));
		}
		if (fld->repeated &&
		    (mode != PG_P_FREE || free_needs_count(fld))) {
			pg_list_add(args, pg_fmt("%s%sn_%s", amp, r, n));
		} else if (fld->repeated) {
			continue;
		} else if (fld->kind == PG_BYTES && mode != PG_P_FREE) {
			pg_list_add(args, pg_fmt("%s%s%s_len", amp, r, n));
		}
	}
}

// Locals that hold a request's values (in) or an op's outputs (out, named
// ret_*), all zero.
void
pg_gen_locals(pg_buf *b, const pg_message *m, bool out, const char *indent)
{
	const char *r    = out ? "ret_" : "";
	const char *c    = out ? "" : "const ";
	pg_buf      zero = {0}; // memset of struct values, after the decls

	PG_EACH_MEMBER(m, i, fld, o)
	{
		const char *t = pg_c_type(fld);
		const char *n = fld->name;
		if (o != NULL) {
			pg_putf(b, "%s%s %s%s;\n", indent, o->c_type, r,
			        o->name);
			pg_putf(&zero, "%smemset(&%s%s, 0, sizeof(%s%s));\n",
			        indent, r, o->name, r, o->name);
			continue;
		}
		if (fld->presence) {
			pg_putf(b, "%sbool %shas_%s = false;\n", indent, r, n);
		}
		if (fld->repeated) {
			if (fld->kind == PG_STRING) {
				pg_putf(b, "%s%s%s*%s%s = NULL;\n", indent, c,
				        out ? "char *" : "char *const ", r, n);
			} else {
				pg_putf(b, "%s%s%s *%s%s = NULL;\n", indent, c,
				        t, r, n);
			}
			pg_putf(b, "%ssize_t %sn_%s = 0;\n", indent, r, n);
			continue;
		}
		switch (fld->kind) {
		case PG_STRING:
			pg_putf(b, "%s%schar *%s%s = NULL;\n", indent, c, r,
			        n);
			break;
		case PG_BYTES:
			pg_putf(b, "%s%suint8_t *%s%s = NULL;\n", indent, c, r,
			        n);
			pg_putf(b, "%ssize_t %s%s_len = 0;\n", indent, r, n);
			break;
		case PG_MESSAGE:
			if (out) {
				pg_putf(b, "%s%s %s%s;\n", indent, t, r, n);
				pg_putf(&zero,
				        "%smemset(&%s%s, 0, sizeof(%s%s));\n",
				        indent, r, n, r, n);
			} else {
				pg_putf(b, "%sconst %s *%s = NULL;\n", indent,
				        t, n);
			}
			break;
		case PG_BOOL:
			pg_putf(b, "%sbool %s%s = false;\n", indent, r, n);
			break;
		case PG_ENUM:
			pg_putf(b, "%s%s %s%s = (%s) 0;\n", indent, t, r, n,
			        t);
			break;
		default:
			pg_putf(b, "%s%s %s%s = 0;\n", indent, t, r, n);
			break;
		}
	}
	pg_put(b, pg_buf_str(&zero));
}

void
pg_method_params(pg_list *ps, const char *first, const pg_method *mt)
{
	pg_list_add(ps, first);
	pg_params(ps, mt->in, PG_P_IN);
	pg_params(ps, mt->out, PG_P_OUT);
}

const char *
pg_decl_name(const char *decl)
{
	const char *e = decl + strlen(decl);
	const char *p = e;
	while (p > decl && ((p[-1] >= 'a' && p[-1] <= 'z') ||
	                    (p[-1] >= 'A' && p[-1] <= 'Z') ||
	                    (p[-1] >= '0' && p[-1] <= '9') || p[-1] == '_')) {
		p--;
	}
	return p;
}

void
pg_names_of(pg_list *names, const pg_list *decls)
{
	for (size_t i = 0; i < decls->n; i++) {
		pg_list_add(names, pg_decl_name(decls->v[i]));
	}
}
