// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Handing the policy from the host to the runner: a sealed memfd the
// runner inherits (or any readable descriptor, e.g. a pipe).

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sandbox.h"

addin_err
addin__sandbox_policy_to_fd(const addin__sandbox_policy *p, int *ret_fd)
{
	char     *buf;
	size_t    len, off = 0;
	addin_err rv;
	int       fd;

	rv = addin__sandbox_policy_encode(p, &buf, &len);
	if (rv != ADDIN_OK) {
		return rv;
	}
	fd = memfd_create("bulkhead-sandbox-policy",
	                  MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		rv = addin__syserr(ADDIN_ESYSERR, errno,
		                   "sandbox: memfd_create");
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			rv =
			    addin__syserr(ADDIN_ESYSERR, n < 0 ? errno : EIO,
			                  "sandbox: writing the policy memfd");
			goto fail_fd;
		}
		off += (size_t) n;
	}
	if (fcntl(fd, F_ADD_SEALS,
	          F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) !=
	    0) {
		rv = addin__syserr(ADDIN_ESYSERR, errno,
		                   "sandbox: sealing the policy memfd");
		goto fail_fd;
	}
	*ret_fd = fd;
	goto out;

fail_fd:
	close(fd);
out:
	addin__free(buf);
	return rv;
}

addin_err
addin__sandbox_policy_from_fd(int fd, addin__sandbox_policy *ret_p)
{
	size_t    cap      = ADDIN__SANDBOX_POLICY_MAX + 1;
	size_t    len      = 0;
	bool      seekable = true;
	addin_err rv;
	char     *buf = addin__alloc(cap);

	if (buf == NULL) {
		return addin__seterr(ADDIN_ENOMEM, "sandbox: policy buffer");
	}
	while (len < cap) {
		ssize_t n = seekable
		                ? pread(fd, buf + len, cap - len, (off_t) len)
		                : read(fd, buf + len, cap - len);
		if (n < 0 && errno == ESPIPE && seekable) {
			seekable = false;
			continue;
		}
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			rv = addin__syserr(ADDIN_ESYSERR, errno,
			                   "sandbox: reading the policy");
			goto out;
		}
		if (n == 0) {
			break;
		}
		len += (size_t) n;
	}
	// More than the bound is refused by the decoder.
	rv = addin__sandbox_policy_decode(buf, len, ret_p);
out:
	addin__free(buf);
	return rv;
}
