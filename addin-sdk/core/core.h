// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// core.h: internal declarations of the core library (addin-sdk/core/: the
// wire, the channel, the transport, the executor, the loader and the
// platform layer), which libaddin-host and addin-runner link statically.
// Nothing here is exported from a shipped library (docs/architecture.md,
// "Layers and libraries").  It includes the runtime's private interface.

#ifndef ADDIN_CORE_H
#define ADDIN_CORE_H

#include <stdint.h>

#include "runtime.h"

// addin__deconst drops const from a string that an interface takes as
// `char *` but only reads: fields of a protobuf-c message being packed,
// argv and envp of a spawn.  Never used to write.
static inline char *
addin__deconst(const char *s)
{
	union {
		const char *c;
		char       *m;
	} u = {s};
	return u.m;
}

// Fixed exit codes of the add-in runner, which the host maps to causes.
// Values below 80 are left to add-in code calling exit().
#define ADDIN_EXIT_OK            0
#define ADDIN_EXIT_USAGE         80 // bad command line
#define ADDIN_EXIT_PARENT_GONE   81 // the host died before we started
#define ADDIN_EXIT_CONNECT       82 // could not connect or shake hands
#define ADDIN_EXIT_INTERNAL      83 // the runner itself failed
#define ADDIN_EXIT_SANDBOX_SETUP 84 // a sandbox stage failed: fail closed
#define ADDIN_EXIT_HOST_GONE     85 // the host closed the channel or died

// Time (platform/linux.c).

// addin__now_ms returns CLOCK_MONOTONIC in milliseconds.
ADDIN_PRIVATE int64_t addin__now_ms(void);

#endif // ADDIN_CORE_H
