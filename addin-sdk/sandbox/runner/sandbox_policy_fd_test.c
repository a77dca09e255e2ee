// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The policy's hand-over: the host seals it into a memfd
// (addin__sandbox_policy_to_fd, host half), the runner reads it back
// (addin__sandbox_policy_from_fd, runner half); and the host's fitting of
// a policy to what the kernel offers.

#include "addin_test.h"

#include <fcntl.h>
#include <unistd.h>

#include "sandbox_host.h"
#include "sandbox_runner.h"

static void
test_fd_transport(void)
{
	addin__sandbox_policy p, q;
	int                   fd;
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_RESTRICTED);
	ADDIN_PASS(addin__sandbox_policy_add_need(&p, "/opt/runner/lib"));
	ADDIN_PASS(addin__sandbox_policy_to_fd(&p, &fd));
	ADDIN_CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	// Sealed: the runner cannot be handed a changed policy via this fd.
	ADDIN_CHECK(write(fd, "x", 1) < 0);
	ADDIN_PASS(addin__sandbox_policy_from_fd(fd, &q));
	ADDIN_CHECK_STR(q.need[0], "/opt/runner/lib");
	// Reading twice works (from offset 0).
	addin__sandbox_policy_fini(&q);
	ADDIN_PASS(addin__sandbox_policy_from_fd(fd, &q));
	addin__sandbox_policy_fini(&q);
	close(fd);
	// A pipe works too; garbage is refused.
	{
		int pfd[2];
		ADDIN_CHECK(pipe(pfd) == 0);
		ADDIN_CHECK(write(pfd[1], "junk\n", 5) == 5);
		close(pfd[1]);
		ADDIN_FAIL(addin__sandbox_policy_from_fd(pfd[0], &q),
		           ADDIN_ECORRUPT);
		close(pfd[0]);
	}
	addin__sandbox_policy_fini(&p);
}

static void
test_fit(void)
{
	addin__sandbox_probe_info pr;
	addin__sandbox_policy     p;
	char                      warn[512] = "";

	memset(&pr, 0, sizeof(pr));
	pr.seccomp    = true;
	pr.tsync      = true;
	pr.root       = true;
	pr.namespaces = ADDIN__NS_ALL;
	// root: everything but the user namespace
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_RESTRICTED);
	ADDIN_PASS(addin__sandbox_policy_fit(&p, &pr, warn, sizeof(warn)));
	ADDIN_CHECK_INT(p.namespaces, ==, ADDIN__NS_ALL & ~ADDIN__NS_USER);
	ADDIN_CHECK_STR(warn, "");
	// not root: the user namespace comes with the others
	pr.root = false;
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_RESTRICTED);
	ADDIN_PASS(addin__sandbox_policy_fit(&p, &pr, warn, sizeof(warn)));
	ADDIN_CHECK_INT(p.namespaces, ==, ADDIN__NS_ALL);
	// the network grant keeps the host's network namespace
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_RESTRICTED);
	p.network = true;
	ADDIN_PASS(addin__sandbox_policy_fit(&p, &pr, warn, sizeof(warn)));
	ADDIN_CHECK_INT(p.namespaces, ==, ADDIN__NS_ALL & ~ADDIN__NS_NET);
	// missing namespaces degrade with one warning each
	pr.namespaces = ADDIN__NS_USER | ADDIN__NS_MNT;
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_STRICT);
	ADDIN_PASS(addin__sandbox_policy_fit(&p, &pr, warn, sizeof(warn)));
	ADDIN_CHECK_INT(p.namespaces, ==, ADDIN__NS_USER | ADDIN__NS_MNT);
	ADDIN_CHECK_CONTAINS(warn, "no pid namespace");
	ADDIN_CHECK_CONTAINS(warn, "no net namespace");
	// not root and no user namespace: none at all
	pr.namespaces = ADDIN__NS_PID;
	warn[0]       = '\0';
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_RESTRICTED);
	ADDIN_PASS(addin__sandbox_policy_fit(&p, &pr, warn, sizeof(warn)));
	ADDIN_CHECK_INT(p.namespaces, ==, 0);
	ADDIN_CHECK_CONTAINS(warn, "no user namespace");
	// seccomp cannot degrade
	pr.tsync = false;
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_RESTRICTED);
	ADDIN_FAIL(addin__sandbox_policy_fit(&p, &pr, NULL, 0),
	           ADDIN_ESANDBOX);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "TSYNC");
	// level none needs nothing and creates nothing
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_NONE);
	p.namespaces = ADDIN__NS_ALL;
	ADDIN_PASS(addin__sandbox_policy_fit(&p, &pr, NULL, 0));
	ADDIN_CHECK_INT(p.namespaces, ==, 0);
}

ADDIN_TEST_LIST = {
    {"policy travels through a sealed memfd", test_fd_transport},
    {"policy fit degrades namespaces with warnings but never seccomp",
     test_fit},
    {NULL, NULL},
};
