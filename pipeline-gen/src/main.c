// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// protoc-gen-pipeline: the protoc plugin that generates Bulkhead's views and
// adapters from contracts.  This file only does I/O: read the
// CodeGeneratorRequest from stdin, answer the CodeGeneratorResponse on
// stdout.  A problem in a .proto goes into the response's error (protoc
// prints it and fails) and the plugin exits 0; an internal failure goes to
// stderr with exit status 1.

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pg.h"

static void
usage(FILE *out)
{
	fprintf(
	    out,
	    "protoc-gen-pipeline %s: Bulkhead's contract compiler (a protoc "
	    "plugin).\n"
	    "\n"
	    "It turns a contract (one versioned .proto service) into C views "
	    "and adapters:\n"
	    "  <base>.view.h  <base>.host.h  <base>.host-view.c  "
	    "<base>.addin.h\n"
	    "  <base>.contract.c  <base>.host-adapter.c  "
	    "<base>.addin-adapter.c\n"
	    "\n"
	    "Run it through protoc, beside protoc-c:\n"
	    "  protoc "
	    "--plugin=protoc-gen-pipeline=/path/to/protoc-gen-pipeline "
	    "\\\n"
	    "         --pipeline_out=OUT --c_out=OUT -I DIR "
	    "DIR/foo/v1/foo.proto\n"
	    "or from CMake with addin_add_contract() "
	    "(cmake/AddinContract.cmake)."
	    "\n"
	    "See docs/contracts.md.\n"
	    "\n"
	    "Options:\n"
	    "  --help      this text\n"
	    "  --version   print the version\n",
	    PG_VERSION);
}

static uint8_t *
read_all(FILE *in, size_t *ret_len)
{
	uint8_t *buf = NULL;
	size_t   cap = 0, len = 0;

	for (;;) {
		size_t n;
		buf = pg_grow(buf, &cap, len + 65536, 1);
		n   = fread(buf + len, 1, cap - len, in);
		len += n;
		if (n == 0) {
			break;
		}
	}
	if (ferror(in)) {
		pg_die("cannot read the request from stdin");
	}
	*ret_len = len;
	return buf;
}

int
main(int argc, char **argv)
{
	Google__Protobuf__Compiler__CodeGeneratorRequest *req;
	Google__Protobuf__Compiler__CodeGeneratorResponse resp =
	    GOOGLE__PROTOBUF__COMPILER__CODE_GENERATOR_RESPONSE__INIT;
	pg_ctx   ctx = {0};
	uint8_t *in, *out;
	size_t   in_len, out_len;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("protoc-gen-pipeline %s\n", PG_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stderr);
			return 0;
		}
		fprintf(stderr, "protoc-gen-pipeline: unknown option '%s'\n\n",
		        argv[i]);
		usage(stderr);
		return 1;
	}
	if (isatty(STDIN_FILENO)) {
		usage(stderr);
		fprintf(
		    stderr,
		    "\nprotoc-gen-pipeline: stdin is a terminal; it reads a "
		    "request from protoc.\n");
		return 1;
	}

	in  = read_all(stdin, &in_len);
	req = google__protobuf__compiler__code_generator_request__unpack(
	    &pg_pb_allocator, in_len, in);
	if (req == NULL) {
		pg_die("stdin is not a CodeGeneratorRequest; run the plugin "
		       "through protoc (see --help)");
	}
	ctx.req = req;
	if (!pg_generate(&ctx, &resp)) {
		resp.error  = ctx.error;
		resp.n_file = 0;
		resp.file   = NULL;
	}
	out_len = protobuf_c_message_get_packed_size(&resp.base);
	out     = pg_alloc(out_len + 1);
	protobuf_c_message_pack(&resp.base, out);
	if (fwrite(out, 1, out_len, stdout) != out_len ||
	    fflush(stdout) != 0) {
		pg_die("cannot write the response to stdout");
	}
	pg_alloc_release_all();
	return 0;
}
