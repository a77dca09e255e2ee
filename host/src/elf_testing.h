// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// elf_testing.h: test support, not library code.  Writes minimal ELF shared
// objects (this host's class and machine, no program headers, so they cannot
// be loaded) whose "addin_segment" section holds the records a test wants,
// and builds records from key/value lists.  Used by the store's unit tests.

#ifndef ADDIN_ELF_TESTING_H
#define ADDIN_ELF_TESTING_H

#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addin/segment.h"

#if UINTPTR_MAX == UINT64_MAX
typedef Elf64_Ehdr et_ehdr;
typedef Elf64_Shdr et_shdr;
#define ET_CLASS ELFCLASS64
#else
typedef Elf32_Ehdr et_ehdr;
typedef Elf32_Shdr et_shdr;
#define ET_CLASS ELFCLASS32
#endif

#if defined(__x86_64__)
#define ET_MACHINE EM_X86_64
#elif defined(__i386__)
#define ET_MACHINE EM_386
#elif defined(__aarch64__)
#define ET_MACHINE EM_AARCH64
#elif defined(__arm__)
#define ET_MACHINE EM_ARM
#elif defined(__riscv)
#define ET_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define ET_MACHINE EM_PPC64
#elif defined(__s390x__)
#define ET_MACHINE EM_S390
#else
#define ET_MACHINE EM_NONE
#endif

// et_put appends the string @s and its NUL to @buf; false when full.
static inline bool
et_put(char *buf, size_t cap, size_t *at, const char *s)
{
	size_t n = strlen(s) + 1;
	if (*at + n > cap) {
		return false;
	}
	memcpy(buf + *at, s, n);
	*at += n;
	return true;
}

// et_record appends one record to @buf (capacity @cap, @*len used): the
// magic, format "1", then the key/value strings of @kv, a NULL-terminated
// array, then the empty key.  Returns the new length, or 0 when it does not
// fit.
static inline size_t
et_record(char *buf, size_t cap, size_t *len, const char *const *kv)
{
	size_t at = *len;

	if (!et_put(buf, cap, &at, ADDIN_SEGMENT_MAGIC) ||
	    !et_put(buf, cap, &at, ADDIN_SEGMENT_FORMAT)) {
		return 0;
	}
	for (size_t i = 0; kv[i] != NULL; i++) {
		if (!et_put(buf, cap, &at, kv[i])) {
			return 0;
		}
	}
	if (!et_put(buf, cap, &at, "")) {
		return 0;
	}
	*len = at;
	return at;
}

// et_write_so writes an ELF shared object at @path (mode 0644) whose
// section @secname holds @data (@len bytes).  Returns 0 or -1.
static inline int
et_write_so(const char *path, const char *secname, const void *data,
            size_t len)
{
	char    strtab[128];
	size_t  slen = 0;
	et_ehdr eh;
	et_shdr sh[3];
	size_t  name_strtab, name_sec, off_data, off_sh;
	int     fd, rc = 0;

	memset(&eh, 0, sizeof(eh));
	memset(sh, 0, sizeof(sh));
	strtab[slen++] = '\0';
	name_strtab    = slen;
	memcpy(strtab + slen, ".shstrtab", 10);
	slen += 10;
	name_sec = slen;
	if (strlen(secname) + 1 > sizeof(strtab) - slen) {
		return -1;
	}
	memcpy(strtab + slen, secname, strlen(secname) + 1);
	slen += strlen(secname) + 1;

	off_data = sizeof(eh) + slen;
	off_sh   = (off_data + len + 7) & ~(size_t) 7;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS]   = ET_CLASS;
	eh.e_ident[EI_DATA]    = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	                             ? ELFDATA2LSB
	                             : ELFDATA2MSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type              = ET_DYN;
	eh.e_machine           = ET_MACHINE;
	eh.e_version           = EV_CURRENT;
	eh.e_shoff             = off_sh;
	eh.e_ehsize            = sizeof(eh);
	eh.e_shentsize         = sizeof(et_shdr);
	eh.e_shnum             = 3;
	eh.e_shstrndx          = 1;

	sh[1].sh_name      = (uint32_t) name_strtab;
	sh[1].sh_type      = SHT_STRTAB;
	sh[1].sh_offset    = sizeof(eh);
	sh[1].sh_size      = slen;
	sh[1].sh_addralign = 1;
	sh[2].sh_name      = (uint32_t) name_sec;
	sh[2].sh_type      = SHT_PROGBITS;
	sh[2].sh_flags     = SHF_ALLOC;
	sh[2].sh_offset    = off_data;
	sh[2].sh_size      = len;
	sh[2].sh_addralign = 1;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		return -1;
	}
	static const char zeros[8] = {0};
	if (write(fd, &eh, sizeof(eh)) != (ssize_t) sizeof(eh) ||
	    write(fd, strtab, slen) != (ssize_t) slen ||
	    (len > 0 && write(fd, data, len) != (ssize_t) len) ||
	    write(fd, zeros, off_sh - off_data - len) !=
	        (ssize_t) (off_sh - off_data - len) ||
	    write(fd, sh, sizeof(sh)) != (ssize_t) sizeof(sh)) {
		rc = -1;
	}
	if (fchmod(fd, 0644) != 0) {
		rc = -1;
	}
	close(fd);
	return rc;
}

#endif // ADDIN_ELF_TESTING_H
