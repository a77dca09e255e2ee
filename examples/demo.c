// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The Bulkhead demo (`make demo`): a host written only against the
// calculator's generated host view.  It discovers the calculator add-ins in
// a pipeline directory, activates them at each isolation level, calls them,
// shows an add-in error arriving with its message, and shows a crashing
// add-in taking down only its own process.
//
// Usage: demo [PIPELINE_DIR]

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addin/host.h"
#include "calculator/v1/calculator.host.h"

#ifndef DEMO_PIPELINE
#define DEMO_PIPELINE "pipeline"
#endif

typedef calculator_v1_calculator calc;

static int failures;

static void
check(addin_err rv, const char *what)
{
	if (rv != ADDIN_OK) {
		printf("  !! %s: %s: %s\n", what, addin_err_name(rv),
		       addin_errmsg());
		failures++;
	}
}

static addin_token *
find_token(addin_token_list *list, const char *name)
{
	for (size_t i = 0; i < addin_token_list_count(list); i++) {
		addin_token *t = addin_token_list_get(list, i);
		if (strcmp(addin_token_name(t), name) == 0) {
			return t;
		}
	}
	printf("  !! no add-in named \"%s\"\n", name);
	failures++;
	return NULL;
}

static calc *
activate(addin_host *h, addin_token *t, addin_isolation level,
         addin_process *proc)
{
	addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_object            *obj;

	if (t == NULL) {
		return NULL;
	}
	o.isolation = level;
	o.process   = proc;
	if (addin_activate(h, t, &o, &obj) != ADDIN_OK) {
		check(addin_last_error(), "activate");
		return NULL;
	}
	return calculator_v1_calculator_from_object(obj);
}

static void
show(calc *c, const char *op, const double *v, size_t n)
{
	double    r;
	addin_err rv = calculator_v1_calculator_operate(c, op, v, n, &r);
	printf("    %s(", op);
	for (size_t i = 0; i < n; i++) {
		printf("%s%g", i > 0 ? ", " : "", v[i]);
	}
	if (rv == ADDIN_OK) {
		printf(") = %g\n", r);
	} else {
		printf(") -> %s: %s\n", addin_err_name(rv), addin_errmsg());
	}
}

static void
describe(calc *c)
{
	addin_controller *ctl =
	    addin_controller_get(calculator_v1_calculator_as_object(c));
	char *name = NULL;

	check(calculator_v1_calculator_get_name(c, &name), "get_name");
	printf("  %s: %s, pid %d%s\n", name != NULL ? name : "?",
	       addin_isolation_name(addin_controller_isolation(ctl)),
	       addin_controller_pid(ctl),
	       addin_controller_pid(ctl) == getpid() ? " (the host)" : "");
	calculator_v1_calculator_get_name_free_out(name);
}

int
main(int argc, char **argv)
{
	const char       *dir = argc > 1 ? argv[1] : DEMO_PIPELINE;
	addin_store      *store;
	addin_warnings   *warnings = NULL;
	addin_token_list *list;
	addin_host       *host;
	addin_process    *shared;
	double            v[] = {6, 7}, zero[] = {1, 0}, two[] = {2};

	printf("Bulkhead %s demo\n\n", addin_version_string());

	// 1. Discover add-ins in a pipeline directory (no add-in code runs).
	printf("1. Discovery in %s\n", dir);
	if (addin_store_create(dir, NULL, &store) != ADDIN_OK ||
	    addin_store_update(store, &warnings) != ADDIN_OK) {
		printf("  cannot read the pipeline: %s\n", addin_errmsg());
		return 1;
	}
	for (size_t i = 0; i < addin_warnings_count(warnings); i++) {
		printf("  warning: %s\n", addin_warnings_text(warnings, i));
	}
	addin_warnings_destroy(warnings);
	check(addin_store_find(store, CALCULATOR_V1_CALCULATOR_VIEW_ID,
	                       CALCULATOR_V1_CALCULATOR_VIEW_HASH, &list),
	      "find");
	for (size_t i = 0; i < addin_token_list_count(list); i++) {
		addin_token *t = addin_token_list_get(list, i);
		printf("  %-24s %s  by %s: %s\n", addin_token_name(t),
		       addin_token_version(t), addin_token_publisher(t),
		       addin_token_description(t));
	}

	// 2. Activate with an isolation level: a parameter, not a rebuild.
	check(addin_host_create(NULL, &host), "host");
	addin_token *basic   = find_token(list, "Basic calculator");
	addin_token *sci     = find_token(list, "Scientific calculator");
	addin_token *fragile = find_token(list, "Fragile calculator");

	printf("\n2. The same add-in at every isolation level\n");
	static const addin_isolation levels[] = {ADDIN_ISOLATION_DIRECT,
	                                         ADDIN_ISOLATION_IN_PROCESS,
	                                         ADDIN_ISOLATION_OWN_PROCESS};
	for (size_t i = 0; i < 3; i++) {
		calc *c = activate(host, basic, levels[i], NULL);
		if (c != NULL) {
			describe(c);
			show(c, "*", v, 2);
			calculator_v1_calculator_release(c);
		}
	}

	printf("\n3. Two add-ins sharing one add-in process\n");
	check(addin_process_create(host, NULL, &shared), "process");
	calc *a =
	    activate(host, basic, ADDIN_ISOLATION_SHARED_PROCESS, shared);
	calc *b = activate(host, sci, ADDIN_ISOLATION_SHARED_PROCESS, shared);
	addin_process_unref(shared);
	if (a != NULL && b != NULL) {
		describe(a);
		describe(b);
		show(b, "pow", v, 2);
		show(b, "sqrt", two, 1);
		// 4. Errors raised by an add-in arrive with its code and text.
		printf("\n4. An add-in's error crosses the boundary\n");
		show(a, "/", zero, 2);
		show(a, "pow", v, 2);
	}

	printf("\n5. A crashing add-in takes down only its own process\n");
	calc *f = activate(host, fragile, ADDIN_ISOLATION_OWN_PROCESS, NULL);
	if (f != NULL) {
		describe(f);
		show(f, "+", v, 2);
		show(f, "crash", NULL, 0);
		printf("    exit: %s\n",
		       addin_controller_exit_status(addin_controller_get(
		           calculator_v1_calculator_as_object(f))));
		show(f, "+", v, 2);
		calculator_v1_calculator_release(f);
		if (a != NULL) {
			printf("  the others are fine:\n");
			show(a, "+", v, 2);
		}
	}
	calculator_v1_calculator_release(a);
	calculator_v1_calculator_release(b);

	printf("\n6. A sandboxed add-in (restricted)\n");
	addin_activation_options o  = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_sandbox_options    sb = ADDIN_SANDBOX_OPTIONS_INIT;
	addin_object            *obj;
	sb.level    = ADDIN_SANDBOX_RESTRICTED;
	o.isolation = ADDIN_ISOLATION_SANDBOXED;
	o.sandbox   = &sb;
	if (sci != NULL && addin_activate(host, sci, &o, &obj) == ADDIN_OK) {
		calc *s = calculator_v1_calculator_from_object(obj);
		describe(s);
		printf("    %s\n",
		       addin_controller_sandbox(addin_controller_get(obj)));
		show(s, "pow", v, 2);
		calculator_v1_calculator_release(s);
	} else if (sci != NULL) {
		check(addin_last_error(), "sandboxed activation");
	}

	addin_token_list_destroy(list);
	addin_store_destroy(store);
	addin_host_destroy(host);
	printf("\n%s\n", failures == 0 ? "Demo complete." : "Demo FAILED.");
	return failures == 0 ? 0 : 1;
}
