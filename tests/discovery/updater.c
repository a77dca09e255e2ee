// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// discovery-updater PIPELINE_DIR ITERATIONS EXPECTED [read-only]: updates
// (and every third time rebuilds) the store of PIPELINE_DIR ITERATIONS
// times, each time with a new store object, as a separate process would;
// after each, checks that discovery reported no warning at all (a torn or
// corrupt cache would be one) and found EXPECTED add-ins.  With
// "read-only", the stores only read the cache, without the lock, as a host
// in a directory it may not write does.  Exit 0 when all went well.

#include <stdio.h>
#include <stdlib.h>

#include "addin/host.h"

int
main(int argc, char **argv)
{
	int  iterations, expected;
	char view[] = "calc.v1.Calculator";

	addin_store_config cfg = ADDIN_STORE_CONFIG_INIT;

	if (argc != 4 && argc != 5) {
		fprintf(
		    stderr,
		    "usage: discovery-updater DIR ITERATIONS N [read-only]\n");
		return 2;
	}
	if (argc == 5) {
		cfg.flags = ADDIN_STORE_READ_ONLY;
	}
	iterations = atoi(argv[2]);
	expected   = atoi(argv[3]);
	for (int i = 0; i < iterations; i++) {
		addin_store      *s;
		addin_warnings   *w;
		addin_token_list *l = NULL;
		addin_err         rv;

		if (addin_store_create(argv[1], &cfg, &s) != ADDIN_OK) {
			fprintf(stderr, "updater: %s\n", addin_errmsg());
			return 1;
		}
		rv = i % 3 == 2 ? addin_store_rebuild(s, &w)
		                : addin_store_update(s, &w);
		if (rv != ADDIN_OK) {
			fprintf(stderr, "updater: %s\n", addin_errmsg());
			return 1;
		}
		if (addin_warnings_count(w) != 0) {
			fprintf(stderr, "updater: iteration %d: %s\n", i,
			        addin_warnings_text(w, 0));
			addin_warnings_destroy(w);
			addin_store_destroy(s);
			return 1;
		}
		if (addin_store_find(s, view, NULL, &l) != ADDIN_OK ||
		    (int) addin_token_list_count(l) != expected) {
			fprintf(stderr, "updater: iteration %d: found %zu\n",
			        i, addin_token_list_count(l));
			return 1;
		}
		addin_token_list_destroy(l);
		addin_warnings_destroy(w);
		addin_store_destroy(s);
	}
	return 0;
}
