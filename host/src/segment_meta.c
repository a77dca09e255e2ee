// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Segment metadata records: reading them from a file, parsing, checking,
// and the segment object.  See segment_meta.h and addin/segment.h for the
// record format.

#include <string.h>

#include "cursor.h"
#include "elf_reader.h"
#include "segment_meta.h"

static const char *const field_keys[ADDIN__F_COUNT] = {
    [ADDIN__F_NAME]            = "name",
    [ADDIN__F_VERSION]         = "version",
    [ADDIN__F_PUBLISHER]       = "publisher",
    [ADDIN__F_DESCRIPTION]     = "description",
    [ADDIN__F_CONTRACT]        = "contract",
    [ADDIN__F_CONTRACT_HASH]   = "contract-hash",
    [ADDIN__F_HOST_VIEW]       = "host-view",
    [ADDIN__F_HOST_VIEW_HASH]  = "host-view-hash",
    [ADDIN__F_ADDIN_VIEW]      = "addin-view",
    [ADDIN__F_ADDIN_VIEW_HASH] = "addin-view-hash",
};

static const char *const kind_names[ADDIN_SEGMENT_KINDS] = {
    [ADDIN_SEGMENT_HOST_ADAPTER]  = "host-adapter",
    [ADDIN_SEGMENT_CONTRACT]      = "contract",
    [ADDIN_SEGMENT_ADDIN_ADAPTER] = "addin-adapter",
    [ADDIN_SEGMENT_ADDIN]         = "addin",
};

static const char *const kind_dirs[ADDIN_SEGMENT_KINDS] = {
    [ADDIN_SEGMENT_HOST_ADAPTER]  = "host-adapters",
    [ADDIN_SEGMENT_CONTRACT]      = "contracts",
    [ADDIN_SEGMENT_ADDIN_ADAPTER] = "addin-adapters",
    [ADDIN_SEGMENT_ADDIN]         = "addins",
};

// What each kind must declare, besides "kind".
static const enum addin__field required_host_adapter[] = {
    ADDIN__F_HOST_VIEW,
    ADDIN__F_HOST_VIEW_HASH,
    ADDIN__F_CONTRACT,
    ADDIN__F_CONTRACT_HASH,
};
static const enum addin__field required_contract[] = {
    ADDIN__F_CONTRACT,
    ADDIN__F_CONTRACT_HASH,
};
static const enum addin__field required_addin_adapter[] = {
    ADDIN__F_CONTRACT,
    ADDIN__F_CONTRACT_HASH,
    ADDIN__F_ADDIN_VIEW,
    ADDIN__F_ADDIN_VIEW_HASH,
};
static const enum addin__field required_addin[] = {
    ADDIN__F_NAME,
    ADDIN__F_ADDIN_VIEW,
    ADDIN__F_ADDIN_VIEW_HASH,
};

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const enum addin__field *fields;
	size_t                   n;
} required[ADDIN_SEGMENT_KINDS] = {
    [ADDIN_SEGMENT_HOST_ADAPTER] = {required_host_adapter,
                                    LEN(required_host_adapter)},
    [ADDIN_SEGMENT_CONTRACT]     = {required_contract, LEN(required_contract)},
    [ADDIN_SEGMENT_ADDIN_ADAPTER] = {required_addin_adapter,
                                     LEN(required_addin_adapter)},
    [ADDIN_SEGMENT_ADDIN]         = {required_addin, LEN(required_addin)},
};

const char *
addin__segment_dir(addin_segment_kind kind)
{
	return kind_dirs[kind];
}

// Documented in include/addin/store.h.
const char *
addin_segment_kind_name(addin_segment_kind kind)
{
	if ((unsigned) kind >= ADDIN_SEGMENT_KINDS) {
		return NULL;
	}
	return kind_names[kind];
}

static bool
str_eq(addin__str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.p != NULL && s.n == n && memcmp(s.p, lit, n) == 0;
}

// take_string takes the next NUL-terminated string, at most @max bytes.
static addin_err
take_string(addin__cursor *c, size_t max, const char *what, addin__str *ret)
{
	size_t      off = addin__cur_off(c);
	const char *p;
	size_t      n;

	if (!addin__cur_cstr(c, &p, &n)) {
		return addin__seterr(
		    ADDIN_ESEGMENT,
		    "metadata record truncated at offset %zu (no end of %s)",
		    off, what);
	}
	if (n > max) {
		return addin__seterr(
		    ADDIN_ELIMIT,
		    "metadata %s at offset %zu is %zu bytes, limit %zu", what,
		    off, n, max);
	}
	ret->p = p;
	ret->n = n;
	return ADDIN_OK;
}

static int
kind_of(addin__str s)
{
	for (int k = 0; k < ADDIN_SEGMENT_KINDS; k++) {
		if (str_eq(s, kind_names[k])) {
			return k;
		}
	}
	return -1;
}

// One record being parsed.
struct record {
	addin__str     kind;
	addin__seg_src src;
	size_t         npairs;
};

static addin_err
add_pair(struct record *r, addin__str key, addin__str val)
{
	addin__seg_src *s = &r->src;

	if (str_eq(key, "kind")) {
		if (r->kind.p != NULL) {
			return addin__seterr(ADDIN_ESEGMENT,
			                     "metadata record has two kinds");
		}
		r->kind = val;
		return ADDIN_OK;
	}
	for (int f = 0; f < ADDIN__F_COUNT; f++) {
		if (!str_eq(key, field_keys[f])) {
			continue;
		}
		if (s->f[f].p != NULL) {
			return addin__seterr(
			    ADDIN_ESEGMENT,
			    "metadata record has two values for %s",
			    field_keys[f]);
		}
		s->f[f] = val;
		return ADDIN_OK;
	}
	if (key.n > 2 && key.p[0] == 'q' && key.p[1] == '.') {
		addin__str qk = {key.p + 2, key.n - 2};
		for (size_t i = 0; i < s->nq; i++) {
			if (s->qk[i].n == qk.n &&
			    memcmp(s->qk[i].p, qk.p, qk.n) == 0) {
				return addin__seterr(
				    ADDIN_ESEGMENT,
				    "metadata record has two values for "
				    "q.%.*s",
				    (int) qk.n, qk.p);
			}
		}
		if (s->nq == ADDIN__SEG_MAX_QUALS) {
			return addin__seterr(
			    ADDIN_ELIMIT, "more than %d qualification pairs",
			    ADDIN__SEG_MAX_QUALS);
		}
		s->qk[s->nq]   = qk;
		s->qv[s->nq++] = val;
		return ADDIN_OK;
	}
	if (str_eq(key, "needs")) {
		for (size_t i = 0; i < s->nneeds; i++) {
			if (s->needs[i].n == val.n &&
			    memcmp(s->needs[i].p, val.p, val.n) == 0) {
				return ADDIN_OK; // a repeated grant
			}
		}
		if (s->nneeds == ADDIN__SEG_MAX_NEEDS) {
			return addin__seterr(ADDIN_ELIMIT,
			                     "more than %d needs grants",
			                     ADDIN__SEG_MAX_NEEDS);
		}
		s->needs[s->nneeds++] = val;
		return ADDIN_OK;
	}
	return ADDIN_OK; // unknown keys are ignored, so records can grow
}

// parse_record parses one record starting at the cursor (after padding).
static addin_err
parse_record(addin__cursor *c, struct record *r)
{
	addin__str magic = {NULL, 0}, format = {NULL, 0};
	addin__str key = {NULL, 0}, val = {NULL, 0};
	size_t     start = addin__cur_off(c);
	addin_err  rv;

	memset(r, 0, sizeof(*r));
	rv = take_string(c, ADDIN__SEG_MAX_KEY, "magic", &magic);
	if (rv != ADDIN_OK) {
		return rv;
	}
	if (!str_eq(magic, ADDIN_SEGMENT_MAGIC)) {
		return addin__seterr(
		    ADDIN_ESEGMENT,
		    "no metadata record at offset %zu (bad magic)", start);
	}
	rv = take_string(c, ADDIN__SEG_MAX_KEY, "format", &format);
	if (rv != ADDIN_OK) {
		return rv;
	}
	if (!str_eq(format, ADDIN_SEGMENT_FORMAT)) {
		return addin__seterr(
		    ADDIN_ESEGMENT,
		    "metadata record format \"%.*s\" is not supported (this "
		    "Bulkhead reads format %s)",
		    (int) (format.n > 16 ? 16 : format.n), format.p,
		    ADDIN_SEGMENT_FORMAT);
	}
	for (;;) {
		rv = take_string(c, ADDIN__SEG_MAX_KEY, "key", &key);
		if (rv != ADDIN_OK) {
			return rv;
		}
		if (key.n == 0) {
			break; // the empty key ends the record
		}
		if (++r->npairs > ADDIN__SEG_MAX_PAIRS) {
			return addin__seterr(
			    ADDIN_ELIMIT,
			    "metadata record has more than %d pairs",
			    ADDIN__SEG_MAX_PAIRS);
		}
		rv = take_string(c, ADDIN__SEG_MAX_VALUE, "value", &val);
		if (rv != ADDIN_OK) {
			return rv;
		}
		rv = add_pair(r, key, val);
		if (rv != ADDIN_OK) {
			return rv;
		}
	}
	if (r->kind.p == NULL) {
		return addin__seterr(
		    ADDIN_ESEGMENT,
		    "metadata record at offset %zu has no kind", start);
	}
	return ADDIN_OK;
}

addin_err
addin__segment_parse(const char *data, size_t len, addin_segment_kind kind,
                     addin__seg_src *src)
{
	addin__cursor c = addin__cur_init(data, len);
	struct record r;
	int           nrec = 0, nmatch = 0;
	char          others[128] = "";
	size_t        olen        = 0;
	addin_err     rv;

	if ((unsigned) kind >= ADDIN_SEGMENT_KINDS) {
		return addin__seterr(ADDIN_EINVAL, "bad segment kind");
	}
	for (;;) {
		// Records follow each other; tolerate alignment padding.
		uint8_t pad;
		while (c.left > 0 && c.p[0] == '\0') {
			(void) addin__cur_u8(&c, &pad);
		}
		if (c.left == 0) {
			break;
		}
		if (++nrec > ADDIN__SEG_MAX_RECORDS) {
			return addin__seterr(ADDIN_ELIMIT,
			                     "more than %d metadata records",
			                     ADDIN__SEG_MAX_RECORDS);
		}
		rv = parse_record(&c, &r);
		if (rv != ADDIN_OK) {
			return rv;
		}
		if (kind_of(r.kind) == (int) kind) {
			if (++nmatch > 1) {
				return addin__seterr(
				    ADDIN_ESEGMENT,
				    "%d %s records; a library holds at most "
				    "one record of each kind",
				    nmatch, kind_names[kind]);
			}
			*src      = r.src;
			src->kind = kind;
		} else if (olen + r.kind.n + 3 < sizeof(others)) {
			// Remember the other kinds for the message.
			if (olen > 0) {
				memcpy(others + olen, ", ", 2);
				olen += 2;
			}
			memcpy(others + olen, r.kind.p, r.kind.n);
			olen += r.kind.n;
			others[olen] = '\0';
		}
	}
	if (nmatch == 0) {
		if (nrec == 0) {
			return addin__seterr(ADDIN_ENOTFOUND,
			                     "empty %s section",
			                     ADDIN_SEGMENT_SECTION);
		}
		return addin__seterr(ADDIN_ENOTFOUND,
		                     "no %s record (the library has: %s)",
		                     kind_names[kind], others);
	}
	return addin__segment_check(src);
}

// An id: "<package>.<Service>" and the like.
static bool
is_id(addin__str s)
{
	if (s.n == 0 || s.n > ADDIN__SEG_MAX_ID) {
		return false;
	}
	for (size_t i = 0; i < s.n; i++) {
		char ch = s.p[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		      ch == '-')) {
			return false;
		}
	}
	return true;
}

// A hash: lowercase hex.
static bool
is_hash(addin__str s)
{
	if (s.n == 0 || s.n > ADDIN__SEG_MAX_ID) {
		return false;
	}
	for (size_t i = 0; i < s.n; i++) {
		char ch = s.p[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
			return false;
		}
	}
	return true;
}

static bool
is_hash_field(enum addin__field f)
{
	return f == ADDIN__F_CONTRACT_HASH || f == ADDIN__F_HOST_VIEW_HASH ||
	       f == ADDIN__F_ADDIN_VIEW_HASH;
}

static bool
is_id_field(enum addin__field f)
{
	return f == ADDIN__F_CONTRACT || f == ADDIN__F_HOST_VIEW ||
	       f == ADDIN__F_ADDIN_VIEW;
}

addin_err
addin__segment_check(const addin__seg_src *src)
{
	const char *kn;

	if ((unsigned) src->kind >= ADDIN_SEGMENT_KINDS ||
	    src->nq > ADDIN__SEG_MAX_QUALS ||
	    src->nneeds > ADDIN__SEG_MAX_NEEDS) {
		return addin__seterr(ADDIN_ESEGMENT, "bad segment record");
	}
	kn = kind_names[src->kind];
	for (size_t i = 0; i < required[src->kind].n; i++) {
		enum addin__field f = required[src->kind].fields[i];
		if (src->f[f].p == NULL || src->f[f].n == 0) {
			return addin__seterr(ADDIN_ESEGMENT,
			                     "%s record has no %s", kn,
			                     field_keys[f]);
		}
	}
	for (int f = 0; f < ADDIN__F_COUNT; f++) {
		addin__str v = src->f[f];
		if (v.p == NULL) {
			continue;
		}
		if (v.n > ADDIN__SEG_MAX_VALUE) {
			return addin__seterr(
			    ADDIN_ELIMIT,
			    "%s record: %s is %zu bytes, limit %d", kn,
			    field_keys[f], v.n, ADDIN__SEG_MAX_VALUE);
		}
		if (is_hash_field(f) && !is_hash(v)) {
			return addin__seterr(
			    ADDIN_ESEGMENT,
			    "%s record: %s \"%.*s\" is not a lowercase hex "
			    "string of at most %d characters",
			    kn, field_keys[f], (int) (v.n > 80 ? 80 : v.n),
			    v.p, ADDIN__SEG_MAX_ID);
		}
		if (is_id_field(f) && !is_id(v)) {
			return addin__seterr(
			    ADDIN_ESEGMENT,
			    "%s record: %s \"%.*s\" is not an id (letters, "
			    "digits, '_', '.', '-'; at most %d)",
			    kn, field_keys[f], (int) (v.n > 80 ? 80 : v.n),
			    v.p, ADDIN__SEG_MAX_ID);
		}
	}
	for (size_t i = 0; i < src->nq; i++) {
		if (src->qk[i].n == 0 || src->qk[i].n > ADDIN__SEG_MAX_KEY ||
		    src->qv[i].n > ADDIN__SEG_MAX_VALUE) {
			return addin__seterr(
			    ADDIN_ESEGMENT,
			    "%s record: bad qualification pair", kn);
		}
	}
	for (size_t i = 0; i < src->nneeds; i++) {
		if (src->needs[i].n == 0 ||
		    src->needs[i].n > ADDIN__SEG_MAX_VALUE) {
			return addin__seterr(ADDIN_ESEGMENT,
			                     "%s record: empty needs grant",
			                     kn);
		}
	}
	return ADDIN_OK;
}

static int
str_cmp(addin__str a, addin__str b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int    c = memcmp(a.p, b.p, n);
	if (c != 0) {
		return c;
	}
	return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}

// put copies @s and its NUL to @*at and returns where it went.
static const char *
put(char **at, const char *p, size_t n)
{
	char *dst = *at;
	if (n > 0) {
		memcpy(dst, p, n);
	}
	dst[n] = '\0';
	*at += n + 1;
	return dst;
}

addin_err
addin__segment_new(const addin__seg_src *src, const char *dir, const char *rel,
                   addin__segment **ret)
{
	size_t          nptr  = 2 * src->nq + src->nneeds;
	size_t          dlen  = dir == NULL ? 0 : strlen(dir) + 1;
	size_t          rlen  = strlen(rel);
	size_t          chars = dlen + rlen + 1;
	size_t          order[ADDIN__SEG_MAX_QUALS];
	addin__segment *seg;
	const char    **ptrs;
	char           *at;

	for (int f = 0; f < ADDIN__F_COUNT; f++) {
		chars += src->f[f].n + 1;
	}
	for (size_t i = 0; i < src->nq; i++) {
		chars += src->qk[i].n + src->qv[i].n + 2;
	}
	for (size_t i = 0; i < src->nneeds; i++) {
		chars += src->needs[i].n + 1;
	}
	seg = addin__zalloc(sizeof(*seg) + nptr * sizeof(char *) + chars);
	if (seg == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	ptrs = (const char **) (seg + 1);
	at   = (char *) (ptrs + nptr);

	atomic_init(&seg->refs, 1);
	seg->kind = src->kind;
	if (dir != NULL) {
		char *path = at;
		memcpy(at, dir, dlen - 1);
		at[dlen - 1] = '/';
		at += dlen;
		put(&at, rel, rlen);
		seg->path    = path;
		seg->rel_off = dlen;
	} else {
		seg->path    = put(&at, rel, rlen);
		seg->rel_off = 0;
	}
	for (int f = 0; f < ADDIN__F_COUNT; f++) {
		seg->f[f] = put(&at, src->f[f].p, src->f[f].n);
	}
	// Qualification pairs sorted by key (keys are distinct).
	for (size_t i = 0; i < src->nq; i++) {
		size_t j = i;
		while (j > 0 &&
		       str_cmp(src->qk[order[j - 1]], src->qk[i]) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	seg->nq = src->nq;
	seg->qk = ptrs;
	seg->qv = ptrs + src->nq;
	for (size_t i = 0; i < src->nq; i++) {
		addin__str k = src->qk[order[i]], v = src->qv[order[i]];
		ptrs[i]           = put(&at, k.p, k.n);
		ptrs[src->nq + i] = put(&at, v.p, v.n);
	}
	seg->nneeds = src->nneeds;
	seg->needs  = ptrs + 2 * src->nq;
	for (size_t i = 0; i < src->nneeds; i++) {
		ptrs[2 * src->nq + i] =
		    put(&at, src->needs[i].p, src->needs[i].n);
	}
	*ret = seg;
	return ADDIN_OK;
}

addin_err
addin__segment_read(int fd, uint64_t size, addin_segment_kind kind,
                    const char *dir, const char *rel, addin__segment **ret)
{
	addin__seg_src src;
	void          *data = NULL;
	size_t         len  = 0;
	addin_err      rv;

	rv = addin__elf_section(fd, size, ADDIN_SEGMENT_SECTION,
	                        ADDIN__SEG_MAX_SECTION, &data, &len);
	if (rv != ADDIN_OK) {
		return rv;
	}
	rv = addin__segment_parse(data, len, kind, &src);
	if (rv == ADDIN_OK) {
		rv = addin__segment_new(&src, dir, rel, ret);
	}
	addin__free(data);
	return rv;
}

addin__segment *
addin__segment_ref(addin__segment *seg)
{
	if (seg != NULL) {
		atomic_fetch_add_explicit(&seg->refs, 1, memory_order_relaxed);
	}
	return seg;
}

addin__segment *
addin__segment_unref(addin__segment *seg)
{
	if (seg != NULL && atomic_fetch_sub_explicit(
	                       &seg->refs, 1, memory_order_acq_rel) == 1) {
		addin__free(seg);
	}
	return NULL;
}

const char *
addin__segment_qual(const addin__segment *seg, const char *key)
{
	size_t lo = 0, hi = seg->nq;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int    c   = strcmp(seg->qk[mid], key);
		if (c == 0) {
			return seg->qv[mid];
		}
		if (c < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return NULL;
}

const char *
addin__segment_meta(const addin__segment *seg, const char *key)
{
	if (strncmp(key, "q.", 2) == 0) {
		return addin__segment_qual(seg, key + 2);
	}
	for (int f = 0; f < ADDIN__F_COUNT; f++) {
		if (strcmp(key, field_keys[f]) == 0) {
			return seg->f[f][0] == '\0' ? NULL : seg->f[f];
		}
	}
	return NULL;
}
