// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Freeing view values: the static inline helpers of <base>.view.h that
// free what a struct, an array of structs, a oneof or a method's outputs
// own (<struct>_clear, <struct>_array_free, <oneof>_clear,
// <service>_<method>_free_out).

#include "pg.h"

// Statements freeing what one member owns; @v is the struct pointer.
static void
gen_clear_field(pg_buf *b, const pg_field *fld, const char *v,
                const char *indent)
{
	const char *n = fld->name;

	if (fld->repeated) {
		if (fld->kind == PG_STRING) {
			pg_putf(b,
			        "%sfor (size_t addin_i = 0; %s%s != NULL && "
			        "addin_i < "
			        "%sn_%s; addin_i++) {\n"
			        "%s\taddin_free((void *) (uintptr_t) "
			        "%s%s[addin_i]);\n%s}\n",
			        indent, v, n, v, n, indent, v, n, indent);
		}
		if (fld->kind == PG_MESSAGE) {
			pg_putf(b,
			        "%s%s_array_free((%s *) (uintptr_t) %s%s, "
			        "%sn_%s);\n",
			        indent, fld->msg->c_name, fld->msg->c_name, v,
			        n, v, n);
		} else {
			pg_putf(b,
			        "%saddin_free((void *) (uintptr_t) %s%s);\n",
			        indent, v, n);
		}
		return;
	}
	switch (fld->kind) {
	case PG_STRING:
		pg_putf(b, "%saddin_free((void *) (uintptr_t) %s%s);\n",
		        indent, v, n);
		break;
	case PG_BYTES:
		pg_putf(b, "%saddin_free((void *) (uintptr_t) %s%s%s);\n",
		        indent, v, n, fld->oneof >= 0 ? ".data" : "");
		break;
	case PG_MESSAGE:
		pg_putf(b,
		        "%sif (%s%s != NULL) {\n"
		        "%s\t%s_clear((%s *) (uintptr_t) %s%s);\n"
		        "%s\taddin_free((void *) (uintptr_t) %s%s);\n"
		        "%s}\n",
		        indent, v, n, indent, fld->msg->c_name,
		        fld->msg->c_name, v, n, indent, v, n, indent);
		break;
	default: break;
	}
}

static void
gen_oneof_clear(pg_buf *b, const pg_message *m, const pg_oneof *o)
{
	pg_putf(b, "static inline void\n%s_clear(%s *v)\n{\n", o->c_type,
	        o->c_type);
	pg_put(b, "\tif (v == NULL) {\n\t\treturn;\n\t}\n");
	if (pg_oneof_owns(m, o)) {
		pg_put(b, "\tswitch (v->which) {\n");
		for (size_t i = 0; i < o->n_fields; i++) {
			const pg_field *fld = &m->fields[o->fields[i]];
			if (!pg_field_owns(fld)) {
				continue;
			}
			pg_putf(b, "\tcase %s_%s:\n", o->c_upper, fld->upper);
			gen_clear_field(b, fld, "v->", "\t\t");
			pg_put(b, "\t\tbreak;\n");
		}
		pg_put(b, "\tdefault: break;\n\t}\n");
	}
	pg_put(b, "\tmemset(v, 0, sizeof(*v));\n}\n\n");
}

static void
gen_struct_clear(pg_buf *b, const pg_message *m)
{
	const char *c = m->c_name;

	pg_putf(b, "static inline void\n%s_clear(%s *v)\n{\n", c, c);
	pg_put(b, "\tif (v == NULL) {\n\t\treturn;\n\t}\n");
	PG_EACH_MEMBER(m, i, fld, o)
	{
		if (o != NULL) {
			if (pg_oneof_owns(m, o)) {
				pg_putf(b, "\t%s_clear(&v->%s);\n", o->c_type,
				        o->name);
			}
		} else {
			gen_clear_field(b, fld, "v->", "\t");
		}
	}
	pg_put(b, "\tmemset(v, 0, sizeof(*v));\n}\n\n");
	pg_putf(b,
	        "static inline void\n%s_array_free(%s *v, size_t n)\n{\n"
	        "\tif (v == NULL) {\n\t\treturn;\n\t}\n"
	        "\tfor (size_t addin_i = 0; addin_i < n; addin_i++) {\n"
	        "\t\t%s_clear(&v[addin_i]);\n\t}\n\taddin_free(v);\n}\n\n",
	        c, c, c);
}

void
pg_gen_view_helpers(pg_buf *b, const pg_file *f)
{
	bool any = false;

	for (size_t i = 0; i < f->n_messages; i++) {
		const pg_message *m = f->messages[i];
		if (!m->view_type && !pg_message_is_flat(f, m)) {
			continue;
		}
		for (size_t j = 0; j < m->n_oneofs; j++) {
			const pg_oneof *o = &m->oneofs[j];
			pg_putf(
			    b,
			    "// %s_clear frees what @v owns (strings, bytes, "
			    "nested structs) with addin_free() and zeroes "
			    "it.  "
			    "Accepts NULL.\n",
			    o->c_type);
			pg_putf(b, "static inline void %s_clear(%s *v);\n",
			        o->c_type, o->c_type);
			any = true;
		}
		if (!m->view_type) {
			continue;
		}
		pg_putf(
		    b,
		    "// %s_clear frees what @v owns (strings, bytes, arrays, "
		    "nested structs) with addin_free() and zeroes it; for "
		    "a "
		    "struct\n// filled by an out-parameter.  Accepts NULL.\n",
		    m->c_name);
		pg_putf(b, "static inline void %s_clear(%s *v);\n", m->c_name,
		        m->c_name);
		pg_putf(
		    b,
		    "// %s_array_free clears the @n structs of @v and frees "
		    "@v\n// (an array from an out-parameter).  Accepts "
		    "NULL.\n",
		    m->c_name);
		pg_putf(b,
		        "static inline void %s_array_free(%s *v, size_t n);\n",
		        m->c_name, m->c_name);
		any = true;
	}
	if (any) {
		pg_put(b, "\n");
	}
	for (size_t i = 0; i < f->n_messages; i++) {
		const pg_message *m = f->messages[i];
		if (!m->view_type && !pg_message_is_flat(f, m)) {
			continue;
		}
		for (size_t j = 0; j < m->n_oneofs; j++) {
			gen_oneof_clear(b, m, &m->oneofs[j]);
		}
		if (m->view_type) {
			gen_struct_clear(b, m);
		}
	}
}

void
pg_gen_free_out(pg_buf *b, const pg_file *f)
{
	const pg_service *s = f->service;

	for (size_t i = 0; i < s->n_methods; i++) {
		const pg_method  *mt = &s->methods[i];
		const pg_message *m  = mt->out;
		pg_list           ps = {0};

		if (!mt->owns_outputs) {
			continue;
		}
		pg_params(&ps, m, PG_P_FREE);
		pg_putf(
		    b,
		    "// %s_%s_free_out frees the outputs of %s_%s that own "
		    "memory,\n// given by value; each may be NULL.\n",
		    s->c_prefix, mt->c_name, s->c_prefix, mt->c_name);
		pg_put(b, "static inline void\n");
		pg_emit_call(b, "",
		             pg_fmt("%s_%s_free_out", s->c_prefix, mt->c_name),
		             &ps, "\n{\n");
		for (size_t j = 0; j < m->n_fields; j++) {
			const pg_field *fld = &m->fields[j];
			if (fld->oneof >= 0) {
				const pg_oneof *o = &m->oneofs[fld->oneof];
				if (o->fields[0] == j && pg_oneof_owns(m, o)) {
					pg_putf(b, "\t%s_clear(%s);\n",
					        o->c_type, o->name);
				}
				continue;
			}
			if (!pg_field_owns(fld)) {
				continue;
			}
			if (fld->repeated && fld->kind == PG_MESSAGE) {
				pg_putf(b, "\t%s_array_free(%s, n_%s);\n",
				        fld->msg->c_name, fld->name,
				        fld->name);
			} else if (fld->repeated && fld->kind == PG_STRING) {
				pg_putf(
				    b,
				    "\tfor (size_t addin_i = 0; %s != NULL && "
				    "addin_i < n_%s; addin_i++) {\n"
				    "\t\taddin_free(%s[addin_i]);\n\t}\n"
				    "\taddin_free(%s);\n",
				    fld->name, fld->name, fld->name,
				    fld->name);
			} else if (fld->kind == PG_MESSAGE) {
				pg_putf(b, "\t%s_clear(%s);\n",
				        fld->msg->c_name, fld->name);
			} else {
				pg_putf(b, "\taddin_free(%s);\n", fld->name);
			}
		}
		pg_put(b, "}\n\n");
	}
}
