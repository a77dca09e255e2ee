// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The service: the ops table both views share, the host view (opaque type,
// one function per method, thunks), the add-in declaration macro, the
// contract segment, and the two adapters.
//
// The protocol between the adapters (the same one the cross-process proxy
// and stub speak, so the host-side adapter works over either):
//   - the host-side adapter clears the thread error, builds the request
//     around the caller's data and calls contract->invoke(); the closure runs
//     before invoke returns.  A reply is deep-copied into the out-parameters
//     (addin_alloc memory); a NULL reply means failure: the op returns
//     addin_last_error(), or ADDIN_EREMOTE when that is ADDIN_OK.
//   - the add-in-side adapter's service clears the thread error, calls the
//     add-in's op with views of the request, and answers with a reply that
//     points into the op's outputs (freed after the closure returns), or on
//     failure sets the thread error to the op's code (keeping the op's
//     message) and calls the closure with NULL.

#include <string.h>

#include "pg.h"

// The identifier at the end of a declaration: "const char *x" -> "x".
static const char *
decl_name(const char *decl)
{
	const char *e = decl + strlen(decl);
	const char *p = e;
	while (p > decl && ((p[-1] >= 'a' && p[-1] <= 'z') ||
	                    (p[-1] >= 'A' && p[-1] <= 'Z') ||
	                    (p[-1] >= '0' && p[-1] <= '9') || p[-1] == '_')) {
		p--;
	}
	return p;
}

static void
names_of(pg_list *names, const pg_list *decls)
{
	for (size_t i = 0; i < decls->n; i++) {
		pg_list_add(names, decl_name(decls->v[i]));
	}
}

static void
method_vars(pg_vars *v, const pg_vars *parent, const pg_file *f,
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

static void
file_vars(pg_vars *v, const pg_file *f)
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

// The ops table ------------------------------------------------------------

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
	pg_gen_comment(b, "", s->comment);
	pg_putf(b, "typedef struct %s_ops {\n", s->c_prefix);
	for (size_t i = 0; i < s->n_methods; i++) {
		const pg_method *mt = &s->methods[i];
		pg_list          ps = {0};

		pg_putf(b, "%s\t// %s: %s(%s) returns (%s).\n",
		        i == 0 ? "" : "\n", mt->c_name, mt->name,
		        mt->in->full_name, mt->out->full_name);
		pg_gen_comment(b, "\t", mt->comment);
		pg_list_add(&ps, "void *self");
		pg_params(&ps, mt->in, PG_P_IN);
		pg_params(&ps, mt->out, PG_P_OUT);
		pg_emit_call(b, "\t", pg_fmt("addin_err (*%s)", mt->c_name),
		             &ps, ";\n");
	}
	pg_putf(b, "} %s_ops;\n\n", s->c_prefix);
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

// The host view -----------------------------------------------------------

static void
method_params(pg_list *ps, const char *first, const pg_method *mt)
{
	pg_list_add(ps, first);
	pg_params(ps, mt->in, PG_P_IN);
	pg_params(ps, mt->out, PG_P_OUT);
}

void
pg_gen_host_header(pg_buf *b, const pg_file *f)
{
	const pg_service *s = f->service;
	pg_vars           v;

	file_vars(&v, f);
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

		method_vars(&mv, &v, f, mt);
		pg_emit(b, &mv,
		        "// $fn$ calls $Method$ of the add-in behind @obj.\n");
		pg_gen_comment(b, "", mt->comment);
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
		method_params(&ps, pg_fmt("%s *obj", s->c_prefix), mt);
		pg_emit_call(
		    b, "", pg_fmt("addin_err %s_%s", s->c_prefix, mt->c_name),
		    &ps, ";\n\n");
	}
}

void
pg_gen_host_view(pg_buf *b, const pg_file *f)
{
	const pg_service *s = f->service;
	pg_vars           v;

	file_vars(&v, f);
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
		const pg_method  *mt = &s->methods[i];
		const pg_message *in = mt->in;
		pg_list           ps = {0}, args = {0}, outs = {0};
		pg_list           inp = {0}, outp = {0};
		pg_buf            check = {0};
		pg_vars           mv;

		method_vars(&mv, &v, f, mt);
		method_params(&ps, pg_fmt("%s *obj", s->c_prefix), mt);
		pg_params(&inp, mt->in, PG_P_IN);
		pg_params(&outp, mt->out, PG_P_OUT);
		names_of(&outs, &outp);
		pg_emit(b, &mv,
		        "// Documented in $leaf$.host.h.\naddin_err\n");
		pg_emit_call(b, "", pg_fmt("%s_%s", s->c_prefix, mt->c_name),
		             &ps, "\n{\n");
		pg_put(b, "\tconst void *addin_vops;\n"
		          "\tvoid *addin_self;\n"
		          "\taddin_err addin_rv;\n");
		for (size_t j = 0; j < in->n_oneofs; j++) {
			pg_putf(
			    b,
			    "\t%s addin_unset_%s = { .which = %s_NOT_SET };\n",
			    in->oneofs[j].c_type, in->oneofs[j].name,
			    in->oneofs[j].c_upper);
		}
		// Arguments: every pointer output must be given; arrays and
		// bytes must be there when their count says so.
		pg_put(&check, "obj == NULL");
		for (size_t j = 0; j < outs.n; j++) {
			pg_putf(&check, " ||\n\t    %s == NULL", outs.v[j]);
		}
		for (size_t j = 0; j < in->n_fields; j++) {
			const pg_field *fld = &in->fields[j];
			if (fld->oneof >= 0) {
				continue;
			}
			if (fld->repeated) {
				pg_putf(&check,
				        " ||\n\t    (%s == NULL && n_%s > 0)",
				        fld->name, fld->name);
			} else if (fld->kind == PG_BYTES) {
				pg_putf(
				    &check,
				    " ||\n\t    (%s == NULL && %s_len > 0)",
				    fld->name, fld->name);
			}
		}
		pg_putf(b, "\n\tif (%s) {\n", pg_buf_str(&check));
		pg_emit(b, &mv,
		        "\t\treturn addin_set_error(ADDIN_EINVAL,\n"
		        "\t\t    \"$fn$: NULL object, output or array\");\n"
		        "\t}\n");
		// A NULL string in an array cannot be sent
		// (docs/contracts.md): refused at every level, direct connect
		// included.
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
		pg_emit(
		    b, &mv,
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
		for (size_t j = 0; j < inp.n; j++) {
			const char *n      = decl_name(inp.v[j]);
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
		for (size_t j = 0; j < outs.n; j++) {
			pg_list_add(&args, outs.v[j]);
		}
		pg_emit_call(
		    b, "\t\t",
		    pg_fmt("addin_rv = ((const %s_ops *) addin_vops)->%s",
		           s->c_prefix, mt->c_name),
		    &args, ";\n");
		pg_emit(
		    b, &mv,
		    "\t\tif (addin_rv != ADDIN_OK && addin_last_error() != "
		    "addin_rv) {\n"
		    "\t\t\taddin_set_error(addin_rv, NULL);\n"
		    "\t\t}\n"
		    "\t}\n"
		    "\taddin_object_leave((addin_object *) obj);\n"
		    "\treturn addin_rv;\n"
		    "}\n\n");
	}
}

// The add-in declaration macro ---------------------------------------------

void
pg_gen_addin_header(pg_buf *b, const pg_file *f)
{
	const pg_service *s = f->service;
	pg_vars           v;

	file_vars(&v, f);
	pg_set(&v, "first", s->methods[0].c_name);
	pg_emit(
	    b, &v,
	    "// $P$_ADDIN(ops, create, destroy, name, version, publisher,\n"
	    "// description, ...) makes the shared library being built an "
	    "add-in that "
	    "implements view $id$.  Use it once, at file scope:\n"
	    "//\n"
	    "//   static const $p$_ops my_ops = {\n"
	    "//       .$first$ = my_$first$, ...\n"
	    "//   };\n"
	    "//   $P$_ADDIN(&my_ops, my_create, my_destroy,\n"
	    "//       \"My add-in\", \"1.0.0\", \"ACME\", \"What it does\",\n"
	    "//       ADDIN_QUALIFY(\"speed\", \"fast\") "
	    "ADDIN_NEEDS(\"scratch\"));\n"
	    "//\n"
	    "// @ops points to the add-in's $p$_ops (static).\n"
	    "// @create, of type addin_err (*)(addin_context *ctx, void "
	    "**ret_self), makes "
	    "an instance whose state is passed to every op as `self`; "
	    "@destroy, of "
	    "type void (*)(void *self), frees it.  Either may be NULL "
	    "(self "
	    "is then "
	    "NULL).  @name, @version, @publisher and @description must be "
	    "string "
	    "literals: they become the add-in's metadata, which discovery "
	    "reads from "
	    "the file without loading it.  The optional last argument is a "
	    "run of "
	    "ADDIN_QUALIFY(key, value) and ADDIN_NEEDS(grant) items "
	    "(addin/segment.h); "
	    "for compilers that insist on it, pass \"\" when there are "
	    "none.\n"
	    "//\n"
	    "// The macro defines the metadata record and the exported entry "
	    "addin_entry_addin.\n"
	    "#define $P$_ADDIN(ops_, create_, destroy_, name_, version_, "
	    "publisher_, description_, ...) \\\n"
	    "\tADDIN_SEGMENT_RECORD($p$_addin_record_, \\\n"
	    "\t    ADDIN_KV(\"kind\", \"addin\") \\\n"
	    "\t    ADDIN_KV(\"name\", name_) \\\n"
	    "\t    ADDIN_KV(\"version\", version_) \\\n"
	    "\t    ADDIN_KV(\"publisher\", publisher_) \\\n"
	    "\t    ADDIN_KV(\"description\", description_) \\\n"
	    "\t    ADDIN_KV(\"addin-view\", $P$_VIEW_ID) \\\n"
	    "\t    ADDIN_KV(\"addin-view-hash\", $P$_VIEW_HASH) \\\n"
	    "\t    __VA_ARGS__); \\\n"
	    "\textern ADDIN_API const addin_addin_def addin_entry_addin; \\\n"
	    "\tconst addin_addin_def addin_entry_addin = { \\\n"
	    "\t\t.abi_version = ADDIN_ABI_VERSION, \\\n"
	    "\t\t.view_id = $P$_VIEW_ID, \\\n"
	    "\t\t.view_hash = $P$_VIEW_HASH, \\\n"
	    "\t\t.ops = (1 ? (ops_) : (const $p$_ops *) 0), \\\n"
	    "\t\t.ops_size = sizeof($p$_ops), \\\n"
	    "\t\t.create = (create_), \\\n"
	    "\t\t.destroy = (destroy_), \\\n"
	    "\t}\n\n");
}

// The contract segment -----------------------------------------------------

void
pg_gen_contract(pg_buf *b, const pg_file *f)
{
	pg_vars v;

	file_vars(&v, f);
	pg_emit(
	    b, &v,
	    "ADDIN_SEGMENT_RECORD(addin_contract_record,\n"
	    "    ADDIN_KV(\"kind\", \"contract\")\n"
	    "    ADDIN_KV(\"name\", \"$id$\")\n"
	    "    ADDIN_KV(\"version\", \"$version$\")\n"
	    "    ADDIN_KV(\"description\", \"contract $id$ from $proto$\")\n"
	    "    ADDIN_KV(\"contract\", \"$id$\")\n"
	    "    ADDIN_KV(\"contract-hash\", \"$hash$\")\n"
	    "    ADDIN_KV(\"generator\", \"$gen$\"));\n\n"
	    "extern ADDIN_API const addin_contract_def addin_entry_contract;\n"
	    "const addin_contract_def addin_entry_contract = {\n"
	    "\t.abi_version = ADDIN_ABI_VERSION,\n"
	    "\t.contract_id = \"$id$\",\n"
	    "\t.contract_hash = \"$hash$\",\n"
	    "\t.descriptor = &$svc$__descriptor,\n"
	    "};\n");
}

// The host-side adapter ------------------------------------------------------

static bool
can_fail_copy(const pg_message *m)
{
	for (size_t i = 0; i < m->n_fields; i++) {
		if (pg_field_owns(&m->fields[i])) {
			return true;
		}
	}
	return m->n_oneofs > 0;
}

static void
host_method(pg_buf *b, const pg_vars *fv, const pg_file *f,
            const pg_method *mt)
{
	pg_vars v;
	pg_list outp = {0}, outs = {0}, ps = {0}, frees = {0};
	pg_list locals_out = {0};
	bool    req_fails  = pg_to_pb_can_fail(mt->in) || mt->in->n_oneofs > 0;
	bool    rep_fails  = can_fail_copy(mt->out);

	method_vars(&v, fv, f, mt);
	pg_params(&outp, mt->out, PG_P_OUT);
	names_of(&outs, &outp);
	pg_local_args(&locals_out, mt->out, PG_P_OUT);
	pg_local_args(&frees, mt->out, PG_P_FREE);

	// The call's state, shared with the closure.
	pg_emit(b, &v,
	        "// $Method$ "
	        "------------------------------------------------------"
	        "\n\n"
	        "struct addin_call_$m$ {\n"
	        "\tbool called;\n"
	        "\taddin_err rv;\n");
	for (size_t i = 0; i < outp.n; i++) {
		pg_putf(b, "\t%s;\n", outp.v[i]);
	}
	pg_put(b, "};\n\n");

	// take: reply -> out-parameters, all or nothing.
	pg_emit(b, &v,
	        "static addin_err\n"
	        "addin_take_$m$(const $Rep$ *addin_src, struct addin_call_$m$ "
	        "*addin_call)\n"
	        "{\n"
	        "\taddin_err addin_rv = ADDIN_OK;\n");
	pg_gen_locals(b, mt->out, true, "\t");
	pg_put(b, "\n");
	if (mt->out->n_fields == 0) {
		pg_put(b, "\t(void) addin_src;\n\t(void) addin_call;\n");
	}
	pg_gen_fields_copy(b, mt->out, PG_V_OUT_LOCAL, "ret_", "addin_src",
	                   "goto addin_fail;", "\t");
	for (size_t i = 0; i < outs.n; i++) {
		pg_putf(b, "\t*addin_call->%s = %s;\n", outs.v[i],
		        locals_out.v[i] + 1);
	}
	pg_put(b, "\treturn addin_rv;\n");
	if (rep_fails) {
		pg_put(b, "\naddin_fail:\n");
		if (mt->owns_outputs) {
			pg_emit_call(b, "\t",
			             pg_fmt("%s_%s_free_out",
			                    f->service->c_prefix, mt->c_name),
			             &frees, ";\n");
		}
		pg_put(b, "\treturn addin_rv;\n");
	}
	pg_put(b, "}\n\n");

	// The closure: runs before invoke returns.
	pg_emit(
	    b, &v,
	    "static void\n"
	    "addin_closure_$m$(const ProtobufCMessage *addin_msg, void "
	    "*addin_data)\n"
	    "{\n"
	    "\tstruct addin_call_$m$ *addin_call = addin_data;\n\n"
	    "\tif (addin_call->called) {\n"
	    "\t\treturn; // a second answer: the first stands\n"
	    "\t}\n"
	    "\taddin_call->called = true;\n"
	    "\tif (addin_msg == NULL) {\n"
	    "\t\taddin_err addin_rv = addin_last_error();\n"
	    "\t\tif (addin_rv == ADDIN_OK) {\n"
	    "\t\t\taddin_rv = addin_set_error(ADDIN_EREMOTE,\n"
	    "\t\t\t    \"$id$.$Method$ failed without an error code\");\n"
	    "\t\t}\n"
	    "\t\taddin_call->rv = addin_rv;\n"
	    "\t\treturn;\n"
	    "\t}\n"
	    "\tif (addin_msg->descriptor != &$rep$__descriptor) {\n"
	    "\t\taddin_call->rv = addin_set_error(ADDIN_EPROTO,\n"
	    "\t\t    \"$id$.$Method$: the reply is a %s, not a $RepFull$\",\n"
	    "\t\t    addin_msg->descriptor->name);\n"
	    "\t\treturn;\n"
	    "\t}\n"
	    "\taddin_call->rv = addin_take_$m$((const $Rep$ *) addin_msg, "
	    "addin_call);\n"
	    "}\n\n");

	// The op of the host view.
	pg_list_add(&ps, "void *self");
	pg_params(&ps, mt->in, PG_P_IN);
	pg_params(&ps, mt->out, PG_P_OUT);
	pg_put(b, "static addin_err\n");
	pg_emit_call(b, "", pg_fmt("addin_op_%s", mt->c_name), &ps, "\n{\n");
	pg_emit(b, &v,
	        "\tstruct addin_host_adapter *addin_ha = self;\n"
	        "\taddin__arena addin_arena_s = ADDIN__ARENA_INIT;\n"
	        "\taddin__arena *addin_arena = &addin_arena_s;\n"
	        "\t$Req$ addin_req;\n"
	        "\tstruct addin_call_$m$ addin_call = {\n"
	        "\t\t.called = false,\n"
	        "\t\t.rv = ADDIN_EINTERNAL,\n");
	for (size_t i = 0; i < outs.n; i++) {
		pg_putf(b, "\t\t.%s = %s,\n", outs.v[i], outs.v[i]);
	}
	pg_put(b, "\t};\n\taddin_err addin_rv = ADDIN_OK;\n");
	if (mt->in->n_fields > 0) {
		pg_emit(b, &v, "\t$Req$ *addin_dst = &addin_req;\n");
	}
	// protoc-c's __init functions rather than its __INIT macros, which
	// cast away const in the caller's code.
	pg_emit(b, &v, "\n\t$req$__init(&addin_req);\n");
	pg_gen_fields_to_pb(b, mt->in, PG_V_PARAM, "", "addin_dst",
	                    "goto addin_done;", "\t");
	pg_emit(b, &v,
	        "\taddin_set_error(ADDIN_OK, NULL);\n"
	        "\taddin_ha->contract->invoke(addin_ha->contract, $idx$, "
	        "&addin_req.base,\n"
	        "\t    addin_closure_$m$, &addin_call);\n"
	        "\tif (!addin_call.called) {\n"
	        "\t\taddin_rv = addin_set_error(ADDIN_EPROTO,\n"
	        "\t\t    \"$id$.$Method$: the contract did not answer before "
	        "invoke returned\");\n"
	        "\t} else {\n"
	        "\t\taddin_rv = addin_call.rv;\n"
	        "\t}\n");
	if (req_fails) {
		pg_put(b, "\naddin_done:\n");
	}
	pg_put(b,
	       "\taddin__arena_free(addin_arena);\n\treturn addin_rv;\n}\n\n");
}

void
pg_gen_host_adapter(pg_buf *b, const pg_file *f)
{
	const pg_service *s = f->service;
	pg_vars           v;

	file_vars(&v, f);
	pg_emit(
	    b, &v,
	    "ADDIN_SEGMENT_RECORD(addin_host_adapter_record,\n"
	    "    ADDIN_KV(\"kind\", \"host-adapter\")\n"
	    "    ADDIN_KV(\"name\", \"$id$\")\n"
	    "    ADDIN_KV(\"version\", \"$version$\")\n"
	    "    ADDIN_KV(\"description\", \"host-side adapter of $id$ from "
	    "$proto$\")\n"
	    "    ADDIN_KV(\"contract\", \"$id$\")\n"
	    "    ADDIN_KV(\"contract-hash\", \"$hash$\")\n"
	    "    ADDIN_KV(\"host-view\", $P$_VIEW_ID)\n"
	    "    ADDIN_KV(\"host-view-hash\", $P$_VIEW_HASH)\n"
	    "    ADDIN_KV(\"generator\", \"$gen$\"));\n\n"
	    "// The adapter's state: the contract it calls (not owned).\n"
	    "struct addin_host_adapter {\n"
	    "\tProtobufCService *contract;\n"
	    "};\n\n");
	pg_gen_conversions(b, f, PG_REACH_REQ, 0, PG_REACH_REP);
	for (size_t i = 0; i < s->n_methods; i++) {
		host_method(b, &v, f, &s->methods[i]);
	}
	pg_emit(b, &v,
	        "// The host view's ops, implemented over the contract.\n"
	        "static const $p$_ops addin_host_ops = {\n");
	for (size_t i = 0; i < s->n_methods; i++) {
		pg_putf(b, "\t.%s = addin_op_%s,\n", s->methods[i].c_name,
		        s->methods[i].c_name);
	}
	pg_emit(b, &v,
	        "};\n\n"
	        "static addin_err\n"
	        "addin_wrap(ProtobufCService *contract, const void **ret_ops, "
	        "void "
	        "**ret_self)\n"
	        "{\n"
	        "\tstruct addin_host_adapter *ha;\n\n"
	        "\tif (contract == NULL || ret_ops == NULL || ret_self == "
	        "NULL) {\n"
	        "\t\treturn addin_set_error(ADDIN_EINVAL,\n"
	        "\t\t    \"$id$ host adapter: NULL argument\");\n"
	        "\t}\n"
	        "\tif (contract->descriptor == NULL ||\n"
	        "\t    strcmp(contract->descriptor->name, \"$id$\") != 0 ||\n"
	        "\t    contract->descriptor->n_methods != $nmethods$) {\n"
	        "\t\treturn addin_set_error(ADDIN_EMISMATCH,\n"
	        "\t\t    \"$id$ host adapter: the contract is %s\",\n"
	        "\t\t    contract->descriptor != NULL ? "
	        "contract->descriptor->name : \"?\");\n"
	        "\t}\n"
	        "\tif ((ha = addin_alloc(sizeof(*ha))) == NULL) {\n"
	        "\t\treturn addin_set_error(ADDIN_ENOMEM, NULL);\n"
	        "\t}\n"
	        "\tha->contract = contract;\n"
	        "\t*ret_ops = &addin_host_ops;\n"
	        "\t*ret_self = ha;\n"
	        "\treturn ADDIN_OK;\n"
	        "}\n\n"
	        "static void\n"
	        "addin_unwrap(void *self)\n"
	        "{\n"
	        "\taddin_free(self);\n"
	        "}\n\n"
	        "extern ADDIN_API const addin_host_adapter_def "
	        "addin_entry_host_adapter;\n"
	        "const addin_host_adapter_def addin_entry_host_adapter = {\n"
	        "\t.abi_version = ADDIN_ABI_VERSION,\n"
	        "\t.view_id = $P$_VIEW_ID,\n"
	        "\t.view_hash = $P$_VIEW_HASH,\n"
	        "\t.contract_id = \"$id$\",\n"
	        "\t.contract_hash = \"$hash$\",\n"
	        "\t.descriptor = &$svc$__descriptor,\n"
	        "\t.wrap = addin_wrap,\n"
	        "\t.unwrap = addin_unwrap,\n"
	        "};\n");
}

// The add-in-side adapter ------------------------------------------------

static void
addin_method(pg_buf *b, const pg_vars *fv, const pg_file *f,
             const pg_method *mt)
{
	pg_vars v;
	pg_list args = {0}, frees = {0};
	bool out_fails = pg_to_pb_can_fail(mt->out) || mt->out->n_oneofs > 0;

	method_vars(&v, fv, f, mt);
	pg_list_add(&args, "addin_aa->self");
	pg_local_args(&args, mt->in, PG_P_IN);
	pg_local_args(&args, mt->out, PG_P_OUT);
	pg_local_args(&frees, mt->out, PG_P_FREE);

	pg_emit(b, &v,
	        "// $Method$: request -> the add-in's op -> reply.\n"
	        "static void\n"
	        "addin_handle_$m$(struct addin_addin_adapter *addin_aa,\n"
	        "    const ProtobufCMessage *addin_msg, ProtobufCClosure "
	        "addin_closure,\n"
	        "    void *addin_closure_data)\n"
	        "{\n"
	        "\taddin__arena addin_arena_s = ADDIN__ARENA_INIT;\n"
	        "\taddin__arena *addin_arena = &addin_arena_s;\n"
	        "\t$Rep$ addin_rep;\n"
	        "\taddin_err addin_rv;\n");
	if (mt->in->n_fields > 0) {
		pg_emit(
		    b, &v,
		    "\tconst $Req$ *addin_src = (const $Req$ *) addin_msg;\n");
	}
	if (mt->out->n_fields > 0) {
		pg_emit(b, &v, "\t$Rep$ *addin_dst = &addin_rep;\n");
	}
	pg_gen_locals(b, mt->in, false, "\t");
	pg_gen_locals(b, mt->out, true, "\t");
	pg_emit(b, &v,
	        "\n"
	        "\t$rep$__init(&addin_rep);\n"
	        "\tif (addin_aa->ops->$m$ == NULL) {\n"
	        "\t\taddin_rv = addin_set_error(ADDIN_EUNIMPL,\n"
	        "\t\t    \"$id$.$Method$: not implemented by the add-in\");\n"
	        "\t\tgoto addin_fail;\n"
	        "\t}\n"
	        "\tif (addin_msg == NULL || addin_msg->descriptor != "
	        "&$req$__descriptor) {\n"
	        "\t\taddin_rv = addin_set_error(ADDIN_EPROTO,\n"
	        "\t\t    \"$id$.$Method$: the request is not a $ReqFull$\");\n"
	        "\t\tgoto addin_fail;\n"
	        "\t}\n");
	pg_gen_fields_borrow(b, mt->in, PG_V_IN_LOCAL, "", "addin_src",
	                     "goto addin_fail;", "\t");
	pg_put(b, "\taddin_set_error(ADDIN_OK, NULL);\n");
	pg_emit_call(b, "\t",
	             pg_fmt("addin_rv = addin_aa->ops->%s", mt->c_name), &args,
	             ";\n");
	pg_put(b, "\tif (addin_rv != ADDIN_OK) {\n"
	          "\t\t// The op wrote no output.\n"
	          "\t\tif (addin_last_error() != addin_rv) {\n"
	          "\t\t\taddin_set_error(addin_rv, NULL);\n"
	          "\t\t}\n"
	          "\t\tgoto addin_fail;\n"
	          "\t}\n");
	pg_gen_fields_to_pb(b, mt->out, PG_V_OUT_LOCAL, "ret_", "addin_dst",
	                    "goto addin_fail_out;", "\t");
	pg_put(b, "\taddin_closure(&addin_rep.base, addin_closure_data);\n");
	if (mt->owns_outputs) {
		pg_emit_call(
		    b, "\t",
		    pg_fmt("%s_%s_free_out", f->service->c_prefix, mt->c_name),
		    &frees, ";\n");
	}
	pg_put(b, "\taddin__arena_free(addin_arena);\n\treturn;\n\n");
	if (out_fails) {
		pg_put(b, "addin_fail_out:\n");
		if (mt->owns_outputs) {
			pg_emit_call(b, "\t",
			             pg_fmt("%s_%s_free_out",
			                    f->service->c_prefix, mt->c_name),
			             &frees, ";\n");
		}
	}
	pg_put(b, "addin_fail:\n"
	          "\taddin__arena_free(addin_arena);\n"
	          "\taddin_closure(NULL, addin_closure_data);\n"
	          "}\n\n");
}

void
pg_gen_addin_adapter(pg_buf *b, const pg_file *f)
{
	const pg_service *s = f->service;
	pg_vars           v;

	file_vars(&v, f);
	pg_emit(
	    b, &v,
	    "ADDIN_SEGMENT_RECORD(addin_addin_adapter_record,\n"
	    "    ADDIN_KV(\"kind\", \"addin-adapter\")\n"
	    "    ADDIN_KV(\"name\", \"$id$\")\n"
	    "    ADDIN_KV(\"version\", \"$version$\")\n"
	    "    ADDIN_KV(\"description\", \"add-in-side adapter of $id$ from "
	    "$proto$\")\n"
	    "    ADDIN_KV(\"contract\", \"$id$\")\n"
	    "    ADDIN_KV(\"contract-hash\", \"$hash$\")\n"
	    "    ADDIN_KV(\"addin-view\", $P$_VIEW_ID)\n"
	    "    ADDIN_KV(\"addin-view-hash\", $P$_VIEW_HASH)\n"
	    "    ADDIN_KV(\"generator\", \"$gen$\"));\n\n"
	    "// The service handed out by bind: the contract, implemented by "
	    "calling the "
	    "add-in's ops with its state (neither owned).\n"
	    "struct addin_addin_adapter {\n"
	    "\tProtobufCService base; // first: the service is this struct\n"
	    "\tconst $p$_ops *ops;\n"
	    "\tvoid *self;\n"
	    "};\n\n");
	pg_gen_conversions(b, f, PG_REACH_REP, PG_REACH_REQ, 0);
	for (size_t i = 0; i < s->n_methods; i++) {
		addin_method(b, &v, f, &s->methods[i]);
	}
	pg_emit(
	    b, &v,
	    "static void\n"
	    "addin_invoke(ProtobufCService *service, unsigned method_index,\n"
	    "    const ProtobufCMessage *input, ProtobufCClosure closure, "
	    "void "
	    "*closure_data)\n"
	    "{\n"
	    "\tstruct addin_addin_adapter *aa = (struct addin_addin_adapter "
	    "*) "
	    "service;\n\n"
	    "\tswitch (method_index) {\n");
	for (size_t i = 0; i < s->n_methods; i++) {
		pg_putf(
		    b,
		    "\tcase %u:\n"
		    "\t\taddin_handle_%s(aa, input, closure, closure_data);\n"
		    "\t\treturn;\n",
		    s->methods[i].index, s->methods[i].c_name);
	}
	pg_emit(
	    b, &v,
	    "\tdefault:\n"
	    "\t\taddin_set_error(ADDIN_EUNIMPL, \"$id$ has no method %u\",\n"
	    "\t\t    method_index);\n"
	    "\t\tclosure(NULL, closure_data);\n"
	    "\t\treturn;\n"
	    "\t}\n"
	    "}\n\n"
	    "static void\n"
	    "addin_unbind(ProtobufCService *service)\n"
	    "{\n"
	    "\taddin_free(service);\n"
	    "}\n\n"
	    "static addin_err\n"
	    "addin_bind(const void *ops, void *self, ProtobufCService "
	    "**ret_service)\n"
	    "{\n"
	    "\tstruct addin_addin_adapter *aa;\n\n"
	    "\tif (ops == NULL || ret_service == NULL) {\n"
	    "\t\treturn addin_set_error(ADDIN_EINVAL,\n"
	    "\t\t    \"$id$ add-in adapter: NULL argument\");\n"
	    "\t}\n"
	    "\tif ((aa = addin_alloc(sizeof(*aa))) == NULL) {\n"
	    "\t\treturn addin_set_error(ADDIN_ENOMEM, NULL);\n"
	    "\t}\n"
	    "\tmemset(aa, 0, sizeof(*aa));\n"
	    "\taa->base.descriptor = &$svc$__descriptor;\n"
	    "\taa->base.invoke = addin_invoke;\n"
	    "\taa->base.destroy = addin_unbind;\n"
	    "\taa->ops = ops;\n"
	    "\taa->self = self;\n"
	    "\t*ret_service = &aa->base;\n"
	    "\treturn ADDIN_OK;\n"
	    "}\n\n"
	    "extern ADDIN_API const addin_addin_adapter_def "
	    "addin_entry_addin_adapter;\n"
	    "const addin_addin_adapter_def addin_entry_addin_adapter = {\n"
	    "\t.abi_version = ADDIN_ABI_VERSION,\n"
	    "\t.contract_id = \"$id$\",\n"
	    "\t.contract_hash = \"$hash$\",\n"
	    "\t.view_id = $P$_VIEW_ID,\n"
	    "\t.view_hash = $P$_VIEW_HASH,\n"
	    "\t.descriptor = &$svc$__descriptor,\n"
	    "\t.bind = addin_bind,\n"
	    "\t.unbind = addin_unbind,\n"
	    "};\n");
}
