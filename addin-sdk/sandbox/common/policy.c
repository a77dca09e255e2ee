// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The sandbox policy: level defaults, grants, and the text encoding the
// host hands to the runner.  Pure code: no system calls.

#include <stdio.h>
#include <string.h>

#include "sandbox_policy.h"

#define MIB (1024ull * 1024ull)

static const char *const level_names[] = {"none", "restricted", "strict"};

const char *
addin__sandbox_level_name(addin__sandbox_level l)
{
	if ((unsigned) l < sizeof(level_names) / sizeof(level_names[0])) {
		return level_names[l];
	}
	return "unknown";
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
	case ADDIN__SANDBOX_RESTRICTED:
		p->namespaces          = ADDIN__NS_ALL;
		p->limits.memory_bytes = 256 * MIB;
		p->limits.cpu_seconds  = 600;
		p->limits.processes    = 64;
		p->limits.open_files   = 256;
		p->limits.file_size    = 64 * MIB;
		p->limits.cpu_percent  = 100;
		break;
	case ADDIN__SANDBOX_STRICT:
		p->namespaces          = ADDIN__NS_ALL;
		p->limits.memory_bytes = 128 * MIB;
		p->limits.cpu_seconds  = 60;
		p->limits.processes    = 32;
		p->limits.open_files   = 64;
		p->limits.file_size    = 16 * MIB;
		p->limits.cpu_percent  = 50;
		break;
	case ADDIN__SANDBOX_NONE:
	default: break;
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

// ---------------------------------------------------------------- encode

// A growable text buffer on the allocator seam.
struct buf {
	char  *p;
	size_t len, cap;
	bool   oom;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->oom) {
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap == 0 ? 512 : b->cap;
		while (b->len + n + 1 > cap) {
			cap *= 2;
		}
		char *q = addin__alloc(cap);
		if (q == NULL) {
			b->oom = true;
			return;
		}
		if (b->len > 0) {
			memcpy(q, b->p, b->len);
		}
		addin__free(b->p);
		b->p   = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
put_u64(struct buf *b, uint64_t v)
{
	char  tmp[24];
	char *e = tmp + sizeof(tmp);
	char *s = e;
	if (v == ADDIN__SANDBOX_UNLIMITED) {
		puts_(b, "unlimited");
		return;
	}
	do {
		*--s = (char) ('0' + v % 10);
		v /= 10;
	} while (v != 0);
	put(b, s, (size_t) (e - s));
}

static void
put_kv_u64(struct buf *b, const char *key, uint64_t v)
{
	puts_(b, key);
	puts_(b, "=");
	put_u64(b, v);
	puts_(b, "\n");
}

static void
put_kv_str(struct buf *b, const char *key, const char *v)
{
	puts_(b, key);
	puts_(b, "=");
	puts_(b, v);
	puts_(b, "\n");
}

addin_err
addin__sandbox_policy_encode(const addin__sandbox_policy *p, char **ret_buf,
                             size_t *ret_len)
{
	struct buf b     = {NULL, 0, 0, false};
	bool       first = true;

	puts_(&b, "bulkhead-sandbox 1\n");
	put_kv_str(&b, "level", addin__sandbox_level_name(p->level));
	puts_(&b, "ns=");
	for (size_t i = 0; i < NS_NAMES_LEN; i++) {
		if ((p->namespaces & (1u << i)) != 0) {
			if (!first) {
				puts_(&b, ",");
			}
			puts_(&b, ns_names[i]);
			first = false;
		}
	}
	puts_(&b, "\n");
	put_kv_u64(&b, "uid", p->uid);
	put_kv_u64(&b, "gid", p->gid);
	put_kv_u64(&b, "memory", p->limits.memory_bytes);
	put_kv_u64(&b, "cpu", p->limits.cpu_seconds);
	put_kv_u64(&b, "processes", p->limits.processes);
	put_kv_u64(&b, "files", p->limits.open_files);
	put_kv_u64(&b, "fsize", p->limits.file_size);
	put_kv_u64(&b, "cpu-percent", p->limits.cpu_percent);
	put_kv_u64(&b, "core", p->limits.core_dumps ? 1 : 0);
	put_kv_u64(&b, "network", p->network ? 1 : 0);
	put_kv_u64(&b, "cg-memory", p->cgroup_memory ? 1 : 0);
	put_kv_u64(&b, "cg-pids", p->cgroup_pids ? 1 : 0);
	if (p->scratch != NULL) {
		put_kv_str(&b, "scratch", p->scratch);
	}
	if (p->ipc != NULL) {
		put_kv_str(&b, "ipc", p->ipc);
	}
	for (size_t i = 0; i < p->n_read; i++) {
		put_kv_str(&b, "read", p->read[i]);
	}
	for (size_t i = 0; i < p->n_need; i++) {
		put_kv_str(&b, "need", p->need[i]);
	}
	puts_(&b, "end\n");
	if (b.oom) {
		addin__free(b.p);
		return addin__seterr(ADDIN_ENOMEM, "sandbox policy: encode");
	}
	*ret_buf = b.p;
	*ret_len = b.len;
	return ADDIN_OK;
}

// ---------------------------------------------------------------- decode

static bool
parse_u64(const char *s, size_t n, uint64_t *ret)
{
	uint64_t v = 0;
	if (n == 9 && memcmp(s, "unlimited", 9) == 0) {
		*ret = ADDIN__SANDBOX_UNLIMITED;
		return true;
	}
	if (n == 0 || n > 20 || (n > 1 && s[0] == '0')) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		unsigned d = (unsigned) (s[i] - '0');
		if (v > (UINT64_MAX - d) / 10) {
			return false;
		}
		v = v * 10 + d;
	}
	*ret = v;
	return true;
}

static bool
parse_ns(const char *s, size_t n, uint32_t *ret)
{
	uint32_t bits = 0;
	size_t   i    = 0;
	while (i < n) {
		size_t j     = i;
		bool   found = false;
		while (j < n && s[j] != ',') {
			j++;
		}
		for (size_t k = 0; k < NS_NAMES_LEN; k++) {
			size_t l = strlen(ns_names[k]);
			if (l == j - i && memcmp(s + i, ns_names[k], l) == 0 &&
			    (bits & (1u << k)) == 0) {
				bits |= 1u << k;
				found = true;
			}
		}
		if (!found) {
			return false;
		}
		i = j + 1;
		if (j < n && i == n) {
			return false; // trailing comma
		}
	}
	*ret = bits;
	return true;
}

enum key {
	K_LEVEL,
	K_NS,
	K_UID,
	K_GID,
	K_MEMORY,
	K_CPU,
	K_PROCESSES,
	K_FILES,
	K_FSIZE,
	K_CPU_PERCENT,
	K_CORE,
	K_NETWORK,
	K_CG_MEMORY,
	K_CG_PIDS,
	K_SCRATCH,
	K_IPC,
	K_READ,
	K_NEED,
	K_COUNT
};

static const char *const key_names[K_COUNT] = {
    "level",     "ns",      "uid",     "gid",         "memory", "cpu",
    "processes", "files",   "fsize",   "cpu-percent", "core",   "network",
    "cg-memory", "cg-pids", "scratch", "ipc",         "read",   "need"};

static addin_err
bad(unsigned line, const char *why)
{
	return addin__seterr(ADDIN_ECORRUPT, "sandbox policy: line %u: %s",
	                     line, why);
}

static addin_err
decode_line(addin__sandbox_policy *p, unsigned line, const char *s, size_t n,
            uint32_t *seen)
{
	const char *eq = memchr(s, '=', n);
	const char *v;
	size_t      klen, vlen;
	int         key = -1;
	uint64_t    u   = 0;
	addin_err   rv;

	if (eq == NULL) {
		return bad(line, "expected key=value");
	}
	klen = (size_t) (eq - s);
	v    = eq + 1;
	vlen = n - klen - 1;
	for (int k = 0; k < K_COUNT; k++) {
		if (strlen(key_names[k]) == klen &&
		    memcmp(s, key_names[k], klen) == 0) {
			key = k;
		}
	}
	if (key < 0) {
		return bad(line, "unknown key");
	}
	if (key != K_READ && key != K_NEED) {
		if ((*seen & (1u << key)) != 0) {
			return bad(line, "repeated key");
		}
		*seen |= 1u << key;
	}
	switch (key) {
	case K_LEVEL:
		for (unsigned l = 0; l < 3; l++) {
			if (strlen(level_names[l]) == vlen &&
			    memcmp(v, level_names[l], vlen) == 0) {
				p->level = (addin__sandbox_level) l;
				return ADDIN_OK;
			}
		}
		return bad(line, "unknown level");
	case K_NS:
		return parse_ns(v, vlen, &p->namespaces)
		           ? ADDIN_OK
		           : bad(line, "bad namespace list");
	case K_SCRATCH:
	case K_IPC:
	case K_READ:
	case K_NEED:
		if (key == K_SCRATCH) {
			rv = set_path(&p->scratch, "scratch", v, vlen);
		} else if (key == K_IPC) {
			rv = set_path(&p->ipc, "ipc", v, vlen);
		} else if (key == K_READ) {
			rv = add_path(p->read, &p->n_read, "read", v, vlen);
		} else {
			rv = add_path(p->need, &p->n_need, "need", v, vlen);
		}
		if (rv == ADDIN_ENOMEM) {
			return rv;
		}
		return rv == ADDIN_OK
		           ? ADDIN_OK
		           : bad(line, rv == ADDIN_ELIMIT ? "too many paths"
		                                          : "bad path");
	default: break;
	}
	if (!parse_u64(v, vlen, &u)) {
		return bad(line, "bad number");
	}
	switch (key) {
	case K_UID:
	case K_GID:
		if (u >= UINT32_MAX) {
			return bad(line, "id out of range");
		}
		*(key == K_UID ? &p->uid : &p->gid) = (uint32_t) u;
		break;
	case K_MEMORY: p->limits.memory_bytes = u; break;
	case K_CPU: p->limits.cpu_seconds = u; break;
	case K_PROCESSES: p->limits.processes = u; break;
	case K_FILES: p->limits.open_files = u; break;
	case K_FSIZE: p->limits.file_size = u; break;
	case K_CPU_PERCENT: p->limits.cpu_percent = u; break;
	default:
		if (u > 1) {
			return bad(line, "expected 0 or 1");
		}
		if (key == K_CORE) {
			p->limits.core_dumps = u == 1;
		} else if (key == K_NETWORK) {
			p->network = u == 1;
		} else if (key == K_CG_MEMORY) {
			p->cgroup_memory = u == 1;
		} else {
			p->cgroup_pids = u == 1;
		}
		break;
	}
	return ADDIN_OK;
}

addin_err
addin__sandbox_policy_decode(const char *buf, size_t len,
                             addin__sandbox_policy *ret_p)
{
	static const char     hdr[] = "bulkhead-sandbox ";
	addin__sandbox_policy p;
	size_t                pos  = 0;
	unsigned              line = 1;
	uint32_t              seen = 0;
	addin_err             rv;

	if (len > ADDIN__SANDBOX_POLICY_MAX) {
		return addin__seterr(ADDIN_ECORRUPT,
		                     "sandbox policy: %zu bytes, more than %d",
		                     len, ADDIN__SANDBOX_POLICY_MAX);
	}
	if (len < sizeof(hdr) - 1 || memcmp(buf, hdr, sizeof(hdr) - 1) != 0) {
		return bad(1, "not a bulkhead sandbox policy");
	}
	{
		const char *nl = memchr(buf, '\n', len);
		size_t      vs = sizeof(hdr) - 1;
		uint64_t    version;
		if (nl == NULL ||
		    !parse_u64(buf + vs, (size_t) (nl - buf) - vs, &version)) {
			return bad(1, "bad header");
		}
		if (version != ADDIN__SANDBOX_POLICY_VERSION) {
			return addin__seterr(
			    ADDIN_EVERSION,
			    "sandbox policy: format version %llu, this runner "
			    "reads %d",
			    (unsigned long long) version,
			    ADDIN__SANDBOX_POLICY_VERSION);
		}
		pos = (size_t) (nl - buf) + 1;
	}
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_NONE);
	for (;;) {
		const char *s = buf + pos;
		const char *nl;
		line++;
		if (pos >= len) {
			rv = bad(line, "missing \"end\"");
			goto fail;
		}
		nl = memchr(s, '\n', len - pos);
		if (nl == NULL) {
			rv = bad(line, "line not terminated");
			goto fail;
		}
		size_t n = (size_t) (nl - s);
		pos += n + 1;
		if (n == 3 && memcmp(s, "end", 3) == 0) {
			break;
		}
		if (memchr(s, '\0', n) != NULL) {
			rv = bad(line, "NUL byte");
			goto fail;
		}
		rv = decode_line(&p, line, s, n, &seen);
		if (rv != ADDIN_OK) {
			goto fail;
		}
	}
	if (pos != len) {
		rv = bad(line + 1, "data after \"end\"");
		goto fail;
	}
	if ((seen & (1u << K_LEVEL)) == 0) {
		rv = bad(line, "no level");
		goto fail;
	}
	*ret_p = p;
	return ADDIN_OK;

fail:
	addin__sandbox_policy_fini(&p);
	return rv;
}
