// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// A calculator add-in, written only against the generated SDK view header
// (no protobuf in sight).  Build it with addin_add_addin() and drop the
// library into a pipeline directory's addins/<name>/ folder.

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "calculator/v1/calculator.addin.h"

static const calculator_v1_operation table[] = {
    {"+", 0, "addition"},
    {"-", 2, "subtraction"},
    {"*", 0, "multiplication"},
    {"/", 2, "division"},
#ifdef CALC_SCIENTIFIC
    {"pow", 2, "power"},
    {"sqrt", 1, "square root"},
#endif
#ifdef CALC_FRAGILE
    {"crash", 0, "dereference NULL (to show crash isolation)"},
#endif
};

#define NOPS (sizeof(table) / sizeof(table[0]))

static addin_err
get_name(void *self, char **ret_name)
{
	(void) self;
	*ret_name = addin_strdup(CALC_NAME);
	return *ret_name != NULL ? ADDIN_OK : ADDIN_ENOMEM;
}

static addin_err
get_operations(void *self, calculator_v1_operation **ret, size_t *ret_n)
{
	calculator_v1_operation *ops = addin_alloc(NOPS * sizeof(*ops));

	(void) self;
	if (ops == NULL) {
		return ADDIN_ENOMEM;
	}
	for (size_t i = 0; i < NOPS; i++) {
		// Outputs are the caller's: allocate them with addin_alloc.
		ops[i].name        = addin_strdup(table[i].name);
		ops[i].arity       = table[i].arity;
		ops[i].description = addin_strdup(table[i].description);
	}
	*ret   = ops;
	*ret_n = NOPS;
	return ADDIN_OK;
}

static addin_err
need(const char *op, size_t want, size_t n)
{
	if (n != want) {
		return addin_set_error(ADDIN_EINVAL,
		                       "%s takes %zu operand(s), not %zu", op,
		                       want, n);
	}
	return ADDIN_OK;
}

static addin_err
operate(void *self, const char *op, const double *v, size_t n, double *ret)
{
	addin_err rv;

	(void) self;
	if (strcmp(op, "+") == 0 || strcmp(op, "*") == 0) {
		double r = op[0] == '+' ? 0 : 1;
		for (size_t i = 0; i < n; i++) {
			r = op[0] == '+' ? r + v[i] : r * v[i];
		}
		*ret = r;
		return ADDIN_OK;
	}
	if (strcmp(op, "-") == 0 || strcmp(op, "/") == 0) {
		if ((rv = need(op, 2, n)) != ADDIN_OK) {
			return rv;
		}
		if (op[0] == '/' && v[1] == 0) {
			return addin_set_error(ADDIN_EINVAL,
			                       "division by zero");
		}
		*ret = op[0] == '-' ? v[0] - v[1] : v[0] / v[1];
		return ADDIN_OK;
	}
#ifdef CALC_SCIENTIFIC
	if (strcmp(op, "pow") == 0) {
		if ((rv = need(op, 2, n)) != ADDIN_OK) {
			return rv;
		}
		*ret = pow(v[0], v[1]);
		return ADDIN_OK;
	}
	if (strcmp(op, "sqrt") == 0) {
		if ((rv = need(op, 1, n)) != ADDIN_OK) {
			return rv;
		}
		if (v[0] < 0) {
			return addin_set_error(
			    ADDIN_EINVAL, "square root of a negative number");
		}
		*ret = sqrt(v[0]);
		return ADDIN_OK;
	}
#endif
#ifdef CALC_FRAGILE
	if (strcmp(op, "crash") == 0) {
		raise(SIGSEGV); // a bug: in its own process, only it dies
	}
#endif
	return addin_set_error(ADDIN_ENOTFOUND,
	                       "%s does not offer the operation \"%s\"",
	                       CALC_NAME, op);
}

static const calculator_v1_calculator_ops ops = {
    .get_name       = get_name,
    .get_operations = get_operations,
    .operate        = operate,
};

CALCULATOR_V1_CALCULATOR_ADDIN(&ops, NULL, NULL, CALC_NAME, "1.0.0",
                               "The Bulkhead authors", CALC_DESCRIPTION,
                               ADDIN_QUALIFY("kind", CALC_KIND));
