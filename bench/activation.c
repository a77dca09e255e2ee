// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// bench-activation: how long addin_activate() takes at each isolation level
// (until the host holds a working object; the first call is not included),
// next to a bare posix_spawn() + waitpid() of /bin/true in the same run.
// The target: own-process p50 <= 8x the bare spawn.
//
// Usage: bench-activation [ROUNDS]   (default 200)

#define _GNU_SOURCE

#include "bench_util.h"

int
main(int argc, char **argv)
{
	int               rounds = argc > 1 ? atoi(argv[1]) : 200;
	double           *t      = calloc((size_t) rounds, sizeof(*t));
	addin_store      *store;
	addin_token_list *list;
	addin_token      *tok;
	addin_host       *host;
	double            spawn_p50;

	tok = bench_find_calculator(BENCH_PIPELINE, "bench-activation", &store,
	                            &list);
	if (addin_host_create(NULL, &host) != ADDIN_OK) {
		fprintf(stderr, "bench-activation: %s\n", addin_errmsg());
		return 1;
	}
	printf("activation latency, %d rounds each\n", rounds);
	spawn_p50 = bench_bare_spawn(t, rounds);

	static const addin_isolation levels[] = {ADDIN_ISOLATION_DIRECT,
	                                         ADDIN_ISOLATION_IN_PROCESS,
	                                         ADDIN_ISOLATION_OWN_PROCESS};
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
		o.isolation                = levels[l];
		for (int i = 0; i < rounds; i++) {
			addin_object *obj;
			double        t0 = bench_now_us();
			if (addin_activate(host, tok, &o, &obj) != ADDIN_OK) {
				fprintf(stderr, "activate: %s\n",
				        addin_errmsg());
				return 1;
			}
			t[i] = bench_now_us() - t0;
			addin_object_unref(obj);
		}
		char what[64];
		snprintf(what, sizeof(what), "activate %s",
		         addin_isolation_name(levels[l]));
		bench_report(what, t, rounds, spawn_p50);
	}
	addin_token_list_destroy(list);
	addin_store_destroy(store);
	addin_host_destroy(host);
	free(t);
	return 0;
}
