// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Segment libraries for the discovery tests, real shared objects made by
// the compiler.  This file is compiled once per fixture with -DFX_<NAME>;
// each variant carries the metadata records (addin/segment.h) of one good
// or broken segment.  None has entry points: discovery never needs them.

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addin/segment.h"

#define H1 "1111aaaa" // the text of calc.v1.Calculator
#define H2 "2222bbbb" // the text of calc.v2.Calculator
#define H3 "3333cccc" // another text of calc.v1.Calculator

#if defined(FX_CONTRACT)
ADDIN_SEGMENT_RECORD(meta,
                     ADDIN_KV("kind", "contract")
                         ADDIN_KV("name", "Calculator contract")
                             ADDIN_KV("version", "1.0")
                                 ADDIN_KV("contract", "calc.v1.Calculator")
                                     ADDIN_KV("contract-hash", H1)
                                         ADDIN_QUALIFY("wire", "protobuf"));

#elif defined(FX_HOST_ADAPTER)
ADDIN_SEGMENT_RECORD(meta,
                     ADDIN_KV("kind", "host-adapter")
                         ADDIN_KV("name", "Calculator host side")
                             ADDIN_KV("host-view", "calc.v1.Calculator")
                                 ADDIN_KV("host-view-hash", H1)
                                     ADDIN_KV("contract", "calc.v1.Calculator")
                                         ADDIN_KV("contract-hash", H1));

#elif defined(FX_ADDIN_ADAPTER)
ADDIN_SEGMENT_RECORD(meta,
                     ADDIN_KV("kind", "addin-adapter")
                         ADDIN_KV("name", "Calculator v1 side")
                             ADDIN_KV("contract", "calc.v1.Calculator")
                                 ADDIN_KV("contract-hash", H1)
                                     ADDIN_KV("addin-view",
                                              "calc.v1.Calculator")
                                         ADDIN_KV("addin-view-hash", H1));

#elif defined(FX_ADDIN_ADAPTER_V2)
// A cross-version adapter: contract v1 to add-in view v2.
ADDIN_SEGMENT_RECORD(meta,
                     ADDIN_KV("kind", "addin-adapter")
                         ADDIN_KV("name", "Calculator v2 side")
                             ADDIN_KV("contract", "calc.v1.Calculator")
                                 ADDIN_KV("contract-hash", H1)
                                     ADDIN_KV("addin-view",
                                              "calc.v2.Calculator")
                                         ADDIN_KV("addin-view-hash", H2));

#elif defined(FX_ADDIN_CALC)
// Metadata a terminal or a JSON parser could choke on, on purpose.
ADDIN_SEGMENT_RECORD(
    meta,
    ADDIN_KV("kind", "addin") ADDIN_KV("name", "Calc")
        ADDIN_KV("version", "1.2.0") ADDIN_KV("publisher", "Acme \"Tools\"")
            ADDIN_KV("description", "Adds.\n\tSubtracts \\ \x01\x1b[31m "
                                    "\xff\xfe caf\xc3\xa9")
                ADDIN_KV("addin-view", "calc.v1.Calculator")
                    ADDIN_KV("addin-view-hash", H1)
                        ADDIN_QUALIFY("culture", "en")
                            ADDIN_QUALIFY("area", "math")
                                ADDIN_NEEDS("scratch") ADDIN_NEEDS("network"));
int fx_calc_add(int a, int b);

int
fx_calc_add(int a, int b)
{
	return a + b;
}

#elif defined(FX_ADDIN_V2)
ADDIN_SEGMENT_RECORD(meta, ADDIN_KV("kind", "addin") ADDIN_KV("name", "Calc")
                               ADDIN_KV("version",
                                        "2.0.0") ADDIN_KV("publisher", "Acme")
                                   ADDIN_KV("addin-view", "calc.v2.Calculator")
                                       ADDIN_KV("addin-view-hash", H2));

#elif defined(FX_ADDIN_MARK)
// An add-in whose constructor leaves a mark: running any of its code (by
// loading it) writes the file named by $ADDIN_TEST_MARK.
ADDIN_SEGMENT_RECORD(meta, ADDIN_KV("kind", "addin") ADDIN_KV("name", "Marker")
                               ADDIN_KV("version", "1")
                                   ADDIN_KV("addin-view", "calc.v1.Calculator")
                                       ADDIN_KV("addin-view-hash", H1));

__attribute__((constructor)) static void
leave_mark(void)
{
	const char *path = getenv("ADDIN_TEST_MARK");
	if (path != NULL) {
		int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0) {
			ssize_t n = write(fd, "ran\n", 4);
			(void) n;
			close(fd);
		}
	}
}

#elif defined(FX_ADDIN_ADAPTER_MISSING)
// Uses a contract that is not deployed.
ADDIN_SEGMENT_RECORD(meta, ADDIN_KV("kind", "addin-adapter")
                               ADDIN_KV("contract", "gone.v1.Gone")
                                   ADDIN_KV("contract-hash", H1)
                                       ADDIN_KV("addin-view", "gone.v1.Gone")
                                           ADDIN_KV("addin-view-hash", H1));

#elif defined(FX_ADDIN_ADAPTER_UNUSED)
// An adapter for an add-in view no deployed add-in implements (yet).
ADDIN_SEGMENT_RECORD(meta, ADDIN_KV("kind", "addin-adapter")
                               ADDIN_KV("contract", "calc.v1.Calculator")
                                   ADDIN_KV("contract-hash", H1)
                                       ADDIN_KV("addin-view", "later.v3.View")
                                           ADDIN_KV("addin-view-hash", H1));

#elif defined(FX_ADDIN_GONE)
// Its only adapter leads to a contract that is not deployed.
ADDIN_SEGMENT_RECORD(meta, ADDIN_KV("kind", "addin") ADDIN_KV("name", "Gone")
                               ADDIN_KV("addin-view", "gone.v1.Gone")
                                   ADDIN_KV("addin-view-hash", H1));

#elif defined(FX_HOST_ADAPTER_STALE)
// Built against another text of the contract.
ADDIN_SEGMENT_RECORD(meta,
                     ADDIN_KV("kind", "host-adapter")
                         ADDIN_KV("host-view", "calc.v1.Calculator")
                             ADDIN_KV("host-view-hash", H1)
                                 ADDIN_KV("contract", "calc.v1.Calculator")
                                     ADDIN_KV("contract-hash", H3));

#elif defined(FX_ADDIN_UNKNOWN_VIEW)
// An add-in for a view no adapter knows.
ADDIN_SEGMENT_RECORD(meta, ADDIN_KV("kind", "addin") ADDIN_KV("name", "Stray")
                               ADDIN_KV("addin-view", "nobody.v1.Nothing")
                                   ADDIN_KV("addin-view-hash", H1));

#elif defined(FX_TWO_RECORDS)
ADDIN_SEGMENT_RECORD(meta1, ADDIN_KV("kind", "addin") ADDIN_KV("name", "One")
                                ADDIN_KV("addin-view", "calc.v1.Calculator")
                                    ADDIN_KV("addin-view-hash", H1));
ADDIN_SEGMENT_RECORD(meta2, ADDIN_KV("kind", "addin") ADDIN_KV("name", "Two")
                                ADDIN_KV("addin-view", "calc.v1.Calculator")
                                    ADDIN_KV("addin-view-hash", H1));

#elif defined(FX_FUTURE_FORMAT)
// A record of a format this Bulkhead does not read.
__attribute__((section(ADDIN_SEGMENT_SECTION), used,
               aligned(1))) static const char meta[] =
    ADDIN_SEGMENT_MAGIC "\0"
                        "2\0" ADDIN_KV("kind", "addin");

#elif defined(FX_NO_NAME)
ADDIN_SEGMENT_RECORD(meta, ADDIN_KV("kind", "addin")
                               ADDIN_KV("addin-view", "calc.v1.Calculator")
                                   ADDIN_KV("addin-view-hash", H1));

#elif defined(FX_NO_RECORD)
// A plain library: what an add-in folder may hold beside the add-in.
int fx_helper(int x);

int
fx_helper(int x)
{
	return 2 * x;
}

#else
#error "define one FX_* fixture"
#endif
