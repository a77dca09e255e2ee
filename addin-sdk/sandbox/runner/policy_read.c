// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Reading the policy the host handed over: the sealed memfd the runner
// inherited (or any readable descriptor, e.g. a pipe), bounded.

#define _GNU_SOURCE

#include <errno.h>
#include <unistd.h>

#include "sandbox_runner.h"

addin_err
addin__sandbox_policy_from_fd(int fd, addin__sandbox_policy *ret_p)
{
	size_t    cap      = ADDIN__SANDBOX_POLICY_MAX + 1;
	size_t    len      = 0;
	bool      seekable = true;
	addin_err rv;
	uint8_t  *buf = addin__alloc(cap);

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
