// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The model of one contract file: its types and service with their C names,
// checked against everything the generator does not support (the C names'
// clashes are model_names.c's).  The first problem found becomes the error.
//
// Paths into FileDescriptorProto (descriptor.proto field numbers) give
// errors their line: file 4 message_type, 5 enum_type, 6 service, 2
// package, 7 extension; message 2 field, 3 nested_type, 4 enum_type,
// 5 extension_range, 6 extension, 8 oneof_decl; enum 2 value; service
// 2 method.

#include <string.h>

#include "pg.h"

enum {
	F_PACKAGE           = 2,
	F_MESSAGE           = 4,
	F_ENUM              = 5,
	F_SERVICE           = 6,
	F_EXTENSION         = 7,
	F_SYNTAX            = 12,
	M_FIELD             = 2,
	M_NESTED            = 3,
	M_ENUM              = 4,
	M_EXT_RANGE         = 5,
	M_EXTENSION         = 6,
	M_ONEOF             = 8,
	E_VALUE             = 2,
	S_METHOD            = 2,
	FLD_TYPE_NAME       = 6,
	FLD_LABEL           = 4,
	MT_CLIENT_STREAMING = 5,
	MT_SERVER_STREAMING = 6,
};

#define T(x) GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_##x
#define L(x) GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_##x

static bool
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

// A version component: v<digits>, optionally followed by alpha<digits> or
// beta<digits> (v1, v2, v1beta1, v3alpha).
static bool
is_version(const char *s)
{
	const char *p = s;
	if (*p++ != 'v' || *p < '0' || *p > '9') {
		return false;
	}
	while (*p >= '0' && *p <= '9') {
		p++;
	}
	if (starts_with(p, "alpha")) {
		p += 5;
	} else if (starts_with(p, "beta")) {
		p += 4;
	}
	while (*p >= '0' && *p <= '9') {
		p++;
	}
	return *p == '\0';
}

static const char *
last_component(const char *s, char sep)
{
	const char *p = strrchr(s, sep);
	return p == NULL ? s : p + 1;
}

static void
push_message(pg_file *f, size_t *cap, pg_message *m)
{
	f->messages =
	    pg_grow(f->messages, cap, f->n_messages + 1, sizeof(*f->messages));
	f->messages[f->n_messages++] = m;
}

static void
push_enum(pg_file *f, size_t *cap, pg_enum *e)
{
	f->enums = pg_grow(f->enums, cap, f->n_enums + 1, sizeof(*f->enums));
	f->enums[f->n_enums++] = e;
}

static pg_enum *
make_enum(pg_file *f, const pb_enum *pb, const char *parent_full,
          const char *parent_c, const pg_path *path)
{
	pg_enum    *e = pg_alloc(sizeof(*e));
	const char *strip;
	const char *upper;

	e->pb        = pb;
	e->file      = f;
	e->full_name = pg_fmt("%s.%s", parent_full, pb->name);
	e->c_name    = pg_fmt("%s_%s", parent_c, pg_snake(pb->name));
	e->pbc_type  = pg_pbc_type(e->full_name);
	e->path      = *path;
	e->comment   = pg_comment(f, path);
	e->n_values  = pb->n_value;
	e->values    = pg_alloc(pb->n_value * sizeof(*e->values) + 1);
	// Values conventionally repeat the enum's name (KIND_BINARY in enum
	// Kind); the C enumerator has the enum's C name in front already.
	strip = pg_fmt("%s_", pg_upper(pg_snake(pb->name)));
	upper = pg_upper(e->c_name);
	for (size_t i = 0; i < pb->n_value; i++) {
		pg_enum_value *v    = &e->values[i];
		const char    *name = pg_upper(pb->value[i]->name);
		const char    *rest = name;
		if (starts_with(name, strip) && name[strlen(strip)] != '\0' &&
		    !(name[strlen(strip)] >= '0' &&
		      name[strlen(strip)] <= '9')) {
			rest = name + strlen(strip);
		}
		v->name    = pb->value[i]->name;
		v->c_name  = pg_fmt("%s_%s", upper, rest);
		v->number  = pb->value[i]->number;
		v->path    = pg_path_child(path, E_VALUE, (int32_t) i);
		v->comment = pg_comment(f, &v->path);
	}
	return e;
}

static void
walk_types(pg_file *f, size_t *mcap, size_t *ecap, const pb_message *pb,
           const char *parent_full, const char *parent_c, const pg_path *path)
{
	pg_message *m = pg_alloc(sizeof(*m));

	m->pb        = pb;
	m->file      = f;
	m->full_name = pg_fmt("%s.%s", parent_full, pb->name);
	m->c_name    = pg_fmt("%s_%s", parent_c, pg_snake(pb->name));
	m->pbc_type  = pg_pbc_type(m->full_name);
	m->pbc_lower = pg_pbc_lower(m->full_name);
	m->path      = *path;
	m->comment   = pg_comment(f, path);
	push_message(f, mcap, m);
	for (size_t i = 0; i < pb->n_enum_type; i++) {
		pg_path p = pg_path_child(path, M_ENUM, (int32_t) i);
		push_enum(f, ecap,
		          make_enum(f, pb->enum_type[i], m->full_name,
		                    m->c_name, &p));
	}
	for (size_t i = 0; i < pb->n_nested_type; i++) {
		pg_path p = pg_path_child(path, M_NESTED, (int32_t) i);
		walk_types(f, mcap, ecap, pb->nested_type[i], m->full_name,
		           m->c_name, &p);
	}
}

static pg_message *
find_message(const pg_file *f, const char *type_name)
{
	if (type_name == NULL || type_name[0] != '.') {
		return NULL;
	}
	for (size_t i = 0; i < f->n_messages; i++) {
		if (strcmp(f->messages[i]->full_name, type_name + 1) == 0) {
			return f->messages[i];
		}
	}
	return NULL;
}

static pg_enum *
find_enum(const pg_file *f, const char *type_name)
{
	if (type_name == NULL || type_name[0] != '.') {
		return NULL;
	}
	for (size_t i = 0; i < f->n_enums; i++) {
		if (strcmp(f->enums[i]->full_name, type_name + 1) == 0) {
			return f->enums[i];
		}
	}
	return NULL;
}

static pg_kind
kind_of(int type)
{
	switch (type) {
	case T(DOUBLE): return PG_DOUBLE;
	case T(FLOAT): return PG_FLOAT;
	case T(INT32):
	case T(SINT32):
	case T(SFIXED32): return PG_INT32;
	case T(INT64):
	case T(SINT64):
	case T(SFIXED64): return PG_INT64;
	case T(UINT32):
	case T(FIXED32): return PG_UINT32;
	case T(UINT64):
	case T(FIXED64): return PG_UINT64;
	case T(BOOL): return PG_BOOL;
	case T(ENUM): return PG_ENUM;
	case T(STRING): return PG_STRING;
	case T(BYTES): return PG_BYTES;
	default: return PG_MESSAGE; // message and group
	}
}

// Fields and oneofs of @m, resolved but not yet checked: whether a type
// is usable is decided only for types the service reaches.
static void
resolve_fields(pg_file *f, pg_message *m)
{
	const pb_message *pb = m->pb;

	m->n_fields = pb->n_field;
	m->fields   = pg_alloc(pb->n_field * sizeof(*m->fields) + 1);
	m->n_oneofs = pb->n_oneof_decl;
	m->oneofs   = pg_alloc(pb->n_oneof_decl * sizeof(*m->oneofs) + 1);
	for (size_t i = 0; i < pb->n_oneof_decl; i++) {
		pg_oneof *o = &m->oneofs[i];
		o->name     = pg_lower(pb->oneof_decl[i]->name);
		o->pb_case =
		    pg_fmt("%s_case", pg_pbc_oneof(pb->oneof_decl[i]->name));
		o->c_type  = pg_fmt("%s_%s", m->c_name, o->name);
		o->c_case  = pg_fmt("%s_case", o->c_type);
		o->c_upper = pg_upper(o->c_type);
		o->path    = pg_path_child(&m->path, M_ONEOF, (int32_t) i);
		o->comment = pg_comment(f, &o->path);
		o->fields  = pg_alloc(pb->n_field * sizeof(size_t) + 1);
	}
	for (size_t i = 0; i < pb->n_field; i++) {
		const pb_field *pf  = pb->field[i];
		pg_field       *fld = &m->fields[i];
		bool optional2      = !f->proto3 && pf->label == L(OPTIONAL);

		fld->pb       = pf;
		fld->name     = pg_lower(pf->name);
		fld->pb_name  = pg_pbc_field(pf->name);
		fld->upper    = pg_upper(pf->name);
		fld->number   = pf->number;
		fld->kind     = kind_of(pf->type);
		fld->repeated = pf->label == L(REPEATED);
		fld->oneof    = -1;
		fld->path     = pg_path_child(&m->path, M_FIELD, (int32_t) i);
		fld->comment  = pg_comment(f, &fld->path);
		if (pf->has_oneof_index && pf->oneof_index >= 0 &&
		    (size_t) pf->oneof_index < m->n_oneofs) {
			pg_oneof *o              = &m->oneofs[pf->oneof_index];
			fld->oneof               = pf->oneof_index;
			o->fields[o->n_fields++] = i;
		}
		if (fld->kind == PG_MESSAGE) {
			fld->msg = find_message(f, pf->type_name);
		} else if (fld->kind == PG_ENUM) {
			fld->enu = find_enum(f, pf->type_name);
		}
		if (optional2 && fld->oneof < 0) {
			fld->presence =
			    fld->kind != PG_STRING && fld->kind != PG_MESSAGE;
			fld->nullable = fld->kind == PG_STRING;
		}
	}
}

// Marks the types reachable from @m's fields: messages become view types
// (they get a C struct), enums are used.
static void
reach(pg_message *m)
{
	if (m->visited) {
		return;
	}
	m->visited = true;
	for (size_t i = 0; i < m->n_fields; i++) {
		pg_field *fld = &m->fields[i];
		if (fld->msg != NULL) {
			fld->msg->view_type = true;
			reach(fld->msg);
		}
		if (fld->enu != NULL) {
			fld->enu->used = true;
		}
	}
}

// Marks @m and the messages its fields reach with @flag (PG_REACH_*).
static void
mark(pg_message *m, unsigned flag)
{
	if ((m->reach & flag) != 0) {
		return;
	}
	m->reach |= flag;
	for (size_t i = 0; i < m->n_fields; i++) {
		if (m->fields[i].msg != NULL) {
			mark(m->fields[i].msg, flag);
		}
	}
}

// Checks the C name @name that @what ("field 'Req.x'") becomes.
static bool
check_name(pg_ctx *ctx, const pg_file *f, const pg_path *path,
           const char *what, const char *name)
{
	if (pg_is_reserved_word(name)) {
		return pg_fail(
		    ctx, f, path,
		    "%s: its C name '%s' is a C keyword or standard C name; "
		    "rename it",
		    what, name);
	}
	if (name[0] == '_') {
		return pg_fail(
		    ctx, f, path,
		    "%s: names starting with '_' are reserved in C; rename it",
		    what);
	}
	if (starts_with(name, "addin_")) {
		return pg_fail(
		    ctx, f, path,
		    "%s: names starting with 'addin_' are reserved for "
		    "generated code; rename it",
		    what);
	}
	return true;
}

static bool
check_field(pg_ctx *ctx, const pg_file *f, const pg_message *m,
            const pg_field *fld)
{
	const pb_field *pf = fld->pb;
	const char     *n  = pf->name;

	if (pf->label == L(REQUIRED)) {
		pg_path p = pg_path_field(&fld->path, FLD_LABEL);
		return pg_fail(
		    ctx, f, &p,
		    "field '%s.%s': 'required' fields are not supported; "
		    "use 'optional'",
		    m->pb->name, n);
	}
	if (pf->has_proto3_optional && pf->proto3_optional) {
		return pg_fail(
		    ctx, f, &fld->path,
		    "field '%s.%s': proto3 'optional' is not supported "
		    "(protoc-c 1.4 refuses it); wrap the field in a oneof of "
		    "its own, or write the contract in proto2",
		    m->pb->name, n);
	}
	if (pf->type == T(GROUP)) {
		return pg_fail(
		    ctx, f, &fld->path,
		    "field '%s.%s': groups are not supported; use a nested "
		    "message",
		    m->pb->name, n);
	}
	if (fld->kind == PG_MESSAGE && fld->msg == NULL) {
		pg_path p = pg_path_field(&fld->path, FLD_TYPE_NAME);
		return pg_fail(
		    ctx, f, &p,
		    "field '%s.%s': type '%s' is not declared in %s; a "
		    "contract's messages and enums must be declared in the "
		    "contract's own file",
		    m->pb->name, n, pf->type_name + 1, f->name);
	}
	if (fld->kind == PG_ENUM && fld->enu == NULL) {
		pg_path p = pg_path_field(&fld->path, FLD_TYPE_NAME);
		return pg_fail(
		    ctx, f, &p,
		    "field '%s.%s': enum '%s' is not declared in %s; a "
		    "contract's messages and enums must be declared in the "
		    "contract's own file",
		    m->pb->name, n, pf->type_name + 1, f->name);
	}
	if (fld->msg != NULL && fld->msg->pb->options != NULL &&
	    fld->msg->pb->options->map_entry) {
		return pg_fail(
		    ctx, f, &fld->path,
		    "field '%s.%s': map fields are not supported yet; use a "
		    "repeated message with key and value fields",
		    m->pb->name, n);
	}
	if (fld->kind == PG_BYTES && fld->repeated) {
		return pg_fail(
		    ctx, f, &fld->path,
		    "field '%s.%s': repeated bytes are not supported yet; "
		    "use a repeated message with one bytes field",
		    m->pb->name, n);
	}
	if (!pg_is_identifier(n)) {
		return pg_fail(ctx, f, &fld->path,
		               "field '%s.%s': not a C identifier",
		               m->pb->name, n);
	}
	return check_name(ctx, f, &fld->path,
	                  pg_fmt("field '%s.%s'", m->pb->name, n), fld->name);
}

static bool check_message(pg_ctx *ctx, const pg_file *f, pg_message *m);

static bool
check_message_types(pg_ctx *ctx, const pg_file *f, pg_message *m)
{
	for (size_t i = 0; i < m->n_fields; i++) {
		if (m->fields[i].msg != NULL &&
		    !check_message(ctx, f, m->fields[i].msg)) {
			return false;
		}
	}
	return true;
}

// Checks a message the service reaches, then the messages its fields
// reach, depth first.
static bool
check_message(pg_ctx *ctx, const pg_file *f, pg_message *m)
{
	const pb_message *pb = m->pb;

	if (m->checked) {
		return true;
	}
	m->checked = true;
	if (pb->n_extension_range > 0) {
		pg_path p = pg_path_child(&m->path, M_EXT_RANGE, 0);
		return pg_fail(
		    ctx, f, &p,
		    "message '%s': extension ranges are not supported",
		    pb->name);
	}
	if (pb->n_extension > 0) {
		pg_path p = pg_path_child(&m->path, M_EXTENSION, 0);
		return pg_fail(ctx, f, &p,
		               "message '%s': extensions are not supported",
		               pb->name);
	}
	for (size_t i = 0; i < m->n_fields; i++) {
		if (!check_field(ctx, f, m, &m->fields[i])) {
			return false;
		}
	}
	for (size_t i = 0; i < m->n_oneofs; i++) {
		if (!check_name(ctx, f, &m->oneofs[i].path,
		                pg_fmt("oneof '%s.%s'", pb->name,
		                       pb->oneof_decl[i]->name),
		                m->oneofs[i].name)) {
			return false;
		}
	}
	return check_message_types(ctx, f, m);
}

// The generated files #include each other, and protoc-c's, by the file's
// name: a name a C #include "..." cannot spell is refused.
static bool
check_file_name(pg_ctx *ctx, const pg_file *f)
{
	pg_path     top = {0};
	const char *why = NULL;

	for (const char *c = f->name; *c != '\0' && why == NULL; c++) {
		if (*c == '"' || *c == '\\') {
			why = pg_fmt("'%c'", *c);
		} else if ((unsigned char) *c < 0x20 || *c == 0x7f) {
			why = "a control character";
		} else if (c[0] == '?' && c[1] == '?' && c[2] != '\0' &&
		           strchr("=(/)'<!>-", c[2]) != NULL) {
			why = pg_fmt("the trigraph '??%c'", c[2]);
		}
	}
	if (why != NULL) {
		return pg_fail(
		    ctx, f, &top,
		    "file name \"%s\": it contains %s, which a C "
		    "#include \"...\" cannot spell; rename the file",
		    pg_c_string(f->name), why);
	}
	return true;
}

static bool
check_package(pg_ctx *ctx, pg_file *f)
{
	const char *pkg = f->pb->package;
	pg_path     p   = {0};

	p = pg_path_field(&p, F_PACKAGE);
	if (pkg == NULL || pkg[0] == '\0') {
		pg_path top = {0};
		return pg_fail(
		    ctx, f, &top,
		    "no package: a contract's package names it and ends in "
		    "its version, e.g. 'package calculator.v1;'");
	}
	if (!is_version(last_component(pkg, '.'))) {
		return pg_fail(
		    ctx, f, &p,
		    "package '%s' has no version: a contract's package ends "
		    "in its version, e.g. 'package %s.v1;'",
		    pkg, pkg);
	}
	if (strchr(pkg, '.') == NULL) {
		return pg_fail(
		    ctx, f, &p,
		    "package '%s' is only a version: name the contract "
		    "first, e.g. 'package calculator.%s;'",
		    pkg, pkg);
	}
	if (strcmp(pkg, "addin") == 0 || starts_with(pkg, "addin.")) {
		return pg_fail(
		    ctx, f, &p,
		    "package '%s': packages starting with 'addin' are "
		    "reserved for Bulkhead itself",
		    pkg);
	}
	f->package = pkg;
	f->version = last_component(pkg, '.');
	return true;
}

static bool
model_service(pg_ctx *ctx, pg_file *f)
{
	const pb_file    *pb  = f->pb;
	const pb_service *ps  = NULL;
	pg_service       *svc = NULL;
	pg_path           top = {0};
	pg_path           p;
	char             *pkg_c;

	if (pb->n_service == 0) {
		return pg_fail(
		    ctx, f, &top,
		    "no service: a contract file declares exactly one "
		    "service");
	}
	if (pb->n_service > 1) {
		pg_path first = pg_path_child(&top, F_SERVICE, 0);
		p             = pg_path_child(&top, F_SERVICE, 1);
		return pg_fail(
		    ctx, f, &p,
		    "service '%s': a contract file declares exactly one "
		    "service, and '%s' (line %d) is this file's; move '%s' "
		    "to a file of its own",
		    pb->service[1]->name, pb->service[0]->name,
		    pg_line(f, &first), pb->service[1]->name);
	}
	ps    = pb->service[0];
	svc   = pg_alloc(sizeof(*svc));
	pkg_c = pg_lower(pb->package);
	for (char *c = pkg_c; *c != '\0'; c++) {
		if (*c == '.') {
			*c = '_';
		}
	}
	svc->pb        = ps;
	svc->name      = ps->name;
	svc->full_name = pg_fmt("%s.%s", f->package, ps->name);
	svc->c_prefix  = pg_fmt("%s_%s", pkg_c, pg_snake(ps->name));
	svc->c_upper   = pg_upper(svc->c_prefix);
	svc->pbc_lower = pg_pbc_lower(svc->full_name);
	svc->path      = pg_path_child(&top, F_SERVICE, 0);
	svc->comment   = pg_comment(f, &svc->path);
	svc->n_methods = ps->n_method;
	svc->methods   = pg_alloc(ps->n_method * sizeof(*svc->methods) + 1);
	f->service     = svc;
	if (ps->n_method == 0) {
		return pg_fail(ctx, f, &svc->path,
		               "service '%s' has no methods", ps->name);
	}
	for (size_t i = 0; i < ps->n_method; i++) {
		const pb_method *pm = ps->method[i];
		pg_method       *mt = &svc->methods[i];

		mt->pb      = pm;
		mt->name    = pm->name;
		mt->c_name  = pg_snake(pm->name);
		mt->index   = (unsigned) i;
		mt->path    = pg_path_child(&svc->path, S_METHOD, (int32_t) i);
		mt->comment = pg_comment(f, &mt->path);
		if (pm->client_streaming || pm->server_streaming) {
			p = pg_path_field(&mt->path,
			                  pm->client_streaming
			                      ? MT_CLIENT_STREAMING
			                      : MT_SERVER_STREAMING);
			return pg_fail(
			    ctx, f, &p,
			    "method '%s.%s': streaming methods are not "
			    "supported; call a plain method repeatedly or "
			    "return a repeated field",
			    ps->name, pm->name);
		}
		mt->in  = find_message(f, pm->input_type);
		mt->out = find_message(f, pm->output_type);
		if (mt->in == NULL || mt->out == NULL) {
			const char *t =
			    mt->in == NULL ? pm->input_type : pm->output_type;
			return pg_fail(
			    ctx, f, &mt->path,
			    "method '%s.%s': type '%s' is not declared in %s; "
			    "a contract's messages must be declared in the "
			    "contract's own file (write 'message Empty {}' "
			    "instead of importing google.protobuf.Empty)",
			    ps->name, pm->name, t + 1, f->name);
		}
		if (!check_name(ctx, f, &mt->path,
		                pg_fmt("method '%s.%s'", ps->name, pm->name),
		                mt->c_name)) {
			return false;
		}
	}
	return true;
}

// pg_model_file builds the model of one file to generate and checks it.
bool
pg_model_file(pg_ctx *ctx, const pb_file *pb, pg_file **ret)
{
	pg_file *f    = pg_alloc(sizeof(*f));
	size_t   mcap = 0, ecap = 0;
	pg_path  top = {0};
	char    *pkg_c;
	char    *g;

	f->pb     = pb;
	f->name   = pb->name;
	f->base   = ends_with(pb->name, ".proto")
	                ? pg_strndup(pb->name, strlen(pb->name) - 6)
	                : pb->name;
	f->leaf   = last_component(f->base, '/');
	f->proto3 = pb->syntax != NULL && strcmp(pb->syntax, "proto3") == 0;
	g         = pg_upper(f->base);
	for (char *c = g; *c != '\0'; c++) {
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))) {
			*c = '_';
		}
	}
	f->guard = g;
	*ret     = f;
	if (pb->syntax != NULL && strcmp(pb->syntax, "proto2") != 0 &&
	    strcmp(pb->syntax, "proto3") != 0) {
		pg_path p = pg_path_field(&top, F_SYNTAX);
		return pg_fail(
		    ctx, f, &p,
		    "syntax '%s' is not supported; use proto2 or proto3",
		    pb->syntax);
	}
	if (!check_file_name(ctx, f) || !check_package(ctx, f)) {
		return false;
	}
	if (pb->n_extension > 0) {
		pg_path p = pg_path_child(&top, F_EXTENSION, 0);
		return pg_fail(ctx, f, &p, "extensions are not supported");
	}
	pkg_c = pg_lower(f->package);
	for (char *c = pkg_c; *c != '\0'; c++) {
		if (*c == '.') {
			*c = '_';
		}
	}
	for (size_t i = 0; i < pb->n_enum_type; i++) {
		pg_path p = pg_path_child(&top, F_ENUM, (int32_t) i);
		push_enum(
		    f, &ecap,
		    make_enum(f, pb->enum_type[i], f->package, pkg_c, &p));
	}
	for (size_t i = 0; i < pb->n_message_type; i++) {
		pg_path p = pg_path_child(&top, F_MESSAGE, (int32_t) i);
		walk_types(f, &mcap, &ecap, pb->message_type[i], f->package,
		           pkg_c, &p);
	}
	for (size_t i = 0; i < f->n_messages; i++) {
		resolve_fields(f, f->messages[i]);
	}
	if (!model_service(ctx, f)) {
		return false;
	}
	for (size_t i = 0; i < f->service->n_methods; i++) {
		pg_method *mt = &f->service->methods[i];
		if (!check_message(ctx, f, mt->in) ||
		    !check_message(ctx, f, mt->out)) {
			return false;
		}
		reach(mt->in);
		reach(mt->out);
		mark(mt->in, PG_REACH_REQ);
		mark(mt->out, PG_REACH_REP);
	}
	f->order = pg_alloc(f->n_messages * sizeof(*f->order) + 1);
	for (size_t i = 0; i < f->n_messages; i++) {
		if (f->messages[i]->view_type) {
			f->order[f->n_order++] = f->messages[i];
		}
	}
	for (size_t i = 0; i < f->service->n_methods; i++) {
		pg_method *mt = &f->service->methods[i];
		for (size_t j = 0; j < mt->out->n_fields; j++) {
			const pg_field *fld = &mt->out->fields[j];
			if (fld->repeated || fld->kind == PG_STRING ||
			    fld->kind == PG_BYTES || fld->kind == PG_MESSAGE) {
				mt->owns_outputs = true;
			}
		}
	}
	return true;
}

bool
pg_message_is_flat(const pg_file *f, const pg_message *m)
{
	for (size_t i = 0; i < f->service->n_methods; i++) {
		if (f->service->methods[i].in == m ||
		    f->service->methods[i].out == m) {
			return true;
		}
	}
	return false;
}
