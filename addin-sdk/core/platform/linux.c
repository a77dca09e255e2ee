// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The Linux implementation of platform.h.

#define _GNU_SOURCE

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "platform.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

addin_err
addin__syserr(addin_err code, int errnum, const char *fmt, ...)
{
	char    what[ADDIN__ERRMSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return addin__seterr(code, "%s: %s", what, strerror(errnum));
}

int64_t
addin__now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
addin__plat_getpid(void)
{
	return (int) getpid();
}

// Parent pid of @pid from /proc/<pid>/stat, or -1.
static int
parent_of(int pid)
{
	char     path[64], buf[512];
	int      fd;
	long     n;
	char    *p;
	uint64_t ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return -1;
	}
	n = addin__plat_read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return -1;
	}
	buf[n] = '\0';
	// "pid (comm) state ppid ...": comm may contain anything, so
	// search from the last ')'.
	if ((p = strrchr(buf, ')')) == NULL) {
		return -1;
	}
	// ") S 1234 ...": the state, then the parent.
	if (p[1] != ' ' || p[2] == '\0' || p[3] != ' ' ||
	    !addin__parse_u64_prefix(p + 4, INT_MAX, &ppid, NULL)) {
		return -1;
	}
	return (int) ppid;
}

bool
addin__plat_is_self_or_descendant(int pid, int ancestor)
{
	for (int depth = 0; depth < 32 && pid > 1; depth++) {
		if (pid == ancestor) {
			return true;
		}
		pid = parent_of(pid);
	}
	return pid == ancestor;
}

addin_err
addin__plat_spawn(const addin__spawn_opts *o, int *ret_pid, int *ret_pidfd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t          at;
	sigset_t                   none, all;
	pid_t                      pid;
	int                        err, pidfd;
	short                      flags;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	if (o->new_pgroup) {
		flags |= POSIX_SPAWN_SETPGROUP;
		posix_spawnattr_setpgroup(&at, 0);
	}
	posix_spawnattr_setflags(&at, flags);

	// Descriptors: first copy every source to a staging number, then
	// place them.
	// The staging numbers are above every source and every target, so
	// no dup2 can overwrite a descriptor still to be copied.
	int hi = 3;
	for (size_t i = 0; i < o->nfds; i++) {
		if (o->fds[i].child_fd >= hi) {
			hi = o->fds[i].child_fd + 1;
		}
		if (o->fds[i].parent_fd >= hi) {
			hi = o->fds[i].parent_fd + 1;
		}
	}
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	for (size_t i = 0; i < o->nfds; i++) {
		posix_spawn_file_actions_adddup2(&fa, o->fds[i].parent_fd,
		                                 hi + (int) i);
	}
	for (size_t i = 0; i < o->nfds; i++) {
		posix_spawn_file_actions_adddup2(&fa, hi + (int) i,
		                                 o->fds[i].child_fd);
	}
	// Close everything above the placed descriptors (glibc >= 2.34).
	int keep_max = 2;
	for (size_t i = 0; i < o->nfds; i++) {
		if (o->fds[i].child_fd > keep_max) {
			keep_max = o->fds[i].child_fd;
		}
	}
	posix_spawn_file_actions_addclosefrom_np(&fa, keep_max + 1);
	if (o->cwd != NULL) {
		posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
	}

	err = posix_spawn(&pid, o->path, &fa, &at, o->argv, o->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (err != 0) {
		return addin__seterr(ADDIN_ESPAWN, "cannot start %s: %s",
		                     o->path, strerror(err));
	}
	pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		err = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return addin__syserr(ADDIN_ESPAWN, err, "pidfd_open");
	}
	(void) fcntl(pidfd, F_SETFD, FD_CLOEXEC);
	*ret_pid   = (int) pid;
	*ret_pidfd = pidfd;
	return ADDIN_OK;
}

addin_err
addin__plat_pidfd_wait_ex(int pidfd, int timeout_ms, addin__plat_exit *ret)
{
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	siginfo_t     si;
	struct rusage ru;
	int           n;

	do {
		n = poll(&pfd, 1, timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return addin__syserr(ADDIN_ESYSERR, errno, "poll(pidfd)");
	}
	if (n == 0) {
		return addin__seterr(ADDIN_ETIMEDOUT, "process still running");
	}
	memset(&si, 0, sizeof(si));
	memset(&ru, 0, sizeof(ru));
	// The raw system call: glibc's waitid has no rusage argument.
	if (syscall(SYS_waitid, P_PIDFD, pidfd, &si, WEXITED | WNOHANG, &ru) <
	    0) {
		return addin__syserr(ADDIN_ESYSERR, errno, "waitid(pidfd)");
	}
	if (si.si_pid == 0) {
		return addin__seterr(ADDIN_ETIMEDOUT, "process still running");
	}
	ret->code  = si.si_code;
	ret->value = si.si_status;
	switch (si.si_code) {
	case CLD_EXITED: ret->status = (si.si_status & 0xff) << 8; break;
	case CLD_KILLED: ret->status = si.si_status & 0x7f; break;
	case CLD_DUMPED: ret->status = (si.si_status & 0x7f) | 0x80; break;
	default: ret->status = si.si_status; break;
	}
	ret->cpu_ms =
	    (int64_t) ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000 +
	    (int64_t) ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000;
	return ADDIN_OK;
}

addin_err
addin__plat_pidfd_wait(int pidfd, int timeout_ms, int *ret_status)
{
	addin__plat_exit e;
	addin_err        rv = addin__plat_pidfd_wait_ex(pidfd, timeout_ms, &e);
	if (rv == ADDIN_OK) {
		*ret_status = e.status;
	}
	return rv;
}

// Remove every entry of the directory @root_fd, at any depth, with a
// constant number of open descriptors and no recursion: a subdirectory's
// own subdirectories are first moved up into @root_fd (same file system)
// under fresh names, so each one is emptied at depth one.  The tree may
// have been built by a hostile add-in (a scratch directory): thousands of
// levels, symbolic links (never followed: unlinked as names).
static void
empty_dir(int root_fd)
{
	unsigned long seq = 0;
	bool          again;

	do {
		DIR           *d;
		struct dirent *de;
		int            dup_fd = dup(root_fd);

		again = false;
		if (dup_fd < 0 || (d = fdopendir(dup_fd)) == NULL) {
			if (dup_fd >= 0) {
				close(dup_fd);
			}
			return;
		}
		rewinddir(d);
		while ((de = readdir(d)) != NULL) {
			int  sub;
			DIR *sd;
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0) {
				continue;
			}
			if (unlinkat(root_fd, de->d_name, 0) == 0) {
				continue; // a file, a link, a socket...
			}
			sub = openat(root_fd, de->d_name,
			             O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			                 O_CLOEXEC);
			if (sub < 0) {
				continue;
			}
			if ((sd = fdopendir(sub)) == NULL) {
				close(sub);
				continue;
			}
			struct dirent *se;
			while ((se = readdir(sd)) != NULL) {
				char up[64];
				if (strcmp(se->d_name, ".") == 0 ||
				    strcmp(se->d_name, "..") == 0) {
					continue;
				}
				if (unlinkat(dirfd(sd), se->d_name, 0) == 0) {
					continue;
				}
				// A directory: move it up, empty it later.
				snprintf(up, sizeof(up), ".rmtree-%lu", seq++);
				if (renameat(dirfd(sd), se->d_name, root_fd,
				             up) == 0) {
					again = true;
				}
			}
			closedir(sd);
			if (unlinkat(root_fd, de->d_name, AT_REMOVEDIR) != 0) {
				again = again || errno == ENOTEMPTY;
			}
			again = true; // the listing changed under readdir
		}
		closedir(d);
	} while (again && seq < (1ul << 30));
}

void
addin__plat_rmtree(const char *path)
{
	int fd;
	if (path == NULL || path[0] == '\0') {
		return;
	}
	if (unlink(path) == 0) {
		return;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		return;
	}
	empty_dir(fd);
	close(fd);
	(void) rmdir(path);
}

// Trust: who could have written a file (docs/security.md, "Who could have
// written a file").  addin__plat_stat_untrusted is the rule, written once;
// walk applies it to every component of a path.

bool
addin__plat_stat_untrusted(const struct stat *st, char *why, size_t len)
{
	uid_t euid = geteuid();

	if (st->st_uid != euid && st->st_uid != 0) {
		snprintf(why, len,
		         "owned by uid %u, neither the host's user (uid %u) "
		         "nor root",
		         (unsigned) st->st_uid, (unsigned) euid);
		return true;
	}
	// A sticky directory lets others add entries, never rename or remove
	// ours: what lies below it is still checked on its own.
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) != 0)) {
		snprintf(why, len, "writable by group or others (mode %04o)",
		         (unsigned) (st->st_mode & 07777));
		return true;
	}
	return false;
}

// component_error explains why the component @comp (@n bytes of the path)
// could not be opened.
static addin_err
component_error(int e, const char *comp, size_t n)
{
	int len = (int) n;
	switch (e) {
	case ENOENT:
		return addin__syserr(ADDIN_ENOTFOUND, e, "%.*s", len, comp);
	case ELOOP:
		return addin__seterr(ADDIN_EPERM,
		                     "%.*s is a symbolic link (trusted paths "
		                     "are canonical: links are not followed)",
		                     len, comp);
	case ENOTDIR:
		return addin__seterr(ADDIN_EPERM, "%.*s is not a directory",
		                     len, comp);
	case EACCES: return addin__syserr(ADDIN_EPERM, e, "%.*s", len, comp);
	default: return addin__syserr(ADDIN_ESYSERR, e, "%.*s", len, comp);
	}
}

// check_component checks the component @comp (@n bytes of the path), open
// on @fd: not a link, a directory unless it is the @last, then a regular
// file unless @want_dir, and trusted by the rule.  *@st gets its stat.
static addin_err
check_component(int fd, const char *comp, size_t n, bool last, bool want_dir,
                struct stat *st)
{
	char why[128];
	int  len = (int) n == 0 ? 1 : (int) n; // "/" itself

	if (fstat(fd, st) != 0) {
		return addin__syserr(ADDIN_ESYSERR, errno, "%.*s", len, comp);
	}
	if (S_ISLNK(st->st_mode)) {
		return component_error(ELOOP, comp, (size_t) len);
	}
	if ((!last || want_dir) && !S_ISDIR(st->st_mode)) {
		return component_error(ENOTDIR, comp, (size_t) len);
	}
	if (last && !want_dir && !S_ISREG(st->st_mode)) {
		return addin__seterr(ADDIN_EPERM, "%.*s is not a regular file",
		                     len, comp);
	}
	if (addin__plat_stat_untrusted(st, why, sizeof(why))) {
		return addin__seterr(ADDIN_EPERM,
		                     "%.*s may have been changed by someone "
		                     "else: %s",
		                     len, comp, why);
	}
	return ADDIN_OK;
}

// walk checks the canonical absolute @path from "/" down, opening each
// component relative to the one before with O_PATH | O_NOFOLLOW, so that
// every component is looked at exactly once and none is a link.  The last
// must be a directory when @want_dir, else a regular file; *@ret_st gets
// its stat (may be NULL).
static addin_err
walk(const char *path, bool want_dir, struct stat *ret_st)
{
	struct stat st;
	const char *p;
	addin_err   rv;
	int         dfd;

	if (path == NULL || path[0] != '/' || strlen(path) >= PATH_MAX) {
		return addin__seterr(ADDIN_EINVAL, "%s: not an absolute path",
		                     path != NULL ? path : "(null)");
	}
	if ((dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		return addin__syserr(ADDIN_ESYSERR, errno, "/");
	}
	rv = check_component(dfd, path, 0, path[1] == '\0', want_dir, &st);
	for (p = path + 1; rv == ADDIN_OK && *p != '\0';) {
		const char *end = strchrnul(p, '/');
		size_t      n   = (size_t) (end - p);
		char        name[NAME_MAX + 1];
		int         fd;

		if (n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.') ||
		    (*end == '/' && end[1] == '\0')) {
			rv = addin__seterr(ADDIN_EINVAL,
			                   "%s: not a canonical path", path);
			break;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		fd      = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			rv = component_error(errno, path,
			                     (size_t) (end - path));
			break;
		}
		close(dfd);
		dfd = fd;
		rv  = check_component(fd, path, (size_t) (end - path),
		                      *end == '\0', want_dir, &st);
		p   = *end == '\0' ? end : end + 1;
	}
	close(dfd);
	if (rv == ADDIN_OK && ret_st != NULL) {
		*ret_st = st;
	}
	return rv;
}

addin_err
addin__plat_path_trusted(const char *path)
{
	return walk(path, false, NULL);
}

addin_err
addin__plat_dir_trusted(const char *path, struct stat *ret_st)
{
	return walk(path, true, ret_st);
}

addin_err
addin__plat_chmod(const char *path, int mode)
{
	if (chmod(path, (mode_t) mode) != 0) {
		return addin__syserr(ADDIN_ESYSERR, errno, "chmod %s", path);
	}
	return ADDIN_OK;
}

addin_err
addin__plat_private_dir(char *tmpl, int uid, int gid)
{
	if (mkdtemp(tmpl) == NULL) {
		return addin__syserr(ADDIN_ESYSERR, errno, "mkdtemp %s", tmpl);
	}
	if (chmod(tmpl, 0700) != 0 ||
	    ((uid != -1 || gid != -1) &&
	     chown(tmpl, (uid_t) uid, (gid_t) gid) != 0)) {
		int e = errno;
		rmdir(tmpl);
		return addin__syserr(ADDIN_ESYSERR, e, "chown/chmod %s", tmpl);
	}
	return ADDIN_OK;
}

addin_err
addin__plat_pidfd_kill(int pidfd, int sig)
{
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
		if (errno == ESRCH) {
			return ADDIN_OK; // already gone
		}
		return addin__syserr(ADDIN_ESYSERR, errno,
		                     "pidfd_send_signal");
	}
	return ADDIN_OK;
}

const char *
addin__plat_signal_name(int sig)
{
	const char              *abbrev  = sigabbrev_np(sig);
	static const char *const names[] = {"SIG?"};
	if (abbrev == NULL) {
		return names[0];
	}
	// sigabbrev_np gives "KILL"; callers want "SIGKILL".
	static _Thread_local char buf[24];
	snprintf(buf, sizeof(buf), "SIG%s", abbrev);
	return buf;
}

void
addin__plat_describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status)) {
		snprintf(buf, len, "exited with status %d",
		         WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		snprintf(buf, len, "killed by signal %d (%s)%s",
		         WTERMSIG(status),
		         addin__plat_signal_name(WTERMSIG(status)),
		         WCOREDUMP(status) ? ", core dumped" : "");
	} else {
		snprintf(buf, len, "ended with wait status 0x%x", status);
	}
}

bool
addin__plat_pdeathsig(int expected_ppid)
{
	(void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	// The parent may have died before the prctl: then we were reparented.
	return (int) getppid() == expected_ppid;
}

void
addin__plat_no_core_dumps(void)
{
	struct rlimit none = {0, 0};
	(void) setrlimit(RLIMIT_CORE, &none);
}

void
addin__plat_close_from(int first, const int *keep, size_t nkeep)
{
	DIR           *d = opendir("/proc/self/fd");
	struct dirent *de;
	int            dfd;

	if (d == NULL) {
		return;
	}
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		const char *end;
		uint64_t    fd;
		bool        kept = false;
		if (!addin__parse_u64_prefix(de->d_name, INT_MAX, &fd, &end) ||
		    *end != '\0' || fd < (uint64_t) first ||
		    fd == (uint64_t) dfd) {
			continue;
		}
		for (size_t i = 0; i < nkeep; i++) {
			kept = kept || keep[i] == (int) fd;
		}
		if (!kept) {
			close((int) fd);
		}
	}
	closedir(d);
}

addin_err
addin__plat_socketpair(int fds[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
		return addin__syserr(ADDIN_ESYSERR, errno, "socketpair");
	}
	return ADDIN_OK;
}

void
addin__plat_close(int fd)
{
	if (fd >= 0) {
		(void) close(fd); // Linux: never retry close on EINTR
	}
}

long
addin__plat_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *) buf + got, len - got);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		if (n == 0) {
			break;
		}
		got += (size_t) n;
	}
	return (long) got;
}

addin_err
addin__plat_write_full(int fd, const void *buf, size_t len)
{
	size_t put = 0;
	while (put < len) {
		ssize_t n = write(fd, (const char *) buf + put, len - put);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return addin__syserr(ADDIN_ESYSERR, errno, "write");
		}
		put += (size_t) n;
	}
	return ADDIN_OK;
}

addin_err
addin__plat_send_full(int fd, const void *buf, size_t len)
{
	size_t put = 0;
	while (put < len) {
		ssize_t n = send(fd, (const char *) buf + put, len - put,
		                 MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return addin__syserr(ADDIN_ESYSERR, errno, "send");
		}
		put += (size_t) n;
	}
	return ADDIN_OK;
}

addin_err
addin__plat_random(void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = getrandom((char *) buf + got, len - got, 0);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return addin__syserr(ADDIN_ESYSERR, errno,
			                     "getrandom");
		}
		got += (size_t) n;
	}
	return ADDIN_OK;
}

addin_err
addin__plat_rtdir_create(char **ret_path)
{
	const char       *base = getenv("XDG_RUNTIME_DIR");
	char              tmpl[PATH_MAX];
	struct stat       st;
	static atomic_int swept;

	// A runtime dir must be ours and private, and short: a unix socket
	// path is limited to 107 bytes.
	if (base == NULL || base[0] != '/' || strlen(base) > 60 ||
	    stat(base, &st) != 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 0077) != 0) {
		base = "/tmp";
	}
	// Once per process: what hosts that died hard left (their runtime
	// directories, and the sandbox's ipc and scratch directories).
	if (atomic_exchange(&swept, 1) == 0) {
		addin__plat_sweep_stale(base, "bulkhead-");
		addin__plat_sweep_stale("/tmp", "bulkhead-ipc-");
		addin__plat_sweep_stale("/tmp", "bulkhead-scratch-");
	}
	snprintf(tmpl, sizeof(tmpl), "%s/bulkhead-%d-XXXXXX", base,
	         (int) getpid());
	if (mkdtemp(tmpl) == NULL) {
		return addin__syserr(ADDIN_ESYSERR, errno, "mkdtemp %s", tmpl);
	}
	if (chmod(tmpl, 0700) != 0) {
		int e = errno;
		rmdir(tmpl);
		return addin__syserr(ADDIN_ESYSERR, e, "chmod %s", tmpl);
	}
	if ((*ret_path = addin__strdup(tmpl)) == NULL) {
		rmdir(tmpl);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	return ADDIN_OK;
}

long
addin__plat_name_pid(const char *name, const char *prefix)
{
	size_t      plen = strlen(prefix);
	const char *end;
	uint64_t    pid;

	if (strncmp(name, prefix, plen) != 0 ||
	    !addin__parse_u64_prefix(name + plen, INT_MAX, &pid, &end) ||
	    *end != '-') {
		return 0;
	}
	return (long) pid;
}

bool
addin__plat_pid_gone(long pid)
{
	return pid > 0 && kill((pid_t) pid, 0) != 0 && errno == ESRCH;
}

void
addin__plat_sweep_stale(const char *base, const char *prefix)
{
	DIR           *d = opendir(base);
	struct dirent *de;

	if (d == NULL) {
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char        path[PATH_MAX];
		struct stat st;

		if (!addin__plat_pid_gone(
		        addin__plat_name_pid(de->d_name, prefix))) {
			continue; // not ours to judge, or its host lives
		}
		snprintf(path, sizeof(path), "%s/%s", base, de->d_name);
		// Ours, or (a root host) a scratch directory given to the
		// sandbox's user.
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
		    (st.st_uid == geteuid() ||
		     (geteuid() == 0 && st.st_uid == 65534))) {
			addin__plat_rmtree(path);
		}
	}
	closedir(d);
}

void
addin__plat_rtdir_remove(const char *path)
{
	DIR           *d;
	struct dirent *de;

	if (path == NULL || (d = opendir(path)) == NULL) {
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			(void) unlinkat(dirfd(d), de->d_name, 0);
		}
	}
	closedir(d);
	(void) rmdir(path);
}

char *
addin__plat_object_dir(const void *addr)
{
	Dl_info info;
	char   *dir, *slash;

	if (dladdr(addr, &info) == 0 || info.dli_fname == NULL ||
	    info.dli_fname[0] != '/') {
		return NULL;
	}
	if ((dir = addin__strdup(info.dli_fname)) == NULL) {
		return NULL;
	}
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
	}
	return dir;
}

// glibc runs dlopen and dlclose one at a time under its own lock, which
// ThreadSanitizer cannot see (it lives in ld.so): two add-ins unloaded at
// once in one runner read as a race in ld.so's memory.  This lock around
// ours makes the order visible and costs nothing (glibc's serialises them
// anyway).  Recursive: a library's constructor or destructor may load or
// unload through us.
static pthread_mutex_t dl_mtx = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

addin_err
addin__plat_dlopen(const char *path, void **ret_handle)
{
	void       *h;
	const char *why;

	pthread_mutex_lock(&dl_mtx);
	dlerror();
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		addin__seterr(ADDIN_ELOAD, "%s", why != NULL ? why : path);
		pthread_mutex_unlock(&dl_mtx);
		return ADDIN_ELOAD;
	}
	pthread_mutex_unlock(&dl_mtx);
	*ret_handle = h;
	return ADDIN_OK;
}

void *
addin__plat_dlsym_own(void *handle, const char *name)
{
	struct link_map *self, *owner = NULL;
	Dl_info          info;
	void            *p;

	dlerror();
	if ((p = dlsym(handle, name)) == NULL ||
	    dlinfo(handle, RTLD_DI_LINKMAP, &self) != 0 ||
	    dladdr1(p, &info, (void **) &owner, RTLD_DL_LINKMAP) == 0 ||
	    owner != self) {
		return NULL;
	}
	return p;
}

void *
addin__plat_dl_owner_sym(const void *addr, const char *name, char *file,
                         size_t len)
{
	struct link_map *owner = NULL;
	Dl_info          info;
	void            *h, *p;

	if (dladdr1(addr, &info, (void **) &owner, RTLD_DL_LINKMAP) == 0 ||
	    owner == NULL || info.dli_fname == NULL) {
		return NULL;
	}
	snprintf(file, len, "%s", info.dli_fname);
	// A handle of the library without loading anything: it is loaded.
	pthread_mutex_lock(&dl_mtx);
	if ((h = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD)) == NULL) {
		pthread_mutex_unlock(&dl_mtx);
		return NULL;
	}
	p = addin__plat_dlsym_own(h, name);
	dlclose(h);
	pthread_mutex_unlock(&dl_mtx);
	return p;
}

void
addin__plat_dlclose(void *handle)
{
	if (handle != NULL) {
		pthread_mutex_lock(&dl_mtx);
		dlclose(handle);
		pthread_mutex_unlock(&dl_mtx);
	}
}

struct addin__waitset {
	int epfd;
	int evfd;
};

addin_err
addin__plat_waitset_create(addin__waitset **ret)
{
	addin__waitset    *ws = ADDIN__NEW(addin__waitset);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};

	if (ws == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	ws->epfd = epoll_create1(EPOLL_CLOEXEC);
	ws->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ws->epfd < 0 || ws->evfd < 0 ||
	    epoll_ctl(ws->epfd, EPOLL_CTL_ADD, ws->evfd, &ev) < 0) {
		int e = errno;
		addin__plat_waitset_destroy(ws);
		return addin__syserr(ADDIN_ESYSERR, e, "epoll/eventfd");
	}
	*ret = ws;
	return ADDIN_OK;
}

void
addin__plat_waitset_destroy(addin__waitset *ws)
{
	if (ws == NULL) {
		return;
	}
	addin__plat_close(ws->epfd);
	addin__plat_close(ws->evfd);
	addin__free(ws);
}

addin_err
addin__plat_waitset_add(addin__waitset *ws, int fd, void *tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};
	if (epoll_ctl(ws->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		return addin__syserr(ADDIN_ESYSERR, errno, "epoll_ctl");
	}
	return ADDIN_OK;
}

void
addin__plat_waitset_del(addin__waitset *ws, int fd)
{
	(void) epoll_ctl(ws->epfd, EPOLL_CTL_DEL, fd, NULL);
}

int
addin__plat_waitset_wait(addin__waitset *ws, int timeout_ms, void **tags,
                         int max)
{
	struct epoll_event evs[32];
	int                n;

	if (max > 32) {
		max = 32;
	}
	do {
		n = epoll_wait(ws->epfd, evs, max, timeout_ms);
	} while (n < 0 && errno == EINTR);
	for (int i = 0; i < n; i++) {
		tags[i] = evs[i].data.ptr;
		if (tags[i] == NULL) {
			uint64_t v;
			// Drains the wake-ups; none left (EAGAIN) is fine.
			if (read(ws->evfd, &v, sizeof(v)) < 0) {
				continue;
			}
		}
	}
	return n;
}

void
addin__plat_waitset_wake(addin__waitset *ws)
{
	uint64_t one = 1;
	// Only fails when the counter is full: a wake-up is pending anyway.
	if (write(ws->evfd, &one, sizeof(one)) < 0) {
		return;
	}
}
