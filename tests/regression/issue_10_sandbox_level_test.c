// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Issue 10: the zero value of the sandbox level was ADDIN_SANDBOX_NONE, "not
// a security boundary", so options set up as `{ .abi_version = 1 }` (or
// zeroed, then given their version) ran the add-in unconfined, while a zero
// isolation level was already refused.  Now 0 is no level: such options make
// the activation fail with ADDIN_EINVAL before anything is loaded or
// started, and the message says how to initialise them.

#define _GNU_SOURCE

#include <dirent.h>
#include <sys/stat.h>

#include "addin_test.h"
#include "calc_host_test.h"

_Static_assert(ADDIN_SANDBOX_NONE != 0, "0 must not be a sandbox level");
_Static_assert(ADDIN_SANDBOX_RESTRICTED == 1 && ADDIN_SANDBOX_STRICT == 2,
               "0.1's restricted and strict keep their values");

// ipc_dirs counts this host's sandbox ipc directories in /tmp.
static int
ipc_dirs(void)
{
	DIR           *d = opendir("/tmp");
	struct dirent *de;
	char           prefix[64];
	int            n = 0;
	snprintf(prefix, sizeof(prefix), "bulkhead-ipc-%d-", getpid());
	ADDIN_CHECK(d != NULL);
	while ((de = readdir(d)) != NULL) {
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	}
	closedir(d);
	return n;
}

// refused: activating the basic calculator sandboxed with @sb fails with
// ADDIN_EINVAL, says how to set the options up, and leaves no process, no
// sandbox directory, no descriptor and no object behind.
static void
refused(const addin_sandbox_options *sb)
{
	addin_host  *h;
	addin_token *t =
	    addin_test_find_calc(PIPELINE_DIR, "Basic calculator");
	addin_activation_options o   = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_object            *obj = NULL;
	int                      fds;

	ADDIN_PASS(addin_host_create(NULL, &h));
	fds         = addin_test_fd_count();
	o.isolation = ADDIN_ISOLATION_SANDBOXED;
	o.sandbox   = sb;
	ADDIN_FAIL(addin_activate(h, t, &o, &obj), ADDIN_EINVAL);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "ADDIN_SANDBOX_OPTIONS_INIT");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "Basic calculator");
	ADDIN_CHECK(obj == NULL);
	ADDIN_CHECK_INT(addin_test_children(), ==, 0);
	ADDIN_CHECK_INT(ipc_dirs(), ==, 0);
	ADDIN_CHECK_INT(addin_test_fd_count(), ==, fds);
	addin_token_unref(t);
	addin_host_destroy(h);
}

static void
test_designated_initialiser(void)
{
	addin_sandbox_options sb = {.abi_version = 1};
	refused(&sb);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "level 0");
}

static void
test_zeroed_struct(void)
{
	addin_sandbox_options sb;
	memset(&sb, 0, sizeof(sb));
	sb.abi_version = 1;
	refused(&sb);
}

static void
test_level_zero_explicit(void)
{
	addin_sandbox_options sb = ADDIN_SANDBOX_OPTIONS_INIT;
	sb.level                 = (addin_sandbox_level) 0;
	refused(&sb);
}

static void
test_unknown_levels(void)
{
	addin_sandbox_options sb = ADDIN_SANDBOX_OPTIONS_INIT;
	sb.level                 = (addin_sandbox_level) 4;
	refused(&sb);
	sb.level = (addin_sandbox_level) -1;
	refused(&sb);
	// And options that never were initialised: version 0.
	memset(&sb, 0, sizeof(sb));
	refused(&sb);
}

static void
test_init_is_restricted_and_none_still_works(void)
{
	addin_sandbox_options    sb = ADDIN_SANDBOX_OPTIONS_INIT;
	addin_activation_options o  = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_host              *h;
	addin_token             *t =
	    addin_test_find_calc(PIPELINE_DIR, "Basic calculator");
	addin_object *obj;
	double        r = 0, v[2] = {2, 3};

	ADDIN_CHECK_INT(sb.level, ==, ADDIN_SANDBOX_RESTRICTED);
	// "none" chosen on purpose still runs (and is still no boundary).
	sb.level = ADDIN_SANDBOX_NONE;
	ADDIN_PASS(addin_host_create(NULL, &h));
	o.isolation = ADDIN_ISOLATION_SANDBOXED;
	o.sandbox   = &sb;
	ADDIN_PASS(addin_activate(h, t, &o, &obj));
	ADDIN_CHECK_CONTAINS(
	    addin_controller_sandbox(addin_controller_get(obj)),
	    "sandbox=none");
	ADDIN_PASS(calculator_v1_calculator_operate(
	    calculator_v1_calculator_from_object(obj), "+", v, 2, &r));
	ADDIN_CHECK(r == 5);
	addin_object_unref(obj);
	addin_token_unref(t);
	addin_host_destroy(h);
}

ADDIN_TEST_LIST = {
    {"{ .abi_version = 1 } sandbox options are refused, nothing runs",
     test_designated_initialiser},
    {"zeroed sandbox options with abi_version 1 are refused, nothing runs",
     test_zeroed_struct},
    {"sandbox level 0 set explicitly is refused, nothing runs",
     test_level_zero_explicit},
    {"unknown sandbox levels and uninitialised options are refused",
     test_unknown_levels},
    {"ADDIN_SANDBOX_OPTIONS_INIT is restricted; none on purpose still runs",
     test_init_is_restricted_and_none_still_works},
    {NULL, NULL},
};
