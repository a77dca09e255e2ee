// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// An add-in whose initialisation fails with a message.

#include "calculator/v1/calculator.addin.h"

static addin_err
create(addin_context *ctx, void **ret_self)
{
	(void) ret_self;
	return addin_set_error(ADDIN_EPERM,
	                       "%s: licence file /etc/calc.licence is missing",
	                       addin_context_name(ctx));
}

static const calculator_v1_calculator_ops ops = {0};

CALCULATOR_V1_CALCULATOR_ADDIN(&ops, create, NULL, "Unlicensed calculator",
                               "1.0.0", "Bulkhead tests", "Refuses to start",
                               "");
