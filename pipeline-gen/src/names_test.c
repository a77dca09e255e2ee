// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// C names: Bulkhead's view names, and protoc-c 1.4's names for the same
// things, which the adapters must spell exactly as protoc-c does (the
// expected values are copied from protoc-c's output for
// contracts/test/names/v1/names.proto).

#include <string.h>

#include "addin_test.h"
#include "pg.h"

static void
test_snake(void)
{
	ADDIN_CHECK_STR(pg_snake("GetName"), "get_name");
	ADDIN_CHECK_STR(pg_snake("HTTPServer_Admin"), "http_server_admin");
	ADDIN_CHECK_STR(pg_snake("GetV2Status"), "get_v2_status");
	ADDIN_CHECK_STR(pg_snake("do_thing"), "do_thing");
	ADDIN_CHECK_STR(pg_snake("getHTTPResponseCode"),
	                "get_http_response_code");
	ADDIN_CHECK_STR(pg_snake("ABC"), "abc");
	ADDIN_CHECK_STR(pg_snake("Foo_Bar"), "foo_bar");
	ADDIN_CHECK_STR(pg_snake("FooBar"), "foo_bar");
	pg_alloc_release_all();
}

static void
test_protoc_c(void)
{
	ADDIN_CHECK_STR(pg_pbc_type("names.v1.Foo_bar.Inner_Msg"),
	                "Names__V1__FooBar__InnerMsg");
	ADDIN_CHECK_STR(pg_pbc_lower("names.v1.Foo_bar.Inner_Msg"),
	                "names__v1__foo_bar__inner__msg");
	ADDIN_CHECK_STR(pg_pbc_type("names.v1.HTTPRequest"),
	                "Names__V1__HTTPRequest");
	ADDIN_CHECK_STR(pg_pbc_lower("names.v1.HTTPRequest"),
	                "names__v1__httprequest");
	ADDIN_CHECK_STR(pg_pbc_type("names.v1.HTTPServer_Admin"),
	                "Names__V1__HTTPServerAdmin");
	ADDIN_CHECK_STR(pg_pbc_lower("names.v1.HTTPServer_Admin"),
	                "names__v1__httpserver__admin");
	ADDIN_CHECK_STR(pg_pbc_upper("calculator.v1.OperateRequest"),
	                "CALCULATOR__V1__OPERATE_REQUEST");
	ADDIN_CHECK_STR(pg_pbc_type("names.v1.HTTPRequest.Value_X"),
	                "Names__V1__HTTPRequest__ValueX");
	ADDIN_CHECK_STR(pg_pbc_oneof("Value_X"), "value__x");
	ADDIN_CHECK_STR(pg_pbc_oneof("kindOf"), "kind_of");
	ADDIN_CHECK_STR(pg_pbc_field("new"), "new_");
	ADDIN_CHECK_STR(pg_pbc_field("fooBar"), "foobar");
	ADDIN_CHECK_STR(pg_pbc_field("Raw"), "raw");
	ADDIN_CHECK_STR(pg_pbc_field("private"), "private_");
	pg_alloc_release_all();
}

static void
test_reserved(void)
{
	ADDIN_CHECK(pg_is_reserved_word("register"));
	ADDIN_CHECK(pg_is_reserved_word("typeof"));
	ADDIN_CHECK(pg_is_reserved_word("size_t"));
	ADDIN_CHECK(pg_is_reserved_word("bool"));
	ADDIN_CHECK(pg_is_reserved_word("memset")); // generated code calls it
	ADDIN_CHECK(!pg_is_reserved_word("type"));
	ADDIN_CHECK(!pg_is_reserved_word("new")); // C++ only: fine in C
	ADDIN_CHECK(pg_is_identifier("a_1"));
	ADDIN_CHECK(!pg_is_identifier("1a"));
	ADDIN_CHECK(!pg_is_identifier(""));
}

static void
test_wrap(void)
{
	const char *in =
	    "\t// one two three four five six seven eight nine ten "
	    "eleven twelve thirteen fourteen fifteen\n"
	    "int x; // not a comment line: left alone, however long "
	    "it is, because it is code\n";
	const char *want =
	    "\t// one two three four five six seven eight nine ten eleven "
	    "twelve\n"
	    "\t// thirteen fourteen fifteen\n"
	    "int x; // not a comment line: left alone, however long it is, "
	    "because it is code\n";
	ADDIN_CHECK_STR(pg_wrap_comments(in), want);
	pg_alloc_release_all();
}

// Text from the .proto that lands in generated C: file names in string
// literals, comments in // comments.  No "??" survives (trigraphs), nor a
// quote, backslash or control byte in a literal.  (The "??" here are
// written "?\?" themselves.)
static void
test_c_text(void)
{
	pg_buf b = {0};

	ADDIN_CHECK_STR(pg_c_string("a/v1/b.proto"), "a/v1/b.proto");
	ADDIN_CHECK_STR(pg_c_string("q\"\\x"), "q\\\"\\\\x");
	ADDIN_CHECK_STR(pg_c_string("a?\?/b?\?\?="), "a?\\?/b?\\?\\?=");
	ADDIN_CHECK_STR(pg_c_string("t\tn\n\x7f"
	                            "1\xc3\xa9"),
	                "t\\011n\\012\\1771\xc3\xa9");
	pg_emit_comment(&b, "\t", " ends in ?\?/\n?\?\? and ?\\\n");
	ADDIN_CHECK_STR(pg_buf_str(&b),
	                "\t// ends in ?\\?/\n\t// ?\\?\\? and ?\n");
	pg_alloc_release_all();
}

ADDIN_TEST_LIST = {
    {"view names are snake case, acronyms kept whole", test_snake},
    {"protoc-c's names are spelled as protoc-c spells them", test_protoc_c},
    {"C keywords and standard names are reserved", test_reserved},
    {"comment lines wrap at 79 columns, code does not", test_wrap},
    {"file names and comments are safe in C text", test_c_text},
    {NULL, NULL},
};
