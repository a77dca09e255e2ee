// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#ifndef ADDIN_VERSION_H
#define ADDIN_VERSION_H

#include <stdint.h>

#include "addin/api.h"

#ifdef __cplusplus
extern "C" {
#endif

// The version of Bulkhead these headers belong to.  The major number is the
// ABI major (the SOVERSION of libaddin-sdk and libaddin-host).
#define ADDIN_VERSION_MAJOR 0
#define ADDIN_VERSION_MINOR 2
#define ADDIN_VERSION_PATCH 0

// ADDIN_VERSION_NUMBER is MAJOR * 10000 + MINOR * 100 + PATCH, for #if tests.
// Generated code refuses to compile against older headers than it needs.
#define ADDIN_VERSION_NUMBER                                       \
	(ADDIN_VERSION_MAJOR * 10000 + ADDIN_VERSION_MINOR * 100 + \
	 ADDIN_VERSION_PATCH)
#define ADDIN_SDK_VERSION_NUMBER ADDIN_VERSION_NUMBER

// ADDIN_WIRE_VERSION is the version of the envelope in
// contracts/addin/wire.proto.  Both sides of a channel send the range they
// speak in their hello; a peer that speaks none of ours is refused with
// ADDIN_EVERSION.
#define ADDIN_WIRE_VERSION     1
#define ADDIN_WIRE_VERSION_MIN 1

// ADDIN_ABI_VERSION is the version of the in-memory structures shared by the
// runtime and generated or user code (addin/segment.h, addin/object.h).
#define ADDIN_ABI_VERSION 1

// addin_version returns ADDIN_VERSION_NUMBER of the library actually loaded,
// which may be newer than the headers a program was compiled with.
// Thread-safe.
ADDIN_API uint32_t addin_version(void);

// addin_version_string returns the library's version as "MAJOR.MINOR.PATCH".
// The string is static.  Thread-safe.
ADDIN_API const char *addin_version_string(void);

#ifdef __cplusplus
}
#endif

#endif // ADDIN_VERSION_H
