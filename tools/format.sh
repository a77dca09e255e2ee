#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# format.sh check|fix: clang-format every hand-written C source of the
# project.  Generated files (adapters/, tests/gen/golden/, *.pb-c.*) are
# excluded: their layout is the generator's and is checked byte-exact.
set -eu
cd "$(dirname "$0")/.."
mode=${1:-check}
files=$(git ls-files '*.c' '*.h' |
	grep -v -e '^adapters/' -e '/golden/' -e '\.pb-c\.' -e '^tests/fuzz/corpus/' || true)
[ -n "$files" ] || exit 0
if [ "$mode" = fix ]; then
	echo "$files" | xargs clang-format -i
else
	echo "$files" | xargs clang-format --dry-run --Werror
fi
