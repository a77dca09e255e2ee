// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The loader and its one entry, addin__segment_open: every segment is
// checked against what is expected of it (its own entry, ids, hashes, the
// contract copy an adapter uses, the file's trust), and a failure keeps its
// first message.  The segments are loader_test_segment.c, built per kind.

#define _GNU_SOURCE

#include <string.h>
#include <sys/stat.h>

#include "addin_test.h"
#include "loader.h"
#include "segment_lib.h"

#define ID   "addin.wire.v1.Control"
#define HASH "0011"
#define VIEW "test.loader.v1.View"

static addin__load_req
req_of(const char *adapter)
{
	addin__load_req r;
	memset(&r, 0, sizeof(r));
	r.name          = "loader test";
	r.addin_path    = SEG_ADDIN;
	r.adapter_path  = adapter;
	r.contract_path = SEG_CONTRACT;
	r.contract_id   = ID;
	r.contract_hash = HASH;
	r.view_id       = VIEW;
	r.view_hash     = HASH;
	return r;
}

// A bind that fails after create ran: unloading runs the add-in's destroy,
// which records an error of its own; the caller still sees the first.
static void
test_failure_keeps_its_message(void)
{
	addin__load_req r = req_of(SEG_ADAPTER_FAILS);
	addin__loaded  *l;

	ADDIN_FAIL(addin__loader_load(&r, &l), ADDIN_EINIT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "bind refused");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "loader test");
}

static void
test_entries_are_checked(void)
{
	addin__load_req r = req_of(SEG_ADAPTER_FAILS);
	addin__loaded  *l;

	// Another hash than discovery promised.
	r.contract_hash = "0012";
	ADDIN_FAIL(addin__loader_load(&r, &l), ADDIN_EMISMATCH);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "contract");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "0012");
	// A file that is not of its kind: the contract where the add-in goes.
	r            = req_of(SEG_ADAPTER_FAILS);
	r.addin_path = SEG_CONTRACT;
	ADDIN_FAIL(addin__loader_load(&r, &l), ADDIN_ESYMBOL);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "addin_entry_addin");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), SEG_CONTRACT);
	// An adapter carrying its own copy of the contract's descriptor, not
	// the contract library's.
	r = req_of(SEG_ADAPTER_OWN_COPY);
	ADDIN_FAIL(addin__loader_load(&r, &l), ADDIN_EMISMATCH);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "uses the contract of");
	// An incomplete expectation is the caller's bug, never "any".
	r         = req_of(SEG_ADAPTER_FAILS);
	r.view_id = NULL;
	ADDIN_FAIL(addin__loader_load(&r, &l), ADDIN_EINVAL);
}

static void
test_segment_open_checks_each_kind(void)
{
	addin__segment_want w;
	addin__segment_lib  lib;

	memset(&w, 0, sizeof(w));
	w.kind          = ADDIN_SEGMENT_CONTRACT;
	w.name          = "loader test";
	w.path          = SEG_CONTRACT;
	w.contract_id   = ID;
	w.contract_hash = HASH;
	ADDIN_PASS(addin__segment_open(&w, &lib));
	ADDIN_CHECK(lib.entry != NULL);
	addin__segment_close(&lib);
	ADDIN_CHECK(lib.handle == NULL);
	// The add-in view of an add-in is checked too.
	w.kind      = ADDIN_SEGMENT_ADDIN;
	w.path      = SEG_ADDIN;
	w.view_id   = VIEW;
	w.view_hash = "ffff";
	ADDIN_FAIL(addin__segment_open(&w, &lib), ADDIN_EMISMATCH);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "ffff");
	// A relative path, an unknown kind.
	w.view_hash = HASH;
	w.path      = "libsomething.so";
	ADDIN_FAIL(addin__segment_open(&w, &lib), ADDIN_ELOAD);
	w.path = SEG_ADDIN;
	w.kind = (addin_segment_kind) 9;
	ADDIN_FAIL(addin__segment_open(&w, &lib), ADDIN_EINVAL);
}

// A copy of the contract others may write is refused before it is loaded.
static void
test_untrusted_file_is_refused(void)
{
	char dir[]        = "/tmp/bulkhead-loader-XXXXXX", path[300], cmd[700];
	addin__load_req r = req_of(SEG_ADAPTER_FAILS);
	addin__loaded  *l;

	ADDIN_CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/libcontract.so", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 0664 %s", SEG_CONTRACT,
	         path, path);
	ADDIN_CHECK(system(cmd) == 0);
	r.contract_path = path;
	ADDIN_FAIL(addin__loader_load(&r, &l), ADDIN_EPERM);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), path);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "writable by group or others");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ADDIN_CHECK(system(cmd) == 0);
}

ADDIN_TEST_LIST = {
    {"a failed load keeps its first message (the destroy's does not win)",
     test_failure_keeps_its_message},
    {"ids, hashes, kinds and the adapter's contract copy are checked",
     test_entries_are_checked},
    {"addin__segment_open checks each kind and refuses bad requests",
     test_segment_open_checks_each_kind},
    {"a segment file others may write is refused",
     test_untrusted_file_is_refused},
    {NULL, NULL},
};
