// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Live tests of the per-activation cgroups: real groups, real processes,
// real limits.  Skipped (77) where no writable hierarchy exists.

#define _GNU_SOURCE

#include "addin_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox_host.h"

#define MIB (1024ull * 1024ull)

static addin__sandbox_limits
limits(uint64_t mem, uint64_t procs)
{
	addin__sandbox_limits l;
	memset(&l, 0, sizeof(l));
	l.memory_bytes = mem;
	l.processes    = procs;
	l.cpu_seconds  = ADDIN__SANDBOX_UNLIMITED;
	l.open_files   = ADDIN__SANDBOX_UNLIMITED;
	l.file_size    = ADDIN__SANDBOX_UNLIMITED;
	l.cpu_percent  = 50;
	return l;
}

static addin__cgroup *
make(const char *name, uint64_t mem, uint64_t procs, uint32_t need)
{
	addin__cgroup        *cg;
	addin__sandbox_limits l = limits(mem, procs);
	ADDIN_PASS(
	    addin__cgroup_create(addin__sandbox_probe(), name, &l, &cg));
	if ((addin__cgroup_mechanisms(cg) & need) == 0) {
		char buf[128];
		addin__cgroup_describe(addin__cgroup_mechanisms(cg), buf,
		                       sizeof(buf));
		addin__cgroup_destroy(cg);
		ADDIN_SKIP("cgroup mechanisms here: %s", buf);
	}
	return cg;
}

#define ANY_MEMORY (ADDIN__MECH_MEMORY_V1 | ADDIN__MECH_MEMORY_V2)
#define ANY_PIDS   (ADDIN__MECH_PIDS_V1 | ADDIN__MECH_PIDS_V2)
#define ANY_KILL                                          \
	(ADDIN__MECH_KILL_V2 | ADDIN__MECH_KILL_FREEZER | \
	 ADDIN__MECH_KILL_LOOP)

// child_in forks a child that waits until the parent attached it to @cg
// by pid (as the host attaches the runner it spawned, which waits for its
// token), then runs @fn with the write end of a pipe to the parent.
static pid_t
child_in(addin__cgroup *cg, void (*fn)(int), int *ret_rd)
{
	int   p[2], go[2];
	char  c;
	pid_t pid;
	ADDIN_CHECK(pipe(p) == 0 && pipe(go) == 0);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		close(go[1]);
		if (read(go[0], &c, 1) != 1) {
			_exit(99);
		}
		close(go[0]);
		fn(p[1]);
		_exit(0);
	}
	close(p[1]);
	close(go[0]);
	ADDIN_PASS(addin__cgroup_attach(cg, pid));
	ADDIN_CHECK(write(go[1], "g", 1) == 1);
	close(go[1]);
	*ret_rd = p[0];
	return pid;
}

static void
say_ready_and_sleep(int wfd)
{
	(void) write(wfd, "r", 1);
	for (;;) {
		pause();
	}
}

static void
wait_ready(int rfd)
{
	char c;
	ADDIN_CHECK(read(rfd, &c, 1) == 1);
}

static bool
in_group(pid_t pid, const char *name_part)
{
	char   path[64], buf[4096];
	FILE  *f;
	size_t n;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return false;
	}
	n      = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, name_part) != NULL;
}

static void
test_create_limits_destroy(void)
{
	addin__cgroup *cg = make("limits", 64 * MIB, 8, ANY_MEMORY | ANY_PIDS);
	const addin__sandbox_probe_info *p = addin__sandbox_probe();
	uint32_t                         m = addin__cgroup_mechanisms(cg);
	char                             desc[128], path[1200], buf[64];
	char                             gname[64];
	snprintf(gname, sizeof(gname), "bulkhead-%d-", getpid());
	addin__cgroup_describe(m, desc, sizeof(desc));
	printf("  mechanisms: %s\n", desc);
	ADDIN_CHECK(m & ANY_KILL);
	if (m & ADDIN__MECH_MEMORY_V1) {
		// Find the group's directory and read the limit back.
		DIR           *d = opendir(p->cgroup1_dir[0]);
		struct dirent *de;
		bool           found = false;
		ADDIN_CHECK(d != NULL);
		while ((de = readdir(d)) != NULL) {
			if (strstr(de->d_name, gname) == de->d_name &&
			    strstr(de->d_name, "-limits") != NULL) {
				snprintf(path, sizeof(path),
				         "%s/%s/memory.limit_in_bytes",
				         p->cgroup1_dir[0], de->d_name);
				found = true;
			}
		}
		closedir(d);
		ADDIN_CHECK(found);
		FILE *f = fopen(path, "r");
		ADDIN_CHECK(f != NULL && fgets(buf, sizeof(buf), f) != NULL);
		fclose(f);
		ADDIN_CHECK_INT(strtoull(buf, NULL, 10), ==, 64 * MIB);
		ADDIN_PASS(addin__cgroup_destroy(cg));
		ADDIN_CHECK(access(path, F_OK) != 0);
		return;
	}
	ADDIN_PASS(addin__cgroup_destroy(cg));
}

static void
test_join_and_kill(void)
{
	addin__cgroup *cg = make("join", 64 * MIB, 16, ANY_KILL);
	int            rfd, status;
	pid_t          pid = child_in(cg, say_ready_and_sleep, &rfd);
	wait_ready(rfd);
	ADDIN_CHECK(in_group(pid, "-join"));
	ADDIN_CHECK_INT(addin__cgroup_count(cg), ==, 1);
	ADDIN_PASS(addin__cgroup_kill(cg, 2000));
	ADDIN_CHECK(waitpid(pid, &status, 0) == pid);
	ADDIN_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ADDIN_CHECK_INT(addin__cgroup_count(cg), ==, 0);
	close(rfd);
	ADDIN_PASS(addin__cgroup_destroy(cg));
}

static void
test_attach_by_pid(void)
{
	addin__cgroup *cg = make("attach", 64 * MIB, 16, ANY_KILL);
	int            status;
	pid_t          pid = fork();
	if (pid == 0) {
		for (;;) {
			pause();
		}
	}
	ADDIN_CHECK(!in_group(pid, "-attach"));
	ADDIN_PASS(addin__cgroup_attach(cg, pid));
	ADDIN_CHECK(in_group(pid, "-attach"));
	ADDIN_PASS(addin__cgroup_destroy(cg)); // kills it too
	ADDIN_CHECK(waitpid(pid, &status, 0) == pid);
	ADDIN_CHECK(WIFSIGNALED(status));
}

static void
escape_and_sleep(int wfd)
{
	// setsid + double fork: escapes a process-group kill, not a cgroup.
	if (fork() == 0) {
		setsid();
		if (fork() == 0) {
			(void) write(wfd, "r", 1);
			for (;;) {
				pause();
			}
		}
		_exit(0);
	}
	for (;;) {
		pause();
	}
}

static void
test_kill_whole_tree(void)
{
	addin__cgroup *cg = make("tree", 64 * MIB, 16, ANY_KILL);
	int            rfd, status;
	pid_t          pid = child_in(cg, escape_and_sleep, &rfd);
	wait_ready(rfd);
	// the child and the escaped grandchild (the middle one exited and
	// awaits no one: it was reparented or reaped)
	ADDIN_CHECK(addin__cgroup_count(cg) >= 2);
	ADDIN_PASS(addin__cgroup_kill(cg, 2000));
	ADDIN_CHECK_INT(addin__cgroup_count(cg), ==, 0);
	waitpid(pid, &status, 0);
	close(rfd);
	ADDIN_PASS(addin__cgroup_destroy(cg));
}

static void
fork_until_refused(int wfd)
{
	int n = 0;
	for (int i = 0; i < 200; i++) {
		pid_t c = fork();
		if (c < 0) {
			break;
		}
		if (c == 0) {
			for (;;) {
				pause();
			}
		}
		n++;
	}
	(void) write(wfd, &n, sizeof(n));
	for (;;) {
		pause();
	}
}

// kill_tree_with forces one kill mechanism by hiding the others from the
// probe.
static void
kill_tree_with(uint32_t mech)
{
	addin__sandbox_probe_info pr = *addin__sandbox_probe();
	addin__sandbox_limits     l  = limits(64 * MIB, 16);
	addin__cgroup            *cg;
	int                       rfd, status;
	pid_t                     pid;
	pr.cgroup2 = false;
	if (mech == ADDIN__MECH_KILL_LOOP) {
		pr.cgroup1_ctrl &= ~ADDIN__CG_FREEZER;
	}
	ADDIN_PASS(addin__cgroup_create(&pr, "mech", &l, &cg));
	if ((addin__cgroup_mechanisms(cg) & mech) == 0) {
		addin__cgroup_destroy(cg);
		ADDIN_SKIP("mechanism 0x%x unavailable here", mech);
	}
	pid = child_in(cg, escape_and_sleep, &rfd);
	wait_ready(rfd);
	ADDIN_CHECK(addin__cgroup_count(cg) >= 2);
	ADDIN_PASS(addin__cgroup_kill(cg, 2000));
	ADDIN_CHECK_INT(addin__cgroup_count(cg), ==, 0);
	waitpid(pid, &status, 0);
	ADDIN_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(rfd);
	ADDIN_PASS(addin__cgroup_destroy(cg));
}

static void
test_kill_freezer(void)
{
	kill_tree_with(ADDIN__MECH_KILL_FREEZER);
}

static void
test_kill_loop(void)
{
	kill_tree_with(ADDIN__MECH_KILL_LOOP);
}

static void
test_nothing_left_behind(void)
{
	// Groups with a live process, destroyed: every directory this
	// process made is gone, in every hierarchy.
	const addin__sandbox_probe_info *p = addin__sandbox_probe();
	char                             prefix[64];
	addin__cgroup                   *cg[3];
	int                              rfd[3], status;
	pid_t                            pid[3];
	for (int i = 0; i < 3; i++) {
		cg[i]  = make("left", 64 * MIB, 16, ANY_KILL);
		pid[i] = child_in(cg[i], escape_and_sleep, &rfd[i]);
		wait_ready(rfd[i]);
	}
	for (int i = 0; i < 3; i++) {
		ADDIN_PASS(addin__cgroup_destroy(cg[i]));
		waitpid(pid[i], &status, 0);
		close(rfd[i]);
	}
	snprintf(prefix, sizeof(prefix), "bulkhead-%d-", getpid());
	for (int i = 0; i < 5; i++) {
		const char *dir = i == 4 ? p->cgroup2_dir : p->cgroup1_dir[i];
		DIR        *d;
		struct dirent *de;
		if (dir[0] == '\0' || (d = opendir(dir)) == NULL) {
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			ADDIN_CHECKF(
			    strncmp(de->d_name, prefix, strlen(prefix)) != 0,
			    "left behind: %s/%s", dir, de->d_name);
		}
		closedir(d);
	}
}

static void
test_pids_limit(void)
{
	addin__cgroup *cg = make("pids", 64 * MIB, 8, ANY_PIDS);
	int            rfd, n = -1, status;
	pid_t          pid = child_in(cg, fork_until_refused, &rfd);
	ADDIN_CHECK(read(rfd, &n, sizeof(n)) == sizeof(n));
	// 8 tasks in all: the child itself and 7 more.
	ADDIN_CHECK_INT(n, ==, 7);
	ADDIN_CHECK_INT(addin__cgroup_count(cg), ==, 8);
	ADDIN_PASS(addin__cgroup_destroy(cg));
	waitpid(pid, &status, 0);
	close(rfd);
}

static void
eat_memory(int wfd)
{
	(void) wfd;
	for (size_t i = 0; i < 1024; i++) {
		char *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE,
		               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			_exit(3);
		}
		memset(p, 0x5a, MIB);
	}
	_exit(4); // 1 GiB later and still alive: the limit did nothing
}

static void
test_oom_counter(void)
{
	addin__cgroup *cg = make("oom", 32 * MIB, 16, ANY_MEMORY);
	int            rfd, status;
	int64_t        before = addin__cgroup_oom_kills(cg);
	pid_t          pid;
	ADDIN_CHECK_INT(before, ==, 0);
	pid = child_in(cg, eat_memory, &rfd);
	ADDIN_CHECK(waitpid(pid, &status, 0) == pid);
	ADDIN_CHECKF(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	             "status 0x%x", status);
	ADDIN_CHECK_INT(addin__cgroup_oom_kills(cg), >=, 1);
	close(rfd);
	ADDIN_PASS(addin__cgroup_destroy(cg));
}

static void
test_unique_names(void)
{
	addin__cgroup *a = make("same/name!", 64 * MIB, 16, ANY_KILL);
	addin__cgroup *b = make("same/name!", 64 * MIB, 16, ANY_KILL);
	int            ra, rb, status;
	pid_t          pa = child_in(a, say_ready_and_sleep, &ra);
	pid_t          pb = child_in(b, say_ready_and_sleep, &rb);
	wait_ready(ra);
	wait_ready(rb);
	// Separate groups: killing one leaves the other.
	ADDIN_PASS(addin__cgroup_kill(a, 2000));
	ADDIN_CHECK_INT(addin__cgroup_count(a), ==, 0);
	ADDIN_CHECK_INT(addin__cgroup_count(b), ==, 1);
	ADDIN_CHECK(in_group(pb, "-same_name_"));
	ADDIN_PASS(addin__cgroup_destroy(a));
	ADDIN_PASS(addin__cgroup_destroy(b));
	waitpid(pa, &status, 0);
	waitpid(pb, &status, 0);
	close(ra);
	close(rb);
}

static void
test_policy_flags(void)
{
	addin__cgroup        *cg = make("flags", 64 * MIB, 16, ANY_MEMORY);
	addin__sandbox_policy p;
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_RESTRICTED);
	addin__cgroup_apply_to_policy(cg, &p);
	ADDIN_CHECK(p.cgroup_memory);
	ADDIN_CHECK(p.cgroup_pids ==
	            ((addin__cgroup_mechanisms(cg) & ANY_PIDS) != 0));
	ADDIN_PASS(addin__cgroup_destroy(cg));
	// No group: the runner falls back to rlimits.
	addin__cgroup_apply_to_policy(NULL, &p);
	ADDIN_CHECK(!p.cgroup_memory && !p.cgroup_pids);
	ADDIN_CHECK_INT(addin__cgroup_oom_kills(NULL), ==, -1);
	ADDIN_PASS(addin__cgroup_destroy(NULL));
}

// The hierarchies a group can be made in, for leftovers planted by hand.
static size_t
usable_dirs(const char *dirs[5])
{
	const addin__sandbox_probe_info *p = addin__sandbox_probe();
	size_t                           n = 0;
	if (p->cgroup2) {
		dirs[n++] = p->cgroup2_dir;
	}
	for (int i = 0; i < 4; i++) {
		if (p->cgroup1_dir[i][0] != '\0') {
			dirs[n++] = p->cgroup1_dir[i];
		}
	}
	return n;
}

static bool
group_exists(const char *dir, const char *name)
{
	char        path[1200];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

static void
plant(const char *dir, const char *name, time_t age_s)
{
	char            path[1200];
	struct timespec ts[2];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ADDIN_CHECKF(mkdir(path, 0755) == 0, "mkdir %s: %s", path,
	             strerror(errno));
	if (age_s > 0) {
		ts[0].tv_sec  = time(NULL) - age_s;
		ts[0].tv_nsec = 0;
		ts[1]         = ts[0];
		ADDIN_CHECKF(utimensat(AT_FDCWD, path, ts, 0) == 0,
		             "utimensat %s: %s", path, strerror(errno));
	}
}

static void
test_leftovers(void)
{
	// Groups that hosts which died hard left behind (found by a host
	// that came back with a dead host's pid): the first create sweeps
	// the empty ones, a busy one's name is skipped, and a group of a
	// dead pid too young to judge (another pid namespace?) is left.
	const char    *dirs[5];
	size_t         nd = usable_dirs(dirs);
	char           ours_empty[64], ours_busy[64], dead_old[64];
	char           dead_young[64], num[24];
	pid_t          dead, busy;
	int            status, rfd;
	addin__cgroup *cg;

	if (nd == 0) {
		ADDIN_SKIP("no writable cgroup hierarchy here");
	}
	dead = fork();
	if (dead == 0) {
		_exit(0);
	}
	waitpid(dead, &status, 0);
	// This case runs in a fresh process: its serials start at 0.
	snprintf(ours_empty, sizeof(ours_empty), "bulkhead-%d-1-x", getpid());
	snprintf(ours_busy, sizeof(ours_busy), "bulkhead-%d-0-busy", getpid());
	snprintf(dead_old, sizeof(dead_old), "bulkhead-%d-0-old", dead);
	snprintf(dead_young, sizeof(dead_young), "bulkhead-%d-1-young", dead);
	busy = fork();
	if (busy == 0) {
		for (;;) {
			pause();
		}
	}
	snprintf(num, sizeof(num), "%d", busy);
	for (size_t i = 0; i < nd; i++) {
		char procs[1300];
		plant(dirs[i], ours_empty, 0);
		plant(dirs[i], ours_busy, 0);
		plant(dirs[i], dead_old, 60);
		plant(dirs[i], dead_young, 0);
		snprintf(procs, sizeof(procs), "%s/%s/cgroup.procs", dirs[i],
		         ours_busy);
		int fd = open(procs, O_WRONLY | O_CLOEXEC);
		ADDIN_CHECK(fd >= 0);
		ADDIN_CHECK(write(fd, num, strlen(num)) ==
		            (ssize_t) strlen(num));
		close(fd);
	}

	// Serial 0 ("-0-busy") is taken: the group gets serial 1.
	cg = make("busy", 64 * MIB, 16, ANY_KILL);
	{
		pid_t p = child_in(cg, say_ready_and_sleep, &rfd);
		char  want[64];
		wait_ready(rfd);
		snprintf(want, sizeof(want), "bulkhead-%d-1-busy", getpid());
		ADDIN_CHECK(in_group(p, want));
		ADDIN_PASS(addin__cgroup_destroy(cg));
		waitpid(p, &status, 0);
		close(rfd);
	}
	for (size_t i = 0; i < nd; i++) {
		ADDIN_CHECKF(!group_exists(dirs[i], ours_empty),
		             "%s/%s survived the sweep", dirs[i], ours_empty);
		ADDIN_CHECKF(!group_exists(dirs[i], dead_old),
		             "%s/%s survived the sweep", dirs[i], dead_old);
		ADDIN_CHECK(group_exists(dirs[i], ours_busy));
		ADDIN_CHECK(group_exists(dirs[i], dead_young));
	}
	kill(busy, SIGKILL);
	waitpid(busy, &status, 0);
	for (size_t i = 0; i < nd; i++) {
		char path[1200];
		snprintf(path, sizeof(path), "%s/%s", dirs[i], ours_busy);
		ADDIN_CHECK(rmdir(path) == 0);
		snprintf(path, sizeof(path), "%s/%s", dirs[i], dead_young);
		ADDIN_CHECK(rmdir(path) == 0);
	}
}

ADDIN_TEST_LIST = {
    {"a group gets its limits and is removed on destroy",
     test_create_limits_destroy},
    {"a child attached before it starts is in the group and is killed",
     test_join_and_kill},
    {"the parent can attach a process by pid", test_attach_by_pid},
    {"kill takes the whole tree, even after setsid and a double fork",
     test_kill_whole_tree},
    {"kill through the v1 freezer takes the whole tree", test_kill_freezer},
    {"kill by signalling until empty takes the whole tree", test_kill_loop},
    {"the pids limit stops a fork bomb, root or not", test_pids_limit},
    {"the memory limit OOM-kills and the counter says so", test_oom_counter},
    {"two activations with one name get two groups", test_unique_names},
    {"the policy learns which limits the group enforces", test_policy_flags},
    {"destroy leaves no directory in any hierarchy", test_nothing_left_behind},
    {"a dead host's leftover groups are swept, a busy name skipped",
     test_leftovers},
    {NULL, NULL},
};
