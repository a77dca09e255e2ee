// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Per-activation cgroups: v2 where the host's group delegates the
// controller, v1 per controller otherwise, none when nothing is writable
// (the runner then falls back to rlimits).  A v2 group is made even without
// controllers when it offers cgroup.kill, the one atomic way to kill a
// whole tree.

#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "platform/platform.h"
#include "sandbox_host.h"
#include "sbx_os.h"

enum { V1_MEMORY, V1_PIDS, V1_CPU, V1_FREEZER, V1_COUNT };

#define CG_PATH 1024

struct addin__cgroup {
	uint32_t mech;
	char     v2[CG_PATH];           // "" when unused
	char     v1[V1_COUNT][CG_PATH]; // "" when unused
	size_t   n_dirs;                // directories in use (v2 and v1)
};

static atomic_uint serial;

enum { NAME_TRIES = 16, STALE_AGE_S = 10 };

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static addin_err
write_limit(const char *dir, const char *file, const char *value)
{
	char path[CG_PATH + 64];
	int  e;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	e = addin__sbx_write_file(path, value);
	if (e != 0) {
		return addin__syserr(ADDIN_ESANDBOX, e,
		                     "cgroup: writing \"%s\" to %s", value,
		                     path);
	}
	return ADDIN_OK;
}

static bool
exists(const char *dir, const char *file)
{
	char path[CG_PATH + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

static addin_err
make_group(const char *parent, const char *name, char *ret)
{
	int n = snprintf(ret, CG_PATH, "%s/%s", parent, name);
	if (n < 0 || n >= CG_PATH) {
		ret[0] = '\0';
		return addin__seterr(ADDIN_ESANDBOX, "cgroup: path too long");
	}
	if (mkdir(ret, 0755) != 0) {
		int e  = errno;
		ret[0] = '\0';
		return addin__syserr(e == EEXIST ? ADDIN_EEXIST
		                                 : ADDIN_ESANDBOX,
		                     e, "cgroup: mkdir %s/%s", parent, name);
	}
	return ADDIN_OK;
}

// sweep_dir removes the groups in @dir that hosts which died hard left:
// "bulkhead-<pid>-..." where <pid> is gone and the group is older than
// STALE_AGE_S (a host in another pid namespace may share the hierarchy
// and look dead from here; its fresh group is left alone), or where <pid>
// is ours (this process has made none yet, so another process that had
// our pid made it).  Only empty groups can be removed; rmdir refuses the
// rest, and they stay.
static void
sweep_dir(const char *dir)
{
	DIR           *d;
	struct dirent *de;
	time_t         now = time(NULL);

	if (dir[0] == '\0' || (d = opendir(dir)) == NULL) {
		return;
	}
	while ((de = readdir(d)) != NULL) {
		long pid = addin__plat_name_pid(de->d_name, "bulkhead-");
		struct stat st;

		if (pid <= 0 ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		        0 ||
		    !S_ISDIR(st.st_mode)) {
			continue;
		}
		if (pid == (long) getpid() ||
		    (addin__plat_pid_gone(pid) &&
		     now - st.st_mtime > STALE_AGE_S)) {
			(void) unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
		}
	}
	closedir(d);
}

static void
sweep_once(void)
{
	const addin__sandbox_probe_info *pr = addin__sandbox_probe();
	if (pr->cgroup2) {
		sweep_dir(pr->cgroup2_dir);
	}
	for (int i = 0; i < V1_COUNT; i++) {
		sweep_dir(pr->cgroup1_dir[i]);
	}
}

static void
u64s(uint64_t v, char *buf)
{
	addin__sbx_u64(v, buf);
}

static addin_err
setup_v2(addin__cgroup *cg, const addin__sandbox_probe_info *pr,
         const addin__sandbox_limits *lim)
{
	char      num[64];
	addin_err rv = ADDIN_OK;

	if ((pr->cgroup2_ctrl & ADDIN__CG_MEMORY) &&
	    lim->memory_bytes != ADDIN__SANDBOX_UNLIMITED) {
		u64s(lim->memory_bytes, num);
		rv = write_limit(cg->v2, "memory.max", num);
		if (rv == ADDIN_OK && exists(cg->v2, "memory.swap.max")) {
			rv = write_limit(cg->v2, "memory.swap.max", "0");
		}
		cg->mech |= rv == ADDIN_OK ? ADDIN__MECH_MEMORY_V2 : 0;
	}
	if (rv == ADDIN_OK && (pr->cgroup2_ctrl & ADDIN__CG_PIDS) &&
	    lim->processes != ADDIN__SANDBOX_UNLIMITED) {
		u64s(lim->processes, num);
		rv = write_limit(cg->v2, "pids.max", num);
		cg->mech |= rv == ADDIN_OK ? ADDIN__MECH_PIDS_V2 : 0;
	}
	if (rv == ADDIN_OK && (pr->cgroup2_ctrl & ADDIN__CG_CPU) &&
	    lim->cpu_percent != ADDIN__SANDBOX_UNLIMITED &&
	    lim->cpu_percent > 0) {
		snprintf(num, sizeof(num), "%llu 100000",
		         (unsigned long long) lim->cpu_percent * 1000ull);
		rv = write_limit(cg->v2, "cpu.max", num);
		cg->mech |= rv == ADDIN_OK ? ADDIN__MECH_CPU_V2 : 0;
	}
	if (rv == ADDIN_OK && exists(cg->v2, "cgroup.kill")) {
		cg->mech |= ADDIN__MECH_KILL_V2;
	}
	return rv;
}

static addin_err
setup_v1(addin__cgroup *cg, int which, const addin__sandbox_limits *lim)
{
	char      num[32];
	addin_err rv  = ADDIN_OK;
	char     *dir = cg->v1[which];

	switch (which) {
	case V1_MEMORY:
		u64s(lim->memory_bytes, num);
		rv = write_limit(dir, "memory.limit_in_bytes", num);
		// Swap counts too where the kernel accounts it.
		if (rv == ADDIN_OK &&
		    exists(dir, "memory.memsw.limit_in_bytes")) {
			rv = write_limit(dir, "memory.memsw.limit_in_bytes",
			                 num);
		}
		cg->mech |= rv == ADDIN_OK ? ADDIN__MECH_MEMORY_V1 : 0;
		break;
	case V1_PIDS:
		u64s(lim->processes, num);
		rv = write_limit(dir, "pids.max", num);
		cg->mech |= rv == ADDIN_OK ? ADDIN__MECH_PIDS_V1 : 0;
		break;
	case V1_CPU:
		rv = write_limit(dir, "cpu.cfs_period_us", "100000");
		if (rv == ADDIN_OK) {
			u64s(lim->cpu_percent * 1000, num);
			rv = write_limit(dir, "cpu.cfs_quota_us", num);
		}
		cg->mech |= rv == ADDIN_OK ? ADDIN__MECH_CPU_V1 : 0;
		break;
	default: cg->mech |= ADDIN__MECH_KILL_FREEZER; break;
	}
	return rv;
}

static addin_err
try_create(const addin__sandbox_probe_info *pr, const char *name,
           const addin__sandbox_limits *lim, addin__cgroup **ret)
{
	static const uint32_t v1_bit[V1_COUNT] = {
	    ADDIN__CG_MEMORY, ADDIN__CG_PIDS, ADDIN__CG_CPU,
	    ADDIN__CG_FREEZER};
	addin__cgroup *cg;
	char           gname[128];
	size_t         k;
	addin_err      rv = ADDIN_OK;

	cg = ADDIN__NEW(addin__cgroup);
	if (cg == NULL) {
		return addin__seterr(ADDIN_ENOMEM, "cgroup: create");
	}
	k = (size_t) snprintf(gname, sizeof(gname), "bulkhead-%ld-%u-",
	                      (long) getpid(), atomic_fetch_add(&serial, 1));
	for (size_t i = 0; name != NULL && name[i] != '\0' && i < 64 &&
	                   k + 1 < sizeof(gname);
	     i++) {
		char c  = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		          c == '.';
		gname[k++] = ok ? c : '_';
	}
	gname[k] = '\0';

	// v2 for what it delegates, and for cgroup.kill.
	if (pr->cgroup2) {
		rv = make_group(pr->cgroup2_dir, gname, cg->v2);
		if (rv == ADDIN_OK) {
			rv = setup_v2(cg, pr, lim);
		}
		if (rv == ADDIN_OK && cg->mech == 0) {
			rmdir(cg->v2); // adds nothing here
			cg->v2[0] = '\0';
		} else if (rv == ADDIN_OK) {
			cg->n_dirs++;
		}
		if (rv != ADDIN_OK) {
			goto fail;
		}
	}
	// v1 for the rest.
	for (int i = 0; i < V1_COUNT; i++) {
		bool want;
		switch (i) {
		case V1_MEMORY:
			want = !(cg->mech & ADDIN__MECH_MEMORY_V2) &&
			       lim->memory_bytes != ADDIN__SANDBOX_UNLIMITED;
			break;
		case V1_PIDS:
			want = !(cg->mech & ADDIN__MECH_PIDS_V2) &&
			       lim->processes != ADDIN__SANDBOX_UNLIMITED;
			break;
		case V1_CPU:
			want = !(cg->mech & ADDIN__MECH_CPU_V2) &&
			       lim->cpu_percent != ADDIN__SANDBOX_UNLIMITED &&
			       lim->cpu_percent > 0;
			break;
		default: want = !(cg->mech & ADDIN__MECH_KILL_V2); break;
		}
		if (!want || (pr->cgroup1_ctrl & v1_bit[i]) == 0) {
			continue;
		}
		rv = make_group(pr->cgroup1_dir[i], gname, cg->v1[i]);
		if (rv == ADDIN_OK) {
			rv = setup_v1(cg, i, lim);
		}
		if (rv != ADDIN_OK) {
			goto fail;
		}
		cg->n_dirs++;
	}
	if (cg->n_dirs > 0 &&
	    !(cg->mech & (ADDIN__MECH_KILL_V2 | ADDIN__MECH_KILL_FREEZER))) {
		cg->mech |= ADDIN__MECH_KILL_LOOP;
	}
	*ret = cg;
	return ADDIN_OK;

fail:
	(void) addin__cgroup_destroy(cg);
	return rv;
}

addin_err
addin__cgroup_create(const addin__sandbox_probe_info *pr, const char *name,
                     const addin__sandbox_limits *lim, addin__cgroup **ret)
{
	static pthread_once_t swept = PTHREAD_ONCE_INIT;
	addin_err             rv;

	// Once per process, before its first group: what hosts that died
	// hard left behind.
	(void) pthread_once(&swept, sweep_once);

	// A name still taken (a leftover group holding a process): the next
	// serial gives the next name.
	for (int tries = 0;; tries++) {
		rv = try_create(pr, name, lim, ret);
		if (rv != ADDIN_EEXIST || tries + 1 == NAME_TRIES) {
			break;
		}
	}
	return rv == ADDIN_EEXIST ? ADDIN_ESANDBOX : rv;
}

uint32_t
addin__cgroup_mechanisms(const addin__cgroup *cg)
{
	return cg == NULL ? 0 : cg->mech;
}

void
addin__cgroup_describe(uint32_t mech, char *buf, size_t size)
{
	snprintf(buf, size, "memory=%s pids=%s cpu=%s kill=%s",
	         (mech & ADDIN__MECH_MEMORY_V2)   ? "cgroup-v2"
	         : (mech & ADDIN__MECH_MEMORY_V1) ? "cgroup-v1"
	                                          : "rlimit",
	         (mech & ADDIN__MECH_PIDS_V2)   ? "cgroup-v2"
	         : (mech & ADDIN__MECH_PIDS_V1) ? "cgroup-v1"
	                                        : "rlimit",
	         (mech & ADDIN__MECH_CPU_V2)   ? "cgroup-v2"
	         : (mech & ADDIN__MECH_CPU_V1) ? "cgroup-v1"
	                                       : "none",
	         (mech & ADDIN__MECH_KILL_V2)        ? "cgroup.kill"
	         : (mech & ADDIN__MECH_KILL_FREEZER) ? "freezer"
	         : (mech & ADDIN__MECH_KILL_LOOP)    ? "loop"
	                                             : "none");
}

void
addin__cgroup_apply_to_policy(const addin__cgroup   *cg,
                              addin__sandbox_policy *p)
{
	uint32_t m = addin__cgroup_mechanisms(cg);
	p->cgroup_memory =
	    (m & (ADDIN__MECH_MEMORY_V1 | ADDIN__MECH_MEMORY_V2));
	p->cgroup_pids = (m & (ADDIN__MECH_PIDS_V1 | ADDIN__MECH_PIDS_V2));
}

// Each group dir in use, v2 first.
static const char *
dir_at(const addin__cgroup *cg, int i)
{
	const char *d = i == 0 ? cg->v2 : cg->v1[i - 1];
	return d[0] == '\0' ? NULL : d;
}

addin_err
addin__cgroup_attach(addin__cgroup *cg, pid_t pid)
{
	char num[24];
	u64s((uint64_t) pid, num);
	for (int i = 0; i <= V1_COUNT; i++) {
		const char *d = dir_at(cg, i);
		if (d != NULL) {
			addin_err rv = write_limit(d, "cgroup.procs", num);
			if (rv != ADDIN_OK) {
				return rv;
			}
		}
	}
	return ADDIN_OK;
}

int64_t
addin__cgroup_oom_kills(const addin__cgroup *cg)
{
	char        buf[1024], path[CG_PATH + 32];
	const char *file;
	const char *dir;

	if (cg == NULL) {
		return -1;
	}
	if (cg->mech & ADDIN__MECH_MEMORY_V2) {
		dir  = cg->v2;
		file = "memory.events";
	} else if (cg->mech & ADDIN__MECH_MEMORY_V1) {
		dir  = cg->v1[V1_MEMORY];
		file = "memory.oom_control";
	} else {
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (addin__sbx_read_file(path, buf, sizeof(buf)) < 0) {
		return -1;
	}
	return addin__sbx_key_value(buf, "oom_kill");
}

// procs reads up to @max pids of the group; returns how many, or -1.
static int64_t
procs(const addin__cgroup *cg, pid_t *pids, size_t max)
{
	char        path[CG_PATH + 32];
	char        buf[8192];
	const char *dir = NULL;
	int64_t     n   = 0;

	for (int i = 0; dir == NULL && i <= V1_COUNT; i++) {
		dir = dir_at(cg, i);
	}
	if (dir == NULL) {
		return -1;
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (addin__sbx_read_file(path, buf, sizeof(buf)) < 0) {
		return -1;
	}
	for (const char *s = buf; *s != '\0';) {
		uint64_t v;
		if (addin__parse_u64_prefix(s, UINT64_MAX, &v, NULL)) {
			if ((size_t) n < max) {
				pids[n] = (pid_t) v;
			}
			n++;
		}
		s = strchr(s, '\n');
		s = s == NULL ? "" : s + 1;
	}
	return n;
}

int64_t
addin__cgroup_count(const addin__cgroup *cg)
{
	return cg == NULL ? -1 : procs(cg, NULL, 0);
}

static void
kill_listed(const addin__cgroup *cg)
{
	pid_t   pids[512];
	int64_t n = procs(cg, pids, 512);
	for (int64_t i = 0; i < n && i < 512; i++) {
		kill(pids[i], SIGKILL);
	}
}

addin_err
addin__cgroup_kill(addin__cgroup *cg, int timeout_ms)
{
	int64_t deadline = addin__now_ms() + timeout_ms;
	char    state[64], path[CG_PATH + 32];

	if (cg == NULL || cg->n_dirs == 0) {
		return addin__seterr(ADDIN_ENOTSUP,
		                     "cgroup: no hierarchy to kill through");
	}
	if (cg->mech & ADDIN__MECH_KILL_V2) {
		addin_err rv = write_limit(cg->v2, "cgroup.kill", "1");
		if (rv != ADDIN_OK) {
			return rv;
		}
	} else if (cg->mech & ADDIN__MECH_KILL_FREEZER) {
		// Frozen processes cannot fork while we kill them one by one.
		const char *fz = cg->v1[V1_FREEZER];
		snprintf(path, sizeof(path), "%s/freezer.state", fz);
		if (addin__sbx_write_file(path, "FROZEN") == 0) {
			for (int i = 0; i < 200; i++) {
				if (addin__sbx_read_file(path, state,
				                         sizeof(state)) > 0 &&
				    strncmp(state, "FROZEN", 6) == 0) {
					break;
				}
				sleep_ms(1);
			}
		}
		kill_listed(cg);
		(void) addin__sbx_write_file(path, "THAWED");
	}
	for (;;) {
		int64_t n = procs(cg, NULL, 0);
		if (n <= 0) {
			return ADDIN_OK;
		}
		if (addin__now_ms() > deadline) {
			return addin__seterr(
			    ADDIN_ETIMEDOUT,
			    "cgroup: %lld processes still alive after %d ms",
			    (long long) n, timeout_ms);
		}
		if (cg->mech &
		    (ADDIN__MECH_KILL_LOOP | ADDIN__MECH_KILL_FREEZER)) {
			kill_listed(cg);
		}
		sleep_ms(1);
	}
}

addin_err
addin__cgroup_destroy(addin__cgroup *cg)
{
	addin_err rv = ADDIN_OK;

	if (cg == NULL) {
		return ADDIN_OK;
	}
	if (cg->n_dirs > 0 && addin__cgroup_count(cg) > 0) {
		(void) addin__cgroup_kill(cg, 2000);
	}
	for (int i = 0; i <= V1_COUNT; i++) {
		const char *d = dir_at(cg, i);
		if (d == NULL) {
			continue;
		}
		// A dying process can hold the group a moment longer.
		int64_t deadline = addin__now_ms() + 2000;
		while (rmdir(d) != 0) {
			if (errno != EBUSY || addin__now_ms() > deadline) {
				if (errno != ENOENT) {
					rv = addin__syserr(ADDIN_EBUSY, errno,
					                   "cgroup: rmdir %s",
					                   d);
				}
				break;
			}
			sleep_ms(1);
		}
	}
	addin__free(cg);
	return rv;
}
