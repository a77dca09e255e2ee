// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// fuzz_segment: a file in a pipeline directory, as discovery reads it.
//
// Anyone who can write the pipeline directory can drop a file there, and
// discovery opens every one.  The input is the whole file: it is put in a
// memfd and read by what discovery runs after its open and trust checks:
// addin__segment_read (store_scan.c's load_segment calls it) for each of
// the four kinds; and, to check what it is made of, its stages one by
// one: addin__elf_section for the "addin_segment" section, then
// addin__segment_parse for the record of each kind, then
// addin__segment_new.
//
// Compiled with -DFUZZ_SEGMENT_RECORD it is fuzz_segment_record instead:
// the input is the section's contents and goes straight to the record
// parser, which the whole-file target reaches only through a valid ELF
// wrapper whose section size it must keep consistent.
//
// The checks: every string of a parsed record lies inside the section and
// ends with a NUL there (the segment is built from them), the record passes
// addin__segment_check, and the segment made from it answers every lookup
// (addin__segment_meta, addin__segment_qual) with the record's values.

#ifndef FUZZ_SEGMENT_RECORD
#define _GNU_SOURCE // memfd_create
#endif

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elf_reader.h"
#include "fuzz.h"
#include "segment_meta.h"

// The single-valued keys (addin/segment.h), in enum addin__field order.
static const char *const keys[ADDIN__F_COUNT] = {
    "name",       "version",         "publisher", "description",
    "contract",   "contract-hash",   "host-view", "host-view-hash",
    "addin-view", "addin-view-hash",
};

static bool
inside(const char *data, size_t len, addin__str s)
{
	return s.p >= data && s.n < len && (size_t) (s.p - data) < len - s.n &&
	       s.p[s.n] == '\0';
}

static bool
same(const char *got, addin__str want)
{
	return got != NULL && strlen(got) == want.n &&
	       memcmp(got, want.p, want.n) == 0;
}

// The segment @src was made into answers with @src's values.
static void
check_segment(const addin__seg_src *src, const addin__segment *seg)
{
	FUZZ_CHECK(seg->kind == src->kind);
	FUZZ_CHECK(strcmp(seg->path, "/pipeline/addins/calc/libcalc.so") == 0);
	FUZZ_CHECK(strcmp(seg->path + seg->rel_off, "calc/libcalc.so") == 0);
	for (int f = 0; f < ADDIN__F_COUNT; f++) {
		const char *v = addin__segment_meta(seg, keys[f]);
		if (src->f[f].p == NULL || src->f[f].n == 0) {
			FUZZ_CHECK(v == NULL && seg->f[f][0] == '\0');
		} else {
			FUZZ_CHECK(same(v, src->f[f]) && v == seg->f[f]);
		}
	}
	FUZZ_CHECK(seg->nq == src->nq && seg->nneeds == src->nneeds);
	for (size_t i = 0; i + 1 < seg->nq; i++) {
		FUZZ_CHECK(strcmp(seg->qk[i], seg->qk[i + 1]) < 0);
	}
	for (size_t i = 0; i < src->nq; i++) {
		// The key is NUL-terminated in the section, and "q." precedes
		// it there.
		FUZZ_CHECK(
		    same(addin__segment_qual(seg, src->qk[i].p), src->qv[i]));
		FUZZ_CHECK(same(addin__segment_meta(seg, src->qk[i].p - 2),
		                src->qv[i]));
	}
	for (size_t i = 0; i < src->nneeds; i++) {
		FUZZ_CHECK(same(seg->needs[i], src->needs[i]));
	}
}

// The record stage: what discovery does with the section's @len bytes.
static void
records(const char *data, size_t len)
{
	for (int k = 0; k < ADDIN_SEGMENT_KINDS; k++) {
		addin__seg_src  src;
		addin__segment *seg;
		addin_err       rv;

		memset(&src, 0xa5, sizeof(src)); // nothing read uninitialised
		rv = addin__segment_parse(data, len, (addin_segment_kind) k,
		                          &src);
		if (rv != ADDIN_OK) {
			FUZZ_CHECK(rv == ADDIN_ENOTFOUND ||
			           rv == ADDIN_ESEGMENT || rv == ADDIN_ELIMIT);
			continue;
		}
		FUZZ_CHECK(src.kind == (addin_segment_kind) k);
		FUZZ_CHECK(addin__segment_check(&src) == ADDIN_OK);
		for (int f = 0; f < ADDIN__F_COUNT; f++) {
			FUZZ_CHECK(src.f[f].p == NULL ||
			           inside(data, len, src.f[f]));
		}
		for (size_t i = 0; i < src.nq; i++) {
			FUZZ_CHECK(inside(data, len, src.qk[i]) &&
			           inside(data, len, src.qv[i]));
			FUZZ_CHECK(src.qk[i].p - data >= 2 &&
			           memcmp(src.qk[i].p - 2, "q.", 2) == 0);
		}
		for (size_t i = 0; i < src.nneeds; i++) {
			FUZZ_CHECK(inside(data, len, src.needs[i]));
		}
		FUZZ_CHECK(addin__segment_new(&src, "/pipeline/addins",
		                              "calc/libcalc.so",
		                              &seg) == ADDIN_OK);
		check_segment(&src, seg);
		FUZZ_CHECK(addin__segment_ref(seg) == seg);
		FUZZ_CHECK(addin__segment_unref(seg) == NULL);
		FUZZ_CHECK(addin__segment_unref(seg) == NULL);
	}
}

#ifdef FUZZ_SEGMENT_RECORD

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t live = addin__alloc_live();
	records((const char *) data, size);
	FUZZ_CHECK(addin__alloc_live() == live);
	return 0;
}

#else

// The file stage: what discovery does with an open file of @size bytes
// (load_segment in store_scan.c, after open, fstat and the trust checks),
// then its stages one by one.
static void
discover(int fd, uint64_t size)
{
	void     *data;
	size_t    len;
	addin_err rv;

	for (int k = 0; k < ADDIN_SEGMENT_KINDS; k++) {
		addin__segment *seg = NULL;
		rv = addin__segment_read(fd, size, (addin_segment_kind) k,
		                         "/pipeline/addins", "calc/libcalc.so",
		                         &seg);
		FUZZ_CHECK(rv == ADDIN_OK || rv == ADDIN_ENOTFOUND ||
		           rv == ADDIN_ESEGMENT || rv == ADDIN_ELIMIT ||
		           rv == ADDIN_EIO || rv == ADDIN_ENOMEM);
		FUZZ_CHECK((rv == ADDIN_OK) == (seg != NULL));
		FUZZ_CHECK(addin__segment_unref(seg) == NULL);
	}

	rv = addin__elf_section(fd, size, ADDIN_SEGMENT_SECTION,
	                        ADDIN__SEG_MAX_SECTION, &data, &len);
	if (rv != ADDIN_OK) {
		FUZZ_CHECK(rv == ADDIN_ENOTFOUND || rv == ADDIN_ESEGMENT ||
		           rv == ADDIN_ELIMIT);
		return;
	}
	FUZZ_CHECK(len <= ADDIN__SEG_MAX_SECTION && len <= size);
	FUZZ_CHECK(((const char *) data)[len] == '\0');
	records(data, len);
	addin__free(data);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd   = -1;
	int64_t    live = addin__alloc_live();

	// One memfd for the whole run, refilled for each input.
	if (fd < 0) {
		fd = memfd_create("fuzz_segment", MFD_CLOEXEC);
		FUZZ_CHECK(fd >= 0);
	}
	FUZZ_CHECK(ftruncate(fd, 0) == 0);
	for (size_t done = 0; done < size;) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t) done);
		FUZZ_CHECK(n > 0);
		done += (size_t) n;
	}
	discover(fd, size);
	FUZZ_CHECK(addin__alloc_live() == live);
	return 0;
}

#endif
