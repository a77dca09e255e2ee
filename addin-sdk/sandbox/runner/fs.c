// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The worker's filesystem: a read-only tmpfs root holding only what the
// runner and the add-in need, each at its host path.  Sources are opened
// (O_PATH) before the new root is mounted and bound through
// /proc/self/fd/N, so that a source below the staging directory stays
// reachable.

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox_runner.h"

enum kind { K_RO, K_RW, K_DEV, K_LINK };

struct entry {
	const char *path;
	enum kind   kind;
	int         fd; // O_PATH source (not K_LINK)
	bool        is_dir;
	char        link[256]; // K_LINK target
};

#define MAX_ENTRIES (2 * ADDIN__SANDBOX_MAX_PATHS + 32)

static const char *const sys_paths[] = {
    "/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/libx32", "/usr/local/lib",
    "/lib",     "/lib64",     "/lib32",     "/libx32"};
static const char *const net_paths[] = {
    "/etc/resolv.conf", "/etc/hosts",    "/etc/nsswitch.conf", "/etc/gai.conf",
    "/etc/host.conf",   "/etc/services", "/etc/protocols",     "/etc/ssl"};
static const char *const dev_paths[] = {"/dev/null", "/dev/zero", "/dev/full",
                                        "/dev/random", "/dev/urandom"};

// add_entry adds @path (which must exist when @required).  With
// @keep_link a symlink is recreated as such (/lib -> usr/lib); otherwise
// it is followed and its target bound at @path.
static addin_err
add_entry(struct entry *e, size_t *n, const char *path, enum kind kind,
          bool required, bool keep_link)
{
	struct stat  st;
	struct entry x;

	memset(&x, 0, sizeof(x));
	x.path = path;
	x.kind = kind;
	x.fd   = -1;
	if (lstat(path, &st) != 0) {
		if (!required && errno == ENOENT) {
			return ADDIN_OK;
		}
		return addin__syserr(ADDIN_ESANDBOX, errno, "sandbox: %s",
		                     path);
	}
	if (S_ISLNK(st.st_mode) && keep_link) {
		// A system symlink (/lib -> usr/lib): recreate it.
		ssize_t l = readlink(path, x.link, sizeof(x.link) - 1);
		if (l <= 0 || (size_t) l >= sizeof(x.link) - 1) {
			return addin__syserr(ADDIN_ESANDBOX, errno,
			                     "sandbox: readlink %s", path);
		}
		x.link[l] = '\0';
		x.kind    = K_LINK;
	} else {
		x.fd = open(path, O_PATH | O_CLOEXEC);
		if (x.fd < 0 || fstat(x.fd, &st) != 0) {
			int err = errno;
			if (x.fd >= 0) {
				close(x.fd);
			}
			return addin__syserr(ADDIN_ESANDBOX, err,
			                     "sandbox: open %s", path);
		}
		x.is_dir = S_ISDIR(st.st_mode);
	}
	if (*n >= MAX_ENTRIES) {
		if (x.fd >= 0) {
			close(x.fd);
		}
		return addin__seterr(ADDIN_ESANDBOX,
		                     "sandbox: too many paths");
	}
	e[(*n)++] = x;
	return ADDIN_OK;
}

// mkpath creates the directories of @root + @path (and, when @file, an
// empty file at the end instead of a directory).
static addin_err
mkpath(const char *root, const char *path, bool file)
{
	char   buf[ADDIN__SANDBOX_PATH_MAX + 64];
	size_t rl = strlen(root);
	int    n  = snprintf(buf, sizeof(buf), "%s%s", root, path);

	if (n < 0 || (size_t) n >= sizeof(buf)) {
		return addin__seterr(ADDIN_ESANDBOX, "sandbox: path too long");
	}
	for (size_t i = rl + 1; i <= (size_t) n; i++) {
		if (buf[i] != '/' && buf[i] != '\0') {
			continue;
		}
		char c = buf[i];
		buf[i] = '\0';
		if (c == '\0' && file) {
			struct stat st;
			if (lstat(buf, &st) != 0) {
				int fd = open(buf,
				              O_WRONLY | O_CREAT | O_EXCL |
				                  O_CLOEXEC,
				              0644);
				if (fd < 0) {
					return addin__syserr(
					    ADDIN_ESANDBOX, errno,
					    "sandbox: create %s", path);
				}
				close(fd);
			}
		} else if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
			return addin__syserr(ADDIN_ESANDBOX, errno,
			                     "sandbox: mkdir %s", buf);
		}
		buf[i] = c;
	}
	return ADDIN_OK;
}

// The flags a bind mount's source has and that a remount inside a user
// namespace must keep (the kernel locks them).
static unsigned long
locked_flags(int fd)
{
	struct statvfs sv;
	unsigned long  f = 0;
	if (fstatvfs(fd, &sv) != 0) {
		return 0;
	}
	f |= (sv.f_flag & ST_RDONLY) ? MS_RDONLY : 0;
	f |= (sv.f_flag & ST_NOSUID) ? MS_NOSUID : 0;
	f |= (sv.f_flag & ST_NODEV) ? MS_NODEV : 0;
	f |= (sv.f_flag & ST_NOEXEC) ? MS_NOEXEC : 0;
	f |= (sv.f_flag & ST_NOATIME) ? MS_NOATIME : 0;
	f |= (sv.f_flag & ST_NODIRATIME) ? MS_NODIRATIME : 0;
	f |= (sv.f_flag & ST_RELATIME) ? MS_RELATIME : 0;
	return f;
}

static addin_err
bind_one(const char *root, const struct entry *e)
{
	char          target[ADDIN__SANDBOX_PATH_MAX + 64];
	char          src[64];
	unsigned long fl;
	addin_err     rv;

	snprintf(target, sizeof(target), "%s%s", root, e->path);
	if (e->kind == K_LINK) {
		rv = mkpath(root, e->path, false);
		if (rv != ADDIN_OK) {
			return rv;
		}
		rmdir(target);
		if (symlink(e->link, target) != 0 && errno != EEXIST) {
			return addin__syserr(ADDIN_ESANDBOX, errno,
			                     "sandbox: symlink %s", e->path);
		}
		return ADDIN_OK;
	}
	rv = mkpath(root, e->path, !e->is_dir);
	if (rv != ADDIN_OK) {
		return rv;
	}
	snprintf(src, sizeof(src), "/proc/self/fd/%d", e->fd);
	if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) != 0) {
		return addin__syserr(ADDIN_ESANDBOX, errno, "sandbox: bind %s",
		                     e->path);
	}
	fl = MS_REMOUNT | MS_BIND | MS_NOSUID | locked_flags(e->fd);
	switch (e->kind) {
	case K_RO: fl |= MS_RDONLY | MS_NODEV; break;
	case K_RW: fl |= MS_NODEV | MS_NOEXEC; break;
	default: fl |= MS_NOEXEC; break; // device nodes keep dev
	}
	if (mount(NULL, target, NULL, fl, NULL) != 0) {
		return addin__syserr(ADDIN_ESANDBOX, errno,
		                     "sandbox: remount %s", e->path);
	}
	return ADDIN_OK;
}

static int
by_length(const void *a, const void *b)
{
	size_t la = strlen(((const struct entry *) a)->path);
	size_t lb = strlen(((const struct entry *) b)->path);
	return la < lb ? -1 : la > lb;
}

// The steps of addin__sandbox_filesystem.

// gather lists what the new root holds, shortest path first (parents are
// bound before what lies below them).
static addin_err
gather(const addin__sandbox_policy *p, struct entry *e, size_t *n)
{
	addin_err rv = ADDIN_OK;

	for (size_t i = 0;
	     rv == ADDIN_OK && i < sizeof(sys_paths) / sizeof(sys_paths[0]);
	     i++) {
		rv = add_entry(e, n, sys_paths[i], K_RO, false, true);
	}
	if (rv == ADDIN_OK) {
		rv = add_entry(e, n, "/etc/ld.so.cache", K_RO, false, false);
	}
	for (size_t i = 0;
	     rv == ADDIN_OK && i < sizeof(dev_paths) / sizeof(dev_paths[0]);
	     i++) {
		rv = add_entry(e, n, dev_paths[i], K_DEV, false, false);
	}
	// With the network grant, what name resolution and TLS read.
	for (size_t i = 0; p->network && rv == ADDIN_OK &&
	                   i < sizeof(net_paths) / sizeof(net_paths[0]);
	     i++) {
		rv = add_entry(e, n, net_paths[i], K_RO, false, false);
	}
	for (size_t i = 0; rv == ADDIN_OK && i < p->n_need; i++) {
		rv = add_entry(e, n, p->need[i], K_RO, true, false);
	}
	for (size_t i = 0; rv == ADDIN_OK && i < p->n_read; i++) {
		rv = add_entry(e, n, p->read[i], K_RO, true, false);
	}
	if (rv == ADDIN_OK && p->ipc != NULL) {
		// Read-only: connecting to a unix socket needs no write
		// access to its directory, and the add-in may not plant files
		// (or symlinks) where the host binds its sockets.
		rv = add_entry(e, n, p->ipc, K_RO, true, false);
	}
	if (rv == ADDIN_OK && p->scratch != NULL) {
		rv = add_entry(e, n, p->scratch, K_RW, true, false);
	}
	if (rv == ADDIN_OK) {
		qsort(e, *n, sizeof(e[0]), by_length);
	}
	return rv;
}

// build_root mounts a small tmpfs on a directory of the host's to build
// the new root on, binds @e into it and, with a pid namespace, a /proc of
// that namespace (ASan and glibc read /proc/self/*; other users' processes
// stay hidden).  *@ret_stage is the directory used.
static addin_err
build_root(const addin__sandbox_policy *p, struct entry *e, size_t n,
           const char **ret_stage)
{
	static const char *const stages[] = {"/tmp", "/mnt", "/var/tmp"};
	const char              *stage    = NULL;
	char                     proc[64];
	addin_err                rv = ADDIN_OK;

	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++) {
		struct stat st;
		if (stat(stages[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			stage = stages[i];
			break;
		}
	}
	if (stage == NULL) {
		return addin__seterr(
		    ADDIN_ESANDBOX,
		    "sandbox: no directory to build the new root on");
	}
	if (mount("bulkhead", stage, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	          "mode=0755,size=1m") != 0) {
		return addin__syserr(ADDIN_ESANDBOX, errno,
		                     "sandbox: tmpfs root on %s", stage);
	}
	for (size_t i = 0; rv == ADDIN_OK && i < n; i++) {
		rv = bind_one(stage, &e[i]);
	}
	if (rv != ADDIN_OK) {
		return rv;
	}
	if (p->namespaces & ADDIN__NS_PID) {
		snprintf(proc, sizeof(proc), "%s/proc", stage);
		if (mkdir(proc, 0555) != 0 ||
		    mount("proc", proc, "proc",
		          MS_NOSUID | MS_NODEV | MS_NOEXEC,
		          "hidepid=2") != 0) {
			return addin__syserr(ADDIN_ESANDBOX, errno,
			                     "sandbox: mount /proc");
		}
	}
	*ret_stage = stage;
	return ADDIN_OK;
}

// enter_root makes @stage the root (pivot_root, the old one detached) and
// remounts it read-only.
static addin_err
enter_root(const char *stage)
{
	if (chdir(stage) != 0 || syscall(SYS_pivot_root, ".", ".") != 0 ||
	    umount2(".", MNT_DETACH) != 0 || chdir("/") != 0) {
		return addin__syserr(ADDIN_ESANDBOX, errno,
		                     "sandbox: pivot_root");
	}
	if (mount(NULL, "/", NULL,
	          MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV |
	              MS_NOEXEC,
	          NULL) != 0) {
		return addin__syserr(ADDIN_ESANDBOX, errno,
		                     "sandbox: read-only root");
	}
	return ADDIN_OK;
}

addin_err
addin__sandbox_filesystem(const addin__sandbox_policy *p, uint32_t *applied)
{
	struct entry e[MAX_ENTRIES];
	size_t       n     = 0;
	const char  *stage = NULL;
	addin_err    rv;

	if (p->level == ADDIN__SANDBOX_NONE ||
	    (p->namespaces & ADDIN__NS_MNT) == 0) {
		return ADDIN_OK;
	}
	// Nothing we mount may propagate back to the host.
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		return addin__syserr(ADDIN_ESANDBOX, errno,
		                     "sandbox: making mounts private");
	}
	if ((rv = gather(p, e, &n)) == ADDIN_OK &&
	    (rv = build_root(p, e, n, &stage)) == ADDIN_OK &&
	    (rv = enter_root(stage)) == ADDIN_OK) {
		*applied |= ADDIN__APPLIED_FS;
	}
	for (size_t i = 0; i < n; i++) {
		if (e[i].fd >= 0) {
			close(e[i].fd);
		}
	}
	return rv;
}
