// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The runner's end of the report socket: what it applied, a failed setup
// step (then the fixed exit code), and the SIGSYS reporter that writes a
// seccomp violation's record from a signal handler.  Sending is
// async-signal-safe: no allocation, raw system calls.

#define _GNU_SOURCE

#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox_runner.h"

// rec_init fills the common fields; async-signal-safe (no memset call on
// purpose: plain stores).
static void
rec_init(addin__sandbox_record *r, uint16_t type)
{
	unsigned char *b = (unsigned char *) r;
	for (size_t i = 0; i < sizeof(*r); i++) {
		b[i] = 0;
	}
	r->magic   = ADDIN__REC_MAGIC;
	r->version = ADDIN__REC_VERSION;
	r->type    = type;
	r->pid     = (int32_t) syscall(SYS_getpid);
	r->tid     = (int32_t) syscall(SYS_gettid);
}

static void
rec_text(addin__sandbox_record *r, const char *s)
{
	size_t i = 0;
	for (; s != NULL && s[i] != '\0' && i < sizeof(r->text) - 1; i++) {
		r->text[i] = s[i];
	}
	r->text[i] = '\0';
}

static void
rec_send(int fd, const addin__sandbox_record *r)
{
	int saved = errno;
	if (fd >= 0) {
		// Raw syscall: no interceptor, never blocks, no SIGPIPE.
		(void) syscall(SYS_sendto, fd, r, sizeof(*r),
		               MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0);
	}
	errno = saved;
}

void
addin__sandbox_report_applied(int fd, uint32_t flags)
{
	addin__sandbox_record r;
	rec_init(&r, ADDIN__REC_APPLIED);
	r.flags = flags;
	rec_send(fd, &r);
}

void
addin__sandbox_fail(int fd, addin__sandbox_step step, int errnum)
{
	addin__sandbox_record r;
	rec_init(&r, ADDIN__REC_SETUP);
	r.flags  = (uint32_t) step;
	r.errnum = errnum;
	rec_text(&r, addin__sandbox_step_name((int) step));
	rec_send(fd, &r);
	_exit(ADDIN__SANDBOX_EXIT_SETUP);
}

// ---------------------------------------------------------------- SIGSYS

// Syscall names of the native architecture, built before any filter is
// loaded so that the handler needs neither allocation nor libseccomp.
#define NAME_TABLE_LEN 640
#define NAME_LEN       24
static char     name_table[NAME_TABLE_LEN][NAME_LEN];
static bool     name_table_built;
static int      report_fd   = -1;
static uint32_t native_arch = 0; // AUDIT_ARCH_*, cached for the handler

static void
build_name_table(void)
{
	if (name_table_built) {
		return;
	}
	for (int nr = 0; nr < NAME_TABLE_LEN; nr++) {
		char *n =
		    seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (n != NULL) {
			size_t l = strnlen(n, NAME_LEN - 1);
			memcpy(name_table[nr], n, l);
			name_table[nr][l] = '\0';
			free(n); // banned-ok: libseccomp allocated it with
			         // malloc
		}
	}
	name_table_built = true;
}

const char *
addin__sandbox_syscall_name(int nr)
{
	if (nr < 0 || nr >= NAME_TABLE_LEN || name_table[nr][0] == '\0') {
		return "?";
	}
	return name_table[nr];
}

static void
on_sigsys(int sig, siginfo_t *si, void *uc)
{
	addin__sandbox_record r;
	(void) uc;
	rec_init(&r, ADDIN__REC_SIGSYS);
	r.nr     = si->si_syscall;
	r.arch   = si->si_arch;
	r.code   = si->si_code;
	r.errnum = si->si_errno;
	r.addr   = (uint64_t) (uintptr_t) si->si_call_addr;
	if (r.arch == native_arch) {
		rec_text(&r, addin__sandbox_syscall_name(si->si_syscall));
	} else {
		rec_text(&r, "?");
	}
	rec_send(report_fd, &r);
	// The handler was installed with SA_RESETHAND, so SIGSYS is back to
	// its default action, and it is blocked while we run: this signal
	// stays pending and kills the process as soon as the handler
	// returns, before the trapped code could continue.
	(void) syscall(SYS_tgkill, r.pid, r.tid, sig);
}

addin_err
addin__sandbox_sigsys_install(int fd)
{
	struct sigaction sa;
	sigset_t         set;

	build_name_table();
	native_arch = seccomp_arch_native();
	report_fd   = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags     = SA_SIGINFO | SA_RESETHAND;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0) {
		return addin__syserr(ADDIN_ESANDBOX, errno,
		                     "sandbox: sigaction(SIGSYS)");
	}
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	return ADDIN_OK;
}
