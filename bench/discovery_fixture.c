// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Segment libraries for bench-discovery, compiled once per kind with
// -DBF_<KIND>.  The add-in's name and description carry a placeholder that
// the benchmark overwrites in each copy, so that 1,000 copies are 1,000
// distinct add-ins (metadata lives in the file).

#include "addin/segment.h"

#define H "9f86d081884c7d659a2feaa0c55ad015"

#if defined(BF_CONTRACT)
ADDIN_SEGMENT_RECORD(meta, ADDIN_KV("kind", "contract")
                               ADDIN_KV("name", "Bench contract")
                                   ADDIN_KV("contract", "bench.v1.Bench")
                                       ADDIN_KV("contract-hash", H));
#elif defined(BF_HOST_ADAPTER)
ADDIN_SEGMENT_RECORD(meta, ADDIN_KV("kind", "host-adapter")
                               ADDIN_KV("host-view", "bench.v1.Bench")
                                   ADDIN_KV("host-view-hash", H)
                                       ADDIN_KV("contract", "bench.v1.Bench")
                                           ADDIN_KV("contract-hash", H));
#elif defined(BF_ADDIN_ADAPTER)
ADDIN_SEGMENT_RECORD(meta, ADDIN_KV("kind", "addin-adapter")
                               ADDIN_KV("contract", "bench.v1.Bench")
                                   ADDIN_KV("contract-hash", H)
                                       ADDIN_KV("addin-view", "bench.v1.Bench")
                                           ADDIN_KV("addin-view-hash", H));
#elif defined(BF_ADDIN)
ADDIN_SEGMENT_RECORD(
    meta,
    ADDIN_KV("kind", "addin") ADDIN_KV("name", "Bench add-in @@@@@@")
        ADDIN_KV("version", "1.0.0") ADDIN_KV("publisher", "Bulkhead bench")
            ADDIN_KV("description", "copy @@@@@@ of the benchmark add-in")
                ADDIN_KV("addin-view", "bench.v1.Bench")
                    ADDIN_KV("addin-view-hash", H)
                        ADDIN_QUALIFY("tier", "bench") ADDIN_NEEDS("scratch"));

int bench_addin_work(int x);

int
bench_addin_work(int x)
{
	return x * 3 + 1;
}
#else
#error "define one BF_* kind"
#endif
