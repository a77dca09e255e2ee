// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Live tests of the probe: what it reports must agree with what the kernel
// actually lets a child do, here and now.

#define _GNU_SOURCE

#include "addin_test.h"

#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox_host.h"

// can_unshare tries @flags in a child (after a user namespace when not
// root) and says whether it worked.
static bool
can_unshare(int flags, bool root)
{
	int   status;
	pid_t pid = fork();
	if (pid == 0) {
		if (!root && unshare(CLONE_NEWUSER) != 0) {
			_exit(1);
		}
		_exit(unshare(flags) == 0 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void
test_agrees_with_kernel(void)
{
	const addin__sandbox_probe_info *p = addin__sandbox_probe();
	static const struct {
		uint32_t bit;
		int      flag;
	} ns[] = {{ADDIN__NS_PID, CLONE_NEWPID},
	          {ADDIN__NS_NET, CLONE_NEWNET},
	          {ADDIN__NS_IPC, CLONE_NEWIPC},
	          {ADDIN__NS_MNT, CLONE_NEWNS},
	          {ADDIN__NS_UTS, CLONE_NEWUTS}};

	ADDIN_CHECK(p == addin__sandbox_probe()); // cached
	ADDIN_CHECK(p->root == (geteuid() == 0) || !p->root);
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		bool can = can_unshare(ns[i].flag, p->root);
		ADDIN_CHECKF(can == ((p->namespaces & ns[i].bit) != 0),
		             "namespace bit 0x%x: probe %d, kernel %d",
		             ns[i].bit, (p->namespaces & ns[i].bit) != 0, can);
	}
	printf("  probe: root=%d seccomp=%d tsync=%d ns=0x%x cg2=%d(0x%x) "
	       "cg1=0x%x\n",
	       p->root, p->seccomp, p->tsync, p->namespaces, p->cgroup2,
	       p->cgroup2_ctrl, p->cgroup1_ctrl);
	if (p->warnings[0] != '\0') {
		printf("  warnings:\n%s", p->warnings);
	}
}

static void
test_cgroup_dirs(void)
{
	const addin__sandbox_probe_info *p        = addin__sandbox_probe();
	static const char *const         files[4] = {"memory.limit_in_bytes",
	                                             "pids.max", "cpu.cfs_quota_us",
	                                             "freezer.state"};
	char                             path[1024];
	if ((p->cgroup1_ctrl | p->cgroup2_ctrl) == 0 && !p->cgroup2) {
		ADDIN_SKIP_MISSING("no writable cgroup hierarchy here");
	}
	for (int i = 0; i < 4; i++) {
		if ((p->cgroup1_ctrl & (1u << i)) == 0) {
			continue;
		}
		struct stat st;
		ADDIN_CHECK(stat(p->cgroup1_dir[i], &st) == 0 &&
		            S_ISDIR(st.st_mode));
		// The root group of a hierarchy has no limit files.
		snprintf(path, sizeof(path), "%s/cgroup.procs",
		         p->cgroup1_dir[i]);
		ADDIN_CHECKF(access(path, W_OK) == 0, "%s", path);
		(void) files;
	}
	if (p->cgroup2) {
		snprintf(path, sizeof(path), "%s/cgroup.procs",
		         p->cgroup2_dir);
		ADDIN_CHECKF(access(path, F_OK) == 0, "%s", path);
	}
	// Our own pid is listed in the group the probe names (v1 memory).
	if (p->cgroup1_ctrl & ADDIN__CG_MEMORY) {
		char   buf[65536];
		FILE  *f;
		size_t n;
		snprintf(path, sizeof(path), "%s/cgroup.procs",
		         p->cgroup1_dir[0]);
		f = fopen(path, "r");
		ADDIN_CHECK(f != NULL);
		n      = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		char me[32];
		snprintf(me, sizeof(me), "%d\n", getpid());
		ADDIN_CHECK(strstr(buf, me) != NULL);
	}
}

static void *
idle_thread(void *arg)
{
	(void) arg;
	pause();
	return NULL;
}

static void
test_with_threads(void)
{
	// The host has nng threads when it probes: the forked child must
	// still work (it only calls unshare and _exit).
	addin__sandbox_probe_info a, b;
	pthread_t                 t[8];
	addin__sandbox_probe_run(&a);
	for (int i = 0; i < 8; i++) {
		ADDIN_CHECK(pthread_create(&t[i], NULL, idle_thread, NULL) ==
		            0);
	}
	addin__sandbox_probe_run(&b);
	ADDIN_CHECK_INT(a.namespaces, ==, b.namespaces);
	ADDIN_CHECK_INT(a.root, ==, b.root);
	ADDIN_CHECK_INT(a.cgroup1_ctrl, ==, b.cgroup1_ctrl);
	ADDIN_CHECK_INT(a.cgroup2_ctrl, ==, b.cgroup2_ctrl);
	ADDIN_CHECK_INT(a.tsync, ==, b.tsync);
}

ADDIN_TEST_LIST = {
    {"the probe is cached and agrees with what the kernel allows",
     test_agrees_with_kernel},
    {"the probe names writable cgroup directories holding this process",
     test_cgroup_dirs},
    {"the probe gives the same answer with threads running",
     test_with_threads},
    {NULL, NULL},
};
