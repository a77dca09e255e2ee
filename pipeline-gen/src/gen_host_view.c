// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The host view: <base>.host.h (the opaque object type and one documented
// function per method) and the thunks of <base>.host-view.c, which check
// the arguments, enter the object, call the op of whatever implements the
// view (a host-side adapter, or the add-in itself by direct connect) and
// leave.

#include <string.h>

#include "pg.h"

// Ownership of a method's outputs, for its documentation.
static const char *
outputs_doc(const pg_file *f, const pg_method *mt)
{
	if (mt->out->n_fields == 0) {
		return "It has no outputs.";
	}
	if (!mt->owns_outputs) {
		return "Outputs (ret_*) are written only on success.";
	}
	return pg_fmt("Outputs (ret_*) are written only on success; what they "
	              "point to is allocated with addin_alloc() and owned by "
	              "the caller, who frees it with %s_%s_free_out().",
	              f->service->c_prefix, mt->c_name);
}

void
pg_gen_host_header(pg_buf *b, const pg_file *f)
{
	const pg_service *s = f->service;
	pg_vars           v;

	pg_file_vars(&v, f);
	pg_emit(
	    b, &v,
	    "// $p$ is the host's object for an add-in of contract "
	    "$id$: an addin_object (addin/object.h) made for view "
	    "$P$_VIEW_ID.  "
	    "Whether the add-in runs in this process or in another is the "
	    "isolation "
	    "level's business; calls look the same.\n"
	    "typedef struct $p$ $p$;\n\n"
	    "// $p$_from_object returns @obj typed as the host view, or NULL "
	    "when @obj is NULL or was made for another view.  No reference "
	    "is added: "
	    "the result shares @obj's.  Thread-safe.\n"
	    "$p$ *$p$_from_object(addin_object *obj);\n\n"
	    "// $p$_as_object returns @obj as the addin_object it is (no "
	    "reference "
	    "added), or NULL.  Thread-safe.\n"
	    "addin_object *$p$_as_object($p$ *obj);\n\n"
	    "// $p$_release drops the caller's reference to @obj "
	    "(addin_object_unref).  Accepts NULL.  Thread-safe.\n"
	    "void $p$_release($p$ *obj);\n\n");
	for (size_t i = 0; i < s->n_methods; i++) {
		const pg_method *mt = &s->methods[i];
		pg_list          ps = {0};
		pg_vars          mv;

		pg_method_vars(&mv, &v, f, mt);
		pg_emit(b, &mv,
		        "// $fn$ calls $Method$ of the add-in behind @obj.\n");
		pg_emit_comment(b, "", mt->comment);
		pg_putf(
		    b,
		    "// In-parameters are borrowed for the call; a NULL "
		    "string "
		    "or struct is an "
		    "absent field.  %s\n"
		    "// Returns ADDIN_OK; ADDIN_EINVAL for a NULL object or "
		    "output, "
		    "a NULL "
		    "array with a non-zero count, or a NULL string in an "
		    "array; ADDIN_EMISMATCH, "
		    "ADDIN_ESHUTDOWN; "
		    "ADDIN_EUNIMPL when the add-in lacks the method; the "
		    "add-in's own error; "
		    "or a transport error.  addin_errmsg() says more.  "
		    "Thread-safe when the "
		    "add-in is.\n",
		    outputs_doc(f, mt));
		pg_method_params(&ps, pg_fmt("%s *obj", s->c_prefix), mt);
		pg_emit_call(
		    b, "", pg_fmt("addin_err %s_%s", s->c_prefix, mt->c_name),
		    &ps, ";\n\n");
	}
}

// The thunk's argument checks: every pointer output must be given; arrays
// and bytes must be there when their count says so; a NULL string in an
// array cannot be sent (docs/contracts.md): refused at every level, direct
// connect included.
static void
thunk_checks(pg_buf *b, const pg_vars *mv, const pg_file *f,
             const pg_method *mt, const pg_list *outs)
{
	const pg_service *s     = f->service;
	const pg_message *in    = mt->in;
	pg_buf            check = {0};

	pg_put(&check, "obj == NULL");
	for (size_t j = 0; j < outs->n; j++) {
		pg_putf(&check, " ||\n\t    %s == NULL", outs->v[j]);
	}
	for (size_t j = 0; j < in->n_fields; j++) {
		const pg_field *fld = &in->fields[j];
		if (fld->oneof >= 0) {
			continue;
		}
		if (fld->repeated) {
			pg_putf(&check, " ||\n\t    (%s == NULL && n_%s > 0)",
			        fld->name, fld->name);
		} else if (fld->kind == PG_BYTES) {
			pg_putf(&check,
			        " ||\n\t    (%s == NULL && %s_len > 0)",
			        fld->name, fld->name);
		}
	}
	pg_putf(b, "\n\tif (%s) {\n", pg_buf_str(&check));
	pg_emit(b, mv,
	        "\t\treturn addin_set_error(ADDIN_EINVAL,\n"
	        "\t\t    \"$fn$: NULL object, output or array\");\n"
	        "\t}\n");
	for (size_t j = 0; j < in->n_fields; j++) {
		const pg_field *fld = &in->fields[j];
		if (!fld->repeated || fld->kind != PG_STRING) {
			continue;
		}
		pg_putf(b,
		        "\tfor (size_t addin_i = 0; addin_i < n_%s; "
		        "addin_i++) {\n"
		        "\t\tif (%s[addin_i] == NULL) {\n"
		        "\t\t\treturn addin_set_error(ADDIN_EINVAL,\n"
		        "\t\t\t    \"%s_%s: %s[%%zu] is NULL\", "
		        "addin_i);\n"
		        "\t\t}\n"
		        "\t}\n",
		        fld->name, fld->name, s->c_prefix, mt->c_name,
		        fld->name);
	}
}

// The thunk's call: enter the object, call the op (a missing one is
// ADDIN_EUNIMPL; a oneof in-parameter given as NULL is passed as unset),
// leave.
static void
thunk_call(pg_buf *b, const pg_vars *mv, const pg_file *f, const pg_method *mt,
           const pg_list *inp, const pg_list *outs)
{
	const pg_service *s    = f->service;
	const pg_message *in   = mt->in;
	pg_list           args = {0};

	pg_emit(b, mv,
	        "\taddin_rv = addin_object_enter((addin_object *) obj, "
	        "$P$_VIEW_ID,\n"
	        "\t    &addin_vops, &addin_self);\n"
	        "\tif (addin_rv != ADDIN_OK) {\n"
	        "\t\treturn addin_rv;\n"
	        "\t}\n"
	        "\tif (((const $p$_ops *) addin_vops)->$m$ == NULL) {\n"
	        "\t\taddin_rv = addin_set_error(ADDIN_EUNIMPL,\n"
	        "\t\t    \"$id$.$Method$: not implemented by the "
	        "add-in\");\n"
	        "\t} else {\n"
	        "\t\taddin_set_error(ADDIN_OK, NULL);\n");
	pg_list_add(&args, "addin_self");
	for (size_t j = 0; j < inp->n; j++) {
		const char *n      = pg_decl_name(inp->v[j]);
		bool        is_one = false;
		for (size_t k = 0; k < in->n_oneofs; k++) {
			if (strcmp(in->oneofs[k].name, n) == 0) {
				is_one = true;
			}
		}
		pg_list_add(&args, is_one ? pg_fmt("%s != NULL ? %s : "
		                                   "&addin_unset_%s",
		                                   n, n, n)
		                          : n);
	}
	for (size_t j = 0; j < outs->n; j++) {
		pg_list_add(&args, outs->v[j]);
	}
	pg_emit_call(b, "\t\t",
	             pg_fmt("addin_rv = ((const %s_ops *) addin_vops)->%s",
	                    s->c_prefix, mt->c_name),
	             &args, ";\n");
	pg_emit(b, mv,
	        "\t\tif (addin_rv != ADDIN_OK && addin_last_error() != "
	        "addin_rv) {\n"
	        "\t\t\taddin_set_error(addin_rv, NULL);\n"
	        "\t\t}\n"
	        "\t}\n"
	        "\taddin_object_leave((addin_object *) obj);\n"
	        "\treturn addin_rv;\n"
	        "}\n\n");
}

// One thunk of <base>.host-view.c: its head and locals, checks and call.
static void
host_thunk(pg_buf *b, const pg_vars *v, const pg_file *f, const pg_method *mt)
{
	const pg_service *s  = f->service;
	const pg_message *in = mt->in;
	pg_list           ps = {0}, outs = {0};
	pg_list           inp = {0}, outp = {0};
	pg_vars           mv;

	pg_method_vars(&mv, v, f, mt);
	pg_method_params(&ps, pg_fmt("%s *obj", s->c_prefix), mt);
	pg_params(&inp, mt->in, PG_P_IN);
	pg_params(&outp, mt->out, PG_P_OUT);
	pg_names_of(&outs, &outp);
	pg_emit(b, &mv, "// Documented in $leaf$.host.h.\naddin_err\n");
	pg_emit_call(b, "", pg_fmt("%s_%s", s->c_prefix, mt->c_name), &ps,
	             "\n{\n");
	pg_put(b, "\tconst void *addin_vops;\n"
	          "\tvoid *addin_self;\n"
	          "\taddin_err addin_rv;\n");
	for (size_t j = 0; j < in->n_oneofs; j++) {
		pg_putf(b, "\t%s addin_unset_%s = { .which = %s_NOT_SET };\n",
		        in->oneofs[j].c_type, in->oneofs[j].name,
		        in->oneofs[j].c_upper);
	}
	thunk_checks(b, &mv, f, mt, &outs);
	thunk_call(b, &mv, f, mt, &inp, &outs);
}

void
pg_gen_host_view(pg_buf *b, const pg_file *f)
{
	const pg_service *s = f->service;
	pg_vars           v;

	pg_file_vars(&v, f);
	pg_emit(b, &v,
	        "// Documented in $leaf$.host.h.\n"
	        "$p$ *\n$p$_from_object(addin_object *obj)\n{\n"
	        "\tconst char *id = addin_object_view_id(obj);\n\n"
	        "\tif (id == NULL || strcmp(id, $P$_VIEW_ID) != 0) {\n"
	        "\t\treturn NULL;\n\t}\n"
	        "\treturn ($p$ *) obj;\n}\n\n"
	        "// Documented in $leaf$.host.h.\n"
	        "addin_object *\n$p$_as_object($p$ *obj)\n{\n"
	        "\treturn (addin_object *) obj;\n}\n\n"
	        "// Documented in $leaf$.host.h.\n"
	        "void\n$p$_release($p$ *obj)\n{\n"
	        "\taddin_object_unref((addin_object *) obj);\n}\n\n");
	for (size_t i = 0; i < s->n_methods; i++) {
		host_thunk(b, &v, f, &s->methods[i]);
	}
}
