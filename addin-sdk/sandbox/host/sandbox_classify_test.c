// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Unit tests of the death classifier and of the report records: the exit
// status is the truth, reports and counters only refine it.

#define _GNU_SOURCE

#include "addin_test.h"

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox_host.h"
#include "sandbox_runner.h"

static addin__sandbox_death
classify(int code, int status, addin__sandbox_host_kill hk, int64_t oom,
         const addin__sandbox_reports *rep)
{
	addin__sandbox_death_in in;
	addin__sandbox_death    d;
	memset(&in, 0, sizeof(in));
	in.wait_code   = code;
	in.wait_status = status;
	in.host_kill   = hk;
	in.oom_kills   = oom;
	in.cpu_ms      = -1;
	in.cpu_limit_s = ADDIN__SANDBOX_UNLIMITED;
	in.reports     = rep;
	addin__sandbox_classify(&in, &d);
	return d;
}

static addin__sandbox_reports
sigsys_report(int nr, const char *name)
{
	addin__sandbox_reports r;
	memset(&r, 0, sizeof(r));
	r.have_sigsys  = true;
	r.sigsys.magic = ADDIN__REC_MAGIC;
	r.sigsys.type  = ADDIN__REC_SIGSYS;
	r.sigsys.nr    = nr;
	r.sigsys.code  = 1; // SYS_SECCOMP
	snprintf(r.sigsys.text, sizeof(r.sigsys.text), "%s", name);
	return r;
}

static void
test_exit_and_signal(void)
{
	addin__sandbox_death d = classify(CLD_EXITED, 3, 0, 0, NULL);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_EXITED);
	ADDIN_CHECK_INT(d.status, ==, 3);
	ADDIN_CHECK_STR(d.message, "exited with code 3");
	d = classify(CLD_DUMPED, SIGSEGV, 0, 0, NULL);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_SIGNALED);
	ADDIN_CHECK_INT(d.status, ==, SIGSEGV);
	ADDIN_CHECK_CONTAINS(d.message, "signal 11 (SIGSEGV), core dumped");
	ADDIN_CHECK_STR(addin__sandbox_cause_name(d.cause), "signaled");
}

static void
test_seccomp(void)
{
	addin__sandbox_reports r = sigsys_report(101, "ptrace");
	addin__sandbox_death   d = classify(CLD_KILLED, SIGSYS, 0, 0, &r);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_SECCOMP);
	ADDIN_CHECK_STR(d.syscall, "ptrace");
	ADDIN_CHECK_INT(d.syscall_nr, ==, 101);
	ADDIN_CHECK_CONTAINS(d.message, "forbidden system call ptrace (101)");
	// SIGSYS without a report: still a seccomp death, name unknown.
	d = classify(CLD_DUMPED, SIGSYS, 0, 0, NULL);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_SECCOMP);
	ADDIN_CHECK_STR(d.syscall, "");
	ADDIN_CHECK_INT(d.syscall_nr, ==, -1);
	ADDIN_CHECK_CONTAINS(d.message, "not reported");
	// A forged report (si_code not SYS_SECCOMP) names nothing.
	r.sigsys.code = 0;
	d             = classify(CLD_KILLED, SIGSYS, 0, 0, &r);
	ADDIN_CHECK_STR(d.syscall, "");
}

static void
test_report_is_only_a_hint(void)
{
	// An add-in that forges a SIGSYS record and exits, or dies of
	// something else, is not a seccomp death.
	addin__sandbox_reports r = sigsys_report(59, "execve");
	addin__sandbox_death   d = classify(CLD_EXITED, 0, 0, 0, &r);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_EXITED);
	d = classify(CLD_KILLED, SIGSEGV, 0, 0, &r);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_SIGNALED);
	ADDIN_CHECK_STR(d.syscall, "");
}

static void
test_sigkill_order(void)
{
	// The host's own kill first, then the OOM counter.
	addin__sandbox_death d =
	    classify(CLD_KILLED, SIGKILL, ADDIN__HOST_KILL_DEADLINE, 1, NULL);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_HOST_KILL);
	ADDIN_CHECK_CONTAINS(d.message, "deadline");
	d = classify(CLD_KILLED, SIGKILL, ADDIN__HOST_KILL_SHUTDOWN, 0, NULL);
	ADDIN_CHECK_CONTAINS(d.message, "shutdown");
	d = classify(CLD_KILLED, SIGKILL, 0, 1, NULL);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_OOM);
	ADDIN_CHECK_CONTAINS(d.message, "out of memory");
	// SIGKILL with no OOM and unknown CPU: a plain signal.
	d = classify(CLD_KILLED, SIGKILL, 0, 0, NULL);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_SIGNALED);
	d = classify(CLD_KILLED, SIGKILL, 0, -1, NULL);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_SIGNALED);
	// A host kill flag does not hide a SIGSYS that came first.
	d = classify(CLD_KILLED, SIGSYS, ADDIN__HOST_KILL_SHUTDOWN, 0, NULL);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_SECCOMP);
}

static void
test_cpu_and_fsize(void)
{
	addin__sandbox_death_in in;
	addin__sandbox_death    d;
	memset(&in, 0, sizeof(in));
	in.wait_code   = CLD_DUMPED;
	in.wait_status = SIGXCPU;
	in.cpu_ms      = -1;
	in.cpu_limit_s = 2;
	addin__sandbox_classify(&in, &d);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_CPU_LIMIT);
	// SIGKILL at the hard limit: CPU time used past the soft limit.
	in.wait_code   = CLD_KILLED;
	in.wait_status = SIGKILL;
	in.cpu_ms      = 3010;
	addin__sandbox_classify(&in, &d);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_CPU_LIMIT);
	in.cpu_ms = 1500;
	addin__sandbox_classify(&in, &d);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_SIGNALED);
	in.wait_status = SIGXFSZ;
	addin__sandbox_classify(&in, &d);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_FILE_SIZE);
}

static void
test_setup(void)
{
	addin__sandbox_reports r;
	addin__sandbox_death   d;
	memset(&r, 0, sizeof(r));
	r.have_setup   = true;
	r.setup.flags  = ADDIN__STEP_FILESYSTEM;
	r.setup.errnum = EACCES;
	d = classify(CLD_EXITED, ADDIN__SANDBOX_EXIT_SETUP, 0, 0, &r);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_SETUP);
	ADDIN_CHECK_INT(d.setup_step, ==, ADDIN__STEP_FILESYSTEM);
	ADDIN_CHECK_INT(d.setup_errno, ==, EACCES);
	ADDIN_CHECK_CONTAINS(d.message, "filesystem: Permission denied");
	d = classify(CLD_EXITED, ADDIN__SANDBOX_EXIT_SETUP, 0, 0, NULL);
	ADDIN_CHECK_INT(d.cause, ==, ADDIN__CAUSE_SETUP);
	ADDIN_CHECK_CONTAINS(d.message, "no report");
}

static void
test_records_over_socket(void)
{
	int                    fds[2];
	addin__sandbox_reports r;
	pid_t                  pid;
	int                    status;

	memset(&r, 0, sizeof(r));
	ADDIN_PASS(addin__sandbox_report_pipe(fds));
	// Nothing yet: not closed, nothing collected.
	ADDIN_PASS(addin__sandbox_reports_drain(fds[0], &r));
	ADDIN_CHECK(!r.have_applied && !r.have_setup && !r.have_sigsys);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		addin__sandbox_report_applied(fds[1], 0x1234);
		addin__sandbox_report_applied(fds[1], 0x9999); // ignored
		// Garbage the add-in could write.
		(void) send(fds[1], "hello", 5, 0);
		addin__sandbox_record fake;
		memset(&fake, 0, sizeof(fake));
		fake.magic   = ADDIN__REC_MAGIC;
		fake.version = ADDIN__REC_VERSION;
		fake.type    = 77;
		(void) send(fds[1], &fake, sizeof(fake), 0);
		addin__sandbox_fail(fds[1], ADDIN__STEP_STAGE2, EPERM);
	}
	close(fds[1]);
	ADDIN_CHECK(waitpid(pid, &status, 0) == pid);
	ADDIN_CHECK(WIFEXITED(status));
	ADDIN_CHECK_INT(WEXITSTATUS(status), ==, ADDIN__SANDBOX_EXIT_SETUP);
	ADDIN_FAIL(addin__sandbox_reports_drain(fds[0], &r), ADDIN_ECLOSED);
	ADDIN_CHECK(r.have_applied);
	ADDIN_CHECK_INT(r.applied.flags, ==, 0x1234);
	ADDIN_CHECK(r.have_setup);
	ADDIN_CHECK_INT(r.setup.flags, ==, ADDIN__STEP_STAGE2);
	ADDIN_CHECK_INT(r.setup.errnum, ==, EPERM);
	ADDIN_CHECK_STR(r.setup.text, "seccomp-stage2");
	ADDIN_CHECK_INT(r.garbage, ==, 2);
	ADDIN_CHECK(!r.have_sigsys);
	close(fds[0]);
}

static void
test_record_decode(void)
{
	addin__sandbox_record r, out;
	memset(&r, 0, sizeof(r));
	r.magic   = ADDIN__REC_MAGIC;
	r.version = ADDIN__REC_VERSION;
	r.type    = ADDIN__REC_SIGSYS;
	memset(r.text, 'x', sizeof(r.text)); // not terminated
	ADDIN_PASS(addin__sandbox_record_decode(&r, sizeof(r), &out));
	ADDIN_CHECK_INT(strlen(out.text), ==, sizeof(out.text) - 1);
	ADDIN_FAIL(addin__sandbox_record_decode(&r, sizeof(r) - 1, &out),
	           ADDIN_ECORRUPT);
	r.version = 2;
	ADDIN_FAIL(addin__sandbox_record_decode(&r, sizeof(r), &out),
	           ADDIN_ECORRUPT);
	r.version = ADDIN__REC_VERSION;
	r.type    = 0;
	ADDIN_FAIL(addin__sandbox_record_decode(&r, sizeof(r), &out),
	           ADDIN_ECORRUPT);
}

static void
test_describe(void)
{
	char buf[256];
	addin__sandbox_describe(ADDIN__NS_PID | ADDIN__NS_NET |
	                            ADDIN__APPLIED_REAPER | ADDIN__APPLIED_FS |
	                            ADDIN__APPLIED_STAGE1 |
	                            ADDIN__APPLIED_STAGE2,
	                        buf, sizeof(buf));
	ADDIN_CHECK_CONTAINS(buf, "ns=pid,net ");
	ADDIN_CHECK_CONTAINS(buf, "fs=private-root");
	ADDIN_CHECK_CONTAINS(buf, "seccomp=stage1+stage2");
	addin__sandbox_describe(0, buf, sizeof(buf));
	ADDIN_CHECK_CONTAINS(buf, "ns=none");
	ADDIN_CHECK_CONTAINS(buf, "seccomp=none");
	addin__sandbox_describe(0, buf, 8); // truncates, terminates
	ADDIN_CHECK_INT(strlen(buf), ==, 7);
	addin__cgroup_describe(ADDIN__MECH_MEMORY_V1 | ADDIN__MECH_PIDS_V2 |
	                           ADDIN__MECH_KILL_FREEZER,
	                       buf, sizeof(buf));
	ADDIN_CHECK_STR(
	    buf, "memory=cgroup-v1 pids=cgroup-v2 cpu=none kill=freezer");
}

ADDIN_TEST_LIST = {
    {"exit codes and signals are classified as such", test_exit_and_signal},
    {"SIGSYS is a seccomp violation named by the report", test_seccomp},
    {"a SIGSYS report without a SIGSYS death is ignored",
     test_report_is_only_a_hint},
    {"SIGKILL: the host's own kill first, then the OOM counter",
     test_sigkill_order},
    {"SIGXCPU and SIGKILL past the CPU limit are the CPU limit; SIGXFSZ "
     "the file size limit",
     test_cpu_and_fsize},
    {"the setup exit code with its report names the failed step", test_setup},
    {"records cross the report socket; first of each type wins, garbage "
     "is counted",
     test_records_over_socket},
    {"record decoding checks size, magic, version and type",
     test_record_decode},
    {"applied flags and cgroup mechanisms describe themselves", test_describe},
    {NULL, NULL},
};
