// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Messages, enums and oneofs: their plain C types in <base>.view.h, the
// helpers that free them, how their fields become parameters, and the
// conversions between them and protobuf-c's structs in the adapters.
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
//
// Conversions come in three kinds.  to_pb builds protobuf-c structs that
// point into the view's memory (nothing copied; protobuf-c structs and
// converted arrays come from a per-call arena).  borrow builds view values
// that point into a protobuf-c message (arena again).  copy builds view
// values that own their memory (addin_alloc), for out-parameters.

#include <string.h>

#include "pg.h"

// The view type of one element of @fld: the field's type, or the element
// type of a repeated field.
static const char *
c_type(const pg_field *fld)
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

// protobuf-c's type of one element of @fld.
static const char *
pb_type(const pg_field *fld)
{
	switch (fld->kind) {
	case PG_BOOL: return "protobuf_c_boolean";
	case PG_ENUM: return fld->enu->pbc_type;
	case PG_STRING: return "char *";
	case PG_BYTES: return "ProtobufCBinaryData";
	case PG_MESSAGE: return pg_fmt("%s *", fld->msg->pbc_type);
	default: return c_type(fld);
	}
}

static bool
is_number(const pg_field *fld)
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

// EACH_MEMBER(m, i, fld, o) { ... } runs its body for each field of @m
// outside oneofs (o == NULL) and once for each oneof, at its first field
// (o != NULL), in declaration order.  `continue` goes to the next member.
static const pg_oneof skip_oneof;

static const pg_oneof *
member_oneof(const pg_message *m, size_t i)
{
	const pg_field *fld = &m->fields[i];
	const pg_oneof *o;

	if (fld->oneof < 0) {
		return NULL;
	}
	o = &m->oneofs[fld->oneof];
	return o->fields[0] == i ? o : &skip_oneof;
}

#define EACH_MEMBER(m, i, fld, o)                                                      \
	for (size_t i = 0; i < (m)->n_fields; i++)                                     \
		for (const pg_field *fld = &(m)->fields[i]; fld != NULL;               \
		     fld                 = NULL)                                       \
                        for (const pg_oneof *o   = member_oneof(m, i); \
                             o != &skip_oneof; o = &skip_oneof)

// Parameters -------------------------------------------------------------

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

	EACH_MEMBER(m, i, fld, o)
	{
		const char *t = c_type(fld);
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

	EACH_MEMBER(m, i, fld, o)
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

	EACH_MEMBER(m, i, fld, o)
	{
		const char *t = c_type(fld);
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

// The view header: types -------------------------------------------------

static void
gen_enum(pg_buf *b, const pg_enum *e)
{
	pg_gen_comment(b, "", e->comment);
	pg_putf(b, "typedef enum %s {\n", e->c_name);
	for (size_t i = 0; i < e->n_values; i++) {
		pg_gen_comment(b, "\t", e->values[i].comment);
		pg_putf(b, "\t%s = %d,\n", e->values[i].c_name,
		        (int) e->values[i].number);
	}
	pg_putf(b, "} %s;\n\n", e->c_name);
}

// The member or union alternative for one field, e.g. "const char *name;".
static void
gen_member(pg_buf *b, const pg_field *fld, const char *indent)
{
	const char *t = c_type(fld);
	const char *n = fld->name;

	pg_gen_comment(b, indent, fld->comment);
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
	pg_gen_comment(b, "", o->comment);
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
	pg_gen_comment(b, "", m->comment);
	pg_putf(b, "struct %s {\n", m->c_name);
	if (m->n_fields == 0) {
		pg_put(b,
		       "\tchar addin_empty; // the message has no fields\n");
	}
	EACH_MEMBER(m, i, fld, o)
	{
		if (o != NULL) {
			pg_gen_comment(b, "\t", o->comment);
			pg_putf(b, "\t%s %s;\n", o->c_type, o->name);
		} else {
			gen_member(b, fld, "\t");
		}
	}
	pg_put(b, "};\n\n");
}

static bool
is_flat(const pg_file *f, const pg_message *m)
{
	for (size_t i = 0; i < f->service->n_methods; i++) {
		if (f->service->methods[i].in == m ||
		    f->service->methods[i].out == m) {
			return true;
		}
	}
	return false;
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
		if (m->view_type || is_flat(f, m)) {
			for (size_t j = 0; j < m->n_oneofs; j++) {
				gen_oneof_type(b, m, &m->oneofs[j]);
			}
		}
	}
	for (size_t i = 0; i < f->n_order; i++) {
		gen_struct(b, f->order[i]);
	}
}

// The view header: helpers ----------------------------------------------

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
	EACH_MEMBER(m, i, fld, o)
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

// pg_gen_view_helpers emits the static inline functions that free view
// values: <struct>_clear, <struct>_array_free, <oneof>_clear.
void
pg_gen_view_helpers(pg_buf *b, const pg_file *f)
{
	bool any = false;

	for (size_t i = 0; i < f->n_messages; i++) {
		const pg_message *m = f->messages[i];
		if (!m->view_type && !is_flat(f, m)) {
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
		if (!m->view_type && !is_flat(f, m)) {
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

// Adapters: field conversions ---------------------------------------------

// The template variables for one field: V, VN, VH, VL name the view side
// (value, count, presence, length), P, PN, PH the protobuf-c side; F is the
// failure action, I the indent.
static void
field_vars(pg_vars *v, const pg_field *fld, const pg_message *m,
           const char *vprefix, const char *pmsg, const char *fail,
           const char *indent)
{
	pg_set(v, "I", indent);
	pg_set(v, "F", fail);
	pg_setf(v, "V", "%s%s", vprefix, fld->name);
	pg_setf(v, "VN", "%sn_%s", vprefix, fld->name);
	pg_setf(v, "VH", "%shas_%s", vprefix, fld->name);
	pg_setf(v, "VL", "%s%s_len", vprefix, fld->name);
	pg_setf(v, "P", "%s->%s", pmsg, fld->pb_name);
	pg_setf(v, "PN", "%s->n_%s", pmsg, fld->pb_name);
	pg_setf(v, "PH", "%s->has_%s", pmsg, fld->pb_name);
	pg_set(v, "T", c_type(fld));
	pg_set(v, "PT", pb_type(fld));
	// PT with a pointer declarator after it: "int32_t *", "Foo__Bar **".
	pg_setf(v, "PTP", fld->kind == PG_MESSAGE ? "%s*" : "%s *",
	        pb_type(fld));
	pg_setf(v, "WHAT", "%s.%s", m->full_name, fld->pb->name);
	if (fld->msg != NULL) {
		pg_set(v, "M", fld->msg->c_name);
		pg_set(v, "PM", fld->msg->pbc_type);
		pg_set(v, "PML", fld->msg->pbc_lower);
	}
}

// In oneofs, bytes are a struct {data, len}.
static void
oneof_bytes_vars(pg_vars *v, const pg_field *fld)
{
	if (fld->oneof >= 0 && fld->kind == PG_BYTES) {
		pg_setf(v, "VL", "%s.len", pg_get(v, "V"));
		pg_setf(v, "V", "%s.data", pg_get(v, "V"));
	}
}

static void to_pb_value(pg_buf *b, pg_vars *vp, const pg_field *fld,
                        pg_vmode vmode, const char *vprefix);

static void
to_pb_field(pg_buf *b, const pg_field *fld, const pg_message *m,
            pg_vmode vmode, const char *vprefix, const char *pmsg,
            const char *fail, const char *indent)
{
	pg_vars v;

	pg_vars_init(&v, NULL);
	field_vars(&v, fld, m, vprefix, pmsg, fail, indent);
	oneof_bytes_vars(&v, fld);
	if (fld->presence) {
		// An absent value keeps protoc-c's default, as the receiver of
		// the packed message would see it.
		pg_emit(b, &v, "$I$$PH$ = $VH$;\n$I$if ($VH$) {\n");
		pg_set(&v, "I", pg_fmt("%s\t", indent));
	}
	to_pb_value(b, &v, fld, vmode, vprefix);
	if (fld->presence) {
		pg_set(&v, "I", indent);
		pg_emit(b, &v, "$I$}\n");
	}
}

static void
to_pb_value(pg_buf *b, pg_vars *vp, const pg_field *fld, pg_vmode vmode,
            const char *vprefix)
{
	pg_vars v = *vp;

	if (fld->repeated) {
		pg_emit(
		    b, &v,
		    "$I$if ($V$ == NULL && $VN$ > 0) {\n"
		    "$I$\taddin_rv = addin_set_error(ADDIN_EINVAL, \"$WHAT$: "
		    "NULL array of %zu elements\", $VN$);\n"
		    "$I$\t$F$\n"
		    "$I$}\n");
		if (is_number(fld)) {
			pg_emit(b, &v,
			        "$I$$P$ = ($T$ *) (uintptr_t) $V$;\n$I$$PN$ = "
			        "$VN$;\n");
			return;
		}
		if (fld->kind == PG_STRING) {
			// protobuf-c would strlen() a NULL element: refused,
			// as a NULL array is (docs/contracts.md).
			pg_emit(
			    b, &v,
			    "$I$for (size_t addin_i = 0; addin_i < $VN$; "
			    "addin_i++) {\n"
			    "$I$\tif ($V$[addin_i] == NULL) {\n"
			    "$I$\t\taddin_rv = addin_set_error(ADDIN_EINVAL, "
			    "\"$WHAT$: element %zu is NULL\", addin_i);\n"
			    "$I$\t\t$F$\n"
			    "$I$\t}\n"
			    "$I$}\n"
			    "$I$$P$ = (char **) (uintptr_t) $V$;\n$I$$PN$ = "
			    "$VN$;\n");
			return;
		}
		pg_emit(b, &v,
		        "$I$if ($VN$ > 0) {\n"
		        "$I$\t$PTP$addin_a = addin__arena_alloc(addin_arena, "
		        "$VN$, "
		        "sizeof(*addin_a));\n");
		if (fld->kind == PG_MESSAGE) {
			pg_emit(b, &v,
			        "$I$\t$PM$ *addin_m = "
			        "addin__arena_alloc(addin_arena, "
			        "$VN$, sizeof(*addin_m));\n"
			        "$I$\tif (addin_a == NULL || addin_m == NULL) "
			        "{\n");
		} else {
			pg_emit(b, &v, "$I$\tif (addin_a == NULL) {\n");
		}
		pg_emit(
		    b, &v,
		    "$I$\t\taddin_rv = addin_set_error(ADDIN_ENOMEM, NULL);\n"
		    "$I$\t\t$F$\n"
		    "$I$\t}\n"
		    "$I$\tfor (size_t addin_i = 0; addin_i < $VN$; addin_i++) "
		    "{\n");
		if (fld->kind == PG_MESSAGE) {
			pg_emit(
			    b, &v,
			    "$I$\t\t$PML$__init(&addin_m[addin_i]);\n"
			    "$I$\t\taddin_a[addin_i] = &addin_m[addin_i];\n"
			    "$I$\t\tif ((addin_rv = "
			    "addin_to_pb_$M$(addin_arena, "
			    "&$V$[addin_i], &addin_m[addin_i])) != ADDIN_OK) "
			    "{\n"
			    "$I$\t\t\t$F$\n"
			    "$I$\t\t}\n");
		} else if (fld->kind == PG_BOOL) {
			pg_emit(b, &v,
			        "$I$\t\taddin_a[addin_i] = $V$[addin_i];\n");
		} else {
			pg_emit(b, &v,
			        "$I$\t\taddin_a[addin_i] = ($PT$) "
			        "$V$[addin_i];\n");
		}
		pg_emit(b, &v,
		        "$I$\t}\n"
		        "$I$\t$P$ = addin_a;\n"
		        "$I$\t$PN$ = $VN$;\n"
		        "$I$}\n");
		return;
	}
	switch (fld->kind) {
	case PG_STRING:
		if (fld->oneof >= 0) {
			// A member that is set is sent, even when NULL.
			pg_emit(b, &v,
			        "$I$$P$ = (char *) (uintptr_t) ($V$ != NULL ? "
			        "$V$ : "
			        "\"\");\n");
		} else {
			// NULL keeps protoc-c's default: "" or the declared
			// default, or absent for a proto2 optional field.
			pg_emit(b, &v,
			        "$I$if ($V$ != NULL) {\n"
			        "$I$\t$P$ = (char *) (uintptr_t) $V$;\n"
			        "$I$}\n");
		}
		break;
	case PG_BYTES:
		pg_emit(
		    b, &v,
		    "$I$if ($V$ == NULL && $VL$ > 0) {\n"
		    "$I$\taddin_rv = addin_set_error(ADDIN_EINVAL, \"$WHAT$: "
		    "NULL data of %zu bytes\", $VL$);\n"
		    "$I$\t$F$\n"
		    "$I$}\n"
		    "$I$$P$.data = (uint8_t *) (uintptr_t) $V$;\n"
		    "$I$$P$.len = $VL$;\n");
		break;
	case PG_MESSAGE:
		if (vmode == PG_V_OUT_LOCAL && fld->oneof < 0) {
			pg_setf(&v, "V", "&%s%s", vprefix, fld->name);
			pg_emit(b, &v, "$I${\n");
		} else if (fld->oneof >= 0) {
			// A member that is set is sent, even when NULL (as an
			// empty message).
			pg_emit(b, &v, "$I${\n");
		} else {
			pg_emit(b, &v, "$I$if ($V$ != NULL) {\n");
		}
		pg_emit(
		    b, &v,
		    "$I$\t$PM$ *addin_m = addin__arena_alloc(addin_arena, 1, "
		    "sizeof(*addin_m));\n"
		    "$I$\tif (addin_m == NULL) {\n"
		    "$I$\t\taddin_rv = addin_set_error(ADDIN_ENOMEM, NULL);\n"
		    "$I$\t\t$F$\n"
		    "$I$\t}\n"
		    "$I$\t$PML$__init(addin_m);\n"
		    "$I$\t$P$ = addin_m;\n");
		if (fld->oneof >= 0) {
			pg_emit(
			    b, &v,
			    "$I$\tif ($V$ != NULL && (addin_rv = "
			    "addin_to_pb_$M$(addin_arena, $V$, addin_m)) != "
			    "ADDIN_OK) {\n");
		} else {
			pg_emit(b, &v,
			        "$I$\tif ((addin_rv = "
			        "addin_to_pb_$M$(addin_arena, "
			        "$V$, addin_m)) != ADDIN_OK) {\n");
		}
		pg_emit(b, &v,
		        "$I$\t\t$F$\n"
		        "$I$\t}\n"
		        "$I$}\n");
		break;
	case PG_ENUM: pg_emit(b, &v, "$I$$P$ = ($PT$) $V$;\n"); break;
	default: pg_emit(b, &v, "$I$$P$ = $V$;\n"); break;
	}
}

static void
borrow_field(pg_buf *b, const pg_field *fld, const pg_message *m,
             pg_vmode vmode, const char *vprefix, const char *pmsg,
             const char *fail, const char *indent)
{
	pg_vars v;

	(void) vmode;
	pg_vars_init(&v, NULL);
	field_vars(&v, fld, m, vprefix, pmsg, fail, indent);
	oneof_bytes_vars(&v, fld);
	if (fld->presence) {
		pg_emit(b, &v, "$I$$VH$ = $PH$ != 0;\n");
	}
	if (fld->repeated) {
		if (is_number(fld)) {
			pg_emit(b, &v, "$I$$V$ = $P$;\n$I$$VN$ = $PN$;\n");
			return;
		}
		if (fld->kind == PG_STRING) {
			pg_emit(b, &v,
			        "$I$$V$ = (const char *const *) $P$;\n"
			        "$I$$VN$ = $PN$;\n");
			return;
		}
		pg_emit(
		    b, &v,
		    "$I$if ($PN$ > 0) {\n"
		    "$I$\t$T$ *addin_a = addin__arena_alloc(addin_arena, "
		    "$PN$, "
		    "sizeof(*addin_a));\n"
		    "$I$\tif (addin_a == NULL) {\n"
		    "$I$\t\taddin_rv = addin_set_error(ADDIN_ENOMEM, NULL);\n"
		    "$I$\t\t$F$\n"
		    "$I$\t}\n"
		    "$I$\tfor (size_t addin_i = 0; addin_i < $PN$; addin_i++) "
		    "{\n");
		if (fld->kind == PG_MESSAGE) {
			pg_emit(b, &v,
			        "$I$\t\tif ($P$[addin_i] == NULL) {\n"
			        "$I$\t\t\taddin_rv = "
			        "addin_set_error(ADDIN_EPROTO, "
			        "\"$WHAT$: NULL element\");\n"
			        "$I$\t\t\t$F$\n"
			        "$I$\t\t}\n"
			        "$I$\t\tif ((addin_rv = "
			        "addin_borrow_$M$(addin_arena, "
			        "$P$[addin_i], &addin_a[addin_i])) != "
			        "ADDIN_OK) {\n"
			        "$I$\t\t\t$F$\n"
			        "$I$\t\t}\n");
		} else if (fld->kind == PG_BOOL) {
			pg_emit(
			    b, &v,
			    "$I$\t\taddin_a[addin_i] = $P$[addin_i] != 0;\n");
		} else {
			pg_emit(
			    b, &v,
			    "$I$\t\taddin_a[addin_i] = ($T$) $P$[addin_i];\n");
		}
		pg_emit(b, &v,
		        "$I$\t}\n"
		        "$I$\t$V$ = addin_a;\n"
		        "$I$\t$VN$ = $PN$;\n"
		        "$I$}\n");
		return;
	}
	switch (fld->kind) {
	case PG_STRING:
		if (fld->nullable) {
			pg_emit(b, &v, "$I$$V$ = $P$;\n");
		} else {
			pg_emit(b, &v, "$I$$V$ = $P$ != NULL ? $P$ : \"\";\n");
		}
		break;
	case PG_BYTES:
		pg_emit(b, &v, "$I$$V$ = $P$.data;\n$I$$VL$ = $P$.len;\n");
		break;
	case PG_MESSAGE:
		pg_emit(
		    b, &v,
		    "$I$if ($P$ != NULL) {\n"
		    "$I$\t$M$ *addin_m = addin__arena_alloc(addin_arena, 1, "
		    "sizeof(*addin_m));\n"
		    "$I$\tif (addin_m == NULL) {\n"
		    "$I$\t\taddin_rv = addin_set_error(ADDIN_ENOMEM, NULL);\n"
		    "$I$\t\t$F$\n"
		    "$I$\t}\n"
		    "$I$\tif ((addin_rv = addin_borrow_$M$(addin_arena, $P$, "
		    "addin_m)) != ADDIN_OK) {\n"
		    "$I$\t\t$F$\n"
		    "$I$\t}\n"
		    "$I$\t$V$ = addin_m;\n"
		    "$I$}\n");
		break;
	case PG_BOOL: pg_emit(b, &v, "$I$$V$ = $P$ != 0;\n"); break;
	case PG_ENUM: pg_emit(b, &v, "$I$$V$ = ($T$) $P$;\n"); break;
	default: pg_emit(b, &v, "$I$$V$ = $P$;\n"); break;
	}
}

static void
copy_field(pg_buf *b, const pg_field *fld, const pg_message *m, pg_vmode vmode,
           const char *vprefix, const char *pmsg, const char *fail,
           const char *indent)
{
	pg_vars v;
	bool    local = vmode == PG_V_OUT_LOCAL;

	pg_vars_init(&v, NULL);
	field_vars(&v, fld, m, vprefix, pmsg, fail, indent);
	oneof_bytes_vars(&v, fld);
	pg_set(&v, "NOMEM", "addin_rv = addin_set_error(ADDIN_ENOMEM, NULL);");
	if (fld->presence) {
		pg_emit(b, &v, "$I$$VH$ = $PH$ != 0;\n");
	}
	if (fld->repeated) {
		pg_emit(b, &v,
		        "$I$if ($PN$ > 0) {\n"
		        "$I$\t$T$ *addin_a = addin__alloc_array($PN$, "
		        "sizeof(*addin_a));\n"
		        "$I$\tif (addin_a == NULL) {\n"
		        "$I$\t\t$NOMEM$\n"
		        "$I$\t\t$F$\n"
		        "$I$\t}\n");
		if (fld->kind == PG_STRING) {
			pg_emit(b, &v,
			        local ? "$I$\t$V$ = addin_a;\n"
			              : "$I$\t$V$ = (const char *const *) "
			                "addin_a;\n");
		} else {
			pg_emit(b, &v, "$I$\t$V$ = addin_a;\n");
		}
		if (is_number(fld)) {
			pg_emit(b, &v,
			        "$I$\tmemcpy(addin_a, $P$, $PN$ * "
			        "sizeof(*addin_a));\n"
			        "$I$\t$VN$ = $PN$;\n"
			        "$I$}\n");
			return;
		}
		pg_emit(
		    b, &v,
		    "$I$\tfor (size_t addin_i = 0; addin_i < $PN$; addin_i++) "
		    "{\n");
		switch (fld->kind) {
		case PG_STRING:
			pg_emit(b, &v,
			        "$I$\t\tconst char *addin_s = $P$[addin_i];\n"
			        "$I$\t\tif ((addin_a[addin_i] = "
			        "addin_strdup(addin_s "
			        "!= NULL ? addin_s : \"\")) == NULL) {\n"
			        "$I$\t\t\t$NOMEM$\n"
			        "$I$\t\t\t$F$\n"
			        "$I$\t\t}\n"
			        "$I$\t\t$VN$ = addin_i + 1;\n");
			break;
		case PG_MESSAGE:
			pg_emit(b, &v,
			        "$I$\t\tif ($P$[addin_i] == NULL) {\n"
			        "$I$\t\t\taddin_rv = "
			        "addin_set_error(ADDIN_EPROTO, "
			        "\"$WHAT$: NULL element\");\n"
			        "$I$\t\t\t$F$\n"
			        "$I$\t\t}\n"
			        "$I$\t\t$VN$ = addin_i + 1;\n"
			        "$I$\t\tif ((addin_rv = "
			        "addin_copy_$M$($P$[addin_i], "
			        "&addin_a[addin_i])) != ADDIN_OK) {\n"
			        "$I$\t\t\t$F$\n"
			        "$I$\t\t}\n");
			break;
		case PG_BOOL:
			pg_emit(
			    b, &v,
			    "$I$\t\taddin_a[addin_i] = $P$[addin_i] != 0;\n");
			break;
		default:
			pg_emit(
			    b, &v,
			    "$I$\t\taddin_a[addin_i] = ($T$) $P$[addin_i];\n");
			break;
		}
		pg_emit(b, &v, "$I$\t}\n");
		if (fld->kind == PG_BOOL || fld->kind == PG_ENUM) {
			pg_emit(b, &v, "$I$\t$VN$ = $PN$;\n");
		}
		pg_emit(b, &v, "$I$}\n");
		return;
	}
	switch (fld->kind) {
	case PG_STRING:
		if (fld->nullable) {
			pg_emit(b, &v,
			        "$I$if ($P$ != NULL && ($V$ = "
			        "addin_strdup($P$)) == "
			        "NULL) {\n"
			        "$I$\t$NOMEM$\n"
			        "$I$\t$F$\n"
			        "$I$}\n");
		} else {
			pg_emit(
			    b, &v,
			    "$I$if (($V$ = addin_strdup($P$ != NULL ? $P$ : "
			    "\"\")) == NULL) {\n"
			    "$I$\t$NOMEM$\n"
			    "$I$\t$F$\n"
			    "$I$}\n");
		}
		break;
	case PG_BYTES:
		pg_emit(b, &v,
		        "$I$if ($P$.len > 0) {\n"
		        "$I$\tif (($V$ = addin_memdup($P$.data, $P$.len)) == "
		        "NULL) "
		        "{\n"
		        "$I$\t\t$NOMEM$\n"
		        "$I$\t\t$F$\n"
		        "$I$\t}\n"
		        "$I$\t$VL$ = $P$.len;\n"
		        "$I$}\n");
		break;
	case PG_MESSAGE:
		if (local && fld->oneof < 0) {
			pg_emit(b, &v,
			        "$I$if ($P$ != NULL && (addin_rv = "
			        "addin_copy_$M$($P$, "
			        "&$V$)) != ADDIN_OK) {\n"
			        "$I$\t$F$\n"
			        "$I$}\n");
			break;
		}
		pg_emit(
		    b, &v,
		    "$I$if ($P$ != NULL) {\n"
		    "$I$\t$M$ *addin_m = addin__alloc_array(1, "
		    "sizeof(*addin_m));\n"
		    "$I$\tif (addin_m == NULL) {\n"
		    "$I$\t\t$NOMEM$\n"
		    "$I$\t\t$F$\n"
		    "$I$\t}\n"
		    "$I$\t$V$ = addin_m;\n"
		    "$I$\tif ((addin_rv = addin_copy_$M$($P$, addin_m)) != "
		    "ADDIN_OK) {\n"
		    "$I$\t\t$F$\n"
		    "$I$\t}\n"
		    "$I$}\n");
		break;
	case PG_BOOL: pg_emit(b, &v, "$I$$V$ = $P$ != 0;\n"); break;
	case PG_ENUM: pg_emit(b, &v, "$I$$V$ = ($T$) $P$;\n"); break;
	default: pg_emit(b, &v, "$I$$V$ = $P$;\n"); break;
	}
}

// The protobuf-c type of the case enum of @o.
static const char *
pb_case_type(const pg_message *m, size_t idx)
{
	return pg_fmt("%sCase",
	              pg_pbc_type(pg_fmt("%s.%s", m->full_name,
	                                 m->pb->oneof_decl[idx]->name)));
}

// Statements for one oneof: a call of its conversion function.
static void
oneof_call(pg_buf *b, const pg_oneof *o, const char *kind, pg_vmode vmode,
           const char *vprefix, const char *pmsg, const char *fail,
           const char *indent, bool to_pb)
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
	} else if (to_pb) {
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

typedef void (*field_fn)(pg_buf *b, const pg_field *fld, const pg_message *m,
                         pg_vmode vmode, const char *vprefix, const char *pmsg,
                         const char *fail, const char *indent);

static void
gen_fields(pg_buf *b, const pg_message *m, pg_vmode vmode, const char *vprefix,
           const char *pmsg, const char *fail, const char *indent, field_fn fn,
           const char *kind)
{
	EACH_MEMBER(m, i, fld, o)
	{
		if (o != NULL) {
			oneof_call(b, o, kind, vmode, vprefix, pmsg, fail,
			           indent, fn == to_pb_field);
		} else {
			fn(b, fld, m, vmode, vprefix, pmsg, fail, indent);
		}
	}
}

void
pg_gen_fields_to_pb(pg_buf *b, const pg_message *m, pg_vmode vmode,
                    const char *vprefix, const char *pmsg, const char *fail,
                    const char *indent)
{
	gen_fields(b, m, vmode, vprefix, pmsg, fail, indent, to_pb_field,
	           "to_pb");
}

void
pg_gen_fields_borrow(pg_buf *b, const pg_message *m, pg_vmode vmode,
                     const char *vprefix, const char *pmsg, const char *fail,
                     const char *indent)
{
	gen_fields(b, m, vmode, vprefix, pmsg, fail, indent, borrow_field,
	           "borrow");
}

void
pg_gen_fields_copy(pg_buf *b, const pg_message *m, pg_vmode vmode,
                   const char *vprefix, const char *pmsg, const char *fail,
                   const char *indent)
{
	gen_fields(b, m, vmode, vprefix, pmsg, fail, indent, copy_field,
	           "copy");
}

static bool
field_to_pb_can_fail(const pg_field *fld)
{
	return fld->repeated || fld->kind == PG_BYTES ||
	       fld->kind == PG_MESSAGE;
}

bool
pg_to_pb_can_fail(const pg_message *m)
{
	for (size_t i = 0; i < m->n_fields; i++) {
		if (field_to_pb_can_fail(&m->fields[i])) {
			return true;
		}
	}
	return false;
}

// Conversion functions ----------------------------------------------------

static void
oneof_fn(pg_buf *b, const pg_message *m, size_t idx, const char *kind,
         bool proto_only)
{
	const pg_oneof *o     = &m->oneofs[idx];
	const char     *pcase = pb_case_type(m, idx);
	const char     *ptype = m->pbc_type;
	bool            to_pb = strcmp(kind, "to_pb") == 0;
	bool            copy  = strcmp(kind, "copy") == 0;
	const char     *arena = copy ? "" : "addin__arena *addin_arena, ";

	if (to_pb) {
		pg_putf(b,
		        "static addin_err\naddin_to_pb_%s(%sconst %s "
		        "*addin_src, %s "
		        "*addin_dst)",
		        o->c_type, arena, o->c_type, ptype);
	} else {
		pg_putf(
		    b,
		    "static addin_err\naddin_%s_%s(%sconst %s *addin_src, %s "
		    "*addin_dst)",
		    kind, o->c_type, arena, ptype, o->c_type);
	}
	if (proto_only) {
		pg_put(b, ";\n");
		return;
	}
	pg_put(b, "\n{\n\taddin_err addin_rv = ADDIN_OK;\n\n");
	if (!copy) {
		pg_put(b, "\t(void) addin_arena;\n");
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
			to_pb_field(b, fld, m, PG_V_STRUCT, "addin_src->",
			            "addin_dst", "break;", "\t\t");
		} else {
			pg_putf(b, "\tcase %d:\n", (int) fld->number);
			pg_putf(b, "\t\taddin_dst->which = %s_%s;\n",
			        o->c_upper, fld->upper);
			(copy ? copy_field : borrow_field)(
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

static void
message_fn(pg_buf *b, const pg_message *m, const char *kind, bool proto_only)
{
	bool        to_pb = strcmp(kind, "to_pb") == 0;
	bool        copy  = strcmp(kind, "copy") == 0;
	const char *arena = copy ? "" : "addin__arena *addin_arena, ";

	if (to_pb) {
		pg_putf(b,
		        "static addin_err\naddin_to_pb_%s(%sconst %s "
		        "*addin_src, %s "
		        "*addin_dst)",
		        m->c_name, arena, m->c_name, m->pbc_type);
	} else {
		pg_putf(
		    b,
		    "static addin_err\naddin_%s_%s(%sconst %s *addin_src, %s "
		    "*addin_dst)",
		    kind, m->c_name, arena, m->pbc_type, m->c_name);
	}
	if (proto_only) {
		pg_put(b, ";\n");
		return;
	}
	pg_put(b, "\n{\n\taddin_err addin_rv = ADDIN_OK;\n\n");
	if (!copy) {
		pg_put(b, "\t(void) addin_arena;\n");
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
		if (m->view_type || is_flat(f, m)) {
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
