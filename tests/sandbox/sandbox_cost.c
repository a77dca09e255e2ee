// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// sandbox_cost: what entering each sandbox level costs.  For each
// configuration it starts the helper N times (action "ok") through the
// same launch as the tests (sbx_host.h) and reports the median and 90th
// percentile of spawn-to-reaped time, and the median time of each stage
// measured inside the helper.  Also the host-side costs: the probe and a
// cgroup's create and destroy.
//
//   sandbox_cost [N]      (default 40; run as root for every mechanism)

#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sbx_host.h"

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
	return x < y ? -1 : x > y;
}

static int64_t
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *const stage_names[] = {
    "ns", "fs", "limits", "identity", "sigsys", "stage1", "stage2"};
#define NSTAGES 7

static void
measure(addin__sandbox_level level, const char *stages, int n)
{
	static sbx_run r;
	int64_t       *total = calloc((size_t) n, sizeof(int64_t));
	int64_t       *st[NSTAGES];
	for (int s = 0; s < NSTAGES; s++) {
		st[s] = calloc((size_t) n, sizeof(int64_t));
	}
	for (int i = 0; i < n; i++) {
		sbx_init(&r, level, stages, "ok", NULL);
		r.timing = true;
		sbx_start(&r);
		sbx_wait(&r);
		if (r.death.cause != ADDIN__CAUSE_EXITED ||
		    r.death.status != 0) {
			printf("run failed: %s\n%s\n", r.death.message, r.out);
			exit(1);
		}
		total[i] = r.elapsed_us;
		for (int s = 0; s < NSTAGES; s++) {
			char        key[32];
			const char *t;
			snprintf(key, sizeof(key), "timing %s ",
			         stage_names[s]);
			t        = strstr(r.out, key);
			st[s][i] = t == NULL ? 0 : atoll(t + strlen(key));
		}
		sbx_fini(&r);
	}
	qsort(total, (size_t) n, sizeof(int64_t), cmp_i64);
	printf("%-10s %-38s %8.2f %8.2f  ", addin__sandbox_level_name(level),
	       stages, (double) total[n / 2] / 1000.0,
	       (double) total[n * 9 / 10] / 1000.0);
	for (int s = 0; s < NSTAGES; s++) {
		qsort(st[s], (size_t) n, sizeof(int64_t), cmp_i64);
		printf(" %6.2f", (double) st[s][n / 2] / 1000.0);
		free(st[s]);
	}
	printf("\n");
	free(total);
}

int
main(int argc, char **argv)
{
	int                              n = argc > 1 ? atoi(argv[1]) : 40;
	int64_t                          t0;
	const addin__sandbox_probe_info *pr;
	addin__sandbox_limits            lim;
	addin__sandbox_policy            p;
	char                             mech[128];

	t0 = now_us();
	pr = addin__sandbox_probe();
	printf("probe (first call, forks one child): %.2f ms; root=%d ns=0x%x "
	       "cgroup1=0x%x cgroup2=%d/0x%x\n",
	       (double) (now_us() - t0) / 1000.0, pr->root, pr->namespaces,
	       pr->cgroup1_ctrl, pr->cgroup2, pr->cgroup2_ctrl);

	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_RESTRICTED);
	lim = p.limits;
	{
		int64_t c[64], d[64];
		for (int i = 0; i < 64; i++) {
			addin__cgroup *cg;
			int64_t        a = now_us();
			if (addin__cgroup_create(pr, "cost", &lim, &cg) !=
			    ADDIN_OK) {
				printf("cgroup: %s\n", addin_errmsg());
				return 1;
			}
			int64_t b = now_us();
			addin__cgroup_describe(addin__cgroup_mechanisms(cg),
			                       mech, sizeof(mech));
			addin__cgroup_destroy(cg);
			c[i] = b - a;
			d[i] = now_us() - b;
		}
		qsort(c, 64, sizeof(int64_t), cmp_i64);
		qsort(d, 64, sizeof(int64_t), cmp_i64);
		printf(
		    "cgroup create %.3f ms, destroy (empty) %.3f ms (median); "
		    "%s\n",
		    (double) c[32] / 1000.0, (double) d[32] / 1000.0, mech);
	}
	printf("\n%d runs each; times in ms; spawn = posix_spawn to reaped "
	       "(cgroup attach and token included, the launch's preparation "
	       "not)\n",
	       n);
	printf("%-10s %-38s %8s %8s  ", "level", "stages", "spawn50",
	       "spawn90");
	for (int s = 0; s < NSTAGES; s++) {
		printf(" %6s", stage_names[s]);
	}
	printf("\n");
	measure(ADDIN__SANDBOX_NONE, "none", n);
	measure(ADDIN__SANDBOX_NONE, "all", n);
	measure(ADDIN__SANDBOX_RESTRICTED, "ns", n);
	measure(ADDIN__SANDBOX_RESTRICTED, "ns,fs", n);
	measure(ADDIN__SANDBOX_RESTRICTED, "ns,fs,limits,identity", n);
	measure(ADDIN__SANDBOX_RESTRICTED,
	        "ns,fs,limits,identity,sigsys,stage1", n);
	measure(ADDIN__SANDBOX_RESTRICTED, "all", n);
	measure(ADDIN__SANDBOX_STRICT, "all", n);
	addin__sandbox_policy_fini(&p);
	return 0;
}
