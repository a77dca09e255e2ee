// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Handing the policy to the runner: encoded into a memfd that is sealed
// before the runner inherits it, so nothing can change it afterwards.

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sandbox_host.h"

addin_err
addin__sandbox_policy_to_fd(const addin__sandbox_policy *p, int *ret_fd)
{
	uint8_t  *buf;
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
