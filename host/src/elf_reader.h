// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// elf_reader.h: reading one section of an ELF file without loading it.
//
// Discovery reads segment metadata from files it must not trust: every size
// and offset in them is checked against the file's size and against the hard
// limits below before anything is allocated or read, and the file is read
// with pread() only (no mmap: a file truncated while mapped would raise
// SIGBUS in the host).

#ifndef ADDIN_ELF_READER_H
#define ADDIN_ELF_READER_H

#include <stddef.h>
#include <stdint.h>

#include "addin/err.h"

#include "core.h"

// The most section headers a segment library may have.  Real libraries have
// about 30-40.
#define ADDIN__ELF_MAX_SECTIONS 4096
// The largest section-name string table read.
#define ADDIN__ELF_MAX_SHSTRTAB (64 * 1024)

// addin__elf_section reads the contents of the section named @name from the
// ELF file open on @fd, whose size is @file_size.  The file must be a shared
// object (ET_DYN) of this host's class, byte order and machine.
//
// Returns ADDIN_OK with *ret_data (allocated with addin__alloc, freed with
// addin__free by the caller; NUL-terminated one byte past *ret_len for
// convenience) and *ret_len; ADDIN_ENOTFOUND when the file is a valid ELF
// shared object without such a section (or without section headers);
// ADDIN_ESEGMENT when it is empty, not ELF, for another platform, malformed
// or truncated; ADDIN_ELIMIT when a count or size exceeds a limit (the
// section itself may hold at most @max bytes); ADDIN_EIO when reading fails;
// ADDIN_ENOMEM.  The message (addin__seterr) describes the problem without
// naming the file: the caller does.
ADDIN_PRIVATE addin_err addin__elf_section(int fd, uint64_t file_size,
                                           const char *name, size_t max,
                                           void **ret_data, size_t *ret_len);

#endif // ADDIN_ELF_READER_H
