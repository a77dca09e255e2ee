// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Copying from protobuf-c: statements that build view values owning their
// memory (addin_alloc) from a protobuf-c message (the host-side adapter's
// reply, which becomes the caller's out-parameters).  On failure what was
// copied so far is counted, so that the free helpers can free it.

#include "pg.h"

// A repeated field: a new array, its strings and structs copied element by
// element (the count grows with each, for the free helpers).
static void
copy_repeated(pg_buf *b, const pg_vars *v, const pg_field *fld, bool local)
{
	pg_emit(b, v,
	        "$I$if ($PN$ > 0) {\n"
	        "$I$\t$T$ *addin_a = addin_adapter_alloc_array($PN$, "
	        "sizeof(*addin_a));\n"
	        "$I$\tif (addin_a == NULL) {\n"
	        "$I$\t\t$NOMEM$\n"
	        "$I$\t\t$F$\n"
	        "$I$\t}\n");
	if (fld->kind == PG_STRING) {
		pg_emit(b, v,
		        local ? "$I$\t$V$ = addin_a;\n"
		              : "$I$\t$V$ = (const char *const *) "
		                "addin_a;\n");
	} else {
		pg_emit(b, v, "$I$\t$V$ = addin_a;\n");
	}
	if (pg_is_number(fld)) {
		pg_emit(b, v,
		        "$I$\tmemcpy(addin_a, $P$, $PN$ * "
		        "sizeof(*addin_a));\n"
		        "$I$\t$VN$ = $PN$;\n"
		        "$I$}\n");
		return;
	}
	pg_emit(b, v,
	        "$I$\tfor (size_t addin_i = 0; addin_i < $PN$; addin_i++) "
	        "{\n");
	switch (fld->kind) {
	case PG_STRING:
		pg_emit(b, v,
		        "$I$\t\tconst char *addin_s = $P$[addin_i];\n"
		        "$I$\t\tif ((addin_a[addin_i] = "
		        "addin_strdup(addin_s "
		        "!= NULL ? addin_s : \"\")) == NULL) {\n"
		        "$I$\t\t\t$NOMEM$\n"
		        "$I$\t\t\t$F$\n"
		        "$I$\t\t}\n"
		        "$I$\t\t$VN$ = addin_i + 1;\n");
		break;
	case PG_MESSAGE:
		pg_emit(b, v,
		        "$I$\t\tif ($P$[addin_i] == NULL) {\n"
		        "$I$\t\t\taddin_rv = "
		        "addin_set_error(ADDIN_EPROTO, "
		        "\"$WHAT$: NULL element\");\n"
		        "$I$\t\t\t$F$\n"
		        "$I$\t\t}\n"
		        "$I$\t\t$VN$ = addin_i + 1;\n"
		        "$I$\t\tif ((addin_rv = "
		        "addin_copy_$M$($P$[addin_i], "
		        "&addin_a[addin_i])) != ADDIN_OK) {\n"
		        "$I$\t\t\t$F$\n"
		        "$I$\t\t}\n");
		break;
	case PG_BOOL:
		pg_emit(b, v,
		        "$I$\t\taddin_a[addin_i] = $P$[addin_i] != 0;\n");
		break;
	default:
		pg_emit(b, v,
		        "$I$\t\taddin_a[addin_i] = ($T$) $P$[addin_i];\n");
		break;
	}
	pg_emit(b, v, "$I$\t}\n");
	if (fld->kind == PG_BOOL || fld->kind == PG_ENUM) {
		pg_emit(b, v, "$I$\t$VN$ = $PN$;\n");
	}
	pg_emit(b, v, "$I$}\n");
}

// A single field: strings, bytes and nested structs are copied.
static void
copy_single(pg_buf *b, const pg_vars *v, const pg_field *fld, bool local)
{
	switch (fld->kind) {
	case PG_STRING:
		if (fld->nullable) {
			pg_emit(b, v,
			        "$I$if ($P$ != NULL && ($V$ = "
			        "addin_strdup($P$)) == "
			        "NULL) {\n"
			        "$I$\t$NOMEM$\n"
			        "$I$\t$F$\n"
			        "$I$}\n");
		} else {
			pg_emit(
			    b, v,
			    "$I$if (($V$ = addin_strdup($P$ != NULL ? $P$ : "
			    "\"\")) == NULL) {\n"
			    "$I$\t$NOMEM$\n"
			    "$I$\t$F$\n"
			    "$I$}\n");
		}
		break;
	case PG_BYTES:
		pg_emit(b, v,
		        "$I$if ($P$.len > 0) {\n"
		        "$I$\tif (($V$ = addin_memdup($P$.data, $P$.len)) == "
		        "NULL) "
		        "{\n"
		        "$I$\t\t$NOMEM$\n"
		        "$I$\t\t$F$\n"
		        "$I$\t}\n"
		        "$I$\t$VL$ = $P$.len;\n"
		        "$I$}\n");
		break;
	case PG_MESSAGE:
		if (local && fld->oneof < 0) {
			pg_emit(b, v,
			        "$I$if ($P$ != NULL && (addin_rv = "
			        "addin_copy_$M$($P$, "
			        "&$V$)) != ADDIN_OK) {\n"
			        "$I$\t$F$\n"
			        "$I$}\n");
			break;
		}
		pg_emit(
		    b, v,
		    "$I$if ($P$ != NULL) {\n"
		    "$I$\t$M$ *addin_m = addin_adapter_alloc_array(1, "
		    "sizeof(*addin_m));\n"
		    "$I$\tif (addin_m == NULL) {\n"
		    "$I$\t\t$NOMEM$\n"
		    "$I$\t\t$F$\n"
		    "$I$\t}\n"
		    "$I$\t$V$ = addin_m;\n"
		    "$I$\tif ((addin_rv = addin_copy_$M$($P$, addin_m)) != "
		    "ADDIN_OK) {\n"
		    "$I$\t\t$F$\n"
		    "$I$\t}\n"
		    "$I$}\n");
		break;
	default: pg_gen_scalar_from_pb(b, v, fld); break;
	}
}

void
pg_gen_field_copy(pg_buf *b, const pg_field *fld, const pg_message *m,
                  pg_vmode vmode, const char *vprefix, const char *pmsg,
                  const char *fail, const char *indent)
{
	pg_vars v;
	bool    local = vmode == PG_V_OUT_LOCAL;

	pg_field_vars(&v, fld, m, vprefix, pmsg, fail, indent);
	pg_set(&v, "NOMEM", "addin_rv = addin_set_error(ADDIN_ENOMEM, NULL);");
	if (fld->presence) {
		pg_emit(b, &v, "$I$$VH$ = $PH$ != 0;\n");
	}
	if (fld->repeated) {
		copy_repeated(b, &v, fld, local);
	} else {
		copy_single(b, &v, fld, local);
	}
}

void
pg_gen_fields_copy(pg_buf *b, const pg_message *m, pg_vmode vmode,
                   const char *vprefix, const char *pmsg, const char *fail,
                   const char *indent)
{
	pg_gen_members(b, m, vmode, vprefix, pmsg, fail, indent,
	               pg_gen_field_copy, "copy");
}

bool
pg_copy_can_fail(const pg_message *m)
{
	for (size_t i = 0; i < m->n_fields; i++) {
		if (pg_field_owns(&m->fields[i])) {
			return true;
		}
	}
	return m->n_oneofs > 0;
}
