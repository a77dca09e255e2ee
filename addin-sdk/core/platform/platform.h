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

// Trust: who could have written a file.  The host loads segments into its
// own process (and discovery reads their metadata), so it uses only files
// that nobody but the host's effective user and root could have written or
// replaced.  The rule is written once, in addin__plat_stat_untrusted; the
// two walks apply it to a whole path; discovery (the store) and activation
// (the loader, host adapters) use nothing else.  docs/security.md ("Who
// could have written a file") states the rule and its reasons.
struct stat;

// addin__plat_stat_untrusted is the rule for one file or directory, given
// its lstat/fstat @st: it is untrusted when it is owned by anyone but root
// and the host's effective user, or writable by group or others, except
// that a directory with the sticky bit (such as /tmp) may be writable by
// others (they may add entries there, but never rename or remove ours).
// The type (regular file, directory, link) is the caller's business.
// Returns true and writes the reason to @why ("owned by uid 65534, neither
// the host's user (uid 0) nor root", "writable by group or others (mode
// 0775)"), or false.  Thread-safe.
ADDIN_PRIVATE bool addin__plat_stat_untrusted(const struct stat *st, char *why,
                                              size_t len);

// addin__plat_path_trusted checks that the regular file at @path can only
// have been put there by us or root: @path must be canonical and absolute
// (as realpath(3) gives; tokens carry such paths), and from "/" down every
// component is opened without following links and checked once: a
// component that is a symbolic link at check time is refused, every
// directory and the file itself must pass addin__plat_stat_untrusted, and
// the file must be a regular file.  Loading a library is running its code:
// the host checks at activation what discovery checked, in case something
// changed since.  Returns ADDIN_OK; ADDIN_EPERM with the reason ("<path of
// the component> may have been changed by someone else: <rule's reason>",
// "<component> is a symbolic link ...", "... is not a regular file", or a
// component that cannot be searched); ADDIN_ENOTFOUND; ADDIN_EINVAL (not
// canonical and absolute); ADDIN_ESYSERR.  Thread-safe.
ADDIN_PRIVATE addin_err addin__plat_path_trusted(const char *path);

// addin__plat_dir_trusted is addin__plat_path_trusted for a directory
// (discovery's pipeline directory): the last component must be a
// directory.  On success *@ret_st (may be NULL) is its stat, so that the
// caller can tell it is the directory it opened.  Same errors.
ADDIN_PRIVATE addin_err addin__plat_dir_trusted(const char  *path,
                                                struct stat *ret_st);

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

// Dynamic loading.
//
// addin__plat_dlopen loads the shared library @path with RTLD_NOW |
// RTLD_LOCAL (its symbols never clash with another library's).  The caller
// checks first that the file may be loaded (addin__plat_path_trusted).
// ADDIN_ELOAD with dlerror()'s message.  Thread-safe.
ADDIN_PRIVATE addin_err addin__plat_dlopen(const char *path,
                                           void      **ret_handle);
// addin__plat_dlsym_own returns the address of @name in the library of
// @handle itself, or NULL when that library does not define it.  dlsym()
// on a handle also searches the libraries it depends on: a file swapped for
// one that merely links the right segment (a host adapter put where the
// contract was) would otherwise pass for it.  Thread-safe.
ADDIN_PRIVATE void *addin__plat_dlsym_own(void *handle, const char *name);
// addin__plat_dl_owner_sym returns the address of @name in the loaded
// library that contains @addr (defined by that library itself, as
// addin__plat_dlsym_own), or NULL; @file gets that library's path.  The
// library stays loaded as long as whoever loaded it keeps it.
ADDIN_PRIVATE void *addin__plat_dl_owner_sym(const void *addr,
                                             const char *name, char *file,
                                             size_t len);
// addin__plat_dlclose unloads @handle; accepts NULL.
ADDIN_PRIVATE void addin__plat_dlclose(void *handle);

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
