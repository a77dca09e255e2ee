// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// checks.h: host-side checks of the generated views, written only against
// the generated host view headers (no protobuf, no adapter, no loader).
// Each calls every method of its contract through a host view object and
// checks the results, for every mapped type, freeing every output.  They
// expect the test add-ins of tests/gen/ (gen-alltypes-addin,
// gen-presence-addin, gen-calculator-addin) behind the object, and work at
// every isolation level: in process, direct connect, or across a runner
// process.
//
// On a failed check they print "file:line: what" to stderr and abort(),
// which fails the harness case running them.  Link the static library
// gen_checks.

#ifndef GEN_CHECKS_H
#define GEN_CHECKS_H

#include "alltypes/v1/alltypes.host.h"
#include "calculator/v1/calculator.host.h"
#include "presence/v1/presence.host.h"

// check_all_types calls every method of alltypes.v1.AllTypes: every scalar,
// repeated, nested, recursive and oneof mapping in both directions, an
// empty call, and add-in errors with and without a message.
void check_all_types(alltypes_v1_all_types *obj);

// check_faults makes alltypes.v1.AllTypes.Fail fail and checks that host
// code sees the add-in's code and message as they are (511 bytes with
// control characters, truncated beyond), and ADDIN_EREMOTE for a code
// Bulkhead does not know (except by @direct connect, where the add-in's
// code arrives as it is).  The same at every isolation level.
void check_faults(alltypes_v1_all_types *obj, bool direct);

// check_presence calls presence.v1.Presence: proto2 optional fields absent
// (defaults) and present (including zero values), nested and NULL structs.
void check_presence(presence_v1_presence *obj);

// check_calculator calls calculator.v1.Calculator: name, operations, the
// four operations, and the add-in's errors (division by zero, unknown
// operation, wrong arity).
void check_calculator(calculator_v1_calculator *obj);

// The check macros, for the tests that use these checks.
void gen_check_fail(const char *file, int line, const char *what)
    __attribute__((noreturn));

#define GEN_CHECK(cond)                                            \
	do {                                                       \
		if (!(cond)) {                                     \
			gen_check_fail(__FILE__, __LINE__, #cond); \
		}                                                  \
	} while (0)

#endif // GEN_CHECKS_H
