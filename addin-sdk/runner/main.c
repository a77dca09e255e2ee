// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// addin-runner: the add-in process.
//
// The host starts it with posix_spawn:
//
//     addin-runner --connect ipc:///run/.../3.ipc --parent PID [--name N]
//                  [--workers N] [--deadline-ms N]
//
// with the one-time token readable on descriptor 3.  The runner asks to be
// killed when the host dies (PR_SET_PDEATHSIG, re-checked against the
// expected parent), closes every descriptor it was not given, connects,
// presents the token in its HELLO, and serves the Control object (object 0:
// Load, Unload, Ping, Stats, Shutdown) and the add-ins it loads until the
// host shuts it down (exit 0) or goes away (exit ADDIN_EXIT_HOST_GONE).

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addin/adapter.h"
#include "addin/wire.pb-c.h"
#include "channel.h"
#include "executor.h"
#include "loader.h"
#include "parse.h"
#include "platform/platform.h"
#include "sandbox_runner.h"
#include "transport.h"

#define TOKEN_FD  3
#define TOKEN_LEN 32

typedef struct runner {
	const char                      *url;
	const char                      *name;
	int                              parent;
	int                              workers;
	int                              deadline_ms;
	addin__channel                  *ch;
	addin__executor                 *ex;
	pthread_mutex_t                  mtx;
	pthread_cond_t                   cv;
	bool                             stop; // Shutdown asked
	bool                             gone; // the host went away
	Addin__Wire__V1__Control_Service control;
	// Sandboxed (--sandbox-fd): the descriptors the host passed, and the
	// sandbox once entered (its allow list goes on under mtx).
	int                   sandbox_fd, report_fd;
	bool                  sandboxed;
	addin__sandbox_runner sbx;
	bool                  loaded; // strict: its one add-in is loaded
} runner;

static runner R;

static void sandbox_stage2(void);

static void say(const char *fmt, ...) ADDIN_PRINTF(1, 2);

static void
say(const char *fmt, ...)
{
	char    buf[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "addin-runner[%d] %s: %s\n", (int) getpid(),
	        R.name != NULL ? R.name : "", buf);
}

// ---- the Control service --------------------------------------------

static void
ctl_acquire(Addin__Wire__V1__Control_Service      *s,
            const Addin__Wire__V1__AcquireRequest *in,
            Addin__Wire__V1__AcquireReply_Closure done, void *data)
{
	(void) s;
	(void) in;
	addin_adapter_fail((ProtobufCClosure) done, data, ADDIN_EUNIMPL,
	                   "lifetime tokens are not served yet");
}

static void
ctl_revoke(Addin__Wire__V1__Control_Service     *s,
           const Addin__Wire__V1__RevokeRequest *in,
           Addin__Wire__V1__Empty_Closure done, void *data)
{
	(void) s;
	(void) in;
	addin_adapter_fail((ProtobufCClosure) done, data, ADDIN_EUNIMPL,
	                   "lifetime tokens are not served yet");
}

static void
unload_release(ProtobufCService *svc, void *arg)
{
	(void) svc; // owned by the loaded add-in
	addin__loader_unload(arg);
}

static void
ctl_load(Addin__Wire__V1__Control_Service   *s,
         const Addin__Wire__V1__LoadRequest *in,
         Addin__Wire__V1__LoadReply_Closure done, void *data)
{
	Addin__Wire__V1__LoadReply reply = ADDIN__WIRE__V1__LOAD_REPLY__INIT;
	addin__load_req            req;
	addin__loaded             *l;
	uint64_t                   id;
	addin_err                  rv;
	char                       why[ADDIN_ADAPTER_MSG_MAX];

	(void) s;
	if (addin__load_req_from_wire(in, &req) != ADDIN_OK) {
		addin_adapter_fail((ProtobufCClosure) done, data,
		                   addin_last_error(), NULL);
		return;
	}
	if (R.sandboxed && R.sbx.policy.level == ADDIN__SANDBOX_STRICT) {
		pthread_mutex_lock(&R.mtx);
		bool again = R.loaded;
		R.loaded   = true;
		pthread_mutex_unlock(&R.mtx);
		if (again) {
			// Nothing can be loaded once the strict allow list is
			// on.
			addin_adapter_fail(
			    (ProtobufCClosure) done, data, ADDIN_ELEVEL,
			    "a strict sandbox runs exactly one add-in");
			return;
		}
	}
	// A failure's code and message are taken right where the failing
	// call returned: what runs before the answer (unloading, the
	// sandbox's second stage) may record errors of its own.
	if ((rv = addin__loader_load(&req, &l)) != ADDIN_OK) {
		snprintf(why, sizeof(why), "%s", addin_errmsg());
		// Whatever of the add-in ran (constructors, threads, atexit
		// handlers) runs on under the allow list from now on.
		if (R.sandboxed) {
			sandbox_stage2();
		}
		addin_adapter_fail(
		    (ProtobufCClosure) done, data, rv, "%s",
		    why); // the loader's message names what failed
		return;
	}
	if ((rv = addin__channel_export(
	         R.ch, addin__loaded_service(l), unload_release, l,
	         addin__loaded_name(l), &id)) != ADDIN_OK) {
		snprintf(why, sizeof(why), "%s", addin_errmsg());
		addin__loader_unload(l);
		if (R.sandboxed) {
			sandbox_stage2();
		}
		addin_adapter_fail((ProtobufCClosure) done, data, rv,
		                   "load: cannot export: %s", why);
		return;
	}
	reply.has_object_id = true;
	reply.object_id     = id;
	// The allow list goes on once the add-in is loaded and nng is up,
	// before the host can call any of its methods (strict: no file and
	// no executable mapping from here on).
	if (R.sandboxed) {
		sandbox_stage2();
	}
	done(&reply, data);
}

static void
ctl_unload(Addin__Wire__V1__Control_Service     *s,
           const Addin__Wire__V1__UnloadRequest *in,
           Addin__Wire__V1__Empty_Closure done, void *data)
{
	Addin__Wire__V1__Empty empty = ADDIN__WIRE__V1__EMPTY__INIT;
	(void) s;
	if (in->object_id == 0 ||
	    addin__channel_unexport(R.ch, in->object_id) != ADDIN_OK) {
		addin_adapter_fail((ProtobufCClosure) done, data,
		                   ADDIN_ENOTFOUND,
		                   "unload: no add-in object %llu",
		                   (unsigned long long) in->object_id);
		return;
	}
	done(&empty, data);
}

static void
ctl_ping(Addin__Wire__V1__Control_Service *s, const Addin__Wire__V1__Empty *in,
         Addin__Wire__V1__Empty_Closure done, void *data)
{
	Addin__Wire__V1__Empty empty = ADDIN__WIRE__V1__EMPTY__INIT;
	(void) s;
	(void) in;
	done(&empty, data);
}

static void
ctl_shutdown(Addin__Wire__V1__Control_Service       *s,
             const Addin__Wire__V1__ShutdownRequest *in,
             Addin__Wire__V1__Empty_Closure done, void *data)
{
	Addin__Wire__V1__Empty empty = ADDIN__WIRE__V1__EMPTY__INIT;
	(void) s;
	(void) in;
	done(&empty, data); // answer first: the main thread then closes
	pthread_mutex_lock(&R.mtx);
	R.stop = true;
	pthread_cond_broadcast(&R.cv);
	pthread_mutex_unlock(&R.mtx);
}

static void
ctl_stats(Addin__Wire__V1__Control_Service     *s,
          const Addin__Wire__V1__Empty         *in,
          Addin__Wire__V1__ChannelStats_Closure done, void *data)
{
	Addin__Wire__V1__ChannelStats out =
	    ADDIN__WIRE__V1__CHANNEL_STATS__INIT;
	addin__channel_stats st;
	(void) s;
	(void) in;
	addin__channel_stats_get(R.ch, &st);
	out.has_frames_in   = true;
	out.frames_in       = st.frames_in;
	out.has_frames_out  = true;
	out.frames_out      = st.frames_out;
	out.has_bad_frames  = true;
	out.bad_frames      = st.bad_frames;
	out.has_unknown_ids = true;
	out.unknown_ids     = st.unknown_ids;
	out.has_unexpected  = true;
	out.unexpected      = st.unexpected;
	out.has_calls_in    = true;
	out.calls_in        = st.calls_in;
	out.has_calls_out   = true;
	out.calls_out       = st.calls_out;
	out.has_faults_in   = true;
	out.faults_in       = st.faults_in;
	out.has_faults_out  = true;
	out.faults_out      = st.faults_out;
	out.has_timeouts    = true;
	out.timeouts        = st.timeouts;
	out.has_nested_in   = true;
	out.nested_in       = st.nested_in;
	out.has_exports     = true;
	out.exports         = addin__channel_exports(R.ch);
	done(&out, data);
}

// ---- lifecycle ------------------------------------------------------

static void
on_peer_gone(void *arg)
{
	(void) arg;
	// R.ch is set once addin__channel_open returned; a link that drops
	// during the open only needs the flag.
	if (R.ch != NULL) {
		addin__channel_fail(R.ch, ADDIN_ECLOSED, "the host went away");
	}
	pthread_mutex_lock(&R.mtx);
	R.gone = true;
	pthread_cond_broadcast(&R.cv);
	pthread_mutex_unlock(&R.mtx);
}

// ---- the sandbox (addin-sdk/sandbox/runner/sandbox_runner.h) -----------

static void
sandbox_say(const char *line)
{
	say("%s", line);
}

// Build the sandbox before anything of the host's or the add-in's runs
// here: namespaces (this call forks: the outer process and the reaper never
// return), a private root, limits, the unprivileged identity, the SIGSYS
// reporter and the deny list.  Any failure exits with
// ADDIN_EXIT_SANDBOX_SETUP: never run an add-in half-sandboxed.
static void
sandbox_enter(void)
{
	R.sandboxed = true;
	addin__sandbox_enter(&R.sbx, R.sandbox_fd, R.report_fd, sandbox_say);
	R.sandbox_fd = -1; // closed
}

// The allow list (with TSYNC: nng's threads too).  Fails closed.
static void
sandbox_stage2(void)
{
	pthread_mutex_lock(&R.mtx);
	addin__sandbox_after_load(&R.sbx, sandbox_say);
	pthread_mutex_unlock(&R.mtx);
}

static int
usage(const char *why)
{
	fprintf(
	    stderr,
	    "addin-runner: %s\n"
	    "usage: addin-runner --connect URL --parent PID [--name NAME]\n"
	    "                    [--workers N] [--deadline-ms N]\n"
	    "The add-in process of Bulkhead; started by the host, not by "
	    "hand.\n",
	    why);
	return ADDIN_EXIT_USAGE;
}

static int
parse_args(int argc, char **argv)
{
	R.workers     = 4;
	R.deadline_ms = 0;
	R.sandbox_fd  = -1;
	R.report_fd   = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--version") == 0) {
			printf("addin-runner %s\n", addin_version_string());
			exit(0);
		}
		if (v == NULL) {
			return usage("missing value");
		}
		i++;
		if (strcmp(a, "--connect") == 0) {
			R.url = v;
		} else if (strcmp(a, "--name") == 0) {
			R.name = v;
		} else if (strcmp(a, "--parent") == 0) {
			if (addin__parse_int("--parent", v, 1, 1 << 30,
			                     &R.parent) != ADDIN_OK) {
				return usage(addin_errmsg());
			}
		} else if (strcmp(a, "--workers") == 0) {
			if (addin__parse_int("--workers", v, 1, 256,
			                     &R.workers) != ADDIN_OK) {
				return usage(addin_errmsg());
			}
		} else if (strcmp(a, "--deadline-ms") == 0) {
			if (addin__parse_int("--deadline-ms", v, 0,
			                     24 * 3600 * 1000,
			                     &R.deadline_ms) != ADDIN_OK) {
				return usage(addin_errmsg());
			}
		} else if (strcmp(a, "--sandbox-fd") == 0) {
			if (addin__parse_int("--sandbox-fd", v, 3, 1000,
			                     &R.sandbox_fd) != ADDIN_OK) {
				return usage(addin_errmsg());
			}
		} else if (strcmp(a, "--report-fd") == 0) {
			if (addin__parse_int("--report-fd", v, 3, 1000,
			                     &R.report_fd) != ADDIN_OK) {
				return usage(addin_errmsg());
			}
		} else {
			return usage("unknown option");
		}
	}
	if (R.url == NULL || R.parent == 0) {
		return usage("--connect and --parent are required");
	}
	return 0;
}

int
main(int argc, char **argv)
{
	uint8_t            token[TOKEN_LEN];
	addin__channel_cfg cfg;
	int                rc;
	int                keep[3];
	size_t             nkeep = 0;

	if ((rc = parse_args(argc, argv)) != 0) {
		return rc;
	}
	// Die with the host.  PR_SET_PDEATHSIG follows the parent thread that
	// spawned us; the host spawns from a long-lived thread.
	if (!addin__plat_pdeathsig(R.parent)) {
		say("the host (pid %d) is already gone", R.parent);
		return ADDIN_EXIT_PARENT_GONE;
	}
	// A crashing add-in leaves no core file behind.  A sandboxed runner
	// sets RLIMIT_CORE from its policy instead (off unless the host asked
	// for core dumps; lowering it here first would keep them off).
	if (R.sandbox_fd < 0) {
		addin__plat_no_core_dumps();
	}
	// Nothing but stdio, the token socket and the sandbox's descriptors
	// cross from the host.
	keep[nkeep++] = TOKEN_FD;
	if (R.sandbox_fd >= 0) {
		keep[nkeep++] = R.sandbox_fd;
	}
	if (R.report_fd >= 0) {
		keep[nkeep++] = R.report_fd;
	}
	addin__plat_close_from(3, keep, nkeep);
	if (addin__plat_read_full(TOKEN_FD, token, sizeof(token)) !=
	    (long) sizeof(token)) {
		say("no token on descriptor %d", TOKEN_FD);
		return ADDIN_EXIT_CONNECT;
	}
	addin__plat_close(TOKEN_FD);
	if (R.sandbox_fd >= 0) {
		sandbox_enter(); // returns in the worker, sandboxed
	}

	pthread_mutex_init(&R.mtx, NULL);
	pthread_cond_init(&R.cv, NULL);
	if (addin__executor_create((unsigned) (R.workers < 2 ? R.workers : 2),
	                           (unsigned) R.workers, &R.ex) != ADDIN_OK) {
		say("%s", addin_errmsg());
		return ADDIN_EXIT_INTERNAL;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.url                 = R.url;
	cfg.listener            = false;
	cfg.token               = token;
	cfg.token_len           = sizeof(token);
	cfg.default_deadline_ms = (uint32_t) R.deadline_ms;
	cfg.executor            = R.ex;
	cfg.on_peer_gone        = on_peer_gone;
	cfg.label               = "the host";
	if (addin__channel_open(&cfg, &R.ch) != ADDIN_OK) {
		say("cannot connect to %s: %s", R.url, addin_errmsg());
		addin__executor_destroy(R.ex);
		return ADDIN_EXIT_CONNECT;
	}
	memset(token, 0, sizeof(token));
	addin__wire__v1__control__init(&R.control, NULL);
	R.control.acquire  = ctl_acquire;
	R.control.revoke   = ctl_revoke;
	R.control.load     = ctl_load;
	R.control.unload   = ctl_unload;
	R.control.ping     = ctl_ping;
	R.control.shutdown = ctl_shutdown;
	R.control.stats    = ctl_stats;
	if (addin__channel_export_at(R.ch, 0, &R.control.base, NULL, NULL,
	                             "runner") != ADDIN_OK ||
	    addin__channel_handshake(R.ch, 10000) != ADDIN_OK) {
		say("handshake with the host failed: %s", addin_errmsg());
		addin__channel_close(R.ch);
		addin__executor_destroy(R.ex);
		return ADDIN_EXIT_CONNECT;
	}

	pthread_mutex_lock(&R.mtx);
	while (!R.stop && !R.gone) {
		pthread_cond_wait(&R.cv, &R.mtx);
	}
	rc = R.stop ? ADDIN_EXIT_OK : ADDIN_EXIT_HOST_GONE;
	pthread_mutex_unlock(&R.mtx);

	// Close the channel (releasing every add-in that is idle), then let
	// the workers finish what runs; the host bounds how long it waits.
	addin__channel_close(R.ch);
	addin__executor_destroy(R.ex);
	addin__nng_fini(); // nothing of nng is left in use
	return rc;
}
