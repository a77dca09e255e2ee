// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Add-in processes and their supervisor (proc.h).
//
// Locking: sup->mtx guards the process list, the spawn queue and every
// process's state fields; it is taken before a channel's mutex, never
// after.  The supervisor thread is the only one that spawns and reaps.

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addin/adapter.h"
#include "executor.h"
#include "platform/platform.h"
#include "proc.h"

#define TOKEN_LEN     32
#define TOKEN_FD      3
#define GONE_GRACE_MS 100 // channel closed: wait this long for the death

// A process whose record is gone but which was not reaped yet.
typedef struct grave {
	struct grave *next;
	int           pidfd;
} grave;

typedef struct spawn_req {
	struct spawn_req        *next;
	const addin__spawn_opts *o;
	int                      pid, pidfd;
	addin_err                rv;
	char                     msg[ADDIN__ERRMSG_MAX];
	bool                     done;
} spawn_req;

struct addin__proc {
	atomic_int          refs;
	addin__sup         *sup;
	struct addin__proc *next; // in sup->procs
	int                 pid, pidfd;
	addin__channel     *ch;
	char                label[160];
	// Under sup->mtx:
	bool    dead;
	int     status;
	char    death_msg[400];
	char    kill_reason[120];
	int64_t gone_deadline; // 0: no check pending
	bool    shut;
	// Sandbox hooks (proc.h).
	void (*death)(void *arg, int code, int value, int64_t cpu_ms,
	              int host_kill, char *msg, size_t len);
	void *hook_arg;
};

struct addin__sup {
	pthread_mutex_t  mtx;
	pthread_cond_t   cv; // a process died, a spawn finished
	pthread_t        thread;
	bool             thread_started;
	bool             stopping;
	addin__waitset  *ws;
	addin__executor *ex;
	char            *rtdir;
	char            *runner;
	addin__proc     *procs;
	grave           *graves;
	spawn_req       *reqs;
	unsigned         next_id;
	addin__sup_cfg   cfg;
};

// ---- the supervisor thread ----------------------------------------------

static void
mark_dead_locked(addin__proc *p, const addin__plat_exit *e)
{
	char how[200];

	if (p->death != NULL) {
		p->death(p->hook_arg, e->code, e->value, e->cpu_ms,
		         p->kill_reason[0] != '\0' ? 1 : 0, how, sizeof(how));
	} else {
		addin__plat_describe_status(e->status, how, sizeof(how));
	}
	p->dead   = true;
	p->status = e->status;
	if (p->kill_reason[0] != '\0' && p->death != NULL) {
		// A sandbox's classifier already says the host killed it.
		snprintf(p->death_msg, sizeof(p->death_msg), "%s: %s", how,
		         p->kill_reason);
	} else if (p->kill_reason[0] != '\0') {
		snprintf(p->death_msg, sizeof(p->death_msg),
		         "%s (killed by the host: %s)", how, p->kill_reason);
	} else {
		snprintf(p->death_msg, sizeof(p->death_msg), "%s", how);
	}
	addin__plat_waitset_del(p->sup->ws, p->pidfd);
	// Every call still waiting on this process fails now, with the cause.
	if (p->ch != NULL) {
		addin__channel_fail(p->ch, ADDIN_EPEERDIED, "%s %s", p->label,
		                    p->death_msg);
	}
	pthread_cond_broadcast(&p->sup->cv);
}

static bool
listed_locked(addin__sup *sup, addin__proc *p)
{
	for (addin__proc *q = sup->procs; q != NULL; q = q->next) {
		if (q == p) {
			return true;
		}
	}
	return false;
}

static void
reap_locked(addin__proc *p)
{
	addin__plat_exit e;
	if (!p->dead &&
	    addin__plat_pidfd_wait_ex(p->pidfd, 0, &e) == ADDIN_OK) {
		mark_dead_locked(p, &e);
	}
}

// Reap what is left of freed processes; @timeout_ms each (0: poll).
static void
reap_graves_locked(addin__sup *sup, int timeout_ms)
{
	for (grave **gp = &sup->graves; *gp != NULL;) {
		grave           *g = *gp;
		addin__plat_exit e;
		if (addin__plat_pidfd_wait_ex(g->pidfd, timeout_ms, &e) ==
		    ADDIN_OK) {
			*gp = g->next;
			addin__plat_waitset_del(sup->ws, g->pidfd);
			addin__plat_close(g->pidfd);
			addin__free(g);
		} else {
			gp = &g->next;
		}
	}
}

static void
do_spawn(spawn_req *r)
{
	r->rv = addin__plat_spawn(r->o, &r->pid, &r->pidfd);
	if (r->rv != ADDIN_OK) {
		snprintf(r->msg, sizeof(r->msg), "%s", addin_errmsg());
	}
}

static void *
sup_main(void *arg)
{
	addin__sup *sup = arg;
	void       *tags[32];

	pthread_mutex_lock(&sup->mtx);
	while (!sup->stopping) {
		spawn_req *r;
		int64_t    now, next = -1;
		int        n, timeout;

		while ((r = sup->reqs) != NULL) {
			sup->reqs = r->next;
			pthread_mutex_unlock(&sup->mtx);
			do_spawn(r);
			pthread_mutex_lock(&sup->mtx);
			r->done = true;
			pthread_cond_broadcast(&sup->cv);
		}
		// A process whose channel closed gets GONE_GRACE_MS to die
		// (then the cause is its death); after that the channel fails
		// as closed.
		now = addin__now_ms();
		for (addin__proc *p = sup->procs; p != NULL; p = p->next) {
			if (p->dead || p->gone_deadline == 0) {
				continue;
			}
			reap_locked(p);
			if (p->dead) {
				continue;
			}
			if (now >= p->gone_deadline) {
				p->gone_deadline = 0;
				addin__channel_fail(p->ch, ADDIN_ECLOSED,
				                    "%s closed its channel",
				                    p->label);
			} else if (next < 0 || p->gone_deadline < next) {
				next = p->gone_deadline;
			}
		}
		timeout = next < 0 ? -1 : (int) (next - now);
		pthread_mutex_unlock(&sup->mtx);
		n = addin__plat_waitset_wait(sup->ws, timeout, tags, 32);
		pthread_mutex_lock(&sup->mtx);
		for (int i = 0; i < n; i++) {
			// A tag may belong to a process freed meanwhile.
			if (tags[i] != NULL && listed_locked(sup, tags[i])) {
				reap_locked(tags[i]);
			}
		}
		reap_graves_locked(sup, 0);
	}
	pthread_mutex_unlock(&sup->mtx);
	return NULL;
}

static void
wake(addin__sup *sup)
{
	addin__plat_waitset_wake(sup->ws);
}

// ---- the host's Control object ----------------------------------------

static void
hctl_refuse(const char *what, ProtobufCClosure done, void *data)
{
	addin_adapter_fail(done, data, ADDIN_EPERM,
	                   "an add-in may not %s the host", what);
}

static void
hctl_acquire(Addin__Wire__V1__Control_Service      *s,
             const Addin__Wire__V1__AcquireRequest *in,
             Addin__Wire__V1__AcquireReply_Closure done, void *data)
{
	(void) s;
	(void) in;
	addin_adapter_fail((ProtobufCClosure) done, data, ADDIN_EUNIMPL,
	                   "lifetime tokens are not served yet");
}

static void
hctl_revoke(Addin__Wire__V1__Control_Service     *s,
            const Addin__Wire__V1__RevokeRequest *in,
            Addin__Wire__V1__Empty_Closure done, void *data)
{
	(void) s;
	(void) in;
	addin_adapter_fail((ProtobufCClosure) done, data, ADDIN_EUNIMPL,
	                   "lifetime tokens are not served yet");
}

static void
hctl_load(Addin__Wire__V1__Control_Service   *s,
          const Addin__Wire__V1__LoadRequest *in,
          Addin__Wire__V1__LoadReply_Closure done, void *data)
{
	(void) s;
	(void) in;
	hctl_refuse("load code into", (ProtobufCClosure) done, data);
}

static void
hctl_unload(Addin__Wire__V1__Control_Service     *s,
            const Addin__Wire__V1__UnloadRequest *in,
            Addin__Wire__V1__Empty_Closure done, void *data)
{
	(void) s;
	(void) in;
	hctl_refuse("unload code from", (ProtobufCClosure) done, data);
}

static void
hctl_shutdown(Addin__Wire__V1__Control_Service       *s,
              const Addin__Wire__V1__ShutdownRequest *in,
              Addin__Wire__V1__Empty_Closure done, void *data)
{
	(void) s;
	(void) in;
	hctl_refuse("shut down", (ProtobufCClosure) done, data);
}

static void
hctl_ping(Addin__Wire__V1__Control_Service *s,
          const Addin__Wire__V1__Empty     *in,
          Addin__Wire__V1__Empty_Closure done, void *data)
{
	Addin__Wire__V1__Empty empty = ADDIN__WIRE__V1__EMPTY__INIT;
	(void) s;
	(void) in;
	done(&empty, data);
}

static void
hctl_stats(Addin__Wire__V1__Control_Service     *s,
           const Addin__Wire__V1__Empty         *in,
           Addin__Wire__V1__ChannelStats_Closure done, void *data)
{
	Addin__Wire__V1__ChannelStats out =
	    ADDIN__WIRE__V1__CHANNEL_STATS__INIT;
	addin__channel_stats st;
	(void) s;
	(void) in;
	addin__channel_stats_get(addin__channel_serving_channel(), &st);
	out.has_frames_in  = true;
	out.frames_in      = st.frames_in;
	out.has_bad_frames = true;
	out.bad_frames     = st.bad_frames;
	out.has_calls_in   = true;
	out.calls_in       = st.calls_in;
	done(&out, data);
}

// ---- processes --------------------------------------------------------

static void
proc_peer_gone(void *arg)
{
	addin__proc *p = arg;
	pthread_mutex_lock(&p->sup->mtx);
	if (!p->dead && p->gone_deadline == 0) {
		p->gone_deadline = addin__now_ms() + GONE_GRACE_MS;
	}
	pthread_mutex_unlock(&p->sup->mtx);
	wake(p->sup);
}

static addin_err
spawn_on_thread(addin__sup *sup, const addin__spawn_opts *o, int *ret_pid,
                int *ret_pidfd)
{
	spawn_req r;

	memset(&r, 0, sizeof(r));
	r.o = o;
	pthread_mutex_lock(&sup->mtx);
	r.next    = sup->reqs;
	sup->reqs = &r;
	pthread_mutex_unlock(&sup->mtx);
	wake(sup);
	pthread_mutex_lock(&sup->mtx);
	while (!r.done) {
		pthread_cond_wait(&sup->cv, &sup->mtx);
	}
	pthread_mutex_unlock(&sup->mtx);
	if (r.rv != ADDIN_OK) {
		return addin__seterr(r.rv, "%s", r.msg);
	}
	*ret_pid   = r.pid;
	*ret_pidfd = r.pidfd;
	return ADDIN_OK;
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

static void proc_free(addin__proc *p);

static void
control_release(ProtobufCService *svc, void *arg)
{
	(void) arg;
	addin__free(svc);
}

addin_err
addin__proc_spawn(addin__sup *sup, const addin__proc_opts *opts,
                  addin__proc **ret)
{
	addin__proc       *p;
	addin__channel_cfg cc;
	uint8_t            token[TOKEN_LEN];
	char               url[300], hostpid[16], workers[16], deadline[16];
	char               namebuf[128];
	char               o_connect[] = "--connect", o_parent[] = "--parent";
	char               o_name[] = "--name", o_workers[] = "--workers";
	char               o_deadline[] = "--deadline-ms";
	char              *argv[32];
	size_t             argc     = 0;
	char             **envp     = NULL;
	int                tsock[2] = {-1, -1};
	addin__spawn_fd    fds[8];
	size_t             nfds = 0;
	addin__spawn_opts  so;
	addin_err          rv;
	const char        *name = opts->name != NULL ? opts->name : "add-in";
	unsigned           id;
	Addin__Wire__V1__Control_Service *control;

	if (opts->n_extra > 6) {
		return addin__seterr(ADDIN_EINVAL, "too many extra fds");
	}
	if (opts->cwd != NULL) {
		struct stat st;
		if (stat(opts->cwd, &st) != 0 || !S_ISDIR(st.st_mode)) {
			return addin__seterr(
			    ADDIN_EINVAL,
			    "add-in %s: working directory %s does not exist",
			    opts->name != NULL ? opts->name : "?", opts->cwd);
		}
	}
	if ((p = ADDIN__NEW(addin__proc)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	atomic_init(&p->refs, 1);
	p->sup   = sup;
	p->pid   = -1;
	p->pidfd = -1;
	pthread_mutex_lock(&sup->mtx);
	id = ++sup->next_id;
	pthread_mutex_unlock(&sup->mtx);
	snprintf(p->label, sizeof(p->label), "add-in %s", name);
	snprintf(url, sizeof(url), "ipc://%s/%u.ipc",
	         opts->ipc_dir != NULL ? opts->ipc_dir : sup->rtdir, id);
	p->death    = opts->death;
	p->hook_arg = opts->hook_arg;

	if ((rv = addin__plat_random(token, sizeof(token))) != ADDIN_OK ||
	    (rv = addin__plat_socketpair(tsock)) != ADDIN_OK) {
		goto fail;
	}
	memset(&cc, 0, sizeof(cc));
	cc.url                 = url;
	cc.listener            = true;
	cc.token               = token;
	cc.token_len           = sizeof(token);
	cc.expected_pid        = -1; // nobody, until we know the pid
	cc.default_deadline_ms = opts->deadline_ms != 0
	                             ? opts->deadline_ms
	                             : sup->cfg.default_deadline_ms;
	cc.executor            = sup->ex;
	cc.on_peer_gone        = proc_peer_gone;
	cc.arg                 = p;
	cc.label               = p->label;
	// A sandboxed runner connects as another user: its socket is in a
	// directory only that user (and root) can enter, and open to it.
	cc.ipc_permissions = opts->ipc_dir != NULL ? 0666 : 0;
	if ((rv = addin__channel_open(&cc, &p->ch)) != ADDIN_OK) {
		goto fail;
	}
	// The host's Control object belongs to the channel (released with
	// the export, which may outlive this process record while a call on
	// it is being served).
	if ((control = ADDIN__NEW(Addin__Wire__V1__Control_Service)) == NULL) {
		rv = addin__seterr(ADDIN_ENOMEM, NULL);
		goto fail;
	}
	addin__wire__v1__control__init(control, NULL);
	control->acquire  = hctl_acquire;
	control->revoke   = hctl_revoke;
	control->load     = hctl_load;
	control->unload   = hctl_unload;
	control->ping     = hctl_ping;
	control->shutdown = hctl_shutdown;
	control->stats    = hctl_stats;
	if ((rv = addin__channel_export_at(p->ch, 0, &control->base,
	                                   control_release, NULL, "host")) !=
	    ADDIN_OK) {
		addin__free(control);
		goto fail;
	}

	snprintf(namebuf, sizeof(namebuf), "%s", name);
	snprintf(hostpid, sizeof(hostpid), "%d", addin__plat_getpid());
	snprintf(workers, sizeof(workers), "%u",
	         opts->workers != 0 ? opts->workers : 4);
	snprintf(deadline, sizeof(deadline), "%u", cc.default_deadline_ms);
	argv[argc++] = sup->runner;
	argv[argc++] = o_connect;
	argv[argc++] = url;
	argv[argc++] = o_parent;
	argv[argc++] = hostpid;
	argv[argc++] = o_name;
	argv[argc++] = namebuf;
	argv[argc++] = o_workers;
	argv[argc++] = workers;
	argv[argc++] = o_deadline;
	argv[argc++] = deadline;
	for (size_t i = 0; opts->extra_args != NULL &&
	                   opts->extra_args[i] != NULL && argc < 31;
	     i++) {
		argv[argc++] = opts->extra_args[i];
	}
	argv[argc] = NULL;
	if ((envp = make_env(opts->env)) == NULL) {
		rv = addin__seterr(ADDIN_ENOMEM, NULL);
		goto fail;
	}
	fds[nfds].parent_fd  = tsock[0];
	fds[nfds++].child_fd = TOKEN_FD;
	for (size_t i = 0; i < opts->n_extra; i++) {
		fds[nfds].parent_fd  = opts->extra_fds[i];
		fds[nfds++].child_fd = opts->extra_at[i];
	}
	memset(&so, 0, sizeof(so));
	so.path       = sup->runner;
	so.argv       = argv;
	so.envp       = envp;
	so.fds        = fds;
	so.nfds       = nfds;
	so.new_pgroup = true;
	so.cwd        = opts->cwd;
	rv            = spawn_on_thread(sup, &so, &p->pid, &p->pidfd);
	addin__free(envp);
	envp = NULL;
	addin__plat_close(tsock[0]);
	tsock[0] = -1;
	if (rv != ADDIN_OK) {
		rv = addin__seterr(ADDIN_ESPAWN, "%s: %s", p->label,
		                   addin_errmsg());
		goto fail;
	}
	snprintf(p->label, sizeof(p->label), "add-in %s (pid %d)", name,
	         p->pid);
	pthread_mutex_lock(&sup->mtx);
	p->next    = sup->procs;
	sup->procs = p;
	rv         = addin__plat_waitset_add(sup->ws, p->pidfd, p);
	pthread_mutex_unlock(&sup->mtx);
	if (rv != ADDIN_OK) {
		goto fail;
	}

	// Only now may the process connect, and only now can it: it waits
	// for the token.
	if (opts->started != NULL &&
	    (rv = opts->started(opts->hook_arg, p->pid)) != ADDIN_OK) {
		rv = addin__seterr(ADDIN_ESANDBOX, "%s: %s", p->label,
		                   addin_errmsg());
		addin__plat_close(tsock[1]);
		addin__proc_unref(p);
		return rv;
	}
	addin__channel_expect_pid(p->ch, p->pid);
	rv = addin__plat_send_full(tsock[1], token, sizeof(token));
	addin__plat_close(tsock[1]);
	tsock[1] = -1;
	memset(token, 0, sizeof(token));
	if (rv == ADDIN_OK) {
		rv = addin__channel_handshake(
		    p->ch, sup->cfg.handshake_timeout_ms != 0
		               ? sup->cfg.handshake_timeout_ms
		               : 10000);
	}
	if (rv != ADDIN_OK) {
		char why[ADDIN__ERRMSG_MAX];
		snprintf(why, sizeof(why), "%s", addin_errmsg());
		// A runner that ended by itself (bad library path, exec
		// failure, sandbox setup) tells more by how it ended.
		if (addin__proc_wait(p, 200, NULL) == ADDIN_OK) {
			pthread_mutex_lock(&sup->mtx);
			snprintf(why, sizeof(why), "the process ended: %s",
			         p->death_msg);
			pthread_mutex_unlock(&sup->mtx);
			rv = ADDIN_ESPAWN;
		} else {
			addin__proc_kill(p, "handshake failed");
		}
		rv = addin__seterr(rv == ADDIN_EPEERDIED ? ADDIN_ESPAWN : rv,
		                   "%s did not complete the handshake: %s",
		                   p->label, why);
		addin__proc_unref(p);
		return rv;
	}
	*ret = p;
	return ADDIN_OK;

fail:
	addin__plat_close(tsock[0]);
	addin__plat_close(tsock[1]);
	addin__free(envp);
	if (p->pid > 0) {
		rv = addin_last_error();
		addin__proc_unref(p);
		return rv;
	}
	proc_free(p);
	return rv;
}

addin__proc *
addin__proc_ref(addin__proc *p)
{
	atomic_fetch_add(&p->refs, 1);
	return p;
}

static void
proc_free(addin__proc *p)
{
	addin__sup     *sup = p->sup;
	addin__channel *ch;
	grave          *g = NULL;

	// Unlist first: from then on the supervisor cannot touch @p.  A
	// process that is somehow still not reaped (it survived SIGKILL for
	// longer than we waited) is handed to the supervisor to reap later,
	// never left a zombie.
	if (p->pidfd >= 0 && !p->dead) {
		g = ADDIN__NEW(grave);
	}
	pthread_mutex_lock(&sup->mtx);
	for (addin__proc **pp = &sup->procs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	ch    = p->ch;
	p->ch = NULL;
	if (p->pidfd >= 0 && !p->dead) {
		addin__plat_waitset_del(sup->ws, p->pidfd);
		if (g != NULL) {
			g->pidfd    = p->pidfd;
			g->next     = sup->graves;
			sup->graves = g;
			p->pidfd    = -1;
			(void) addin__plat_waitset_add(sup->ws, g->pidfd, g);
		}
	}
	pthread_cond_broadcast(&sup->cv);
	pthread_mutex_unlock(&sup->mtx);
	addin__channel_close(ch);
	addin__plat_close(p->pidfd);
	addin__free(p);
	wake(sup);
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
	if (rv != ADDIN_OK) {
		return rv;
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

// ---- the supervisor ----------------------------------------------------

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
	int         err;

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
	    (rv = addin__plat_waitset_create(&sup->ws)) != ADDIN_OK ||
	    (rv = addin__executor_create(
	         2, sup->cfg.workers_max != 0 ? sup->cfg.workers_max : 16,
	         &sup->ex)) != ADDIN_OK) {
		goto fail;
	}
	if ((err = pthread_create(&sup->thread, NULL, sup_main, sup)) != 0) {
		rv = addin__syserr(ADDIN_ESYSERR, err, "pthread_create");
		goto fail;
	}
	sup->thread_started = true;
	*ret                = sup;
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
	pthread_mutex_lock(&sup->mtx);
	sup->stopping = true;
	for (grave *g = sup->graves; g != NULL; g = g->next) {
		(void) addin__plat_pidfd_kill(g->pidfd, SIGKILL);
	}
	reap_graves_locked(sup, 2000);
	pthread_mutex_unlock(&sup->mtx);
	if (sup->thread_started) {
		// Every process has ended and been reaped.  References the
		// owner still holds must not be used after this (caller bug).
		wake(sup);
		pthread_join(sup->thread, NULL);
	}
	addin__executor_destroy(sup->ex);
	while (sup->graves != NULL) { // survived SIGKILL for 2 s: give up
		grave *g    = sup->graves;
		sup->graves = g->next;
		addin__plat_close(g->pidfd);
		addin__free(g);
	}
	addin__plat_waitset_destroy(sup->ws);
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
