// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Conversion functions: the static functions an adapter defines to convert
// one message or oneof between its view type and protobuf-c's struct, built
// from the field statements of gen_to_pb.c, gen_borrow.c and gen_copy.c.
//
// Conversions come in three kinds.  to_pb builds protobuf-c structs that
// point into the view's memory (nothing copied; protobuf-c structs and
// converted arrays come from a per-call arena).  borrow builds view values
// that point into a protobuf-c message (arena again).  copy builds view
// values that own their memory (addin_alloc), for out-parameters.

#include <string.h>

#include "pg.h"

// The protobuf-c type of the case enum of @o.
static const char *
pb_case_type(const pg_message *m, size_t idx)
{
	return pg_fmt("%sCase",
	              pg_pbc_type(pg_fmt("%s.%s", m->full_name,
	                                 m->pb->oneof_decl[idx]->name)));
}

// The head of the conversion function of @kind between view type @vtype
// and protobuf-c type @ptype: its signature, then ";" when @proto_only
// (returns false: nothing more to write) or the opening of its body.
static bool
fn_head(pg_buf *b, const char *kind, const char *vtype, const char *ptype,
        bool proto_only)
{
	bool        to_pb = strcmp(kind, "to_pb") == 0;
	bool        copy  = strcmp(kind, "copy") == 0;
	const char *arena = copy ? "" : "addin_adapter_arena *addin_arena, ";

	if (to_pb) {
		pg_putf(b,
		        "static addin_err\naddin_to_pb_%s(%sconst %s "
		        "*addin_src, %s "
		        "*addin_dst)",
		        vtype, arena, vtype, ptype);
	} else {
		pg_putf(
		    b,
		    "static addin_err\naddin_%s_%s(%sconst %s *addin_src, %s "
		    "*addin_dst)",
		    kind, vtype, arena, ptype, vtype);
	}
	if (proto_only) {
		pg_put(b, ";\n");
		return false;
	}
	pg_put(b, "\n{\n\taddin_err addin_rv = ADDIN_OK;\n\n");
	if (!copy) {
		pg_put(b, "\t(void) addin_arena;\n");
	}
	return true;
}

// The conversion function of @kind for oneof @idx of @m (only its
// prototype when @proto_only): a switch over the field that is set.
static void
oneof_fn(pg_buf *b, const pg_message *m, size_t idx, const char *kind,
         bool proto_only)
{
	const pg_oneof *o     = &m->oneofs[idx];
	const char     *pcase = pb_case_type(m, idx);
	bool            to_pb = strcmp(kind, "to_pb") == 0;
	bool            copy  = strcmp(kind, "copy") == 0;

	if (!fn_head(b, kind, o->c_type, m->pbc_type, proto_only)) {
		return;
	}
	if (to_pb) {
		pg_put(b, "\tswitch (addin_src->which) {\n");
	} else {
		pg_putf(b, "\tswitch ((int) addin_src->%s) {\n", o->pb_case);
	}
	for (size_t i = 0; i < o->n_fields; i++) {
		const pg_field *fld = &m->fields[o->fields[i]];
		if (to_pb) {
			pg_putf(b, "\tcase %s_%s:\n", o->c_upper, fld->upper);
			pg_putf(b, "\t\taddin_dst->%s = (%s) %d;\n",
			        o->pb_case, pcase, (int) fld->number);
			pg_gen_field_to_pb(b, fld, m, PG_V_STRUCT,
			                   "addin_src->", "addin_dst",
			                   "break;", "\t\t");
		} else {
			pg_putf(b, "\tcase %d:\n", (int) fld->number);
			pg_putf(b, "\t\taddin_dst->which = %s_%s;\n",
			        o->c_upper, fld->upper);
			(copy ? pg_gen_field_copy : pg_gen_field_borrow)(
			    b, fld, m, PG_V_STRUCT, "addin_dst->", "addin_src",
			    "break;", "\t\t");
		}
		pg_put(b, "\t\tbreak;\n");
	}
	pg_put(b, "\tdefault:\n");
	if (to_pb) {
		pg_putf(b, "\t\taddin_dst->%s = (%s) 0;\n", o->pb_case, pcase);
	} else {
		pg_putf(b, "\t\taddin_dst->which = %s_NOT_SET;\n", o->c_upper);
	}
	pg_put(b, "\t\tbreak;\n\t}\n\treturn addin_rv;\n}\n\n");
}

// The conversion function of @kind for view struct @m (only its prototype
// when @proto_only).
static void
message_fn(pg_buf *b, const pg_message *m, const char *kind, bool proto_only)
{
	bool to_pb = strcmp(kind, "to_pb") == 0;
	bool copy  = strcmp(kind, "copy") == 0;

	if (!fn_head(b, kind, m->c_name, m->pbc_type, proto_only)) {
		return;
	}
	if (m->n_fields == 0) {
		pg_put(b, "\t(void) addin_src;\n\t(void) addin_dst;\n");
	}
	if (to_pb) {
		pg_gen_fields_to_pb(b, m, PG_V_STRUCT, "addin_src->",
		                    "addin_dst", "return addin_rv;", "\t");
	} else if (copy) {
		pg_gen_fields_copy(b, m, PG_V_STRUCT, "addin_dst->",
		                   "addin_src", "return addin_rv;", "\t");
	} else {
		pg_gen_fields_borrow(b, m, PG_V_STRUCT, "addin_dst->",
		                     "addin_src", "return addin_rv;", "\t");
	}
	pg_put(b, "\treturn addin_rv;\n}\n\n");
}

// The conversion functions of @kind for every message and oneof reached as
// @reach (a PG_REACH_* mask; 0: none).
static void
conversions(pg_buf *b, const pg_file *f, unsigned reach, const char *kind,
            bool proto_only)
{
	if (reach == 0) {
		return;
	}
	for (size_t i = 0; i < f->n_messages; i++) {
		const pg_message *m = f->messages[i];
		if ((m->reach & reach) == 0) {
			continue;
		}
		if (m->view_type || pg_message_is_flat(f, m)) {
			for (size_t j = 0; j < m->n_oneofs; j++) {
				oneof_fn(b, m, j, kind, proto_only);
			}
		}
		if (m->view_type) {
			message_fn(b, m, kind, proto_only);
		}
	}
}

void
pg_gen_conversions(pg_buf *b, const pg_file *f, unsigned to_pb,
                   unsigned borrow, unsigned copy)
{
	pg_buf protos = {0};
	pg_buf defs   = {0};

	conversions(&protos, f, to_pb, "to_pb", true);
	conversions(&protos, f, borrow, "borrow", true);
	conversions(&protos, f, copy, "copy", true);
	conversions(&defs, f, to_pb, "to_pb", false);
	conversions(&defs, f, borrow, "borrow", false);
	conversions(&defs, f, copy, "copy", false);
	if (protos.len > 0) {
		pg_put(b, pg_buf_str(&protos));
		pg_put(b, "\n");
		pg_put(b, pg_buf_str(&defs));
	}
}
