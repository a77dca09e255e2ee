// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Growing arrays: the one growth helper (core.h) every growing array of
// the host library and the core uses.

#include "core.h"

void *
addin__grow(void *ptr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap < 16 ? 16 : *cap;
	void  *p;

	if (need <= *cap) {
		return ptr;
	}
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2) {
			return NULL;
		}
		ncap *= 2;
	}
	if (elem != 0 && ncap > SIZE_MAX / elem) {
		return NULL;
	}
	if ((p = addin__realloc(ptr, ncap * elem)) != NULL) {
		*cap = ncap;
	}
	return p;
}
