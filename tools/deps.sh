#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# deps.sh: install the Debian packages Bulkhead needs, if any are missing.
# Runs apt-get directly as root, through sudo otherwise, and says clearly
# what to do when neither is possible.  Touches nothing when all are present.

set -eu

# The packages the build and the tests need.  Keep in sync with README.md.
PKGS="cmake make gcc pkg-config libnng-dev libprotobuf-c-dev \
protobuf-c-compiler protobuf-compiler libprotoc-dev libseccomp-dev \
libjansson-dev"

# Extra packages for optional checks: --ci the style check (clang-format),
# --fuzz the fuzz targets (`make fuzz`: clang with its libFuzzer and
# sanitizer runtimes; on Debian 12 these pull clang-14 and
# libclang-rt-14-dev).  `make test` needs neither.
for opt in "$@"; do
	case $opt in
	--ci) PKGS="$PKGS clang-format" ;;
	--fuzz) PKGS="$PKGS clang libclang-rt-dev" ;;
	*)
		echo "usage: deps.sh [--ci] [--fuzz]" >&2
		exit 2
		;;
	esac
done

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

echo "deps: installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO="sudo -n"
else
	echo "deps: cannot install packages: not root and no password-less sudo." >&2
	echo "deps: run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; refresh them when the install
# cannot find a package, then try once more.
if ! $SUDO apt-get install -y --no-install-recommends $missing; then
	$SUDO apt-get update
	$SUDO apt-get install -y --no-install-recommends $missing
fi
