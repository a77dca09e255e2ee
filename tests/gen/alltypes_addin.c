// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The alltypes.v1 test add-in, written only against the generated add-in
// view alltypes/v1/alltypes.addin.h (no protobuf): every method echoes its
// inputs as outputs, deep-copied into addin_alloc() memory as the view's
// ownership rules ask.  tests/gen/checks.c (check_all_types) drives it.
//
// Strings come back "" rather than NULL, as they would through adapters,
// so that direct connect looks the same as every other level.  The one
// exception is deliberate: EchoRepeats given the strings {GIVE_BACK_NULL, x}
// returns {GIVE_BACK_NULL, NULL}, an output the adapters must refuse
// (docs/contracts.md) without bringing down the add-in's process.

#include <string.h>

#include "alltypes/v1/alltypes.addin.h"

#define GIVE_BACK_NULL "give back a NULL element"

// An instance counts the calls it served; create/destroy are exercised.
struct instance {
	unsigned calls;
};

static addin_err
create(addin_context *ctx, void **ret_self)
{
	struct instance *in;

	(void) ctx;
	if ((in = addin_alloc(sizeof(*in))) == NULL) {
		return ADDIN_ENOMEM;
	}
	in->calls = 0;
	*ret_self = in;
	return ADDIN_OK;
}

static void
destroy(void *self)
{
	addin_free(self);
}

// The view's structs hold const pointers (they serve as inputs too); the
// outputs built in them are the add-in's to hand over.
static void *
unconst(const void *p)
{
	return (void *) (uintptr_t) p;
}

// Copies with addin_alloc.  Each returns false when out of memory, leaving
// what it built so far in @dst for the caller's clear.

static bool
dup_str(const char *s, const char **dst)
{
	*dst = addin_strdup(s != NULL ? s : "");
	return *dst != NULL;
}

static bool
dup_mem(const void *p, size_t n, size_t size, void *dst)
{
	void *q = NULL;
	if (n > 0 && (q = addin_memdup(p, n * size)) == NULL) {
		return false;
	}
	memcpy(dst, &q, sizeof(q));
	return true;
}

static bool
copy_point(const alltypes_v1_point *src, alltypes_v1_point *dst)
{
	*dst       = *src;
	dst->label = NULL;
	return dup_str(src->label, &dst->label);
}

static bool
copy_points(const alltypes_v1_point *src, size_t n,
            const alltypes_v1_point **dst, size_t *ndst)
{
	alltypes_v1_point *a;

	*dst  = NULL;
	*ndst = 0;
	if (n == 0) {
		return true;
	}
	if ((a = addin_alloc(n * sizeof(*a))) == NULL) {
		return false;
	}
	memset(a, 0, n * sizeof(*a));
	*dst = a;
	for (size_t i = 0; i < n; i++) {
		*ndst = i + 1;
		if (!copy_point(&src[i], &a[i])) {
			return false;
		}
	}
	return true;
}

static bool
new_point(const alltypes_v1_point *src, const alltypes_v1_point **dst)
{
	alltypes_v1_point *p;

	*dst = NULL;
	if (src == NULL) {
		return true;
	}
	if ((p = addin_alloc(sizeof(*p))) == NULL) {
		return false;
	}
	memset(p, 0, sizeof(*p));
	*dst = p;
	return copy_point(src, p);
}

static bool
copy_scalars(const alltypes_v1_scalars *src, alltypes_v1_scalars *dst)
{
	*dst    = *src;
	dst->s  = NULL;
	dst->by = NULL;
	return dup_str(src->s, &dst->s) &&
	       dup_mem(src->by, src->by_len, 1, &dst->by);
}

static bool
copy_strings(const char *const *src, size_t n, const char *const **dst,
             size_t *ndst)
{
	const char **a;

	*dst  = NULL;
	*ndst = 0;
	if (n == 0) {
		return true;
	}
	if ((a = addin_alloc(n * sizeof(*a))) == NULL) {
		return false;
	}
	*dst = a;
	for (size_t i = 0; i < n; i++) {
		*ndst = i + 1;
		if (!dup_str(src[i], &a[i])) {
			return false;
		}
	}
	return true;
}

#define DUP_ARRAY(f)                                              \
	(dup_mem(src->f, src->n_##f, sizeof(*src->f), &dst->f) && \
	 ((dst->n_##f = src->n_##f), true))

static bool
copy_repeats(const alltypes_v1_repeats *src, alltypes_v1_repeats *dst)
{
	memset(dst, 0, sizeof(*dst));
	return DUP_ARRAY(d) && DUP_ARRAY(f) && DUP_ARRAY(i32) &&
	       DUP_ARRAY(i64) && DUP_ARRAY(u32) && DUP_ARRAY(u64) &&
	       DUP_ARRAY(s32) && DUP_ARRAY(s64) && DUP_ARRAY(fx32) &&
	       DUP_ARRAY(fx64) && DUP_ARRAY(sfx32) && DUP_ARRAY(sfx64) &&
	       DUP_ARRAY(b) && DUP_ARRAY(color) &&
	       copy_strings(src->s, src->n_s, &dst->s, &dst->n_s) &&
	       copy_points(src->points, src->n_points, &dst->points,
	                   &dst->n_points);
}

static bool copy_shape(const alltypes_v1_shape *src, alltypes_v1_shape *dst,
                       uint32_t *count);

static bool
copy_shapes(const alltypes_v1_shape *src, size_t n,
            const alltypes_v1_shape **dst, size_t *ndst, uint32_t *count)
{
	alltypes_v1_shape *a;

	*dst  = NULL;
	*ndst = 0;
	if (n == 0) {
		return true;
	}
	if ((a = addin_alloc(n * sizeof(*a))) == NULL) {
		return false;
	}
	memset(a, 0, n * sizeof(*a));
	*dst = a;
	for (size_t i = 0; i < n; i++) {
		*ndst = i + 1;
		if (!copy_shape(&src[i], &a[i], count)) {
			return false;
		}
	}
	return true;
}

static bool
copy_extent(const alltypes_v1_shape_extent *src, alltypes_v1_shape_extent *dst)
{
	memset(dst, 0, sizeof(*dst));
	dst->which = src->which;
	switch (src->which) {
	case ALLTYPES_V1_SHAPE_EXTENT_RADIUS: dst->radius = src->radius; break;
	case ALLTYPES_V1_SHAPE_EXTENT_FORMULA:
		return dup_str(src->formula, &dst->formula);
	case ALLTYPES_V1_SHAPE_EXTENT_BLOB:
		dst->blob.len = src->blob.len;
		return dup_mem(src->blob.data, src->blob.len, 1,
		               &dst->blob.data);
	case ALLTYPES_V1_SHAPE_EXTENT_CORNER:
		return new_point(src->corner, &dst->corner);
	case ALLTYPES_V1_SHAPE_EXTENT_TINT: dst->tint = src->tint; break;
	default: break;
	}
	return true;
}

static bool
copy_shape(const alltypes_v1_shape *src, alltypes_v1_shape *dst,
           uint32_t *count)
{
	memset(dst, 0, sizeof(*dst));
	(*count)++;
	if (!dup_str(src->name, &dst->name) ||
	    !new_point(src->origin, &dst->origin) ||
	    !copy_points(src->vertices, src->n_vertices, &dst->vertices,
	                 &dst->n_vertices) ||
	    !copy_extent(&src->extent, &dst->extent) ||
	    !copy_shapes(src->children, src->n_children, &dst->children,
	                 &dst->n_children, count)) {
		return false;
	}
	if (src->style != NULL) {
		alltypes_v1_shape_style *st = addin_alloc(sizeof(*st));
		if (st == NULL) {
			return false;
		}
		st->width  = src->style->width;
		st->stroke = NULL;
		dst->style = st;
		if (!dup_str(src->style->stroke, &st->stroke)) {
			return false;
		}
	}
	if (src->scalars != NULL) {
		alltypes_v1_scalars *sc = addin_alloc(sizeof(*sc));
		if (sc == NULL) {
			return false;
		}
		memset(sc, 0, sizeof(*sc));
		dst->scalars = sc;
		if (!copy_scalars(src->scalars, sc)) {
			return false;
		}
	}
	if (src->repeats != NULL) {
		alltypes_v1_repeats *rp = addin_alloc(sizeof(*rp));
		if (rp == NULL) {
			return false;
		}
		memset(rp, 0, sizeof(*rp));
		dst->repeats = rp;
		if (!copy_repeats(src->repeats, rp)) {
			return false;
		}
	}
	return true;
}

static addin_err
echo_scalars(void *self, double d, float f, int32_t i32, int64_t i64,
             uint32_t u32, uint64_t u64, int32_t s32, int64_t s64,
             uint32_t fx32, uint64_t fx64, int32_t sfx32, int64_t sfx64,
             bool b, const char *s, const uint8_t *by, size_t by_len,
             alltypes_v1_color color, double *ret_d, float *ret_f,
             int32_t *ret_i32, int64_t *ret_i64, uint32_t *ret_u32,
             uint64_t *ret_u64, int32_t *ret_s32, int64_t *ret_s64,
             uint32_t *ret_fx32, uint64_t *ret_fx64, int32_t *ret_sfx32,
             int64_t *ret_sfx64, bool *ret_b, char **ret_s, uint8_t **ret_by,
             size_t *ret_by_len, alltypes_v1_color *ret_color)
{
	struct instance *in  = self;
	char            *s2  = addin_strdup(s != NULL ? s : "");
	uint8_t         *by2 = NULL;

	in->calls++;
	if (s2 == NULL ||
	    (by_len > 0 && (by2 = addin_memdup(by, by_len)) == NULL)) {
		addin_free(s2);
		return ADDIN_ENOMEM;
	}
	*ret_d      = d;
	*ret_f      = f;
	*ret_i32    = i32;
	*ret_i64    = i64;
	*ret_u32    = u32;
	*ret_u64    = u64;
	*ret_s32    = s32;
	*ret_s64    = s64;
	*ret_fx32   = fx32;
	*ret_fx64   = fx64;
	*ret_sfx32  = sfx32;
	*ret_sfx64  = sfx64;
	*ret_b      = b;
	*ret_s      = s2;
	*ret_by     = by2;
	*ret_by_len = by_len;
	*ret_color  = color;
	return ADDIN_OK;
}

static addin_err
echo_repeats(void *self, const double *d, size_t n_d, const float *f,
             size_t n_f, const int32_t *i32, size_t n_i32, const int64_t *i64,
             size_t n_i64, const uint32_t *u32, size_t n_u32,
             const uint64_t *u64, size_t n_u64, const int32_t *s32,
             size_t n_s32, const int64_t *s64, size_t n_s64,
             const uint32_t *fx32, size_t n_fx32, const uint64_t *fx64,
             size_t n_fx64, const int32_t *sfx32, size_t n_sfx32,
             const int64_t *sfx64, size_t n_sfx64, const bool *b, size_t n_b,
             const char *const *s, size_t n_s, const alltypes_v1_color *color,
             size_t n_color, const alltypes_v1_point *points, size_t n_points,
             double **ret_d, size_t *ret_n_d, float **ret_f, size_t *ret_n_f,
             int32_t **ret_i32, size_t *ret_n_i32, int64_t **ret_i64,
             size_t *ret_n_i64, uint32_t **ret_u32, size_t *ret_n_u32,
             uint64_t **ret_u64, size_t *ret_n_u64, int32_t **ret_s32,
             size_t *ret_n_s32, int64_t **ret_s64, size_t *ret_n_s64,
             uint32_t **ret_fx32, size_t *ret_n_fx32, uint64_t **ret_fx64,
             size_t *ret_n_fx64, int32_t **ret_sfx32, size_t *ret_n_sfx32,
             int64_t **ret_sfx64, size_t *ret_n_sfx64, bool **ret_b,
             size_t *ret_n_b, char ***ret_s, size_t *ret_n_s,
             alltypes_v1_color **ret_color, size_t *ret_n_color,
             alltypes_v1_point **ret_points, size_t *ret_n_points)
{
	struct instance    *in  = self;
	alltypes_v1_repeats src = {
	    .d        = d,
	    .n_d      = n_d,
	    .f        = f,
	    .n_f      = n_f,
	    .i32      = i32,
	    .n_i32    = n_i32,
	    .i64      = i64,
	    .n_i64    = n_i64,
	    .u32      = u32,
	    .n_u32    = n_u32,
	    .u64      = u64,
	    .n_u64    = n_u64,
	    .s32      = s32,
	    .n_s32    = n_s32,
	    .s64      = s64,
	    .n_s64    = n_s64,
	    .fx32     = fx32,
	    .n_fx32   = n_fx32,
	    .fx64     = fx64,
	    .n_fx64   = n_fx64,
	    .sfx32    = sfx32,
	    .n_sfx32  = n_sfx32,
	    .sfx64    = sfx64,
	    .n_sfx64  = n_sfx64,
	    .b        = b,
	    .n_b      = n_b,
	    .s        = s,
	    .n_s      = n_s,
	    .color    = color,
	    .n_color  = n_color,
	    .points   = points,
	    .n_points = n_points,
	};
	alltypes_v1_repeats r;

	in->calls++;
	if (!copy_repeats(&src, &r)) {
		alltypes_v1_all_types_echo_repeats_free_out(
		    unconst(r.d), unconst(r.f), unconst(r.i32), unconst(r.i64),
		    unconst(r.u32), unconst(r.u64), unconst(r.s32),
		    unconst(r.s64), unconst(r.fx32), unconst(r.fx64),
		    unconst(r.sfx32), unconst(r.sfx64), unconst(r.b),
		    unconst(r.s), r.n_s, unconst(r.color), unconst(r.points),
		    r.n_points);
		return ADDIN_ENOMEM;
	}
	if (r.n_s == 2 && strcmp(r.s[0], GIVE_BACK_NULL) == 0) {
		const char **a = unconst(r.s);
		addin_free(unconst(a[1]));
		a[1] = NULL;
	}
	// The view's structs hold const pointers; the outputs are ours.
	*ret_d        = unconst(r.d);
	*ret_n_d      = r.n_d;
	*ret_f        = unconst(r.f);
	*ret_n_f      = r.n_f;
	*ret_i32      = unconst(r.i32);
	*ret_n_i32    = r.n_i32;
	*ret_i64      = unconst(r.i64);
	*ret_n_i64    = r.n_i64;
	*ret_u32      = unconst(r.u32);
	*ret_n_u32    = r.n_u32;
	*ret_u64      = unconst(r.u64);
	*ret_n_u64    = r.n_u64;
	*ret_s32      = unconst(r.s32);
	*ret_n_s32    = r.n_s32;
	*ret_s64      = unconst(r.s64);
	*ret_n_s64    = r.n_s64;
	*ret_fx32     = unconst(r.fx32);
	*ret_n_fx32   = r.n_fx32;
	*ret_fx64     = unconst(r.fx64);
	*ret_n_fx64   = r.n_fx64;
	*ret_sfx32    = unconst(r.sfx32);
	*ret_n_sfx32  = r.n_sfx32;
	*ret_sfx64    = unconst(r.sfx64);
	*ret_n_sfx64  = r.n_sfx64;
	*ret_b        = unconst(r.b);
	*ret_n_b      = r.n_b;
	*ret_s        = unconst(r.s);
	*ret_n_s      = r.n_s;
	*ret_color    = unconst(r.color);
	*ret_n_color  = r.n_color;
	*ret_points   = unconst(r.points);
	*ret_n_points = r.n_points;
	return ADDIN_OK;
}

static addin_err
echo_shape(void *self, const alltypes_v1_shape *shape,
           const alltypes_v1_shape *more, size_t n_more,
           const alltypes_v1_shape_request_pick *pick,
           alltypes_v1_shape *ret_shape, alltypes_v1_shape **ret_more,
           size_t *ret_n_more, alltypes_v1_shape_reply_pick *ret_pick,
           uint32_t *ret_count)
{
	static const alltypes_v1_shape none;
	struct instance               *in    = self;
	uint32_t                       count = 0;
	alltypes_v1_shape              s;
	const alltypes_v1_shape       *m  = NULL;
	size_t                         nm = 0;
	alltypes_v1_shape_reply_pick   p;
	bool                           ok;

	in->calls++;
	memset(&p, 0, sizeof(p));
	ok = copy_shape(shape != NULL ? shape : &none, &s, &count) &&
	     copy_shapes(more, n_more, &m, &nm, &count);
	if (shape == NULL) {
		count--; // the empty shape stood in for an absent one
	}
	switch (pick->which) {
	case ALLTYPES_V1_SHAPE_REQUEST_PICK_INDEX:
		p.which = ALLTYPES_V1_SHAPE_REPLY_PICK_INDEX;
		p.index = pick->index;
		break;
	case ALLTYPES_V1_SHAPE_REQUEST_PICK_KEY:
		p.which = ALLTYPES_V1_SHAPE_REPLY_PICK_KEY;
		ok      = ok && dup_str(pick->key, &p.key);
		break;
	case ALLTYPES_V1_SHAPE_REQUEST_PICK_AT:
		p.which = ALLTYPES_V1_SHAPE_REPLY_PICK_AT;
		ok      = ok && new_point(pick->at, &p.at);
		break;
	default: break;
	}
	if (!ok) {
		alltypes_v1_all_types_echo_shape_free_out(&s, unconst(m), nm,
		                                          &p);
		return ADDIN_ENOMEM;
	}
	*ret_shape  = s;
	*ret_more   = unconst(m);
	*ret_n_more = nm;
	*ret_pick   = p;
	*ret_count  = count;
	return ADDIN_OK;
}

static addin_err
ping(void *self)
{
	struct instance *in = self;
	in->calls++;
	return ADDIN_OK;
}

static addin_err
fail(void *self, uint32_t code, const char *message)
{
	struct instance *in = self;

	in->calls++;
	if (message[0] != '\0') {
		return addin_set_error((addin_err) code, "%s", message);
	}
	return (addin_err) code;
}

static const alltypes_v1_all_types_ops ops = {
    .echo_scalars = echo_scalars,
    .echo_repeats = echo_repeats,
    .echo_shape   = echo_shape,
    .ping         = ping,
    .fail         = fail,
};

ALLTYPES_V1_ALL_TYPES_ADDIN(&ops, create, destroy, "All Types", "1.0.0",
                            "The Bulkhead Authors",
                            "Echoes every mapped type", );
