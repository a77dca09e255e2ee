// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The run: answer a CodeGeneratorRequest by modelling each file to
// generate (model.c, model_names.c, hash.c), then writing its outputs
// (gen_file.c) into the CodeGeneratorResponse, in the request's order.

#include <string.h>

#include "pg.h"

static void
add_output(Google__Protobuf__Compiler__CodeGeneratorResponse *resp,
           size_t *cap, const char *name, pg_buf *b)
{
	Google__Protobuf__Compiler__CodeGeneratorResponse__File *out =
	    pg_alloc(sizeof(*out));

	google__protobuf__compiler__code_generator_response__file__init(out);
	out->name    = pg_strdup(name);
	out->content = pg_wrap_comments(pg_buf_str(b));
	resp->file =
	    pg_grow(resp->file, cap, resp->n_file + 1, sizeof(*resp->file));
	resp->file[resp->n_file++] = out;
}

static const pb_file *
find_file(const Google__Protobuf__Compiler__CodeGeneratorRequest *req,
          const char                                             *name)
{
	for (size_t i = 0; i < req->n_proto_file; i++) {
		if (strcmp(req->proto_file[i]->name, name) == 0) {
			return req->proto_file[i];
		}
	}
	return NULL;
}

bool
pg_generate(pg_ctx                                            *ctx,
            Google__Protobuf__Compiler__CodeGeneratorResponse *resp)
{
	const Google__Protobuf__Compiler__CodeGeneratorRequest *req = ctx->req;
	size_t                                                  cap = 0;

	// The plugin reads protoc's proto3_optional flag itself, to reject it
	// with a line number rather than let protoc refuse the plugin.
	resp->has_supported_features = true;
	resp->supported_features     = 1; // FEATURE_PROTO3_OPTIONAL
	if (req->parameter != NULL && req->parameter[0] != '\0') {
		ctx->error =
		    pg_fmt("protoc-gen-pipeline takes no options, got "
		           "'%s'",
		           req->parameter);
		return false;
	}
	ctx->files =
	    pg_alloc(req->n_file_to_generate * sizeof(*ctx->files) + 1);
	for (size_t i = 0; i < req->n_file_to_generate; i++) {
		const pb_file *pb = find_file(req, req->file_to_generate[i]);
		pg_file       *f;
		if (pb == NULL) {
			ctx->error = pg_fmt("%s: not in the request",
			                    req->file_to_generate[i]);
			return false;
		}
		if (!pg_model_file(ctx, pb, &f) || !pg_model_names(ctx, f) ||
		    !pg_contract_hash(ctx, f)) {
			return false;
		}
		ctx->files[ctx->n_files++] = f;
	}
	for (size_t i = 0; i < ctx->n_files; i++) {
		const pg_file *f = ctx->files[i];
		for (size_t j = 0; j < pg_n_outputs; j++) {
			pg_buf b = {0};
			pg_outputs[j].gen(&b, f);
			add_output(
			    resp, &cap,
			    pg_fmt("%s%s", f->base, pg_outputs[j].suffix), &b);
		}
	}
	return true;
}
