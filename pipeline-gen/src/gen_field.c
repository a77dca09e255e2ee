// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Fields: what the generators of view types, parameters and conversions
// need to know about one field of a message (its C and protobuf-c types,
// whether it owns memory, the template variables of its conversions) and
// the walk over a message's members (fields outside oneofs, and oneofs).
//
// The mapping (docs/contracts.md has the table):
//
//   scalar T          T x                    (proto2 optional: bool has_x)
//   enum              <enum c name> x        (proto2 optional: bool has_x)
//   string            const char *x          (NULL only for proto2 optional)
//   bytes             const uint8_t *x, size_t x_len
//   message           const <c name> *x      (NULL when absent)
//   repeated T        const T *x, size_t n_x (strings: const char *const *)
//   oneof o           <message c name>_o: { which; union { fields } }

#include <string.h>

#include "pg.h"

const char *
pg_c_type(const pg_field *fld)
{
	switch (fld->kind) {
	case PG_DOUBLE: return "double";
	case PG_FLOAT: return "float";
	case PG_INT32: return "int32_t";
	case PG_INT64: return "int64_t";
	case PG_UINT32: return "uint32_t";
	case PG_UINT64: return "uint64_t";
	case PG_BOOL: return "bool";
	case PG_ENUM: return fld->enu->c_name;
	case PG_STRING: return "char *";
	case PG_BYTES: return "uint8_t";
	case PG_MESSAGE: return fld->msg->c_name;
	}
	return "?";
}

const char *
pg_pb_type(const pg_field *fld)
{
	switch (fld->kind) {
	case PG_BOOL: return "protobuf_c_boolean";
	case PG_ENUM: return fld->enu->pbc_type;
	case PG_STRING: return "char *";
	case PG_BYTES: return "ProtobufCBinaryData";
	case PG_MESSAGE: return pg_fmt("%s *", fld->msg->pbc_type);
	default: return pg_c_type(fld);
	}
}

bool
pg_is_number(const pg_field *fld)
{
	return fld->kind <= PG_UINT64;
}

bool
pg_field_owns(const pg_field *fld)
{
	return fld->repeated || fld->kind == PG_STRING ||
	       fld->kind == PG_BYTES || fld->kind == PG_MESSAGE;
}

bool
pg_oneof_owns(const pg_message *m, const pg_oneof *o)
{
	for (size_t i = 0; i < o->n_fields; i++) {
		if (pg_field_owns(&m->fields[o->fields[i]])) {
			return true;
		}
	}
	return false;
}

const pg_oneof pg_skip_oneof;

const pg_oneof *
pg_member_oneof(const pg_message *m, size_t i)
{
	const pg_field *fld = &m->fields[i];
	const pg_oneof *o;

	if (fld->oneof < 0) {
		return NULL;
	}
	o = &m->oneofs[fld->oneof];
	return o->fields[0] == i ? o : &pg_skip_oneof;
}

void
pg_field_vars(pg_vars *v, const pg_field *fld, const pg_message *m,
              const char *vprefix, const char *pmsg, const char *fail,
              const char *indent)
{
	pg_vars_init(v, NULL);
	pg_set(v, "I", indent);
	pg_set(v, "F", fail);
	pg_setf(v, "V", "%s%s", vprefix, fld->name);
	pg_setf(v, "VN", "%sn_%s", vprefix, fld->name);
	pg_setf(v, "VH", "%shas_%s", vprefix, fld->name);
	pg_setf(v, "VL", "%s%s_len", vprefix, fld->name);
	pg_setf(v, "P", "%s->%s", pmsg, fld->pb_name);
	pg_setf(v, "PN", "%s->n_%s", pmsg, fld->pb_name);
	pg_setf(v, "PH", "%s->has_%s", pmsg, fld->pb_name);
	pg_set(v, "T", pg_c_type(fld));
	pg_set(v, "PT", pg_pb_type(fld));
	// PT with a pointer declarator after it: "int32_t *", "Foo__Bar **".
	pg_setf(v, "PTP", fld->kind == PG_MESSAGE ? "%s*" : "%s *",
	        pg_pb_type(fld));
	pg_setf(v, "WHAT", "%s.%s", m->full_name, fld->pb->name);
	if (fld->msg != NULL) {
		pg_set(v, "M", fld->msg->c_name);
		pg_set(v, "PM", fld->msg->pbc_type);
		pg_set(v, "PML", fld->msg->pbc_lower);
	}
	// In oneofs, bytes are a struct {data, len}.
	if (fld->oneof >= 0 && fld->kind == PG_BYTES) {
		pg_setf(v, "VL", "%s.len", pg_get(v, "V"));
		pg_setf(v, "V", "%s.data", pg_get(v, "V"));
	}
}

void
pg_gen_scalar_from_pb(pg_buf *b, const pg_vars *v, const pg_field *fld)
{
	switch (fld->kind) {
	case PG_BOOL: pg_emit(b, v, "$I$$V$ = $P$ != 0;\n"); break;
	case PG_ENUM: pg_emit(b, v, "$I$$V$ = ($T$) $P$;\n"); break;
	default: pg_emit(b, v, "$I$$V$ = $P$;\n"); break;
	}
}

// Statements for one oneof: a call of its conversion function of @kind
// ("to_pb", "borrow", "copy").
static void
oneof_call(pg_buf *b, const pg_oneof *o, const char *kind, pg_vmode vmode,
           const char *vprefix, const char *pmsg, const char *fail,
           const char *indent)
{
	const char *arena = strcmp(kind, "copy") == 0 ? "" : "addin_arena, ";
	const char *val   = pg_fmt("&%s%s", vprefix, o->name);

	if (vmode == PG_V_PARAM) {
		val = pg_fmt("%s%s", vprefix, o->name);
		pg_putf(b,
		        "%sif (%s != NULL && (addin_rv = addin_%s_%s(%s%s, "
		        "%s)) != "
		        "ADDIN_OK) {\n",
		        indent, val, kind, o->c_type, arena, val, pmsg);
	} else if (strcmp(kind, "to_pb") == 0) {
		pg_putf(b,
		        "%sif ((addin_rv = addin_%s_%s(%s%s, %s)) != "
		        "ADDIN_OK) {\n",
		        indent, kind, o->c_type, arena, val, pmsg);
	} else {
		pg_putf(b,
		        "%sif ((addin_rv = addin_%s_%s(%s%s, %s)) != "
		        "ADDIN_OK) {\n",
		        indent, kind, o->c_type, arena, pmsg, val);
	}
	pg_putf(b, "%s\t%s\n%s}\n", indent, fail, indent);
}

void
pg_gen_members(pg_buf *b, const pg_message *m, pg_vmode vmode,
               const char *vprefix, const char *pmsg, const char *fail,
               const char *indent, pg_field_fn fn, const char *kind)
{
	PG_EACH_MEMBER(m, i, fld, o)
	{
		if (o != NULL) {
			oneof_call(b, o, kind, vmode, vprefix, pmsg, fail,
			           indent);
		} else {
			fn(b, fld, m, vmode, vprefix, pmsg, fail, indent);
		}
	}
}
