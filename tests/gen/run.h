// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// run.h: helpers of the generator tests: run a program and capture its
// output, read and write files, make temporary directories.

#ifndef GEN_RUN_H
#define GEN_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// gen_run runs @argv (argv[0] is a path), stdin from @in_path (or
// /dev/null when NULL), and returns its exit status (-1 when it did not
// exit normally).  Its stdout and stderr are returned in *ret_out and
// *ret_err (NUL-terminated, malloc'd; either may be NULL to discard),
// with their lengths in *ret_out_len when that is not NULL.
int gen_run(char *const argv[], const char *in_path, char **ret_out,
            size_t *ret_out_len, char **ret_err);

// gen_read returns the contents of @path (malloc'd, NUL-terminated) and its
// length, or NULL.
char *gen_read(const char *path, size_t *ret_len);

// gen_write writes @len bytes to @path, creating its directories.
bool gen_write(const char *path, const void *data, size_t len);

// gen_tmpdir makes a fresh temporary directory (malloc'd path).
char *gen_tmpdir(void);

// gen_rmtree removes @dir and what it holds.
void gen_rmtree(const char *dir);

// gen_arg makes a string literal an argv element (exec does not write it).
static inline char *
gen_arg(const char *s)
{
	return (char *) (uintptr_t) s;
}

// gen_lines counts the lines of @s (a last line without '\n' counts).
size_t gen_lines(const char *s);

#endif // GEN_RUN_H
