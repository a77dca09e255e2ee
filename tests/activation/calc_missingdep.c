// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// An add-in that needs libcalc_dep.so, deployed without it.

#include "calculator/v1/calculator.addin.h"

double calc_dep_twice(double x);

static addin_err
operate(void *self, const char *op, const double *v, size_t n, double *ret)
{
	(void) self;
	(void) op;
	*ret = n > 0 ? calc_dep_twice(v[0]) : 0;
	return ADDIN_OK;
}

static const calculator_v1_calculator_ops ops = {.operate = operate};

CALCULATOR_V1_CALCULATOR_ADDIN(&ops, NULL, NULL,
                               "Calculator missing a library", "1.0.0",
                               "Bulkhead tests", "Needs libcalc_dep.so", "");
