// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The add-in-side adapter: <base>.addin-adapter.c, which implements the
// contract as a ProtobufCService over the add-in's ops: for each method a
// handler, then the service's invoke, bind and entry.
//
// The protocol (the other half of gen_host_adapter.c's): the service
// clears the thread error, calls the add-in's op with views of the
// request, and answers with a reply that points into the op's outputs
// (freed after the closure returns), or on failure with a fault
// (addin_adapter_fail) of the op's code and, when the op set one for that
// code with addin_set_error(), its message.  Between the op's return and
// the fault only memory is freed: nothing that records an error.

#include "pg.h"

// One method's handler: the request's views, the op, the reply or fault.
static void
addin_method(pg_buf *b, const pg_vars *fv, const pg_file *f,
             const pg_method *mt)
{
	pg_vars v;
	pg_list args = {0}, frees = {0};
	bool out_fails = pg_to_pb_can_fail(mt->out) || mt->out->n_oneofs > 0;

	pg_method_vars(&v, fv, f, mt);
	pg_list_add(&args, "addin_aa->self");
	pg_local_args(&args, mt->in, PG_P_IN);
	pg_local_args(&args, mt->out, PG_P_OUT);
	pg_local_args(&frees, mt->out, PG_P_FREE);

	pg_emit(
	    b, &v,
	    "// $Method$: request -> the add-in's op -> reply.\n"
	    "static void\n"
	    "addin_handle_$m$(struct addin_addin_adapter *addin_aa,\n"
	    "    const ProtobufCMessage *addin_msg, ProtobufCClosure "
	    "addin_closure,\n"
	    "    void *addin_closure_data)\n"
	    "{\n"
	    "\taddin_adapter_arena addin_arena_s = ADDIN_ADAPTER_ARENA_INIT;\n"
	    "\taddin_adapter_arena *addin_arena = &addin_arena_s;\n"
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
	pg_put(b, "\taddin_adapter_arena_free(addin_arena);\n\treturn;\n\n");
	if (out_fails) {
		pg_put(b, "addin_fail_out:\n");
		if (mt->owns_outputs) {
			pg_emit_call(b, "\t",
			             pg_fmt("%s_%s_free_out",
			                    f->service->c_prefix, mt->c_name),
			             &frees, ";\n");
		}
	}
	pg_put(b,
	       "addin_fail:\n"
	       "\taddin_adapter_arena_free(addin_arena);\n"
	       "\t// The message is the thread's when it is for addin_rv: the "
	       "op's, or this adapter's own.\n"
	       "\taddin_adapter_fail(addin_closure, addin_closure_data, "
	       "addin_rv, NULL);\n"
	       "}\n\n");
}

// The service's invoke: the method's handler, or ADDIN_EUNIMPL.
static void
gen_invoke(pg_buf *b, const pg_vars *v, const pg_service *s)
{
	pg_emit(
	    b, v,
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
	    b, v,
	    "\tdefault:\n"
	    "\t\taddin_adapter_fail(closure, closure_data, ADDIN_EUNIMPL,\n"
	    "\t\t    \"$id$ has no method %u\", method_index);\n"
	    "\t\treturn;\n"
	    "\t}\n"
	    "}\n\n");
}

void
pg_gen_addin_adapter(pg_buf *b, const pg_file *f)
{
	const pg_service *s = f->service;
	pg_vars           v;

	pg_file_vars(&v, f);
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
	gen_invoke(b, &v, s);
	pg_emit(b, &v,
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