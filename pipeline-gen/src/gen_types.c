// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// View types: the plain C types of <base>.view.h, one for each enum,
// oneof and message a view reaches (the mapping is gen_field.c's).

#include "pg.h"

static void
gen_enum(pg_buf *b, const pg_enum *e)
{
	pg_emit_comment(b, "", e->comment);
	pg_putf(b, "typedef enum %s {\n", e->c_name);
	for (size_t i = 0; i < e->n_values; i++) {
		pg_emit_comment(b, "\t", e->values[i].comment);
		pg_putf(b, "\t%s = %d,\n", e->values[i].c_name,
		        (int) e->values[i].number);
	}
	pg_putf(b, "} %s;\n\n", e->c_name);
}

// The member or union alternative for one field, e.g. "const char *name;".
static void
gen_member(pg_buf *b, const pg_field *fld, const char *indent)
{
	const char *t = pg_c_type(fld);
	const char *n = fld->name;

	pg_emit_comment(b, indent, fld->comment);
	if (fld->presence) {
		pg_putf(b, "%sbool has_%s;\n", indent, n);
	}
	if (fld->repeated) {
		if (fld->kind == PG_STRING) {
			pg_putf(b, "%sconst char *const *%s;\n", indent, n);
		} else {
			pg_putf(b, "%sconst %s *%s;\n", indent, t, n);
		}
		pg_putf(b, "%ssize_t n_%s;\n", indent, n);
		return;
	}
	switch (fld->kind) {
	case PG_STRING: pg_putf(b, "%sconst char *%s;\n", indent, n); break;
	case PG_BYTES:
		if (fld->oneof >= 0) {
			pg_putf(
			    b,
			    "%sstruct {\n%s\tconst uint8_t *data;\n%s\tsize_t "
			    "len;\n%s} %s;\n",
			    indent, indent, indent, indent, n);
		} else {
			pg_putf(b, "%sconst uint8_t *%s;\n", indent, n);
			pg_putf(b, "%ssize_t %s_len;\n", indent, n);
		}
		break;
	case PG_MESSAGE: pg_putf(b, "%sconst %s *%s;\n", indent, t, n); break;
	default: pg_putf(b, "%s%s %s;\n", indent, t, n); break;
	}
}

static void
gen_oneof_type(pg_buf *b, const pg_message *m, const pg_oneof *o)
{
	pg_putf(b, "// %s says which field of oneof '%s' of %s is set.\n",
	        o->c_case, o->name, m->full_name);
	pg_putf(b, "typedef enum %s {\n", o->c_case);
	pg_putf(b, "\t%s_NOT_SET = 0,\n", o->c_upper);
	for (size_t i = 0; i < o->n_fields; i++) {
		const pg_field *fld = &m->fields[o->fields[i]];
		pg_putf(b, "\t%s_%s = %d,\n", o->c_upper, fld->upper,
		        (int) fld->number);
	}
	pg_putf(b, "} %s;\n\n", o->c_case);
	pg_putf(b,
	        "// %s is oneof '%s' of %s: @which names the member of the "
	        "union that is set (%s_NOT_SET: none).\n",
	        o->c_type, o->name, m->full_name, o->c_upper);
	pg_emit_comment(b, "", o->comment);
	pg_putf(b, "typedef struct %s {\n\t%s which;\n\tunion {\n", o->c_type,
	        o->c_case);
	for (size_t i = 0; i < o->n_fields; i++) {
		gen_member(b, &m->fields[o->fields[i]], "\t\t");
	}
	pg_putf(b, "\t};\n} %s;\n\n", o->c_type);
}

static void
gen_struct(pg_buf *b, const pg_message *m)
{
	pg_putf(b, "// %s is message %s.\n", m->c_name, m->full_name);
	pg_emit_comment(b, "", m->comment);
	pg_putf(b, "struct %s {\n", m->c_name);
	if (m->n_fields == 0) {
		pg_put(b,
		       "\tchar addin_empty; // the message has no fields\n");
	}
	PG_EACH_MEMBER(m, i, fld, o)
	{
		if (o != NULL) {
			pg_emit_comment(b, "\t", o->comment);
			pg_putf(b, "\t%s %s;\n", o->c_type, o->name);
		} else {
			gen_member(b, fld, "\t");
		}
	}
	pg_put(b, "};\n\n");
}

void
pg_gen_view_types(pg_buf *b, const pg_file *f)
{
	bool any = false;

	for (size_t i = 0; i < f->n_enums; i++) {
		if (f->enums[i]->used) {
			gen_enum(b, f->enums[i]);
		}
	}
	for (size_t i = 0; i < f->n_order; i++) {
		pg_putf(b, "typedef struct %s %s;\n", f->order[i]->c_name,
		        f->order[i]->c_name);
		any = true;
	}
	if (any) {
		pg_put(b, "\n");
	}
	for (size_t i = 0; i < f->n_messages; i++) {
		const pg_message *m = f->messages[i];
		if (m->view_type || pg_message_is_flat(f, m)) {
			for (size_t j = 0; j < m->n_oneofs; j++) {
				gen_oneof_type(b, m, &m->oneofs[j]);
			}
		}
	}
	for (size_t i = 0; i < f->n_order; i++) {
		gen_struct(b, f->order[i]);
	}
}
