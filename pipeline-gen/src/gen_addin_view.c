// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The add-in view: <base>.addin.h's declaration macro <SERVICE>_ADDIN, with
// which an add-in library declares its metadata record and its entry
// (addin_entry_addin) at file scope.

#include "pg.h"

void
pg_gen_addin_header(pg_buf *b, const pg_file *f)
{
	const pg_service *s = f->service;
	pg_vars           v;

	pg_file_vars(&v, f);
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
