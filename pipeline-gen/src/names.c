// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// C names: Bulkhead's single-underscore view names, and the names protoc-c
// 1.4 gives the same things (the adapters use both).

#include <string.h>

#include "pg.h"

static bool
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char
to_lower(char c)
{
	return is_upper(c) ? (char) (c - 'A' + 'a') : c;
}

static char
to_upper(char c)
{
	return is_lower(c) ? (char) (c - 'a' + 'A') : c;
}

// Bulkhead's view names: a word boundary before an upper-case letter that
// follows a lower-case letter or digit, or that starts a word after an
// acronym ("HTTPServer" -> "http_server"); everything lower case.
char *
pg_snake(const char *name)
{
	size_t n   = strlen(name);
	char  *out = pg_alloc(2 * n + 1);
	size_t o   = 0;

	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (is_upper(c) && i > 0 && name[i - 1] != '_') {
			char prev = name[i - 1];
			char next = name[i + 1];
			if (is_lower(prev) || is_digit(prev) ||
			    (is_upper(prev) && is_lower(next))) {
				out[o++] = '_';
			}
		}
		out[o++] = to_lower(c);
	}
	out[o] = '\0';
	return out;
}

char *
pg_upper(const char *s)
{
	char *p = pg_strdup(s);
	for (char *q = p; *q != '\0'; q++) {
		*q = to_upper(*q);
	}
	return p;
}

char *
pg_lower(const char *s)
{
	char *p = pg_strdup(s);
	for (char *q = p; *q != '\0'; q++) {
		*q = to_lower(*q);
	}
	return p;
}

// protoc-c's conversions of one name component, as its generator does
// them (protoc-c/c_helpers.cc): ToCamel drops underscores and upper-cases
// the letter after each; CamelToLower/CamelToUpper insert an underscore
// before an upper-case letter that follows a non-upper-case character.
static void
pbc_piece(pg_buf *b, const char *s, size_t n, int mode)
{
	bool was_upper = true; // no leading underscore
	bool next_up   = true;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (mode == 0) { // ToCamel
			if (c == '_') {
				next_up = true;
			} else if (next_up) {
				char u = to_upper(c);
				pg_putn(b, &u, 1);
				next_up = false;
			} else {
				pg_putn(b, &c, 1);
			}
			continue;
		}
		bool up = is_upper(c);
		if (up && !was_upper) {
			pg_put(b, "_");
		}
		char o = mode == 1 ? to_lower(c) : to_upper(c);
		pg_putn(b, &o, 1);
		was_upper = up;
	}
}

static char *
pbc_full(const char *full, int mode)
{
	pg_buf      b = {0};
	const char *p = full;

	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t      n   = dot == NULL ? strlen(p) : (size_t) (dot - p);
		if (n > 0) {
			if (b.len > 0) {
				pg_put(&b, "__");
			}
			pbc_piece(&b, p, n, mode);
		}
		p += n;
		if (*p == '.') {
			p++;
		}
	}
	return pg_strdup(pg_buf_str(&b));
}

char *
pg_pbc_type(const char *full)
{
	return pbc_full(full, 0);
}

char *
pg_pbc_lower(const char *full)
{
	return pbc_full(full, 1);
}

char *
pg_pbc_upper(const char *full)
{
	return pbc_full(full, 2);
}

char *
pg_pbc_oneof(const char *name)
{
	pg_buf b = {0};
	pbc_piece(&b, name, strlen(name), 1);
	return pg_strdup(pg_buf_str(&b));
}

// protoc-c appends an underscore to member names that are C++ keywords.
static const char *const pbc_keywords[] = {"and",
                                           "and_eq",
                                           "asm",
                                           "auto",
                                           "bitand",
                                           "bitor",
                                           "bool",
                                           "break",
                                           "case",
                                           "catch",
                                           "char",
                                           "class",
                                           "compl",
                                           "const",
                                           "const_cast",
                                           "continue",
                                           "default",
                                           "delete",
                                           "do",
                                           "double",
                                           "dynamic_cast",
                                           "else",
                                           "enum",
                                           "explicit",
                                           "extern",
                                           "false",
                                           "float",
                                           "for",
                                           "friend",
                                           "goto",
                                           "if",
                                           "inline",
                                           "int",
                                           "long",
                                           "mutable",
                                           "namespace",
                                           "new",
                                           "not",
                                           "not_eq",
                                           "operator",
                                           "or",
                                           "or_eq",
                                           "private",
                                           "protected",
                                           "public",
                                           "register",
                                           "reinterpret_cast",
                                           "return",
                                           "short",
                                           "signed",
                                           "sizeof",
                                           "static",
                                           "static_cast",
                                           "struct",
                                           "switch",
                                           "template",
                                           "this",
                                           "throw",
                                           "true",
                                           "try",
                                           "typedef",
                                           "typeid",
                                           "typename",
                                           "union",
                                           "unsigned",
                                           "using",
                                           "virtual",
                                           "void",
                                           "volatile",
                                           "wchar_t",
                                           "while",
                                           "xor",
                                           "xor_eq",
                                           NULL};

char *
pg_pbc_field(const char *name)
{
	char *low = pg_lower(name);
	for (size_t i = 0; pbc_keywords[i] != NULL; i++) {
		if (strcmp(low, pbc_keywords[i]) == 0) {
			return pg_fmt("%s_", low);
		}
	}
	return low;
}

// Names a generated parameter or member cannot have: C11 keywords, the
// macros and type names of the standard headers that generated code
// includes, and the standard functions generated code calls where
// parameters and locals named after fields are in scope (a local 'memset'
// hides memset()).
static const char *const c_reserved[] = {
    "auto",      "break",     "case",     "char",          "const",
    "continue",  "default",   "do",       "double",        "else",
    "enum",      "extern",    "float",    "for",           "goto",
    "if",        "inline",    "int",      "long",          "register",
    "restrict",  "return",    "short",    "signed",        "sizeof",
    "static",    "struct",    "switch",   "typedef",       "union",
    "unsigned",  "void",      "volatile", "while",         "asm",
    "typeof",    "bool",      "true",     "false",         "NULL",
    "alignas",   "alignof",   "noreturn", "static_assert", "thread_local",
    "complex",   "imaginary", "offsetof", "errno",         "assert",
    "size_t",    "ptrdiff_t", "wchar_t",  "max_align_t",   "int8_t",
    "int16_t",   "int32_t",   "int64_t",  "uint8_t",       "uint16_t",
    "uint32_t",  "uint64_t",  "intptr_t", "uintptr_t",     "intmax_t",
    "uintmax_t", "memcpy",    "memset",   "strcmp",        NULL};

bool
pg_is_reserved_word(const char *s)
{
	for (size_t i = 0; c_reserved[i] != NULL; i++) {
		if (strcmp(s, c_reserved[i]) == 0) {
			return true;
		}
	}
	return false;
}

bool
pg_is_identifier(const char *s)
{
	if (*s == '\0' || is_digit(*s)) {
		return false;
	}
	for (; *s != '\0'; s++) {
		if (!is_lower(*s) && !is_upper(*s) && !is_digit(*s) &&
		    *s != '_') {
			return false;
		}
	}
	return true;
}
