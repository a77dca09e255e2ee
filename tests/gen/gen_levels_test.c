// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The generated views and adapters at every isolation level: the test
// add-ins are deployed into a pipeline directory, discovered, activated
// through the host library at each level, and the same host-side checks as
// in process (checks.c, written only against the generated host views) run
// against them: direct connect, in process, and across a runner process
// (shared, own, sandboxed), where the contract travels over the wire.

#include <stdio.h>
#include <string.h>

#include "addin/host.h"
#include "addin_test.h"
#include "checks.h"

typedef void (*check_fn)(addin_object *obj);

static void
alltypes(addin_object *obj)
{
	check_all_types(alltypes_v1_all_types_from_object(obj));
}

static void
presence(addin_object *obj)
{
	check_presence(presence_v1_presence_from_object(obj));
}

static void
calculator(addin_object *obj)
{
	check_calculator(calculator_v1_calculator_from_object(obj));
}

struct view {
	const char *id;
	const char *hash;
	const char *addin;
	const char *description; // as the add-in's declaration macro gives it
	check_fn    check;
};

static const struct view views[] = {
    {ALLTYPES_V1_ALL_TYPES_VIEW_ID, ALLTYPES_V1_ALL_TYPES_VIEW_HASH,
     "All Types", "Echoes every mapped type", alltypes},
    {PRESENCE_V1_PRESENCE_VIEW_ID, PRESENCE_V1_PRESENCE_VIEW_HASH, "Presence",
     "Echoes proto2 optional fields", presence},
    {CALCULATOR_V1_CALCULATOR_VIEW_ID, CALCULATOR_V1_CALCULATOR_VIEW_HASH,
     "Test Calculator", "A calculator for the generated-view tests",
     calculator},
};

static void
at_level(addin_isolation level)
{
	addin_store    *store;
	addin_warnings *warnings = NULL;
	addin_host     *host;
	addin_process  *proc = NULL;

	ADDIN_PASS(addin_store_create(GEN_PIPELINE_DIR, NULL, &store));
	ADDIN_PASS(addin_store_update(store, &warnings));
	ADDIN_CHECKF(addin_warnings_count(warnings) == 0, "warning: %s",
	             addin_warnings_text(warnings, 0));
	addin_warnings_destroy(warnings);
	ADDIN_PASS(addin_host_create(NULL, &host));
	if (level == ADDIN_ISOLATION_SHARED_PROCESS) {
		ADDIN_PASS(addin_process_create(host, NULL, &proc));
	}
	for (size_t v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
		addin_token_list        *list;
		addin_token             *tok  = NULL;
		addin_activation_options opts = ADDIN_ACTIVATION_OPTIONS_INIT;
		addin_object            *obj;
		addin_err                rv;

		ADDIN_PASS(addin_store_find(store, views[v].id, views[v].hash,
		                            &list));
		for (size_t i = 0; i < addin_token_list_count(list); i++) {
			addin_token *t = addin_token_list_get(list, i);
			if (strcmp(addin_token_name(t), views[v].addin) == 0) {
				tok = t;
			}
		}
		ADDIN_CHECKF(tok != NULL, "no add-in \"%s\" in %s",
		             views[v].addin, GEN_PIPELINE_DIR);
		// The metadata of the declaration macro, as discovery read it.
		ADDIN_CHECK_STR(addin_token_version(tok), "1.0.0");
		ADDIN_CHECK_STR(addin_token_publisher(tok),
		                "The Bulkhead Authors");
		ADDIN_CHECK_STR(addin_token_description(tok),
		                views[v].description);
		opts.isolation = level;
		opts.process   = proc;
		rv             = addin_activate(host, tok, &opts, &obj);
		// Sandboxing needs kernel features, and a host that has it
		// (where CI sets ADDIN_TEST_REQUIRE_SANDBOX, this fails).
		if (level == ADDIN_ISOLATION_SANDBOXED &&
		    (rv == ADDIN_ESANDBOX || rv == ADDIN_ENOTSUP)) {
			ADDIN_SKIP_MISSING("no sandbox here: %s",
			                   addin_errmsg());
		}
		ADDIN_PASS(rv);
		printf("  %s at %s\n", views[v].addin,
		       addin_isolation_name(level));
		views[v].check(obj);
		// Failures: the same code and message at every level.
		if (strcmp(views[v].id, ALLTYPES_V1_ALL_TYPES_VIEW_ID) == 0) {
			check_faults(alltypes_v1_all_types_from_object(obj),
			             level == ADDIN_ISOLATION_DIRECT);
		}
		addin_object_unref(obj);
		addin_token_list_destroy(list);
	}
	addin_process_unref(proc);
	addin_host_destroy(host);
	addin_store_destroy(store);
}

// NULL strings (docs/contracts.md, "Mapping"): a NULL element of an array
// of strings cannot be sent and is refused with ADDIN_EINVAL naming the
// parameter or field; a NULL string member of a struct is an absent field.

// EchoRepeats with only strings, which come back in *ret_s.
static addin_err
echo_strings(alltypes_v1_all_types *obj, const char *const *s, size_t n_s,
             char ***ret_s, size_t *ret_n_s)
{
	double            *d;
	float             *f;
	int32_t           *i32, *s32, *sfx32;
	int64_t           *i64, *s64, *sfx64;
	uint32_t          *u32, *fx32;
	uint64_t          *u64, *fx64;
	bool              *b;
	alltypes_v1_color *color;
	alltypes_v1_point *points;
	size_t             n[15];
	addin_err          rv;

	rv = alltypes_v1_all_types_echo_repeats(
	    obj, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0,
	    NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, s, n_s, NULL,
	    0, NULL, 0, &d, &n[0], &f, &n[1], &i32, &n[2], &i64, &n[3], &u32,
	    &n[4], &u64, &n[5], &s32, &n[6], &s64, &n[7], &fx32, &n[8], &fx64,
	    &n[9], &sfx32, &n[10], &sfx64, &n[11], &b, &n[12], ret_s, ret_n_s,
	    &color, &n[13], &points, &n[14]);
	if (rv == ADDIN_OK) {
		alltypes_v1_all_types_echo_repeats_free_out(
		    d, f, i32, i64, u32, u64, s32, s64, fx32, fx64, sfx32,
		    sfx64, b, NULL, 0, color, points, n[14]);
	}
	return rv;
}

// EchoShape with @shape and @more; the echo comes back in *ret_shape.
static addin_err
echo_shape(alltypes_v1_all_types *obj, const alltypes_v1_shape *shape,
           const alltypes_v1_shape *more, size_t n_more,
           alltypes_v1_shape *ret_shape)
{
	alltypes_v1_shape           *rmore = NULL;
	size_t                       rn_more;
	alltypes_v1_shape_reply_pick rpick;
	uint32_t                     count;
	addin_err                    rv;

	memset(ret_shape, 0, sizeof(*ret_shape));
	rv = alltypes_v1_all_types_echo_shape(obj, shape, more, n_more, NULL,
	                                      ret_shape, &rmore, &rn_more,
	                                      &rpick, &count);
	if (rv == ADDIN_OK) {
		alltypes_v1_all_types_echo_shape_free_out(NULL, rmore, rn_more,
		                                          &rpick);
	}
	return rv;
}

static void
null_strings_at(addin_isolation level)
{
	static const char *const with_null[] = {"a", NULL};
	static const char *const give_null[] = {"give back a NULL element",
	                                        "x"};
	const bool               direct      = level == ADDIN_ISOLATION_DIRECT;
	addin_store             *store;
	addin_host              *host;
	addin_token_list        *list;
	addin_token             *tok  = NULL;
	addin_activation_options opts = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_object            *obj;
	alltypes_v1_all_types   *at;
	alltypes_v1_repeats      reps     = {.s = with_null, .n_s = 2};
	alltypes_v1_point        point    = {.x = 1, .y = 2, .label = NULL};
	alltypes_v1_shape        shape    = {.name = "s", .repeats = &reps};
	alltypes_v1_shape        labelled = {.name = NULL, .origin = &point};
	alltypes_v1_shape        got;
	char                   **s = NULL;
	size_t                   n_s;

	ADDIN_PASS(addin_store_create(GEN_PIPELINE_DIR, NULL, &store));
	ADDIN_PASS(addin_store_update(store, NULL));
	ADDIN_PASS(addin_host_create(NULL, &host));
	ADDIN_PASS(addin_store_find(store, ALLTYPES_V1_ALL_TYPES_VIEW_ID,
	                            ALLTYPES_V1_ALL_TYPES_VIEW_HASH, &list));
	for (size_t i = 0; i < addin_token_list_count(list); i++) {
		addin_token *t = addin_token_list_get(list, i);
		if (strcmp(addin_token_name(t), "All Types") == 0) {
			tok = t;
		}
	}
	ADDIN_CHECK(tok != NULL);
	opts.isolation = level;
	ADDIN_PASS(addin_activate(host, tok, &opts, &obj));
	at = alltypes_v1_all_types_from_object(obj);

	// An in-parameter: the host view refuses it, at every level.
	ADDIN_FAIL(echo_strings(at, with_null, 2, &s, &n_s), ADDIN_EINVAL);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "s[1] is NULL");
	ADDIN_CHECK(s == NULL);

	// Inside a struct, and inside an array of structs: the host-side
	// adapter refuses it before anything is packed.  Direct connect has
	// no adapter; this add-in reads a NULL element as "".
	if (direct) {
		ADDIN_PASS(echo_shape(at, &shape, &shape, 1, &got));
		alltypes_v1_shape_clear(&got);
	} else {
		ADDIN_FAIL(echo_shape(at, &shape, NULL, 0, &got),
		           ADDIN_EINVAL);
		ADDIN_CHECK_CONTAINS(
		    addin_errmsg(),
		    "alltypes.v1.Repeats.s: element 1 is NULL");
		ADDIN_CHECK(got.name == NULL);
		ADDIN_FAIL(echo_shape(at, NULL, &shape, 1, &got),
		           ADDIN_EINVAL);
		ADDIN_CHECK_CONTAINS(addin_errmsg(), "element 1 is NULL");
	}

	// A NULL string member is an absent field: it comes back "".
	ADDIN_PASS(echo_shape(at, &labelled, NULL, 0, &got));
	ADDIN_CHECK(got.name != NULL && got.name[0] == '\0');
	ADDIN_CHECK(got.origin != NULL && got.origin->label != NULL &&
	            got.origin->label[0] == '\0');
	alltypes_v1_shape_clear(&got);

	// An add-in's output: the add-in-side adapter refuses it and the
	// add-in (and its process) carries on.  Direct connect hands it over
	// as it is.
	if (direct) {
		ADDIN_PASS(echo_strings(at, give_null, 2, &s, &n_s));
		ADDIN_CHECK(n_s == 2 && s[1] == NULL);
		alltypes_v1_all_types_echo_repeats_free_out(
		    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		    NULL, NULL, NULL, s, n_s, NULL, NULL, 0);
	} else {
		ADDIN_FAIL(echo_strings(at, give_null, 2, &s, &n_s),
		           ADDIN_EINVAL);
		ADDIN_CHECK_CONTAINS(
		    addin_errmsg(),
		    "alltypes.v1.Repeats.s: element 1 is NULL");
		ADDIN_CHECK(s == NULL);
	}
	ADDIN_PASS(alltypes_v1_all_types_ping(at));
	ADDIN_PASS(echo_strings(at, give_null, 1, &s, &n_s));
	ADDIN_CHECK(n_s == 1 && strcmp(s[0], give_null[0]) == 0);
	alltypes_v1_all_types_echo_repeats_free_out(
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, s, n_s, NULL, NULL, 0);

	addin_object_unref(obj);
	addin_token_list_destroy(list);
	addin_host_destroy(host);
	addin_store_destroy(store);
}

static void
test_null_strings_direct(void)
{
	null_strings_at(ADDIN_ISOLATION_DIRECT);
}

static void
test_null_strings_in_process(void)
{
	null_strings_at(ADDIN_ISOLATION_IN_PROCESS);
}

static void
test_null_strings_own_process(void)
{
	null_strings_at(ADDIN_ISOLATION_OWN_PROCESS);
}

static void
test_direct(void)
{
	at_level(ADDIN_ISOLATION_DIRECT);
}

static void
test_in_process(void)
{
	at_level(ADDIN_ISOLATION_IN_PROCESS);
}

static void
test_shared_process(void)
{
	at_level(ADDIN_ISOLATION_SHARED_PROCESS);
}

static void
test_own_process(void)
{
	at_level(ADDIN_ISOLATION_OWN_PROCESS);
}

static void
test_sandboxed(void)
{
	at_level(ADDIN_ISOLATION_SANDBOXED);
}

ADDIN_TEST_LIST = {
    {"every mapping holds by direct connect after discovery", test_direct},
    {"every mapping holds in process after discovery", test_in_process},
    {"every mapping holds across a shared add-in process",
     test_shared_process},
    {"every mapping holds across an own add-in process", test_own_process},
    {"every mapping holds across a sandboxed add-in process", test_sandboxed},
    {"a NULL string in an array is refused by direct connect's host view",
     test_null_strings_direct},
    {"a NULL string in an array is refused in process, in and out",
     test_null_strings_in_process},
    {"a NULL string in an array is refused across an own add-in process, "
     "which lives on",
     test_null_strings_own_process},
    {NULL, NULL},
};
