// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#ifndef ADDIN_SDK_H
#define ADDIN_SDK_H

// The add-in SDK: what an add-in author's code and the generated SDK view
// headers include.  Plain C types only; no protobuf.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addin/api.h"
#include "addin/err.h"
#include "addin/object.h"
#include "addin/segment.h"
#include "addin/version.h"

#ifdef __cplusplus
extern "C" {
#endif

// addin_context_name returns the name the add-in was activated under (its
// metadata name), or "" when unknown.  The string lives as long as @ctx.
// Thread-safe.
ADDIN_API const char *addin_context_name(const addin_context *ctx);

#ifdef __cplusplus
}
#endif

#endif // ADDIN_SDK_H
