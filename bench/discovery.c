// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// bench-discovery [N] [RUNS]: discovery of N add-ins (default 1,000) in a
// pipeline directory, cold (no cache: every segment file read) and warm (a
// valid cache: every file only stat'ed), each the median of RUNS (default
// 7) runs of: create a store, update, find the add-ins of the host view,
// destroy.  The page cache is warm in both: "cold" is about the store's
// cache, not the kernel's.
//
// The add-ins are copies of one compiled library whose name placeholder is
// overwritten in each copy (metadata lives in the file), in
// addins/addin-NNNN/; the pipeline is made before anything is timed, and
// then left alone for more than ADDIN__STORE_RACY_NS, since files changed
// within that window are read again by design.
//
// Targets on the project's 2-core machine: cold <= 200 ms, warm <= 20 ms.

#define _GNU_SOURCE // memmem

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addin/host.h"

#include "store_impl.h"

#define VIEW           "bench.v1.Bench"
#define COLD_TARGET_MS 200.0
#define WARM_TARGET_MS 20.0

static char dir[64];

static void
die(const char *what)
{
	fprintf(stderr, "bench-discovery: %s: %s\n", what,
	        errno != 0 ? strerror(errno) : addin_errmsg());
	exit(1);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long  n;
	if (f == NULL) {
		die(path);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t) n);
	if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n) {
		die(path);
	}
	fclose(f);
	*len = (size_t) n;
	return buf;
}

static void
spill(const char *rel, const void *data, size_t len)
{
	char  path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0 ||
	    chmod(path, 0644) != 0) {
		die(path);
	}
}

static void
mkdir_rel(const char *rel)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (mkdir(path, 0755) != 0 || chmod(path, 0755) != 0) {
		die(path);
	}
}

static void
copy_fixture(const char *kind, const char *rel)
{
	char   path[512];
	size_t len;
	char  *data;
	snprintf(path, sizeof(path), "%s/libbench_discovery_%s.so",
	         BENCH_FIXTURES, kind);
	data = slurp(path, &len);
	spill(rel, data, len);
	free(data);
}

static void
make_pipeline(int n)
{
	char   path[512], rel[64], tag[16];
	size_t len;
	char  *tmpl, *copy;

	snprintf(dir, sizeof(dir), "/tmp/addin-bench-XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0) {
		die("mkdtemp");
	}
	mkdir_rel("contracts");
	mkdir_rel("host-adapters");
	mkdir_rel("addin-adapters");
	mkdir_rel("addins");
	copy_fixture("contract", "contracts/bench.so");
	copy_fixture("host_adapter", "host-adapters/bench.so");
	copy_fixture("addin_adapter", "addin-adapters/bench.so");

	snprintf(path, sizeof(path), "%s/libbench_discovery_addin.so",
	         BENCH_FIXTURES);
	tmpl = slurp(path, &len);
	copy = malloc(len);
	if (copy == NULL) {
		die("malloc");
	}
	for (int i = 0; i < n; i++) {
		char *at = copy;
		memcpy(copy, tmpl, len);
		snprintf(tag, sizeof(tag), "%06d", i);
		// Every placeholder in the file: the name and the description.
		while ((at = memmem(at, len - (size_t) (at - copy), "@@@@@@",
		                    6)) != NULL) {
			memcpy(at, tag, 6);
		}
		snprintf(rel, sizeof(rel), "addins/addin-%04d", i);
		mkdir_rel(rel);
		snprintf(rel, sizeof(rel), "addins/addin-%04d/libaddin.so", i);
		spill(rel, copy, len);
	}
	free(copy);
	free(tmpl);
}

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

struct run {
	double                    update_ms, find_ms, total_ms;
	struct addin__store_stats st;
};

static struct run
discover(int n, bool cold)
{
	char              cache[128];
	addin_store      *s;
	addin_warnings   *w;
	addin_token_list *l;
	struct run        r;
	double            t0, t1, t2;

	snprintf(cache, sizeof(cache), "%s/%s", dir, ADDIN_STORE_CACHE_FILE);
	if (cold && unlink(cache) != 0 && errno != ENOENT) {
		die(cache);
	}
	t0 = now_ms();
	if (addin_store_create(dir, NULL, &s) != ADDIN_OK ||
	    addin_store_update(s, &w) != ADDIN_OK) {
		die("update");
	}
	t1 = now_ms();
	if (addin_store_find(s, VIEW, NULL, &l) != ADDIN_OK) {
		die("find");
	}
	t2 = now_ms();
	addin__store_stats(s, &r.st);
	if (addin_warnings_count(w) != 0 ||
	    addin_token_list_count(l) != (size_t) n) {
		fprintf(stderr,
		        "bench-discovery: %zu warnings (%s), %zu add-ins\n",
		        addin_warnings_count(w),
		        addin_warnings_count(w) ? addin_warnings_text(w, 0)
		                                : "",
		        addin_token_list_count(l));
		exit(1);
	}
	addin_token_list_destroy(l);
	addin_warnings_destroy(w);
	addin_store_destroy(s);
	r.update_ms = t1 - t0;
	r.find_ms   = t2 - t1;
	r.total_ms  = t2 - t0;
	return r;
}

static int
cmp_run(const void *a, const void *b)
{
	double x = ((const struct run *) a)->total_ms;
	double y = ((const struct run *) b)->total_ms;
	return x < y ? -1 : x > y;
}

static void
report(const char *what, struct run *r, int runs, double target)
{
	qsort(r, (size_t) runs, sizeof(*r), cmp_run);
	struct run *m = &r[runs / 2];
	printf("%-5s median %7.2f ms (update %6.2f + find %5.2f), min %7.2f, "
	       "max %7.2f; files read %zu of %zu; target <= %.0f ms: %s\n",
	       what, m->total_ms, m->update_ms, m->find_ms, r[0].total_ms,
	       r[runs - 1].total_ms, m->st.files_read, m->st.files_seen,
	       target, m->total_ms <= target ? "met" : "MISSED");
}

int
main(int argc, char **argv)
{
	int             n    = argc > 1 ? atoi(argv[1]) : 1000;
	int             runs = argc > 2 ? atoi(argv[2]) : 7;
	struct run     *cold, *warm;
	struct timespec settle = {2, 300 * 1000 * 1000};
	char            cmd[128];

	if (n <= 0 || runs <= 0) {
		fprintf(stderr, "usage: bench-discovery [N] [RUNS]\n");
		return 2;
	}
	cold = calloc((size_t) runs, sizeof(*cold));
	warm = calloc((size_t) runs, sizeof(*warm));
	if (cold == NULL || warm == NULL) {
		die("calloc");
	}
	make_pipeline(n);
	nanosleep(&settle, NULL); // see the header comment
	discover(n, true);        // fault in code and page cache once

	for (int i = 0; i < runs; i++) {
		cold[i] = discover(n, true);
		if (cold[i].st.files_read != (size_t) n + 3 ||
		    !cold[i].st.cache_written) {
			fprintf(stderr,
			        "bench-discovery: cold run not cold\n");
			return 1;
		}
	}
	for (int i = 0; i < runs; i++) {
		warm[i] = discover(n, false);
		if (warm[i].st.files_read != 0 || !warm[i].st.cache_loaded) {
			fprintf(stderr,
			        "bench-discovery: warm run read %zu "
			        "files\n",
			        warm[i].st.files_read);
			return 1;
		}
	}
	printf("discovery of %d add-ins (%d segment files), %d runs each\n", n,
	       n + 3, runs);
	report("cold", cold, runs, COLD_TARGET_MS);
	report("warm", warm, runs, WARM_TARGET_MS);

	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "bench-discovery: could not remove %s\n", dir);
	}
	free(cold);
	free(warm);
	return 0;
}
