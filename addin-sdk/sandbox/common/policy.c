// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The sandbox policy: level and namespace names, the levels' defaults,
// grants and the rule for their paths.  Pure code: no system calls.  The
// encoding is in policy_codec.c.

#include <stdio.h>
#include <string.h>

#include "sandbox_policy.h"

#define MIB (1024ull * 1024ull)

bool
addin__sandbox_level_known(addin__sandbox_level l)
{
	return l == ADDIN__SANDBOX_RESTRICTED || l == ADDIN__SANDBOX_STRICT ||
	       l == ADDIN__SANDBOX_NONE;
}

const char *
addin__sandbox_level_name(addin__sandbox_level l)
{
	switch (l) {
	case ADDIN__SANDBOX_RESTRICTED: return "restricted";
	case ADDIN__SANDBOX_STRICT: return "strict";
	case ADDIN__SANDBOX_NONE: return "none";
	default: return "unknown";
	}
}

static const char *const ns_names[] = {"user", "pid", "net",
                                       "ipc",  "mnt", "uts"};
#define NS_NAMES_LEN (sizeof(ns_names) / sizeof(ns_names[0]))

const char *
addin__sandbox_ns_name(uint32_t bit)
{
	for (size_t i = 0; i < NS_NAMES_LEN; i++) {
		if (bit == 1u << i) {
			return ns_names[i];
		}
	}
	return "?";
}

void
addin__sandbox_policy_init(addin__sandbox_policy *p,
                           addin__sandbox_level   level)
{
	memset(p, 0, sizeof(*p));
	p->version             = ADDIN__SANDBOX_POLICY_VERSION;
	p->level               = level;
	p->uid                 = ADDIN__SANDBOX_NOBODY;
	p->gid                 = ADDIN__SANDBOX_NOBODY;
	p->limits.core_dumps   = false;
	p->limits.memory_bytes = ADDIN__SANDBOX_UNLIMITED;
	p->limits.cpu_seconds  = ADDIN__SANDBOX_UNLIMITED;
	p->limits.processes    = ADDIN__SANDBOX_UNLIMITED;
	p->limits.open_files   = ADDIN__SANDBOX_UNLIMITED;
	p->limits.file_size    = ADDIN__SANDBOX_UNLIMITED;
	p->limits.cpu_percent  = ADDIN__SANDBOX_UNLIMITED;
	switch (level) {
	case ADDIN__SANDBOX_NONE: break;
	case ADDIN__SANDBOX_STRICT:
		p->namespaces          = ADDIN__NS_ALL;
		p->limits.memory_bytes = 128 * MIB;
		p->limits.cpu_seconds  = 60;
		p->limits.processes    = 32;
		p->limits.open_files   = 64;
		p->limits.file_size    = 16 * MIB;
		p->limits.cpu_percent  = 50;
		break;
	case ADDIN__SANDBOX_RESTRICTED:
	default: // no level: not "none" (fail safe; the runner refuses it)
		p->namespaces          = ADDIN__NS_ALL;
		p->limits.memory_bytes = 256 * MIB;
		p->limits.cpu_seconds  = 600;
		p->limits.processes    = 64;
		p->limits.open_files   = 256;
		p->limits.file_size    = 64 * MIB;
		p->limits.cpu_percent  = 100;
		break;
	}
}

static void
free_list(char **list, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		addin__free(list[i]);
		list[i] = NULL;
	}
	*n = 0;
}

void
addin__sandbox_policy_fini(addin__sandbox_policy *p)
{
	if (p == NULL) {
		return;
	}
	addin__free(p->scratch);
	addin__free(p->ipc);
	free_list(p->read, &p->n_read);
	free_list(p->need, &p->n_need);
	addin__sandbox_policy_init(p, ADDIN__SANDBOX_NONE);
}

// path_ok: absolute, no empty/"."/".." component, no newline, bounded.
// Returns the length without a trailing slash, or 0 when bad.
static size_t
path_ok(const char *path, size_t len)
{
	if (len == 0 || len >= ADDIN__SANDBOX_PATH_MAX || path[0] != '/') {
		return 0;
	}
	if (len > 1 && path[len - 1] == '/') {
		len--;
	}
	for (size_t i = 0; i < len; i++) {
		char c = path[i];
		if (c == '\n' || c == '\0') {
			return 0;
		}
		if (c != '/') {
			continue;
		}
		// i starts a component at i + 1.
		size_t j = i + 1;
		size_t k = j;
		while (k < len && path[k] != '/') {
			k++;
		}
		size_t clen = k - j;
		if (len == 1) {
			break; // "/" itself
		}
		if (clen == 0 || (clen == 1 && path[j] == '.') ||
		    (clen == 2 && path[j] == '.' && path[j + 1] == '.')) {
			return 0;
		}
	}
	return len;
}

static addin_err
set_path(char **slot, const char *what, const char *path, size_t len)
{
	size_t n = path_ok(path, len);
	char  *copy;
	if (n == 0) {
		return addin__seterr(
		    ADDIN_EINVAL,
		    "sandbox policy: %s path \"%.*s\" must be absolute and "
		    "canonical (no \".\", \"..\", \"//\" or newline)",
		    what, (int) (len > 200 ? 200 : len), path);
	}
	copy = addin__strndup(path, n);
	if (copy == NULL) {
		return addin__seterr(ADDIN_ENOMEM, "sandbox policy: %s", what);
	}
	addin__free(*slot);
	*slot = copy;
	return ADDIN_OK;
}

static addin_err
add_path(char **list, size_t *n, const char *what, const char *path,
         size_t len)
{
	addin_err rv;
	if (*n >= ADDIN__SANDBOX_MAX_PATHS) {
		return addin__seterr(ADDIN_ELIMIT,
		                     "sandbox policy: more than %d %s paths",
		                     ADDIN__SANDBOX_MAX_PATHS, what);
	}
	list[*n] = NULL;
	rv       = set_path(&list[*n], what, path, len);
	if (rv == ADDIN_OK) {
		(*n)++;
	}
	return rv;
}

addin_err
addin__sandbox_policy_add_read(addin__sandbox_policy *p, const char *path)
{
	return add_path(p->read, &p->n_read, "read", path, strlen(path));
}

addin_err
addin__sandbox_policy_add_need(addin__sandbox_policy *p, const char *path)
{
	return add_path(p->need, &p->n_need, "need", path, strlen(path));
}

addin_err
addin__sandbox_policy_set_scratch(addin__sandbox_policy *p, const char *path)
{
	return set_path(&p->scratch, "scratch", path, strlen(path));
}

addin_err
addin__sandbox_policy_set_ipc(addin__sandbox_policy *p, const char *path)
{
	return set_path(&p->ipc, "ipc", path, strlen(path));
}

addin_err
addin__sandbox_policy_grant_need(addin__sandbox_policy *p, const char *need,
                                 const char *own_dir, const char *scratch)
{
	if (need == NULL) {
		return addin__seterr(ADDIN_EINVAL, "sandbox: no need given");
	}
	if (strcmp(need, "network") == 0) {
		p->network = true;
		return ADDIN_OK;
	}
	if (strcmp(need, "read-own-dir") == 0 && own_dir != NULL) {
		return addin__sandbox_policy_add_read(p, own_dir);
	}
	if (strcmp(need, "scratch") == 0 && scratch != NULL) {
		return addin__sandbox_policy_set_scratch(p, scratch);
	}
	if (strncmp(need, "read:", 5) == 0) {
		return addin__sandbox_policy_add_read(p, need + 5);
	}
	return addin__seterr(
	    ADDIN_EINVAL,
	    "sandbox: need \"%s\" is unknown or lacks its directory", need);
}
