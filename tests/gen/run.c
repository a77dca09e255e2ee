// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Helpers of the generator tests (run.h).

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

char *
gen_read(const char *path, size_t *ret_len)
{
	FILE  *f = fopen(path, "rb");
	char  *buf;
	size_t cap = 4096, len = 0, n;

	if (f == NULL) {
		return NULL;
	}
	buf = malloc(cap + 1);
	while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			char *nb = realloc(buf, 2 * cap + 1);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf != NULL) {
		buf[len] = '\0';
		if (ret_len != NULL) {
			*ret_len = len;
		}
	}
	return buf;
}

static void
mkdirs(const char *path)
{
	char *p = strdup(path);
	for (char *s = p + 1; p != NULL && *s != '\0'; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	}
	free(p);
}

bool
gen_write(const char *path, const void *data, size_t len)
{
	FILE *f;
	bool  ok;

	mkdirs(path);
	if ((f = fopen(path, "wb")) == NULL) {
		return false;
	}
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

char *
gen_tmpdir(void)
{
	char *d = strdup("/tmp/addin-gen-XXXXXX");
	if (d != NULL && mkdtemp(d) == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	remove(path);
	return 0;
}

void
gen_rmtree(const char *dir)
{
	if (dir != NULL) {
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
}

size_t
gen_lines(const char *s)
{
	size_t n = 0;
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\n' || s[1] == '\0') {
			n++;
		}
	}
	return n;
}

int
gen_run(char *const argv[], const char *in_path, char **ret_out,
        size_t *ret_out_len, char **ret_err)
{
	char  outp[] = "/tmp/addin-gen-out-XXXXXX";
	char  errp[] = "/tmp/addin-gen-err-XXXXXX";
	int   outfd  = mkstemp(outp);
	int   errfd  = mkstemp(errp);
	int   status = 0;
	pid_t pid;

	if (outfd < 0 || errfd < 0) {
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == 0) {
		int in =
		    open(in_path != NULL ? in_path : "/dev/null", O_RDONLY);
		if (in < 0 || dup2(in, 0) < 0 || dup2(outfd, 1) < 0 ||
		    dup2(errfd, 2) < 0) {
			_exit(127);
		}
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(outfd);
	close(errfd);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (ret_out != NULL) {
		*ret_out = gen_read(outp, ret_out_len);
	}
	if (ret_err != NULL) {
		*ret_err = gen_read(errp, NULL);
	}
	unlink(outp);
	unlink(errp);
	if (pid < 0 || !WIFEXITED(status)) {
		return -1;
	}
	return WEXITSTATUS(status);
}
