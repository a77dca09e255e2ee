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
	check_fn    check;
};

static const struct view views[] = {
    {ALLTYPES_V1_ALL_TYPES_VIEW_ID, ALLTYPES_V1_ALL_TYPES_VIEW_HASH,
     "All Types", alltypes},
    {PRESENCE_V1_PRESENCE_VIEW_ID, PRESENCE_V1_PRESENCE_VIEW_HASH, "Presence",
     presence},
    {CALCULATOR_V1_CALCULATOR_VIEW_ID, CALCULATOR_V1_CALCULATOR_VIEW_HASH,
     "Test Calculator", calculator},
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
		opts.isolation = level;
		opts.process   = proc;
		rv             = addin_activate(host, tok, &opts, &obj);
		// Sandboxing needs kernel features, and a host that has it.
		if (level == ADDIN_ISOLATION_SANDBOXED &&
		    (rv == ADDIN_ESANDBOX || rv == ADDIN_ENOTSUP)) {
			ADDIN_SKIP("no sandbox here: %s", addin_errmsg());
		}
		ADDIN_PASS(rv);
		printf("  %s at %s\n", views[v].addin,
		       addin_isolation_name(level));
		views[v].check(obj);
		addin_object_unref(obj);
		addin_token_list_destroy(list);
	}
	addin_process_unref(proc);
	addin_host_destroy(host);
	addin_store_destroy(store);
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
    {NULL, NULL},
};
