// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The host's half of a sandboxed activation (sandbox_launch.h).

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "platform/platform.h"
#include "sandbox_host.h"
#include "sandbox_launch.h"

// A level crosses from the options to the policy by a cast.
_Static_assert((int) ADDIN_SANDBOX_NONE == (int) ADDIN__SANDBOX_NONE &&
                   (int) ADDIN_SANDBOX_RESTRICTED ==
                       (int) ADDIN__SANDBOX_RESTRICTED &&
                   (int) ADDIN_SANDBOX_STRICT == (int) ADDIN__SANDBOX_STRICT,
               "public and internal sandbox levels differ");

struct addin__sbx {
	pthread_mutex_t        mtx; // reports: the supervisor and callers
	addin__sandbox_policy  policy;
	addin__cgroup         *cg;
	int64_t                oom_before;
	uint32_t               mechanisms;
	int                    policy_fd;
	int                    report[2]; // [0] host, [1] runner
	char                   ipc[64];
	char                   scratch[64]; // ours to remove, or ""
	char                   tmpdir_env[1100];
	const char            *env[4];
	addin__sandbox_reports reports;
	char                   warnings[1024];
};

static uint64_t
limit(uint64_t asked, uint64_t dflt)
{
	if (asked == 0) {
		return dflt;
	}
	return asked == UINT64_MAX ? ADDIN__SANDBOX_UNLIMITED : asked;
}

// The directory of @path (a file), into @buf.
static const char *
dir_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t      n     = slash == NULL ? 0 : (size_t) (slash - path);
	if (n == 0 || n >= len) {
		return NULL;
	}
	memcpy(buf, path, n);
	buf[n] = '\0';
	return buf;
}

static bool
in_list(char *const *list, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i], path) == 0) {
			return true;
		}
	}
	return false;
}

static addin_err
add_need(addin__sbx *s, const char *path)
{
	if (in_list(s->policy.need, s->policy.n_need, path)) {
		return ADDIN_OK;
	}
	return addin__sandbox_policy_add_need(&s->policy, path);
}

static addin_err
add_need_dir(addin__sbx *s, const char *file)
{
	char buf[1024];
	if (file == NULL || dir_of(file, buf, sizeof(buf)) == NULL) {
		return ADDIN_OK;
	}
	return add_need(s, buf);
}

// The add-in's library: its folder only when that was granted (read_own_dir,
// or its "read-own-dir" need); otherwise the library file alone, so that
// nothing else of the folder is visible.
static addin_err
add_need_addin(addin__sbx *s, const char *file)
{
	char own[1024];
	if (dir_of(file, own, sizeof(own)) != NULL &&
	    in_list(s->policy.read, s->policy.n_read, own)) {
		return ADDIN_OK;
	}
	return add_need(s, file);
}

static int
sandbox_uid(addin__sbx *s)
{
	return geteuid() == 0 ? (int) s->policy.uid : -1;
}

static int
sandbox_gid(addin__sbx *s)
{
	return geteuid() == 0 ? (int) s->policy.gid : -1;
}

static addin_err
grants(addin__sbx *s, const addin_sandbox_options *o, const addin__sbx_args *a)
{
	char      own[1024];
	addin_err rv;

	if (dir_of(a->addin_path, own, sizeof(own)) == NULL) {
		return addin__seterr(ADDIN_EINVAL, "add-in %s: odd path %s",
		                     a->name, a->addin_path);
	}
	for (size_t i = 0; o->read_dirs != NULL && o->read_dirs[i] != NULL;
	     i++) {
		if ((rv = addin__sandbox_policy_add_read(
		         &s->policy, o->read_dirs[i])) != ADDIN_OK) {
			return addin__seterr(rv, "add-in %s: read grant: %s",
			                     a->name, addin_errmsg());
		}
	}
	if (o->read_own_dir && (rv = addin__sandbox_policy_add_read(
	                            &s->policy, own)) != ADDIN_OK) {
		return rv;
	}
	if (o->scratch_dir != NULL &&
	    (rv = addin__sandbox_policy_set_scratch(
	         &s->policy, o->scratch_dir)) != ADDIN_OK) {
		return addin__seterr(rv, "add-in %s: scratch: %s", a->name,
		                     addin_errmsg());
	}
	s->policy.network = o->network;
	if (!o->grant_needs || a->tok == NULL) {
		return ADDIN_OK;
	}
	for (size_t i = 0; i < addin_token_needs_count(a->tok); i++) {
		const char *need = addin_token_needs_at(a->tok, i);
		if (strcmp(need, "scratch") == 0 &&
		    s->policy.scratch == NULL) {
			// Asked for and granted, none given: a private one.
			snprintf(s->scratch, sizeof(s->scratch),
			         "/tmp/bulkhead-scratch-%d-XXXXXX",
			         (int) getpid());
			if ((rv = addin__plat_private_dir(
			         s->scratch, sandbox_uid(s),
			         sandbox_gid(s))) != ADDIN_OK) {
				s->scratch[0] = '\0';
				return rv;
			}
		}
		rv = addin__sandbox_policy_grant_need(&s->policy, need, own,
		                                      s->policy.scratch != NULL
		                                          ? s->policy.scratch
		                                          : s->scratch);
		if (rv != ADDIN_OK) {
			return addin__seterr(rv, "add-in %s: grant \"%s\": %s",
			                     a->name, need, addin_errmsg());
		}
	}
	return ADDIN_OK;
}

static void
cgroup_name(const char *in, char *out, size_t len)
{
	size_t n = 0;
	for (; *in != '\0' && n + 1 < len && n < 48; in++) {
		char c   = *in;
		out[n++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		            (c >= '0' && c <= '9') || c == '.' || c == '-')
		               ? c
		               : '_';
	}
	out[n] = '\0';
}

addin_err
addin__sbx_check_options(const addin_sandbox_options *o, const char *name)
{
	if (o->abi_version != 1) {
		return addin__seterr(
		    ADDIN_EINVAL,
		    "add-in %s: sandbox options of ABI version %u (this host "
		    "reads 1): initialise them with "
		    "ADDIN_SANDBOX_OPTIONS_INIT",
		    name, (unsigned) o->abi_version);
	}
	if (!addin__sandbox_level_known((addin__sandbox_level) o->level)) {
		return addin__seterr(
		    ADDIN_EINVAL,
		    "add-in %s: sandbox level %d is not a level (0 means "
		    "unset, not \"none\"): initialise the options with "
		    "ADDIN_SANDBOX_OPTIONS_INIT (restricted) or set "
		    "ADDIN_SANDBOX_RESTRICTED, _STRICT or _NONE",
		    name, (int) o->level);
	}
	return ADDIN_OK;
}

// The steps of addin__sbx_prepare.

// prepare_policy: the level's defaults, the caller's limits and grants, and
// what the runner itself must see (the libraries it loads).
static addin_err
prepare_policy(addin__sbx *s, const addin_sandbox_options *o,
               const addin__sbx_args *a)
{
	addin__sandbox_limits *l = &s->policy.limits;
	addin_err              rv;

	addin__sandbox_policy_init(&s->policy,
	                           (addin__sandbox_level) o->level);
	l->memory_bytes = limit(o->memory_bytes, l->memory_bytes);
	l->cpu_seconds  = limit(o->cpu_seconds, l->cpu_seconds);
	l->processes    = limit(o->max_processes, l->processes);
	l->open_files   = limit(o->max_open_files, l->open_files);
	l->file_size    = limit(o->max_file_size, l->file_size);
	l->core_dumps   = o->core_dumps;
	if ((rv = grants(s, o, a)) != ADDIN_OK ||
	    (rv = add_need_addin(s, a->addin_path)) != ADDIN_OK) {
		return rv;
	}
	for (size_t i = 0; i < a->nloaded; i++) {
		if ((rv = add_need_dir(s, a->loaded[i])) != ADDIN_OK) {
			return rv;
		}
	}
	if (a->runtime_lib_dir != NULL &&
	    strncmp(a->runtime_lib_dir, "/usr/", 5) != 0) {
		char probe_file[1100];
		snprintf(probe_file, sizeof(probe_file), "%s/x",
		         a->runtime_lib_dir);
		return add_need_dir(s, probe_file);
	}
	return ADDIN_OK;
}

// prepare_ipc: the directory the channel's socket lives in, where the
// sandbox's user can reach it.  (Its pid in the name lets a later host
// sweep it if we die hard.)  Owned by the host, not by the sandbox's user:
// that user may only traverse it (mode 0711) to reach the socket (mode
// 0666), never plant a file or a symlink where the host binds and chmods
// it.
static addin_err
prepare_ipc(addin__sbx *s)
{
	addin_err rv;

	snprintf(s->ipc, sizeof(s->ipc), "/tmp/bulkhead-ipc-%d-XXXXXX",
	         (int) getpid());
	if ((rv = addin__plat_private_dir(s->ipc, -1, -1)) != ADDIN_OK) {
		s->ipc[0] = '\0';
		return rv;
	}
	if ((rv = addin__plat_chmod(s->ipc, 0711)) != ADDIN_OK) {
		return rv;
	}
	return addin__sandbox_policy_set_ipc(&s->policy, s->ipc);
}

// prepare_fit fits the policy to what the kernel offers.  Restricted and
// strict confine files with a mount namespace; with none (no user
// namespaces for an unprivileged host) the add-in would run as the host's
// user with file calls allowed, able to rewrite the host's own segments:
// refuse rather than pretend.
static addin_err
prepare_fit(addin__sbx *s, const addin__sandbox_probe_info *probe,
            const char *name)
{
	addin_err rv;

	if ((rv = addin__sandbox_policy_fit(&s->policy, probe, s->warnings,
	                                    sizeof(s->warnings))) !=
	    ADDIN_OK) {
		return addin__seterr(rv, "add-in %s: %s", name,
		                     addin_errmsg());
	}
	if (s->policy.level != ADDIN__SANDBOX_NONE &&
	    (s->policy.namespaces & ADDIN__NS_MNT) == 0) {
		return addin__seterr(
		    ADDIN_ESANDBOX,
		    "add-in %s: no mount namespace here (%s): "
		    "the %s sandbox cannot confine its files",
		    name, s->warnings,
		    addin__sandbox_level_name(s->policy.level));
	}
	return ADDIN_OK;
}

// prepare_cgroup makes the activation's cgroup with the policy's limits
// and tells the policy which limits it enforces.
static addin_err
prepare_cgroup(addin__sbx *s, const addin__sandbox_probe_info *probe,
               const char *name)
{
	char      cgname[64];
	addin_err rv;

	cgroup_name(name, cgname, sizeof(cgname));
	if ((rv = addin__cgroup_create(probe, cgname, &s->policy.limits,
	                               &s->cg)) != ADDIN_OK) {
		return addin__seterr(rv, "add-in %s: %s", name,
		                     addin_errmsg());
	}
	s->mechanisms = addin__cgroup_mechanisms(s->cg);
	s->oom_before = addin__cgroup_oom_kills(s->cg);
	addin__cgroup_apply_to_policy(s->cg, &s->policy);
	return ADDIN_OK;
}

// prepare_env: the runner's environment entries.
static void
prepare_env(addin__sbx *s)
{
	size_t ne = 0;

	if (s->policy.scratch != NULL) {
		snprintf(s->tmpdir_env, sizeof(s->tmpdir_env), "TMPDIR=%s",
		         s->policy.scratch);
		s->env[ne++] = s->tmpdir_env;
	}
#if defined(ADDIN_SANITIZED)
	// LeakSanitizer's exit check uses ptrace and a non-thread clone, both
	// forbidden in the sandbox.
	s->env[ne++] = "ASAN_OPTIONS=detect_leaks=0";
#endif
	s->env[ne] = NULL;
}

addin_err
addin__sbx_prepare(const addin_sandbox_options *o, const addin__sbx_args *a,
                   addin__sbx **ret)
{
	const addin__sandbox_probe_info *probe;
	addin__sbx                      *s;
	addin_err                        rv;

	if ((rv = addin__sbx_check_options(o, a->name)) != ADDIN_OK) {
		return rv;
	}
	if ((s = ADDIN__NEW(addin__sbx)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	s->policy_fd = s->report[0] = s->report[1] = -1;
	pthread_mutex_init(&s->mtx, NULL);
	probe = a->probe != NULL ? a->probe : addin__sandbox_probe();
	if ((rv = prepare_policy(s, o, a)) != ADDIN_OK ||
	    (rv = prepare_ipc(s)) != ADDIN_OK ||
	    (rv = prepare_fit(s, probe, a->name)) != ADDIN_OK ||
	    (rv = prepare_cgroup(s, probe, a->name)) != ADDIN_OK ||
	    (rv = addin__sandbox_policy_to_fd(&s->policy, &s->policy_fd)) !=
	        ADDIN_OK ||
	    (rv = addin__sandbox_report_pipe(s->report)) != ADDIN_OK) {
		addin__sbx_destroy(s);
		return rv;
	}
	prepare_env(s);
	*ret = s;
	return ADDIN_OK;
}

const char *
addin__sbx_warnings(addin__sbx *s)
{
	return s->warnings;
}

const char *
addin__sbx_level_name(addin__sbx *s)
{
	return addin__sandbox_level_name(s->policy.level);
}

const char *
addin__sbx_ipc_dir(addin__sbx *s)
{
	return s->ipc;
}

int
addin__sbx_policy_fd(addin__sbx *s)
{
	return s->policy_fd;
}

int
addin__sbx_report_fd_child(addin__sbx *s)
{
	return s->report[1];
}

const char *const *
addin__sbx_env(addin__sbx *s)
{
	return s->env;
}

addin_err
addin__sbx_started(addin__sbx *s, int pid)
{
	addin_err rv = ADDIN_OK;
	// The runner waits for its token before it forks: in the group now,
	// it cannot leave a child outside.
	if (addin__cgroup_mechanisms(s->cg) != 0) {
		rv = addin__cgroup_attach(s->cg, pid);
	}
	addin__plat_close(s->policy_fd);
	addin__plat_close(s->report[1]);
	s->policy_fd = s->report[1] = -1;
	return rv;
}

void
addin__sbx_classify(addin__sbx *s, int wait_code, int wait_status,
                    int64_t cpu_ms, int host_kill, addin__sandbox_death *ret)
{
	addin__sandbox_death_in in;

	pthread_mutex_lock(&s->mtx);
	if (s->report[0] >= 0) {
		(void) addin__sandbox_reports_drain(s->report[0], &s->reports);
	}
	memset(&in, 0, sizeof(in));
	in.wait_code   = wait_code;
	in.wait_status = wait_status;
	in.host_kill   = (addin__sandbox_host_kill) host_kill;
	in.oom_kills   = -1;
	if (s->oom_before >= 0) {
		int64_t now  = addin__cgroup_oom_kills(s->cg);
		in.oom_kills = now < 0 ? -1 : now - s->oom_before;
	}
	in.cpu_ms      = cpu_ms;
	in.cpu_limit_s = s->policy.limits.cpu_seconds;
	in.reports     = &s->reports;
	addin__sandbox_classify(&in, ret);
	pthread_mutex_unlock(&s->mtx);
}

void
addin__sbx_death(addin__sbx *s, int wait_code, int wait_status, int64_t cpu_ms,
                 int host_kill, char *msg, size_t len)
{
	addin__sandbox_death d;
	addin__sbx_classify(s, wait_code, wait_status, cpu_ms, host_kill, &d);
	snprintf(msg, len, "%s", d.message);
}

void
addin__sbx_reports(addin__sbx *s, addin__sandbox_reports *ret)
{
	pthread_mutex_lock(&s->mtx);
	if (s->report[0] >= 0) {
		(void) addin__sandbox_reports_drain(s->report[0], &s->reports);
	}
	*ret = s->reports;
	pthread_mutex_unlock(&s->mtx);
}

const addin__sandbox_policy *
addin__sbx_policy(addin__sbx *s)
{
	return &s->policy;
}

addin__cgroup *
addin__sbx_cgroup(addin__sbx *s)
{
	return s->cg;
}

void
addin__sbx_describe(addin__sbx *s, char *buf, size_t len)
{
	char applied[512], mech[256];

	pthread_mutex_lock(&s->mtx);
	if (s->report[0] >= 0) {
		(void) addin__sandbox_reports_drain(s->report[0], &s->reports);
	}
	addin__sandbox_describe(
	    s->reports.have_applied ? s->reports.applied.flags : 0, applied,
	    sizeof(applied));
	pthread_mutex_unlock(&s->mtx);
	addin__cgroup_describe(s->mechanisms, mech, sizeof(mech));
	snprintf(buf, len, "sandbox=%s %s %s%s%s",
	         addin__sandbox_level_name(s->policy.level), applied, mech,
	         s->warnings[0] != '\0' ? " degraded: " : "", s->warnings);
	for (char *p = buf; *p != '\0'; p++) {
		if (*p == '\n') {
			*p = ';';
		}
	}
}

void
addin__sbx_destroy(addin__sbx *s)
{
	if (s == NULL) {
		return;
	}
	(void) addin__cgroup_destroy(s->cg);
	addin__plat_close(s->policy_fd);
	addin__plat_close(s->report[0]);
	addin__plat_close(s->report[1]);
	if (s->scratch[0] != '\0') {
		addin__plat_rmtree(s->scratch);
	}
	if (s->ipc[0] != '\0') {
		addin__plat_rmtree(s->ipc);
	}
	addin__sandbox_policy_fini(&s->policy);
	pthread_mutex_destroy(&s->mtx);
	addin__free(s);
}
