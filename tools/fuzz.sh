#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# fuzz.sh <build-dir> [seconds] [target...]: runs the libFuzzer targets of
# an ADDIN_FUZZ build (`make fuzz` builds them and calls this) for
# <seconds> each (default 60), one after the other, and prints each one's
# executions, speed and coverage.  Exits 1 when any target found a crash,
# a leak, a hang or a failed check; its input is then in
# <build-dir>/fuzz-artifacts/ (docs/security.md, "Fuzzing", says what to
# do with it).
#
# Each target starts from its committed seeds, tests/fuzz/corpus/<target>/,
# which it only reads; what it finds goes to <build-dir>/fuzz-corpus/
# <target>/, kept between runs, so local runs build on each other and the
# committed corpus grows only when someone copies inputs into it.
set -eu
cd "$(dirname "$0")/.."

build=${1:?usage: fuzz.sh <build-dir> [seconds] [target...]}
seconds=${2:-60}
[ $# -ge 2 ] && shift 2 || shift $#
targets=${*:-frame segment segment_record}

# Sanitizer reports abort the run (libFuzzer then keeps the input), with
# stacks; leaks are reported too (libFuzzer's -detect_leaks is on).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_odr_violation=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

mkdir -p "$build/fuzz-artifacts" "$build/fuzz-logs"
failed=""
summary=""
for t in $targets; do
	exe="$build/fuzz/fuzz_$t"
	seeds="tests/fuzz/corpus/$t"
	found="$build/fuzz-corpus/$t"
	log="$build/fuzz-logs/$t.log"
	if [ ! -x "$exe" ]; then
		echo "fuzz: $exe is missing: build with make fuzz" >&2
		exit 2
	fi
	[ -d "$seeds" ] || { echo "fuzz: no seeds in $seeds" >&2; exit 2; }
	mkdir -p "$found"
	set -- -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$build/fuzz-artifacts/$t-"
	case $t in
	segment*) set -- "$@" -dict=tests/fuzz/segment.dict ;;
	esac
	# Records may hold values up to 4 KiB: let inputs grow past that.
	[ "$t" = segment_record ] && set -- "$@" -max_len=8192
	echo "== fuzz_$t: ${seconds}s from $seeds (log: $log)"
	rc=0
	"$exe" "$@" "$found" "$seeds" >"$log" 2>&1 || rc=$?
	# The last status line ("#N DONE cov: C ft: F corp: U/S ...") and the
	# final statistics.
	done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' \
		"$log" | tail -n 1 || true)
	cov=$(echo "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$done_line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$done_line" | sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p')
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	line=$(printf '%-16s %10s execs %7s/s  cov %5s  ft %6s  corpus %5s' \
		"$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
		"${corp:-?}")
	if [ "$rc" -ne 0 ]; then
		line="$line  FAILED (exit $rc)"
		failed="$failed $t"
		echo "-- fuzz_$t failed; the end of its log:" >&2
		tail -n 60 "$log" >&2
	fi
	echo "$line"
	summary="$summary$line
"
done

echo "== fuzz summary (${seconds}s per target)"
printf '%s' "$summary"
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed; inputs in $build/fuzz-artifacts/" >&2
	exit 1
fi
