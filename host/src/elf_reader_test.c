// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The bounded ELF reader against real and damaged files.  The test binary is
// itself a position-independent executable (ET_DYN) that carries a metadata
// record, so it serves as the real, compiler-made file; damaged copies of it
// are made with <elf.h>.

#define _GNU_SOURCE // memmem

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addin_test.h"
#include "elf_reader.h"
#include "elf_testing.h"

#if UINTPTR_MAX == UINT64_MAX
#define ElfW(t) Elf64_##t
#else
#define ElfW(t) Elf32_##t
#endif

ADDIN_SEGMENT_RECORD(self_meta,
                     ADDIN_KV("kind", "addin")
                         ADDIN_KV("name", "elf-reader-test")
                             ADDIN_KV("addin-view", "test.v1.View")
                                 ADDIN_KV("addin-view-hash", "00ff"));

static char dir[64];

static void
teardown(void)
{
	char cmd[128];
	if (dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
		ADDIN_CHECK(system(cmd) == 0);
		dir[0] = '\0';
	}
}

static void
setup(void)
{
	teardown();
	snprintf(dir, sizeof(dir), "/tmp/addin-elf-XXXXXX");
	ADDIN_CHECK(mkdtemp(dir) != NULL);
}

// slurp reads the whole file at @path.
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE          *f = fopen(path, "rb");
	unsigned char *buf;
	long           n;
	ADDIN_CHECK(f != NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t) n + 1);
	ADDIN_CHECK(buf != NULL);
	ADDIN_CHECK(fread(buf, 1, (size_t) n, f) == (size_t) n);
	fclose(f);
	*len = (size_t) n;
	return buf;
}

static void
spill(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	ADDIN_CHECK(f != NULL);
	ADDIN_CHECK(n == 0 || fwrite(p, 1, n, f) == n);
	ADDIN_CHECK(fclose(f) == 0);
}

// read_section runs the reader on @path.
static addin_err
read_section(const char *path, const char *name, size_t max, void **data,
             size_t *len)
{
	struct stat st;
	addin_err   rv;
	int         fd = open(path, O_RDONLY | O_CLOEXEC);
	ADDIN_CHECK(fd >= 0);
	ADDIN_CHECK(fstat(fd, &st) == 0);
	rv = addin__elf_section(fd, (uint64_t) st.st_size, name, max, data,
	                        len);
	close(fd);
	return rv;
}

static addin_err
read_meta(const char *path)
{
	void     *data = NULL;
	size_t    len  = 0;
	addin_err rv =
	    read_section(path, ADDIN_SEGMENT_SECTION, 65536, &data, &len);
	if (rv == ADDIN_OK) {
		addin__free(data);
	}
	return rv;
}

// The section header of @name in the ELF image @img.
static ElfW(Shdr) * find_shdr(unsigned char *img, const char *name)
{
	ElfW(Ehdr) *eh   = (ElfW(Ehdr) *) (void *) img;
	ElfW(Shdr) *sh   = (ElfW(Shdr) *) (void *) (img + eh->e_shoff);
	const char *strs = (const char *) img + sh[eh->e_shstrndx].sh_offset;
	for (int i = 0; i < eh->e_shnum; i++) {
		if (strcmp(strs + sh[i].sh_name, name) == 0) {
			return &sh[i];
		}
	}
	return NULL;
}

static unsigned char *
self_copy(size_t *len)
{
	return slurp("/proc/self/exe", len);
}

static void
test_reads_real_file(void)
{
	void  *data = NULL;
	size_t len  = 0;
	ADDIN_PASS(read_section("/proc/self/exe", ADDIN_SEGMENT_SECTION, 65536,
	                        &data, &len));
	ADDIN_CHECK(len >= sizeof(self_meta));
	ADDIN_CHECK(memmem(data, len, self_meta, sizeof(self_meta)) != NULL);
	ADDIN_CHECK(((char *) data)[len] == '\0');
	addin__free(data);
	teardown();
}

static void
test_no_section(void)
{
	void  *data = NULL;
	size_t len  = 0;
	ADDIN_FAIL(read_section("/proc/self/exe", "no_such_section", 65536,
	                        &data, &len),
	           ADDIN_ENOTFOUND);
	ADDIN_CHECK(data == NULL);
	teardown();
}

static void
test_written_file(void)
{
	char   path[128], rec[256];
	size_t n = 0;
	void  *data;
	size_t len;
	setup();
	snprintf(path, sizeof(path), "%s/w.so", dir);
	ADDIN_CHECK(et_record(rec, sizeof(rec), &n,
	                      (const char *[]) {"kind", "contract", NULL}));
	ADDIN_CHECK(et_write_so(path, ADDIN_SEGMENT_SECTION, rec, n) == 0);
	ADDIN_PASS(
	    read_section(path, ADDIN_SEGMENT_SECTION, 65536, &data, &len));
	ADDIN_CHECK_INT(len, ==, n);
	ADDIN_CHECK(memcmp(data, rec, n) == 0);
	addin__free(data);
	teardown();
}

static void
test_empty_and_junk(void)
{
	char path[128];
	setup();
	snprintf(path, sizeof(path), "%s/empty.so", dir);
	spill(path, "", 0);
	ADDIN_FAIL(read_meta(path), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "empty file");

	snprintf(path, sizeof(path), "%s/short.so", dir);
	spill(path, "\177ELF", 4);
	ADDIN_FAIL(read_meta(path), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "too short");

	snprintf(path, sizeof(path), "%s/text.so", dir);
	char text[200];
	memset(text, 'x', sizeof(text));
	spill(path, text, sizeof(text));
	ADDIN_FAIL(read_meta(path), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "not an ELF file");
	teardown();
}

static void
test_other_platform(void)
{
	char           path[128];
	size_t         len;
	unsigned char *img = self_copy(&len);
	ElfW(Ehdr) *eh     = (ElfW(Ehdr) *) (void *) img;
	setup();
	snprintf(path, sizeof(path), "%s/p.so", dir);

	eh->e_machine = (uint16_t) (eh->e_machine + 1);
	spill(path, img, len);
	ADDIN_FAIL(read_meta(path), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "another machine");
	eh->e_machine = (uint16_t) (eh->e_machine - 1);

	eh->e_ident[EI_CLASS] =
	    eh->e_ident[EI_CLASS] == ELFCLASS64 ? ELFCLASS32 : ELFCLASS64;
	spill(path, img, len);
	ADDIN_FAIL(read_meta(path), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "another platform");
	free(img);
	teardown();
}

static void
test_not_shared_object(void)
{
	char           path[128];
	size_t         len;
	unsigned char *img = self_copy(&len);
	setup();
	snprintf(path, sizeof(path), "%s/rel.so", dir);
	((ElfW(Ehdr) *) (void *) img)->e_type = ET_REL;
	spill(path, img, len);
	ADDIN_FAIL(read_meta(path), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "not an ELF shared object");
	free(img);
	teardown();
}

static void
test_absurd_sizes(void)
{
	char           path[128];
	size_t         len;
	unsigned char *img = self_copy(&len);
	ElfW(Ehdr) *eh     = (ElfW(Ehdr) *) (void *) img;
	ElfW(Shdr) *sec    = find_shdr(img, ADDIN_SEGMENT_SECTION);
	ElfW(Shdr) saved;
	setup();
	ADDIN_CHECK(sec != NULL);
	saved = *sec;
	snprintf(path, sizeof(path), "%s/big.so", dir);

	sec->sh_size = (ElfW(Xword)) 1 << 32;
	spill(path, img, len);
	ADDIN_FAIL(read_meta(path), ADDIN_ELIMIT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "4294967296 bytes, limit 65536");

	*sec           = saved;
	sec->sh_offset = (ElfW(Off)) len - 2;
	spill(path, img, len);
	ADDIN_FAIL(read_meta(path), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "beyond the end of the file");

	*sec           = saved;
	sec->sh_offset = (ElfW(Off)) - 1;
	spill(path, img, len);
	ADDIN_FAIL(read_meta(path), ADDIN_ESEGMENT);

	*sec         = saved;
	sec->sh_type = SHT_NOBITS;
	spill(path, img, len);
	ADDIN_FAIL(read_meta(path), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "no contents");

	*sec           = saved;
	uint16_t shnum = eh->e_shnum;
	eh->e_shnum    = 60000;
	spill(path, img, len);
	ADDIN_FAIL(read_meta(path), ADDIN_ELIMIT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "60000 sections");

	eh->e_shnum = shnum;
	eh->e_shoff = (ElfW(Off)) - 64;
	spill(path, img, len);
	ADDIN_FAIL(read_meta(path), ADDIN_ESEGMENT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "section header table");
	free(img);
	teardown();
}

static void
test_truncated_everywhere(void)
{
	char           path[128];
	size_t         len;
	unsigned char *img = self_copy(&len);
	setup();
	snprintf(path, sizeof(path), "%s/cut.so", dir);
	// Every cut loses the section header table at the end of the file.
	for (size_t cut = 0; cut < len; cut += 61) {
		spill(path, img, cut);
		ADDIN_CHECKF(read_meta(path) != ADDIN_OK, "cut at %zu", cut);
	}
	spill(path, img, len);
	ADDIN_PASS(read_meta(path));
	free(img);
	teardown();
}

static void
test_random_damage(void)
{
	char           path[128];
	size_t         len;
	unsigned char *img = self_copy(&len);
	unsigned char *bad = malloc(len);
	ElfW(Ehdr) *eh     = (ElfW(Ehdr) *) (void *) img;
	size_t shoff       = (size_t) eh->e_shoff;
	size_t shlen       = (size_t) eh->e_shnum * sizeof(ElfW(Shdr));
	int    ok          = 0;
	setup();
	snprintf(path, sizeof(path), "%s/bad.so", dir);
	srand(4242);
	// Damage the parts the reader interprets: the ELF header and the
	// section header table; the reader must answer, never crash or
	// allocate without bound.
	for (int i = 0; i < 1500; i++) {
		memcpy(bad, img, len);
		int flips = 1 + rand() % 4;
		for (int f = 0; f < flips; f++) {
			size_t at = (rand() % 3 == 0)
			                ? (size_t) rand() % sizeof(ElfW(Ehdr))
			                : shoff + (size_t) rand() % shlen;
			bad[at]   = (unsigned char) rand();
		}
		spill(path, bad, len);
		if (read_meta(path) == ADDIN_OK) {
			ok++;
		}
	}
	ADDIN_CHECK(ok < 1500); // some damage must have been seen
	free(bad);
	free(img);
	teardown();
}

ADDIN_TEST_LIST = {
    {"elf reader finds the metadata section of a real shared object",
     test_reads_real_file},
    {"elf reader reports a missing section as not found", test_no_section},
    {"elf reader reads a minimal written shared object", test_written_file},
    {"elf reader rejects empty, short and non-ELF files", test_empty_and_junk},
    {"elf reader rejects files for another machine or class",
     test_other_platform},
    {"elf reader rejects an ELF file that is not a shared object",
     test_not_shared_object},
    {"elf reader refuses absurd sizes and offsets", test_absurd_sizes},
    {"elf reader rejects every truncated copy", test_truncated_everywhere},
    {"elf reader survives random damage to its headers", test_random_damage},
    {NULL, NULL},
};
