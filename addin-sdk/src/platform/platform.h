// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// platform.h: what Bulkhead needs from the operating system, in one place.
// Linux is the only implementation (linux.c); core code never includes
// system headers for these and never tests __linux__.  Errors come back as
// addin_err with a message (errno is mapped here).

#ifndef ADDIN_PLATFORM_H
#define ADDIN_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

// Processes.
ADDIN_PRIVATE int addin__plat_getpid(void);

// addin__plat_is_self_or_descendant: is @pid == @ancestor, or a child,
// grandchild ... of it (walks /proc/<pid>/stat, at most 32 levels)?
ADDIN_PRIVATE bool addin__plat_is_self_or_descendant(int pid, int ancestor);

// A file descriptor the child gets at a fixed number.
typedef struct addin__spawn_fd {
	int parent_fd;
	int child_fd;
} addin__spawn_fd;

typedef struct addin__spawn_opts {
	const char            *path; // executable
	char *const           *argv; // NULL-terminated
	char *const           *envp; // NULL-terminated; the whole environment
	const addin__spawn_fd *fds;  // placed at child_fd; all others closed
	size_t                 nfds;
	bool                   new_pgroup; // own process group
	const char            *cwd;        // working directory; NULL: ours
} addin__spawn_opts;

// addin__plat_spawn starts a process with posix_spawn: signal mask cleared,
// signal dispositions reset, stdin from /dev/null, stdout and stderr
// inherited unless mapped in @fds, every other descriptor closed.  Returns
// its pid and a pidfd (O_CLOEXEC) for race-free waiting.  ADDIN_ESPAWN with
// the reason (e.g. "/x/addin-runner: No such file or directory").
ADDIN_PRIVATE addin_err addin__plat_spawn(const addin__spawn_opts *o,
                                          int *ret_pid, int *ret_pidfd);

// addin__plat_pidfd_wait waits up to @timeout_ms (-1: forever, 0: poll) for
// the process of @pidfd to end and reaps it.  ADDIN_OK with *ret_status (a
// wait status as from waitpid), ADDIN_ETIMEDOUT, ADDIN_ESYSERR.
ADDIN_PRIVATE addin_err addin__plat_pidfd_wait(int pidfd, int timeout_ms,
                                               int *ret_status);

// How a process ended, from waitid: @code is CLD_EXITED, CLD_KILLED or
// CLD_DUMPED, @value the exit code or signal, @status the same as a
// waitpid status, @cpu_ms the CPU time it used (user + system).
typedef struct addin__plat_exit {
	int     code;
	int     value;
	int     status;
	int64_t cpu_ms;
} addin__plat_exit;

// addin__plat_pidfd_wait_ex is addin__plat_pidfd_wait with the details.
ADDIN_PRIVATE addin_err addin__plat_pidfd_wait_ex(int pidfd, int timeout_ms,
                                                  addin__plat_exit *ret);

// addin__plat_rmtree removes @path and everything below it without
// following symbolic links.  Best effort.
ADDIN_PRIVATE void addin__plat_rmtree(const char *path);

// addin__plat_private_dir makes a directory from @tmpl ("/tmp/x-XXXXXX",
// modified in place) with mode 0700, owned by @uid/@gid when they are not
// -1 (the sandbox's user).  ADDIN_ESYSERR.
ADDIN_PRIVATE addin_err addin__plat_private_dir(char *tmpl, int uid, int gid);

// addin__plat_path_trusted checks that code at @path can only have been
// put there by us or root: the file is a regular file (not a symbolic
// link) owned by root or our euid and not writable by group or others,
// and so is every directory above it (a directory others may write is
// accepted only with the sticky bit, as /tmp).  Loading a library is
// running its code: the host checks again at activation what discovery
// checked, in case something changed since.  ADDIN_EPERM with the reason,
// ADDIN_ENOTFOUND, ADDIN_EINVAL (not absolute).
ADDIN_PRIVATE addin_err addin__plat_path_trusted(const char *path);

// addin__plat_chmod sets @path's mode.  ADDIN_ESYSERR.
ADDIN_PRIVATE addin_err addin__plat_chmod(const char *path, int mode);

// addin__plat_pidfd_kill sends @sig to the process of @pidfd (not reaped).
ADDIN_PRIVATE addin_err addin__plat_pidfd_kill(int pidfd, int sig);

// addin__plat_describe_status writes "exited with status 3" / "killed by
// signal 9 (SIGKILL)" for a wait status.
ADDIN_PRIVATE void addin__plat_describe_status(int status, char *buf,
                                               size_t len);

// addin__plat_pdeathsig asks for SIGKILL when the parent thread exits and
// returns false if the parent (@expected_ppid) is already gone.
ADDIN_PRIVATE bool addin__plat_pdeathsig(int expected_ppid);

// addin__plat_no_core_dumps sets RLIMIT_CORE to 0.
ADDIN_PRIVATE void addin__plat_no_core_dumps(void);

// addin__plat_close_from closes every descriptor >= @first except the ones
// listed in @keep.
ADDIN_PRIVATE void addin__plat_close_from(int first, const int *keep,
                                          size_t nkeep);

// addin__plat_socketpair makes an O_CLOEXEC AF_UNIX stream socket pair: a
// one-way channel to a child process that, written with
// addin__plat_send_full, fails with EPIPE instead of raising SIGPIPE in the
// host when the child is already gone.
ADDIN_PRIVATE addin_err addin__plat_socketpair(int fds[2]);

// addin__plat_close closes @fd if >= 0 (EINTR-safe).
ADDIN_PRIVATE void addin__plat_close(int fd);

// addin__plat_read_full / write_full: loop over short reads and EINTR.
// read_full returns the bytes read (< @len at EOF) or -1.
ADDIN_PRIVATE long      addin__plat_read_full(int fd, void *buf, size_t len);
ADDIN_PRIVATE addin_err addin__plat_write_full(int fd, const void *buf,
                                               size_t len);
// addin__plat_send_full: write_full for a socket, with MSG_NOSIGNAL.
ADDIN_PRIVATE addin_err addin__plat_send_full(int fd, const void *buf,
                                              size_t len);

// addin__plat_random fills @buf from the kernel's CSPRNG.
ADDIN_PRIVATE addin_err addin__plat_random(void *buf, size_t len);

// addin__plat_rtdir_create makes a private runtime directory (mode 0700)
// under $XDG_RUNTIME_DIR, or /tmp, named bulkhead-<pid>-XXXXXX.  The caller
// frees *ret_path with addin__free and removes the directory with
// addin__plat_rtdir_remove.
ADDIN_PRIVATE addin_err addin__plat_rtdir_create(char **ret_path);
// addin__plat_name_pid returns the pid in a name "<@prefix><pid>-...", or
// 0 when @name is not such a name.
ADDIN_PRIVATE long addin__plat_name_pid(const char *name, const char *prefix);
// addin__plat_pid_gone is true when no process has @pid (as far as this
// pid namespace can see).
ADDIN_PRIVATE bool addin__plat_pid_gone(long pid);
// addin__plat_sweep_stale removes the directories in @base named
// "<@prefix><pid>-..." that belong to us (our euid) and whose pid no
// longer exists: what hosts that died hard left behind.  Best effort.
ADDIN_PRIVATE void addin__plat_sweep_stale(const char *base,
                                           const char *prefix);

// addin__plat_rtdir_remove unlinks the sockets and files in @path, then
// the directory.  Best effort.
ADDIN_PRIVATE void addin__plat_rtdir_remove(const char *path);

// addin__plat_self_dir returns the directory holding the shared object
// that contains @addr (dladdr), e.g. the build's lib/ directory.  The
// caller frees it with addin__free.  NULL when unknown.
ADDIN_PRIVATE char *addin__plat_object_dir(const void *addr);

// A wait set: readiness of descriptors, plus a wake-up from other threads
// (epoll + eventfd on Linux).
typedef struct addin__waitset addin__waitset;
ADDIN_PRIVATE addin_err       addin__plat_waitset_create(addin__waitset **ret);
ADDIN_PRIVATE void            addin__plat_waitset_destroy(addin__waitset *ws);
// add: report @tag when @fd becomes readable.
ADDIN_PRIVATE addin_err addin__plat_waitset_add(addin__waitset *ws, int fd,
                                                void *tag);
ADDIN_PRIVATE void      addin__plat_waitset_del(addin__waitset *ws, int fd);
// wait: up to @timeout_ms (-1 forever); fills @tags with up to @max tags
// of ready descriptors (NULL for a wake-up) and returns how many, or -1.
ADDIN_PRIVATE int addin__plat_waitset_wait(addin__waitset *ws, int timeout_ms,
                                           void **tags, int max);
// wake: make a concurrent or the next wait return.  Async-signal-safe.
ADDIN_PRIVATE void addin__plat_waitset_wake(addin__waitset *ws);

// addin__plat_signal_name returns "SIGKILL" ... or "SIG?".
ADDIN_PRIVATE const char *addin__plat_signal_name(int sig);

#endif // ADDIN_PLATFORM_H
