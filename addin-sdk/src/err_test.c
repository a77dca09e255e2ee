// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The error codes' table, and the check every public entry point returns
// through (addin__rc_check, runtime.h).

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addin_test.h"
#include "err_test_other_build.h"
#include "runtime.h"

static addin_err
documented(addin_err rv)
{
	ADDIN__RETURN_CHECKED(rv, ADDIN_EINVAL, ADDIN_ENOMEM);
}

static void
test_documented_codes_pass(void)
{
	ADDIN_CHECK_INT(documented(ADDIN_OK), ==, ADDIN_OK);
	ADDIN_CHECK_INT(documented(ADDIN_EINVAL), ==, ADDIN_EINVAL);
	ADDIN_CHECK_INT(documented(ADDIN_ENOMEM), ==, ADDIN_ENOMEM);
}

// Test builds are debug builds: an undocumented code aborts, naming the
// function and the code, so that no test can miss it.
static void
test_undocumented_code_aborts(void)
{
	int   fds[2], status;
	char  buf[512] = "";
	pid_t pid;

	ADDIN_CHECK(pipe(fds) == 0);
	if ((pid = fork()) == 0) {
		dup2(fds[1], 2);
		addin__seterr(ADDIN_EIO, "the disk said no");
		(void) documented(ADDIN_EIO);
		_exit(0);
	}
	close(fds[1]);
	ADDIN_CHECK(read(fds[0], buf, sizeof(buf) - 1) > 0);
	close(fds[0]);
	ADDIN_CHECK(waitpid(pid, &status, 0) == pid);
	ADDIN_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	ADDIN_CHECK_CONTAINS(buf, "documented returned ADDIN_EIO");
	ADDIN_CHECK_CONTAINS(buf, "the disk said no");
}

// Any other build (a plain `cmake` without a build type, Release): the
// host gets ADDIN_EINTERNAL naming function and code, never an abort.
static void
test_undocumented_code_is_internal_elsewhere(void)
{
	addin__seterr(ADDIN_EIO, "the disk said no");
	ADDIN_CHECK_INT(err_test_other_build(ADDIN_EIO), ==, ADDIN_EINTERNAL);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "err_test_other_build");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "undocumented ADDIN_EIO");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "the disk said no");
	ADDIN_CHECK_INT(err_test_other_build(ADDIN_ENOMEM), ==, ADDIN_ENOMEM);
}

static void
test_names_and_texts(void)
{
	ADDIN_CHECK_STR(addin_err_name(ADDIN_ETIMEDOUT), "ETIMEDOUT");
	ADDIN_CHECK_STR(addin_strerror(ADDIN_ETIMEDOUT), "deadline expired");
	ADDIN_CHECK_STR(addin_err_name((addin_err) 999), "UNKNOWN");
	ADDIN_CHECK(addin__rc_filter((addin_err) 999) == ADDIN_EINTERNAL);
}

ADDIN_TEST_LIST = {
    {"documented codes pass the check", test_documented_codes_pass},
    {"an undocumented code aborts a debug build, naming function and code",
     test_undocumented_code_aborts},
    {"an undocumented code is ADDIN_EINTERNAL in any other build",
     test_undocumented_code_is_internal_elsewhere},
    {"codes have names and texts", test_names_and_texts},
    {NULL, NULL},
};
