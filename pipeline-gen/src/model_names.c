// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// C names: every name a contract file makes the generator write at file
// scope (types, functions, macros, enumerators) registered once per run,
// and the names that must differ within one scope (the parameters of a
// function, the members of a struct); a clash, or protoc-c's "__"
// separator in a name, is the contract's error.

#include <string.h>

#include "pg.h"

static bool
add_name(pg_ctx *ctx, const pg_file *f, const pg_path *path, const char *name,
         const char *what)
{
	int line = pg_line(f, path);

	if (strstr(name, "__") != NULL) {
		return pg_fail(
		    ctx, f, path,
		    "%s: its C name '%s' contains '__', which is protoc-c's "
		    "separator; rename it",
		    what, name);
	}
	for (size_t i = 0; i < ctx->n_names; i++) {
		const pg_name *o = &ctx->names[i];
		if (strcmp(o->name, name) == 0) {
			return pg_fail(
			    ctx, f, path,
			    "%s: its C name '%s' clashes with that of %s "
			    "(%s:%d); rename one of them",
			    what, name, o->what, o->file->name, o->line);
		}
	}
	ctx->names = pg_grow(ctx->names, &ctx->cap_names, ctx->n_names + 1,
	                     sizeof(*ctx->names));
	ctx->names[ctx->n_names++] =
	    (pg_name) {.name = name, .what = what, .file = f, .line = line};
	return true;
}

// A scope of names that must differ: the parameters of one function, the
// members of one struct.
typedef struct scope {
	size_t       n;
	size_t       cap;
	const char **name;
	const char **what;
} scope;

static bool
scope_add(pg_ctx *ctx, const pg_file *f, scope *s, const pg_path *path,
          const char *name, const char *what, const char *where)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->name[i], name) == 0) {
			return pg_fail(
			    ctx, f, path,
			    "%s: it becomes '%s' in %s, which clashes with "
			    "%s; rename one of them",
			    what, name, where, s->what[i]);
		}
	}
	size_t cap    = s->cap;
	s->name       = pg_grow(s->name, &cap, s->n + 1, sizeof(*s->name));
	s->what       = pg_grow(s->what, &s->cap, s->n + 1, sizeof(*s->what));
	s->name[s->n] = name;
	s->what[s->n] = what;
	s->n++;
	return true;
}

// The names one field takes in a parameter list or struct: its own, and
// has_<name>, <name>_len or n_<name> beside it.
static bool
scope_add_field(pg_ctx *ctx, const pg_file *f, scope *s, const pg_field *fld,
                const char *prefix, const char *where)
{
	const char *what = pg_fmt("field '%s'", fld->pb->name);

	if (!scope_add(ctx, f, s, &fld->path,
	               pg_fmt("%s%s", prefix, fld->name), what, where)) {
		return false;
	}
	if (fld->presence &&
	    !scope_add(ctx, f, s, &fld->path,
	               pg_fmt("%shas_%s", prefix, fld->name),
	               pg_fmt("the presence flag of %s", what), where)) {
		return false;
	}
	if (fld->repeated &&
	    !scope_add(ctx, f, s, &fld->path,
	               pg_fmt("%sn_%s", prefix, fld->name),
	               pg_fmt("the count of %s", what), where)) {
		return false;
	}
	if (fld->kind == PG_BYTES && !fld->repeated &&
	    !scope_add(ctx, f, s, &fld->path,
	               pg_fmt("%s%s_len", prefix, fld->name),
	               pg_fmt("the length of %s", what), where)) {
		return false;
	}
	return true;
}

// Parameters of a message's fields: a oneof is one parameter.
static bool
scope_add_message(pg_ctx *ctx, const pg_file *f, scope *s, const pg_message *m,
                  const char *prefix, const char *where)
{
	for (size_t i = 0; i < m->n_fields; i++) {
		const pg_field *fld = &m->fields[i];
		if (fld->oneof >= 0) {
			const pg_oneof *o = &m->oneofs[fld->oneof];
			if (o->fields[0] != i) {
				continue;
			}
			if (!scope_add(ctx, f, s, &o->path,
			               pg_fmt("%s%s", prefix, o->name),
			               pg_fmt("oneof '%s'", o->name), where)) {
				return false;
			}
			continue;
		}
		if (!scope_add_field(ctx, f, s, fld, prefix, where)) {
			return false;
		}
	}
	return true;
}

static bool
names_oneofs(pg_ctx *ctx, const pg_file *f, const pg_message *m)
{
	for (size_t i = 0; i < m->n_oneofs; i++) {
		const pg_oneof *o    = &m->oneofs[i];
		const char     *what = pg_fmt("oneof '%s.%s'", m->pb->name,
		                              m->pb->oneof_decl[i]->name);
		scope          *s    = pg_alloc(sizeof(*s));
		pg_path         top  = {0};
		const char *where = pg_fmt("the tagged union %s", o->c_type);

		if (!add_name(ctx, f, &o->path, o->c_type, what) ||
		    !add_name(ctx, f, &o->path, o->c_case,
		              pg_fmt("the case enum of %s", what)) ||
		    !add_name(ctx, f, &o->path, pg_fmt("%s_clear", o->c_type),
		              pg_fmt("the clear function of %s", what)) ||
		    !add_name(ctx, f, &o->path,
		              pg_fmt("%s_NOT_SET", o->c_upper),
		              pg_fmt("the empty case of %s", what))) {
			return false;
		}
		if (!scope_add(ctx, f, s, &top, "which",
		               "the generated member 'which'", where)) {
			return false;
		}
		for (size_t j = 0; j < o->n_fields; j++) {
			const pg_field *fld = &m->fields[o->fields[j]];
			if (!add_name(ctx, f, &fld->path,
			              pg_fmt("%s_%s", o->c_upper, fld->upper),
			              pg_fmt("the case of field '%s'",
			                     fld->pb->name)) ||
			    !scope_add(ctx, f, s, &fld->path, fld->name,
			               pg_fmt("field '%s'", fld->pb->name),
			               where)) {
				return false;
			}
		}
	}
	return true;
}

// The service's own names: its type, ops table and helpers, and macros.
static bool
names_service(pg_ctx *ctx, const pg_file *f)
{
	const pg_service        *svc      = f->service;
	const char              *p        = svc->c_prefix;
	const char              *u        = svc->c_upper;
	const char              *sw       = pg_fmt("service '%s'", svc->name);
	static const char *const fixed[]  = {"", "_ops", "_release",
	                                     "_from_object", "_as_object"};
	static const char *const macros[] = {"_VIEW_ID", "_VIEW_HASH",
	                                     "_CONTRACT_ID", "_CONTRACT_HASH",
	                                     "_ADDIN"};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		const char *what = i == 0
		                       ? sw
		                       : pg_fmt("the generated '%s%s' of %s",
		                                p, fixed[i], sw);
		if (!add_name(ctx, f, &svc->path, pg_fmt("%s%s", p, fixed[i]),
		              what)) {
			return false;
		}
	}
	for (size_t i = 0; i < sizeof(macros) / sizeof(macros[0]); i++) {
		if (!add_name(ctx, f, &svc->path, pg_fmt("%s%s", u, macros[i]),
		              pg_fmt("the generated macro '%s%s' of %s", u,
		                     macros[i], sw))) {
			return false;
		}
	}
	return true;
}

// Each method: its function, free_out helper and member of the ops table,
// and its parameters, which must differ.
static bool
names_methods(pg_ctx *ctx, const pg_file *f)
{
	const pg_service *svc = f->service;
	const char       *p   = svc->c_prefix;
	scope            *ops = pg_alloc(sizeof(*ops));

	for (size_t i = 0; i < svc->n_methods; i++) {
		const pg_method *mt    = &svc->methods[i];
		const char      *what  = pg_fmt("method '%s'", mt->name);
		scope           *s     = pg_alloc(sizeof(*s));
		const char      *fn    = pg_fmt("%s_%s", p, mt->c_name);
		const char      *where = pg_fmt("the parameters of %s", fn);
		pg_path          top   = {0};

		if (!add_name(ctx, f, &mt->path, fn, what) ||
		    !scope_add(ctx, f, ops, &mt->path, mt->c_name, what,
		               pg_fmt("the ops table %s_ops", p))) {
			return false;
		}
		if (mt->owns_outputs &&
		    !add_name(
		        ctx, f, &mt->path, pg_fmt("%s_free_out", fn),
		        pg_fmt("the output free function of %s", what))) {
			return false;
		}
		if (!scope_add(ctx, f, s, &top, "self",
		               "the generated parameter 'self'", where) ||
		    !scope_add(ctx, f, s, &top, "obj",
		               "the generated parameter 'obj'", where) ||
		    !scope_add_message(ctx, f, s, mt->in, "", where) ||
		    !scope_add_message(ctx, f, s, mt->out, "ret_", where)) {
			return false;
		}
	}
	return true;
}

// The enums a view uses, and their values.
static bool
names_enums(pg_ctx *ctx, const pg_file *f)
{
	for (size_t i = 0; i < f->n_enums; i++) {
		const pg_enum *e    = f->enums[i];
		const char    *what = pg_fmt("enum '%s'", e->pb->name);
		if (!e->used) {
			continue;
		}
		if (!add_name(ctx, f, &e->path, e->c_name, what)) {
			return false;
		}
		for (size_t j = 0; j < e->n_values; j++) {
			if (!add_name(ctx, f, &e->values[j].path,
			              e->values[j].c_name,
			              pg_fmt("enum value '%s'",
			                     e->values[j].name))) {
				return false;
			}
		}
	}
	return true;
}

// The messages with a view type (the struct, its helpers and members) and
// the oneofs of those and of the requests and replies.
static bool
names_messages(pg_ctx *ctx, const pg_file *f)
{
	for (size_t i = 0; i < f->n_messages; i++) {
		const pg_message *m    = f->messages[i];
		const char       *what = pg_fmt("message '%s'", m->pb->name);
		bool              flat = pg_message_is_flat(f, m);

		if (m->view_type) {
			scope      *s     = pg_alloc(sizeof(*s));
			const char *where = pg_fmt("struct %s", m->c_name);
			if (!add_name(ctx, f, &m->path, m->c_name, what) ||
			    !add_name(
			        ctx, f, &m->path,
			        pg_fmt("%s_clear", m->c_name),
			        pg_fmt("the clear function of %s", what)) ||
			    !add_name(ctx, f, &m->path,
			              pg_fmt("%s_array_free", m->c_name),
			              pg_fmt("the array free function of %s",
			                     what)) ||
			    !scope_add_message(ctx, f, s, m, "", where)) {
				return false;
			}
		}
		if ((m->view_type || flat) && !names_oneofs(ctx, f, m)) {
			return false;
		}
	}
	return true;
}

bool
pg_model_names(pg_ctx *ctx, pg_file *f)
{
	return names_service(ctx, f) && names_methods(ctx, f) &&
	       names_enums(ctx, f) && names_messages(ctx, f);
}
