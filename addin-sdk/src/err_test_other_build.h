// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// err_test_other_build.c: the check of runtime.h as a build that is not
// Debug compiles it.

#ifndef ERR_TEST_OTHER_BUILD_H
#define ERR_TEST_OTHER_BUILD_H

#include "addin/err.h"

// err_test_other_build returns @rv through ADDIN__RETURN_CHECKED with
// ADDIN_EINVAL and ADDIN_ENOMEM documented.
addin_err err_test_other_build(addin_err rv);

#endif
