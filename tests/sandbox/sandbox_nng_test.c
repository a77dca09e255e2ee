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
	char         dir[64] = "/tmp/sbx-ipc-XXXXXX";
	char         url[160], sock[128];
	nng_socket   s;
	nng_listener l;
	int          fds_before;
	int64_t      t0, ms;

	ADDIN_CHECK(mkdtemp(dir) != NULL);
	sbx_init(&R, level, "all", "pingpong", NULL);
	// The runner's ipc directory: private (0700) and owned by the
	// sandbox's uid when the host is root, the socket inside it open.
	if (geteuid() == 0) {
		ADDIN_CHECK(chown(dir, R.policy.uid, R.policy.gid) == 0);
	}
	snprintf(sock, sizeof(sock), "%s/addin.sock", dir);
	snprintf(url, sizeof(url), "ipc://%s", sock);
	ADDIN_CHECK(nng_pair1_open(&s) == 0);
	ADDIN_CHECK(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 10000) == 0);
	ADDIN_CHECK(nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, 4096) == 0);
	ADDIN_CHECK(nng_listener_create(&l, s, url) == 0);
	ADDIN_CHECK(nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS, 0666) ==
	            0);
	ADDIN_CHECK(nng_listener_start(l, 0) == 0);
	ADDIN_PASS(addin__sandbox_policy_set_ipc(&R.policy, dir));
	R.arg = url;
	// This process has nng threads now: the spawner forks and does only
	// async-signal-safe work before exec.
	fds_before = sbx_count_fds();
	sbx_start(&R);

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
	for (int i = 0; i < 2000 && sbx_count_fds() != fds_before; i++) {
		usleep(1000);
	}
	ADDIN_CHECK_INT(sbx_count_fds(), ==, fds_before);
	nng_close(s);
	sbx_fini(&R);
	unlink(sock);
	rmdir(dir);
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
