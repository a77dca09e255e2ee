// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The host (addin/host.h): creating it, destroying it (which detaches what
// the caller still holds, host_impl.h), and its log.

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "host_impl.h"

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

static addin_err
host_create_impl(const addin_host_config *cfg, addin_host **ret_host)
{
	addin_host       *h;
	addin__sup_cfg    sc;
	addin_host_config defaults = ADDIN_HOST_CONFIG_INIT;
	addin_err         rv;

	if (ret_host == NULL || (cfg != NULL && cfg->abi_version != 1)) {
		return addin__rc_filter(addin__seterr(
		    ADDIN_EINVAL, "addin_host_create: bad arguments"));
	}
	if (cfg != NULL && (cfg->default_deadline_ms > INT32_MAX ||
	                    cfg->shutdown_grace_ms > INT32_MAX)) {
		return addin__seterr(ADDIN_EINVAL,
		                     "addin_host_create: default_deadline_ms "
		                     "and shutdown_grace_ms are at most "
		                     "INT32_MAX ms");
	}
	if ((h = ADDIN__NEW(addin_host)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	pthread_mutex_init(&h->mtx, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->cfg = cfg != NULL ? *cfg : defaults;
	memset(&sc, 0, sizeof(sc));
	sc.runner_path         = h->cfg.runner_path;
	sc.default_deadline_ms = h->cfg.default_deadline_ms;
	sc.shutdown_grace_ms   = (int) h->cfg.shutdown_grace_ms;
	if ((rv = addin__sup_create(&sc, &h->sup)) != ADDIN_OK) {
		pthread_cond_destroy(&h->cv);
		pthread_mutex_destroy(&h->mtx);
		addin__free(h);
		return addin__rc_filter(rv);
	}
	*ret_host = h;
	return ADDIN_OK;
}

// Documented in include/addin/host.h.
addin_err
addin_host_create(const addin_host_config *cfg, addin_host **ret_host)
{
	ADDIN__RETURN_CHECKED(host_create_impl(cfg, ret_host), ADDIN_EINVAL,
	                      ADDIN_ENOMEM, ADDIN_ESYSERR);
}

// Documented in include/addin/host.h.
void
addin_host_destroy(addin_host *h)
{
	bool busy = false;

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
		if ((ctl = h->ctls) != NULL) {
			addin__ctl_pin(ctl);
		}
		pthread_mutex_unlock(&h->mtx);
		if (ctl == NULL) {
			break;
		}
		addin__ctl_release_for_host(ctl, &busy);
		addin__ctl_unpin(ctl);
	}
	// Processes the caller still holds: ended; their records stay valid
	// (pid 0, no add-ins) until the caller lets go of them.
	for (;;) {
		addin_process *p;
		pthread_mutex_lock(&h->mtx);
		p = h->procs;
		pthread_mutex_unlock(&h->mtx);
		if (p == NULL) {
			break;
		}
		addin__process_detach(p);
	}
	addin__sup_destroy(h->sup);
	addin__host_adapters_unload(h, busy);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mtx);
	addin__free(h);
}

int
addin__host_grace_ms(const addin_host *h)
{
	return h->cfg.shutdown_grace_ms != 0 ? (int) h->cfg.shutdown_grace_ms
	                                     : 2000;
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

void
addin__host_log_degraded(addin_host *h, const char *name, addin__sbx *sbx)
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
