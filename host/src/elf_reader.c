// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// A bounded reader for one section of an ELF shared object.  Our own rather
// than libelf's: it reads exactly the four pieces discovery needs (the ELF
// header, the section header table, the section name table and the section)
// with pread(), never maps the file, and checks every offset and size against
// the file size and our limits before it allocates; the whole trust boundary
// is this one short file.  See elf_reader.h.

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "elf_reader.h"

#if UINTPTR_MAX == UINT64_MAX
typedef Elf64_Ehdr ehdr_t;
typedef Elf64_Shdr shdr_t;
#define NATIVE_CLASS ELFCLASS64
#else
typedef Elf32_Ehdr ehdr_t;
typedef Elf32_Shdr shdr_t;
#define NATIVE_CLASS ELFCLASS32
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_DATA ELFDATA2LSB
#else
#define NATIVE_DATA ELFDATA2MSB
#endif

#if defined(__x86_64__)
#define NATIVE_MACHINE EM_X86_64
#elif defined(__i386__)
#define NATIVE_MACHINE EM_386
#elif defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#elif defined(__arm__)
#define NATIVE_MACHINE EM_ARM
#elif defined(__riscv)
#define NATIVE_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define NATIVE_MACHINE EM_PPC64
#elif defined(__s390x__)
#define NATIVE_MACHINE EM_S390
#else
#define NATIVE_MACHINE EM_NONE // unknown: the machine is not checked
#endif

// in_file is true when [off, off + len) lies inside a file of @size bytes.
static bool
in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

// read_at reads exactly @len bytes at @off.
static addin_err
read_at(int fd, void *buf, size_t len, uint64_t off)
{
	char  *p    = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t n =
		    pread(fd, p + done, len - done, (off_t) (off + done));
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return addin__syserr(ADDIN_EIO, errno, "read");
		}
		if (n == 0) {
			return addin__seterr(
			    ADDIN_ESEGMENT,
			    "file shrank while being read (truncated?)");
		}
		done += (size_t) n;
	}
	return ADDIN_OK;
}

// read_alloc reads @len bytes at @off into a new buffer with one NUL byte
// after them.
static addin_err
read_alloc(int fd, size_t len, uint64_t off, char **ret)
{
	addin_err rv;
	char     *buf = addin__alloc(len + 1);
	if (buf == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	rv = read_at(fd, buf, len, off);
	if (rv != ADDIN_OK) {
		addin__free(buf);
		return rv;
	}
	buf[len] = '\0';
	*ret     = buf;
	return ADDIN_OK;
}

static addin_err
check_header(const unsigned char *id, const ehdr_t *eh, uint64_t file_size)
{
	uint16_t machine;

	if (id[EI_CLASS] != NATIVE_CLASS || id[EI_DATA] != NATIVE_DATA) {
		return addin__seterr(
		    ADDIN_ESEGMENT,
		    "ELF file for another platform (%d-bit %s-endian)",
		    id[EI_CLASS] == ELFCLASS32   ? 32
		    : id[EI_CLASS] == ELFCLASS64 ? 64
		                                 : 0,
		    id[EI_DATA] == ELFDATA2MSB ? "big" : "little");
	}
	if (id[EI_VERSION] != EV_CURRENT) {
		return addin__seterr(ADDIN_ESEGMENT, "unknown ELF version %d",
		                     id[EI_VERSION]);
	}
	machine = eh->e_machine;
	if (NATIVE_MACHINE != EM_NONE && machine != NATIVE_MACHINE) {
		return addin__seterr(
		    ADDIN_ESEGMENT,
		    "ELF file for another machine (e_machine %u, this host "
		    "is %u)",
		    (unsigned) machine, (unsigned) NATIVE_MACHINE);
	}
	if (eh->e_type != ET_DYN) {
		return addin__seterr(ADDIN_ESEGMENT,
		                     "not an ELF shared object (e_type %u)",
		                     (unsigned) eh->e_type);
	}
	if (eh->e_shoff == 0 && eh->e_shnum == 0) {
		return addin__seterr(ADDIN_ENOTFOUND,
		                     "no section headers (stripped?)");
	}
	if (eh->e_shnum == 0 || eh->e_shstrndx == SHN_XINDEX) {
		// Extended section numbering: only for >= 0xff00 sections.
		return addin__seterr(ADDIN_ELIMIT, "more than %d sections",
		                     ADDIN__ELF_MAX_SECTIONS);
	}
	if (eh->e_shnum > ADDIN__ELF_MAX_SECTIONS) {
		return addin__seterr(ADDIN_ELIMIT, "%u sections, limit %d",
		                     (unsigned) eh->e_shnum,
		                     ADDIN__ELF_MAX_SECTIONS);
	}
	if (eh->e_shentsize != sizeof(shdr_t)) {
		return addin__seterr(
		    ADDIN_ESEGMENT, "section header size %u, expected %zu",
		    (unsigned) eh->e_shentsize, sizeof(shdr_t));
	}
	if (!in_file(eh->e_shoff, (uint64_t) eh->e_shnum * sizeof(shdr_t),
	             file_size)) {
		return addin__seterr(
		    ADDIN_ESEGMENT,
		    "section header table lies beyond the end of the file "
		    "(truncated?)");
	}
	if (eh->e_shstrndx == SHN_UNDEF || eh->e_shstrndx >= eh->e_shnum) {
		return addin__seterr(ADDIN_ESEGMENT,
		                     "bad section name table index %u",
		                     (unsigned) eh->e_shstrndx);
	}
	return ADDIN_OK;
}

// find_section looks @name up in the section headers @sh (@n of them) with
// the name table @names (@names_len bytes, NUL after them).
static addin_err
find_section(const shdr_t *sh, size_t n, const char *names, size_t names_len,
             const char *name, const shdr_t **ret)
{
	const shdr_t *found = NULL;
	for (size_t i = 0; i < n; i++) {
		if (sh[i].sh_name >= names_len) {
			return addin__seterr(
			    ADDIN_ESEGMENT,
			    "section %zu: name offset %u out of range", i,
			    (unsigned) sh[i].sh_name);
		}
		if (strcmp(names + sh[i].sh_name, name) != 0) {
			continue;
		}
		if (found != NULL) {
			return addin__seterr(ADDIN_ESEGMENT,
			                     "two sections named %s", name);
		}
		found = &sh[i];
	}
	if (found == NULL) {
		return addin__seterr(ADDIN_ENOTFOUND, "no %s section", name);
	}
	*ret = found;
	return ADDIN_OK;
}

// read_headers reads and checks the ELF header into @eh and the section
// header table into *@ret_sh (free with addin__free).
static addin_err
read_headers(int fd, uint64_t file_size, ehdr_t *eh, shdr_t **ret_sh)
{
	shdr_t   *sh;
	addin_err rv;

	if (file_size == 0) {
		return addin__seterr(ADDIN_ESEGMENT, "empty file");
	}
	if (file_size < sizeof(*eh)) {
		return addin__seterr(ADDIN_ESEGMENT,
		                     "%llu bytes: too short for an ELF header",
		                     (unsigned long long) file_size);
	}
	rv = read_at(fd, eh, sizeof(*eh), 0);
	if (rv != ADDIN_OK) {
		return rv;
	}
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) {
		return addin__seterr(ADDIN_ESEGMENT, "not an ELF file");
	}
	rv = check_header(eh->e_ident, eh, file_size);
	if (rv != ADDIN_OK) {
		return rv;
	}
	sh = addin__alloc((size_t) eh->e_shnum * sizeof(shdr_t));
	if (sh == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	rv = read_at(fd, sh, (size_t) eh->e_shnum * sizeof(shdr_t),
	             eh->e_shoff);
	if (rv != ADDIN_OK) {
		addin__free(sh);
		return rv;
	}
	*ret_sh = sh;
	return ADDIN_OK;
}

// read_names reads the section name table @strtab into *@ret (free with
// addin__free; NUL after it).
static addin_err
read_names(int fd, uint64_t file_size, const shdr_t *strtab, char **ret)
{
	if (strtab->sh_type != SHT_STRTAB) {
		return addin__seterr(
		    ADDIN_ESEGMENT,
		    "section name table has type %u, not a string table",
		    (unsigned) strtab->sh_type);
	}
	if (strtab->sh_size > ADDIN__ELF_MAX_SHSTRTAB) {
		return addin__seterr(
		    ADDIN_ELIMIT, "section name table is %llu bytes, limit %d",
		    (unsigned long long) strtab->sh_size,
		    ADDIN__ELF_MAX_SHSTRTAB);
	}
	if (!in_file(strtab->sh_offset, strtab->sh_size, file_size)) {
		return addin__seterr(
		    ADDIN_ESEGMENT,
		    "section name table lies beyond the end of the file "
		    "(truncated?)");
	}
	return read_alloc(fd, (size_t) strtab->sh_size, strtab->sh_offset,
	                  ret);
}

addin_err
addin__elf_section(int fd, uint64_t file_size, const char *name, size_t max,
                   void **ret_data, size_t *ret_len)
{
	ehdr_t        eh;
	shdr_t       *sh    = NULL;
	char         *names = NULL;
	char         *data  = NULL;
	const shdr_t *sec   = NULL;
	addin_err     rv;

	rv = read_headers(fd, file_size, &eh, &sh);
	if (rv != ADDIN_OK) {
		return rv;
	}
	rv = read_names(fd, file_size, &sh[eh.e_shstrndx], &names);
	if (rv != ADDIN_OK) {
		goto fail_names;
	}
	rv = find_section(sh, eh.e_shnum, names,
	                  (size_t) sh[eh.e_shstrndx].sh_size, name, &sec);
	if (rv != ADDIN_OK) {
		goto fail_find;
	}
	if (sec->sh_type == SHT_NOBITS) {
		rv = addin__seterr(ADDIN_ESEGMENT,
		                   "section %s has no contents", name);
		goto fail_find;
	}
	if (sec->sh_size > max) {
		rv = addin__seterr(ADDIN_ELIMIT,
		                   "section %s is %llu bytes, limit %zu", name,
		                   (unsigned long long) sec->sh_size, max);
		goto fail_find;
	}
	if (!in_file(sec->sh_offset, sec->sh_size, file_size)) {
		rv = addin__seterr(
		    ADDIN_ESEGMENT,
		    "section %s lies beyond the end of the file (truncated?)",
		    name);
		goto fail_find;
	}
	rv = read_alloc(fd, (size_t) sec->sh_size, sec->sh_offset, &data);
	if (rv != ADDIN_OK) {
		goto fail_find;
	}
	*ret_data = data;
	*ret_len  = (size_t) sec->sh_size;
	addin__free(names);
	addin__free(sh);
	return ADDIN_OK;

fail_find:
	addin__free(names);
fail_names:
	addin__free(sh);
	return rv;
}
