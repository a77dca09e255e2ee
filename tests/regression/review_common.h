// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Helpers shared by the regression tests that use the activation tests'
// calculator pipeline.

#ifndef REVIEW_COMMON_H
#define REVIEW_COMMON_H

#include <string.h>

#include "addin/host.h"
#include "calculator/v1/calculator.host.h"

static addin_token *
find_calc(const char *name)
{
	addin_store      *store;
	addin_token_list *list;
	addin_warnings   *w     = NULL;
	addin_token      *found = NULL;

	ADDIN_PASS(addin_store_create(PIPELINE_DIR, NULL, &store));
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
	ADDIN_CHECK(found != NULL);
	return found;
}

#endif
