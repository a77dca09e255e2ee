// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// sbx_os.h: small file helpers shared by the files of the sandbox module
// (not exported).

#ifndef ADDIN_SBX_OS_H
#define ADDIN_SBX_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

// addin__sbx_read_file reads up to @size - 1 bytes of @path into @buf and
// NUL-terminates it.  Returns the length, or -1 with errno set.
ssize_t addin__sbx_read_file(const char *path, char *buf, size_t size);

// addin__sbx_write_file writes the string @s to @path (O_WRONLY, no
// create).  Returns 0 or an errno value.
int addin__sbx_write_file(const char *path, const char *s);

// addin__sbx_word_in is true when @word is one of the words of @list
// (separated by blanks or newlines).
bool addin__sbx_word_in(const char *list, const char *word);

// addin__sbx_u64 formats @v in decimal into @buf (at least 21 bytes).
// Async-signal-safe.
void addin__sbx_u64(uint64_t v, char *buf);

// addin__sbx_key_value finds "@key <number>" lines in @text (memory.events,
// memory.oom_control) and returns the number, or -1.
int64_t addin__sbx_key_value(const char *text, const char *key);

#endif // ADDIN_SBX_OS_H
