// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The basic calculator add-in of the activation tests, written only against
// the generated SDK view header.  Besides + - * / it answers "pid" (the
// process it runs in) and "sleep" (milliseconds), so tests can see where it
// runs and keep a call in flight; "sleep" raises the case's event "entered"
// first (addin_test_signal.h), so a case knows when the call is in flight.
// Its destroy leaves a mark in $BULKHEAD_TEST_MARK_DIR, so tests can see
// that a graceful shutdown ran it.

#define _GNU_SOURCE

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addin_test_signal.h"
#include "calculator/v1/calculator.addin.h"

#ifndef CALC_NAME
#define CALC_NAME "Basic calculator"
#endif

typedef struct calc {
	int calls;
} calc;

static addin_err
get_name(void *self, char **ret_name)
{
	(void) self;
	*ret_name = addin_strdup(CALC_NAME);
	return *ret_name != NULL ? ADDIN_OK : ADDIN_ENOMEM;
}

static const struct {
	const char *name;
	uint32_t    arity;
	const char *description;
} table[] = {
    {"+", 0, "addition"},
    {"-", 2, "subtraction"},
    {"*", 0, "multiplication"},
    {"/", 2, "division"},
    {"pid", 0, "the process this add-in runs in"},
    {"sleep", 1, "wait this many milliseconds"},
};

#define NOPS (sizeof(table) / sizeof(table[0]))

static addin_err
get_operations(void *self, calculator_v1_operation **ret, size_t *ret_n)
{
	calculator_v1_operation *ops = addin_alloc(NOPS * sizeof(*ops));
	(void) self;
	if (ops == NULL) {
		return ADDIN_ENOMEM;
	}
	for (size_t i = 0; i < NOPS; i++) {
		ops[i].name        = addin_strdup(table[i].name);
		ops[i].arity       = table[i].arity;
		ops[i].description = addin_strdup(table[i].description);
	}
	*ret   = ops;
	*ret_n = NOPS;
	return ADDIN_OK;
}

static addin_err
operate(void *self, const char *op, const double *v, size_t n, double *ret)
{
	calc  *c = self;
	double r = 0;

	c->calls++;
	if (strcmp(op, "+") == 0 || strcmp(op, "*") == 0) {
		r = op[0] == '+' ? 0 : 1;
		for (size_t i = 0; i < n; i++) {
			r = op[0] == '+' ? r + v[i] : r * v[i];
		}
	} else if (strcmp(op, "-") == 0 || strcmp(op, "/") == 0) {
		if (n != 2) {
			return addin_set_error(ADDIN_EINVAL,
			                       "%s takes 2 operands, not %zu",
			                       op, n);
		}
		if (op[0] == '/' && v[1] == 0) {
			return addin_set_error(ADDIN_EINVAL,
			                       "division by zero");
		}
		r = op[0] == '-' ? v[0] - v[1] : v[0] / v[1];
	} else if (strcmp(op, "pid") == 0) {
		r = (double) getpid();
	} else if (strcmp(op, "sleep") == 0 && n == 1) {
		// A slow call is what the cases need (deadlines, calls in
		// flight): the sleep is the behaviour, not a wait.
		struct timespec ts = {(time_t) (v[0] / 1000),
		                      (long) ((long long) v[0] % 1000) *
		                          1000000L};
		addin_test_signal_entered();
		while (nanosleep(&ts, &ts) != 0) {
		}
		r = v[0];
	} else {
		return addin_set_error(ADDIN_ENOTFOUND,
		                       "%s does not offer operation \"%s\"",
		                       CALC_NAME, op);
	}
	*ret = r;
	return ADDIN_OK;
}

static addin_err
create(addin_context *ctx, void **ret_self)
{
	calc *c = calloc(1, sizeof(*c));
	(void) ctx;
	if (c == NULL) {
		return ADDIN_ENOMEM;
	}
	*ret_self = c;
	return ADDIN_OK;
}

static void
destroy(void *self)
{
	const char *dir = getenv("BULKHEAD_TEST_MARK_DIR");
	if (dir != NULL) {
		char path[512];
		snprintf(path, sizeof(path), "%s/destroyed-%d-%p", dir,
		         (int) getpid(), self);
		int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd >= 0) {
			close(fd);
		}
	}
	free(self);
}

static const calculator_v1_calculator_ops ops = {
    .get_name       = get_name,
    .get_operations = get_operations,
    .operate        = operate,
};

CALCULATOR_V1_CALCULATOR_ADDIN(&ops, create, destroy, CALC_NAME, "1.0.0",
                               "Bulkhead tests",
                               "Adds, subtracts, multiplies and divides",
                               ADDIN_QUALIFY("flavour", "basic"));
