// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Template variables: the $var$ values of one contract file (its service's
// names, ids and hash) and of one method, that the generators of the ops
// table, views, contract and adapters fill their templates with.

#include "pg.h"

void
pg_file_vars(pg_vars *v, const pg_file *f)
{
	const pg_service *s = f->service;

	pg_vars_init(v, NULL);
	pg_set(v, "p", s->c_prefix);
	pg_set(v, "P", s->c_upper);
	pg_set(v, "id", s->full_name);
	pg_set(v, "hash", s->hash);
	pg_set(v, "base", f->base);
	pg_set(v, "leaf", f->leaf);
	pg_set(v, "proto", pg_c_string(f->name)); // in string literals
	pg_set(v, "version", f->version);
	pg_set(v, "svc", s->pbc_lower);
	pg_set(v, "gen", "protoc-gen-pipeline " PG_VERSION);
	pg_setf(v, "nmethods", "%zu", s->n_methods);
}

void
pg_method_vars(pg_vars *v, const pg_vars *parent, const pg_file *f,
               const pg_method *mt)
{
	pg_vars_init(v, parent);
	pg_set(v, "m", mt->c_name);
	pg_set(v, "Method", mt->name);
	pg_setf(v, "fn", "%s_%s", f->service->c_prefix, mt->c_name);
	pg_setf(v, "idx", "%u", mt->index);
	pg_set(v, "Req", mt->in->pbc_type);
	pg_set(v, "req", mt->in->pbc_lower);
	pg_set(v, "REQ", pg_pbc_upper(mt->in->full_name));
	pg_set(v, "ReqFull", mt->in->full_name);
	pg_set(v, "Rep", mt->out->pbc_type);
	pg_set(v, "rep", mt->out->pbc_lower);
	pg_set(v, "REP", pg_pbc_upper(mt->out->full_name));
	pg_set(v, "RepFull", mt->out->full_name);
}
