// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// nng works inside the sandbox: the helper starts nng and connects to this
// process over ipc (pair1) BEFORE stage 2, then loads the stage-2 allow
// list with TSYNC (nng's threads are filtered too) and answers pings.  At
// restricted and at strict.

#define _GNU_SOURCE

#include "addin_test.h"

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/transport/ipc/ipc.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbx_host.h"

#define ROUNDS 2000

static sbx_run R;

static void
pingpong(addin__sandbox_level level)
{
	char         url[160], sock[128];
	nng_socket   s;
	nng_listener l;
	int          fds_before, launch_fds;
	int64_t      t0, ms;

	sbx_init(&R, level, "all", "pingpong", NULL);
	// The runner's ipc directory, as the host makes it (owned by the
	// host, mode 0711), with the socket inside open to the sandbox's user.
	launch_fds = addin_test_fd_count();
	sbx_prepare(&R);
	launch_fds =
	    addin_test_fd_count() - launch_fds; // until it is destroyed
	snprintf(sock, sizeof(sock), "%s/addin.sock",
	         addin__sbx_ipc_dir(R.sbx));
	snprintf(url, sizeof(url), "ipc://%s", sock);
	ADDIN_CHECK(nng_pair1_open(&s) == 0);
	ADDIN_CHECK(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 10000) == 0);
	ADDIN_CHECK(nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, 4096) == 0);
	ADDIN_CHECK(nng_listener_create(&l, s, url) == 0);
	ADDIN_CHECK(nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS, 0666) ==
	            0);
	ADDIN_CHECK(nng_listener_start(l, 0) == 0);
	R.arg = url;
	// This process has nng threads now: the helper is started with
	// posix_spawn, as the supervisor starts the runner.
	fds_before = addin_test_fd_count() - launch_fds;
	sbx_spawn(&R);

	t0 = addin_test_now_ms();
	for (int i = 0; i < ROUNDS; i++) {
		char   msg[32], want[48];
		char  *buf;
		size_t len;
		int    rv;
		snprintf(msg, sizeof(msg), "%d", i);
		snprintf(want, sizeof(want), "pong %d", i);
		rv = nng_send(s, msg, strlen(msg), 0);
		ADDIN_CHECKF(rv == 0, "send %d: %s", i, nng_strerror(rv));
		rv = nng_recv(s, &buf, &len, NNG_FLAG_ALLOC);
		ADDIN_CHECKF(rv == 0, "recv %d: %s (helper: %s)", i,
		             nng_strerror(rv), R.out);
		ADDIN_CHECK(len == strlen(want) &&
		            memcmp(buf, want, len) == 0);
		nng_free(buf, len);
	}
	ms = addin_test_now_ms() - t0;
	printf("  %s: %d round trips in %lld ms (%.0f/s)\n",
	       addin__sandbox_level_name(level), ROUNDS, (long long) ms,
	       ms > 0 ? ROUNDS * 1000.0 / (double) ms : 0.0);
	char quit[] = "quit";
	ADDIN_CHECK(nng_send(s, quit, 4, 0) == 0);
	sbx_wait(&R);
	sbx_print(&R);
	ADDIN_CHECK_INT(R.death.cause, ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(R.death.status, ==, 0);
	ADDIN_CHECK(R.reports.applied.flags & ADDIN__APPLIED_STAGE1);
	ADDIN_CHECK(R.reports.applied.flags & ADDIN__APPLIED_STAGE2);
	ADDIN_CHECK_INT(R.left, <=, 0);
	// nng closes the accepted pipe on its own thread once it sees EOF.
	ADDIN_CHECK_INT(addin_test_fd_count_back_to(fds_before), ==,
	                fds_before);
	nng_close(s);
	sbx_fini(&R);
}

static void
test_restricted(void)
{
	pingpong(ADDIN__SANDBOX_RESTRICTED);
}

static void
test_strict(void)
{
	pingpong(ADDIN__SANDBOX_STRICT);
}

ADDIN_TEST_LIST = {
    {"nng pair1 ping-pong over ipc works under stage 2 at restricted",
     test_restricted},
    {"nng pair1 ping-pong over ipc works under stage 2 at strict",
     test_strict},
    {NULL, NULL},
};
