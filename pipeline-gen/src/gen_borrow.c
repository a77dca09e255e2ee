// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Borrowing from protobuf-c: statements that build view values pointing
// into a protobuf-c message (the add-in-side adapter's request, handed to
// the add-in's op as in-parameters).  Nothing is copied but what the view
// lays out differently (arrays of structs, nested structs), which comes
// from the call's arena.

#include "pg.h"

// A repeated field: numbers and strings are the message's own arrays;
// other elements are converted into an arena array.
static void
borrow_repeated(pg_buf *b, const pg_vars *v, const pg_field *fld)
{
	if (pg_is_number(fld)) {
		pg_emit(b, v, "$I$$V$ = $P$;\n$I$$VN$ = $PN$;\n");
		return;
	}
	if (fld->kind == PG_STRING) {
		pg_emit(b, v,
		        "$I$$V$ = (const char *const *) $P$;\n"
		        "$I$$VN$ = $PN$;\n");
		return;
	}
	pg_emit(b, v,
	        "$I$if ($PN$ > 0) {\n"
	        "$I$\t$T$ *addin_a = addin_adapter_arena_alloc(addin_arena, "
	        "$PN$, "
	        "sizeof(*addin_a));\n"
	        "$I$\tif (addin_a == NULL) {\n"
	        "$I$\t\taddin_rv = addin_set_error(ADDIN_ENOMEM, NULL);\n"
	        "$I$\t\t$F$\n"
	        "$I$\t}\n"
	        "$I$\tfor (size_t addin_i = 0; addin_i < $PN$; addin_i++) "
	        "{\n");
	if (fld->kind == PG_MESSAGE) {
		pg_emit(b, v,
		        "$I$\t\tif ($P$[addin_i] == NULL) {\n"
		        "$I$\t\t\taddin_rv = "
		        "addin_set_error(ADDIN_EPROTO, "
		        "\"$WHAT$: NULL element\");\n"
		        "$I$\t\t\t$F$\n"
		        "$I$\t\t}\n"
		        "$I$\t\tif ((addin_rv = "
		        "addin_borrow_$M$(addin_arena, "
		        "$P$[addin_i], &addin_a[addin_i])) != "
		        "ADDIN_OK) {\n"
		        "$I$\t\t\t$F$\n"
		        "$I$\t\t}\n");
	} else if (fld->kind == PG_BOOL) {
		pg_emit(b, v,
		        "$I$\t\taddin_a[addin_i] = $P$[addin_i] != 0;\n");
	} else {
		pg_emit(b, v,
		        "$I$\t\taddin_a[addin_i] = ($T$) $P$[addin_i];\n");
	}
	pg_emit(b, v,
	        "$I$\t}\n"
	        "$I$\t$V$ = addin_a;\n"
	        "$I$\t$VN$ = $PN$;\n"
	        "$I$}\n");
}

// A single field: strings and bytes point into the message, a nested
// message is converted into an arena struct.
static void
borrow_single(pg_buf *b, const pg_vars *v, const pg_field *fld)
{
	switch (fld->kind) {
	case PG_STRING:
		if (fld->nullable) {
			pg_emit(b, v, "$I$$V$ = $P$;\n");
		} else {
			pg_emit(b, v, "$I$$V$ = $P$ != NULL ? $P$ : \"\";\n");
		}
		break;
	case PG_BYTES:
		pg_emit(b, v, "$I$$V$ = $P$.data;\n$I$$VL$ = $P$.len;\n");
		break;
	case PG_MESSAGE:
		pg_emit(
		    b, v,
		    "$I$if ($P$ != NULL) {\n"
		    "$I$\t$M$ *addin_m = "
		    "addin_adapter_arena_alloc(addin_arena, 1, "
		    "sizeof(*addin_m));\n"
		    "$I$\tif (addin_m == NULL) {\n"
		    "$I$\t\taddin_rv = addin_set_error(ADDIN_ENOMEM, NULL);\n"
		    "$I$\t\t$F$\n"
		    "$I$\t}\n"
		    "$I$\tif ((addin_rv = addin_borrow_$M$(addin_arena, $P$, "
		    "addin_m)) != ADDIN_OK) {\n"
		    "$I$\t\t$F$\n"
		    "$I$\t}\n"
		    "$I$\t$V$ = addin_m;\n"
		    "$I$}\n");
		break;
	default: pg_gen_scalar_from_pb(b, v, fld); break;
	}
}

void
pg_gen_field_borrow(pg_buf *b, const pg_field *fld, const pg_message *m,
                    pg_vmode vmode, const char *vprefix, const char *pmsg,
                    const char *fail, const char *indent)
{
	pg_vars v;

	(void) vmode;
	pg_field_vars(&v, fld, m, vprefix, pmsg, fail, indent);
	if (fld->presence) {
		pg_emit(b, &v, "$I$$VH$ = $PH$ != 0;\n");
	}
	if (fld->repeated) {
		borrow_repeated(b, &v, fld);
	} else {
		borrow_single(b, &v, fld);
	}
}

void
pg_gen_fields_borrow(pg_buf *b, const pg_message *m, pg_vmode vmode,
                     const char *vprefix, const char *pmsg, const char *fail,
                     const char *indent)
{
	pg_gen_members(b, m, vmode, vprefix, pmsg, fail, indent,
	               pg_gen_field_borrow, "borrow");
}
