// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The store's scanner: reading a pipeline directory into entries
// (addin__scan), and one segment file anywhere (addin__scan_addin_file,
// for addin_store_find_addin).  It decides which files are candidates, checks
// each directory and file it opens with the trust rule (platform.h), reuses
// what the base (the cache, or the last update) knew of a file whose stat
// is unchanged, and reads the others with addin__segment_read.
//
// Nothing here loads or runs segment code: segment files are opened
// O_NOFOLLOW | O_NONBLOCK, checked with fstat, and only their metadata
// section is read (elf_reader.c).

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

addin_err
addin__scan(addin_store *s, int pfd, const addin__entries *base, bool fresh,
            addin_warnings *w, addin__entries *ret)
{
	struct scan sc;
	bool        any;

	memset(&sc, 0, sizeof(sc));
	sc.s     = s;
	sc.base  = base;
	sc.fresh = fresh;
	sc.w     = w;
	any      = scan_kind_dir(&sc, pfd, ADDIN_SEGMENT_CONTRACT);
	any |= scan_kind_dir(&sc, pfd, ADDIN_SEGMENT_HOST_ADAPTER);
	any |= scan_kind_dir(&sc, pfd, ADDIN_SEGMENT_ADDIN_ADAPTER);
	any |= scan_addins(&sc, pfd);
	if (sc.fatal != ADDIN_OK) {
		addin__entries_clear(&sc.out);
		return sc.fatal;
	}
	if (!any) {
		(void) addin__warn(
		    w, s->dir,
		    "not a pipeline directory: none of contracts/, "
		    "host-adapters/, addin-adapters/, addins/ exists");
	}
	addin__entries_sort(&sc.out);
	*ret = sc.out;
	return ADDIN_OK;
}

addin_err
addin__scan_addin_file(const char *path, addin__segment **ret)
{
	char            why[ADDIN__ERRMSG_MAX];
	struct stat     st;
	addin__stat_key key;
	addin_err       rv;

	if (lstat(path, &st) != 0) {
		return addin__syserr(ADDIN_ENOTFOUND, errno, "%s", path);
	}
	if (!S_ISREG(st.st_mode)) {
		return addin__seterr(ADDIN_ESEGMENT, "%s: is %s", path,
		                     type_name(st.st_mode));
	}
	// The walk activation makes: the file and every directory from "/".
	rv = addin__plat_path_trusted(path);
	if (rv != ADDIN_OK) {
		return addin__seterr(rv == ADDIN_ENOTFOUND ? rv : ADDIN_EPERM,
		                     "%s", addin_errmsg());
	}
	rv = load_segment(AT_FDCWD, path, &st, ADDIN_SEGMENT_ADDIN, NULL, path,
	                  &key, ret);
	if (rv == ADDIN_OK) {
		return ADDIN_OK;
	}
	snprintf(why, sizeof(why), "%s", addin_errmsg());
	switch (rv) {
	case ADDIN_ENOTFOUND:
		return addin__seterr(rv, "%s: not an add-in: %s", path, why);
	case ADDIN_ELIMIT:
		return addin__seterr(ADDIN_ESEGMENT, "%s: %s", path, why);
	case ADDIN_EIO: return addin__seterr(ADDIN_EPERM, "%s: %s", path, why);
	default: return addin__seterr(rv, "%s: %s", path, why);
	}
}
