// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Placeholder translation unit so libaddin-host links before its parts land.

#include "addin/host.h"
