// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The presence.v1 test add-in, written only against the generated add-in
// view presence/v1/presence.addin.h: Echo returns its inputs, Wrap its
// options and how many of their fields were set.  tests/gen/checks.c
// (check_presence) drives it.
//
// proto2 defaults ([default = ...]) are protobuf's: the adapters apply them
// to absent fields, direct connect hands over what the host passed.  This
// add-in applies them itself, as an add-in that must behave the same at
// every isolation level does.

#include <string.h>

#include "presence/v1/presence.addin.h"

static void *
unconst(const void *p)
{
	return (void *) (uintptr_t) p;
}

// Deep copy of @src into @dst with addin_alloc, defaults applied to absent
// fields.  Returns false when out of memory, leaving what was built in
// @dst for presence_v1_options_clear.
static bool
copy_options(const presence_v1_options *src, presence_v1_options *dst)
{
	memset(dst, 0, sizeof(*dst));
	dst->has_count = src->has_count;
	dst->count     = src->count;
	dst->has_ratio = src->has_ratio;
	dst->ratio     = src->has_ratio ? src->ratio : 0.5;
	dst->has_flag  = src->has_flag;
	dst->flag      = src->flag;
	dst->has_level = src->has_level;
	dst->level     = src->has_level ? src->level : PRESENCE_V1_LEVEL_HIGH;
	dst->has_data  = src->has_data;
	if (src->name != NULL &&
	    (dst->name = addin_strdup(src->name)) == NULL) {
		return false;
	}
	if ((dst->title = addin_strdup(
	         src->title != NULL ? src->title : "untitled")) == NULL) {
		return false;
	}
	if (src->data_len > 0) {
		if ((dst->data = addin_memdup(src->data, src->data_len)) ==
		    NULL) {
			return false;
		}
		dst->data_len = src->data_len;
	}
	if (src->n_values > 0) {
		dst->values = addin_memdup(
		    src->values, src->n_values * sizeof(*src->values));
		if (dst->values == NULL) {
			return false;
		}
		dst->n_values = src->n_values;
	}
	dst->choice.which = src->choice.which;
	if (src->choice.which == PRESENCE_V1_OPTIONS_CHOICE_NUMBER) {
		dst->choice.number = src->choice.number;
	} else if (src->choice.which == PRESENCE_V1_OPTIONS_CHOICE_TEXT &&
	           (dst->choice.text = addin_strdup(src->choice.text)) ==
	               NULL) {
		return false;
	}
	if (src->inner != NULL) {
		presence_v1_options *in = addin_alloc(sizeof(*in));
		if (in == NULL) {
			return false;
		}
		memset(in, 0, sizeof(*in));
		dst->inner = in;
		return copy_options(src->inner, in);
	}
	return true;
}

static addin_err
echo(void *self, bool has_count, int32_t count, bool has_ratio, double ratio,
     bool has_flag, bool flag, const char *name, const char *title,
     bool has_data, const uint8_t *data, size_t data_len, bool has_level,
     presence_v1_level level, const presence_v1_options *inner,
     const int32_t *values, size_t n_values,
     const presence_v1_options_choice *choice, bool *ret_has_count,
     int32_t *ret_count, bool *ret_has_ratio, double *ret_ratio,
     bool *ret_has_flag, bool *ret_flag, char **ret_name, char **ret_title,
     bool *ret_has_data, uint8_t **ret_data, size_t *ret_data_len,
     bool *ret_has_level, presence_v1_level *ret_level,
     presence_v1_options *ret_inner, int32_t **ret_values,
     size_t *ret_n_values, presence_v1_options_choice *ret_choice)
{
	presence_v1_options src = {.has_count = has_count,
	                           .count     = count,
	                           .has_ratio = has_ratio,
	                           .ratio     = ratio,
	                           .has_flag  = has_flag,
	                           .flag      = flag,
	                           .name      = name,
	                           .title     = title,
	                           .has_data  = has_data,
	                           .data      = data,
	                           .data_len  = data_len,
	                           .has_level = has_level,
	                           .level     = level,
	                           .inner     = NULL,
	                           .values    = values,
	                           .n_values  = n_values,
	                           .choice    = *choice};
	presence_v1_options dst, in;

	(void) self;
	memset(&in, 0, sizeof(in));
	if (!copy_options(&src, &dst) ||
	    (inner != NULL && !copy_options(inner, &in))) {
		presence_v1_options_clear(&dst);
		presence_v1_options_clear(&in);
		return ADDIN_ENOMEM;
	}
	*ret_has_count = dst.has_count;
	*ret_count     = dst.count;
	*ret_has_ratio = dst.has_ratio;
	*ret_ratio     = dst.ratio;
	*ret_has_flag  = dst.has_flag;
	*ret_flag      = dst.flag;
	*ret_name      = unconst(dst.name);
	*ret_title     = unconst(dst.title);
	*ret_has_data  = dst.has_data;
	*ret_data      = unconst(dst.data);
	*ret_data_len  = dst.data_len;
	*ret_has_level = dst.has_level;
	*ret_level     = dst.level;
	*ret_inner     = in;
	*ret_values    = unconst(dst.values);
	*ret_n_values  = dst.n_values;
	*ret_choice    = dst.choice;
	return ADDIN_OK;
}

static uint32_t
set_fields(const presence_v1_options *o)
{
	return (uint32_t) o->has_count + o->has_ratio + o->has_flag +
	       (o->name != NULL) + o->has_data + o->has_level +
	       (o->inner != NULL) + (o->n_values > 0) +
	       (o->choice.which != PRESENCE_V1_OPTIONS_CHOICE_NOT_SET);
}

static addin_err
wrap(void *self, const presence_v1_options *options,
     presence_v1_options *ret_options, bool *ret_has_set_fields,
     uint32_t *ret_set_fields)
{
	presence_v1_options dst;

	(void) self;
	memset(&dst, 0, sizeof(dst));
	if (options != NULL && !copy_options(options, &dst)) {
		presence_v1_options_clear(&dst);
		return ADDIN_ENOMEM;
	}
	*ret_options        = dst;
	*ret_has_set_fields = true;
	*ret_set_fields     = options != NULL ? set_fields(options) : 0;
	return ADDIN_OK;
}

static const presence_v1_presence_ops ops = {
    .echo = echo,
    .wrap = wrap,
};

PRESENCE_V1_PRESENCE_ADDIN(&ops, NULL, NULL, "Presence", "1.0.0",
                           "The Bulkhead Authors",
                           "Echoes proto2 optional fields");
