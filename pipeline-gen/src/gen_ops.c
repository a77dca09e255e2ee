// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The ops table: <service>_ops in <base>.view.h, one function pointer per
// method, which the add-in fills in and the host view calls (through the
// host-side adapter or directly).  Its comment states the contract every op
// keeps: ownership of in- and out-parameters, errors.

#include "pg.h"

void
pg_gen_ops(pg_buf *b, const pg_file *f)
{
	const pg_service *s = f->service;

	pg_putf(
	    b,
	    "// %s_ops is the view of contract %s: one function per method, "
	    "each taking the implementation's state first, the request's "
	    "fields as "
	    "in-parameters and the reply's fields as out-parameters "
	    "(ret_*).  The add-in "
	    "fills one in (%s.addin.h); the host calls it through "
	    "%s.host.h. "
	    "An op returns ADDIN_OK or an error, optionally with a message "
	    "set by "
	    "addin_set_error().  In-parameters are borrowed for the call.  "
	    "On success it "
	    "writes every output; strings, bytes and arrays it returns are "
	    "allocated with "
	    "addin_alloc()/addin_strdup() and become the caller's; an "
	    "array of strings holds no NULL (the adapters refuse one with "
	    "ADDIN_EINVAL).  On "
	    "failure it writes "
	    "no output.  A NULL op fails with ADDIN_EUNIMPL.\n",
	    s->c_prefix, s->full_name, f->leaf, f->leaf);
	pg_emit_comment(b, "", s->comment);
	pg_putf(b, "typedef struct %s_ops {\n", s->c_prefix);
	for (size_t i = 0; i < s->n_methods; i++) {
		const pg_method *mt = &s->methods[i];
		pg_list          ps = {0};

		pg_putf(b, "%s\t// %s: %s(%s) returns (%s).\n",
		        i == 0 ? "" : "\n", mt->c_name, mt->name,
		        mt->in->full_name, mt->out->full_name);
		pg_emit_comment(b, "\t", mt->comment);
		pg_list_add(&ps, "void *self");
		pg_params(&ps, mt->in, PG_P_IN);
		pg_params(&ps, mt->out, PG_P_OUT);
		pg_emit_call(b, "\t", pg_fmt("addin_err (*%s)", mt->c_name),
		             &ps, ";\n");
	}
	pg_putf(b, "} %s_ops;\n\n", s->c_prefix);
}
