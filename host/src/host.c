// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The host: activation at every isolation level, controllers, add-in
// processes (addin/host.h).
//
// Locking: host->mtx guards the host's lists (loaded host adapters,
// controllers, processes) and the state fields of controllers and
// processes.  It is never held across a call into an add-in, a channel
// call, or a process shutdown.

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "addin/host.h"
#include "addin/wire.pb-c.h"
#include "loader.h"
#include "platform/platform.h"
#include "proc.h"
#include "rpc.h"
#include "sandbox_launch.h"

// A host-side adapter loaded into the host (with its contract).  Loaded once
// per host and kept until the host is destroyed: objects point into it.
typedef struct host_adapter {
	struct host_adapter          *next;
	char                         *path;
	void                         *contract_h, *h;
	const addin_host_adapter_def *def;
} host_adapter;

struct addin_process {
	addin_host           *host;
	addin__proc          *proc;
	addin__sbx           *sbx; // sandboxed: cgroup, directories, reports
	char                 *name;
	struct addin_process *next; // host->procs
	// Under host->mtx:
	int  pub_refs; // the caller's references (addin_process_create/ref)
	int  addins;   // add-ins running in it
	int  ctl_refs; // controllers that point at it
	int  pins;     // threads working on it outside the lock
	bool down;     // shut down (or being)
	bool freed;    // process_free is running or ran
};

struct addin_controller {
	addin_host              *host; // NULL once the host was destroyed
	struct addin_controller *next; // host->ctls
	addin_token             *tok;
	addin_isolation          level;
	addin_object            *obj;
	char                    *view_id;
	char                     name[128];
	host_adapter            *ha; // the host's record; gone with the host
	const addin_host_adapter_def *had; // its entry, in the library
	void                         *adapter_self;
	addin__loaded                *loaded;  // direct, in-process
	addin_process                *process; // process levels
	uint64_t                      object_id;
	ProtobufCService             *proxy;
	uint32_t                      deadline_ms;
	// Under host->mtx:
	int  refs;       // the object's, plus pins of working threads
	bool shut;       // shutdown began
	bool code_freed; // adapter state, proxy and libraries released
	bool counted;    // counted in process->addins
	char exit[400];
	char sandbox[2048]; // addin_controller_sandbox's string
};

struct addin_host {
	pthread_mutex_t   mtx;
	addin__sup       *sup;
	host_adapter     *adapters;
	addin_controller *ctls;
	addin_process    *procs;
	addin_host_config cfg;
	// Warnings already logged, by hash of their text (once per host).
	uint64_t logged[32];
	size_t   nlogged;
};

static void ctl_object_destroy(void *self, void *arg);

// ---- host -----------------------------------------------------------------

// Documented in include/addin/host.h.
const char *
addin_isolation_name(addin_isolation level)
{
	switch (level) {
	case ADDIN_ISOLATION_DIRECT: return "direct";
	case ADDIN_ISOLATION_IN_PROCESS: return "in-process";
	case ADDIN_ISOLATION_SHARED_PROCESS: return "shared-process";
	case ADDIN_ISOLATION_OWN_PROCESS: return "own-process";
	case ADDIN_ISOLATION_SANDBOXED: return "sandboxed";
	default: return "unknown";
	}
}

// Documented in include/addin/host.h.
addin_err
addin_host_create(const addin_host_config *cfg, addin_host **ret_host)
{
	addin_host       *h;
	addin__sup_cfg    sc;
	addin_host_config defaults = ADDIN_HOST_CONFIG_INIT;
	addin_err         rv;

	if (ret_host == NULL || (cfg != NULL && cfg->abi_version != 1)) {
		return addin__rc_filter(addin__seterr(
		    ADDIN_EINVAL, "addin_host_create: bad arguments"));
	}
	if ((h = ADDIN__NEW(addin_host)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	pthread_mutex_init(&h->mtx, NULL);
	h->cfg = cfg != NULL ? *cfg : defaults;
	memset(&sc, 0, sizeof(sc));
	sc.runner_path         = h->cfg.runner_path;
	sc.default_deadline_ms = h->cfg.default_deadline_ms;
	sc.shutdown_grace_ms   = (int) h->cfg.shutdown_grace_ms;
	if ((rv = addin__sup_create(&sc, &h->sup)) != ADDIN_OK) {
		pthread_mutex_destroy(&h->mtx);
		addin__free(h);
		return addin__rc_filter(rv);
	}
	*ret_host = h;
	return ADDIN_OK;
}

// host_log sends @msg to the host's log: the configured function, else
// stderr.
static void
host_log(addin_host *h, addin_log_level level, const char *msg)
{
	if (h->cfg.log != NULL) {
		h->cfg.log(h->cfg.log_arg, level, msg);
	} else {
		fprintf(stderr, "bulkhead: %s: %s\n",
		        level == ADDIN_LOG_WARNING ? "warning" : "info", msg);
	}
}

// log_once is true the first time this host sees @text (by hash; once the
// table is full, every time).
static bool
log_once(addin_host *h, const char *text, size_t len)
{
	uint64_t hash = 14695981039346656037ull; // FNV-1a
	bool     seen = false;
	for (size_t i = 0; i < len; i++) {
		hash = (hash ^ (unsigned char) text[i]) * 1099511628211ull;
	}
	pthread_mutex_lock(&h->mtx);
	for (size_t i = 0; i < h->nlogged && !seen; i++) {
		seen = h->logged[i] == hash;
	}
	if (!seen && h->nlogged < sizeof(h->logged) / sizeof(h->logged[0])) {
		h->logged[h->nlogged++] = hash;
	}
	pthread_mutex_unlock(&h->mtx);
	return !seen;
}

// log_degraded logs each thing the kernel could not give @name's sandbox,
// once per host.
static void
log_degraded(addin_host *h, const char *name, addin__sbx *sbx)
{
	const char *w = addin__sbx_warnings(sbx);
	while (*w != '\0') {
		const char *nl  = strchr(w, '\n');
		size_t      len = nl != NULL ? (size_t) (nl - w) : strlen(w);
		if (len > 0 && log_once(h, w, len)) {
			const char *what = w;
			int         wlen = (int) len;
			char        msg[600];
			if (strncmp(what, "sandbox: ", 9) == 0 && len > 9) {
				what += 9;
				wlen -= 9;
			}
			snprintf(msg, sizeof(msg),
			         "add-in %s: %s sandbox degraded: %.*s", name,
			         addin__sbx_level_name(sbx), wlen, what);
			host_log(h, ADDIN_LOG_WARNING, msg);
		}
		w += len + (nl != NULL);
	}
}

static int
grace_ms(addin_host *h)
{
	return h->cfg.shutdown_grace_ms != 0 ? (int) h->cfg.shutdown_grace_ms
	                                     : 2000;
}

// ---- host-side adapters ------------------------------------------------

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static addin_err
host_adapter_get(addin_host *h, addin_token *tok, host_adapter **ret)
{
	const char   *name = addin_token_name(tok);
	const char   *path = addin_token_path(tok, ADDIN_SEGMENT_HOST_ADAPTER);
	const char   *cpath = addin_token_path(tok, ADDIN_SEGMENT_CONTRACT);
	host_adapter *ha    = NULL;
	void         *sym   = NULL;
	addin_err     rv    = ADDIN_OK;
	const char   *why;

	pthread_mutex_lock(&h->mtx);
	for (ha = h->adapters; ha != NULL; ha = ha->next) {
		if (strcmp(ha->path, path) == 0) {
			break;
		}
	}
	pthread_mutex_unlock(&h->mtx);
	if (ha == NULL) {
		if ((ha = ADDIN__NEW(host_adapter)) == NULL ||
		    (ha->path = addin__strdup(path)) == NULL) {
			addin__free(ha);
			return addin__seterr(ADDIN_ENOMEM, NULL);
		}
		// Loaded into the host: only files nobody else could have
		// changed since discovery looked at them (the one trust rule
		// of platform.h, as in discovery).
		const char *check[] = {cpath, path};
		for (size_t i = 0; i < 2 && rv == ADDIN_OK; i++) {
			if (check[i] != NULL && check[i][0] != '\0' &&
			    (rv = addin__plat_path_trusted(check[i])) !=
			        ADDIN_OK) {
				rv = addin__seterr(
				    rv == ADDIN_EPERM ? ADDIN_EPERM
				                      : ADDIN_ELOAD,
				    "add-in %s: will not load %s: %s", name,
				    check[i], addin_errmsg());
			}
		}
		if (rv != ADDIN_OK) {
			goto fail;
		}
		// The contract first: the adapter's DT_NEEDED on it resolves
		// to this copy.
		dlerror();
		if (cpath != NULL && cpath[0] != '\0' &&
		    (ha->contract_h = dlopen(cpath, RTLD_NOW | RTLD_LOCAL)) ==
		        NULL) {
			why = dlerror();
			rv  = addin__seterr(
			     ADDIN_ELOAD, "add-in %s: cannot load contract %s",
			     name, why != NULL ? why : cpath);
			goto fail;
		}
		if ((ha->h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
			why = dlerror();
			rv  = addin__seterr(
			     ADDIN_ELOAD,
			     "add-in %s: cannot load host adapter %s", name,
                            why != NULL ? why : path);
			goto fail;
		}
		if ((sym = addin__dlsym_own(
		         ha->h, ADDIN_ENTRY_HOST_ADAPTER)) == NULL) {
			rv = addin__seterr(
			    ADDIN_ESYMBOL,
			    "add-in %s: host adapter %s does not export %s",
			    name, path, ADDIN_ENTRY_HOST_ADAPTER);
			goto fail;
		}
		ha->def = sym;
		pthread_mutex_lock(&h->mtx);
		ha->next    = h->adapters;
		h->adapters = ha;
		pthread_mutex_unlock(&h->mtx);
	}
	// What discovery read must be what the library says.
	if (ha->def->abi_version != ADDIN_ABI_VERSION ||
	    !same(ha->def->view_id, addin_token_host_view_id(tok)) ||
	    !same(ha->def->view_hash, addin_token_host_view_hash(tok)) ||
	    !same(ha->def->contract_id, addin_token_contract_id(tok)) ||
	    !same(ha->def->contract_hash, addin_token_contract_hash(tok)) ||
	    ha->def->descriptor == NULL || ha->def->wrap == NULL ||
	    ha->def->unwrap == NULL) {
		return addin__seterr(
		    ADDIN_EMISMATCH,
		    "add-in %s: host adapter %s bridges %s -> %s, the token "
		    "says %s -> %s",
		    name, path, ha->def->view_id, ha->def->contract_id,
		    addin_token_host_view_id(tok),
		    addin_token_contract_id(tok));
	}
	*ret = ha;
	return ADDIN_OK;
fail:
	if (ha->h != NULL) {
		dlclose(ha->h);
	}
	if (ha->contract_h != NULL) {
		dlclose(ha->contract_h);
	}
	addin__free(ha->path);
	addin__free(ha);
	return rv;
}

// ---- processes ----------------------------------------------------------

static addin_err
sbx_started(void *arg, int pid)
{
	return addin__sbx_started(arg, pid);
}

static void
sbx_death(void *arg, int code, int value, int64_t cpu_ms, int host_kill,
          char *msg, size_t len)
{
	addin__sbx_death(arg, code, value, cpu_ms, host_kill, msg, len);
}

// Start an add-in process; sandboxed when @sbx is given (which the process
// then owns, also on failure).
static addin_err
process_start(addin_host *h, const char *name, const char *const *env,
              const char *cwd, uint32_t deadline_ms, addin__sbx *sbx,
              addin_process **ret)
{
	addin_process   *proc;
	addin__proc_opts po;
	addin_err        rv;
	const char      *merged[64];
	size_t           n = 0;
	int              fds[2];
	int              at[2] = {ADDIN__SBX_POLICY_FD, ADDIN__SBX_REPORT_FD};
	char             a_pol[16], a_rep[16];
	char             o_pol[] = "--sandbox-fd", o_rep[] = "--report-fd";
	char            *args[5] = {o_pol, a_pol, o_rep, a_rep, NULL};

	if ((proc = ADDIN__NEW(addin_process)) == NULL ||
	    (proc->name = addin__strdup(name)) == NULL) {
		addin__free(proc);
		addin__sbx_destroy(sbx);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	memset(&po, 0, sizeof(po));
	po.name        = name;
	po.cwd         = cwd;
	po.deadline_ms = deadline_ms;
	if (sbx != NULL) {
		// The sandbox's own settings first: of two equal keys, the
		// first wins.
		for (const char *const *e = addin__sbx_env(sbx); *e != NULL;
		     e++) {
			merged[n++] = *e;
		}
		snprintf(a_pol, sizeof(a_pol), "%d", ADDIN__SBX_POLICY_FD);
		snprintf(a_rep, sizeof(a_rep), "%d", ADDIN__SBX_REPORT_FD);
		fds[0]        = addin__sbx_policy_fd(sbx);
		fds[1]        = addin__sbx_report_fd_child(sbx);
		po.extra_fds  = fds;
		po.extra_at   = at;
		po.n_extra    = 2;
		po.extra_args = args;
		po.ipc_dir    = addin__sbx_ipc_dir(sbx);
		po.started    = sbx_started;
		po.death      = sbx_death;
		po.hook_arg   = sbx;
	}
	for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
		if (n + 1 >= sizeof(merged) / sizeof(merged[0])) {
			addin__free(proc->name);
			addin__free(proc);
			addin__sbx_destroy(sbx);
			return addin__seterr(
			    ADDIN_EINVAL,
			    "add-in %s: more than 60 environment entries",
			    name);
		}
		merged[n++] = env[i];
	}
	merged[n] = NULL;
	po.env    = merged;
	if ((rv = addin__proc_spawn(h->sup, &po, &proc->proc)) != ADDIN_OK) {
		addin__free(proc->name);
		addin__free(proc);
		addin__sbx_destroy(sbx);
		return rv;
	}
	proc->sbx  = sbx;
	proc->host = h;
	pthread_mutex_lock(&h->mtx);
	proc->next = h->procs;
	h->procs   = proc;
	pthread_mutex_unlock(&h->mtx);
	*ret = proc;
	return ADDIN_OK;
}

// Called with host->mtx held: may the OS process end / may the memory go?
static bool
process_idle_locked(addin_process *proc)
{
	return proc->pub_refs == 0 && proc->addins == 0;
}

static bool
process_freeable_locked(addin_process *proc)
{
	return process_idle_locked(proc) && proc->ctl_refs == 0 &&
	       proc->pins == 0 && !proc->freed;
}

static void
process_free(addin_process *proc)
{
	addin_host *h = proc->host;
	pthread_mutex_lock(&h->mtx);
	for (addin_process **pp = &h->procs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == proc) {
			*pp = proc->next;
			break;
		}
	}
	pthread_mutex_unlock(&h->mtx);
	addin__proc_unref(proc->proc); // shuts down and reaps first
	addin__sbx_destroy(proc->sbx);
	addin__free(proc->name);
	addin__free(proc);
}

// Free @proc when nobody uses or points at it any more (once: the first
// thread to see it so does it), after dropping this thread's pin (@unpin).
static void
process_free_if_unused(addin_process *proc, bool unpin)
{
	addin_host *h = proc->host;
	bool        free_it;

	pthread_mutex_lock(&h->mtx);
	proc->pins -= unpin ? 1 : 0;
	free_it = process_freeable_locked(proc);
	if (free_it) {
		proc->freed = true;
	}
	pthread_mutex_unlock(&h->mtx);
	if (free_it) {
		process_free(proc);
	}
}

// Drop one of the process's users (@pub: a caller reference; @addin: a
// running add-in) and/or one controller reference (@ctl_ref); end the OS
// process when nobody uses it, free it when nobody points at it.  The
// thread that ends it pins it meanwhile, so a concurrent release cannot
// free it under that thread.
static void
process_release(addin_process *proc, bool pub, bool addin, bool ctl_ref)
{
	addin_host *h = proc->host;
	bool        end;

	pthread_mutex_lock(&h->mtx);
	proc->pub_refs -= pub ? 1 : 0;
	proc->addins -= addin ? 1 : 0;
	proc->ctl_refs -= ctl_ref ? 1 : 0;
	end = process_idle_locked(proc) && !proc->down;
	if (end) {
		proc->down = true;
		proc->pins++;
	}
	pthread_mutex_unlock(&h->mtx);
	if (end) {
		(void) addin__proc_shutdown(proc->proc, grace_ms(h));
		pthread_mutex_lock(&h->mtx);
		proc->pins--;
		pthread_mutex_unlock(&h->mtx);
	}
	process_free_if_unused(proc, false);
}

// Documented in include/addin/host.h.
addin_err
addin_process_create(addin_host *h, const addin_process_options *opts,
                     addin_process **ret_proc)
{
	addin_process_options defaults = ADDIN_PROCESS_OPTIONS_INIT;
	addin_process        *proc;
	addin_err             rv;

	if (h == NULL || ret_proc == NULL ||
	    (opts != NULL && opts->abi_version != 1)) {
		return addin__seterr(ADDIN_EINVAL, "addin_process_create: bad "
		                                   "arguments");
	}
	if (opts == NULL) {
		opts = &defaults;
	}
	rv = process_start(h, opts->name != NULL ? opts->name : "shared",
	                   opts->env, opts->cwd, opts->deadline_ms, NULL,
	                   &proc);
	if (rv != ADDIN_OK) {
		return addin__rc_filter(rv);
	}
	proc->pub_refs = 1;
	*ret_proc      = proc;
	return ADDIN_OK;
}

// Documented in include/addin/host.h.
addin_process *
addin_process_ref(addin_process *proc)
{
	if (proc != NULL) {
		pthread_mutex_lock(&proc->host->mtx);
		proc->pub_refs++;
		pthread_mutex_unlock(&proc->host->mtx);
	}
	return proc;
}

// Documented in include/addin/host.h.
addin_process *
addin_process_unref(addin_process *proc)
{
	if (proc != NULL) {
		process_release(proc, true, false, false);
	}
	return NULL;
}

// Documented in include/addin/host.h.
int
addin_process_pid(const addin_process *proc)
{
	return addin__proc_alive(proc->proc) ? addin__proc_pid(proc->proc) : 0;
}

// Documented in include/addin/host.h.
addin_err
addin_process_addins(addin_process *proc, char ***ret_names, size_t *ret_count)
{
	addin_host *h = proc->host;
	size_t      n = 0, bytes = 0;
	char      **names, *out;

	pthread_mutex_lock(&h->mtx);
	for (addin_controller *c = h->ctls; c != NULL; c = c->next) {
		if (c->process == proc && c->counted) {
			n++;
			bytes += strlen(c->name) + 1;
		}
	}
	names = addin__alloc((n + 1) * sizeof(*names) + bytes);
	if (names == NULL) {
		pthread_mutex_unlock(&h->mtx);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	out = (char *) (names + n + 1);
	// h->ctls is newest first: fill from the back for activation order.
	size_t i = n;
	for (addin_controller *c = h->ctls; c != NULL; c = c->next) {
		if (c->process == proc && c->counted) {
			size_t len = strlen(c->name) + 1;
			memcpy(out, c->name, len);
			names[--i] = out;
			out += len;
		}
	}
	names[n] = NULL;
	pthread_mutex_unlock(&h->mtx);
	*ret_names = names;
	*ret_count = n;
	return ADDIN_OK;
}

// ---- controllers -------------------------------------------------------
//
// A controller lives as long as its object (the object's destroy hook frees
// it) or longer while another thread pins it (refs).  Shutting an add-in
// down and freeing the code a call may be running in are separate steps:
// the code (adapter state, proxy, in-process libraries) goes only once no
// call is in flight on the object.

static void
ctl_pin_locked(addin_controller *ctl)
{
	ctl->refs++;
}

static void
ctl_free(addin_controller *ctl)
{
	addin_token_unref(ctl->tok);
	addin__free(ctl->view_id);
	addin__free(ctl);
}

// Drop a pin (or the object's reference); the last frees the controller.
// @h is the controller's host, or NULL once the host is gone (then only
// the object's destroy can be last, on one thread).
static void
ctl_unpin(addin_host *h, addin_controller *ctl)
{
	bool last;
	if (h != NULL) {
		pthread_mutex_lock(&h->mtx);
	}
	last = --ctl->refs == 0;
	if (h != NULL) {
		pthread_mutex_unlock(&h->mtx);
	}
	if (last) {
		ctl_free(ctl);
	}
}

// Free what a call could be running in.  Only when the object is idle
// (or was never handed out).  Idempotent.
static void
ctl_free_code(addin_controller *ctl)
{
	addin_host *h = ctl->host;
	bool        freed;

	if (h != NULL) {
		pthread_mutex_lock(&h->mtx);
	}
	freed           = ctl->code_freed;
	ctl->code_freed = true;
	if (h != NULL) {
		pthread_mutex_unlock(&h->mtx);
	}
	if (freed) {
		return;
	}
	if (ctl->adapter_self != NULL) {
		ctl->had->unwrap(ctl->adapter_self);
		ctl->adapter_self = NULL;
	}
	if (ctl->proxy != NULL) {
		addin__proxy_destroy(ctl->proxy);
		ctl->proxy = NULL;
	}
	addin__loader_unload(ctl->loaded);
	ctl->loaded = NULL;
}

// Give up the add-in's place in its process (which ends with its last
// add-in once the caller let go of it).  Idempotent.
static void
ctl_leave_process(addin_controller *ctl)
{
	addin_host *h = ctl->host;
	bool        counted;

	pthread_mutex_lock(&h->mtx);
	counted      = ctl->counted;
	ctl->counted = false;
	pthread_mutex_unlock(&h->mtx);
	if (counted) {
		process_release(ctl->process, false, true, false);
	}
}

// Documented in include/addin/host.h.
addin_err
addin_controller_shutdown(addin_controller *ctl)
{
	addin_host *h;
	bool        shut;
	addin_err   rv = ADDIN_OK;

	if (ctl == NULL || ctl->host == NULL) {
		return ADDIN_OK; // the host already shut everything down
	}
	h = ctl->host;
	pthread_mutex_lock(&h->mtx);
	shut      = ctl->shut;
	ctl->shut = true;
	pthread_mutex_unlock(&h->mtx);
	if (shut) {
		return ADDIN_OK;
	}
	addin__object_kill(ctl->obj, "add-in %s has been shut down",
	                   ctl->name);
	if (ctl->level <= ADDIN_ISOLATION_IN_PROCESS) {
		// Code in the host cannot be interrupted: wait for the calls
		// in flight, bounded.
		if (addin__object_wait_idle(ctl->obj, grace_ms(h)) !=
		    ADDIN_OK) {
			// Stays killed (no new calls); a later shutdown or the
			// release tries again.
			pthread_mutex_lock(&h->mtx);
			ctl->shut = false;
			pthread_mutex_unlock(&h->mtx);
			return addin__seterr(
			    ADDIN_EBUSY,
			    "add-in %s: calls still running after %d ms; it "
			    "stays loaded",
			    ctl->name, grace_ms(h));
		}
		ctl_free_code(ctl);
		return ADDIN_OK;
	}

	bool last;
	pthread_mutex_lock(&h->mtx);
	last = ctl->process->pub_refs == 0 && ctl->process->addins == 1;
	pthread_mutex_unlock(&h->mtx);
	// Unload in the process (its destroy runs there) unless the whole
	// process is about to go anyway.
	if (!last && ctl->object_id != 0 &&
	    addin__proc_alive(ctl->process->proc)) {
		rv = addin__proc_unload(ctl->process->proc, ctl->object_id);
		if (rv == ADDIN_EPEERDIED || rv == ADDIN_ECLOSED) {
			rv = ADDIN_OK; // gone already: nothing to unload
		}
	}
	ctl_leave_process(ctl); // ends the process if this was its last
	const char *d = addin__proc_death(ctl->process->proc);
	pthread_mutex_lock(&h->mtx);
	if (d != NULL) {
		snprintf(ctl->exit, sizeof(ctl->exit), "%s", d);
	}
	pthread_mutex_unlock(&h->mtx);
	// Calls still in flight finish or fail fast (their process is gone,
	// or their call deadline passes); the code goes now if they have
	// left, else when the object is released.
	if (addin__object_wait_idle(ctl->obj, grace_ms(h)) == ADDIN_OK) {
		ctl_free_code(ctl);
	}
	return addin__rc_filter(rv);
}

static void
ctl_unlist(addin_host *h, addin_controller *ctl)
{
	pthread_mutex_lock(&h->mtx);
	for (addin_controller **pp = &h->ctls; *pp != NULL;
	     pp                    = &(*pp)->next) {
		if (*pp == ctl) {
			*pp = ctl->next;
			break;
		}
	}
	pthread_mutex_unlock(&h->mtx);
}

// The object's last reference is gone (so no call is in flight): shut the
// add-in down, free its code, let go of its process, and drop the
// object's reference to the controller.
static void
ctl_object_destroy(void *self, void *arg)
{
	addin_controller *ctl = arg;
	addin_host       *h   = ctl->host;
	(void) self;
	if (h != NULL) {
		(void) addin_controller_shutdown(ctl);
	}
	ctl_free_code(ctl);
	if (h != NULL) {
		if (ctl->process != NULL) {
			process_release(ctl->process, false, false, true);
		}
		ctl_unlist(h, ctl);
	}
	ctl_unpin(h, ctl);
}

// Documented in include/addin/host.h.
addin_controller *
addin_controller_get(addin_object *obj)
{
	return addin__object_destroy_arg(obj, ctl_object_destroy);
}

// Documented in include/addin/host.h.
addin_token *
addin_controller_token(const addin_controller *ctl)
{
	return ctl->tok;
}

// Documented in include/addin/host.h.
addin_isolation
addin_controller_isolation(const addin_controller *ctl)
{
	return ctl->level;
}

// Documented in include/addin/host.h.
int
addin_controller_pid(const addin_controller *ctl)
{
	if (ctl->level <= ADDIN_ISOLATION_IN_PROCESS) {
		return addin__plat_getpid();
	}
	if (ctl->process == NULL) {
		return 0; // its process went with the host
	}
	return addin_process_pid(ctl->process);
}

// Documented in include/addin/host.h.
addin_process *
addin_controller_process(const addin_controller *ctl)
{
	return ctl->process;
}

// Documented in include/addin/host.h.
bool
addin_controller_is_running(const addin_controller *ctl)
{
	bool running;
	if (ctl->host == NULL) {
		return false;
	}
	pthread_mutex_lock(&ctl->host->mtx);
	running = !ctl->shut;
	pthread_mutex_unlock(&ctl->host->mtx);
	if (running && ctl->process != NULL) {
		running = addin__proc_alive(ctl->process->proc) &&
		          addin__channel_is_open(
		              addin__proc_channel(ctl->process->proc));
	}
	return running;
}

// Documented in include/addin/host.h.
const char *
addin_controller_sandbox(addin_controller *ctl)
{
	if (ctl->host == NULL || ctl->process == NULL ||
	    ctl->process->sbx == NULL) {
		return ctl->sandbox; // "" or what was last described
	}
	// Copied into the controller: the sandbox's record goes with its
	// process, the string must live as long as the controller.
	addin__sbx_describe(ctl->process->sbx, ctl->sandbox,
	                    sizeof(ctl->sandbox));
	return ctl->sandbox;
}

// Documented in include/addin/host.h.
const char *
addin_controller_exit_status(const addin_controller *ctl)
{
	if (ctl->exit[0] != '\0') {
		return ctl->exit;
	}
	if (ctl->process != NULL && ctl->host != NULL) {
		return addin__proc_death(ctl->process->proc);
	}
	return NULL;
}

// ---- activation -------------------------------------------------------

static void
fill_load(Addin__Wire__V1__LoadRequest *req, addin_controller *ctl)
{
	addin_token *t = ctl->tok;
	addin__wire__v1__load_request__init(req);
	req->name = ctl->name;
	req->addin_path =
	    addin__deconst(addin_token_path(t, ADDIN_SEGMENT_ADDIN));
	req->adapter_path =
	    addin__deconst(addin_token_path(t, ADDIN_SEGMENT_ADDIN_ADAPTER));
	req->contract_path =
	    addin__deconst(addin_token_path(t, ADDIN_SEGMENT_CONTRACT));
	req->contract_id   = addin__deconst(addin_token_contract_id(t));
	req->contract_hash = addin__deconst(addin_token_contract_hash(t));
	req->view_id       = addin__deconst(addin_token_addin_view_id(t));
	req->view_hash     = addin__deconst(addin_token_addin_view_hash(t));
}

static void
fill_local(addin__load_req *r, addin_controller *ctl, bool direct)
{
	addin_token *t = ctl->tok;
	memset(r, 0, sizeof(*r));
	r->name       = ctl->name;
	r->addin_path = addin_token_path(t, ADDIN_SEGMENT_ADDIN);
	r->view_id    = addin_token_addin_view_id(t);
	r->view_hash  = addin_token_addin_view_hash(t);
	if (!direct) {
		r->adapter_path =
		    addin_token_path(t, ADDIN_SEGMENT_ADDIN_ADAPTER);
		r->contract_path = addin_token_path(t, ADDIN_SEGMENT_CONTRACT);
		r->contract_id   = addin_token_contract_id(t);
		r->contract_hash = addin_token_contract_hash(t);
	}
}

static addin_err
activate_here(addin_host *h, addin_controller *ctl, const void **ret_ops,
              void **ret_self)
{
	addin__load_req r;
	addin_err       rv;
	bool            direct = ctl->level == ADDIN_ISOLATION_DIRECT;

	(void) h;
	fill_local(&r, ctl, direct);
	if ((rv = addin__loader_load(&r, &ctl->loaded)) != ADDIN_OK) {
		return rv;
	}
	if (direct) {
		// The add-in's own ops are the host view's ops: same view.
		*ret_ops  = addin__loaded_def(ctl->loaded)->ops;
		*ret_self = addin__loaded_self(ctl->loaded);
		return ADDIN_OK;
	}
	rv = ctl->had->wrap(addin__loaded_service(ctl->loaded), ret_ops,
	                    &ctl->adapter_self);
	if (rv != ADDIN_OK) {
		return addin__seterr(rv, "add-in %s: host adapter: %s",
		                     ctl->name, addin_errmsg());
	}
	*ret_self = ctl->adapter_self;
	return ADDIN_OK;
}

static addin_err
sandbox_prepare(addin_controller *ctl, const addin_activation_options *o,
                addin__sbx **ret)
{
	addin_sandbox_options defaults = ADDIN_SANDBOX_OPTIONS_INIT;
	const char           *loaded[2];
	addin__sbx_args       a;
	addin_err             rv;
	char                 *libdir;

	loaded[0] = addin_token_path(ctl->tok, ADDIN_SEGMENT_CONTRACT);
	loaded[1] = addin_token_path(ctl->tok, ADDIN_SEGMENT_ADDIN_ADAPTER);
	// Where the runtime libraries are (the build tree or the install).
	libdir = addin__plat_object_dir((const void *) addin_object_create);
	memset(&a, 0, sizeof(a));
	a.name            = ctl->name;
	a.addin_path      = addin_token_path(ctl->tok, ADDIN_SEGMENT_ADDIN);
	a.loaded          = loaded;
	a.nloaded         = 2;
	a.runtime_lib_dir = libdir;
	a.tok             = ctl->tok;
	rv = addin__sbx_prepare(o->sandbox != NULL ? o->sandbox : &defaults,
	                        &a, ret);
	addin__free(libdir);
	return rv;
}

static addin_err
activate_remote(addin_host *h, addin_controller *ctl,
                const addin_activation_options *o, const void **ret_ops,
                void **ret_self)
{
	Addin__Wire__V1__LoadRequest req;
	addin_process               *proc;
	addin_err                    rv;

	if (ctl->level == ADDIN_ISOLATION_SHARED_PROCESS) {
		proc = o->process;
		pthread_mutex_lock(&h->mtx);
		if (proc->down || proc->host != h) {
			pthread_mutex_unlock(&h->mtx);
			return addin__seterr(
			    ADDIN_ELEVEL,
			    "add-in %s: the shared process %s is shut down or "
			    "belongs to another host",
			    ctl->name, proc->name);
		}
		proc->ctl_refs++;
		proc->addins++;
		ctl->counted = true;
		ctl->process = proc;
		pthread_mutex_unlock(&h->mtx);
	} else {
		addin__sbx *sbx = NULL;
		if (ctl->level == ADDIN_ISOLATION_SANDBOXED) {
			if ((rv = sandbox_prepare(ctl, o, &sbx)) != ADDIN_OK) {
				return rv;
			}
			log_degraded(h, ctl->name, sbx);
		}
		rv = process_start(h, ctl->name, o->env, o->cwd,
		                   o->deadline_ms, sbx, &proc);
		if (rv != ADDIN_OK) {
			return rv;
		}
		pthread_mutex_lock(&h->mtx);
		proc->ctl_refs = 1;
		proc->addins   = 1;
		ctl->counted   = true;
		ctl->process   = proc;
		pthread_mutex_unlock(&h->mtx);
	}
	fill_load(&req, ctl);
	if ((rv = addin__proc_load(proc->proc, &req, &ctl->object_id)) !=
	    ADDIN_OK) {
		return rv; // the runner's message names the add-in and file
	}
	rv = addin__proxy_create(addin__proc_channel(proc->proc),
	                         ctl->object_id, ctl->had->descriptor,
	                         ctl->deadline_ms, &ctl->proxy);
	if (rv != ADDIN_OK) {
		return rv;
	}
	rv = ctl->had->wrap(ctl->proxy, ret_ops, &ctl->adapter_self);
	if (rv != ADDIN_OK) {
		return addin__seterr(rv, "add-in %s: host adapter: %s",
		                     ctl->name, addin_errmsg());
	}
	*ret_self = ctl->adapter_self;
	return ADDIN_OK;
}

// Documented in include/addin/host.h.
addin_err
addin_activate(addin_host *h, addin_token *tok,
               const addin_activation_options *opts, addin_object **ret_obj)
{
	addin_activation_options defaults = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_controller        *ctl;
	addin_object_impl        impl = ADDIN_OBJECT_IMPL_INIT;
	const void              *ops  = NULL;
	void                    *self = NULL;
	addin_err                rv;

	if (h == NULL || tok == NULL || ret_obj == NULL ||
	    (opts != NULL && opts->abi_version != 1)) {
		return addin__seterr(ADDIN_EINVAL, "addin_activate: bad "
		                                   "arguments");
	}
	if (opts == NULL) {
		opts = &defaults;
	}
	if (opts->isolation < ADDIN_ISOLATION_DIRECT ||
	    opts->isolation > ADDIN_ISOLATION_SANDBOXED) {
		return addin__seterr(
		    ADDIN_EINVAL, "add-in %s: unknown isolation level %d",
		    addin_token_name(tok), (int) opts->isolation);
	}
	if (opts->isolation == ADDIN_ISOLATION_DIRECT &&
	    !addin_token_direct_connect_possible(tok)) {
		return addin__seterr(
		    ADDIN_ELEVEL,
		    "add-in %s implements view %s, the host view is %s: "
		    "direct "
		    "connect needs the same view (use in-process)",
		    addin_token_name(tok), addin_token_addin_view_id(tok),
		    addin_token_host_view_id(tok));
	}
	if (opts->isolation == ADDIN_ISOLATION_SHARED_PROCESS &&
	    opts->process == NULL) {
		return addin__seterr(
		    ADDIN_ELEVEL,
		    "add-in %s: a shared process activation needs a process "
		    "(addin_process_create)",
		    addin_token_name(tok));
	}

	if ((ctl = ADDIN__NEW(addin_controller)) == NULL ||
	    (ctl->view_id = addin__strdup(addin_token_host_view_id(tok))) ==
	        NULL) {
		addin__free(ctl);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	ctl->host        = h;
	ctl->refs        = 1;
	ctl->tok         = addin_token_ref(tok);
	ctl->level       = opts->isolation;
	ctl->deadline_ms = opts->deadline_ms;
	snprintf(ctl->name, sizeof(ctl->name), "%s", addin_token_name(tok));

	if (ctl->level != ADDIN_ISOLATION_DIRECT &&
	    (rv = host_adapter_get(h, tok, &ctl->ha)) != ADDIN_OK) {
		goto fail;
	}
	// The entry lives in the adapter library, which stays loaded as long
	// as an object may need it (even past the host: addin_host_destroy).
	ctl->had = ctl->ha != NULL ? ctl->ha->def : NULL;
	rv       = ctl->level <= ADDIN_ISOLATION_IN_PROCESS
	               ? activate_here(h, ctl, &ops, &self)
	               : activate_remote(h, ctl, opts, &ops, &self);
	if (rv != ADDIN_OK) {
		goto fail;
	}
	impl.view_id     = ctl->view_id;
	impl.ops         = ops;
	impl.self        = self;
	impl.destroy     = ctl_object_destroy;
	impl.destroy_arg = ctl;
	if ((rv = addin_object_create(&impl, &ctl->obj)) != ADDIN_OK) {
		goto fail;
	}
	pthread_mutex_lock(&h->mtx);
	ctl->next = h->ctls;
	h->ctls   = ctl;
	pthread_mutex_unlock(&h->mtx);
	*ret_obj = ctl->obj;
	return ADDIN_OK;

fail : {
	// Leave nothing running: unload, end a process made for this
	// activation, and keep the first error for the caller.
	char msg[ADDIN__ERRMSG_MAX];
	snprintf(msg, sizeof(msg), "%s", addin_errmsg());
	ctl->shut = true;
	ctl_free_code(ctl); // nothing was handed out: no call in flight
	if (ctl->process != NULL) {
		ctl_leave_process(ctl);
		process_release(ctl->process, false, false, true);
	}
	ctl_free(ctl);
	return addin__rc_filter(addin__seterr(rv, "%s", msg));
}
}

// Documented in include/addin/host.h.
addin_err
addin_process_shutdown(addin_process *proc)
{
	addin_host *h = proc->host;
	bool        end;

	pthread_mutex_lock(&h->mtx);
	proc->pins++;
	pthread_mutex_unlock(&h->mtx);
	// Shut each add-in in it down, newest first (each pinned while we
	// work on it: its object may be released meanwhile), then the process.
	for (;;) {
		addin_controller *victim = NULL;
		pthread_mutex_lock(&h->mtx);
		for (addin_controller *c = h->ctls; c != NULL; c = c->next) {
			if (c->process == proc && !c->shut) {
				victim = c;
				ctl_pin_locked(c);
				break;
			}
		}
		pthread_mutex_unlock(&h->mtx);
		if (victim == NULL) {
			break;
		}
		(void) addin_controller_shutdown(victim);
		ctl_unpin(h, victim);
	}
	pthread_mutex_lock(&h->mtx);
	end        = !proc->down;
	proc->down = true;
	pthread_mutex_unlock(&h->mtx);
	if (end) {
		(void) addin__proc_shutdown(proc->proc, grace_ms(h));
	}
	process_free_if_unused(proc, true);
	return ADDIN_OK;
}

// Documented in include/addin/host.h.
void
addin_host_destroy(addin_host *h)
{
	bool keep_adapters = false;

	if (h == NULL) {
		return;
	}
	// Every add-in: shut down now; objects the caller still holds stay
	// allocated and answer ADDIN_ESHUTDOWN.  Code that a call is still
	// running in (an in-process add-in past the grace period, an adapter
	// whose call has not returned) is not unloaded: it and the host
	// adapters stay loaded, and go when the object is released.
	for (;;) {
		addin_controller *ctl;
		pthread_mutex_lock(&h->mtx);
		ctl = h->ctls;
		if (ctl != NULL) {
			h->ctls = ctl->next;
			ctl_pin_locked(ctl);
		}
		pthread_mutex_unlock(&h->mtx);
		if (ctl == NULL) {
			break;
		}
		(void) addin_controller_shutdown(ctl);
		if (addin__object_wait_idle(ctl->obj, grace_ms(h)) ==
		    ADDIN_OK) {
			ctl_free_code(ctl);
		} else {
			keep_adapters = true;
		}
		if (ctl->process != NULL) {
			process_release(ctl->process, false, false, true);
		}
		pthread_mutex_lock(&h->mtx);
		ctl->process = NULL;
		ctl->host    = NULL;
		pthread_mutex_unlock(&h->mtx);
		ctl_unpin(h, ctl);
	}
	// Processes the caller still holds: end them; their handles die with
	// the host.
	for (;;) {
		addin_process *proc;
		pthread_mutex_lock(&h->mtx);
		proc = h->procs;
		pthread_mutex_unlock(&h->mtx);
		if (proc == NULL) {
			break;
		}
		(void) addin__proc_shutdown(proc->proc, grace_ms(h));
		process_free(proc);
	}
	addin__sup_destroy(h->sup);
	while (h->adapters != NULL) {
		host_adapter *ha = h->adapters;
		h->adapters      = ha->next;
		if (!keep_adapters) {
			dlclose(ha->h);
			if (ha->contract_h != NULL) {
				dlclose(ha->contract_h);
			}
		}
		addin__free(ha->path);
		addin__free(ha);
	}
	pthread_mutex_destroy(&h->mtx);
	addin__free(h);
}
