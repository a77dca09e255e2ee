// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Add-in processes and their supervisor (proc.h): starting a runner (the
// listening channel, the spawn, the token, the handshake), talking to its
// Control object, ending it.  The supervisor's thread is supervisor.c
// (proc_impl.h).

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "proc_impl.h"

#define TOKEN_LEN 32
#define TOKEN_FD  3

static void
proc_peer_gone(void *arg)
{
	addin__proc *p = arg;
	pthread_mutex_lock(&p->sup->mtx);
	if (!p->dead && p->gone_deadline == 0) {
		p->gone_deadline = addin__now_ms() + GONE_GRACE_MS;
	}
	pthread_mutex_unlock(&p->sup->mtx);
	addin__sup_wake(p->sup);
}

// The environment of an add-in process: what the caller gives, plus the
// sanitizer settings of a sanitized host (so that a test's runner reports
// the same way).  Nothing else of the host's environment is passed.  One
// allocation: the pointer array, then the copied "K=V" strings.
static char **
make_env(const char *const *extra)
{
	static const char *const pass[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS",
	                                   "LSAN_OPTIONS", "TSAN_OPTIONS"};
	enum { NPASS = sizeof(pass) / sizeof(pass[0]) };
	size_t n = 0, i = 0, bytes = 0;
	char **env, *out;

	while (extra != NULL && extra[n] != NULL) {
		n++;
	}
	for (size_t k = 0; k < NPASS; k++) {
		const char *v = getenv(pass[k]);
		bytes += v != NULL ? strlen(pass[k]) + strlen(v) + 2 : 0;
	}
	env = addin__zalloc((n + NPASS + 1) * sizeof(*env) + bytes);
	if (env == NULL) {
		return NULL;
	}
	out = (char *) (env + n + NPASS + 1);
	for (size_t k = 0; k < n; k++) {
		env[i++] = addin__deconst(extra[k]);
	}
	for (size_t k = 0; k < NPASS; k++) {
		const char *v = getenv(pass[k]);
		if (v != NULL) {
			size_t len = strlen(pass[k]) + strlen(v) + 2;
			snprintf(out, len, "%s=%s", pass[k], v);
			env[i++] = out;
			out += len;
		}
	}
	return env;
}

// The index of a method of wire.proto's Control service.
static uint32_t
ctl_method(const char *name)
{
	const ProtobufCServiceDescriptor *d =
	    &addin__wire__v1__control__descriptor;
	const ProtobufCMethodDescriptor *m =
	    protobuf_c_service_descriptor_get_method_by_name(d, name);
	return (uint32_t) (m - d->methods);
}

// How long proc_free waits for the transport to see a reaped process's
// end of the channel close (addin__channel_await_peer_gone).
#define DEAD_PEER_WAIT_MS 1000

static void
proc_free(addin__proc *p)
{
	addin__channel *ch = p->ch;
	bool            dead;

	pthread_mutex_lock(&p->sup->mtx);
	dead = p->dead;
	pthread_mutex_unlock(&p->sup->mtx);
	// Unlisted first: from then on the supervisor cannot touch @p.
	addin__sup_forget(p->sup, p);
	p->ch = NULL;
	// A reaped process's end is closed: let the transport see that
	// before closing ours (a connection torn down from both ends at once
	// can deadlock nng 1.5.2).
	if (dead && ch != NULL) {
		addin__channel_await_peer_gone(ch, DEAD_PEER_WAIT_MS);
	}
	addin__channel_close(ch);
	addin__plat_close(p->pidfd);
	addin__free(p);
}

// The steps of addin__proc_spawn: the record, the runner's url
// and its one-time token.
typedef struct spawn_steps {
	addin__proc            *p;
	const addin__proc_opts *o;
	const char             *name;
	char                    url[300];
	uint8_t                 token[TOKEN_LEN];
	int                     tsock[2]; // the token's socket pair
	uint32_t                deadline_ms;
} spawn_steps;

static addin_err
start_init(spawn_steps *st, addin__sup *sup, const addin__proc_opts *o)
{
	addin__proc *p;
	unsigned     id;
	struct stat  sb;

	memset(st, 0, sizeof(*st));
	st->o        = o;
	st->name     = o->name != NULL ? o->name : "add-in";
	st->tsock[0] = st->tsock[1] = -1;
	if (o->n_extra > 6) {
		return addin__seterr(ADDIN_EINVAL, "too many extra fds");
	}
	if (o->cwd != NULL &&
	    (stat(o->cwd, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
		return addin__seterr(
		    ADDIN_EINVAL,
		    "add-in %s: working directory %s does not exist",
		    o->name != NULL ? o->name : "?", o->cwd);
	}
	if ((p = ADDIN__NEW(addin__proc)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	atomic_init(&p->refs, 1);
	p->sup      = sup;
	p->pid      = -1;
	p->pidfd    = -1;
	p->death    = o->death;
	p->hook_arg = o->hook_arg;
	st->p       = p;
	pthread_mutex_lock(&sup->mtx);
	id = ++sup->next_id;
	pthread_mutex_unlock(&sup->mtx);
	snprintf(p->label, sizeof(p->label), "add-in %s", st->name);
	snprintf(st->url, sizeof(st->url), "ipc://%s/%u.ipc",
	         o->ipc_dir != NULL ? o->ipc_dir : sup->rtdir, id);
	st->deadline_ms = o->deadline_ms != 0 ? o->deadline_ms
	                                      : sup->cfg.default_deadline_ms;
	if (addin__plat_random(st->token, sizeof(st->token)) != ADDIN_OK ||
	    addin__plat_socketpair(st->tsock) != ADDIN_OK) {
		return addin_last_error();
	}
	return ADDIN_OK;
}

// start_listen opens the channel the runner will dial (nobody may connect
// yet) and exports the host's Control object on it.
static addin_err
start_listen(spawn_steps *st)
{
	static const addin__control_ops host_control = {NULL, NULL, NULL};
	addin__proc                    *p            = st->p;
	addin__channel_cfg              cc;
	addin_err                       rv;

	memset(&cc, 0, sizeof(cc));
	cc.url                 = st->url;
	cc.listener            = true;
	cc.token               = st->token;
	cc.token_len           = sizeof(st->token);
	cc.expected_pid        = -1; // nobody, until we know the pid
	cc.default_deadline_ms = st->deadline_ms;
	cc.executor            = p->sup->ex;
	cc.on_peer_gone        = proc_peer_gone;
	cc.arg                 = p;
	cc.label               = p->label;
	// A sandboxed runner connects as another user: its socket is in a
	// directory only that user (and root) can enter, and open to it.
	cc.ipc_permissions = st->o->ipc_dir != NULL ? 0666 : 0;
	if ((rv = addin__channel_open(&cc, &p->ch)) != ADDIN_OK) {
		return rv;
	}
	// The host serves Ping and Stats and refuses Load, Unload, Shutdown.
	return addin__control_export(p->ch, &host_control, "host");
}

// start_spawn starts the runner on the supervisor's thread, with the
// token's socket as descriptor 3 and the caller's extra descriptors, and
// has the supervisor watch it.
static addin_err
start_spawn(spawn_steps *st)
{
	addin__proc            *p   = st->p;
	addin__sup             *sup = p->sup;
	const addin__proc_opts *o   = st->o;
	char              hostpid[16], workers[16], deadline[16], name[128];
	char              o_connect[] = "--connect", o_parent[] = "--parent";
	char              o_name[] = "--name", o_workers[] = "--workers";
	char              o_deadline[] = "--deadline-ms";
	char             *argv[32];
	size_t            argc = 0, nfds = 0;
	addin__spawn_fd   fds[8];
	addin__spawn_opts so;
	char            **envp;
	addin_err         rv;

	snprintf(name, sizeof(name), "%s", st->name);
	snprintf(hostpid, sizeof(hostpid), "%d", addin__plat_getpid());
	snprintf(workers, sizeof(workers), "%u",
	         o->workers != 0 ? o->workers : 4);
	snprintf(deadline, sizeof(deadline), "%u", st->deadline_ms);
	argv[argc++] = sup->runner;
	argv[argc++] = o_connect;
	argv[argc++] = st->url;
	argv[argc++] = o_parent;
	argv[argc++] = hostpid;
	argv[argc++] = o_name;
	argv[argc++] = name;
	argv[argc++] = o_workers;
	argv[argc++] = workers;
	argv[argc++] = o_deadline;
	argv[argc++] = deadline;
	for (size_t i = 0;
	     o->extra_args != NULL && o->extra_args[i] != NULL && argc < 31;
	     i++) {
		argv[argc++] = o->extra_args[i];
	}
	argv[argc] = NULL;
	if ((envp = make_env(o->env)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	fds[nfds].parent_fd  = st->tsock[0];
	fds[nfds++].child_fd = TOKEN_FD;
	for (size_t i = 0; i < o->n_extra; i++) {
		fds[nfds].parent_fd  = o->extra_fds[i];
		fds[nfds++].child_fd = o->extra_at[i];
	}
	memset(&so, 0, sizeof(so));
	so.path       = sup->runner;
	so.argv       = argv;
	so.envp       = envp;
	so.fds        = fds;
	so.nfds       = nfds;
	so.new_pgroup = true;
	so.cwd        = o->cwd;
	rv            = addin__sup_spawn(sup, &so, &p->pid, &p->pidfd);
	addin__free(envp);
	addin__plat_close(st->tsock[0]);
	st->tsock[0] = -1;
	if (rv != ADDIN_OK) {
		return addin__seterr(ADDIN_ESPAWN, "%s: %s", p->label,
		                     addin_errmsg());
	}
	snprintf(p->label, sizeof(p->label), "add-in %s (pid %d)", st->name,
	         p->pid);
	return addin__sup_watch(sup, p);
}

// start_connect lets the runner in: the caller's hook first (it cannot
// have forked yet: it waits for its token), then the token, then the
// handshake.  A runner that ended by itself (a bad library path, an exec
// failure, the sandbox's setup) is reported by how it ended.
static addin_err
start_connect(spawn_steps *st)
{
	addin__proc *p   = st->p;
	addin__sup  *sup = p->sup;
	char         why[ADDIN__ERRMSG_MAX];
	addin_err    rv;

	if (st->o->started != NULL &&
	    (rv = st->o->started(st->o->hook_arg, p->pid)) != ADDIN_OK) {
		return addin__seterr(ADDIN_ESANDBOX, "%s: %s", p->label,
		                     addin_errmsg());
	}
	addin__channel_expect_pid(p->ch, p->pid);
	rv = addin__plat_send_full(st->tsock[1], st->token, sizeof(st->token));
	addin__plat_close(st->tsock[1]);
	st->tsock[1] = -1;
	memset(st->token, 0, sizeof(st->token));
	if (rv == ADDIN_OK) {
		rv = addin__channel_handshake(
		    p->ch, sup->cfg.handshake_timeout_ms != 0
		               ? sup->cfg.handshake_timeout_ms
		               : 10000);
	}
	if (rv == ADDIN_OK) {
		return ADDIN_OK;
	}
	snprintf(why, sizeof(why), "%s", addin_errmsg());
	if (addin__proc_wait(p, 200, NULL) == ADDIN_OK) {
		pthread_mutex_lock(&sup->mtx);
		snprintf(why, sizeof(why), "the process ended: %s",
		         p->death_msg);
		pthread_mutex_unlock(&sup->mtx);
		rv = ADDIN_ESPAWN;
	} else {
		addin__proc_kill(p, "handshake failed");
	}
	// A runner that died, or closed its channel, before the handshake
	// was done did not start.
	if (rv == ADDIN_EPEERDIED || rv == ADDIN_ECLOSED) {
		rv = ADDIN_ESPAWN;
	}
	return addin__seterr(rv, "%s did not complete the handshake: %s",
	                     p->label, why);
}

addin_err
addin__proc_spawn(addin__sup *sup, const addin__proc_opts *opts,
                  addin__proc **ret)
{
	spawn_steps st;
	addin_err   rv;

	if ((rv = start_init(&st, sup, opts)) == ADDIN_OK &&
	    (rv = start_listen(&st)) == ADDIN_OK &&
	    (rv = start_spawn(&st)) == ADDIN_OK &&
	    (rv = start_connect(&st)) == ADDIN_OK) {
		*ret = st.p;
		return ADDIN_OK;
	}
	memset(st.token, 0, sizeof(st.token));
	addin__plat_close(st.tsock[0]);
	addin__plat_close(st.tsock[1]);
	if (st.p != NULL && st.p->pid > 0) {
		addin__proc_unref(st.p); // shuts down and reaps it first
	} else if (st.p != NULL) {
		proc_free(st.p);
	}
	return rv;
}

addin__proc *
addin__proc_ref(addin__proc *p)
{
	atomic_fetch_add(&p->refs, 1);
	return p;
}

void
addin__proc_unref(addin__proc *p)
{
	addin_err saved;
	char      msg[ADDIN__ERRMSG_MAX];

	if (p == NULL || atomic_fetch_sub(&p->refs, 1) != 1) {
		return;
	}
	// Keep the caller's error: tear-down must not overwrite it.
	saved = addin_last_error();
	snprintf(msg, sizeof(msg), "%s", addin_errmsg());
	if (p->pid > 0) {
		(void) addin__proc_shutdown(p, -1);
	}
	proc_free(p);
	addin__seterr(saved, "%s", msg);
}

addin__channel *
addin__proc_channel(addin__proc *p)
{
	return p->ch;
}

int
addin__proc_pid(addin__proc *p)
{
	return p->pid;
}

const char *
addin__proc_label(addin__proc *p)
{
	return p->label;
}

bool
addin__proc_alive(addin__proc *p)
{
	bool alive;
	pthread_mutex_lock(&p->sup->mtx);
	alive = !p->dead;
	pthread_mutex_unlock(&p->sup->mtx);
	return alive;
}

const char *
addin__proc_death(addin__proc *p)
{
	const char *d;
	pthread_mutex_lock(&p->sup->mtx);
	d = p->dead ? p->death_msg : NULL;
	pthread_mutex_unlock(&p->sup->mtx);
	return d;
}

addin_err
addin__proc_load(addin__proc *p, const Addin__Wire__V1__LoadRequest *req,
                 uint64_t *ret_object_id)
{
	ProtobufCMessage *reply;
	addin_err         rv;

	rv = addin__channel_call(p->ch, 0,
	                         &addin__wire__v1__control__descriptor,
	                         ctl_method("Load"), &req->base, 0, &reply);
	switch (rv) {
	case ADDIN_OK: break;
	// The loader's refusals, and the channel's own failures.
	case ADDIN_EINVAL:
	case ADDIN_EPERM:
	case ADDIN_ELOAD:
	case ADDIN_ESYMBOL:
	case ADDIN_EMISMATCH:
	case ADDIN_EINIT:
	case ADDIN_ELEVEL:
	case ADDIN_ENOMEM:
	case ADDIN_ETIMEDOUT:
	case ADDIN_EPEERDIED:
	case ADDIN_ECLOSED:
	case ADDIN_EPROTO: return rv;
	// Whatever else an add-in process answers is a protocol violation.
	default:
		return addin__seterr(ADDIN_EPROTO,
		                     "%s answered Load with %s: %s", p->label,
		                     addin_err_name(rv), addin_errmsg());
	}
	*ret_object_id = ((Addin__Wire__V1__LoadReply *) reply)->object_id;
	protobuf_c_message_free_unpacked(reply, &addin__pb_allocator);
	return ADDIN_OK;
}

addin_err
addin__proc_unload(addin__proc *p, uint64_t object)
{
	Addin__Wire__V1__UnloadRequest req =
	    ADDIN__WIRE__V1__UNLOAD_REQUEST__INIT;
	ProtobufCMessage *reply;
	addin_err         rv;

	req.has_object_id = true;
	req.object_id     = object;
	rv                = addin__channel_call(p->ch, 0,
	                                        &addin__wire__v1__control__descriptor,
	                                        ctl_method("Unload"), &req.base, 0, &reply);
	if (rv == ADDIN_OK) {
		protobuf_c_message_free_unpacked(reply, &addin__pb_allocator);
	}
	return rv;
}

void
addin__proc_kill(addin__proc *p, const char *reason)
{
	pthread_mutex_lock(&p->sup->mtx);
	if (!p->dead) {
		if (p->kill_reason[0] == '\0') {
			snprintf(p->kill_reason, sizeof(p->kill_reason), "%s",
			         reason);
		}
		(void) addin__plat_pidfd_kill(p->pidfd, SIGKILL);
	}
	pthread_mutex_unlock(&p->sup->mtx);
}

addin_err
addin__proc_wait(addin__proc *p, int timeout_ms, int *ret_status)
{
	int64_t         until = addin__now_ms() + timeout_ms;
	struct timespec ts;
	addin_err       rv = ADDIN_OK;

	pthread_mutex_lock(&p->sup->mtx);
	while (!p->dead) {
		int64_t left = until - addin__now_ms();
		if (timeout_ms >= 0 && left <= 0) {
			rv = addin__seterr(ADDIN_ETIMEDOUT,
			                   "%s still running after %d ms",
			                   p->label, timeout_ms);
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000000L; // re-check: reaping races wakes
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->sup->cv, &p->sup->mtx, &ts);
	}
	if (rv == ADDIN_OK && ret_status != NULL) {
		*ret_status = p->status;
	}
	pthread_mutex_unlock(&p->sup->mtx);
	return rv;
}

addin_err
addin__proc_shutdown(addin__proc *p, int grace_ms)
{
	Addin__Wire__V1__ShutdownRequest req =
	    ADDIN__WIRE__V1__SHUTDOWN_REQUEST__INIT;
	ProtobufCMessage *reply;
	bool              shut, killed;
	int64_t           start = addin__now_ms();
	int               left;

	if (grace_ms < 0) {
		grace_ms = p->sup->cfg.shutdown_grace_ms != 0
		               ? p->sup->cfg.shutdown_grace_ms
		               : 2000;
	}
	pthread_mutex_lock(&p->sup->mtx);
	shut    = p->shut;
	p->shut = true;
	// A process the host already killed gets no Shutdown call: it cannot
	// answer, and nng may still hold a message for a connection that is
	// going away when the process exits.
	killed = p->kill_reason[0] != '\0' || p->dead;
	pthread_mutex_unlock(&p->sup->mtx);
	if (!shut && !killed && addin__channel_is_open(p->ch)) {
		req.has_grace_ms = true;
		req.grace_ms     = (uint32_t) grace_ms;
		// The answer may be lost when the runner exits at once; its
		// exit is what counts.
		if (addin__channel_call(
		        p->ch, 0, &addin__wire__v1__control__descriptor,
		        ctl_method("Shutdown"), &req.base, (uint32_t) grace_ms,
		        &reply) == ADDIN_OK) {
			protobuf_c_message_free_unpacked(reply,
			                                 &addin__pb_allocator);
		}
	}
	// The Shutdown call and the exit share one grace period; the
	// SIGKILL comes after it whatever the call did.
	left = grace_ms - (int) (addin__now_ms() - start);
	if (addin__proc_wait(p, left > 0 ? left : 0, NULL) != ADDIN_OK) {
		char why[64];
		snprintf(why, sizeof(why),
		         "did not exit within %d ms of shutdown", grace_ms);
		addin__proc_kill(p, why);
		if (addin__proc_wait(p, 10000, NULL) != ADDIN_OK) {
			return addin__seterr(ADDIN_ETIMEDOUT,
			                     "%s survives SIGKILL", p->label);
		}
	}
	return ADDIN_OK;
}

static char *
find_runner(const char *configured)
{
	const char *env = getenv("ADDIN_RUNNER");
	char       *dir, *path;
	size_t      len;

	if (configured != NULL) {
		return addin__strdup(configured);
	}
	if (env != NULL && env[0] == '/') {
		return addin__strdup(env);
	}
	// Beside this library: <libdir>/../bin (build tree) or the installed
	// libexec directory.
	if ((dir = addin__plat_object_dir((const void *) find_runner)) ==
	    NULL) {
		return addin__strdup(ADDIN_RUNNER_INSTALL_PATH);
	}
	len  = strlen(dir) + 64;
	path = addin__alloc(len);
	if (path != NULL) {
		snprintf(path, len, "%s/../bin/addin-runner", dir);
		if (access(path, X_OK) != 0) {
			snprintf(path, len, "%s", ADDIN_RUNNER_INSTALL_PATH);
		}
	}
	addin__free(dir);
	return path;
}

addin_err
addin__sup_create(const addin__sup_cfg *cfg, addin__sup **ret)
{
	addin__sup *sup;
	addin_err   rv;

	if ((sup = ADDIN__NEW(addin__sup)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	pthread_mutex_init(&sup->mtx, NULL);
	pthread_cond_init(&sup->cv, NULL);
	if (cfg != NULL) {
		sup->cfg = *cfg;
	}
	if ((sup->runner = find_runner(sup->cfg.runner_path)) == NULL) {
		rv = addin__seterr(ADDIN_ENOMEM, NULL);
		goto fail;
	}
	if ((rv = addin__plat_rtdir_create(&sup->rtdir)) != ADDIN_OK ||
	    (rv = addin__executor_create(
	         2, sup->cfg.workers_max != 0 ? sup->cfg.workers_max : 16,
	         &sup->ex)) != ADDIN_OK ||
	    (rv = addin__sup_start(sup)) != ADDIN_OK) {
		goto fail;
	}
	*ret = sup;
	return ADDIN_OK;
fail:
	addin__sup_destroy(sup);
	return rv;
}

void
addin__sup_destroy(addin__sup *sup)
{
	addin__proc *p;

	if (sup == NULL) {
		return;
	}
	// Processes still referenced by their owners: shut them down now.
	// (Their owners' references keep the memory until released.)
	for (;;) {
		pthread_mutex_lock(&sup->mtx);
		for (p = sup->procs; p != NULL && p->shut; p = p->next) {
		}
		if (p != NULL) {
			addin__proc_ref(p);
		}
		pthread_mutex_unlock(&sup->mtx);
		if (p == NULL) {
			break;
		}
		(void) addin__proc_shutdown(p, -1);
		addin__proc_unref(p);
	}
	addin__sup_stop(sup);
	addin__executor_destroy(sup->ex);
	if (sup->rtdir != NULL) {
		addin__plat_rtdir_remove(sup->rtdir);
	}
	addin__free(sup->rtdir);
	addin__free(sup->runner);
	pthread_cond_destroy(&sup->cv);
	pthread_mutex_destroy(&sup->mtx);
	addin__free(sup);
}

const char *
addin__sup_runtime_dir(addin__sup *sup)
{
	return sup->rtdir;
}

const char *
addin__sup_runner_path(addin__sup *sup)
{
	return sup->runner;
}

unsigned
addin__sup_processes(addin__sup *sup)
{
	unsigned n = 0;
	pthread_mutex_lock(&sup->mtx);
	for (addin__proc *p = sup->procs; p != NULL; p = p->next) {
		n++;
	}
	pthread_mutex_unlock(&sup->mtx);
	return n;
}