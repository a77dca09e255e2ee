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
// This file: the command line, the sandbox's entry, connecting and waiting
// for the end; control.c: what the Control object does (runner.h).

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "platform/platform.h"
#include "runner.h"
#include "transport.h"

runner R;

void
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

// ---- lifecycle ------------------------------------------------------

static void
on_peer_gone(void *arg)
{
	addin__channel *ch;
	(void) arg;
	pthread_mutex_lock(&R.mtx);
	ch     = R.ch; // NULL while addin__channel_open has not returned
	R.gone = true;
	pthread_cond_broadcast(&R.cv);
	pthread_mutex_unlock(&R.mtx);
	if (ch != NULL) {
		addin__channel_fail(ch, ADDIN_ECLOSED, "the host went away");
	}
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
void
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
	addin__channel    *ch;
	bool               gone;
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
	if (addin__channel_open(&cfg, &ch) != ADDIN_OK) {
		say("cannot connect to %s: %s", R.url, addin_errmsg());
		addin__executor_destroy(R.ex);
		return ADDIN_EXIT_CONNECT;
	}
	// Published under the lock on_peer_gone reads it with; a host that
	// went away during the open fails the channel here instead.
	pthread_mutex_lock(&R.mtx);
	R.ch = ch;
	gone = R.gone;
	pthread_mutex_unlock(&R.mtx);
	if (gone) {
		addin__channel_fail(ch, ADDIN_ECLOSED, "the host went away");
	}
	memset(token, 0, sizeof(token));
	if (addin__control_export(R.ch, &addin__runner_control, "runner") !=
	        ADDIN_OK ||
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
