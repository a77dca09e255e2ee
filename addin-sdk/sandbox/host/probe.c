// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// What can this kernel and this process do?  Probed once per process:
// seccomp and TSYNC, the namespaces a child can create (in a short-lived
// forked child that only calls unshare and _exit: the host may have nng
// threads), root in the initial user namespace, writable cgroup v2 and v1
// hierarchies and their controllers.

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox_host.h"
#include "sbx_os.h"

static void
warn(addin__sandbox_probe_info *p, const char *msg)
{
	size_t have = strnlen(p->warnings, sizeof(p->warnings));
	snprintf(p->warnings + have, sizeof(p->warnings) - have, "%s\n", msg);
}

// A user namespace's uid map of the initial namespace is the identity over
// the whole range.
static bool
in_initial_userns(void)
{
	char    buf[128];
	ssize_t n =
	    addin__sbx_read_file("/proc/self/uid_map", buf, sizeof(buf));
	unsigned long long a, b, c;
	if (n <= 0) {
		return true; // no /proc: assume so
	}
	if (sscanf(buf, "%llu %llu %llu", &a, &b, &c) != 3) {
		return false;
	}
	return a == 0 && b == 0 && c == 4294967295ull;
}

// probe_namespaces forks a child that tries each namespace and reports the
// ones it could create in its exit code.  Only async-signal-safe calls in
// the child.
static uint32_t
probe_namespaces(bool root)
{
	static const struct {
		uint32_t bit;
		int      flag;
	} order[] = {{ADDIN__NS_PID, CLONE_NEWPID},
	             {ADDIN__NS_NET, CLONE_NEWNET},
	             {ADDIN__NS_IPC, CLONE_NEWIPC},
	             {ADDIN__NS_MNT, CLONE_NEWNS},
	             {ADDIN__NS_UTS, CLONE_NEWUTS}};
	int   status;
	pid_t pid = fork();

	if (pid < 0) {
		return 0;
	}
	if (pid == 0) {
		unsigned bits = 0;
		// Not root: everything hangs on a user namespace.  Root: try
		// the others first (root does not use a user namespace), the
		// user namespace last, for the record.
		if (!root) {
			if (unshare(CLONE_NEWUSER) != 0) {
				_exit(0);
			}
			bits |= ADDIN__NS_USER;
		}
		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			if (unshare(order[i].flag) == 0) {
				bits |= order[i].bit;
			}
		}
		if (root && unshare(CLONE_NEWUSER) == 0) {
			bits |= ADDIN__NS_USER;
		}
		_exit((int) bits);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			return 0;
		}
	}
	if (!WIFEXITED(status)) {
		return 0;
	}
	return (uint32_t) WEXITSTATUS(status) & ADDIN__NS_ALL;
}

// A mount of a cgroup hierarchy, from /proc/self/mountinfo.
struct cgmount {
	char root[512];
	char dir[512];
};

static bool
has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);
	for (const char *s = list; s != NULL && *s != '\0';) {
		const char *e = strchr(s, ',');
		size_t      l = e == NULL ? strlen(s) : (size_t) (e - s);
		if (l == n && memcmp(s, tok, n) == 0) {
			return true;
		}
		s = e == NULL ? NULL : e + 1;
	}
	return false;
}

// find_mount finds the cgroup2 mount (@ctrl NULL) or the v1 mount whose
// super options contain @ctrl.
static bool
find_mount(const char *ctrl, struct cgmount *ret)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char  line[2048];
	bool  found = false;
	if (f == NULL) {
		return false;
	}
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char  root[512], dir[512], fstype[64], super[512];
		char *dash = strstr(line, " - ");
		if (dash == NULL || strchr(line, '\\') != NULL) {
			continue;
		}
		if (sscanf(line, "%*s %*s %*s %511s %511s", root, dir) != 2 ||
		    sscanf(dash + 3, "%63s %*s %511s", fstype, super) != 2) {
			continue;
		}
		if (ctrl == NULL ? strcmp(fstype, "cgroup2") == 0
		                 : strcmp(fstype, "cgroup") == 0 &&
		                       has_token(super, ctrl)) {
			snprintf(ret->root, sizeof(ret->root), "%s", root);
			snprintf(ret->dir, sizeof(ret->dir), "%s", dir);
			found = true;
		}
	}
	fclose(f);
	return found;
}

// own_path finds this process's group in the hierarchy with @ctrl (NULL:
// the v2 "0::" line).
static bool
own_path(const char *ctrl, char *ret, size_t size)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char  line[1024];
	bool  found = false;
	if (f == NULL) {
		return false;
	}
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 == NULL ? NULL : strchr(c1 + 1, ':');
		if (c2 == NULL) {
			continue;
		}
		*c2                       = '\0';
		line[strcspn(line, ":")]  = '\0';
		char *ctrls               = c1 + 1;
		char *path                = c2 + 1;
		path[strcspn(path, "\n")] = '\0';
		if (ctrl == NULL ? strcmp(line, "0") == 0 && *ctrls == '\0'
		                 : has_token(ctrls, ctrl)) {
			snprintf(ret, size, "%s", path);
			found = true;
		}
	}
	fclose(f);
	return found;
}

// group_dir: where this process's group of hierarchy @ctrl lives, if a
// child group can be made there.
static bool
group_dir(const char *ctrl, char *ret, size_t size)
{
	struct cgmount m;
	char           own[512], dir[1100], probe[1200];
	const char    *rel;
	size_t         rl;

	if (!find_mount(ctrl, &m) || !own_path(ctrl, own, sizeof(own))) {
		return false;
	}
	// The mount may show a sub-tree (cgroup namespaces, bind mounts).
	rl = strcmp(m.root, "/") == 0 ? 0 : strlen(m.root);
	if (strncmp(own, m.root, rl) != 0) {
		return false;
	}
	rel = own + rl;
	snprintf(dir, sizeof(dir), "%s%s", m.dir,
	         strcmp(rel, "/") == 0 ? "" : rel);
	snprintf(probe, sizeof(probe), "%s/bulkhead-probe-%ld", dir,
	         (long) getpid());
	if (mkdir(probe, 0755) != 0 && errno != EEXIST) {
		return false;
	}
	rmdir(probe);
	if (strlen(dir) >= size) {
		return false;
	}
	snprintf(ret, size, "%s", dir);
	return true;
}

static void
probe_cgroups(addin__sandbox_probe_info *p)
{
	static const struct {
		const char *name;
		uint32_t    bit;
	} v1[4] = {{"memory", ADDIN__CG_MEMORY},
	           {"pids", ADDIN__CG_PIDS},
	           {"cpu", ADDIN__CG_CPU},
	           {"freezer", ADDIN__CG_FREEZER}};

	if (group_dir(NULL, p->cgroup2_dir, sizeof(p->cgroup2_dir))) {
		char ctrl[512], path[700];
		p->cgroup2 = true;
		// What a child group gets: our group's subtree_control.
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control",
		         p->cgroup2_dir);
		if (addin__sbx_read_file(path, ctrl, sizeof(ctrl)) > 0) {
			if (addin__sbx_word_in(ctrl, "memory")) {
				p->cgroup2_ctrl |= ADDIN__CG_MEMORY;
			}
			if (addin__sbx_word_in(ctrl, "pids")) {
				p->cgroup2_ctrl |= ADDIN__CG_PIDS;
			}
			if (addin__sbx_word_in(ctrl, "cpu")) {
				p->cgroup2_ctrl |= ADDIN__CG_CPU;
			}
		}
	}
	for (int i = 0; i < 4; i++) {
		if (group_dir(v1[i].name, p->cgroup1_dir[i],
		              sizeof(p->cgroup1_dir[i]))) {
			p->cgroup1_ctrl |= v1[i].bit;
		}
	}
	if (((p->cgroup2_ctrl | p->cgroup1_ctrl) & ADDIN__CG_MEMORY) == 0) {
		warn(p,
		     "sandbox: no writable memory cgroup: memory is limited "
		     "with RLIMIT_DATA only");
	}
	if (((p->cgroup2_ctrl | p->cgroup1_ctrl) & ADDIN__CG_PIDS) == 0) {
		warn(p, "sandbox: no writable pids cgroup: processes are "
		        "limited with RLIMIT_NPROC, which does not bind root");
	}
}

void
addin__sandbox_probe_run(addin__sandbox_probe_info *ret)
{
	addin__sandbox_probe_info p;
	memset(&p, 0, sizeof(p));

	p.root = geteuid() == 0 && in_initial_userns();
	p.seccomp =
	    prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 && seccomp_api_get() >= 1;
	p.tsync = p.seccomp && seccomp_api_get() >= 2;
	if (!p.seccomp) {
		warn(&p,
		     "sandbox: seccomp filters unavailable: only level none "
		     "is possible");
	} else if (!p.tsync) {
		warn(&p, "sandbox: seccomp TSYNC unavailable: only level none "
		         "is possible");
	}
	p.namespaces = probe_namespaces(p.root);
	if (!p.root && (p.namespaces & ADDIN__NS_USER) == 0) {
		warn(&p, "sandbox: no user namespaces for an unprivileged "
		         "host: no namespaces at all");
	}
	if (p.root) {
		p.namespaces &= ADDIN__NS_ALL;
	}
	probe_cgroups(&p);
	*ret = p;
}

static addin__sandbox_probe_info cached;
static pthread_once_t            cached_once = PTHREAD_ONCE_INIT;

static void
probe_once(void)
{
	addin__sandbox_probe_run(&cached);
}

const addin__sandbox_probe_info *
addin__sandbox_probe(void)
{
	pthread_once(&cached_once, probe_once);
	return &cached;
}
