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

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "addin/host.h"
#include "calculator/v1/calculator.host.h"

extern char **environ;

static double
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;
	return x < y ? -1 : x > y;
}

static double
pct(double *v, int n, double p)
{
	int i = (int) (p * (n - 1) + 0.5);
	return v[i];
}

static void
report(const char *what, double *v, int n, double base_p50)
{
	qsort(v, (size_t) n, sizeof(*v), cmp);
	printf("%-28s p50 %8.0f us   p99 %8.0f us", what, pct(v, n, 0.5),
	       pct(v, n, 0.99));
	if (base_p50 > 0) {
		printf("   p50 = %.1fx bare spawn", pct(v, n, 0.5) / base_p50);
	}
	printf("\n");
}

int
main(int argc, char **argv)
{
	int               rounds = argc > 1 ? atoi(argv[1]) : 200;
	double           *t      = calloc((size_t) rounds, sizeof(*t));
	addin_store      *store;
	addin_token_list *list;
	addin_token      *tok = NULL;
	addin_host       *host;
	char              truepath[] = "/bin/true";
	char             *targv[]    = {truepath, NULL};
	double            spawn_p50;

	if (addin_store_create(BENCH_PIPELINE, NULL, &store) != ADDIN_OK ||
	    addin_store_update(store, NULL) != ADDIN_OK ||
	    addin_store_find(store, CALCULATOR_V1_CALCULATOR_VIEW_ID, NULL,
	                     &list) != ADDIN_OK ||
	    addin_host_create(NULL, &host) != ADDIN_OK) {
		fprintf(stderr, "bench-activation: %s\n", addin_errmsg());
		return 1;
	}
	for (size_t i = 0; i < addin_token_list_count(list); i++) {
		addin_token *x = addin_token_list_get(list, i);
		if (strcmp(addin_token_name(x), "Basic calculator") == 0) {
			tok = x;
		}
	}
	if (tok == NULL) {
		fprintf(stderr, "bench-activation: no Basic calculator\n");
		return 1;
	}
	printf("activation latency, %d rounds each\n", rounds);

	for (int i = 0; i < rounds; i++) {
		pid_t  pid;
		double t0 = now_us();
		posix_spawn(&pid, "/bin/true", NULL, NULL, targv, environ);
		waitpid(pid, NULL, 0);
		t[i] = now_us() - t0;
	}
	qsort(t, (size_t) rounds, sizeof(*t), cmp);
	spawn_p50 = pct(t, rounds, 0.5);
	report("bare posix_spawn /bin/true", t, rounds, 0);

	static const addin_isolation levels[] = {ADDIN_ISOLATION_DIRECT,
	                                         ADDIN_ISOLATION_IN_PROCESS,
	                                         ADDIN_ISOLATION_OWN_PROCESS};
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
		o.isolation                = levels[l];
		for (int i = 0; i < rounds; i++) {
			addin_object *obj;
			double        t0 = now_us();
			if (addin_activate(host, tok, &o, &obj) != ADDIN_OK) {
				fprintf(stderr, "activate: %s\n",
				        addin_errmsg());
				return 1;
			}
			t[i] = now_us() - t0;
			addin_object_unref(obj);
		}
		char what[64];
		snprintf(what, sizeof(what), "activate %s",
		         addin_isolation_name(levels[l]));
		report(what, t, rounds, spawn_p50);
	}
	addin_token_list_destroy(list);
	addin_store_destroy(store);
	addin_host_destroy(host);
	free(t);
	return 0;
}
