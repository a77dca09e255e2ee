// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// fuzz.h: what the fuzz targets (tests/fuzz/fuzz_*.c), their replay driver
// (replay.c) and the seed corpus generator (gen_corpus.c) share.
//
// A target is one LLVMFuzzerTestOneInput over the bytes an untrusted party
// controls.  It runs the code under test exactly as the product does, then
// checks what the product relies on (FUZZ_CHECK); a failed check, like a
// sanitizer report, is a crash.  Built three ways: with libFuzzer by
// `make fuzz` (clang, ASan+UBSan), and without it, fed the committed corpus
// by replay.c, in every ctest build (gcc, and gcc with ASan+UBSan).

#ifndef ADDIN_FUZZ_H
#define ADDIN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <protobuf-c/protobuf-c.h>

#include "addin/wire.pb-c.h"
#include "test/alltypes/v1/alltypes.pb-c.h"
#include "testsvc.pb-c.h"

// The entry point libFuzzer calls (and replay.c).  Returns 0.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// FUZZ_CHECK aborts when @cond is false: a property the product relies on
// does not hold for this input.
#define FUZZ_CHECK(cond)                                             \
	do {                                                         \
		if (!(cond)) {                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", \
			        __FILE__, __LINE__, #cond);          \
			abort();                                     \
		}                                                    \
	} while (0)

// The services whose methods the frame target decodes payloads for: the
// runner's Control service (every channel carries it), the transport's
// test service (proto2: every field kind, nesting, recursion) and the
// alltypes.v1 contract (proto3: packed repeats, oneofs, recursion).
static inline const ProtobufCServiceDescriptor *
fuzz_service(size_t i)
{
	static const ProtobufCServiceDescriptor *const svcs[] = {
	    &addin__wire__v1__control__descriptor,
	    &bulkhead__test__v1__test_service__descriptor,
	    &alltypes__v1__all_types__descriptor,
	};
	return i < sizeof(svcs) / sizeof(svcs[0]) ? svcs[i] : NULL;
}
#define FUZZ_SERVICES 3

// What a frame's ids stand for in the frame target, as the channel's tables
// would say in a real process: a CALL's object id names an exported object
// (its service: object_id % FUZZ_SERVICES) and its method index a method
// of it; a RETURN's call id names the pending call it answers (service
// call_id % FUZZ_SERVICES, method call_id / FUZZ_SERVICES modulo the
// service's method count).
static inline const ProtobufCServiceDescriptor *
fuzz_call_service(uint64_t object_id)
{
	return fuzz_service((size_t) (object_id % FUZZ_SERVICES));
}

static inline const ProtobufCServiceDescriptor *
fuzz_return_service(uint64_t call_id, unsigned *ret_method)
{
	const ProtobufCServiceDescriptor *d =
	    fuzz_service((size_t) (call_id % FUZZ_SERVICES));
	*ret_method = (unsigned) (call_id / FUZZ_SERVICES % d->n_methods);
	return d;
}

#endif // ADDIN_FUZZ_H
