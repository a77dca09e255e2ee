// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// An add-in written against the hand-written simplecalc view.

#include "simplecalc.h"

static addin_err
add(void *self, double a, double b, double *ret_sum)
{
	(void) self;
	*ret_sum = a + b;
	return ADDIN_OK;
}

static addin_err
name(void *self, char **ret_name)
{
	(void) self;
	*ret_name = addin_strdup("Simple adder");
	return ADDIN_OK;
}

static const simplecalc_ops ops = {.add = add, .name = name};

SIMPLECALC_ADDIN(&ops, "Simple adder");
