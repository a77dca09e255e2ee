// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// One update of a store (addin__store_update): open the pipeline directory
// and check it and every directory above it, take the updaters' lock, load
// the cache, scan, write the cache back when it changed, and install what
// was found (entries, index, chain warnings).  The steps are the functions
// below, in that order; struct update carries what passes between them.

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "platform/platform.h"
#include "store_impl.h"

struct update {
	addin_store    *s;
	addin_warnings *w;
	bool            use_cache, may_write;
	int             pfd, lockfd;
	struct stat     pst;    // of the pipeline directory, open on pfd
	addin_err       lockrv; // of taking the lock, when may_write
	char            lockmsg[ADDIN__ERRMSG_MAX];
	addin__entries  cached; // what a valid cache held
	bool            loaded; // the cache was valid
	addin__entries  out;    // what the scan found
};

// open_pipeline opens the pipeline directory and fstats it.
static addin_err
open_pipeline(struct update *u)
{
	int fd =
	    open(u->s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		return addin__syserr(e == ENOENT || e == ENOTDIR || e == ELOOP
		                         ? ADDIN_ENOTFOUND
		                     : e == EACCES ? ADDIN_EPERM
		                                   : ADDIN_ESYSERR,
		                     e, "pipeline directory %s", u->s->dir);
	}
	u->pfd = fd;
	if (fstat(fd, &u->pst) != 0) {
		return addin__syserr(ADDIN_ESYSERR, errno,
		                     "pipeline directory %s", u->s->dir);
	}
	return ADDIN_OK;
}

// pipeline_trusted checks the pipeline directory and every directory above
// it, once per update: the same walk activation makes for each segment
// (platform.h), so that discovery offers nothing activation would refuse
// for where it lies.  Below it, the scan checks each directory and file it
// opens, relative to the one before, with the same rule.  On refusal adds
// the warning and returns false.
static bool
pipeline_trusted(const struct update *u)
{
	const char *dir = u->s->dir;
	struct stat st;

	if (addin__plat_dir_trusted(dir, &st) != ADDIN_OK) {
		(void) addin__warn(
		    u->w, dir,
		    "pipeline directory not trusted, nothing in "
		    "it is used: %s",
		    addin_errmsg());
		return false;
	}
	if (st.st_dev != u->pst.st_dev || st.st_ino != u->pst.st_ino) {
		(void) addin__warn(u->w, dir,
		                   "pipeline directory replaced while being "
		                   "examined: nothing in it is used");
		return false;
	}
	return true;
}

// take_lock takes the updaters' lock when this update may write the cache;
// failing to is remembered for the warning, not an error.
static void
take_lock(struct update *u)
{
	if (!u->may_write) {
		return;
	}
	u->lockrv =
	    addin__cache_lock(u->pfd, u->s->lock_timeout_ms, &u->lockfd);
	if (u->lockrv != ADDIN_OK) {
		snprintf(u->lockmsg, sizeof(u->lockmsg), "%s", addin_errmsg());
	}
}

// load_cache loads the cache unless the store has none or this is a
// rebuild.  Only ADDIN_ENOMEM is an error: an unusable cache is a warning.
static addin_err
load_cache(struct update *u, bool rebuild)
{
	if (u->use_cache && !rebuild) {
		addin_err rv =
		    addin__cache_load(u->s, u->pfd, &u->pst, &u->cached, u->w);
		if (rv == ADDIN_ENOMEM) {
			return rv;
		}
		u->loaded = rv == ADDIN_OK;
	}
	u->s->stats.cache_loaded  = u->loaded;
	u->s->stats.cache_entries = u->cached.n;
	return ADDIN_OK;
}

// write_cache writes the cache when it was missing, untrusted or out of
// date.  Only ADDIN_ENOMEM is an error: a cache not written is a warning.
static addin_err
write_cache(struct update *u)
{
	addin_store *s = u->s;
	bool         dirty =
	    !u->loaded || s->stats.files_read > 0 || u->out.n != u->cached.n;
	char cpath[PATH_MAX + 32];

	if (!u->may_write || !dirty) {
		return ADDIN_OK;
	}
	snprintf(cpath, sizeof(cpath), "%s/%s", s->dir,
	         ADDIN_STORE_CACHE_FILE);
	if (u->lockrv != ADDIN_OK) {
		(void) addin__warn(u->w, cpath, "cache not written: %s",
		                   u->lockmsg);
	} else if (addin__cache_write(u->pfd, &u->pst, &u->out) != ADDIN_OK) {
		if (addin_last_error() == ADDIN_ENOMEM) {
			return ADDIN_ENOMEM;
		}
		(void) addin__warn(u->w, cpath, "cache not written: %s",
		                   addin_errmsg());
	} else {
		s->stats.cache_written = true;
	}
	return ADDIN_OK;
}

// install makes what the scan found the store's entries, indexes them and
// adds the chain warnings.  The store is updated unless out of memory.
static addin_err
install(struct update *u)
{
	addin_store *s = u->s;
	addin_err    rv;

	addin__entries_clear(&s->entries);
	s->entries = u->out;
	memset(&u->out, 0, sizeof(u->out));
	rv = addin__chain_index(s);
	if (rv != ADDIN_OK) {
		addin__entries_clear(&s->entries);
		s->updated = false;
		return rv;
	}
	addin__chain_warnings(s, u->w);
	s->updated = true;
	if (u->w->lost) {
		return addin__seterr(ADDIN_ENOMEM, "warnings lost");
	}
	addin__warnings_sort(u->w);
	return ADDIN_OK;
}

addin_err
addin__store_update(addin_store *s, bool rebuild, addin_warnings *w)
{
	struct update u;
	addin_err     rv;

	memset(&u, 0, sizeof(u));
	u.s         = s;
	u.w         = w;
	u.pfd       = -1;
	u.lockfd    = -1;
	u.lockrv    = ADDIN_EPERM;
	u.use_cache = (s->flags & ADDIN_STORE_NO_CACHE) == 0;
	u.may_write = u.use_cache && (s->flags & ADDIN_STORE_READ_ONLY) == 0;
	memset(&s->stats, 0, sizeof(s->stats));

	rv = open_pipeline(&u);
	if (rv != ADDIN_OK) {
		goto done;
	}
	// An untrusted pipeline directory: nothing inside can be trusted
	// either, and the store is left empty.
	if (pipeline_trusted(&u)) {
		take_lock(&u);
		if ((rv = load_cache(&u, rebuild)) != ADDIN_OK ||
		    (rv = addin__scan(s, u.pfd,
		                      u.loaded ? &u.cached : &s->entries,
		                      rebuild, w, &u.out)) != ADDIN_OK ||
		    (rv = write_cache(&u)) != ADDIN_OK) {
			goto done;
		}
	}
	rv = install(&u);
done:
	if (u.lockfd >= 0) {
		close(u.lockfd);
	}
	if (u.pfd >= 0) {
		close(u.pfd);
	}
	addin__entries_clear(&u.cached);
	addin__entries_clear(&u.out);
	return rv;
}
