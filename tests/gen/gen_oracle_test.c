// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// protoc as the oracle for wire bytes (STYLE rule 23c): what the generated
// host-side adapter puts on the wire decodes with `protoc --decode` to the
// expected text; what `protoc --encode` makes from that text reaches the
// host, and the add-in, as the expected values; and the add-in-side
// adapter's reply decodes with protoc as expected.  Rich messages: nested,
// repeated, recursive, oneof, every scalar type.

#define _GNU_SOURCE // asprintf

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addin/adapter.h"
#include "addin_test.h"
#include "alltypes/v1/alltypes.host.h"
#include "pipeline_fixture.h"
#include "run.h"

static const gen_segments segs = {
    .contract      = GEN_ALLTYPES_CONTRACT,
    .host_adapter  = GEN_ALLTYPES_HOST_ADAPTER,
    .addin_adapter = GEN_ALLTYPES_ADDIN_ADAPTER,
    .addin         = GEN_ALLTYPES_ADDIN,
};

// protoc --encode or --decode of alltypes.v1.<type>: @in (@in_len bytes)
// on stdin, the result in *ret (its length in *ret_len).
static void
protoc(const char *mode, const char *type, const void *in, size_t in_len,
       char **ret, size_t *ret_len)
{
	char *dir = gen_tmpdir(), *path, *flag, *err = NULL;
	char *argv[6];
	int   rc;

	ADDIN_CHECK(asprintf(&path, "%s/in", dir) > 0);
	ADDIN_CHECK(gen_write(path, in, in_len));
	ADDIN_CHECK(asprintf(&flag, "--%s=alltypes.v1.%s", mode, type) > 0);
	argv[0] = gen_arg(GEN_PROTOC);
	argv[1] = flag;
	argv[2] = gen_arg("-I" GEN_CONTRACTS_DIR "/test");
	argv[3] = gen_arg("alltypes/v1/alltypes.proto");
	argv[4] = NULL;
	rc      = gen_run(argv, path, ret, ret_len, &err);
	ADDIN_CHECKF(rc == 0, "protoc --%s %s: %s", mode, type, err);
	free(err);
	free(flag);
	free(path);
	gen_rmtree(dir);
	free(dir);
}

// A contract whose invoke records the request's bytes and answers with a
// reply that protoc encoded (or an empty one).
struct recorder {
	ProtobufCService base;
	uint8_t         *request;
	size_t           request_len;
	const uint8_t   *reply;
	size_t           reply_len;
};

static void
record_invoke(ProtobufCService *service, unsigned method_index,
              const ProtobufCMessage *input, ProtobufCClosure closure,
              void *data)
{
	struct recorder                  *r = (struct recorder *) service;
	const ProtobufCMessageDescriptor *out =
	    service->descriptor->methods[method_index].output;
	ProtobufCMessage *reply;

	r->request_len = protobuf_c_message_get_packed_size(input);
	r->request     = malloc(r->request_len + 1);
	protobuf_c_message_pack(input, r->request);
	reply = protobuf_c_message_unpack(out, NULL, r->reply_len, r->reply);
	closure(reply, data);
	protobuf_c_message_free_unpacked(reply, NULL);
}

// The rich request of these tests, as the host builds it and as protoc
// prints it.
static const uint8_t           blob[]  = {0, 1, 0xfe};
static const alltypes_v1_point verts[] = {
    {.x = 1, .y = -2, .label = "a"},
    {.x = 0, .y = 300, .label = ""},
};
static const int32_t             sints[]  = {-1, 0, 65536};
static const bool                bools[]  = {true, false};
static const char *const         strs[]   = {"x", "", "\xe2\x9c\x93"};
static const alltypes_v1_color   colors[] = {ALLTYPES_V1_COLOR_INFRARED,
                                             ALLTYPES_V1_COLOR_RED};
static const alltypes_v1_repeats reps     = {
        .s32      = sints,
        .n_s32    = 3,
        .b        = bools,
        .n_b      = 2,
        .s        = strs,
        .n_s      = 3,
        .color    = colors,
        .n_color  = 2,
        .points   = verts,
        .n_points = 2,
};
static const alltypes_v1_scalars scal = {
    .d      = -1.5e300,
    .f      = 3.25f,
    .i32    = INT32_MIN,
    .i64    = INT64_MIN,
    .u32    = UINT32_MAX,
    .u64    = UINT64_MAX,
    .s32    = -123456,
    .s64    = -9000000000,
    .fx32   = 0xdeadbeefu,
    .fx64   = 1,
    .sfx32  = -7,
    .sfx64  = -8,
    .b      = true,
    .s      = "h\xc3\xa9llo",
    .by     = blob,
    .by_len = sizeof(blob),
    .color  = ALLTYPES_V1_COLOR_GREEN,
};
static const alltypes_v1_shape_style style  = {.stroke = "dot", .width = 2};
static const alltypes_v1_shape       kids[] = {
          {.name   = "c1",
           .extent = {.which = ALLTYPES_V1_SHAPE_EXTENT_RADIUS, .radius = 0.5}},
          {.name   = "c2",
           .extent = {.which = ALLTYPES_V1_SHAPE_EXTENT_BLOB,
                      .blob  = {.data = blob, .len = sizeof(blob)}}},
};
static const alltypes_v1_shape the_shape = {
    .name       = "root",
    .origin     = &verts[0],
    .vertices   = verts,
    .n_vertices = 2,
    .extent = {.which = ALLTYPES_V1_SHAPE_EXTENT_CORNER, .corner = &verts[1]},
    .children   = kids,
    .n_children = 2,
    .style      = &style,
    .scalars    = &scal,
    .repeats    = &reps,
};
static const alltypes_v1_shape more[] = {
    {.name   = "m",
     .extent = {.which = ALLTYPES_V1_SHAPE_EXTENT_TINT,
                .tint  = ALLTYPES_V1_COLOR_INFRARED}},
};
static const alltypes_v1_shape_request_pick the_pick = {
    .which = ALLTYPES_V1_SHAPE_REQUEST_PICK_KEY,
    .key   = "k\"q",
};

#include "oracle_text.h" // SHAPE_REQUEST_TEXT, SHAPE_REPLY_TEXT, ...

static void
test_host_request(void)
{
	gen_pipeline                 p;
	struct recorder              r;
	addin_object_impl            impl = ADDIN_OBJECT_IMPL_INIT;
	addin_object                *obj;
	const void                  *ops;
	void                        *hself;
	alltypes_v1_shape            rshape;
	alltypes_v1_shape           *rmore;
	size_t                       rn;
	alltypes_v1_shape_reply_pick rpick;
	uint32_t                     count;
	char                        *text;

	ADDIN_PASS(gen_pipeline_open(&p, &segs, ALLTYPES_V1_ALL_TYPES_VIEW_ID,
	                             ALLTYPES_V1_ALL_TYPES_VIEW_HASH, true));
	memset(&r, 0, sizeof(r));
	r.base.descriptor = p.contract->descriptor;
	r.base.invoke     = record_invoke;
	ADDIN_PASS(p.host_adapter->wrap(&r.base, &ops, &hself));
	impl.view_id = ALLTYPES_V1_ALL_TYPES_VIEW_ID;
	impl.ops     = ops;
	impl.self    = hself;
	ADDIN_PASS(addin_object_create(&impl, &obj));

	ADDIN_PASS(alltypes_v1_all_types_echo_shape(
	    alltypes_v1_all_types_from_object(obj), &the_shape, more, 1,
	    &the_pick, &rshape, &rmore, &rn, &rpick, &count));
	alltypes_v1_all_types_echo_shape_free_out(&rshape, rmore, rn, &rpick);
	protoc("decode", "ShapeRequest", r.request, r.request_len, &text,
	       NULL);
	ADDIN_CHECKF(strcmp(text, SHAPE_REQUEST_TEXT) == 0,
	             "protoc decoded the request as:\n%s", text);
	free(text);
	free(r.request);

	addin_object_unref(obj);
	p.host_adapter->unwrap(hself);
	gen_pipeline_close(&p);
}

static void
test_host_reply(void)
{
	gen_pipeline                 p;
	struct recorder              r;
	addin_object_impl            impl = ADDIN_OBJECT_IMPL_INIT;
	addin_object                *obj;
	const void                  *ops;
	void                        *hself;
	alltypes_v1_shape            rshape;
	alltypes_v1_shape           *rmore;
	size_t                       rn;
	alltypes_v1_shape_reply_pick rpick;
	uint32_t                     count;
	char                        *bytes;
	size_t                       len;

	ADDIN_PASS(gen_pipeline_open(&p, &segs, ALLTYPES_V1_ALL_TYPES_VIEW_ID,
	                             ALLTYPES_V1_ALL_TYPES_VIEW_HASH, true));
	protoc("encode", "ShapeReply", SHAPE_REPLY_TEXT,
	       strlen(SHAPE_REPLY_TEXT), &bytes, &len);
	memset(&r, 0, sizeof(r));
	r.base.descriptor = p.contract->descriptor;
	r.base.invoke     = record_invoke;
	r.reply           = (const uint8_t *) bytes;
	r.reply_len       = len;
	ADDIN_PASS(p.host_adapter->wrap(&r.base, &ops, &hself));
	impl.view_id = ALLTYPES_V1_ALL_TYPES_VIEW_ID;
	impl.ops     = ops;
	impl.self    = hself;
	ADDIN_PASS(addin_object_create(&impl, &obj));

	ADDIN_PASS(alltypes_v1_all_types_echo_shape(
	    alltypes_v1_all_types_from_object(obj), NULL, NULL, 0, NULL,
	    &rshape, &rmore, &rn, &rpick, &count));
	// The values of SHAPE_REPLY_TEXT, as the host view holds them.
	ADDIN_CHECK_STR(rshape.name, "root");
	ADDIN_CHECK(rshape.origin != NULL && rshape.origin->x == 1 &&
	            rshape.origin->y == -2);
	ADDIN_CHECK(rshape.n_vertices == 2);
	ADDIN_CHECK_STR(rshape.vertices[0].label, "a");
	ADDIN_CHECK_STR(rshape.vertices[1].label, "");
	ADDIN_CHECK(rshape.vertices[1].y == 300);
	ADDIN_CHECK(rshape.extent.which == ALLTYPES_V1_SHAPE_EXTENT_CORNER);
	ADDIN_CHECK(rshape.extent.corner->y == 300);
	ADDIN_CHECK(rshape.n_children == 2);
	ADDIN_CHECK(rshape.children[0].extent.radius == 0.5);
	ADDIN_CHECK(rshape.children[1].extent.which ==
	            ALLTYPES_V1_SHAPE_EXTENT_BLOB);
	ADDIN_CHECK(rshape.children[1].extent.blob.len == 3);
	ADDIN_CHECK(memcmp(rshape.children[1].extent.blob.data, blob, 3) == 0);
	ADDIN_CHECK_STR(rshape.style->stroke, "dot");
	ADDIN_CHECK(rshape.style->width == 2);
	const alltypes_v1_scalars *s = rshape.scalars;
	ADDIN_CHECK(s->d == -1.5e300 && s->f == 3.25f);
	ADDIN_CHECK(s->i32 == INT32_MIN && s->i64 == INT64_MIN);
	ADDIN_CHECK(s->u32 == UINT32_MAX && s->u64 == UINT64_MAX);
	ADDIN_CHECK(s->s32 == -123456 && s->s64 == -9000000000);
	ADDIN_CHECK(s->fx32 == 0xdeadbeefu && s->fx64 == 1);
	ADDIN_CHECK(s->sfx32 == -7 && s->sfx64 == -8 && s->b);
	ADDIN_CHECK_STR(s->s, "h\xc3\xa9llo");
	ADDIN_CHECK(s->by_len == 3 && memcmp(s->by, blob, 3) == 0);
	ADDIN_CHECK(s->color == ALLTYPES_V1_COLOR_GREEN);
	const alltypes_v1_repeats *rp = rshape.repeats;
	ADDIN_CHECK(rp->n_s32 == 3 && rp->s32[0] == -1 && rp->s32[2] == 65536);
	ADDIN_CHECK(rp->n_b == 2 && rp->b[0] && !rp->b[1]);
	ADDIN_CHECK(rp->n_s == 3);
	ADDIN_CHECK_STR(rp->s[2], "\xe2\x9c\x93");
	ADDIN_CHECK(rp->n_color == 2 &&
	            rp->color[0] == ALLTYPES_V1_COLOR_INFRARED);
	ADDIN_CHECK(rp->n_points == 2 && rp->points[1].y == 300);
	ADDIN_CHECK(rn == 1);
	ADDIN_CHECK(rmore[0].extent.tint == ALLTYPES_V1_COLOR_INFRARED);
	ADDIN_CHECK(rpick.which == ALLTYPES_V1_SHAPE_REPLY_PICK_KEY);
	ADDIN_CHECK_STR(rpick.key, "k\"q");
	ADDIN_CHECK(count == 4);
	alltypes_v1_all_types_echo_shape_free_out(&rshape, rmore, rn, &rpick);
	free(r.request);
	free(bytes);

	addin_object_unref(obj);
	p.host_adapter->unwrap(hself);
	gen_pipeline_close(&p);
}

struct packed {
	int      calls;
	uint8_t *bytes;
	size_t   len;
	char     why[ADDIN_ADAPTER_MSG_MAX]; // a fault's message
};

static void
pack_reply(const ProtobufCMessage *reply, void *data)
{
	struct packed *pk = data;
	const char    *why;
	pk->calls++;
	if (addin_adapter_fault(reply, &why) != ADDIN_OK) {
		snprintf(pk->why, sizeof(pk->why), "%s", why);
	} else {
		pk->len   = protobuf_c_message_get_packed_size(reply);
		pk->bytes = malloc(pk->len + 1);
		protobuf_c_message_pack(reply, pk->bytes);
	}
}

// protoc encodes a request; the add-in-side adapter decodes it for the
// add-in, which echoes; protoc decodes the adapter's reply.
static void
addin_round_trip(unsigned method, const char *req_type, const char *req,
                 const char *rep_type, const char *want)
{
	gen_pipeline      p;
	struct packed     pk = {0, NULL, 0, ""};
	char             *bytes, *text;
	size_t            len;
	ProtobufCMessage *msg;

	ADDIN_PASS(gen_pipeline_open(&p, &segs, ALLTYPES_V1_ALL_TYPES_VIEW_ID,
	                             ALLTYPES_V1_ALL_TYPES_VIEW_HASH, false));
	protoc("encode", req_type, req, strlen(req), &bytes, &len);
	msg = protobuf_c_message_unpack(
	    p.service->descriptor->methods[method].input, NULL, len,
	    (const uint8_t *) bytes);
	ADDIN_CHECK(msg != NULL);
	p.service->invoke(p.service, method, msg, pack_reply, &pk);
	ADDIN_CHECKF(pk.calls == 1 && pk.bytes != NULL, "%s", pk.why);
	protoc("decode", rep_type, pk.bytes, pk.len, &text, NULL);
	ADDIN_CHECKF(strcmp(text, want) == 0,
	             "protoc decoded the reply as:\n%s", text);
	protobuf_c_message_free_unpacked(msg, NULL);
	free(text);
	free(pk.bytes);
	free(bytes);
	gen_pipeline_close(&p);
}

static void
test_addin_shape(void)
{
	addin_round_trip(2, "ShapeRequest", SHAPE_REQUEST_TEXT, "ShapeReply",
	                 SHAPE_REPLY_TEXT);
}

static void
test_addin_scalars(void)
{
	addin_round_trip(0, "Scalars", SCALARS_TEXT, "Scalars", SCALARS_TEXT);
}

static void
test_host_scalars(void)
{
	gen_pipeline      p;
	struct recorder   r;
	addin_object_impl impl = ADDIN_OBJECT_IMPL_INIT;
	addin_object     *obj;
	const void       *ops;
	void             *hself;
	double            d;
	float             f;
	int32_t           i32, s32, sfx32;
	int64_t           i64, s64, sfx64;
	uint32_t          u32, fx32;
	uint64_t          u64, fx64;
	bool              b;
	char             *s, *text;
	uint8_t          *by;
	size_t            by_len;
	alltypes_v1_color color;

	ADDIN_PASS(gen_pipeline_open(&p, &segs, ALLTYPES_V1_ALL_TYPES_VIEW_ID,
	                             ALLTYPES_V1_ALL_TYPES_VIEW_HASH, true));
	memset(&r, 0, sizeof(r));
	r.base.descriptor = p.contract->descriptor;
	r.base.invoke     = record_invoke;
	ADDIN_PASS(p.host_adapter->wrap(&r.base, &ops, &hself));
	impl.view_id = ALLTYPES_V1_ALL_TYPES_VIEW_ID;
	impl.ops     = ops;
	impl.self    = hself;
	ADDIN_PASS(addin_object_create(&impl, &obj));
	ADDIN_PASS(alltypes_v1_all_types_echo_scalars(
	    alltypes_v1_all_types_from_object(obj), scal.d, scal.f, scal.i32,
	    scal.i64, scal.u32, scal.u64, scal.s32, scal.s64, scal.fx32,
	    scal.fx64, scal.sfx32, scal.sfx64, scal.b, scal.s, scal.by,
	    scal.by_len, scal.color, &d, &f, &i32, &i64, &u32, &u64, &s32,
	    &s64, &fx32, &fx64, &sfx32, &sfx64, &b, &s, &by, &by_len, &color));
	alltypes_v1_all_types_echo_scalars_free_out(s, by);
	protoc("decode", "Scalars", r.request, r.request_len, &text, NULL);
	ADDIN_CHECKF(strcmp(text, SCALARS_TEXT) == 0,
	             "protoc decoded the request as:\n%s", text);
	free(text);
	free(r.request);
	addin_object_unref(obj);
	p.host_adapter->unwrap(hself);
	gen_pipeline_close(&p);
}

ADDIN_TEST_LIST = {
    {"protoc decodes the host adapter's rich request as expected",
     test_host_request},
    {"protoc decodes the host adapter's scalars as expected",
     test_host_scalars},
    {"a reply encoded by protoc reaches the host view as expected",
     test_host_reply},
    {"a request encoded by protoc reaches the add-in and its echo decodes "
     "with protoc",
     test_addin_shape},
    {"every scalar type encoded by protoc survives the add-in adapter",
     test_addin_scalars},
    {NULL, NULL},
};
