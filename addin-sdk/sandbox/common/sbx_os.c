// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Small file and number helpers of the sandbox module.

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "sbx_os.h"

ssize_t
addin__sbx_read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int    fd  = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -1;
	}
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0) {
			break;
		}
		len += (size_t) n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t) len;
}

int
addin__sbx_write_file(const char *path, const char *s)
{
	size_t  len = strlen(s);
	ssize_t n;
	int     e  = 0;
	int     fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		return errno;
	}
	do {
		n = write(fd, s, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		e = errno;
	} else if ((size_t) n != len) {
		e = EIO;
	}
	close(fd);
	return e;
}

bool
addin__sbx_word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *s = list; *s != '\0';) {
		size_t l = strcspn(s, " \t\n");
		if (l == n && memcmp(s, word, n) == 0) {
			return true;
		}
		s += l;
		s += strspn(s, " \t\n");
	}
	return false;
}

void
addin__sbx_u64(uint64_t v, char *buf)
{
	char   tmp[21];
	size_t n = 0;
	do {
		tmp[n++] = (char) ('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (size_t i = 0; i < n; i++) {
		buf[i] = tmp[n - 1 - i];
	}
	buf[n] = '\0';
}

int64_t
addin__sbx_key_value(const char *text, const char *key)
{
	size_t n = strlen(key);
	for (const char *s = text; s != NULL && *s != '\0';) {
		uint64_t v;
		if (strncmp(s, key, n) == 0 && (s[n] == ' ' || s[n] == '\t') &&
		    addin__parse_u64_prefix(s + n + strspn(s + n, " \t"),
		                            INT64_MAX, &v, NULL)) {
			return (int64_t) v;
		}
		s = strchr(s, '\n');
		s = s == NULL ? NULL : s + 1;
	}
	return -1;
}
