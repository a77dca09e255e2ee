// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The contract segment: <base>.contract.c, the metadata record and entry
// (addin_entry_contract) of the library that carries protoc-c's code of
// the contract, which both adapters link.

#include "pg.h"

void
pg_gen_contract(pg_buf *b, const pg_file *f)
{
	pg_vars v;

	pg_file_vars(&v, f);
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
