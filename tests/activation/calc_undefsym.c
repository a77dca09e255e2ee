// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// An add-in that uses a function no library defines.

#include "calculator/v1/calculator.addin.h"

double bulkhead_no_such_function(double x);

static addin_err
operate(void *self, const char *op, const double *v, size_t n, double *ret)
{
	(void) self;
	(void) op;
	*ret = n > 0 ? bulkhead_no_such_function(v[0]) : 0;
	return ADDIN_OK;
}

static const calculator_v1_calculator_ops ops = {.operate = operate};

CALCULATOR_V1_CALCULATOR_ADDIN(&ops, NULL, NULL,
                               "Calculator with a missing symbol", "1.0.0",
                               "Bulkhead tests",
                               "Calls bulkhead_no_such_function", "");
