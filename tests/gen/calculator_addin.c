// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// A calculator add-in, written only against the generated add-in view
// calculator/v1/calculator.addin.h (no protobuf), as docs/contracts.md shows.
// tests/gen/checks.c (check_calculator) knows what it answers.

#include <stdio.h>
#include <string.h>

#include "calculator/v1/calculator.addin.h"

static const struct {
	const char *name;
	uint32_t    arity;
	const char *description;
} operations[] = {
    {"+", 0, "addition"}, {"-", 2, "subtraction"}, {"*", 0, "multiplication"},
    {"/", 2, "division"}, {"neg", 1, "negation"},
};

#define N_OPERATIONS (sizeof(operations) / sizeof(operations[0]))

static addin_err
get_name(void *self, char **ret_name)
{
	char *name;

	(void) self;
	if ((name = addin_strdup("Test Calculator")) == NULL) {
		return ADDIN_ENOMEM;
	}
	*ret_name = name;
	return ADDIN_OK;
}

static addin_err
get_operations(void *self, calculator_v1_operation **ret_operations,
               size_t *ret_n_operations)
{
	calculator_v1_operation *ops;

	(void) self;
	ops = addin_alloc(N_OPERATIONS * sizeof(*ops));
	if (ops == NULL) {
		return ADDIN_ENOMEM;
	}
	memset(ops, 0, N_OPERATIONS * sizeof(*ops));
	for (size_t i = 0; i < N_OPERATIONS; i++) {
		ops[i].arity       = operations[i].arity;
		ops[i].name        = addin_strdup(operations[i].name);
		ops[i].description = addin_strdup(operations[i].description);
		if (ops[i].name == NULL || ops[i].description == NULL) {
			calculator_v1_operation_array_free(ops, i + 1);
			return ADDIN_ENOMEM;
		}
	}
	*ret_operations   = ops;
	*ret_n_operations = N_OPERATIONS;
	return ADDIN_OK;
}

static addin_err
operate(void *self, const char *operation, const double *operands,
        size_t n_operands, double *ret_result)
{
	double r = 0;
	size_t i;

	(void) self;
	for (i = 0; i < N_OPERATIONS; i++) {
		if (strcmp(operations[i].name, operation) == 0) {
			break;
		}
	}
	if (i == N_OPERATIONS) {
		return addin_set_error(ADDIN_ENOTFOUND,
		                       "unknown operation '%s'", operation);
	}
	if (operations[i].arity != 0 && operations[i].arity != n_operands) {
		return addin_set_error(
		    ADDIN_EINVAL, "'%s' takes %u operands, not %zu", operation,
		    (unsigned) operations[i].arity, n_operands);
	}
	switch (i) {
	case 0:
		for (size_t k = 0; k < n_operands; k++) {
			r += operands[k];
		}
		break;
	case 1: r = operands[0] - operands[1]; break;
	case 2:
		r = 1;
		for (size_t k = 0; k < n_operands; k++) {
			r *= operands[k];
		}
		break;
	case 3:
		if (operands[1] == 0) {
			return addin_set_error(ADDIN_EINVAL,
			                       "division by zero");
		}
		r = operands[0] / operands[1];
		break;
	default: r = -operands[0]; break;
	}
	*ret_result = r;
	return ADDIN_OK;
}

static const calculator_v1_calculator_ops ops = {
    .get_name       = get_name,
    .get_operations = get_operations,
    .operate        = operate,
};

CALCULATOR_V1_CALCULATOR_ADDIN(&ops, NULL, NULL, "Test Calculator", "1.0.0",
                               "The Bulkhead Authors",
                               "A calculator for the generated-view tests",
                               ADDIN_QUALIFY("operations", "+ - * / neg"));
