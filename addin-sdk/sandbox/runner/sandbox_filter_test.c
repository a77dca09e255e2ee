// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Unit tests of the seccomp policy, without loading anything into the
// kernel: each stage is exported as BPF (seccomp_export_bpf) and run on a
// small classic-BPF interpreter below against the system calls an add-in
// would make, and exported as PFC text for a few assertions on its form.

#define _GNU_SOURCE

#include "addin_test.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "sandbox_runner.h"

#define SELF 2 // the worker's pid in its namespace

#define TRAP       SECCOMP_RET_TRAP
#define ALLOW      SECCOMP_RET_ALLOW
#define ENOSYS_RET (SECCOMP_RET_ERRNO | ENOSYS)

#ifdef __x86_64__
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#endif

struct prog {
	struct sock_filter insns[4096];
	size_t             len;
};

static void export(const addin__sandbox_policy *p, int stage, bool pfc,
                   char *out, size_t size, size_t *ret_len)
{
	int     fd = memfd_create("filter", MFD_CLOEXEC);
	ssize_t n;
	ADDIN_CHECK(fd >= 0);
	ADDIN_PASS(addin__sandbox_filter_export(p, stage, SELF, pfc, fd));
	n = pread(fd, out, size, 0);
	ADDIN_CHECK(n > 0 && (size_t) n < size);
	close(fd);
	*ret_len = (size_t) n;
}

static void
load_prog(const addin__sandbox_policy *p, int stage, struct prog *prog)
{
	size_t len;
	export(p, stage, false, (char *) prog->insns, sizeof(prog->insns),
	       &len);
	ADDIN_CHECK(len % sizeof(struct sock_filter) == 0);
	prog->len = len / sizeof(struct sock_filter);
}

// run interprets @prog on @d as the kernel would and returns the action
// (SECCOMP_RET_ACTION_FULL | data).  It fails the test on anything it does
// not know rather than guessing.
static uint32_t
run(const struct prog *prog, const struct seccomp_data *d)
{
	uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = {0};
	size_t   pc = 0;
	for (int steps = 0; steps < 100000; steps++) {
		ADDIN_CHECKF(pc < prog->len, "pc %zu past the end", pc);
		const struct sock_filter *f = &prog->insns[pc++];
		uint32_t                  k = f->k;
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			ADDIN_CHECK(k % 4 == 0 && k + 4 <= sizeof(*d));
			memcpy(&A, (const char *) d + k, 4);
			break;
		case BPF_LD | BPF_IMM: A = k; break;
		case BPF_LDX | BPF_IMM: X = k; break;
		case BPF_LD | BPF_MEM: A = M[k % BPF_MEMWORDS]; break;
		case BPF_LDX | BPF_MEM: X = M[k % BPF_MEMWORDS]; break;
		case BPF_ST: M[k % BPF_MEMWORDS] = A; break;
		case BPF_STX: M[k % BPF_MEMWORDS] = X; break;
		case BPF_ALU | BPF_AND | BPF_K: A &= k; break;
		case BPF_ALU | BPF_OR | BPF_K: A |= k; break;
		case BPF_ALU | BPF_AND | BPF_X: A &= X; break;
		case BPF_MISC | BPF_TAX: X = A; break;
		case BPF_MISC | BPF_TXA: A = X; break;
		case BPF_JMP | BPF_JA: pc += k; break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += A == k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += A > k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += A >= k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (A & k) ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JEQ | BPF_X:
			pc += A == X ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_X:
			pc += A > X ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_X:
			pc += A >= X ? f->jt : f->jf;
			break;
		case BPF_RET | BPF_K: return k;
		case BPF_RET | BPF_A: return A;
		default:
			ADDIN_CHECKF(false, "unknown BPF opcode 0x%x",
			             f->code);
		}
	}
	ADDIN_CHECKF(false, "filter did not end");
	return 0;
}

static uint32_t
call(const struct prog *prog, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
     uint64_t a3)
{
	struct seccomp_data d;
	memset(&d, 0, sizeof(d));
	d.nr                  = (int) nr;
	d.arch                = NATIVE_ARCH;
	d.instruction_pointer = 0x401000;
	d.args[0]             = a0;
	d.args[1]             = a1;
	d.args[2]             = a2;
	d.args[3]             = a3;
	return run(prog, &d);
}

#define EXPECT(prog, want, nr, ...)                                         \
	do {                                                                \
		uint32_t got_ = call_args(prog, nr, #nr, ##__VA_ARGS__);    \
		ADDIN_CHECKF(got_ == (want), "%s(%s): got 0x%x, want 0x%x", \
		             #nr, #__VA_ARGS__, got_, (unsigned) (want));   \
	} while (0)

static uint32_t
call_args_(const struct prog *prog, long nr, const uint64_t *a)
{
	return call(prog, nr, a[0], a[1], a[2], a[3]);
}
#define call_args(prog, nr, name, ...) \
	call_args_(prog, nr, (const uint64_t[5]) {__VA_ARGS__})

static addin__sandbox_policy
policy(addin__sandbox_level level)
{
	addin__sandbox_policy p;
	addin__sandbox_policy_init(&p, level);
	return p;
}

#define THREAD_FLAGS                                                        \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |               \
	 CLONE_CHILD_CLEARTID)

static void
test_stage1(void)
{
	static struct prog    prog;
	addin__sandbox_policy p = policy(ADDIN__SANDBOX_RESTRICTED);
	load_prog(&p, 1, &prog);

	// The deny list of issue 6, each trapping.
	static const long denied[] = {SYS_ptrace,
	                              SYS_process_vm_readv,
	                              SYS_process_vm_writev,
	                              SYS_mount,
	                              SYS_umount2,
	                              SYS_pivot_root,
	                              SYS_unshare,
	                              SYS_setns,
	                              SYS_bpf,
	                              SYS_keyctl,
	                              SYS_add_key,
	                              SYS_request_key,
	                              SYS_perf_event_open,
	                              SYS_userfaultfd,
	                              SYS_io_uring_setup,
	                              SYS_io_uring_enter,
	                              SYS_io_uring_register,
	                              SYS_kexec_load,
	                              SYS_kexec_file_load,
	                              SYS_init_module,
	                              SYS_finit_module,
	                              SYS_delete_module,
	                              SYS_execve,
	                              SYS_execveat,
	                              SYS_open_by_handle_at,
	                              SYS_pidfd_getfd,
	                              SYS_tkill,
	                              SYS_pidfd_send_signal};
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		uint32_t got = call(&prog, denied[i], 0, 0, 0, 0);
		ADDIN_CHECKF(got == TRAP, "syscall %ld: 0x%x", denied[i], got);
	}
	// Default allow: the runner still loads the add-in and starts nng.
	EXPECT(&prog, ALLOW, SYS_read, 0, 0, 0);
	EXPECT(&prog, ALLOW, SYS_openat, AT_FDCWD, 0, O_RDONLY);
	EXPECT(&prog, ALLOW, SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC);
	EXPECT(&prog, ALLOW, SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	// clone: threads yes; new processes and namespaces no (add-in code
	// runs before stage 2: a process forked then would escape it);
	// clone3 ENOSYS.
	EXPECT(&prog, ALLOW, SYS_clone, THREAD_FLAGS, 0);
	EXPECT(&prog, TRAP, SYS_clone, SIGCHLD, 0);
	EXPECT(&prog, TRAP, SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0);
	EXPECT(&prog, TRAP, SYS_fork, 0);
	EXPECT(&prog, TRAP, SYS_vfork, 0);
	EXPECT(&prog, TRAP, SYS_clone, CLONE_NEWUSER | SIGCHLD, 0);
	EXPECT(&prog, TRAP, SYS_clone, CLONE_NEWNET | THREAD_FLAGS, 0);
	EXPECT(&prog, TRAP, SYS_clone, CLONE_NEWPID, 0);
	EXPECT(&prog, ENOSYS_RET, SYS_clone3, 0, 0);
	// The SIGSYS reporter stays: set traps, query does not.
	EXPECT(&prog, TRAP, SYS_rt_sigaction, SIGSYS, 0x7000, 0);
	EXPECT(&prog, ALLOW, SYS_rt_sigaction, SIGSYS, 0, 0x7000);
	EXPECT(&prog, ALLOW, SYS_rt_sigaction, SIGSEGV, 0x7000, 0);
	// Signals only to itself.
	EXPECT(&prog, ALLOW, SYS_kill, SELF, SIGTERM);
	EXPECT(&prog, TRAP, SYS_kill, 1, SIGKILL);
	EXPECT(&prog, TRAP, SYS_kill, 0, SIGKILL);
	EXPECT(&prog, TRAP, SYS_kill, (uint64_t) -1, SIGKILL);
	EXPECT(&prog, TRAP, SYS_kill, 0xffffffffull, SIGKILL);
	EXPECT(&prog, ALLOW, SYS_tgkill, SELF, 7, SIGSYS);
	EXPECT(&prog, TRAP, SYS_tgkill, 4242, 4242, SIGKILL);
	// Their queued forms alike (sigqueue, pthread_sigqueue); a pidfd
	// cannot be compared with a pid: pidfd_send_signal traps.
	EXPECT(&prog, ALLOW, SYS_rt_sigqueueinfo, SELF, SIGUSR1, 0x7000);
	EXPECT(&prog, TRAP, SYS_rt_sigqueueinfo, 1, SIGKILL, 0x7000);
	EXPECT(&prog, TRAP, SYS_rt_sigqueueinfo, 4242, SIGKILL, 0x7000);
	EXPECT(&prog, TRAP, SYS_rt_sigqueueinfo, (uint64_t) -1, SIGKILL,
	       0x7000);
	EXPECT(&prog, ALLOW, SYS_rt_tgsigqueueinfo, SELF, 7, SIGUSR1, 0x7000);
	EXPECT(&prog, TRAP, SYS_rt_tgsigqueueinfo, 4242, 4242, SIGKILL,
	       0x7000);
	EXPECT(&prog, TRAP, SYS_rt_tgsigqueueinfo, 1, 1, SIGKILL, 0x7000);
	EXPECT(&prog, TRAP, SYS_pidfd_send_signal, 3, SIGKILL, 0, 0);
	EXPECT(&prog, TRAP, SYS_prctl, PR_SET_DUMPABLE, 1);
	EXPECT(&prog, ALLOW, SYS_prctl, PR_SET_NAME, 0);
}

static void
test_stage2_restricted(void)
{
	static struct prog    prog;
	addin__sandbox_policy p = policy(ADDIN__SANDBOX_RESTRICTED);
	load_prog(&p, 2, &prog);

	// What nng 1.5.2 needs in steady state (notes), plus shutdown.
	static const long nng[] = {SYS_futex,        SYS_readv,
	                           SYS_sendmsg,      SYS_epoll_ctl,
	                           SYS_epoll_wait,   SYS_getrandom,
	                           SYS_munmap,       SYS_read,
	                           SYS_write,        SYS_close,
	                           SYS_exit_group,   SYS_exit,
	                           SYS_rseq,         SYS_set_robust_list,
	                           SYS_recvmsg,      SYS_madvise,
	                           SYS_sigaltstack,  SYS_clock_gettime,
	                           SYS_nanosleep,    SYS_getpid,
	                           SYS_gettid,       SYS_rt_sigprocmask,
	                           SYS_rt_sigreturn, SYS_brk};
	for (size_t i = 0; i < sizeof(nng) / sizeof(nng[0]); i++) {
		uint32_t got = call(&prog, nng[i], 0, 0, 0, 0);
		ADDIN_CHECKF(got == ALLOW, "syscall %ld: 0x%x", nng[i], got);
	}
	EXPECT(&prog, ALLOW, SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE);
	EXPECT(&prog, ALLOW, SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC);
	EXPECT(&prog, ALLOW, SYS_mprotect, 0, 4096, PROT_READ | PROT_EXEC);
	// Files inside the private root.
	EXPECT(&prog, ALLOW, SYS_openat, AT_FDCWD, 0, O_RDONLY);
	EXPECT(&prog, ALLOW, SYS_newfstatat, AT_FDCWD, 0x1000, 0, 0);
	EXPECT(&prog, ALLOW, SYS_unlinkat, AT_FDCWD, 0x1000, 0);
	// Threads only.
	EXPECT(&prog, ALLOW, SYS_clone, THREAD_FLAGS, 0);
	EXPECT(&prog, TRAP, SYS_clone, SIGCHLD, 0);
	EXPECT(&prog, TRAP, SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0);
	EXPECT(&prog, TRAP, SYS_clone, THREAD_FLAGS | CLONE_NEWNET, 0);
	EXPECT(&prog, TRAP, SYS_fork, 0);
	EXPECT(&prog, TRAP, SYS_vfork, 0);
	EXPECT(&prog, ENOSYS_RET, SYS_clone3, 0, 0);
	// The hostile set of issue 6.
	EXPECT(&prog, TRAP, SYS_execve, 0, 0, 0);
	EXPECT(&prog, TRAP, SYS_ptrace, 16 /* PTRACE_ATTACH */, 1);
	EXPECT(&prog, TRAP, SYS_io_uring_setup, 8, 0);
	EXPECT(&prog, TRAP, SYS_unshare, CLONE_NEWUSER);
	EXPECT(&prog, TRAP, SYS_mount, 0, 0, 0);
	EXPECT(&prog, TRAP, SYS_bpf, 0, 0, 0);
	EXPECT(&prog, TRAP, SYS_kill, 1, SIGKILL);
	EXPECT(&prog, TRAP, SYS_kill, 0, SIGKILL);
	EXPECT(&prog, ALLOW, SYS_kill, SELF, SIGABRT);
	EXPECT(&prog, ALLOW, SYS_tgkill, SELF, 9, SIGSYS);
	EXPECT(&prog, TRAP, SYS_tgkill, 1, 1, SIGKILL);
	// Queued signals and pidfds: not even to itself.
	EXPECT(&prog, TRAP, SYS_rt_sigqueueinfo, 1, SIGKILL, 0x7000);
	EXPECT(&prog, TRAP, SYS_rt_sigqueueinfo, SELF, SIGUSR1, 0x7000);
	EXPECT(&prog, TRAP, SYS_rt_tgsigqueueinfo, 1, 1, SIGKILL, 0x7000);
	EXPECT(&prog, TRAP, SYS_rt_tgsigqueueinfo, SELF, 7, SIGUSR1, 0x7000);
	EXPECT(&prog, TRAP, SYS_pidfd_send_signal, 3, SIGKILL, 0, 0);
	EXPECT(&prog, TRAP, SYS_pidfd_open, 1, 0);
	EXPECT(&prog, TRAP, SYS_rt_sigaction, SIGSYS, 0x7000, 0);
	EXPECT(&prog, ALLOW, SYS_rt_sigaction, SIGSYS, 0, 0x7000);
	EXPECT(&prog, ALLOW, SYS_rt_sigaction, SIGABRT, 0x7000, 0);
	// Sockets: AF_UNIX only without the network grant.
	EXPECT(&prog, ALLOW, SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	EXPECT(&prog, TRAP, SYS_socket, AF_INET, SOCK_STREAM, 0);
	EXPECT(&prog, TRAP, SYS_socket, AF_INET6, SOCK_DGRAM, 0);
	EXPECT(&prog, TRAP, SYS_socket, AF_NETLINK, SOCK_RAW, 0);
	EXPECT(&prog, TRAP, SYS_socket, AF_PACKET, SOCK_RAW, 0);
	EXPECT(&prog, ALLOW, SYS_connect, 3, 0, 0);
	// ioctl and prctl: a short list.
	EXPECT(&prog, ALLOW, SYS_ioctl, 1, TCGETS, 0);
	EXPECT(&prog, ALLOW, SYS_ioctl, 5, FIONBIO, 0);
	EXPECT(&prog, TRAP, SYS_ioctl, 0, TIOCSTI, 0);
	EXPECT(&prog, ALLOW, SYS_prctl, PR_SET_NAME, 0);
	EXPECT(&prog, TRAP, SYS_prctl, PR_SET_DUMPABLE, 1);
	EXPECT(&prog, TRAP, SYS_prctl, PR_SET_SECCOMP, 2);
	EXPECT(&prog, ALLOW, SYS_prlimit64, 0, RLIMIT_NOFILE, 0, 0x7000);
	EXPECT(&prog, TRAP, SYS_prlimit64, 1, RLIMIT_NOFILE, 0x7000, 0);
	// Anything unlisted traps.
	EXPECT(&prog, TRAP, SYS_setuid, 0);
	EXPECT(&prog, TRAP, SYS_chroot, 0);
	EXPECT(&prog, TRAP, SYS_seccomp, 1, 0, 0);
	EXPECT(&prog, TRAP, SYS_shmat, 0, 0, 0);
	EXPECT(&prog, TRAP, SYS_personality, 0x0040000);
	EXPECT(&prog, TRAP, 9999, 0);
}

static void
test_stage2_network(void)
{
	static struct prog    prog;
	addin__sandbox_policy p = policy(ADDIN__SANDBOX_RESTRICTED);
	p.network               = true;
	load_prog(&p, 2, &prog);
	EXPECT(&prog, ALLOW, SYS_socket, AF_INET, SOCK_STREAM, 0);
	EXPECT(&prog, ALLOW, SYS_socket, AF_INET6, SOCK_DGRAM, 0);
	EXPECT(&prog, ALLOW, SYS_socket, AF_NETLINK, SOCK_RAW, 0);
	EXPECT(&prog, TRAP, SYS_socket, AF_NETLINK, SOCK_RAW, 9);
	EXPECT(&prog, TRAP, SYS_socket, AF_PACKET, SOCK_RAW, 0);
}

static void
test_stage2_strict(void)
{
	static struct prog    prog;
	addin__sandbox_policy p = policy(ADDIN__SANDBOX_STRICT);
	load_prog(&p, 2, &prog);
	// No file access at all.
	EXPECT(&prog, TRAP, SYS_openat, AT_FDCWD, 0x1000, O_RDONLY);
	EXPECT(&prog, TRAP, SYS_open, 0x1000, O_RDONLY);
	EXPECT(&prog, TRAP, SYS_creat, 0x1000, 0644);
	EXPECT(&prog, TRAP, SYS_stat, 0x1000, 0x2000);
	EXPECT(&prog, TRAP, SYS_access, 0x1000, 0);
	EXPECT(&prog, TRAP, SYS_readlink, 0x1000, 0x2000, 64);
	EXPECT(&prog, TRAP, SYS_getdents64, 3, 0, 0);
	EXPECT(&prog, TRAP, SYS_unlink, 0x1000);
	EXPECT(&prog, TRAP, SYS_newfstatat, AT_FDCWD, 0x1000, 0x2000, 0);
	EXPECT(&prog, ALLOW, SYS_newfstatat, 1, 0x1000, 0x2000, AT_EMPTY_PATH);
	EXPECT(&prog, ALLOW, SYS_fstat, 1, 0x2000);
	EXPECT(&prog, TRAP, SYS_memfd_create, 0x1000, 0);
	// No new executable memory.
	EXPECT(&prog, ALLOW, SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE);
	EXPECT(&prog, ALLOW, SYS_mmap, 0, 4096, PROT_NONE);
	EXPECT(&prog, TRAP, SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC);
	EXPECT(&prog, TRAP, SYS_mmap, 0, 4096, PROT_EXEC);
	EXPECT(&prog, ALLOW, SYS_mprotect, 0, 4096, PROT_READ);
	EXPECT(&prog, TRAP, SYS_mprotect, 0, 4096, PROT_READ | PROT_EXEC);
	EXPECT(&prog, TRAP, SYS_pkey_mprotect, 0, 4096, PROT_EXEC, 0);
	// No new sockets; the connected one keeps working.
	EXPECT(&prog, TRAP, SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	EXPECT(&prog, TRAP, SYS_connect, 3, 0, 0);
	EXPECT(&prog, ALLOW, SYS_sendmsg, 3, 0, 0);
	EXPECT(&prog, ALLOW, SYS_recvmsg, 3, 0, 0);
	EXPECT(&prog, ALLOW, SYS_epoll_wait, 4, 0, 1, 0);
	EXPECT(&prog, ALLOW, SYS_futex, 0, 0, 0);
	EXPECT(&prog, ALLOW, SYS_clone, THREAD_FLAGS, 0);
}

static void
test_other_arch(void)
{
	static struct prog    prog;
	addin__sandbox_policy p = policy(ADDIN__SANDBOX_RESTRICTED);
	struct seccomp_data   d;
	for (int stage = 1; stage <= 2; stage++) {
		load_prog(&p, stage, &prog);
		memset(&d, 0, sizeof(d));
		// i386 "read" via int 0x80 must not pass as x86_64 "write".
		d.nr   = 3;
		d.arch = AUDIT_ARCH_I386;
		ADDIN_CHECK_INT(run(&prog, &d), ==, TRAP);
		// x32 calls have bit 30 set on the native arch.
		d.nr   = 0x40000000 | SYS_read;
		d.arch = NATIVE_ARCH;
		ADDIN_CHECK_INT(run(&prog, &d), ==, TRAP);
	}
}

static void
test_pfc_text(void)
{
	static char           text[1 << 17];
	size_t                len;
	addin__sandbox_policy p = policy(ADDIN__SANDBOX_RESTRICTED);
	export(&p, 1, true, text, sizeof(text) - 1, &len);
	text[len] = '\0';
	ADDIN_CHECK_CONTAINS(text, "# filter for arch x86_64");
	ADDIN_CHECK_CONTAINS(text, "# default action");
	ADDIN_CHECK_CONTAINS(text, "ALLOW");
	ADDIN_CHECK_CONTAINS(text, "ptrace");
	ADDIN_CHECK_CONTAINS(text, "io_uring_setup");
	ADDIN_CHECK_CONTAINS(text, "action TRAP");
	ADDIN_CHECK(strstr(text, "KILL") == NULL); // never kill one thread
	export(&p, 2, true, text, sizeof(text) - 1, &len);
	text[len] = '\0';
	ADDIN_CHECK_CONTAINS(text, "# default action");
	ADDIN_CHECK_CONTAINS(text, "TRAP");
	ADDIN_CHECK_CONTAINS(text, "futex");
	ADDIN_CHECK_CONTAINS(text, "epoll_wait");
	ADDIN_CHECK(strstr(text, "KILL") == NULL);
	ADDIN_CHECK(strstr(text, "execve") == NULL);
}

ADDIN_TEST_LIST = {
    {"stage 1 traps the deny list and nothing the runner needs", test_stage1},
    {"stage 2 at restricted allows nng and files, traps the rest",
     test_stage2_restricted},
    {"stage 2 with the network grant allows inet sockets",
     test_stage2_network},
    {"stage 2 at strict forbids files, exec memory and new sockets",
     test_stage2_strict},
    {"both stages trap foreign architectures and x32 calls", test_other_arch},
    {"exported PFC text shows the default action and never KILL",
     test_pfc_text},
    {NULL, NULL},
};
