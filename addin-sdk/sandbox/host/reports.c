// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The host's end of the report socket: making the pair, and draining what
// the runner sent (applied mechanisms, a failed setup step, a seccomp
// violation), and describing what the runner said it applied.  Every
// packet is untrusted; a bad one is counted and dropped.

#define _GNU_SOURCE

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "sandbox_host.h"

addin_err
addin__sandbox_report_pipe(int ret_fds[2])
{
	int fds[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
		return addin__syserr(ADDIN_ESYSERR, errno,
		                     "sandbox: report socketpair");
	}
	// The host only reads; the runner only writes.
	shutdown(fds[0], SHUT_WR);
	shutdown(fds[1], SHUT_RD);
	ret_fds[0] = fds[0];
	ret_fds[1] = fds[1];
	return ADDIN_OK;
}

// keep files @rec into @r: the first record of each type wins.
static void
keep(addin__sandbox_reports *r, const addin__sandbox_record *rec)
{
	switch (rec->type) {
	case ADDIN__REC_APPLIED:
		if (!r->have_applied) {
			r->applied      = *rec;
			r->have_applied = true;
		} else {
			// Stage 2 is reported after add-in code ran.
			r->applied.flags |= rec->flags & ADDIN__APPLIED_STAGE2;
		}
		break;
	case ADDIN__REC_SIGSYS:
		if (!r->have_sigsys) {
			r->sigsys      = *rec;
			r->have_sigsys = true;
		}
		break;
	default:
		if (!r->have_setup) {
			r->setup      = *rec;
			r->have_setup = true;
		}
		break;
	}
}

addin_err
addin__sandbox_reports_drain(int fd, addin__sandbox_reports *r)
{
	for (int i = 0; i < 256; i++) {
		unsigned char         buf[sizeof(addin__sandbox_record) + 1];
		addin__sandbox_record rec;
		ssize_t               n =
		    recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				return ADDIN_OK;
			}
			return addin__syserr(ADDIN_ESYSERR, errno,
			                     "sandbox report: recv");
		}
		if (n == 0) {
			return ADDIN_ECLOSED;
		}
		if (addin__sandbox_record_decode(buf, (size_t) n, &rec) !=
		    ADDIN_OK) {
			r->garbage++;
			continue;
		}
		keep(r, &rec);
	}
	return ADDIN_OK;
}

// ---------------------------------------------------------------- describing

struct out {
	char  *buf;
	size_t size, len;
};

static void
add(struct out *o, const char *s)
{
	size_t n = strlen(s);
	if (o->size == 0) {
		return;
	}
	if (o->len + n >= o->size) {
		n = o->size - 1 - o->len;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

void
addin__sandbox_describe(uint32_t flags, char *buf, size_t size)
{
	struct out o     = {buf, size, 0};
	bool       first = true;

	if (size == 0) {
		return;
	}
	buf[0] = '\0';
	add(&o, "ns=");
	for (uint32_t bit = 1; bit <= ADDIN__NS_ALL; bit <<= 1) {
		if ((flags & bit) != 0) {
			add(&o, first ? "" : ",");
			add(&o, addin__sandbox_ns_name(bit));
			first = false;
		}
	}
	if (first) {
		add(&o, "none");
	}
	add(&o,
	    (flags & ADDIN__APPLIED_REAPER) ? " reaper=yes" : " reaper=no");
	add(&o, (flags & ADDIN__APPLIED_FS) ? " fs=private-root" : " fs=host");
	add(&o, (flags & ADDIN__APPLIED_IDENTITY) ? " uid=dropped"
	                                          : " uid=unchanged");
	add(&o, (flags & ADDIN__APPLIED_NNP) ? " nnp=yes" : " nnp=no");
	add(&o, " rlimits=");
	add(&o, (flags & ADDIN__APPLIED_LIMITS) ? "yes" : "no");
	if (flags & ADDIN__APPLIED_RLIMIT_DATA) {
		add(&o, "+data");
	}
	if (flags & ADDIN__APPLIED_RLIMIT_NPROC) {
		add(&o, "+nproc");
	}
	add(&o, " seccomp=");
	if ((flags & (ADDIN__APPLIED_STAGE1 | ADDIN__APPLIED_STAGE2)) == 0) {
		add(&o, "none");
	} else {
		add(&o, (flags & ADDIN__APPLIED_STAGE1) ? "stage1" : "");
		add(&o, (flags & ADDIN__APPLIED_STAGE1) &&
		                (flags & ADDIN__APPLIED_STAGE2)
		            ? "+"
		            : "");
		add(&o, (flags & ADDIN__APPLIED_STAGE2) ? "stage2" : "");
	}
	add(&o, (flags & ADDIN__APPLIED_SIGSYS) ? " sigsys-report=yes"
	                                        : " sigsys-report=no");
}
