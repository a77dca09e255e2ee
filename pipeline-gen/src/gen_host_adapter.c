// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The host-side adapter: <base>.host-adapter.c, which implements the host
// view's ops over a ProtobufCService (the add-in-side adapter in process,
// or a proxy to another process): for each method a call state, a closure
// and an op.
//
// The protocol between the adapters (the same one the cross-process proxy
// and stub speak, so the host-side adapter works over either): the op
// builds the request around the caller's data and calls
// contract->invoke(); the closure runs before invoke returns.  A reply is
// deep-copied into the out-parameters (addin_alloc memory).  A fault
// (addin/adapter.h) or a NULL answer is a failure: the closure copies its
// code and message into the call's state, and the op makes them the
// thread's error once, as it returns to host code, so that nothing between
// the add-in's op and the host can overwrite them.

#include "pg.h"

// The call's state, shared with the closure, and the take function that
// copies a reply into the out-parameters, all or nothing.
static void
host_take(pg_buf *b, const pg_vars *v, const pg_file *f, const pg_method *mt)
{
	pg_list outp = {0}, outs = {0}, frees = {0};
	pg_list locals_out = {0};
	bool    rep_fails  = pg_copy_can_fail(mt->out);

	pg_params(&outp, mt->out, PG_P_OUT);
	pg_names_of(&outs, &outp);
	pg_local_args(&locals_out, mt->out, PG_P_OUT);
	pg_local_args(&frees, mt->out, PG_P_FREE);

	// The call's state, shared with the closure.
	pg_emit(b, v,
	        "// $Method$ "
	        "------------------------------------------------------"
	        "\n\n"
	        "struct addin_call_$m$ {\n"
	        "\tbool called;\n"
	        "\taddin_err rv;\n"
	        "\tchar msg[ADDIN_ADAPTER_MSG_MAX]; // why, when rv is not "
	        "ADDIN_OK\n");
	for (size_t i = 0; i < outp.n; i++) {
		pg_putf(b, "\t%s;\n", outp.v[i]);
	}
	pg_put(b, "};\n\n");

	// take: reply -> out-parameters, all or nothing.
	pg_emit(b, v,
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
}

// The closure: runs before invoke returns.
static void
host_closure(pg_buf *b, const pg_vars *v)
{
	pg_emit(
	    b, v,
	    "static void\n"
	    "addin_closure_$m$(const ProtobufCMessage *addin_msg, void "
	    "*addin_data)\n"
	    "{\n"
	    "\tstruct addin_call_$m$ *addin_call = addin_data;\n"
	    "\tconst char *addin_why;\n\n"
	    "\tif (addin_call->called) {\n"
	    "\t\treturn; // a second answer: the first stands\n"
	    "\t}\n"
	    "\taddin_call->called = true;\n"
	    "\tif ((addin_call->rv = addin_adapter_fault(addin_msg, "
	    "&addin_why)) != ADDIN_OK) {\n"
	    "\t\tsnprintf(addin_call->msg, sizeof(addin_call->msg), \"%s\", "
	    "addin_msg != NULL ? addin_why : \"$id$.$Method$ failed without "
	    "saying why\");\n"
	    "\t\treturn;\n"
	    "\t}\n"
	    "\tif (addin_msg->descriptor != &$rep$__descriptor) {\n"
	    "\t\taddin_call->rv = ADDIN_EPROTO;\n"
	    "\t\tsnprintf(addin_call->msg, sizeof(addin_call->msg),\n"
	    "\t\t    \"$id$.$Method$: the reply is a %s, not a $RepFull$\",\n"
	    "\t\t    addin_msg->descriptor->name);\n"
	    "\t\treturn;\n"
	    "\t}\n"
	    "\tif ((addin_call->rv = addin_take_$m$((const $Rep$ *) "
	    "addin_msg, addin_call)) != ADDIN_OK) {\n"
	    "\t\t// The copy recorded why as this thread's error, just "
	    "now.\n"
	    "\t\tsnprintf(addin_call->msg, sizeof(addin_call->msg), \"%s\", "
	    "addin_errmsg());\n"
	    "\t}\n"
	    "}\n\n");
}

// The op of the host view: the request around the caller's data, the
// call, the result.
static void
host_op(pg_buf *b, const pg_vars *v, const pg_method *mt)
{
	pg_list outp = {0}, outs = {0}, ps = {0};
	bool    req_fails = pg_to_pb_can_fail(mt->in) || mt->in->n_oneofs > 0;

	pg_params(&outp, mt->out, PG_P_OUT);
	pg_names_of(&outs, &outp);
	pg_list_add(&ps, "void *self");
	pg_params(&ps, mt->in, PG_P_IN);
	pg_params(&ps, mt->out, PG_P_OUT);
	pg_put(b, "static addin_err\n");
	pg_emit_call(b, "", pg_fmt("addin_op_%s", mt->c_name), &ps, "\n{\n");
	pg_emit(
	    b, v,
	    "\tstruct addin_host_adapter *addin_ha = self;\n"
	    "\taddin_adapter_arena addin_arena_s = ADDIN_ADAPTER_ARENA_INIT;\n"
	    "\taddin_adapter_arena *addin_arena = &addin_arena_s;\n"
	    "\t$Req$ addin_req;\n"
	    "\tstruct addin_call_$m$ addin_call = {\n"
	    "\t\t.called = false,\n"
	    "\t\t.rv = ADDIN_EINTERNAL,\n");
	for (size_t i = 0; i < outs.n; i++) {
		pg_putf(b, "\t\t.%s = %s,\n", outs.v[i], outs.v[i]);
	}
	pg_put(b, "\t};\n\taddin_err addin_rv = ADDIN_OK;\n");
	if (mt->in->n_fields > 0) {
		pg_emit(b, v, "\t$Req$ *addin_dst = &addin_req;\n");
	}
	// protoc-c's __init functions rather than its __INIT macros, which
	// cast away const in the caller's code.
	pg_emit(b, v, "\n\t$req$__init(&addin_req);\n");
	pg_gen_fields_to_pb(b, mt->in, PG_V_PARAM, "", "addin_dst",
	                    "goto addin_done;", "\t");
	pg_emit(b, v,
	        "\taddin_ha->contract->invoke(addin_ha->contract, $idx$, "
	        "&addin_req.base,\n"
	        "\t    addin_closure_$m$, &addin_call);\n"
	        "\tif (!addin_call.called) {\n"
	        "\t\taddin_rv = addin_set_error(ADDIN_EPROTO,\n"
	        "\t\t    \"$id$.$Method$: the contract did not answer before "
	        "invoke returned\");\n"
	        "\t} else if (addin_call.rv != ADDIN_OK) {\n"
	        "\t\t// The call's failure becomes the thread's error here, "
	        "once, on the way back to host code.\n"
	        "\t\taddin_rv = addin_set_error(addin_call.rv, \"%s\", "
	        "addin_call.msg);\n"
	        "\t}\n");
	if (req_fails) {
		pg_put(b, "\naddin_done:\n");
	}
	pg_put(b, "\taddin_adapter_arena_free(addin_arena);\n\treturn "
	          "addin_rv;\n}\n\n");
}

// One method: its call state, take function, closure and op.
static void
host_method(pg_buf *b, const pg_vars *fv, const pg_file *f,
            const pg_method *mt)
{
	pg_vars v;

	pg_method_vars(&v, fv, f, mt);
	host_take(b, &v, f, mt);
	host_closure(b, &v);
	host_op(b, &v, mt);
}

void
pg_gen_host_adapter(pg_buf *b, const pg_file *f)
{
	const pg_service *s = f->service;
	pg_vars           v;

	pg_file_vars(&v, f);
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