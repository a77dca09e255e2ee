// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#ifndef ADDIN_HOST_H
#define ADDIN_HOST_H

// The host API: discovery (the store), activation, controllers.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addin/api.h"
#include "addin/err.h"
#include "addin/object.h"
#include "addin/store.h"
#include "addin/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif // ADDIN_HOST_H
