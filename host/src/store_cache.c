// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The store's cache: PIPELINE/.bulkhead-cache, what the last update read
// from each segment file, keyed by the file's stat.  It is written only by a
// process holding the exclusive flock on PIPELINE/.bulkhead-cache.lock,
// through a temporary file, fsync and rename, so readers see the old or the
// new cache, never a mix.  It is trusted only when it is a regular file owned
// by the host's user or root, not writable by group or others, has our magic
// and format, was written for this very directory (device and inode), and
// its checksum matches; and even then every field is parsed with bounds and
// checked like a fresh record.  Anything else is a warning and a full read.
//
// Layout (integers little-endian):
//
//     header  "BHDCACHE" u32 format u32 header-size
//             u64 dir-dev u64 dir-ino u64 payload-size u64 payload-checksum
//     payload u32 count, then count entries sorted by path:
//             str rel  u8 kind u8 state u8 racy u8 0
//             u64 dev ino size mtime_ns ctime_ns
//             state SEGMENT: 10 x str field (enum addin__field order)
//                            u32 nq, nq x (str key, str value)
//                            u32 nneeds, nneeds x str
//             otherwise:     str message
//     str     u32 length, the bytes, a NUL

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "platform/platform.h"
#include "store_impl.h"

#define MAGIC       "BHDCACHE"
#define FORMAT      1u
#define HEADER_SIZE 48u
#define MAX_MSG     ADDIN__ERRMSG_MAX
#define MAX_REL     4096

// A 64-bit checksum over little-endian words (detects corruption; trust
// comes from ownership, not from this).
static uint64_t
le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--) {
		v = (v << 8) | p[i];
	}
	return v;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
	       (uint32_t) p[3] << 24;
}

uint64_t
addin__cache_checksum(const void *data, size_t n)
{
	const unsigned char *p     = data;
	const uint64_t       prime = 0x100000001b3ull;
	uint64_t             h     = 0xcbf29ce484222325ull;
	for (; n >= 8; p += 8, n -= 8) {
		h = (h ^ le64(p)) * prime;
		h ^= h >> 29;
	}
	for (; n > 0; p++, n--) {
		h = (h ^ *p) * prime;
	}
	return h ^ (h >> 32);
}

// The output buffer.
struct obuf {
	unsigned char *p;
	size_t         len, cap;
	bool           oom;
};

static void
ob_grow(struct obuf *b, size_t more)
{
	size_t ncap;
	void  *np;
	if (b->oom || b->len + more <= b->cap) {
		return;
	}
	ncap = b->cap == 0 ? 64 * 1024 : b->cap;
	while (ncap < b->len + more) {
		ncap *= 2;
	}
	np = b->p == NULL ? addin__alloc(ncap) : addin__realloc(b->p, ncap);
	if (np == NULL) {
		b->oom = true;
		return;
	}
	b->p   = np;
	b->cap = ncap;
}

static void
ob_bytes(struct obuf *b, const void *p, size_t n)
{
	ob_grow(b, n);
	if (!b->oom && n > 0) {
		memcpy(b->p + b->len, p, n);
		b->len += n;
	}
}

static void
ob_u8(struct obuf *b, unsigned v)
{
	unsigned char c = (unsigned char) v;
	ob_bytes(b, &c, 1);
}

static void
ob_u32(struct obuf *b, uint32_t v)
{
	unsigned char c[4];
	for (int i = 0; i < 4; i++) {
		c[i] = (unsigned char) (v >> (8 * i));
	}
	ob_bytes(b, c, 4);
}

static void
ob_u64(struct obuf *b, uint64_t v)
{
	unsigned char c[8];
	for (int i = 0; i < 8; i++) {
		c[i] = (unsigned char) (v >> (8 * i));
	}
	ob_bytes(b, c, 8);
}

static void
ob_str(struct obuf *b, const char *s)
{
	size_t n = strlen(s);
	ob_u32(b, (uint32_t) n);
	ob_bytes(b, s, n + 1);
}

static void
encode(struct obuf *b, const addin__entries *e)
{
	ob_u32(b, (uint32_t) e->n);
	for (size_t i = 0; i < e->n; i++) {
		const addin__entry *x = &e->v[i];
		ob_str(b, x->rel);
		ob_u8(b, (unsigned) x->kind);
		ob_u8(b, x->state);
		ob_u8(b, x->racy ? 1 : 0);
		ob_u8(b, 0);
		ob_u64(b, x->key.dev);
		ob_u64(b, x->key.ino);
		ob_u64(b, x->key.size);
		ob_u64(b, x->key.mtime_ns);
		ob_u64(b, x->key.ctime_ns);
		if (x->state != ADDIN__E_SEGMENT) {
			ob_str(b, x->msg);
			continue;
		}
		for (int f = 0; f < ADDIN__F_COUNT; f++) {
			ob_str(b, x->seg->f[f]);
		}
		ob_u32(b, (uint32_t) x->seg->nq);
		for (size_t q = 0; q < x->seg->nq; q++) {
			ob_str(b, x->seg->qk[q]);
			ob_str(b, x->seg->qv[q]);
		}
		ob_u32(b, (uint32_t) x->seg->nneeds);
		for (size_t q = 0; q < x->seg->nneeds; q++) {
			ob_str(b, x->seg->needs[q]);
		}
	}
}

addin_err
addin__cache_write(int pfd, const struct stat *pst, const addin__entries *e)
{
	struct obuf b = {0};
	addin_err   rv;
	int         fd;

	ob_grow(&b, HEADER_SIZE);
	b.len = HEADER_SIZE;
	encode(&b, e);
	if (b.oom) {
		addin__free(b.p);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	memcpy(b.p, MAGIC, 8);
	{
		struct obuf h = {b.p, 8, HEADER_SIZE, false};
		ob_u32(&h, FORMAT);
		ob_u32(&h, HEADER_SIZE);
		ob_u64(&h, (uint64_t) pst->st_dev);
		ob_u64(&h, (uint64_t) pst->st_ino);
		ob_u64(&h, (uint64_t) (b.len - HEADER_SIZE));
		ob_u64(&h, addin__cache_checksum(b.p + HEADER_SIZE,
		                                 b.len - HEADER_SIZE));
	}

	// Only the lock holder writes the temporary file, so whatever is there
	// is left over from a crash: remove it, and create ours afresh (never
	// write through an existing file or link).
	if (unlinkat(pfd, ADDIN__STORE_CACHE_TMP, 0) != 0 && errno != ENOENT) {
		rv = addin__syserr(ADDIN_ESYSERR, errno, "unlink %s",
		                   ADDIN__STORE_CACHE_TMP);
		goto fail_open;
	}
	fd =
	    openat(pfd, ADDIN__STORE_CACHE_TMP,
	           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		rv = addin__syserr(ADDIN_ESYSERR, errno, "create %s",
		                   ADDIN__STORE_CACHE_TMP);
		goto fail_open;
	}
	rv = addin__plat_write_full(fd, b.p, b.len);
	if (rv == ADDIN_OK && fsync(fd) != 0) {
		rv = addin__syserr(ADDIN_ESYSERR, errno, "fsync");
	}
	if (close(fd) != 0 && rv == ADDIN_OK) {
		rv = addin__syserr(ADDIN_ESYSERR, errno, "close");
	}
	if (rv != ADDIN_OK) {
		goto fail_write;
	}
	if (renameat(pfd, ADDIN__STORE_CACHE_TMP, pfd,
	             ADDIN_STORE_CACHE_FILE) != 0) {
		rv = addin__syserr(ADDIN_ESYSERR, errno, "rename to %s",
		                   ADDIN_STORE_CACHE_FILE);
		goto fail_write;
	}
	// Make the rename durable.  A failure here loses nothing but the
	// durability of an optimisation.
	(void) fsync(pfd);
	addin__free(b.p);
	return ADDIN_OK;

fail_write:
	(void) unlinkat(pfd, ADDIN__STORE_CACHE_TMP, 0);
fail_open:
	addin__free(b.p);
	return rv;
}

// Reading.

struct ibuf {
	const unsigned char *p;
	size_t               len, pos;
	const char          *why; // first problem found
};

static bool
ib_need(struct ibuf *b, size_t n, const char *what)
{
	if (b->why != NULL) {
		return false;
	}
	if (n > b->len - b->pos) {
		b->why = what;
		return false;
	}
	return true;
}

static unsigned
ib_u8(struct ibuf *b)
{
	if (!ib_need(b, 1, "entry cut short")) {
		return 0;
	}
	return b->p[b->pos++];
}

static uint32_t
ib_u32(struct ibuf *b)
{
	uint32_t v;
	if (!ib_need(b, 4, "entry cut short")) {
		return 0;
	}
	v = le32(b->p + b->pos);
	b->pos += 4;
	return v;
}

static uint64_t
ib_u64(struct ibuf *b)
{
	uint64_t v;
	if (!ib_need(b, 8, "entry cut short")) {
		return 0;
	}
	v = le64(b->p + b->pos);
	b->pos += 8;
	return v;
}

static addin__str
ib_str(struct ibuf *b, size_t max)
{
	addin__str s   = {"", 0};
	uint32_t   len = ib_u32(b);
	if (b->why != NULL) {
		return s;
	}
	if (len > max) {
		b->why = "string too long";
		return s;
	}
	if (!ib_need(b, (size_t) len + 1, "string cut short")) {
		return s;
	}
	s.p = (const char *) b->p + b->pos;
	s.n = len;
	if (s.p[len] != '\0' || memchr(s.p, '\0', len) != NULL) {
		b->why = "malformed string";
		return s;
	}
	b->pos += (size_t) len + 1;
	return s;
}

// decode_entry reads one entry into @x (segment built with @dir).
static addin_err
decode_entry(struct ibuf *b, const char *dir, addin__entry *x)
{
	addin__seg_src src;
	addin__str     rel;
	unsigned       kind, state;
	addin_err      rv;

	rel     = ib_str(b, MAX_REL);
	kind    = ib_u8(b);
	state   = ib_u8(b);
	x->racy = ib_u8(b) != 0;
	(void) ib_u8(b);
	x->key.dev      = ib_u64(b);
	x->key.ino      = ib_u64(b);
	x->key.size     = ib_u64(b);
	x->key.mtime_ns = ib_u64(b);
	x->key.ctime_ns = ib_u64(b);
	if (b->why == NULL && (rel.n == 0 || kind >= ADDIN_SEGMENT_KINDS ||
	                       state > ADDIN__E_NORECORD)) {
		b->why = "bad entry";
	}
	if (b->why != NULL) {
		return ADDIN_ECORRUPT;
	}
	x->kind  = (addin_segment_kind) kind;
	x->state = (uint8_t) state;
	x->rel   = addin__strndup(rel.p, rel.n);
	if (x->rel == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	if (state != ADDIN__E_SEGMENT) {
		addin__str m = ib_str(b, MAX_MSG);
		if (b->why != NULL) {
			return ADDIN_ECORRUPT;
		}
		x->msg = addin__strndup(m.p, m.n);
		return x->msg == NULL ? addin__seterr(ADDIN_ENOMEM, NULL)
		                      : ADDIN_OK;
	}
	memset(&src, 0, sizeof(src));
	src.kind = x->kind;
	for (int f = 0; f < ADDIN__F_COUNT; f++) {
		src.f[f] = ib_str(b, ADDIN__SEG_MAX_VALUE);
	}
	src.nq = ib_u32(b);
	if (src.nq > ADDIN__SEG_MAX_QUALS) {
		b->why = "too many qualification pairs";
		return ADDIN_ECORRUPT;
	}
	for (size_t q = 0; q < src.nq; q++) {
		src.qk[q] = ib_str(b, ADDIN__SEG_MAX_KEY);
		src.qv[q] = ib_str(b, ADDIN__SEG_MAX_VALUE);
	}
	src.nneeds = ib_u32(b);
	if (src.nneeds > ADDIN__SEG_MAX_NEEDS) {
		b->why = "too many needs";
		return ADDIN_ECORRUPT;
	}
	for (size_t q = 0; q < src.nneeds; q++) {
		src.needs[q] = ib_str(b, ADDIN__SEG_MAX_VALUE);
	}
	if (b->why != NULL) {
		return ADDIN_ECORRUPT;
	}
	// Absent fields were stored as "": make them absent again.
	for (int f = 0; f < ADDIN__F_COUNT; f++) {
		if (src.f[f].n == 0) {
			src.f[f].p = NULL;
		}
	}
	if (addin__segment_check(&src) != ADDIN_OK) {
		b->why = "entry fails the segment checks";
		return ADDIN_ECORRUPT;
	}
	rv = addin__segment_new(&src, dir, x->rel, &x->seg);
	return rv;
}

static addin_err
untrusted(addin_warnings *w, const char *path, const char *why)
{
	addin_err rv =
	    addin__warn(w, path, "%s; ignored, segments read again", why);
	return rv == ADDIN_OK ? ADDIN_ECORRUPT : rv;
}

addin_err
addin__cache_load(addin_store *s, int pfd, const struct stat *pst,
                  addin__entries *ret, addin_warnings *w)
{
	char           path[4200];
	char           why[200], reason[128];
	struct stat    st;
	unsigned char *buf = NULL;
	long           got;
	struct ibuf    b;
	uint32_t       count;
	addin_err      rv;
	int            fd;

	snprintf(path, sizeof(path), "%s/%s", s->dir, ADDIN_STORE_CACHE_FILE);
	fd = openat(pfd, ADDIN_STORE_CACHE_FILE,
	            O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT) {
			return ADDIN_ENOTFOUND;
		}
		snprintf(why, sizeof(why), "cache cannot be opened (%s)",
		         errno == ELOOP ? "it is a symbolic link"
		                        : strerror(errno));
		return untrusted(w, path, why);
	}
	if (fstat(fd, &st) != 0) {
		snprintf(why, sizeof(why), "cache cannot be examined (%s)",
		         strerror(errno));
		rv = untrusted(w, path, why);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rv = untrusted(w, path, "cache is not a regular file");
		goto done;
	}
	if (addin__plat_stat_untrusted(&st, reason, sizeof(reason))) {
		snprintf(why, sizeof(why), "cache file %s, not trusted",
		         reason);
		rv = untrusted(w, path, why);
		goto done;
	}
	if (st.st_size < (off_t) HEADER_SIZE ||
	    st.st_size > (off_t) ADDIN__STORE_MAX_CACHE) {
		snprintf(why, sizeof(why), "corrupt cache (%lld bytes)",
		         (long long) st.st_size);
		rv = untrusted(w, path, why);
		goto done;
	}
	buf = addin__alloc((size_t) st.st_size);
	if (buf == NULL) {
		rv = addin__seterr(ADDIN_ENOMEM, NULL);
		goto done;
	}
	got = addin__plat_read_full(fd, buf, (size_t) st.st_size);
	if (got != (long) st.st_size) {
		snprintf(why, sizeof(why), "cache cannot be read (%s)",
		         got < 0 ? strerror(errno) : "cut short");
		rv = untrusted(w, path, why);
		goto done;
	}
	if (memcmp(buf, MAGIC, 8) != 0) {
		rv = untrusted(w, path, "not a Bulkhead cache (bad magic)");
		goto done;
	}
	if (le32(buf + 8) != FORMAT || le32(buf + 12) != HEADER_SIZE) {
		snprintf(why, sizeof(why),
		         "cache format %u, this Bulkhead reads format %u",
		         (unsigned) le32(buf + 8), FORMAT);
		rv = untrusted(w, path, why);
		goto done;
	}
	if (le64(buf + 16) != (uint64_t) pst->st_dev ||
	    le64(buf + 24) != (uint64_t) pst->st_ino) {
		rv = untrusted(
		    w, path,
		    "cache was written for another directory (foreign cache)");
		goto done;
	}
	if (le64(buf + 32) != (uint64_t) st.st_size - HEADER_SIZE) {
		rv = untrusted(w, path, "corrupt cache (wrong length)");
		goto done;
	}
	if (le64(buf + 40) !=
	    addin__cache_checksum(buf + HEADER_SIZE,
	                          (size_t) st.st_size - HEADER_SIZE)) {
		rv = untrusted(w, path, "corrupt cache (checksum mismatch)");
		goto done;
	}

	b     = (struct ibuf) {buf + HEADER_SIZE,
	                       (size_t) st.st_size - HEADER_SIZE, 0, NULL};
	count = ib_u32(&b);
	// Every entry takes at least 48 bytes: a cheap bound on the count.
	if (b.why == NULL && count > (b.len - b.pos) / 48) {
		b.why = "entry count too large";
	}
	for (uint32_t i = 0; b.why == NULL && i < count; i++) {
		addin__entry *x = addin__entries_push(ret);
		if (x == NULL) {
			rv = addin__seterr(ADDIN_ENOMEM, NULL);
			goto fail_entries;
		}
		rv = decode_entry(&b, s->dir, x);
		if (rv == ADDIN_ENOMEM) {
			goto fail_entries;
		}
		if (b.why == NULL && ret->n > 1 &&
		    strcmp(ret->v[ret->n - 2].rel, x->rel) >= 0) {
			b.why = "entries out of order";
		}
	}
	if (b.why == NULL && b.pos != b.len) {
		b.why = "trailing bytes";
	}
	if (b.why != NULL) {
		snprintf(why, sizeof(why), "corrupt cache (%s)", b.why);
		rv = untrusted(w, path, why);
		goto fail_entries;
	}
	rv = ADDIN_OK;
	goto done;

fail_entries:
	addin__entries_clear(ret);
done:
	addin__free(buf);
	close(fd);
	return rv;
}

addin_err
addin__cache_lock(int pfd, int timeout_ms, int *ret_fd)
{
	int64_t deadline = addin__now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
	long    nap_ns   = 200 * 1000;
	int     fd;

	fd = openat(pfd, ADDIN_STORE_LOCK_FILE,
	            O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	                O_NOCTTY,
	            0644);
	if (fd < 0) {
		return addin__syserr(ADDIN_EPERM, errno, "cannot open %s",
		                     ADDIN_STORE_LOCK_FILE);
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			*ret_fd = fd;
			return ADDIN_OK;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			addin_err rv =
			    addin__syserr(ADDIN_EPERM, errno, "cannot lock %s",
			                  ADDIN_STORE_LOCK_FILE);
			close(fd);
			return rv;
		}
		if (addin__now_ms() >= deadline) {
			close(fd);
			return addin__seterr(
			    ADDIN_ETIMEDOUT,
			    "another process held %s for more than %d ms",
			    ADDIN_STORE_LOCK_FILE, timeout_ms);
		}
		struct timespec ts = {0, nap_ns};
		nanosleep(&ts, NULL);
		if (nap_ns < 10 * 1000 * 1000) {
			nap_ns *= 2;
		}
	}
}
