// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// bench_util.h: what the benchmarks share: a clock, percentiles, the report
// line, a bare posix_spawn to compare with, and the examples' "Basic
// calculator" token.  Header-only; each benchmark is one program.

#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "addin/host.h"
#include "calculator/v1/calculator.host.h"

extern char **environ;

static inline double
bench_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;
	return x < y ? -1 : x > y;
}

// bench_pct returns percentile @p of the @n sorted values at @v.
static inline double
bench_pct(const double *v, int n, double p)
{
	return v[(int) (p * (n - 1) + 0.5)];
}

// bench_report sorts the @n times (us) at @v and prints p50 and p99 in ms,
// and p50 as a multiple of @base_p50 when that is > 0.
static inline void
bench_report(const char *what, double *v, int n, double base_p50)
{
	qsort(v, (size_t) n, sizeof(*v), bench_cmp);
	printf("%-32s p50 %7.2f ms   p99 %7.2f ms", what,
	       bench_pct(v, n, 0.5) / 1000, bench_pct(v, n, 0.99) / 1000);
	if (base_p50 > 0) {
		printf("   p50 = %4.1fx bare spawn",
		       bench_pct(v, n, 0.5) / base_p50);
	}
	printf("\n");
}

// bench_bare_spawn times @rounds posix_spawn + waitpid of /bin/true into
// @t, reports them and returns their p50 (us).
static inline double
bench_bare_spawn(double *t, int rounds)
{
	char  path[] = "/bin/true";
	char *argv[] = {path, NULL};
	for (int i = 0; i < rounds; i++) {
		pid_t  pid;
		double t0 = bench_now_us();
		if (posix_spawn(&pid, path, NULL, NULL, argv, environ) == 0) {
			waitpid(pid, NULL, 0);
		}
		t[i] = bench_now_us() - t0;
	}
	bench_report("bare posix_spawn /bin/true", t, rounds, 0);
	return bench_pct(t, rounds, 0.5);
}

// bench_find_calculator opens the store on @pipeline and returns the
// token of its "Basic calculator" (borrowed from *@ret_list), or exits.
static inline addin_token *
bench_find_calculator(const char *pipeline, const char *prog,
                      addin_store **ret_store, addin_token_list **ret_list)
{
	addin_store      *store;
	addin_token_list *list;
	addin_token      *tok = NULL;

	if (addin_store_create(pipeline, NULL, &store) != ADDIN_OK ||
	    addin_store_update(store, NULL) != ADDIN_OK ||
	    addin_store_find(store, CALCULATOR_V1_CALCULATOR_VIEW_ID, NULL,
	                     &list) != ADDIN_OK) {
		fprintf(stderr, "%s: %s\n", prog, addin_errmsg());
		exit(1);
	}
	for (size_t i = 0; i < addin_token_list_count(list); i++) {
		addin_token *x = addin_token_list_get(list, i);
		if (strcmp(addin_token_name(x), "Basic calculator") == 0) {
			tok = x;
		}
	}
	if (tok == NULL) {
		fprintf(stderr, "%s: no Basic calculator in %s\n", prog,
		        pipeline);
		exit(1);
	}
	*ret_store = store;
	*ret_list  = list;
	return tok;
}

#endif
