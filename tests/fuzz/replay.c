// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// replay: a fuzz target without libFuzzer, for ctest.  Linked with one
// tests/fuzz/fuzz_*.c, it feeds every file of that target's committed
// corpus (ADDIN_FUZZ_CORPUS, tests/fuzz/corpus/<target>/) to
// LLVMFuzzerTestOneInput, whole and cut at every length (the truncations
// a peer or a damaged file can produce), so that every build -- gcc, and
// gcc with ASan+UBSan -- runs the targets' checks over the seeds and every
// crash ever found (its input is committed there).  `make fuzz` is what
// looks for new ones.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "addin_test.h"
#include "fuzz.h"

#ifndef ADDIN_FUZZ_CORPUS
#error "ADDIN_FUZZ_CORPUS names the corpus directory"
#endif

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

// Reads the whole file @name of @dfd into a new buffer (*@ret, *@len).
static void
slurp(int dfd, const char *name, uint8_t **ret, size_t *len)
{
	struct stat st;
	int         fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	ADDIN_CHECKF(fd >= 0, "%s: %s", name, strerror(errno));
	ADDIN_CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
	*len = (size_t) st.st_size;
	*ret = malloc(*len + 1); // never 0 bytes
	ADDIN_CHECK(*ret != NULL);
	for (size_t done = 0; done < *len;) {
		ssize_t n = read(fd, *ret + done, *len - done);
		ADDIN_CHECKF(n > 0, "%s: short read", name);
		done += (size_t) n;
	}
	close(fd);
}

static void
test_replay(void)
{
	DIR           *d = opendir(ADDIN_FUZZ_CORPUS);
	struct dirent *e;
	char         **names = NULL;
	size_t         n = 0, cap = 0, bytes = 0;

	ADDIN_CHECKF(d != NULL, "%s: %s", ADDIN_FUZZ_CORPUS, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') {
			continue;
		}
		if (n == cap) {
			cap   = cap != 0 ? 2 * cap : 64;
			names = realloc(names, cap * sizeof(*names));
			ADDIN_CHECK(names != NULL);
		}
		names[n] = strdup(e->d_name);
		ADDIN_CHECK(names[n] != NULL);
		n++;
	}
	// A corpus that went missing must not pass as "nothing to replay".
	ADDIN_CHECKF(n > 0, "%s holds no input", ADDIN_FUZZ_CORPUS);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		uint8_t *buf;
		size_t   len;
		slurp(dirfd(d), names[i], &buf, &len);
		for (size_t cut = 0; cut <= len; cut++) {
			// A copy of exactly @cut bytes: ASan sees any read
			// past the end.
			uint8_t *p = malloc(cut + 1);
			ADDIN_CHECK(p != NULL);
			memcpy(p, buf, cut);
			LLVMFuzzerTestOneInput(p, cut);
			free(p);
		}
		bytes += len;
		free(buf);
		free(names[i]);
	}
	free(names);
	closedir(d);
	printf("replayed %zu inputs (%zu bytes) and all their prefixes\n", n,
	       bytes);
}

ADDIN_TEST_LIST = {
    {"replays the corpus, every input and its prefixes", test_replay},
    {NULL, NULL},
};
