// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// calc_host_test.h: helpers for the tests that host calculator.v1 add-ins
// (activation, adversarial, regression).  Include after addin_test.h.

#ifndef CALC_HOST_TEST_H
#define CALC_HOST_TEST_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addin/host.h"
#include "addin_test.h"
#include "calculator/v1/calculator.host.h"

// addin_test_find_calc returns a new reference to the token of the
// calculator.v1 add-in called @name in the pipeline at @dir; fails the case
// when there is none.
static inline addin_token *
addin_test_find_calc(const char *dir, const char *name)
{
	addin_store      *store;
	addin_token_list *list;
	addin_warnings   *w     = NULL;
	addin_token      *found = NULL;

	ADDIN_PASS(addin_store_create(dir, NULL, &store));
	ADDIN_PASS(addin_store_update(store, &w));
	addin_warnings_destroy(w);
	ADDIN_PASS(addin_store_find(store, CALCULATOR_V1_CALCULATOR_VIEW_ID,
	                            CALCULATOR_V1_CALCULATOR_VIEW_HASH,
	                            &list));
	for (size_t i = 0; i < addin_token_list_count(list); i++) {
		addin_token *t = addin_token_list_get(list, i);
		if (strcmp(addin_token_name(t), name) == 0) {
			found = addin_token_ref(t);
		}
	}
	addin_token_list_destroy(list);
	addin_store_destroy(store);
	ADDIN_CHECKF(found != NULL, "no add-in \"%s\" in %s", name, dir);
	return found;
}

// addin_test_children counts the processes whose parent is this one (the
// case's add-in processes and zombies not yet reaped).
static inline int
addin_test_children(void)
{
	DIR           *d = opendir("/proc");
	struct dirent *de;
	int            n = 0;
	while ((de = readdir(d)) != NULL) {
		char  path[300], buf[512];
		FILE *f;
		int   ppid;
		if (de->d_name[0] < '0' || de->d_name[0] > '9') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((f = fopen(path, "r")) == NULL) {
			continue;
		}
		if (fgets(buf, sizeof(buf), f) != NULL) {
			char *p = strrchr(buf, ')');
			if (p != NULL &&
			    sscanf(p + 1, " %*c %d", &ppid) == 1 &&
			    ppid == getpid()) {
				n++;
			}
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

#endif
