// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Host-side checks of the generated views (checks.h).  This file includes
// nothing but the generated host view headers and libc: it is host code as
// a Bulkhead user writes it.

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

void
gen_check_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "  FAILED %s:%d: %s (last error: %s)\n", file, line,
	        what, addin_errmsg());
	fflush(stderr);
	abort();
}

#define PASS(expr)                                                      \
	do {                                                            \
		addin_err rv_ = (expr);                                 \
		if (rv_ != ADDIN_OK) {                                  \
			fprintf(stderr, "  %s -> %s\n", #expr,          \
			        addin_err_name(rv_));                   \
			gen_check_fail(__FILE__, __LINE__, "ADDIN_OK"); \
		}                                                       \
	} while (0)

#define FAILS(expr, code)                                                   \
	do {                                                                \
		addin_err rv_ = (expr);                                     \
		if (rv_ != (code)) {                                        \
			fprintf(stderr, "  %s -> %s, expected %s\n", #expr, \
			        addin_err_name(rv_), addin_err_name(code)); \
			gen_check_fail(__FILE__, __LINE__, #code);          \
		}                                                           \
	} while (0)

static bool
str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

// Strings coming back through a view: NULL in means "" out (proto3).
static bool
str_eq0(const char *sent, const char *got)
{
	return str_eq(sent == NULL ? "" : sent, got);
}

static bool
mem_eq(const void *a, size_t na, const void *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na) == 0);
}

// alltypes.v1 ------------------------------------------------------------

static bool
point_eq(const alltypes_v1_point *a, const alltypes_v1_point *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	return a->x == b->x && a->y == b->y && str_eq0(a->label, b->label);
}

static bool
scalars_eq(const alltypes_v1_scalars *a, const alltypes_v1_scalars *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	return a->d == b->d && a->f == b->f && a->i32 == b->i32 &&
	       a->i64 == b->i64 && a->u32 == b->u32 && a->u64 == b->u64 &&
	       a->s32 == b->s32 && a->s64 == b->s64 && a->fx32 == b->fx32 &&
	       a->fx64 == b->fx64 && a->sfx32 == b->sfx32 &&
	       a->sfx64 == b->sfx64 && a->b == b->b && str_eq0(a->s, b->s) &&
	       mem_eq(a->by, a->by_len, b->by, b->by_len) &&
	       a->color == b->color;
}

#define ARR_EQ(a, b, f)              \
	((a)->n_##f == (b)->n_##f && \
	 ((a)->n_##f == 0 ||         \
	  memcmp((a)->f, (b)->f, (a)->n_##f * sizeof(*(a)->f)) == 0))

static bool
repeats_eq(const alltypes_v1_repeats *a, const alltypes_v1_repeats *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	if (!ARR_EQ(a, b, d) || !ARR_EQ(a, b, f) || !ARR_EQ(a, b, i32) ||
	    !ARR_EQ(a, b, i64) || !ARR_EQ(a, b, u32) || !ARR_EQ(a, b, u64) ||
	    !ARR_EQ(a, b, s32) || !ARR_EQ(a, b, s64) || !ARR_EQ(a, b, fx32) ||
	    !ARR_EQ(a, b, fx64) || !ARR_EQ(a, b, sfx32) ||
	    !ARR_EQ(a, b, sfx64) || !ARR_EQ(a, b, b) || !ARR_EQ(a, b, color) ||
	    a->n_s != b->n_s || a->n_points != b->n_points) {
		return false;
	}
	for (size_t i = 0; i < a->n_s; i++) {
		if (!str_eq0(a->s[i], b->s[i])) {
			return false;
		}
	}
	for (size_t i = 0; i < a->n_points; i++) {
		if (!point_eq(&a->points[i], &b->points[i])) {
			return false;
		}
	}
	return true;
}

static bool
extent_eq(const alltypes_v1_shape_extent *a, const alltypes_v1_shape_extent *b)
{
	if (a->which != b->which) {
		return false;
	}
	switch (a->which) {
	case ALLTYPES_V1_SHAPE_EXTENT_RADIUS: return a->radius == b->radius;
	case ALLTYPES_V1_SHAPE_EXTENT_FORMULA:
		return str_eq0(a->formula, b->formula);
	case ALLTYPES_V1_SHAPE_EXTENT_BLOB:
		return mem_eq(a->blob.data, a->blob.len, b->blob.data,
		              b->blob.len);
	case ALLTYPES_V1_SHAPE_EXTENT_CORNER:
		return point_eq(a->corner, b->corner);
	case ALLTYPES_V1_SHAPE_EXTENT_TINT: return a->tint == b->tint;
	default: return true;
	}
}

static bool
shape_eq(const alltypes_v1_shape *a, const alltypes_v1_shape *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	if (!str_eq0(a->name, b->name) || !point_eq(a->origin, b->origin) ||
	    a->n_vertices != b->n_vertices ||
	    !extent_eq(&a->extent, &b->extent) ||
	    a->n_children != b->n_children ||
	    !scalars_eq(a->scalars, b->scalars) ||
	    !repeats_eq(a->repeats, b->repeats)) {
		return false;
	}
	if ((a->style == NULL) != (b->style == NULL) ||
	    (a->style != NULL &&
	     (!str_eq0(a->style->stroke, b->style->stroke) ||
	      a->style->width != b->style->width))) {
		return false;
	}
	for (size_t i = 0; i < a->n_vertices; i++) {
		if (!point_eq(&a->vertices[i], &b->vertices[i])) {
			return false;
		}
	}
	for (size_t i = 0; i < a->n_children; i++) {
		if (!shape_eq(&a->children[i], &b->children[i])) {
			return false;
		}
	}
	return true;
}

static void
check_scalars(alltypes_v1_all_types *obj)
{
	static const uint8_t by[] = {0, 1, 2, 0xff, 0};
	double               d;
	float                f;
	int32_t              i32, s32, sfx32;
	int64_t              i64, s64, sfx64;
	uint32_t             u32, fx32;
	uint64_t             u64, fx64;
	bool                 b;
	char                *s;
	uint8_t             *rby;
	size_t               rby_len;
	alltypes_v1_color    color;

	// Extremes of every type, negative zigzag values, bytes with NULs,
	// UTF-8, a negative enum value.
	PASS(alltypes_v1_all_types_echo_scalars(
	    obj, -1.5e300, 3.25f, INT32_MIN, INT64_MIN, UINT32_MAX, UINT64_MAX,
	    -123456, INT64_MIN + 1, 0xdeadbeefu, UINT64_C(0xfeedfacecafebeef),
	    -7, INT64_C(-9000000000), true, "h\xc3\xa9llo \xe2\x9c\x93", by,
	    sizeof(by), ALLTYPES_V1_COLOR_INFRARED, &d, &f, &i32, &i64, &u32,
	    &u64, &s32, &s64, &fx32, &fx64, &sfx32, &sfx64, &b, &s, &rby,
	    &rby_len, &color));
	GEN_CHECK(d == -1.5e300);
	GEN_CHECK(f == 3.25f);
	GEN_CHECK(i32 == INT32_MIN);
	GEN_CHECK(i64 == INT64_MIN);
	GEN_CHECK(u32 == UINT32_MAX);
	GEN_CHECK(u64 == UINT64_MAX);
	GEN_CHECK(s32 == -123456);
	GEN_CHECK(s64 == INT64_MIN + 1);
	GEN_CHECK(fx32 == 0xdeadbeefu);
	GEN_CHECK(fx64 == UINT64_C(0xfeedfacecafebeef));
	GEN_CHECK(sfx32 == -7);
	GEN_CHECK(sfx64 == INT64_C(-9000000000));
	GEN_CHECK(b);
	GEN_CHECK(str_eq(s, "h\xc3\xa9llo \xe2\x9c\x93"));
	GEN_CHECK(mem_eq(rby, rby_len, by, sizeof(by)));
	GEN_CHECK(color == ALLTYPES_V1_COLOR_INFRARED);
	alltypes_v1_all_types_echo_scalars_free_out(s, rby);

	// Zero values: a NULL string comes back "", empty bytes NULL.
	PASS(alltypes_v1_all_types_echo_scalars(
	    obj, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, NULL, NULL, 0,
	    ALLTYPES_V1_COLOR_UNSPECIFIED, &d, &f, &i32, &i64, &u32, &u64,
	    &s32, &s64, &fx32, &fx64, &sfx32, &sfx64, &b, &s, &rby, &rby_len,
	    &color));
	GEN_CHECK(d == 0 && f == 0 && i32 == 0 && i64 == 0 && u32 == 0);
	GEN_CHECK(u64 == 0 && s32 == 0 && s64 == 0 && fx32 == 0 && fx64 == 0);
	GEN_CHECK(sfx32 == 0 && sfx64 == 0 && !b);
	GEN_CHECK(str_eq(s, ""));
	GEN_CHECK(rby_len == 0);
	GEN_CHECK(color == ALLTYPES_V1_COLOR_UNSPECIFIED);
	alltypes_v1_all_types_echo_scalars_free_out(s, rby);
}

// The repeated-field arrays of one call of EchoRepeats.
struct reps {
	alltypes_v1_repeats v;
	double             *d;
	float              *f;
	int32_t            *i32, *s32, *sfx32;
	int64_t            *i64, *s64, *sfx64;
	uint32_t           *u32, *fx32;
	uint64_t           *u64, *fx64;
	bool               *b;
	char              **s;
	alltypes_v1_color  *color;
	alltypes_v1_point  *points;
};

static void
echo_repeats(alltypes_v1_all_types *obj, const alltypes_v1_repeats *in,
             struct reps *out)
{
	alltypes_v1_repeats *v = &out->v;

	memset(out, 0, sizeof(*out));
	PASS(alltypes_v1_all_types_echo_repeats(
	    obj, in->d, in->n_d, in->f, in->n_f, in->i32, in->n_i32, in->i64,
	    in->n_i64, in->u32, in->n_u32, in->u64, in->n_u64, in->s32,
	    in->n_s32, in->s64, in->n_s64, in->fx32, in->n_fx32, in->fx64,
	    in->n_fx64, in->sfx32, in->n_sfx32, in->sfx64, in->n_sfx64, in->b,
	    in->n_b, in->s, in->n_s, in->color, in->n_color, in->points,
	    in->n_points, &out->d, &v->n_d, &out->f, &v->n_f, &out->i32,
	    &v->n_i32, &out->i64, &v->n_i64, &out->u32, &v->n_u32, &out->u64,
	    &v->n_u64, &out->s32, &v->n_s32, &out->s64, &v->n_s64, &out->fx32,
	    &v->n_fx32, &out->fx64, &v->n_fx64, &out->sfx32, &v->n_sfx32,
	    &out->sfx64, &v->n_sfx64, &out->b, &v->n_b, &out->s, &v->n_s,
	    &out->color, &v->n_color, &out->points, &v->n_points));
	v->d      = out->d;
	v->f      = out->f;
	v->i32    = out->i32;
	v->i64    = out->i64;
	v->u32    = out->u32;
	v->u64    = out->u64;
	v->s32    = out->s32;
	v->s64    = out->s64;
	v->fx32   = out->fx32;
	v->fx64   = out->fx64;
	v->sfx32  = out->sfx32;
	v->sfx64  = out->sfx64;
	v->b      = out->b;
	v->s      = (const char *const *) out->s;
	v->color  = out->color;
	v->points = out->points;
}

static void
free_repeats(struct reps *r)
{
	alltypes_v1_all_types_echo_repeats_free_out(
	    r->d, r->f, r->i32, r->i64, r->u32, r->u64, r->s32, r->s64,
	    r->fx32, r->fx64, r->sfx32, r->sfx64, r->b, r->s, r->v.n_s,
	    r->color, r->points, r->v.n_points);
}

static const double            rd[]      = {0, -1.5, 1e-300, 2.5e300};
static const float             rf[]      = {1.5f, -0.0f};
static const int32_t           ri32[]    = {INT32_MIN, 0, INT32_MAX};
static const int64_t           ri64[]    = {INT64_MIN, -1, INT64_MAX};
static const uint32_t          ru32[]    = {0, 1, UINT32_MAX};
static const uint64_t          ru64[]    = {UINT64_MAX, 0};
static const int32_t           rs32[]    = {-1, 1, -65536};
static const int64_t           rs64[]    = {INT64_MIN, INT64_MAX};
static const uint32_t          rfx32[]   = {7};
static const uint64_t          rfx64[]   = {8, 9};
static const int32_t           rsfx32[]  = {-10, 10};
static const int64_t           rsfx64[]  = {-11};
static const bool              rb[]      = {true, false, true, true};
static const char *const       rs[]      = {"", "a", "\xe2\x9c\x93 b"};
static const alltypes_v1_color rcolor[]  = {ALLTYPES_V1_COLOR_RED,
                                            ALLTYPES_V1_COLOR_INFRARED,
                                            ALLTYPES_V1_COLOR_UNSPECIFIED};
static const alltypes_v1_point rpoints[] = {
    {.x = 1, .y = 2, .label = "p"},
    {.x = -3, .y = -4, .label = ""},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const alltypes_v1_repeats the_repeats = {
    .d        = rd,
    .n_d      = N(rd),
    .f        = rf,
    .n_f      = N(rf),
    .i32      = ri32,
    .n_i32    = N(ri32),
    .i64      = ri64,
    .n_i64    = N(ri64),
    .u32      = ru32,
    .n_u32    = N(ru32),
    .u64      = ru64,
    .n_u64    = N(ru64),
    .s32      = rs32,
    .n_s32    = N(rs32),
    .s64      = rs64,
    .n_s64    = N(rs64),
    .fx32     = rfx32,
    .n_fx32   = N(rfx32),
    .fx64     = rfx64,
    .n_fx64   = N(rfx64),
    .sfx32    = rsfx32,
    .n_sfx32  = N(rsfx32),
    .sfx64    = rsfx64,
    .n_sfx64  = N(rsfx64),
    .b        = rb,
    .n_b      = N(rb),
    .s        = rs,
    .n_s      = N(rs),
    .color    = rcolor,
    .n_color  = N(rcolor),
    .points   = rpoints,
    .n_points = N(rpoints),
};

static void
check_repeats(alltypes_v1_all_types *obj)
{
	static const alltypes_v1_repeats none;
	struct reps                      r;

	echo_repeats(obj, &the_repeats, &r);
	GEN_CHECK(repeats_eq(&r.v, &the_repeats));
	free_repeats(&r);

	echo_repeats(obj, &none, &r);
	GEN_CHECK(repeats_eq(&r.v, &none));
	GEN_CHECK(r.d == NULL && r.s == NULL && r.points == NULL);
	free_repeats(&r);
}

static void
check_shapes(alltypes_v1_all_types *obj)
{
	static const uint8_t           blob[] = {1, 0, 2};
	static const alltypes_v1_point origin = {.x = 1, .y = 2, .label = "o"};
	static const alltypes_v1_point verts[] = {
	    {.x = 0, .y = 0, .label = "a"},
	    {.x = 10, .y = 0, .label = "b"},
	    {.x = 5, .y = -8, .label = "c"},
	};
	static const alltypes_v1_shape_style style   = {.stroke = "dashed",
	                                                .width  = 3};
	static const alltypes_v1_scalars     scalars = {
	        .d      = 1.25,
	        .f      = -2.5f,
	        .i32    = -1,
	        .i64    = INT64_MAX,
	        .u32    = 4,
	        .u64    = 5,
	        .s32    = -6,
	        .s64    = -7,
	        .fx32   = 8,
	        .fx64   = 9,
	        .sfx32  = -10,
	        .sfx64  = -11,
	        .b      = true,
	        .s      = "twelve",
	        .by     = blob,
	        .by_len = sizeof(blob),
	        .color  = ALLTYPES_V1_COLOR_GREEN};
	static const alltypes_v1_shape grandchild[] = {{.name = "leaf"}};
	alltypes_v1_shape              kids[4]      = {
	                      {.name   = "circle",
	                       .extent = {.which  = ALLTYPES_V1_SHAPE_EXTENT_RADIUS,
	                                  .radius = 2.5}},
	                      {.name   = "formula",
	                       .extent = {.which = ALLTYPES_V1_SHAPE_EXTENT_FORMULA,
	                                  .formula = "pi * r^2"}},
	                      {.name   = "blob",
	                       .extent = {.which = ALLTYPES_V1_SHAPE_EXTENT_BLOB,
	                                  .blob = {.data = blob, .len = sizeof(blob)}}},
	                      {.name     = "tinted",
	                       .extent   = {.which = ALLTYPES_V1_SHAPE_EXTENT_TINT,
	                                    .tint  = ALLTYPES_V1_COLOR_INFRARED},
	                       .children = grandchild,
	                       .n_children = 1},
        };
	alltypes_v1_shape shape = {
	    .name       = "root",
	    .origin     = &origin,
	    .vertices   = verts,
	    .n_vertices = N(verts),
	    .extent     = {.which  = ALLTYPES_V1_SHAPE_EXTENT_CORNER,
	                   .corner = &verts[1]},
	    .children   = kids,
	    .n_children = N(kids),
	    .style      = &style,
	    .scalars    = &scalars,
	    .repeats    = &the_repeats,
	};
	alltypes_v1_shape more[2] = {
	    {.name = "m1"},
	    {.name   = "m2",
	     .extent = {.which  = ALLTYPES_V1_SHAPE_EXTENT_RADIUS,
	                .radius = -1}},
	};
	alltypes_v1_shape_request_pick pick = {
	    .which = ALLTYPES_V1_SHAPE_REQUEST_PICK_AT, .at = &verts[2]};
	alltypes_v1_shape            rshape;
	alltypes_v1_shape           *rmore;
	size_t                       rn_more;
	alltypes_v1_shape_reply_pick rpick;
	uint32_t                     count;

	PASS(alltypes_v1_all_types_echo_shape(obj, &shape, more, N(more),
	                                      &pick, &rshape, &rmore, &rn_more,
	                                      &rpick, &count));
	GEN_CHECK(shape_eq(&rshape, &shape));
	GEN_CHECK(rn_more == 2);
	GEN_CHECK(shape_eq(&rmore[0], &more[0]));
	GEN_CHECK(shape_eq(&rmore[1], &more[1]));
	GEN_CHECK(rpick.which == ALLTYPES_V1_SHAPE_REPLY_PICK_AT);
	GEN_CHECK(point_eq(rpick.at, &verts[2]));
	GEN_CHECK(count == 1 + 4 + 1 + 2);
	alltypes_v1_all_types_echo_shape_free_out(&rshape, rmore, rn_more,
	                                          &rpick);

	// Other members of the oneof, and absent structs.
	pick.which = ALLTYPES_V1_SHAPE_REQUEST_PICK_KEY;
	pick.key   = "k";
	PASS(alltypes_v1_all_types_echo_shape(obj, NULL, NULL, 0, &pick,
	                                      &rshape, &rmore, &rn_more,
	                                      &rpick, &count));
	GEN_CHECK(rshape.origin == NULL && rshape.style == NULL);
	GEN_CHECK(rshape.n_children == 0 && rshape.n_vertices == 0);
	GEN_CHECK(rn_more == 0 && rmore == NULL);
	GEN_CHECK(rpick.which == ALLTYPES_V1_SHAPE_REPLY_PICK_KEY);
	GEN_CHECK(str_eq(rpick.key, "k"));
	GEN_CHECK(count == 0);
	alltypes_v1_all_types_echo_shape_free_out(&rshape, rmore, rn_more,
	                                          &rpick);

	pick.which = ALLTYPES_V1_SHAPE_REQUEST_PICK_INDEX;
	pick.index = -42;
	PASS(alltypes_v1_all_types_echo_shape(obj, NULL, NULL, 0, &pick,
	                                      &rshape, &rmore, &rn_more,
	                                      &rpick, &count));
	GEN_CHECK(rpick.which == ALLTYPES_V1_SHAPE_REPLY_PICK_INDEX);
	GEN_CHECK(rpick.index == -42);
	alltypes_v1_all_types_echo_shape_free_out(&rshape, rmore, rn_more,
	                                          &rpick);

	// No pick at all.
	PASS(alltypes_v1_all_types_echo_shape(obj, NULL, NULL, 0, NULL,
	                                      &rshape, &rmore, &rn_more,
	                                      &rpick, &count));
	GEN_CHECK(rpick.which == ALLTYPES_V1_SHAPE_REPLY_PICK_NOT_SET);
	alltypes_v1_all_types_echo_shape_free_out(&rshape, rmore, rn_more,
	                                          &rpick);
}

static void
check_errors(alltypes_v1_all_types *obj)
{
	char *s = NULL;

	PASS(alltypes_v1_all_types_ping(obj));
	PASS(alltypes_v1_all_types_fail(obj, ADDIN_OK, ""));
	FAILS(
	    alltypes_v1_all_types_fail(obj, ADDIN_ENOTFOUND, "no such thing"),
	    ADDIN_ENOTFOUND);
	GEN_CHECK(str_eq(addin_errmsg(), "no such thing"));
	GEN_CHECK(addin_last_error() == ADDIN_ENOTFOUND);
	// Without a message the code's own text stands.
	FAILS(alltypes_v1_all_types_fail(obj, ADDIN_EBUSY, ""), ADDIN_EBUSY);
	GEN_CHECK(str_eq(addin_errmsg(), addin_strerror(ADDIN_EBUSY)));
	// A call after a failure starts clean.
	PASS(alltypes_v1_all_types_ping(obj));
	// Arguments the view refuses before anything is sent.
	FAILS(alltypes_v1_all_types_echo_scalars(
	          NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, NULL, NULL,
	          0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	          NULL, NULL, NULL, NULL, &s, NULL, NULL, NULL),
	      ADDIN_EINVAL);
	GEN_CHECK(s == NULL);
}

void
check_faults(alltypes_v1_all_types *obj, bool direct)
{
	char msg[600], want[512];

	// 511 bytes with control characters: the whole message, as it is.
	for (size_t i = 0; i < sizeof(want) - 1; i++) {
		want[i] = (char) (i % 16 == 0 ? 1 + (int) (i % 31)
		                              : 'a' + (int) (i % 26));
	}
	want[sizeof(want) - 1] = '\0';
	FAILS(alltypes_v1_all_types_fail(obj, ADDIN_EBUSY, want), ADDIN_EBUSY);
	GEN_CHECK(strcmp(addin_errmsg(), want) == 0);
	GEN_CHECK(addin_last_error() == ADDIN_EBUSY);

	// Longer: what addin_set_error() keeps, its first 511 bytes.
	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	memcpy(msg, want, sizeof(want) - 1);
	FAILS(alltypes_v1_all_types_fail(obj, ADDIN_EIO, msg), ADDIN_EIO);
	GEN_CHECK(strcmp(addin_errmsg(), want) == 0);

	// A code Bulkhead does not know is ADDIN_EREMOTE with the add-in's
	// message; by direct connect nothing stands between host and add-in,
	// and the add-in's code arrives as it is.
	FAILS(alltypes_v1_all_types_fail(obj, 4242, "a newer code"),
	      direct ? (addin_err) 4242 : ADDIN_EREMOTE);
	GEN_CHECK(str_eq(addin_errmsg(), "a newer code"));
	FAILS(alltypes_v1_all_types_fail(obj, 4242, ""),
	      direct ? (addin_err) 4242 : ADDIN_EREMOTE);
	GEN_CHECK(str_eq(addin_errmsg(), direct
	                                     ? addin_strerror(4242)
	                                     : addin_strerror(ADDIN_EREMOTE)));
	PASS(alltypes_v1_all_types_ping(obj));
}

void
check_all_types(alltypes_v1_all_types *obj)
{
	GEN_CHECK(obj != NULL);
	check_scalars(obj);
	check_repeats(obj);
	check_shapes(obj);
	check_errors(obj);
}

// presence.v1 ------------------------------------------------------------

// The outputs of Echo.
struct opts {
	bool                       has_count, has_ratio, has_flag, has_data;
	bool                       has_level, flag;
	int32_t                    count;
	double                     ratio;
	char                      *name, *title;
	uint8_t                   *data;
	size_t                     data_len, n_values;
	presence_v1_level          level;
	presence_v1_options        inner;
	int32_t                   *values;
	presence_v1_options_choice choice;
};

static void
echo_options(presence_v1_presence *obj, const presence_v1_options *in,
             struct opts *o)
{
	memset(o, 0, sizeof(*o));
	PASS(presence_v1_presence_echo(
	    obj, in->has_count, in->count, in->has_ratio, in->ratio,
	    in->has_flag, in->flag, in->name, in->title, in->has_data,
	    in->data, in->data_len, in->has_level, in->level, in->inner,
	    in->values, in->n_values, &in->choice, &o->has_count, &o->count,
	    &o->has_ratio, &o->ratio, &o->has_flag, &o->flag, &o->name,
	    &o->title, &o->has_data, &o->data, &o->data_len, &o->has_level,
	    &o->level, &o->inner, &o->values, &o->n_values, &o->choice));
}

static void
free_options(struct opts *o)
{
	presence_v1_presence_echo_free_out(o->name, o->title, o->data,
	                                   &o->inner, o->values, &o->choice);
}

void
check_presence(presence_v1_presence *obj)
{
	static const presence_v1_options none;
	static const int32_t             values[] = {1, 2, 3};
	static const uint8_t             data[]   = {0};
	presence_v1_options              inner    = {
	                    .has_count = true, .count = 1, .name = "inner"};
	presence_v1_options all = {
	    .has_count = true,
	    .count     = 0,
	    .has_ratio = true,
	    .ratio     = 0,
	    .has_flag  = true,
	    .flag      = false,
	    .name      = "",
	    .title     = "t",
	    .has_data  = true,
	    .data      = data,
	    .data_len  = sizeof(data),
	    .has_level = true,
	    .level     = PRESENCE_V1_LEVEL_LOW,
	    .inner     = &inner,
	    .values    = values,
	    .n_values  = N(values),
	    .choice = {.which = PRESENCE_V1_OPTIONS_CHOICE_TEXT, .text = "x"},
	};
	struct opts         o;
	presence_v1_options wrapped;
	bool                has_set;
	uint32_t            set;

	// Nothing set: no has_ flags, the declared defaults, NULL strings
	// without a default.
	echo_options(obj, &none, &o);
	GEN_CHECK(!o.has_count && !o.has_ratio && !o.has_flag);
	GEN_CHECK(!o.has_data && !o.has_level);
	GEN_CHECK(o.ratio == 0.5);
	GEN_CHECK(o.level == PRESENCE_V1_LEVEL_HIGH);
	GEN_CHECK(o.name == NULL);
	GEN_CHECK(str_eq(o.title, "untitled"));
	GEN_CHECK(o.data_len == 0);
	GEN_CHECK(o.inner.name == NULL && !o.inner.has_count);
	GEN_CHECK(o.n_values == 0);
	GEN_CHECK(o.choice.which == PRESENCE_V1_OPTIONS_CHOICE_NOT_SET);
	free_options(&o);

	// Everything set, zero values included: presence survives.
	echo_options(obj, &all, &o);
	GEN_CHECK(o.has_count && o.count == 0);
	GEN_CHECK(o.has_ratio && o.ratio == 0);
	GEN_CHECK(o.has_flag && !o.flag);
	GEN_CHECK(str_eq(o.name, ""));
	GEN_CHECK(str_eq(o.title, "t"));
	GEN_CHECK(o.has_data && mem_eq(o.data, o.data_len, data, 1));
	GEN_CHECK(o.has_level && o.level == PRESENCE_V1_LEVEL_LOW);
	GEN_CHECK(o.inner.has_count && o.inner.count == 1);
	GEN_CHECK(str_eq(o.inner.name, "inner"));
	GEN_CHECK(!o.inner.has_ratio && o.inner.ratio == 0.5);
	GEN_CHECK(o.n_values == 3 && memcmp(o.values, values, 12) == 0);
	GEN_CHECK(o.choice.which == PRESENCE_V1_OPTIONS_CHOICE_TEXT);
	GEN_CHECK(str_eq(o.choice.text, "x"));
	free_options(&o);

	// As a struct: a NULL struct is absent; nested structs count.
	PASS(presence_v1_presence_wrap(obj, NULL, &wrapped, &has_set, &set));
	GEN_CHECK(has_set && set == 0);
	presence_v1_presence_wrap_free_out(&wrapped);
	inner.inner = &none;
	PASS(presence_v1_presence_wrap(obj, &all, &wrapped, &has_set, &set));
	GEN_CHECK(has_set && set == 9);
	GEN_CHECK(wrapped.has_count && wrapped.count == 0);
	GEN_CHECK(str_eq(wrapped.title, "t"));
	GEN_CHECK(wrapped.inner != NULL && wrapped.inner->inner != NULL);
	GEN_CHECK(wrapped.inner->inner->name == NULL);
	GEN_CHECK(wrapped.choice.which == PRESENCE_V1_OPTIONS_CHOICE_TEXT);
	GEN_CHECK(wrapped.n_values == 3 && wrapped.values[2] == 3);
	presence_v1_presence_wrap_free_out(&wrapped);
}

// calculator.v1 ----------------------------------------------------------

void
check_calculator(calculator_v1_calculator *obj)
{
	static const double      two[]  = {6, 3};
	static const double      zero[] = {1, 0};
	char                    *name;
	calculator_v1_operation *ops;
	size_t                   n;
	double                   r;

	PASS(calculator_v1_calculator_get_name(obj, &name));
	GEN_CHECK(str_eq(name, "Test Calculator"));
	calculator_v1_calculator_get_name_free_out(name);

	PASS(calculator_v1_calculator_get_operations(obj, &ops, &n));
	GEN_CHECK(n == 5);
	GEN_CHECK(str_eq(ops[0].name, "+") && ops[0].arity == 0);
	GEN_CHECK(str_eq(ops[3].name, "/") && ops[3].arity == 2);
	GEN_CHECK(str_eq(ops[3].description, "division"));
	GEN_CHECK(str_eq(ops[4].name, "neg") && ops[4].arity == 1);
	calculator_v1_calculator_get_operations_free_out(ops, n);

	PASS(calculator_v1_calculator_operate(obj, "+", two, 2, &r));
	GEN_CHECK(r == 9);
	PASS(calculator_v1_calculator_operate(obj, "-", two, 2, &r));
	GEN_CHECK(r == 3);
	PASS(calculator_v1_calculator_operate(obj, "*", two, 2, &r));
	GEN_CHECK(r == 18);
	PASS(calculator_v1_calculator_operate(obj, "/", two, 2, &r));
	GEN_CHECK(r == 2);
	PASS(calculator_v1_calculator_operate(obj, "neg", two, 1, &r));
	GEN_CHECK(r == -6);
	PASS(calculator_v1_calculator_operate(obj, "+", NULL, 0, &r));
	GEN_CHECK(r == 0);

	r = 42;
	FAILS(calculator_v1_calculator_operate(obj, "/", zero, 2, &r),
	      ADDIN_EINVAL);
	GEN_CHECK(str_eq(addin_errmsg(), "division by zero"));
	GEN_CHECK(r == 42); // outputs are written only on success
	FAILS(calculator_v1_calculator_operate(obj, "%", two, 2, &r),
	      ADDIN_ENOTFOUND);
	GEN_CHECK(str_eq(addin_errmsg(), "unknown operation '%'"));
	FAILS(calculator_v1_calculator_operate(obj, "/", two, 1, &r),
	      ADDIN_EINVAL);
	GEN_CHECK(str_eq(addin_errmsg(), "'/' takes 2 operands, not 1"));
	FAILS(calculator_v1_calculator_operate(obj, "+", NULL, 2, &r),
	      ADDIN_EINVAL);
	FAILS(calculator_v1_calculator_operate(obj, "+", two, 2, NULL),
	      ADDIN_EINVAL);
}
