// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The context given to an add-in when it is created.

#include "addin/sdk.h"

#include "runtime.h"

// Documented in include/addin/sdk.h.
const char *
addin_context_name(const addin_context *ctx)
{
	return (ctx == NULL || ctx->name == NULL) ? "" : ctx->name;
}
