// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// addin_test_signal.h: the add-in side of the harness's events
// (addin_test_event in addin_test.h).  A test add-in or test service that
// reaches a point a case must wait for -- a call has begun and will now
// sleep or spin -- calls addin_test_signal_entered() there.  The case made
// the event and put its ADDIN_TEST_ENTERED_ENV into the add-in's
// environment (the activation's env, or setenv() for an add-in that runs in
// the case's own process).  Without the variable the call does nothing, so
// the add-ins behave as before for every other case.
//
// Only libc, no allocation: it runs in add-in processes and in sandboxes,
// where the event's directory is granted read-only (a FIFO stays writable
// on a read-only mount) and nothing else of the case is visible.

#ifndef ADDIN_TEST_SIGNAL_H
#define ADDIN_TEST_SIGNAL_H

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

// The environment variable that names the FIFO of the event "entered".
#define ADDIN_TEST_ENTERED_ENV "BULKHEAD_TEST_ENTERED"

// addin_test_signal_entered raises the event named by $BULKHEAD_TEST_ENTERED
// (one byte written to its FIFO), if there is one.  Never blocks: the case
// holds the FIFO open, and one that gave up waiting must not hang the
// add-in.
static inline void
addin_test_signal_entered(void)
{
	const char *path = getenv(ADDIN_TEST_ENTERED_ENV);
	int         fd;

	if (path == NULL || *path == '\0') {
		return;
	}
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = write(fd, "e", 1);
		(void) n; // a full FIFO already says "entered"
		close(fd);
	}
}

#endif // ADDIN_TEST_SIGNAL_H
