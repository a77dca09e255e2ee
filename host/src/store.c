// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The add-in store: scanning a pipeline directory, building chains, and the
// public store API (include/addin/store.h).  The cache file is in
// store_cache.c, tokens and warning lists in store_token.c, the metadata
// record in segment_meta.c and the ELF reader in elf_reader.c.
//
// Nothing here loads or runs segment code: segment files are opened
// O_NOFOLLOW | O_NONBLOCK, checked with fstat, and only their metadata
// section is read (elf_reader.c).

// realpath(3) is POSIX, in its XSI part.
#define _XOPEN_SOURCE 700

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "platform/platform.h"
#include "store_impl.h"

// Entries.

void
addin__entries_clear(addin__entries *e)
{
	for (size_t i = 0; i < e->n; i++) {
		addin__free(e->v[i].rel);
		addin__free(e->v[i].msg);
		addin__segment_unref(e->v[i].seg);
	}
	addin__free(e->v);
	memset(e, 0, sizeof(*e));
}

addin__entry *
addin__entries_push(addin__entries *e)
{
	void *nv = addin__grow(e->v, &e->cap, e->n + 1, sizeof(*e->v));
	if (nv == NULL) {
		return NULL;
	}
	e->v = nv;
	memset(&e->v[e->n], 0, sizeof(e->v[0]));
	return &e->v[e->n++];
}

addin__entry *
addin__entries_find(const addin__entries *e, const char *rel)
{
	size_t lo = 0, hi = e->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int    c   = strcmp(e->v[mid].rel, rel);
		if (c == 0) {
			return &e->v[mid];
		}
		if (c < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return NULL;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const addin__entry *) a)->rel,
	              ((const addin__entry *) b)->rel);
}

// Safety: the host will load host-side adapters (and, at some isolation
// levels, everything else) into its own process, so a file or directory that
// someone else could have written is not used.  The rule is platform.h's
// (addin__plat_stat_untrusted), the same activation applies.

static bool
unsafe(const struct stat *st, char *why, size_t len)
{
	char reason[128];
	if (!addin__plat_stat_untrusted(st, reason, sizeof(reason))) {
		return false;
	}
	snprintf(why, len, "%s: not trusted, skipped", reason);
	return true;
}

static const char *
type_name(mode_t m)
{
	if (S_ISREG(m)) {
		return "a regular file";
	}
	if (S_ISDIR(m)) {
		return "a directory";
	}
	if (S_ISFIFO(m)) {
		return "a FIFO";
	}
	if (S_ISSOCK(m)) {
		return "a socket";
	}
	if (S_ISCHR(m)) {
		return "a character device";
	}
	if (S_ISBLK(m)) {
		return "a block device";
	}
	if (S_ISLNK(m)) {
		return "a symbolic link";
	}
	return "not a regular file";
}

static addin__stat_key
key_of(const struct stat *st)
{
	addin__stat_key k;
	k.dev      = (uint64_t) st->st_dev;
	k.ino      = (uint64_t) st->st_ino;
	k.size     = (uint64_t) st->st_size;
	k.mtime_ns = (uint64_t) st->st_mtim.tv_sec * 1000000000u +
	             (uint64_t) st->st_mtim.tv_nsec;
	k.ctime_ns = (uint64_t) st->st_ctim.tv_sec * 1000000000u +
	             (uint64_t) st->st_ctim.tv_nsec;
	return k;
}

static bool
key_eq(const addin__stat_key *a, const addin__stat_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

// racy is true when the file was changed too recently for its stat to tell
// a later change apart (see ADDIN__STORE_RACY_NS).
static bool
racy(const addin__stat_key *k)
{
	struct timespec ts;
	uint64_t        now, changed;
	clock_gettime(CLOCK_REALTIME, &ts);
	now     = (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
	changed = k->ctime_ns > k->mtime_ns ? k->ctime_ns : k->mtime_ns;
	return changed + (uint64_t) ADDIN__STORE_RACY_NS > now;
}

static bool
ends_with_so(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

// load_segment reads the record of @kind from the file @name (relative to
// @dfd), which an lstat showed as @expect, and makes the segment, located at
// "@dir/@rel".  Returns ADDIN_OK with *ret_seg; ADDIN_ENOTFOUND when the file
// is an ELF shared object without a record of @kind; ADDIN_ESEGMENT or
// ADDIN_ELIMIT when it is not a usable segment; ADDIN_EBUSY when the name no
// longer leads to the file @expect describes (replaced or removed under us:
// look again); ADDIN_EPERM when it is unsafe or cannot be opened; ADDIN_EIO;
// ADDIN_ENOMEM.  *ret_key is the stat of the file read (set when the result
// is ADDIN_OK, ADDIN_ENOTFOUND, ADDIN_ESEGMENT or ADDIN_ELIMIT).
static addin_err
load_segment(int dfd, const char *name, const struct stat *expect,
             addin_segment_kind kind, const char *dir, const char *rel,
             addin__stat_key *ret_key, addin__segment **ret_seg)
{
	struct stat st;
	char        why[160];
	addin_err   rv;
	int         fd;

	fd = openat(dfd, name,
	            O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		if (expect != NULL && (e == ENOENT || e == ELOOP)) {
			return addin__syserr(ADDIN_EBUSY, e,
			                     "replaced while "
			                     "being examined");
		}
		return addin__syserr(e == EACCES ? ADDIN_EPERM : ADDIN_EIO, e,
		                     "cannot open");
	}
	if (fstat(fd, &st) != 0) {
		rv = addin__syserr(ADDIN_EIO, errno, "cannot examine");
		goto done;
	}
	if (!S_ISREG(st.st_mode) ||
	    (expect != NULL &&
	     (st.st_dev != expect->st_dev || st.st_ino != expect->st_ino))) {
		rv = addin__seterr(expect != NULL ? ADDIN_EBUSY : ADDIN_EPERM,
		                   "replaced while being examined");
		goto done;
	}
	if (unsafe(&st, why, sizeof(why))) {
		rv = addin__seterr(ADDIN_EPERM, "%s", why);
		goto done;
	}
	*ret_key = key_of(&st);
	rv = addin__segment_read(fd, (uint64_t) st.st_size, kind, dir, rel,
	                         ret_seg);
done:
	close(fd);
	return rv;
}

// Scanning.

struct scan {
	addin_store          *s;
	const addin__entries *base;  // what the cache (or last update) knew
	bool                  fresh; // rebuild: reuse nothing
	addin__entries        out;
	addin_warnings       *w;
	addin_err             fatal; // ADDIN_ENOMEM stops the scan
};

static void warn_rel(struct scan *sc, const char *rel, const char *fmt, ...)
    ADDIN_PRINTF(3, 4);

static void
warn_rel(struct scan *sc, const char *rel, const char *fmt, ...)
{
	char    path[PATH_MAX + 64];
	char    msg[ADDIN__ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", sc->s->dir, rel);
	(void) addin__warn(sc->w, path, "%s", msg);
}

struct names {
	char **v;
	size_t n;
};

static void
names_free(struct names *nm)
{
	for (size_t i = 0; i < nm->n; i++) {
		addin__free(nm->v[i]);
	}
	addin__free(nm->v);
	nm->v = NULL;
	nm->n = 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

// list_dir reads the names in the directory open on @dfd, sorted, without
// "." "..", and names starting with a dot (hidden files, the store's own).
static addin_err
list_dir(struct scan *sc, int dfd, const char *rel, struct names *ret)
{
	struct names   nm  = {0};
	size_t         cap = 0;
	struct dirent *de;
	DIR           *d;
	int            fd;

	fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
		}
		warn_rel(sc, rel, "cannot read directory: %s", strerror(e));
		return ADDIN_ESYSERR;
	}
	for (;;) {
		errno = 0;
		de    = readdir(d);
		if (de == NULL) {
			if (errno != 0) {
				warn_rel(sc, rel, "cannot read directory: %s",
				         strerror(errno));
			}
			break;
		}
		if (de->d_name[0] == '.') {
			continue;
		}
		if (nm.n == ADDIN__STORE_MAX_DIR_ENTRIES) {
			warn_rel(sc, rel,
			         "more than %d entries: the rest are ignored",
			         ADDIN__STORE_MAX_DIR_ENTRIES);
			break;
		}
		void *nv = addin__grow(nm.v, &cap, nm.n + 1, sizeof(char *));
		if (nv == NULL) {
			goto fail_oom;
		}
		nm.v       = nv;
		nm.v[nm.n] = addin__strdup(de->d_name);
		if (nm.v[nm.n] == NULL) {
			goto fail_oom;
		}
		nm.n++;
	}
	closedir(d);
	if (nm.n > 1) {
		qsort(nm.v, nm.n, sizeof(char *), name_cmp);
	}
	*ret = nm;
	return ADDIN_OK;

fail_oom:
	closedir(d);
	names_free(&nm);
	sc->fatal = addin__seterr(ADDIN_ENOMEM, NULL);
	return ADDIN_ENOMEM;
}

// open_dir opens the directory @name under @pfd (no symbolic links) and
// checks it is safe.  Returns the descriptor, or -1 after a warning.  When it
// does not exist, that is no warning if @missing is not NULL: *@missing is
// set instead.
static int
open_dir(struct scan *sc, int pfd, const char *name, const char *rel,
         bool *missing)
{
	struct stat st;
	char        why[160];
	int         fd;

	fd =
	    openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT) {
			if (missing != NULL) {
				*missing = true;
			} else {
				warn_rel(sc, rel, "vanished while scanned");
			}
			return -1;
		}
		if ((e == ELOOP || e == ENOTDIR) &&
		    fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			warn_rel(sc, rel, "is %s, not a directory: skipped",
			         type_name(st.st_mode));
			return -1;
		}
		warn_rel(sc, rel, "cannot open directory: %s", strerror(e));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		warn_rel(sc, rel, "cannot examine directory: %s",
		         strerror(errno));
		close(fd);
		return -1;
	}
	if (unsafe(&st, why, sizeof(why))) {
		warn_rel(sc, rel, "%s", why);
		close(fd);
		return -1;
	}
	return fd;
}

enum found { FOUND_NONE, FOUND_SEGMENT, FOUND_NORECORD };

// candidate lstats @name in @dfd and tells whether it may be a segment file:
// a regular file named *.so that nobody else could have written.  Anything
// else is a warning (but a file that is gone is not).
static bool
candidate(struct scan *sc, int dfd, const char *name, const char *rel,
          struct stat *st)
{
	char why[160];

	if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT) {
			warn_rel(sc, rel, "cannot examine: %s",
			         strerror(errno));
		}
		return false;
	}
	if (S_ISLNK(st->st_mode)) {
		warn_rel(sc, rel,
		         "is a symbolic link: segments must be regular files, "
		         "skipped");
		return false;
	}
	if (!S_ISREG(st->st_mode)) {
		warn_rel(sc, rel, "is %s, not a segment library: skipped",
		         type_name(st->st_mode));
		return false;
	}
	if (!ends_with_so(name)) {
		warn_rel(
		    sc, rel,
		    "not a segment library (the name does not end in .so): "
		    "skipped");
		return false;
	}
	if (unsafe(st, why, sizeof(why))) {
		warn_rel(sc, rel, "%s", why);
		return false;
	}
	return true;
}

// A file replaced while we read it (a deployment renaming a new version
// over it) is looked at again, this many times.
#define EXAMINE_ATTEMPTS 4

// examine looks at one candidate segment file @name in the directory @dfd
// (@reldir in the pipeline directory), reusing what the base knew when its
// stat is unchanged, reading it otherwise.
static enum found
examine(struct scan *sc, int dfd, const char *reldir, const char *name,
        addin_segment_kind kind)
{
	char                rel[PATH_MAX];
	struct stat         st;
	addin__stat_key     key;
	const addin__entry *old;
	addin__entry       *x;
	addin__segment     *seg = NULL;
	addin_err           rv;
	uint8_t             state = ADDIN__E_BROKEN;

	if ((size_t) snprintf(rel, sizeof(rel), "%s/%s", reldir, name) >=
	    sizeof(rel)) {
		warn_rel(sc, reldir, "a name in it is too long: skipped");
		return FOUND_NONE;
	}
	for (int attempt = 1;; attempt++) {
		if (!candidate(sc, dfd, name, rel, &st)) {
			return FOUND_NONE;
		}
		key = key_of(&st);
		old = sc->fresh ? NULL : addin__entries_find(sc->base, rel);
		if (old != NULL && old->kind == kind && !old->racy &&
		    key_eq(&old->key, &key)) {
			break; // unchanged since it was read: reuse
		}
		old = NULL;
		sc->s->stats.files_read++;
		rv = load_segment(dfd, name, &st, kind, sc->s->dir, rel, &key,
		                  &seg);
		if (rv == ADDIN_EBUSY && attempt < EXAMINE_ATTEMPTS) {
			continue;
		}
		switch (rv) {
		case ADDIN_OK: state = ADDIN__E_SEGMENT; break;
		case ADDIN_ENOTFOUND: state = ADDIN__E_NORECORD; break;
		case ADDIN_ESEGMENT:
		case ADDIN_ELIMIT: state = ADDIN__E_BROKEN; break;
		case ADDIN_ENOMEM: sc->fatal = rv; return FOUND_NONE;
		default:
			// Could not be read this time (permissions, I/O, kept
			// changing): nothing to remember.
			warn_rel(sc, rel, "%s", addin_errmsg());
			return FOUND_NONE;
		}
		break;
	}
	sc->s->stats.files_seen++;

	x = addin__entries_push(&sc->out);
	if (x == NULL || (x->rel = addin__strdup(rel)) == NULL) {
		addin__segment_unref(seg);
		sc->fatal = addin__seterr(ADDIN_ENOMEM, NULL);
		return FOUND_NONE;
	}
	x->kind = kind;
	if (old != NULL) {
		x->key   = old->key;
		x->state = old->state;
		x->seg   = addin__segment_ref(old->seg);
		x->msg   = old->msg == NULL ? NULL : addin__strdup(old->msg);
		if (old->msg != NULL && x->msg == NULL) {
			sc->fatal = addin__seterr(ADDIN_ENOMEM, NULL);
			return FOUND_NONE;
		}
	} else {
		x->key   = key;
		x->state = state;
		x->seg   = seg;
		x->racy  = racy(&key);
		if (state != ADDIN__E_SEGMENT &&
		    (x->msg = addin__strdup(addin_errmsg())) == NULL) {
			sc->fatal = addin__seterr(ADDIN_ENOMEM, NULL);
			return FOUND_NONE;
		}
	}
	switch (x->state) {
	case ADDIN__E_SEGMENT: return FOUND_SEGMENT;
	case ADDIN__E_BROKEN:
		warn_rel(sc, rel, "%s", x->msg);
		return FOUND_NONE;
	default:
		if (kind != ADDIN_SEGMENT_ADDIN) {
			warn_rel(sc, rel, "not a segment: %s", x->msg);
		}
		return FOUND_NORECORD;
	}
}

// scan_kind_dir scans contracts/, host-adapters/ or addin-adapters/: every
// entry there is meant to be a segment of that kind.
static bool
scan_kind_dir(struct scan *sc, int pfd, addin_segment_kind kind)
{
	const char  *name    = addin__segment_dir(kind);
	struct names nm      = {0};
	bool         missing = false;
	int          dfd;

	dfd = open_dir(sc, pfd, name, name, &missing);
	if (dfd < 0) {
		return !missing;
	}
	if (list_dir(sc, dfd, name, &nm) == ADDIN_OK) {
		for (size_t i = 0; i < nm.n && sc->fatal == ADDIN_OK; i++) {
			(void) examine(sc, dfd, name, nm.v[i], kind);
		}
		names_free(&nm);
	}
	close(dfd);
	return true;
}

// scan_addin_folder scans addins/<folder>/.  Only *.so files are
// candidates; the add-in's other files are not our business.  An ELF shared
// object without an add-in record is usually a library the add-in uses: it
// is reported only when no library in the folder is an add-in.
static void
scan_addin_folder(struct scan *sc, int adfd, const char *folder)
{
	char         rel[PATH_MAX];
	struct names nm    = {0};
	size_t       first = sc->out.n, nso = 0, nseg = 0;
	int          dfd;

	snprintf(rel, sizeof(rel), "addins/%s", folder);
	dfd = open_dir(sc, adfd, folder, rel, NULL);
	if (dfd < 0) {
		return;
	}
	if (list_dir(sc, dfd, rel, &nm) != ADDIN_OK) {
		close(dfd);
		return;
	}
	for (size_t i = 0; i < nm.n && sc->fatal == ADDIN_OK; i++) {
		if (!ends_with_so(nm.v[i])) {
			continue;
		}
		nso++;
		if (examine(sc, dfd, rel, nm.v[i], ADDIN_SEGMENT_ADDIN) ==
		    FOUND_SEGMENT) {
			nseg++;
		}
	}
	names_free(&nm);
	close(dfd);
	if (sc->fatal != ADDIN_OK) {
		return;
	}
	if (nso == 0) {
		warn_rel(sc, rel, "no add-in library (*.so) in this folder");
	} else if (nseg == 0) {
		for (size_t i = first; i < sc->out.n; i++) {
			const addin__entry *x = &sc->out.v[i];
			if (x->state == ADDIN__E_NORECORD) {
				warn_rel(sc, x->rel, "not an add-in: %s",
				         x->msg);
			}
		}
	}
}

static bool
scan_addins(struct scan *sc, int pfd)
{
	struct names nm      = {0};
	bool         missing = false;
	int          adfd;

	adfd = open_dir(sc, pfd, "addins", "addins", &missing);
	if (adfd < 0) {
		return !missing;
	}
	if (list_dir(sc, adfd, "addins", &nm) == ADDIN_OK) {
		for (size_t i = 0; i < nm.n && sc->fatal == ADDIN_OK; i++) {
			scan_addin_folder(sc, adfd, nm.v[i]);
		}
		names_free(&nm);
	}
	close(adfd);
	return true;
}

// Chains.

static bool
eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

#define SEGS(s, k)  ((s)->by_kind[k])
#define NSEGS(s, k) ((s)->nby_kind[k])

static const char *
rel_of(const addin__segment *seg)
{
	return seg->path + seg->rel_off;
}

// warn_contract: an adapter whose contract (id and hash) is not deployed.
static void
warn_contract(addin_store *s, addin_warnings *w, const addin__segment *a)
{
	const char           *id    = a->f[ADDIN__F_CONTRACT];
	const char           *h     = a->f[ADDIN__F_CONTRACT_HASH];
	const addin__segment *other = NULL;

	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_CONTRACT); i++) {
		const addin__segment *c = SEGS(s, ADDIN_SEGMENT_CONTRACT)[i];
		if (!eq(c->f[ADDIN__F_CONTRACT], id)) {
			continue;
		}
		if (eq(c->f[ADDIN__F_CONTRACT_HASH], h)) {
			return;
		}
		if (other == NULL) {
			other = c;
		}
	}
	if (other != NULL) {
		(void) addin__warn(
		    w, a->path,
		    "built against contract %s hash %.64s, but %s has hash "
		    "%.64s (a different contract text): no chain",
		    id, h, rel_of(other), other->f[ADDIN__F_CONTRACT_HASH]);
	} else {
		(void) addin__warn(
		    w, a->path,
		    "contract %s is not deployed (no segment in contracts/ "
		    "declares it): no chain",
		    id);
	}
}

// warn_view: an add-in whose add-in view (id and hash) no add-in adapter
// provides.
static void
warn_view(addin_store *s, addin_warnings *w, const addin__segment *a)
{
	const char           *id    = a->f[ADDIN__F_ADDIN_VIEW];
	const char           *h     = a->f[ADDIN__F_ADDIN_VIEW_HASH];
	const addin__segment *other = NULL;

	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER); i++) {
		const addin__segment *x =
		    SEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER)[i];
		if (!eq(x->f[ADDIN__F_ADDIN_VIEW], id)) {
			continue;
		}
		if (eq(x->f[ADDIN__F_ADDIN_VIEW_HASH], h)) {
			return;
		}
		if (other == NULL) {
			other = x;
		}
	}
	if (other != NULL) {
		(void) addin__warn(
		    w, a->path,
		    "built against add-in view %s hash %.64s, but %s adapts "
		    "hash %.64s (a different view text): no chain",
		    id, h, rel_of(other), other->f[ADDIN__F_ADDIN_VIEW_HASH]);
	} else {
		(void) addin__warn(
		    w, a->path,
		    "no add-in adapter for add-in view %s in addin-adapters/: "
		    "no chain",
		    id);
	}
}

static void
chain_warnings(addin_store *s, addin_warnings *w)
{
	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_HOST_ADAPTER); i++) {
		warn_contract(s, w, SEGS(s, ADDIN_SEGMENT_HOST_ADAPTER)[i]);
	}
	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER); i++) {
		warn_contract(s, w, SEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER)[i]);
	}
	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_ADDIN); i++) {
		warn_view(s, w, SEGS(s, ADDIN_SEGMENT_ADDIN)[i]);
	}
}

static void
index_clear(addin_store *s)
{
	for (int k = 0; k < ADDIN_SEGMENT_KINDS; k++) {
		addin__free(s->by_kind[k]);
		s->by_kind[k]  = NULL;
		s->nby_kind[k] = 0;
	}
}

// index_build fills by_kind from the entries (sorted by rel, so each kind's
// segments come out sorted by path).
static addin_err
index_build(addin_store *s)
{
	size_t n[ADDIN_SEGMENT_KINDS] = {0};

	index_clear(s);
	for (size_t i = 0; i < s->entries.n; i++) {
		if (s->entries.v[i].state == ADDIN__E_SEGMENT) {
			n[s->entries.v[i].kind]++;
		}
	}
	for (int k = 0; k < ADDIN_SEGMENT_KINDS; k++) {
		s->by_kind[k] = addin__alloc(n[k] * sizeof(addin__segment *));
		if (s->by_kind[k] == NULL) {
			index_clear(s);
			return addin__seterr(ADDIN_ENOMEM, NULL);
		}
	}
	for (size_t i = 0; i < s->entries.n; i++) {
		const addin__entry *x = &s->entries.v[i];
		if (x->state == ADDIN__E_SEGMENT) {
			s->by_kind[x->kind][s->nby_kind[x->kind]++] = x->seg;
		}
	}
	return ADDIN_OK;
}

// A chain found for one add-in and one host view.
struct chain {
	addin__segment *seg[ADDIN_SEGMENT_KINDS];
	size_t          count;
};

static int
chain_cmp(const struct chain *a, const struct chain *b)
{
	int c;
	if ((c = strcmp(a->seg[ADDIN_SEGMENT_HOST_ADAPTER]->path,
	                b->seg[ADDIN_SEGMENT_HOST_ADAPTER]->path)) != 0 ||
	    (c = strcmp(a->seg[ADDIN_SEGMENT_CONTRACT]->path,
	                b->seg[ADDIN_SEGMENT_CONTRACT]->path)) != 0) {
		return c;
	}
	return strcmp(a->seg[ADDIN_SEGMENT_ADDIN_ADAPTER]->path,
	              b->seg[ADDIN_SEGMENT_ADDIN_ADAPTER]->path);
}

// best_chain finds every chain from add-in @a to host view @view (@vhash
// may be NULL) and keeps the smallest by paths.  Returns the chain count.
static size_t
best_chain(const addin_store *s, addin__segment *a, const char *view,
           const char *vhash, struct chain *best)
{
	const char *av    = a->f[ADDIN__F_ADDIN_VIEW];
	const char *ah    = a->f[ADDIN__F_ADDIN_VIEW_HASH];
	size_t      count = 0;

	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER); i++) {
		addin__segment *aa = SEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER)[i];
		if (!eq(aa->f[ADDIN__F_ADDIN_VIEW], av) ||
		    !eq(aa->f[ADDIN__F_ADDIN_VIEW_HASH], ah)) {
			continue;
		}
		const char *cid = aa->f[ADDIN__F_CONTRACT];
		const char *ch  = aa->f[ADDIN__F_CONTRACT_HASH];
		for (size_t j = 0; j < NSEGS(s, ADDIN_SEGMENT_CONTRACT); j++) {
			addin__segment *c = SEGS(s, ADDIN_SEGMENT_CONTRACT)[j];
			if (!eq(c->f[ADDIN__F_CONTRACT], cid) ||
			    !eq(c->f[ADDIN__F_CONTRACT_HASH], ch)) {
				continue;
			}
			for (size_t k = 0;
			     k < NSEGS(s, ADDIN_SEGMENT_HOST_ADAPTER); k++) {
				addin__segment *ha =
				    SEGS(s, ADDIN_SEGMENT_HOST_ADAPTER)[k];
				struct chain cand;
				if (!eq(ha->f[ADDIN__F_HOST_VIEW], view) ||
				    (vhash != NULL &&
				     !eq(ha->f[ADDIN__F_HOST_VIEW_HASH],
				         vhash)) ||
				    !eq(ha->f[ADDIN__F_CONTRACT], cid) ||
				    !eq(ha->f[ADDIN__F_CONTRACT_HASH], ch)) {
					continue;
				}
				cand.seg[ADDIN_SEGMENT_HOST_ADAPTER]  = ha;
				cand.seg[ADDIN_SEGMENT_CONTRACT]      = c;
				cand.seg[ADDIN_SEGMENT_ADDIN_ADAPTER] = aa;
				cand.seg[ADDIN_SEGMENT_ADDIN]         = a;
				if (count++ == 0 ||
				    chain_cmp(&cand, best) < 0) {
					*best = cand;
				}
			}
		}
	}
	best->count = count;
	return count;
}

static addin_err
token_of(const struct chain *c, addin_token **ret)
{
	const addin__segment *ha = c->seg[ADDIN_SEGMENT_HOST_ADAPTER];
	const addin__segment *a  = c->seg[ADDIN_SEGMENT_ADDIN];
	bool                  direct =
	    eq(a->f[ADDIN__F_ADDIN_VIEW], ha->f[ADDIN__F_HOST_VIEW]) &&
	    eq(a->f[ADDIN__F_ADDIN_VIEW_HASH], ha->f[ADDIN__F_HOST_VIEW_HASH]);
	return addin__token_new(c->seg, c->count, direct, ret);
}

// why_no_chain explains the first missing link from add-in @a to host view
// @view.
static void
why_no_chain(const addin_store *s, const addin__segment *a, const char *view,
             const char *vhash, char *buf, size_t len)
{
	bool adapter = false, contract = false;

	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER); i++) {
		const addin__segment *aa =
		    SEGS(s, ADDIN_SEGMENT_ADDIN_ADAPTER)[i];
		if (!eq(aa->f[ADDIN__F_ADDIN_VIEW],
		        a->f[ADDIN__F_ADDIN_VIEW]) ||
		    !eq(aa->f[ADDIN__F_ADDIN_VIEW_HASH],
		        a->f[ADDIN__F_ADDIN_VIEW_HASH])) {
			continue;
		}
		adapter = true;
		for (size_t j = 0; j < NSEGS(s, ADDIN_SEGMENT_CONTRACT); j++) {
			const addin__segment *c =
			    SEGS(s, ADDIN_SEGMENT_CONTRACT)[j];
			if (eq(c->f[ADDIN__F_CONTRACT],
			       aa->f[ADDIN__F_CONTRACT]) &&
			    eq(c->f[ADDIN__F_CONTRACT_HASH],
			       aa->f[ADDIN__F_CONTRACT_HASH])) {
				contract = true;
			}
		}
	}
	if (!adapter) {
		snprintf(
		    buf, len,
		    "no add-in adapter for its add-in view %s (hash %.64s)",
		    a->f[ADDIN__F_ADDIN_VIEW], a->f[ADDIN__F_ADDIN_VIEW_HASH]);
	} else if (!contract) {
		snprintf(
		    buf, len,
		    "the contracts its add-in adapters use are not deployed");
	} else {
		snprintf(buf, len,
		         "no host adapter connects its contract to host view "
		         "%s%s%.64s",
		         view, vhash != NULL ? " hash " : "",
		         vhash != NULL ? vhash : "");
	}
}

// Updating.

static addin_err
open_pipeline(const addin_store *s, int *ret_fd)
{
	int fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		return addin__syserr(e == ENOENT || e == ENOTDIR || e == ELOOP
		                         ? ADDIN_ENOTFOUND
		                     : e == EACCES ? ADDIN_EPERM
		                                   : ADDIN_ESYSERR,
		                     e, "pipeline directory %s", s->dir);
	}
	*ret_fd = fd;
	return ADDIN_OK;
}

// pipeline_trusted checks the pipeline directory, open with stat @pst, and
// every directory above it, once per update: the same walk activation makes
// for each segment (platform.h), so that discovery offers nothing activation
// would refuse for where it lies.  Below it, the scan checks each directory
// and file it opens, relative to the one before, with the same rule.  On
// refusal adds the warning and returns false.
static bool
pipeline_trusted(const addin_store *s, const struct stat *pst,
                 addin_warnings *w)
{
	struct stat st;

	if (addin__plat_dir_trusted(s->dir, &st) != ADDIN_OK) {
		(void) addin__warn(
		    w, s->dir,
		    "pipeline directory not trusted, nothing in "
		    "it is used: %s",
		    addin_errmsg());
		return false;
	}
	if (st.st_dev != pst->st_dev || st.st_ino != pst->st_ino) {
		(void) addin__warn(w, s->dir,
		                   "pipeline directory replaced while being "
		                   "examined: nothing in it is used");
		return false;
	}
	return true;
}

static void
install(addin_store *s, addin__entries *out)
{
	addin__entries_clear(&s->entries);
	s->entries = *out;
	memset(out, 0, sizeof(*out));
}

static addin_err
do_update(addin_store *s, bool rebuild, addin_warnings *w)
{
	struct stat    pst;
	addin__entries cached = {0};
	struct scan    sc;
	char           lockmsg[ADDIN__ERRMSG_MAX] = "";
	char           cpath[PATH_MAX + 32];
	bool           loaded = false, any, dirty;
	addin_err      rv, lrv = ADDIN_EPERM;
	int            pfd = -1, lockfd = -1;
	const bool     use_cache = (s->flags & ADDIN_STORE_NO_CACHE) == 0;
	const bool     may_write =
	    use_cache && (s->flags & ADDIN_STORE_READ_ONLY) == 0;

	memset(&s->stats, 0, sizeof(s->stats));
	snprintf(cpath, sizeof(cpath), "%s/%s", s->dir,
	         ADDIN_STORE_CACHE_FILE);
	rv = open_pipeline(s, &pfd);
	if (rv != ADDIN_OK) {
		return rv;
	}
	if (fstat(pfd, &pst) != 0) {
		rv = addin__syserr(ADDIN_ESYSERR, errno,
		                   "pipeline directory %s", s->dir);
		goto fail_stat;
	}
	memset(&sc, 0, sizeof(sc));
	sc.s = s;
	sc.w = w;
	if (!pipeline_trusted(s, &pst, w)) {
		goto done_scan; // nothing inside can be trusted either
	}
	if (may_write) {
		lrv = addin__cache_lock(pfd, s->lock_timeout_ms, &lockfd);
		if (lrv != ADDIN_OK) {
			snprintf(lockmsg, sizeof(lockmsg), "%s",
			         addin_errmsg());
		}
	}
	if (use_cache && !rebuild) {
		rv = addin__cache_load(s, pfd, &pst, &cached, w);
		if (rv == ADDIN_ENOMEM) {
			goto fail_scan;
		}
		loaded = rv == ADDIN_OK;
	}
	s->stats.cache_loaded  = loaded;
	s->stats.cache_entries = cached.n;

	sc.base  = loaded ? &cached : &s->entries;
	sc.fresh = rebuild;
	any      = scan_kind_dir(&sc, pfd, ADDIN_SEGMENT_CONTRACT);
	any |= scan_kind_dir(&sc, pfd, ADDIN_SEGMENT_HOST_ADAPTER);
	any |= scan_kind_dir(&sc, pfd, ADDIN_SEGMENT_ADDIN_ADAPTER);
	any |= scan_addins(&sc, pfd);
	if (sc.fatal != ADDIN_OK) {
		rv = sc.fatal;
		goto fail_scan;
	}
	if (!any) {
		(void) addin__warn(
		    w, s->dir,
		    "not a pipeline directory: none of contracts/, "
		    "host-adapters/, addin-adapters/, addins/ exists");
	}
	if (sc.out.n > 1) {
		qsort(sc.out.v, sc.out.n, sizeof(sc.out.v[0]), entry_cmp);
	}

	// Write the cache when it was missing, untrusted or out of date.
	dirty = !loaded || s->stats.files_read > 0 || sc.out.n != cached.n;
	if (may_write && dirty) {
		if (lrv != ADDIN_OK) {
			(void) addin__warn(w, cpath, "cache not written: %s",
			                   lockmsg);
		} else if (addin__cache_write(pfd, &pst, &sc.out) !=
		           ADDIN_OK) {
			if (addin_last_error() == ADDIN_ENOMEM) {
				rv = ADDIN_ENOMEM;
				goto fail_scan;
			}
			(void) addin__warn(w, cpath, "cache not written: %s",
			                   addin_errmsg());
		} else {
			s->stats.cache_written = true;
		}
	}

done_scan:
	if (lockfd >= 0) {
		close(lockfd);
	}
	close(pfd);
	addin__entries_clear(&cached);
	install(s, &sc.out);
	rv = index_build(s);
	if (rv != ADDIN_OK) {
		addin__entries_clear(&s->entries);
		s->updated = false;
		return rv;
	}
	chain_warnings(s, w);
	s->updated = true;
	if (w->lost) {
		return addin__seterr(ADDIN_ENOMEM, "warnings lost");
	}
	addin__warnings_sort(w);
	return ADDIN_OK;

fail_scan:
	addin__entries_clear(&sc.out);
	addin__entries_clear(&cached);
	if (lockfd >= 0) {
		close(lockfd);
	}
fail_stat:
	close(pfd);
	return rv;
}

static addin_err
update(addin_store *s, bool rebuild, addin_warnings **ret_warnings)
{
	addin_warnings *w = addin__warnings_new();
	addin_err       rv;

	if (w == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	pthread_mutex_lock(&s->mtx);
	rv = do_update(s, rebuild, w);
	pthread_mutex_unlock(&s->mtx);
	if (rv != ADDIN_OK || ret_warnings == NULL) {
		addin_warnings_destroy(w);
		return rv;
	}
	*ret_warnings = w;
	return ADDIN_OK;
}

// ensure_updated updates a store never updated (the caller holds the lock).
static addin_err
ensure_updated(addin_store *s)
{
	addin_warnings *w;
	addin_err       rv;

	if (s->updated) {
		return ADDIN_OK;
	}
	w = addin__warnings_new();
	if (w == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	rv = do_update(s, false, w);
	addin_warnings_destroy(w);
	return rv;
}

void
addin__store_stats(addin_store *s, struct addin__store_stats *ret)
{
	pthread_mutex_lock(&s->mtx);
	*ret = s->stats;
	pthread_mutex_unlock(&s->mtx);
}

// Finding.

struct tokens {
	addin_token **v;
	size_t        n, cap;
};

static addin_err
tokens_push(struct tokens *t, addin_token *tok)
{
	void *nv = addin__grow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	if (nv == NULL) {
		addin_token_unref(tok);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	t->v         = nv;
	t->v[t->n++] = tok;
	return ADDIN_OK;
}

static int
token_qcmp(const void *a, const void *b)
{
	return addin__token_cmp(*(addin_token *const *) a,
	                        *(addin_token *const *) b);
}

static addin_err
find_view(const addin_store *s, const char *view, const char *vhash,
          struct tokens *out)
{
	for (size_t i = 0; i < NSEGS(s, ADDIN_SEGMENT_ADDIN); i++) {
		struct chain c;
		addin_token *tok;
		addin_err    rv;
		if (best_chain(s, SEGS(s, ADDIN_SEGMENT_ADDIN)[i], view, vhash,
		               &c) == 0) {
			continue;
		}
		rv = token_of(&c, &tok);
		if (rv == ADDIN_OK) {
			rv = tokens_push(out, tok);
		}
		if (rv != ADDIN_OK) {
			return rv;
		}
	}
	return ADDIN_OK;
}

static int
str_qcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static addin_err
find(addin_store *s, const char *view, const char *vhash,
     addin_token_list **ret)
{
	struct tokens     t  = {0};
	size_t            nh = NSEGS(s, ADDIN_SEGMENT_HOST_ADAPTER);
	addin_token_list *list;
	addin_err         rv = ADDIN_OK;

	if (view != NULL) {
		rv = find_view(s, view, vhash, &t);
	} else if (nh > 0) {
		// Every host view some host adapter implements, once each.
		const char **views = addin__alloc(nh * sizeof(char *));
		if (views == NULL) {
			return addin__seterr(ADDIN_ENOMEM, NULL);
		}
		for (size_t i = 0; i < nh; i++) {
			views[i] = SEGS(s, ADDIN_SEGMENT_HOST_ADAPTER)[i]
			               ->f[ADDIN__F_HOST_VIEW];
		}
		qsort(views, nh, sizeof(char *), str_qcmp);
		for (size_t i = 0; i < nh && rv == ADDIN_OK; i++) {
			if (i == 0 || !eq(views[i], views[i - 1])) {
				rv = find_view(s, views[i], NULL, &t);
			}
		}
		addin__free(views);
	}
	if (rv == ADDIN_OK && (list = ADDIN__NEW(addin_token_list)) == NULL) {
		rv = addin__seterr(ADDIN_ENOMEM, NULL);
	}
	if (rv != ADDIN_OK) {
		for (size_t i = 0; i < t.n; i++) {
			addin_token_unref(t.v[i]);
		}
		addin__free(t.v);
		return rv;
	}
	if (t.n > 1) {
		qsort(t.v, t.n, sizeof(*t.v), token_qcmp);
	}
	list->v = t.v;
	list->n = t.n;
	*ret    = list;
	return ADDIN_OK;
}

static addin_err
find_addin(addin_store *s, const char *path, const char *view,
           const char *vhash, addin_token **ret)
{
	char            real[PATH_MAX];
	char            why[ADDIN__ERRMSG_MAX];
	struct stat     st;
	addin__stat_key key;
	addin__segment *seg = NULL;
	struct chain    c;
	addin_err       rv;

	rv = ensure_updated(s);
	if (rv != ADDIN_OK) {
		return rv;
	}
	if (realpath(path, real) == NULL) {
		int e = errno;
		return addin__syserr(e == ENOENT || e == ENOTDIR
		                         ? ADDIN_ENOTFOUND
		                     : e == EACCES ? ADDIN_EPERM
		                                   : ADDIN_ESYSERR,
		                     e, "%s", path);
	}
	if (lstat(real, &st) != 0) {
		return addin__syserr(ADDIN_ENOTFOUND, errno, "%s", real);
	}
	if (!S_ISREG(st.st_mode)) {
		return addin__seterr(ADDIN_ESEGMENT, "%s: is %s", real,
		                     type_name(st.st_mode));
	}
	// The walk activation makes: the file and every directory from "/".
	rv = addin__plat_path_trusted(real);
	if (rv != ADDIN_OK) {
		return addin__seterr(rv == ADDIN_ENOTFOUND ? rv : ADDIN_EPERM,
		                     "%s", addin_errmsg());
	}
	rv = load_segment(AT_FDCWD, real, &st, ADDIN_SEGMENT_ADDIN, NULL, real,
	                  &key, &seg);
	if (rv != ADDIN_OK) {
		snprintf(why, sizeof(why), "%s", addin_errmsg());
		switch (rv) {
		case ADDIN_ENOTFOUND:
			return addin__seterr(rv, "%s: not an add-in: %s", real,
			                     why);
		case ADDIN_ELIMIT:
			return addin__seterr(ADDIN_ESEGMENT, "%s: %s", real,
			                     why);
		case ADDIN_EIO:
			return addin__seterr(ADDIN_EPERM, "%s: %s", real, why);
		default: return addin__seterr(rv, "%s: %s", real, why);
		}
	}
	if (best_chain(s, seg, view, vhash, &c) == 0) {
		why_no_chain(s, seg, view, vhash, why, sizeof(why));
		addin__segment_unref(seg);
		return addin__seterr(ADDIN_ENOTFOUND,
		                     "%s: no chain to host view %s: %s", real,
		                     view, why);
	}
	rv = token_of(&c, ret);
	addin__segment_unref(seg);
	return rv;
}

// The public API.

// Documented in include/addin/store.h.
addin_err
addin_store_create(const char *dir, const addin_store_config *cfg,
                   addin_store **ret_store)
{
	addin_store_config defaults = ADDIN_STORE_CONFIG_INIT;
	char               real[PATH_MAX];
	struct stat        st;
	addin_store       *s;
	addin_err          rv;

	if (dir == NULL || ret_store == NULL) {
		return addin__seterr(ADDIN_EINVAL,
		                     "addin_store_create: NULL %s",
		                     dir == NULL ? "dir" : "ret_store");
	}
	if (cfg == NULL) {
		cfg = &defaults;
	}
	if (cfg->abi_version != 1 ||
	    (cfg->flags & ~(ADDIN_STORE_NO_CACHE | ADDIN_STORE_READ_ONLY)) !=
	        0) {
		return addin__seterr(
		    ADDIN_EINVAL,
		    "addin_store_create: unknown config version %u or flags "
		    "%#x",
		    (unsigned) cfg->abi_version, (unsigned) cfg->flags);
	}
	if (realpath(dir, real) == NULL) {
		int e = errno;
		rv    = e == ENOENT || e == ENOTDIR ? ADDIN_ENOTFOUND
		        : e == EACCES               ? ADDIN_EPERM
		                                    : ADDIN_ESYSERR;
		return addin__rc_filter(
		    addin__syserr(rv, e, "pipeline directory %s", dir));
	}
	if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
		return addin__seterr(ADDIN_ENOTFOUND,
		                     "pipeline directory %s: not a directory",
		                     dir);
	}
	s = ADDIN__NEW(addin_store);
	if (s == NULL || (s->dir = addin__strdup(real)) == NULL) {
		addin__free(s);
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	if (pthread_mutex_init(&s->mtx, NULL) != 0) {
		addin__free(s->dir);
		addin__free(s);
		return addin__seterr(ADDIN_ESYSERR, "pthread_mutex_init");
	}
	s->flags           = cfg->flags;
	s->lock_timeout_ms = cfg->lock_timeout_ms;
	*ret_store         = s;
	return ADDIN_OK;
}

// Documented in include/addin/store.h.
void
addin_store_destroy(addin_store *store)
{
	if (store == NULL) {
		return;
	}
	index_clear(store);
	addin__entries_clear(&store->entries);
	pthread_mutex_destroy(&store->mtx);
	addin__free(store->dir);
	addin__free(store);
}

// Documented in include/addin/store.h.
const char *
addin_store_dir(const addin_store *store)
{
	return store == NULL ? NULL : store->dir;
}

// Documented in include/addin/store.h.
addin_err
addin_store_update(addin_store *store, addin_warnings **ret_warnings)
{
	if (store == NULL) {
		return addin__seterr(ADDIN_EINVAL,
		                     "addin_store_update: NULL store");
	}
	return addin__rc_filter(update(store, false, ret_warnings));
}

// Documented in include/addin/store.h.
addin_err
addin_store_rebuild(addin_store *store, addin_warnings **ret_warnings)
{
	if (store == NULL) {
		return addin__seterr(ADDIN_EINVAL,
		                     "addin_store_rebuild: NULL store");
	}
	return addin__rc_filter(update(store, true, ret_warnings));
}

// Documented in include/addin/store.h.
addin_err
addin_store_find(addin_store *store, const char *host_view_id,
                 const char *host_view_hash, addin_token_list **ret_tokens)
{
	addin_err rv;

	if (host_view_id == NULL && host_view_hash != NULL) {
		return addin__seterr(ADDIN_EINVAL,
		                     "addin_store_find: a host view hash "
		                     "without a host view id");
	}
	if (store == NULL || ret_tokens == NULL) {
		return addin__seterr(ADDIN_EINVAL, "addin_store_find: NULL %s",
		                     store == NULL ? "store" : "ret_tokens");
	}
	pthread_mutex_lock(&store->mtx);
	rv = ensure_updated(store);
	if (rv == ADDIN_OK) {
		rv = find(store, host_view_id, host_view_hash, ret_tokens);
	}
	pthread_mutex_unlock(&store->mtx);
	return addin__rc_filter(rv);
}

// Documented in include/addin/store.h.
addin_err
addin_store_find_addin(addin_store *store, const char *path,
                       const char *host_view_id, const char *host_view_hash,
                       addin_token **ret_token)
{
	addin_err rv;

	if (store == NULL || path == NULL || host_view_id == NULL ||
	    ret_token == NULL) {
		return addin__seterr(ADDIN_EINVAL,
		                     "addin_store_find_addin: NULL argument");
	}
	pthread_mutex_lock(&store->mtx);
	rv = find_addin(store, path, host_view_id, host_view_hash, ret_token);
	pthread_mutex_unlock(&store->mtx);
	return addin__rc_filter(rv);
}
