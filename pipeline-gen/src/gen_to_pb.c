// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// To protobuf-c: statements that build protobuf-c structs from view values
// (the host-side adapter's request, the add-in-side adapter's reply).  They
// borrow the view's memory; nothing is copied.  The protobuf-c structs and
// converted arrays they need come from the call's arena.

#include "pg.h"

// A repeated field: numbers are passed as they are; strings are checked
// for NULL elements (protobuf-c would strlen() them); other elements are
// converted into an arena array.
static void
to_pb_repeated(pg_buf *b, const pg_vars *v, const pg_field *fld)
{
	pg_emit(b, v,
	        "$I$if ($V$ == NULL && $VN$ > 0) {\n"
	        "$I$\taddin_rv = addin_set_error(ADDIN_EINVAL, \"$WHAT$: "
	        "NULL array of %zu elements\", $VN$);\n"
	        "$I$\t$F$\n"
	        "$I$}\n");
	if (pg_is_number(fld)) {
		pg_emit(b, v,
		        "$I$$P$ = ($T$ *) (uintptr_t) $V$;\n$I$$PN$ = "
		        "$VN$;\n");
		return;
	}
	if (fld->kind == PG_STRING) {
		// protobuf-c would strlen() a NULL element: refused,
		// as a NULL array is (docs/contracts.md).
		pg_emit(b, v,
		        "$I$for (size_t addin_i = 0; addin_i < $VN$; "
		        "addin_i++) {\n"
		        "$I$\tif ($V$[addin_i] == NULL) {\n"
		        "$I$\t\taddin_rv = addin_set_error(ADDIN_EINVAL, "
		        "\"$WHAT$: element %zu is NULL\", addin_i);\n"
		        "$I$\t\t$F$\n"
		        "$I$\t}\n"
		        "$I$}\n"
		        "$I$$P$ = (char **) (uintptr_t) $V$;\n$I$$PN$ = "
		        "$VN$;\n");
		return;
	}
	pg_emit(b, v,
	        "$I$if ($VN$ > 0) {\n"
	        "$I$\t$PTP$addin_a = addin_adapter_arena_alloc(addin_arena, "
	        "$VN$, "
	        "sizeof(*addin_a));\n");
	if (fld->kind == PG_MESSAGE) {
		pg_emit(b, v,
		        "$I$\t$PM$ *addin_m = "
		        "addin_adapter_arena_alloc(addin_arena, "
		        "$VN$, sizeof(*addin_m));\n"
		        "$I$\tif (addin_a == NULL || addin_m == NULL) "
		        "{\n");
	} else {
		pg_emit(b, v, "$I$\tif (addin_a == NULL) {\n");
	}
	pg_emit(b, v,
	        "$I$\t\taddin_rv = addin_set_error(ADDIN_ENOMEM, NULL);\n"
	        "$I$\t\t$F$\n"
	        "$I$\t}\n"
	        "$I$\tfor (size_t addin_i = 0; addin_i < $VN$; addin_i++) "
	        "{\n");
	if (fld->kind == PG_MESSAGE) {
		pg_emit(b, v,
		        "$I$\t\t$PML$__init(&addin_m[addin_i]);\n"
		        "$I$\t\taddin_a[addin_i] = &addin_m[addin_i];\n"
		        "$I$\t\tif ((addin_rv = "
		        "addin_to_pb_$M$(addin_arena, "
		        "&$V$[addin_i], &addin_m[addin_i])) != ADDIN_OK) "
		        "{\n"
		        "$I$\t\t\t$F$\n"
		        "$I$\t\t}\n");
	} else if (fld->kind == PG_BOOL) {
		pg_emit(b, v, "$I$\t\taddin_a[addin_i] = $V$[addin_i];\n");
	} else {
		pg_emit(b, v,
		        "$I$\t\taddin_a[addin_i] = ($PT$) "
		        "$V$[addin_i];\n");
	}
	pg_emit(b, v,
	        "$I$\t}\n"
	        "$I$\t$P$ = addin_a;\n"
	        "$I$\t$PN$ = $VN$;\n"
	        "$I$}\n");
}

// A single field: strings and bytes point into the view's memory, a
// nested message is converted into an arena struct.
static void
to_pb_single(pg_buf *b, pg_vars *v, const pg_field *fld, pg_vmode vmode,
             const char *vprefix)
{
	switch (fld->kind) {
	case PG_STRING:
		if (fld->oneof >= 0) {
			// A member that is set is sent, even when NULL.
			pg_emit(b, v,
			        "$I$$P$ = (char *) (uintptr_t) ($V$ != NULL ? "
			        "$V$ : "
			        "\"\");\n");
		} else {
			// NULL keeps protoc-c's default: "" or the declared
			// default, or absent for a proto2 optional field.
			pg_emit(b, v,
			        "$I$if ($V$ != NULL) {\n"
			        "$I$\t$P$ = (char *) (uintptr_t) $V$;\n"
			        "$I$}\n");
		}
		break;
	case PG_BYTES:
		pg_emit(
		    b, v,
		    "$I$if ($V$ == NULL && $VL$ > 0) {\n"
		    "$I$\taddin_rv = addin_set_error(ADDIN_EINVAL, \"$WHAT$: "
		    "NULL data of %zu bytes\", $VL$);\n"
		    "$I$\t$F$\n"
		    "$I$}\n"
		    "$I$$P$.data = (uint8_t *) (uintptr_t) $V$;\n"
		    "$I$$P$.len = $VL$;\n");
		break;
	case PG_MESSAGE:
		if (vmode == PG_V_OUT_LOCAL && fld->oneof < 0) {
			pg_setf(v, "V", "&%s%s", vprefix, fld->name);
			pg_emit(b, v, "$I${\n");
		} else if (fld->oneof >= 0) {
			// A member that is set is sent, even when NULL (as an
			// empty message).
			pg_emit(b, v, "$I${\n");
		} else {
			pg_emit(b, v, "$I$if ($V$ != NULL) {\n");
		}
		pg_emit(
		    b, v,
		    "$I$\t$PM$ *addin_m = "
		    "addin_adapter_arena_alloc(addin_arena, 1, "
		    "sizeof(*addin_m));\n"
		    "$I$\tif (addin_m == NULL) {\n"
		    "$I$\t\taddin_rv = addin_set_error(ADDIN_ENOMEM, NULL);\n"
		    "$I$\t\t$F$\n"
		    "$I$\t}\n"
		    "$I$\t$PML$__init(addin_m);\n"
		    "$I$\t$P$ = addin_m;\n");
		if (fld->oneof >= 0) {
			pg_emit(
			    b, v,
			    "$I$\tif ($V$ != NULL && (addin_rv = "
			    "addin_to_pb_$M$(addin_arena, $V$, addin_m)) != "
			    "ADDIN_OK) {\n");
		} else {
			pg_emit(b, v,
			        "$I$\tif ((addin_rv = "
			        "addin_to_pb_$M$(addin_arena, "
			        "$V$, addin_m)) != ADDIN_OK) {\n");
		}
		pg_emit(b, v,
		        "$I$\t\t$F$\n"
		        "$I$\t}\n"
		        "$I$}\n");
		break;
	case PG_ENUM: pg_emit(b, v, "$I$$P$ = ($PT$) $V$;\n"); break;
	default: pg_emit(b, v, "$I$$P$ = $V$;\n"); break;
	}
}

void
pg_gen_field_to_pb(pg_buf *b, const pg_field *fld, const pg_message *m,
                   pg_vmode vmode, const char *vprefix, const char *pmsg,
                   const char *fail, const char *indent)
{
	pg_vars v;

	pg_field_vars(&v, fld, m, vprefix, pmsg, fail, indent);
	if (fld->presence) {
		// An absent value keeps protoc-c's default, as the receiver of
		// the packed message would see it.
		pg_emit(b, &v, "$I$$PH$ = $VH$;\n$I$if ($VH$) {\n");
		pg_set(&v, "I", pg_fmt("%s\t", indent));
	}
	if (fld->repeated) {
		to_pb_repeated(b, &v, fld);
	} else {
		pg_vars sv = v; // to_pb_single may rename the value

		to_pb_single(b, &sv, fld, vmode, vprefix);
	}
	if (fld->presence) {
		pg_set(&v, "I", indent);
		pg_emit(b, &v, "$I$}\n");
	}
}

void
pg_gen_fields_to_pb(pg_buf *b, const pg_message *m, pg_vmode vmode,
                    const char *vprefix, const char *pmsg, const char *fail,
                    const char *indent)
{
	pg_gen_members(b, m, vmode, vprefix, pmsg, fail, indent,
	               pg_gen_field_to_pb, "to_pb");
}

static bool
field_to_pb_can_fail(const pg_field *fld)
{
	return fld->repeated || fld->kind == PG_BYTES ||
	       fld->kind == PG_MESSAGE;
}

bool
pg_to_pb_can_fail(const pg_message *m)
{
	for (size_t i = 0; i < m->n_fields; i++) {
		if (field_to_pb_can_fail(&m->fields[i])) {
			return true;
		}
	}
	return false;
}
