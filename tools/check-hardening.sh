#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# check-hardening.sh BUILD_DIR [--fortify]: every shared library and
# executable Bulkhead ships (the runtime, the host library, the runner, the
# plugin, addinctl) is built hardened (cmake/AddinCompiler.cmake): full
# RELRO (GNU_RELRO + BIND_NOW), no executable stack, position-independent
# executables, the stack protector; with --fortify (an optimised build) also
# _FORTIFY_SOURCE (calls to the checked *_chk variants).  Exits 1 naming
# every file and property that is missing.

set -eu
dir=${1:?usage: check-hardening.sh BUILD_DIR [--fortify]}
fortify=${2:-}
bad=0

fail() {
	echo "check-hardening: $1: $2" >&2
	bad=1
}

for f in "$dir"/lib/libaddin-sdk.so "$dir"/lib/libaddin-host.so \
	"$dir"/bin/addin-runner "$dir"/bin/protoc-gen-pipeline \
	"$dir"/bin/addinctl; do
	if [ ! -f "$f" ]; then
		fail "$f" "missing"
		continue
	fi
	f=$(readlink -f "$f")
	hdr=$(readelf -W -l -d "$f")
	echo "$hdr" | grep -q 'GNU_RELRO' || fail "$f" "no RELRO segment"
	echo "$hdr" | grep -Eq 'BIND_NOW|FLAGS.*NOW' ||
		fail "$f" "no BIND_NOW (partial RELRO only)"
	if echo "$hdr" | grep 'GNU_STACK' | grep -q 'RWE'; then
		fail "$f" "executable stack"
	fi
	readelf -W -h "$f" | grep -q 'Type:.*DYN' ||
		fail "$f" "not position-independent (ET_EXEC)"
	syms=$(readelf -W --dyn-syms "$f")
	echo "$syms" | grep -q '__stack_chk_fail' ||
		fail "$f" "no stack protector (__stack_chk_fail unused)"
	if [ "$fortify" = "--fortify" ]; then
		echo "$syms" | grep -Eq '__[a-z_]+_chk(@|$| )' ||
			fail "$f" "no _FORTIFY_SOURCE (no *_chk call)"
	fi
done
[ $bad -eq 0 ] && echo "check-hardening: $dir: all hardened${fortify:+ (with fortify)}"
exit $bad
