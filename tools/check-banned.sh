#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# check-banned.sh: the project's own sources go through one allocator seam
# (addin__alloc/addin__free in addin-sdk/src/alloc.c) and one parsing file;
# unbounded string functions are not used at all.  Examples, tests and
# add-ins written by users are not project library code and are not checked.
set -eu
cd "$(dirname "$0")/.."
banned='\b(malloc|calloc|realloc|free|strdup|strndup|strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|strtol|strtoul|strtoll|strtoull|gets)[[:space:]]*\('
files=$(git ls-files 'host/src/*.c' 'addin-sdk/src/*.c' 'addin-sdk/sandbox/*.c' \
	'addin-sdk/runner/*.c' \
	'pipeline-gen/src/*.c' 'tools/*.c' 'tools/**/*.c' |
	grep -v -e '_test\.c$' -e '/alloc\.c$' -e '/parse\.c$' || true)
[ -n "$files" ] || exit 0
if grep -nE "$banned" $files | grep -v 'banned-ok'; then
	echo "check-banned: use addin__alloc/addin__free and the parse helpers" >&2
	exit 1
fi
