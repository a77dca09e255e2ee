#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# tsan-exclude.sh FILE: the ctest -E regular expression that leaves out
# exactly the tests FILE names (tests/tsan-exclude.txt: "name # reason"
# lines; '#' at the start of a line is a comment).  Every name is matched
# whole, its regex characters escaped.  Prints nothing for no names.
set -eu
sed -n 's/^\([^#].*[^ ]\) # .*$/\1/p' "${1:?usage: tsan-exclude.sh FILE}" |
	sed 's/[][\\.^$*+?(){}|]/\\&/g' |
	awk 'BEGIN { ORS = "" } { printf "%s%s", (NR > 1 ? "|" : "^("), $0 }
	     END { if (NR > 0) print ")$" }'
