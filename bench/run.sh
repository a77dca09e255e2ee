#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# run.sh BUILD_DIR: run every benchmark built in BUILD_DIR/bench.
set -eu
dir=${1:-build-release}
found=0
for b in "$dir"/bench/bench-*; do
	[ -x "$b" ] || continue
	found=1
	echo "== $(basename "$b")"
	"$b"
done
[ "$found" = 1 ] || { echo "no benchmarks built in $dir/bench" >&2; exit 1; }
