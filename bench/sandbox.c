// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// bench-sandbox: what each sandbox level costs at activation.  For each of
// own process (unsandboxed) and sandboxed at levels none, restricted and
// strict: addin_activate() until the host holds a working object (the first
// call is not included), then the release (shutdown, reaping, removal of
// the cgroup and directories) separately; next to a bare posix_spawn() +
// waitpid() of /bin/true measured in the same run.  The levels are
// interleaved round by round, so that a slow spell of the machine (other
// builds) does not fall on one level only.
//
// Usage: bench-sandbox [ROUNDS]   (default 200)

#define _GNU_SOURCE

#include "bench_util.h"

enum { OWN, NONE, RESTRICTED, STRICT, NCONF };

static const char *const conf_name[NCONF] = {
    "own process (no sandbox)", "sandboxed, none", "sandboxed, restricted",
    "sandboxed, strict"};

// One activation of @conf; its activation and release times in us.
// Returns false when the level is not available here.
static bool
one(addin_host *host, addin_token *tok, int conf, double *ret_act,
    double *ret_rel, char *mech, size_t mech_len)
{
	addin_activation_options o  = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_sandbox_options    sb = ADDIN_SANDBOX_OPTIONS_INIT;
	addin_object            *obj;
	addin_err                rv;
	double                   t0, t1, r = 0, v[2] = {20, 22};

	if (conf != OWN) {
		o.isolation = ADDIN_ISOLATION_SANDBOXED;
		o.sandbox   = &sb;
		sb.level    = conf == NONE         ? ADDIN_SANDBOX_NONE
		              : conf == RESTRICTED ? ADDIN_SANDBOX_RESTRICTED
		                                   : ADDIN_SANDBOX_STRICT;
	}
	t0 = bench_now_us();
	rv = addin_activate(host, tok, &o, &obj);
	t1 = bench_now_us();
	if (rv == ADDIN_ESANDBOX && mech != NULL) {
		snprintf(mech, mech_len, "unavailable: %s", addin_errmsg());
		return false;
	}
	if (rv != ADDIN_OK) {
		fprintf(stderr, "bench-sandbox: %s: %s\n", conf_name[conf],
		        addin_errmsg());
		exit(1);
	}
	// It works (not timed).
	if (calculator_v1_calculator_operate(
	        calculator_v1_calculator_from_object(obj), "+", v, 2, &r) !=
	        ADDIN_OK ||
	    r != 42) {
		fprintf(stderr, "bench-sandbox: %s: a call failed: %s\n",
		        conf_name[conf], addin_errmsg());
		exit(1);
	}
	if (mech != NULL && mech[0] == '\0') {
		snprintf(mech, mech_len, "%s",
		         addin_controller_sandbox(addin_controller_get(obj)));
	}
	*ret_act = t1 - t0;
	t0       = bench_now_us();
	addin_object_unref(obj);
	*ret_rel = bench_now_us() - t0;
	return true;
}

int
main(int argc, char **argv)
{
	int               rounds = argc > 1 ? atoi(argv[1]) : 200;
	double           *act[NCONF], *rel[NCONF], *t;
	bool              avail[NCONF];
	char              mech[NCONF][1024];
	addin_store      *store;
	addin_token_list *list;
	addin_token      *tok;
	addin_host       *host;
	double            spawn_p50;

	if (rounds < 1) {
		rounds = 1;
	}
	tok = bench_find_calculator(BENCH_PIPELINE, "bench-sandbox", &store,
	                            &list);
	if (addin_host_create(NULL, &host) != ADDIN_OK) {
		fprintf(stderr, "bench-sandbox: %s\n", addin_errmsg());
		return 1;
	}
	t = calloc((size_t) rounds, sizeof(*t));
	for (int c = 0; c < NCONF; c++) {
		act[c]     = calloc((size_t) rounds, sizeof(double));
		rel[c]     = calloc((size_t) rounds, sizeof(double));
		avail[c]   = true;
		mech[c][0] = '\0';
	}
	printf("activation latency by sandbox level, %d rounds each "
	       "(interleaved)\n",
	       rounds);

	spawn_p50 = bench_bare_spawn(t, rounds);

	// One warm-up round of each (the probe, the host-side adapter).
	for (int c = 0; c < NCONF; c++) {
		double a, r;
		avail[c] = one(host, tok, c, &a, &r, mech[c], sizeof(mech[c]));
	}
	for (int i = 0; i < rounds; i++) {
		for (int c = 0; c < NCONF; c++) {
			if (avail[c]) {
				(void) one(host, tok, c, &act[c][i],
				           &rel[c][i], NULL, 0);
			}
		}
	}
	printf("\naddin_activate() until a working object:\n");
	for (int c = 0; c < NCONF; c++) {
		if (avail[c]) {
			bench_report(conf_name[c], act[c], rounds, spawn_p50);
		} else {
			printf("%-32s %s\n", conf_name[c], mech[c]);
		}
	}
	printf("\nrelease (shutdown, reaping, clean-up):\n");
	for (int c = 0; c < NCONF; c++) {
		if (avail[c]) {
			bench_report(conf_name[c], rel[c], rounds, 0);
		}
	}
	printf("\nmechanisms:\n");
	for (int c = NONE; c < NCONF; c++) {
		printf("  %s: %s\n", conf_name[c], mech[c]);
	}
	addin_token_list_destroy(list);
	addin_store_destroy(store);
	addin_host_destroy(host);
	for (int c = 0; c < NCONF; c++) {
		free(act[c]);
		free(rel[c]);
	}
	free(t);
	return 0;
}
