// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The store's cache: PIPELINE/.bulkhead-cache, what the last update read
// from each segment file, keyed by the file's stat.  It is written only by a
// process holding the exclusive flock on PIPELINE/.bulkhead-cache.lock,
// through a temporary file, fsync and rename, so readers see the old or the
// new cache, never a mix.  It is trusted only when it is a regular file owned
// by the host's user or root, not writable by group or others (the trust
// rule of platform.h), has our magic and format, was written for this very
// directory (device and inode), and its checksum matches; and even then it
// is decoded with the bounded decoder and every entry is checked like a
// fresh record.  Anything else is a warning and a full read.
//
// The layout is store_cache.proto's: the magic, a format byte, a varint
// length, a Header message, then the Entries message.

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cursor.h"
#include "frame.h"
#include "platform/platform.h"
#include "store_cache.pb-c.h"
#include "store_impl.h"

#define MAGIC   "BHDCACHE"
#define FORMAT  2u
#define MAX_MSG ADDIN__ERRMSG_MAX
#define MAX_REL 4096
// The magic, the format byte and a header length: the least a cache is.
#define MIN_SIZE (8u + 1 + 1)
// A Header is four numbers: far less than this.
#define MAX_HEADER 256u

typedef Addin__Cache__V2__Header  pb_header;
typedef Addin__Cache__V2__Entries pb_entries;
typedef Addin__Cache__V2__Entry   pb_entry;
typedef Addin__Cache__V2__Record  pb_record;
typedef Addin__Cache__V2__Pair    pb_pair;

// The checksum.

static uint64_t
le64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
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

// Between segments and records.

// rec_field returns the field of @r that holds @f, and its has_ flag.
static ProtobufCBinaryData *
rec_field(pb_record *r, enum addin__field f, protobuf_c_boolean **has)
{
	switch (f) {
	case ADDIN__F_NAME: *has = &r->has_name; return &r->name;
	case ADDIN__F_VERSION: *has = &r->has_version; return &r->version;
	case ADDIN__F_PUBLISHER:
		*has = &r->has_publisher;
		return &r->publisher;
	case ADDIN__F_DESCRIPTION:
		*has = &r->has_description;
		return &r->description;
	case ADDIN__F_CONTRACT: *has = &r->has_contract; return &r->contract;
	case ADDIN__F_CONTRACT_HASH:
		*has = &r->has_contract_hash;
		return &r->contract_hash;
	case ADDIN__F_HOST_VIEW:
		*has = &r->has_host_view;
		return &r->host_view;
	case ADDIN__F_HOST_VIEW_HASH:
		*has = &r->has_host_view_hash;
		return &r->host_view_hash;
	case ADDIN__F_ADDIN_VIEW:
		*has = &r->has_addin_view;
		return &r->addin_view;
	case ADDIN__F_ADDIN_VIEW_HASH:
	default: *has = &r->has_addin_view_hash; return &r->addin_view_hash;
	}
}

// bin is @s as a bytes field (only read while packing).
static ProtobufCBinaryData
bin(const char *s)
{
	ProtobufCBinaryData b = {strlen(s), (uint8_t *) addin__deconst(s)};
	return b;
}

// Writing.

// The messages of one cache, pointing into the entries and their segments.
struct out {
	pb_entries           entries;
	pb_entry            *entry;  // one per entry
	pb_entry           **entryp; // entries.entry
	pb_record           *rec;    // one per entry
	pb_pair             *pair;   // every qualification pair
	pb_pair            **pairp;
	ProtobufCBinaryData *needs; // every needs grant
};

static void *
alloc_n(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		return NULL;
	}
	return addin__zalloc(n * size);
}

static void
out_free(struct out *o)
{
	addin__free(o->entry);
	addin__free(o->entryp);
	addin__free(o->rec);
	addin__free(o->pair);
	addin__free(o->pairp);
	addin__free(o->needs);
}

// put_record fills @r from @seg, taking its pairs and grants from *@pair,
// *@pairp and *@needs and moving those on.
static void
put_record(pb_record *r, const addin__segment *seg, pb_pair **pair,
           pb_pair ***pairp, ProtobufCBinaryData **needs)
{
	addin__cache__v2__record__init(r);
	for (int f = 0; f < ADDIN__F_COUNT; f++) {
		protobuf_c_boolean  *has;
		ProtobufCBinaryData *v =
		    rec_field(r, (enum addin__field) f, &has);
		if (seg->f[f][0] != '\0') {
			*v   = bin(seg->f[f]);
			*has = true;
		}
	}
	r->n_qualification = seg->nq;
	r->qualification   = *pairp;
	for (size_t q = 0; q < seg->nq; q++) {
		pb_pair *p = (*pair)++;
		addin__cache__v2__pair__init(p);
		p->key       = bin(seg->qk[q]);
		p->value     = bin(seg->qv[q]);
		p->has_key   = true;
		p->has_value = true;
		*(*pairp)++  = p;
	}
	r->n_needs = seg->nneeds;
	r->needs   = *needs;
	for (size_t q = 0; q < seg->nneeds; q++) {
		*(*needs)++ = bin(seg->needs[q]);
	}
}

// encode builds the messages of @e in @o.  ADDIN_ENOMEM.
static addin_err
encode(const addin__entries *e, struct out *o)
{
	size_t               nq = 0, nn = 0;
	pb_pair             *pair;
	pb_pair            **pairp;
	ProtobufCBinaryData *needs;

	for (size_t i = 0; i < e->n; i++) {
		if (e->v[i].state == ADDIN__E_SEGMENT) {
			nq += e->v[i].seg->nq;
			nn += e->v[i].seg->nneeds;
		}
	}
	o->entry  = alloc_n(e->n, sizeof(*o->entry));
	o->entryp = alloc_n(e->n, sizeof(*o->entryp));
	o->rec    = alloc_n(e->n, sizeof(*o->rec));
	o->pair   = alloc_n(nq, sizeof(*o->pair));
	o->pairp  = alloc_n(nq, sizeof(*o->pairp));
	o->needs  = alloc_n(nn, sizeof(*o->needs));
	if (o->entry == NULL || o->entryp == NULL || o->rec == NULL ||
	    o->pair == NULL || o->pairp == NULL || o->needs == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	pair  = o->pair;
	pairp = o->pairp;
	needs = o->needs;
	addin__cache__v2__entries__init(&o->entries);
	o->entries.n_entry = e->n;
	o->entries.entry   = o->entryp;
	for (size_t i = 0; i < e->n; i++) {
		const addin__entry *x = &e->v[i];
		pb_entry           *m = &o->entry[i];
		addin__cache__v2__entry__init(m);
		o->entryp[i] = m;
		m->rel       = bin(x->rel);
		m->kind      = (uint32_t) x->kind;
		m->state     = x->state;
		m->racy      = x->racy;
		m->dev       = x->key.dev;
		m->ino       = x->key.ino;
		m->size      = x->key.size;
		m->mtime_ns  = x->key.mtime_ns;
		m->ctime_ns  = x->key.ctime_ns;
		m->has_rel = m->has_kind = m->has_state = m->has_racy = true;
		m->has_dev = m->has_ino = m->has_size = true;
		m->has_mtime_ns = m->has_ctime_ns = true;
		if (x->state == ADDIN__E_SEGMENT) {
			put_record(&o->rec[i], x->seg, &pair, &pairp, &needs);
			m->record = &o->rec[i];
		} else {
			m->message     = bin(x->msg);
			m->has_message = true;
		}
	}
	return ADDIN_OK;
}

// pack packs @e, and the header and prefix that go before it for the
// directory @pst.  On success *@ret_body (the entries, *@ret_n bytes; free
// with addin__free) and @head (*@ret_hn bytes) are the file.
static addin_err
pack(const struct stat *pst, const addin__entries *e, uint8_t **ret_body,
     size_t *ret_n, uint8_t *head, size_t *ret_hn)
{
	struct out o;
	pb_header  h = ADDIN__CACHE__V2__HEADER__INIT;
	uint8_t   *body;
	size_t     n, hn, at;
	addin_err  rv;

	memset(&o, 0, sizeof(o));
	rv = encode(e, &o);
	if (rv != ADDIN_OK) {
		out_free(&o);
		return rv;
	}
	n    = addin__cache__v2__entries__get_packed_size(&o.entries);
	body = addin__alloc(n);
	if (body == NULL) {
		out_free(&o);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	addin__cache__v2__entries__pack(&o.entries, body);
	out_free(&o);

	h.dir_dev          = (uint64_t) pst->st_dev;
	h.dir_ino          = (uint64_t) pst->st_ino;
	h.entries_size     = n;
	h.entries_checksum = addin__cache_checksum(body, n);
	h.has_dir_dev = h.has_dir_ino = true;
	h.has_entries_size = h.has_entries_checksum = true;
	hn = addin__cache__v2__header__get_packed_size(&h);
	memcpy(head, MAGIC, 8);
	head[8] = FORMAT;
	at      = 9 + addin__varint_put(head + 9, hn);
	at += addin__cache__v2__header__pack(&h, head + at);
	*ret_body = body;
	*ret_n    = n;
	*ret_hn   = at;
	return ADDIN_OK;
}

addin_err
addin__cache_write(int pfd, const struct stat *pst, const addin__entries *e)
{
	uint8_t   head[9 + ADDIN__VARINT_MAX + MAX_HEADER];
	uint8_t  *body = NULL;
	size_t    n = 0, hn = 0;
	addin_err rv;
	int       fd;

	rv = pack(pst, e, &body, &n, head, &hn);
	if (rv != ADDIN_OK) {
		return rv;
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
	rv = addin__plat_write_full(fd, head, hn);
	if (rv == ADDIN_OK) {
		rv = addin__plat_write_full(fd, body, n);
	}
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
	addin__free(body);
	return ADDIN_OK;

fail_write:
	(void) unlinkat(pfd, ADDIN__STORE_CACHE_TMP, 0);
fail_open:
	addin__free(body);
	return rv;
}

// Reading.

// str_of checks the bytes field @b (@has) as a string of 1 to @max bytes
// without a NUL (0 bytes allowed when @empty_ok) and returns it.  NULL
// when it is not one.
static bool
str_of(protobuf_c_boolean has, ProtobufCBinaryData b, size_t max,
       bool empty_ok, addin__str *ret)
{
	if (!has || b.len == 0) {
		ret->p = NULL;
		ret->n = 0;
		return empty_ok;
	}
	if (b.len > max || memchr(b.data, '\0', b.len) != NULL) {
		return false;
	}
	ret->p = (const char *) b.data;
	ret->n = b.len;
	return true;
}

// record_of fills @src from @r, checked like a fresh record.  Returns the
// problem, or NULL.
static const char *
record_of(pb_record *r, addin__seg_src *src)
{
	for (int f = 0; f < ADDIN__F_COUNT; f++) {
		protobuf_c_boolean        *has;
		const ProtobufCBinaryData *v =
		    rec_field(r, (enum addin__field) f, &has);
		if (!str_of(*has, *v, ADDIN__SEG_MAX_VALUE, true,
		            &src->f[f])) {
			return "malformed field";
		}
	}
	if (r->n_qualification > ADDIN__SEG_MAX_QUALS) {
		return "too many qualification pairs";
	}
	if (r->n_needs > ADDIN__SEG_MAX_NEEDS) {
		return "too many needs";
	}
	src->nq = r->n_qualification;
	for (size_t q = 0; q < src->nq; q++) {
		const pb_pair *p = r->qualification[q];
		if (!str_of(p->has_key, p->key, ADDIN__SEG_MAX_KEY, false,
		            &src->qk[q]) ||
		    !str_of(p->has_value, p->value, ADDIN__SEG_MAX_VALUE, true,
		            &src->qv[q])) {
			return "malformed qualification pair";
		}
		if (src->qv[q].p == NULL) {
			src->qv[q].p = "";
		}
	}
	src->nneeds = r->n_needs;
	for (size_t q = 0; q < src->nneeds; q++) {
		if (!str_of(true, r->needs[q], ADDIN__SEG_MAX_VALUE, false,
		            &src->needs[q])) {
			return "malformed needs grant";
		}
	}
	if (addin__segment_check(src) != ADDIN_OK) {
		return "entry fails the segment checks";
	}
	return NULL;
}

// entry_of makes @x from @m (segment located in @dir).  Returns ADDIN_OK;
// ADDIN_ECORRUPT with *@why; ADDIN_ENOMEM.
static addin_err
entry_of(const pb_entry *m, const char *dir, addin__entry *x, const char **why)
{
	addin__seg_src src;
	addin__str     rel = {NULL, 0}, msg = {NULL, 0};

	if (!m->has_kind || !m->has_state || !m->has_dev || !m->has_ino ||
	    !m->has_size || !m->has_mtime_ns || !m->has_ctime_ns ||
	    m->kind >= ADDIN_SEGMENT_KINDS || m->state > ADDIN__E_NORECORD ||
	    !str_of(m->has_rel, m->rel, MAX_REL, false, &rel) ||
	    (m->state == ADDIN__E_SEGMENT) != (m->record != NULL) ||
	    (m->state != ADDIN__E_SEGMENT &&
	     !str_of(m->has_message, m->message, MAX_MSG, true, &msg))) {
		*why = "bad entry";
		return ADDIN_ECORRUPT;
	}
	x->kind         = (addin_segment_kind) m->kind;
	x->state        = (uint8_t) m->state;
	x->racy         = m->has_racy && m->racy;
	x->key.dev      = m->dev;
	x->key.ino      = m->ino;
	x->key.size     = m->size;
	x->key.mtime_ns = m->mtime_ns;
	x->key.ctime_ns = m->ctime_ns;
	if ((x->rel = addin__strndup(rel.p, rel.n)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	if (m->state != ADDIN__E_SEGMENT) {
		x->msg = addin__strndup(msg.p != NULL ? msg.p : "", msg.n);
		return x->msg == NULL ? addin__seterr(ADDIN_ENOMEM, NULL)
		                      : ADDIN_OK;
	}
	memset(&src, 0, sizeof(src));
	src.kind = x->kind;
	if ((*why = record_of(m->record, &src)) != NULL) {
		return ADDIN_ECORRUPT;
	}
	return addin__segment_new(&src, dir, x->rel, &x->seg);
}

// entries_of fills @ret from the Entries at @p (@n bytes).  Returns as
// entry_of.
static addin_err
entries_of(const uint8_t *p, size_t n, const char *dir, addin__entries *ret,
           const char **why)
{
	ProtobufCMessage *m;
	pb_entries       *es;
	addin_err         rv = ADDIN_OK;

	if (addin__unpack_untrusted(&addin__cache__v2__entries__descriptor, n,
	                            p, &m, why) != ADDIN_OK) {
		return ADDIN_ECORRUPT;
	}
	es = (pb_entries *) m;
	for (size_t i = 0; i < es->n_entry && rv == ADDIN_OK; i++) {
		addin__entry *x = addin__entries_push(ret);
		if (x == NULL) {
			rv = addin__seterr(ADDIN_ENOMEM, NULL);
			break;
		}
		rv = entry_of(es->entry[i], dir, x, why);
		if (rv == ADDIN_OK && ret->n > 1 &&
		    strcmp(ret->v[ret->n - 2].rel, x->rel) >= 0) {
			*why = "entries out of order";
			rv   = ADDIN_ECORRUPT;
		}
	}
	protobuf_c_message_free_unpacked(m, &addin__pb_allocator);
	if (rv != ADDIN_OK) {
		addin__entries_clear(ret);
	}
	return rv;
}

addin_err
addin__cache_decode(const uint8_t *data, size_t len, const struct stat *pst,
                    const char *dir, addin__entries *ret, char *why,
                    size_t wlen)
{
	addin__cursor     c = addin__cur_init(data, len);
	const uint8_t    *magic, *hb;
	const char       *bad = NULL;
	uint8_t           format;
	uint64_t          hlen;
	ProtobufCMessage *hm;
	pb_header        *h;
	addin_err         rv;

	if (len < MIN_SIZE || !addin__cur_take(&c, 8, &magic) ||
	    !addin__cur_u8(&c, &format)) {
		snprintf(why, wlen, "corrupt cache (%zu bytes)", len);
		return ADDIN_ECORRUPT;
	}
	if (memcmp(magic, MAGIC, 8) != 0) {
		snprintf(why, wlen, "not a Bulkhead cache (bad magic)");
		return ADDIN_ECORRUPT;
	}
	if (format != FORMAT) {
		snprintf(why, wlen,
		         "cache format %u, this Bulkhead reads format %u",
		         (unsigned) format, FORMAT);
		return ADDIN_ECORRUPT;
	}
	if (!addin__cur_varint(&c, &hlen) || hlen > MAX_HEADER ||
	    !addin__cur_take(&c, (size_t) hlen, &hb)) {
		snprintf(why, wlen, "corrupt cache (bad header length)");
		return ADDIN_ECORRUPT;
	}
	if (addin__unpack_untrusted(&addin__cache__v2__header__descriptor,
	                            (size_t) hlen, hb, &hm,
	                            &bad) != ADDIN_OK) {
		snprintf(why, wlen, "corrupt cache (header: %s)", bad);
		return ADDIN_ECORRUPT;
	}
	h  = (pb_header *) hm;
	rv = ADDIN_ECORRUPT;
	if (!h->has_dir_dev || !h->has_dir_ino || !h->has_entries_size ||
	    !h->has_entries_checksum) {
		snprintf(why, wlen, "corrupt cache (incomplete header)");
	} else if (h->dir_dev != (uint64_t) pst->st_dev ||
	           h->dir_ino != (uint64_t) pst->st_ino) {
		snprintf(why, wlen,
		         "cache was written for another directory "
		         "(foreign cache)");
	} else if (h->entries_size != c.left) {
		snprintf(why, wlen, "corrupt cache (wrong length)");
	} else if (h->entries_checksum != addin__cache_checksum(c.p, c.left)) {
		snprintf(why, wlen, "corrupt cache (checksum mismatch)");
	} else {
		rv = entries_of(c.p, c.left, dir, ret, &bad);
		if (rv == ADDIN_ECORRUPT) {
			snprintf(why, wlen, "corrupt cache (%s)", bad);
		}
	}
	addin__cache__v2__header__free_unpacked(h, &addin__pb_allocator);
	return rv;
}

static addin_err
untrusted(addin_warnings *w, const char *path, const char *why)
{
	addin_err rv =
	    addin__warn(w, path, "%s; ignored, segments read again", why);
	return rv == ADDIN_OK ? ADDIN_ECORRUPT : rv;
}

// read_cache reads the cache file open on @fd, after checking it is ours
// to trust, into *@ret_buf (*@ret_len bytes; free with addin__free).
// Returns ADDIN_OK; ADDIN_ECORRUPT with *@why; ADDIN_ENOMEM.
static addin_err
read_cache(int fd, uint8_t **ret_buf, size_t *ret_len, char *why, size_t wlen)
{
	char        reason[128];
	struct stat st;
	uint8_t    *buf;
	long        got;

	if (fstat(fd, &st) != 0) {
		snprintf(why, wlen, "cache cannot be examined (%s)",
		         strerror(errno));
		return ADDIN_ECORRUPT;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, wlen, "cache is not a regular file");
		return ADDIN_ECORRUPT;
	}
	if (addin__plat_stat_untrusted(&st, reason, sizeof(reason))) {
		snprintf(why, wlen, "cache file %s, not trusted", reason);
		return ADDIN_ECORRUPT;
	}
	if (st.st_size < (off_t) MIN_SIZE ||
	    st.st_size > (off_t) ADDIN__STORE_MAX_CACHE) {
		snprintf(why, wlen, "corrupt cache (%lld bytes)",
		         (long long) st.st_size);
		return ADDIN_ECORRUPT;
	}
	if ((buf = addin__alloc((size_t) st.st_size)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	got = addin__plat_read_full(fd, buf, (size_t) st.st_size);
	if (got != (long) st.st_size) {
		snprintf(why, wlen, "cache cannot be read (%s)",
		         got < 0 ? strerror(errno) : "cut short");
		addin__free(buf);
		return ADDIN_ECORRUPT;
	}
	*ret_buf = buf;
	*ret_len = (size_t) st.st_size;
	return ADDIN_OK;
}

addin_err
addin__cache_load(addin_store *s, int pfd, const struct stat *pst,
                  addin__entries *ret, addin_warnings *w)
{
	char      path[4200];
	char      why[200];
	uint8_t  *buf = NULL;
	size_t    len = 0;
	addin_err rv;
	int       fd;

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
	rv = read_cache(fd, &buf, &len, why, sizeof(why));
	close(fd);
	if (rv == ADDIN_OK) {
		rv = addin__cache_decode(buf, len, pst, s->dir, ret, why,
		                         sizeof(why));
		addin__free(buf);
	}
	return rv == ADDIN_ECORRUPT ? untrusted(w, path, why) : rv;
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
