// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// discovery_util.h: helpers of the discovery tests: pipeline directories
// made at run time from the fixture libraries, file surgery, running a
// program and capturing what it printed.

#ifndef ADDIN_DISCOVERY_UTIL_H
#define ADDIN_DISCOVERY_UTIL_H

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addin/host.h"
#include "addin/segment.h"

#include "addin_test.h"

#if UINTPTR_MAX == UINT64_MAX
#define DU_ELF(t) Elf64_##t
#else
#define DU_ELF(t) Elf32_##t
#endif

static char du_pipe[96];

// du_path gives the absolute path of @rel in the pipeline directory.
static inline const char *
du_path(const char *rel)
{
	static char buf[4][512];
	static int  next;
	char       *p = buf[next++ % 4];
	snprintf(p, sizeof(buf[0]), "%s/%s", du_pipe, rel);
	return p;
}

static inline void
du_rmpipe(void)
{
	char cmd[300];
	if (du_pipe[0] == '\0') {
		return;
	}
	// Undo what makes removal fail (unreadable directories).
	snprintf(cmd, sizeof(cmd),
	         "chmod -R u+rwx -- '%s' 2>/dev/null; rm -rf -- '%s'", du_pipe,
	         du_pipe);
	ADDIN_CHECK(system(cmd) == 0);
	du_pipe[0] = '\0';
}

static inline void
du_mkdir(const char *rel)
{
	const char *p = du_path(rel);
	ADDIN_CHECKF(mkdir(p, 0755) == 0 || errno == EEXIST, "mkdir %s", p);
	ADDIN_CHECK(chmod(p, 0755) == 0);
}

// du_mkpipe makes an empty pipeline directory with the four layout
// directories, mode 0755.
static inline void
du_mkpipe(void)
{
	du_rmpipe();
	snprintf(du_pipe, sizeof(du_pipe), "/tmp/addin-disc-XXXXXX");
	ADDIN_CHECK(mkdtemp(du_pipe) != NULL);
	ADDIN_CHECK(chmod(du_pipe, 0755) == 0);
	du_mkdir("contracts");
	du_mkdir("host-adapters");
	du_mkdir("addin-adapters");
	du_mkdir("addins");
}

static inline char *
du_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long  n;
	ADDIN_CHECKF(f != NULL, "open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t) n + 1);
	ADDIN_CHECK(buf != NULL);
	ADDIN_CHECK(fread(buf, 1, (size_t) n, f) == (size_t) n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t) n;
	return buf;
}

// du_write writes @len bytes at @rel (mode 0644), through a hidden
// temporary file and a rename, so a concurrent reader never sees half.
static inline void
du_write(const char *rel, const void *data, size_t len)
{
	char        tmp[600];
	const char *dst   = du_path(rel);
	const char *slash = strrchr(dst, '/');
	FILE       *f;
	snprintf(tmp, sizeof(tmp), "%.*s/.tmp-%d", (int) (slash - dst), dst,
	         (int) getpid());
	f = fopen(tmp, "wb");
	ADDIN_CHECKF(f != NULL, "create %s", tmp);
	ADDIN_CHECK(len == 0 || fwrite(data, 1, len, f) == len);
	ADDIN_CHECK(fclose(f) == 0);
	ADDIN_CHECK(chmod(tmp, 0644) == 0);
	ADDIN_CHECKF(rename(tmp, dst) == 0, "rename to %s", dst);
}

// du_fixture returns the path of fixture library lib@name.so.
static inline const char *
du_fixture(const char *name)
{
	static char buf[512];
	snprintf(buf, sizeof(buf), "%s/libfx_%s.so", FX_DIR, name);
	return buf;
}

// du_deploy copies fixture @name to @rel (creating an add-in's folder).
static inline void
du_deploy(const char *name, const char *rel)
{
	size_t len;
	char  *data = du_slurp(du_fixture(name), &len);
	char   dir[512];
	char  *slash;
	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash != NULL && strncmp(dir, "addins/", 7) == 0 &&
	    slash > dir + 6) {
		*slash = '\0';
		du_mkdir(dir);
	}
	du_write(rel, data, len);
	free(data);
}

// du_calc_chain deploys the complete chain for host view
// calc.v1.Calculator and the add-in Calc 1.2.0.
static inline void
du_calc_chain(void)
{
	du_deploy("contract", "contracts/calc.so");
	du_deploy("host_adapter", "host-adapters/calc.so");
	du_deploy("addin_adapter", "addin-adapters/calc.so");
	du_deploy("addin_calc", "addins/calc/libcalc.so");
}

// du_patch_section_size copies fixture @name to @rel with the size of its
// metadata section set to @size.
static inline void
du_patch_section_size(const char *name, const char *rel, uint64_t size)
{
	size_t len;
	char  *img       = du_slurp(du_fixture(name), &len);
	DU_ELF(Ehdr) *eh = (DU_ELF(Ehdr) *) (void *) img;
	DU_ELF(Shdr) *sh = (DU_ELF(Shdr) *) (void *) (img + eh->e_shoff);
	const char *strs = img + sh[eh->e_shstrndx].sh_offset;
	bool        done = false;
	for (int i = 0; i < eh->e_shnum; i++) {
		if (strcmp(strs + sh[i].sh_name, ADDIN_SEGMENT_SECTION) == 0) {
			sh[i].sh_size = size;
			done          = true;
		}
	}
	ADDIN_CHECK(done);
	du_write(rel, img, len);
	free(img);
}

// du_run runs @argv with the environment, stdout and stderr to the files
// @out and @err (may be NULL: /dev/null), and returns its exit status (or
// 128 + signal).
static inline int
du_run(const char *const argv[], const char *out, const char *err)
{
	pid_t pid;
	int   status;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ADDIN_CHECK(pid >= 0);
	if (pid == 0) {
		int o = open(out ? out : "/dev/null",
		             O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err ? err : "/dev/null",
		             O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0) {
			_exit(126);
		}
		execv(argv[0], (char *const *) (uintptr_t) argv);
		_exit(127);
	}
	ADDIN_CHECK(waitpid(pid, &status, 0) == pid);
	if (WIFSIGNALED(status)) {
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

// du_warnings_check: @w holds exactly the warnings @expect (pairs of a
// path relative to the pipeline directory, or "" for the directory itself,
// and a text the message must contain; NULL-terminated).
static inline void
du_warnings_check(const addin_warnings *w, const char *const *expect)
{
	size_t n     = 0;
	size_t count = addin_warnings_count(w);
	for (size_t i = 0; i < count; i++) {
		printf("  warning: %s\n", addin_warnings_text(w, i));
	}
	for (; expect[2 * n] != NULL; n++) {
		const char *want = expect[2 * n][0] == '\0'
		                       ? du_pipe
		                       : du_path(expect[2 * n]);
		int         hits = 0;
		for (size_t i = 0; i < count; i++) {
			if (strcmp(addin_warnings_path(w, i), want) == 0 &&
			    strstr(addin_warnings_message(w, i),
			           expect[2 * n + 1]) != NULL) {
				hits++;
			}
		}
		ADDIN_CHECKF(hits == 1, "warning for %s containing \"%s\": %d",
		             want, expect[2 * n + 1], hits);
	}
	ADDIN_CHECKF(count == n, "%zu warnings, expected %zu", count, n);
}

#endif // ADDIN_DISCOVERY_UTIL_H
