// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// oracle_text.h: the messages of gen_oracle_test.c as `protoc --decode`
// prints them (and `protoc --encode` reads them).  The values were checked
// by hand against the C values in gen_oracle_test.c: 0xdeadbeef is
// 3735928559, "\303\251" is the UTF-8 of e-acute, zero values are absent
// in proto3.

#ifndef GEN_ORACLE_TEXT_H
#define GEN_ORACLE_TEXT_H

// alltypes.v1.ShapeRequest: the_shape, more, the_pick.
#define SHAPE_REQUEST_TEXT                \
	"shape {\n"                       \
	"  name: \"root\"\n"              \
	"  origin {\n"                    \
	"    x: 1\n"                      \
	"    y: -2\n"                     \
	"    label: \"a\"\n"              \
	"  }\n"                           \
	"  vertices {\n"                  \
	"    x: 1\n"                      \
	"    y: -2\n"                     \
	"    label: \"a\"\n"              \
	"  }\n"                           \
	"  vertices {\n"                  \
	"    y: 300\n"                    \
	"  }\n"                           \
	"  corner {\n"                    \
	"    y: 300\n"                    \
	"  }\n"                           \
	"  children {\n"                  \
	"    name: \"c1\"\n"              \
	"    radius: 0.5\n"               \
	"  }\n"                           \
	"  children {\n"                  \
	"    name: \"c2\"\n"              \
	"    blob: \"\\000\\001\\376\"\n" \
	"  }\n"                           \
	"  style {\n"                     \
	"    stroke: \"dot\"\n"           \
	"    width: 2\n"                  \
	"  }\n"                           \
	"  scalars {\n"                   \
	"    d: -1.5e+300\n"              \
	"    f: 3.25\n"                   \
	"    i32: -2147483648\n"          \
	"    i64: -9223372036854775808\n" \
	"    u32: 4294967295\n"           \
	"    u64: 18446744073709551615\n" \
	"    s32: -123456\n"              \
	"    s64: -9000000000\n"          \
	"    fx32: 3735928559\n"          \
	"    fx64: 1\n"                   \
	"    sfx32: -7\n"                 \
	"    sfx64: -8\n"                 \
	"    b: true\n"                   \
	"    s: \"h\\303\\251llo\"\n"     \
	"    by: \"\\000\\001\\376\"\n"   \
	"    color: COLOR_GREEN\n"        \
	"  }\n"                           \
	"  repeats {\n"                   \
	"    s32: -1\n"                   \
	"    s32: 0\n"                    \
	"    s32: 65536\n"                \
	"    b: true\n"                   \
	"    b: false\n"                  \
	"    s: \"x\"\n"                  \
	"    s: \"\"\n"                   \
	"    s: \"\\342\\234\\223\"\n"    \
	"    color: COLOR_INFRARED\n"     \
	"    color: COLOR_RED\n"          \
	"    points {\n"                  \
	"      x: 1\n"                    \
	"      y: -2\n"                   \
	"      label: \"a\"\n"            \
	"    }\n"                         \
	"    points {\n"                  \
	"      y: 300\n"                  \
	"    }\n"                         \
	"  }\n"                           \
	"}\n"                             \
	"more {\n"                        \
	"  name: \"m\"\n"                 \
	"  tint: COLOR_INFRARED\n"        \
	"}\n"                             \
	"key: \"k\\\"q\"\n"

// alltypes.v1.ShapeReply: the add-in's echo, with the 4 shapes it counted.
#define SHAPE_REPLY_TEXT                  \
	"shape {\n"                       \
	"  name: \"root\"\n"              \
	"  origin {\n"                    \
	"    x: 1\n"                      \
	"    y: -2\n"                     \
	"    label: \"a\"\n"              \
	"  }\n"                           \
	"  vertices {\n"                  \
	"    x: 1\n"                      \
	"    y: -2\n"                     \
	"    label: \"a\"\n"              \
	"  }\n"                           \
	"  vertices {\n"                  \
	"    y: 300\n"                    \
	"  }\n"                           \
	"  corner {\n"                    \
	"    y: 300\n"                    \
	"  }\n"                           \
	"  children {\n"                  \
	"    name: \"c1\"\n"              \
	"    radius: 0.5\n"               \
	"  }\n"                           \
	"  children {\n"                  \
	"    name: \"c2\"\n"              \
	"    blob: \"\\000\\001\\376\"\n" \
	"  }\n"                           \
	"  style {\n"                     \
	"    stroke: \"dot\"\n"           \
	"    width: 2\n"                  \
	"  }\n"                           \
	"  scalars {\n"                   \
	"    d: -1.5e+300\n"              \
	"    f: 3.25\n"                   \
	"    i32: -2147483648\n"          \
	"    i64: -9223372036854775808\n" \
	"    u32: 4294967295\n"           \
	"    u64: 18446744073709551615\n" \
	"    s32: -123456\n"              \
	"    s64: -9000000000\n"          \
	"    fx32: 3735928559\n"          \
	"    fx64: 1\n"                   \
	"    sfx32: -7\n"                 \
	"    sfx64: -8\n"                 \
	"    b: true\n"                   \
	"    s: \"h\\303\\251llo\"\n"     \
	"    by: \"\\000\\001\\376\"\n"   \
	"    color: COLOR_GREEN\n"        \
	"  }\n"                           \
	"  repeats {\n"                   \
	"    s32: -1\n"                   \
	"    s32: 0\n"                    \
	"    s32: 65536\n"                \
	"    b: true\n"                   \
	"    b: false\n"                  \
	"    s: \"x\"\n"                  \
	"    s: \"\"\n"                   \
	"    s: \"\\342\\234\\223\"\n"    \
	"    color: COLOR_INFRARED\n"     \
	"    color: COLOR_RED\n"          \
	"    points {\n"                  \
	"      x: 1\n"                    \
	"      y: -2\n"                   \
	"      label: \"a\"\n"            \
	"    }\n"                         \
	"    points {\n"                  \
	"      y: 300\n"                  \
	"    }\n"                         \
	"  }\n"                           \
	"}\n"                             \
	"more {\n"                        \
	"  name: \"m\"\n"                 \
	"  tint: COLOR_INFRARED\n"        \
	"}\n"                             \
	"key: \"k\\\"q\"\n"               \
	"count: 4\n"

// alltypes.v1.Scalars: scal.
#define SCALARS_TEXT                  \
	"d: -1.5e+300\n"              \
	"f: 3.25\n"                   \
	"i32: -2147483648\n"          \
	"i64: -9223372036854775808\n" \
	"u32: 4294967295\n"           \
	"u64: 18446744073709551615\n" \
	"s32: -123456\n"              \
	"s64: -9000000000\n"          \
	"fx32: 3735928559\n"          \
	"fx64: 1\n"                   \
	"sfx32: -7\n"                 \
	"sfx64: -8\n"                 \
	"b: true\n"                   \
	"s: \"h\\303\\251llo\"\n"     \
	"by: \"\\000\\001\\376\"\n"   \
	"color: COLOR_GREEN\n"

#endif // GEN_ORACLE_TEXT_H
