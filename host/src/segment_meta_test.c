// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Metadata records: parsing, limits, checks, the segment object, and
// reading a segment from a file descriptor (the fuzzing entry point).

#define _GNU_SOURCE // memfd_create

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "addin_test.h"
#include "elf_testing.h"
#include "segment_meta.h"

// A record exactly as the SDK macros lay it out.
ADDIN_SEGMENT_RECORD(
    macro_meta,
    ADDIN_KV("kind", "addin") ADDIN_KV("name", "Calc") ADDIN_KV("version",
                                                                "1.2.0")
        ADDIN_KV("publisher", "Acme") ADDIN_KV("description", "Adds numbers")
            ADDIN_KV("addin-view", "calc.v1.Calculator")
                ADDIN_KV("addin-view-hash", "0123abcd")
                    ADDIN_QUALIFY("zeta", "last")
                        ADDIN_QUALIFY("alpha", "first") ADDIN_NEEDS("scratch")
                            ADDIN_NEEDS("network") ADDIN_NEEDS("scratch")
                                ADDIN_KV("future-key", "x"));

static char   buf[8192];
static size_t len;

#define REC(...)                                      \
	ADDIN_CHECK(et_record(buf, sizeof(buf), &len, \
	                      (const char *[]) {__VA_ARGS__, NULL}) != 0)

static addin_err
parse(addin_segment_kind kind, addin__seg_src *src)
{
	return addin__segment_parse(buf, len, kind, src);
}

static void
test_macro_record(void)
{
	addin__seg_src  src;
	addin__segment *seg;

	ADDIN_PASS(addin__segment_parse(macro_meta, sizeof(macro_meta),
	                                ADDIN_SEGMENT_ADDIN, &src));
	ADDIN_PASS(
	    addin__segment_new(&src, "/pipe", "addins/calc/calc.so", &seg));
	ADDIN_CHECK_STR(seg->path, "/pipe/addins/calc/calc.so");
	ADDIN_CHECK_STR(seg->path + seg->rel_off, "addins/calc/calc.so");
	ADDIN_CHECK_STR(seg->f[ADDIN__F_NAME], "Calc");
	ADDIN_CHECK_STR(seg->f[ADDIN__F_VERSION], "1.2.0");
	ADDIN_CHECK_STR(seg->f[ADDIN__F_PUBLISHER], "Acme");
	ADDIN_CHECK_STR(seg->f[ADDIN__F_DESCRIPTION], "Adds numbers");
	ADDIN_CHECK_STR(seg->f[ADDIN__F_ADDIN_VIEW], "calc.v1.Calculator");
	ADDIN_CHECK_STR(seg->f[ADDIN__F_CONTRACT], "");
	ADDIN_CHECK_INT(seg->nq, ==, 2);
	ADDIN_CHECK_STR(seg->qk[0], "alpha"); // sorted by key
	ADDIN_CHECK_STR(seg->qv[0], "first");
	ADDIN_CHECK_STR(seg->qk[1], "zeta");
	ADDIN_CHECK_STR(addin__segment_qual(seg, "zeta"), "last");
	ADDIN_CHECK(addin__segment_qual(seg, "nope") == NULL);
	ADDIN_CHECK_INT(seg->nneeds, ==, 2); // the repeated grant once
	ADDIN_CHECK_STR(seg->needs[0], "scratch");
	ADDIN_CHECK_STR(seg->needs[1], "network");
	ADDIN_CHECK_STR(addin__segment_meta(seg, "q.alpha"), "first");
	ADDIN_CHECK_STR(addin__segment_meta(seg, "addin-view-hash"),
	                "0123abcd");
	ADDIN_CHECK(addin__segment_meta(seg, "contract") == NULL);
	ADDIN_CHECK(addin__segment_meta(seg, "future-key") == NULL);
	ADDIN_CHECK(addin__segment_ref(seg) == seg);
	addin__segment_unref(seg);
	addin__segment_unref(seg);
}

static void
test_picks_kind(void)
{
	addin__seg_src src;
	len = 0;
	REC("kind", "contract", "contract", "c.v1.C", "contract-hash", "aa");
	REC("kind", "host-adapter", "host-view", "h.v1.H", "host-view-hash",
	    "bb", "contract", "c.v1.C", "contract-hash", "aa");
	ADDIN_PASS(parse(ADDIN_SEGMENT_HOST_ADAPTER, &src));
	ADDIN_CHECK(src.kind == ADDIN_SEGMENT_HOST_ADAPTER);
	ADDIN_CHECK(src.f[ADDIN__F_HOST_VIEW].n == 6);
	ADDIN_PASS(parse(ADDIN_SEGMENT_CONTRACT, &src));
	ADDIN_FAIL(parse(ADDIN_SEGMENT_ADDIN, &src), ADDIN_ENOTFOUND);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "no addin record");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "contract, host-adapter");
}

static void
test_padding(void)
{
	addin__seg_src src;
	len = 0;
	REC("kind", "contract", "contract", "c.v1.C", "contract-hash", "aa");
	memset(buf + len, 0, 7); // alignment padding a linker may add
	len += 7;
	REC("kind", "addin", "name", "N", "addin-view", "v", "addin-view-hash",
	    "01");
	ADDIN_PASS(parse(ADDIN_SEGMENT_ADDIN, &src));
	ADDIN_PASS(parse(ADDIN_SEGMENT_CONTRACT, &src));
}

static void
test_two_of_a_kind(void)
{
	addin__seg_src src;
	len = 0;
	REC("kind", "contract", "contract", "c.v1.C", "contract-hash", "aa");
	REC("kind", "contract", "contract", "c.v2.C", "contract-hash", "bb");
	ADDIN_FAIL(parse(ADDIN_SEGMENT_CONTRACT, &src), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "2 contract records");
}

static void
test_required(void)
{
	addin__seg_src src;
	len = 0;
	REC("kind", "addin-adapter", "contract", "c.v1.C", "contract-hash",
	    "aa", "addin-view", "a.v1.A");
	ADDIN_FAIL(parse(ADDIN_SEGMENT_ADDIN_ADAPTER, &src), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "has no addin-view-hash");

	len = 0;
	REC("kind", "addin", "addin-view", "a.v1.A", "addin-view-hash", "aa");
	ADDIN_FAIL(parse(ADDIN_SEGMENT_ADDIN, &src), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "has no name");

	len = 0;
	REC("name", "x");
	ADDIN_FAIL(parse(ADDIN_SEGMENT_ADDIN, &src), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "has no kind");
}

static void
test_bad_values(void)
{
	addin__seg_src src;
	len = 0;
	REC("kind", "contract", "contract", "c.v1.C", "contract-hash", "ABCD");
	ADDIN_FAIL(parse(ADDIN_SEGMENT_CONTRACT, &src), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "not a lowercase hex");

	len = 0;
	REC("kind", "contract", "contract", "c v1/C", "contract-hash", "ab");
	ADDIN_FAIL(parse(ADDIN_SEGMENT_CONTRACT, &src), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "is not an id");

	len = 0;
	REC("kind", "contract", "contract", "c.v1.C", "contract-hash", "ab",
	    "contract", "c.v2.C");
	ADDIN_FAIL(parse(ADDIN_SEGMENT_CONTRACT, &src), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "two values for contract");

	len = 0;
	REC("kind", "addin", "kind", "addin");
	ADDIN_FAIL(parse(ADDIN_SEGMENT_ADDIN, &src), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "two kinds");
}

static void
test_framing(void)
{
	addin__seg_src    src;
	static const char not_magic[] = "NOT-A-SEGMENT\0"
	                                "1\0kind\0addin\0";
	ADDIN_FAIL(addin__segment_parse(not_magic, sizeof(not_magic),
	                                ADDIN_SEGMENT_ADDIN, &src),
	           ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "bad magic");

	static const char future[] = ADDIN_SEGMENT_MAGIC "\0"
	                                                 "2\0kind\0addin\0";
	ADDIN_FAIL(addin__segment_parse(future, sizeof(future),
	                                ADDIN_SEGMENT_ADDIN, &src),
	           ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "format \"2\" is not supported");

	// A value whose NUL is missing: the end of the section cuts it.
	static const char cut[] = ADDIN_SEGMENT_MAGIC "\0"
	                                              "1\0kind\0add";
	ADDIN_FAIL(addin__segment_parse(cut, sizeof(cut) - 1,
	                                ADDIN_SEGMENT_ADDIN, &src),
	           ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "truncated");

	// A record without the empty key that ends it.
	static const char open_rec[] = ADDIN_SEGMENT_MAGIC "\0"
	                                                   "1\0kind\0addin";
	ADDIN_FAIL(addin__segment_parse(open_rec, sizeof(open_rec),
	                                ADDIN_SEGMENT_ADDIN, &src),
	           ADDIN_ESEGMENT);

	ADDIN_FAIL(
	    addin__segment_parse("\0\0\0", 3, ADDIN_SEGMENT_ADDIN, &src),
	    ADDIN_ENOTFOUND);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "empty addin_segment section");
}

static void
test_limits(void)
{
	addin__seg_src src;
	char           big[ADDIN__SEG_MAX_VALUE + 2];
	char           key[32];
	memset(big, 'd', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	len = 0;
	REC("kind", "addin", "name", "N", "description", big);
	ADDIN_FAIL(parse(ADDIN_SEGMENT_ADDIN, &src), ADDIN_ELIMIT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "limit 4096");

	// Too many pairs.
	len = 0;
	memcpy(buf, ADDIN_SEGMENT_MAGIC "\0" ADDIN_SEGMENT_FORMAT "\0",
	       sizeof(ADDIN_SEGMENT_MAGIC) + 2);
	len = sizeof(ADDIN_SEGMENT_MAGIC) + 2;
	for (int i = 0; i < ADDIN__SEG_MAX_PAIRS + 1; i++) {
		len +=
		    (size_t) snprintf(buf + len, sizeof(buf) - len, "k%d", i) +
		    1;
		buf[len++] = 'v';
		buf[len++] = '\0';
	}
	buf[len++] = '\0';
	ADDIN_FAIL(parse(ADDIN_SEGMENT_ADDIN, &src), ADDIN_ELIMIT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "more than 256 pairs");

	// Too many qualification pairs.
	len = 0;
	memcpy(buf, ADDIN_SEGMENT_MAGIC "\0" ADDIN_SEGMENT_FORMAT "\0",
	       sizeof(ADDIN_SEGMENT_MAGIC) + 2);
	len = sizeof(ADDIN_SEGMENT_MAGIC) + 2;
	for (int i = 0; i < ADDIN__SEG_MAX_QUALS + 1; i++) {
		snprintf(key, sizeof(key), "q.k%d", i);
		memcpy(buf + len, key, strlen(key) + 1);
		len += strlen(key) + 1;
		buf[len++] = 'v';
		buf[len++] = '\0';
	}
	buf[len++] = '\0';
	ADDIN_FAIL(parse(ADDIN_SEGMENT_ADDIN, &src), ADDIN_ELIMIT);

	// Too many records.
	len = 0;
	for (int i = 0; i < ADDIN__SEG_MAX_RECORDS + 1; i++) {
		REC("kind", "contract", "contract", "c", "contract-hash", "a");
	}
	ADDIN_FAIL(parse(ADDIN_SEGMENT_ADDIN, &src), ADDIN_ELIMIT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "more than 32 metadata records");
}

static void
test_random_input(void)
{
	addin__seg_src src;
	char          *b = malloc(sizeof(macro_meta));
	srand(77);
	// Damaged copies of a valid record and random bytes: always an
	// answer, never a crash or a read past the end (ASan).
	for (int i = 0; i < 20000; i++) {
		size_t n = sizeof(macro_meta);
		memcpy(b, macro_meta, n);
		for (int f = 0; f < 1 + rand() % 3; f++) {
			b[(size_t) rand() % n] =
			    (char) (rand() % 4 == 0 ? 0 : rand());
		}
		n           = (size_t) rand() % (n + 1);
		char *exact = malloc(n == 0 ? 1 : n);
		memcpy(exact, b, n);
		(void) addin__segment_parse(
		    exact, n, (addin_segment_kind) (rand() % 4), &src);
		free(exact);
	}
	free(b);
}

// memfd_of returns a memfd holding @n bytes at @p, as a fuzz target would
// make one.
static int
memfd_of(const void *p, size_t n)
{
	int fd = memfd_create("segment", MFD_CLOEXEC);
	ADDIN_CHECK(fd >= 0);
	ADDIN_CHECK(n == 0 || write(fd, p, n) == (ssize_t) n);
	return fd;
}

static void
test_read_from_memfd(void)
{
	char            path[] = "/tmp/addin-segread-XXXXXX";
	addin__segment *seg;
	struct stat     st;
	size_t          n;
	char           *img;
	int             fd;

	REC("kind", "contract", "contract", "calc.v1.Calc", "contract-hash",
	    "c1c1");
	fd = mkstemp(path);
	ADDIN_CHECK(fd >= 0);
	close(fd);
	ADDIN_CHECK(et_write_so(path, ADDIN_SEGMENT_SECTION, buf, len) == 0);
	ADDIN_CHECK(stat(path, &st) == 0);
	n   = (size_t) st.st_size;
	img = malloc(n);
	fd  = open(path, O_RDONLY | O_CLOEXEC);
	ADDIN_CHECK(img != NULL && read(fd, img, n) == (ssize_t) n);
	close(fd);
	unlink(path);

	// The whole file: what discovery would make of it.
	fd = memfd_of(img, n);
	ADDIN_PASS(addin__segment_read(fd, n, ADDIN_SEGMENT_CONTRACT, "/p",
	                               "contracts/c.so", &seg));
	ADDIN_CHECK_STR(seg->path, "/p/contracts/c.so");
	ADDIN_CHECK_STR(seg->f[ADDIN__F_CONTRACT], "calc.v1.Calc");
	addin__segment_unref(seg);
	ADDIN_FAIL(
	    addin__segment_read(fd, n, ADDIN_SEGMENT_ADDIN, NULL, "x", &seg),
	    ADDIN_ENOTFOUND);
	close(fd);
	// Every cut of it fails cleanly, as discovery reports it.
	for (size_t cut = 0; cut < n; cut++) {
		addin_err rv;
		fd = memfd_of(img, cut);
		rv = addin__segment_read(fd, cut, ADDIN_SEGMENT_CONTRACT, NULL,
		                         "x", &seg);
		ADDIN_CHECKF(rv == ADDIN_ESEGMENT || rv == ADDIN_ENOTFOUND ||
		                 rv == ADDIN_ELIMIT,
		             "cut at %zu: %s", cut, addin_err_name(rv));
		close(fd);
	}
	free(img);
}

ADDIN_TEST_LIST = {
    {"segment record written by the SDK macros parses completely",
     test_macro_record},
    {"segment parser picks the record of the asked kind", test_picks_kind},
    {"segment parser tolerates padding between records", test_padding},
    {"segment parser rejects two records of one kind", test_two_of_a_kind},
    {"segment parser names a missing required key", test_required},
    {"segment parser rejects malformed ids, hashes and repeated keys",
     test_bad_values},
    {"segment parser rejects bad magic, future formats and cut records",
     test_framing},
    {"segment parser enforces its limits", test_limits},
    {"segment parser survives random input", test_random_input},
    {"a segment is read from a memfd as discovery reads a file",
     test_read_from_memfd},
    {NULL, NULL},
};
