// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// err_test's view of a build that is not Debug: the same check compiled
// without ADDIN_ABORT_ON_UNDOCUMENTED, as a user's plain `cmake` build or a
// Release build compiles it (cmake/AddinCompiler.cmake).

#undef ADDIN_ABORT_ON_UNDOCUMENTED

#include "err_test_other_build.h"
#include "runtime.h"

addin_err
err_test_other_build(addin_err rv)
{
	ADDIN__RETURN_CHECKED(rv, ADDIN_EINVAL, ADDIN_ENOMEM);
}
