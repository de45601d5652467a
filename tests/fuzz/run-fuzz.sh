#!/usr/bin/env bash
# Run every libFuzzer harness built by `make fuzz` for SECONDS each, one at
# a time, from its seed corpus; print one line per harness and end with
# "N passed, M failed".  A crash, a sanitizer report, a leak, a timeout or an
# out-of-memory is a failure; the input that caused it is kept in
# FUZZ_OUT/artifacts/ (replay: FUZZ_OUT/<harness> FILE).
#
# usage: tests/fuzz/run-fuzz.sh FUZZ_OUT [SECONDS]
#
# Per harness: tests/fuzz/<harness>.c, its seeds tests/fuzz/corpus/<harness>/
# (real inputs: request lines, reply streams, record files as the daemon
# writes them) and its libFuzzer dictionary tests/fuzz/<harness>.dict.
# The inputs found are added to FUZZ_OUT/corpus/<harness>/ (kept across
# runs, never written into the tree's seeds, tests/fuzz/corpus/<harness>/).
# The whole output of a harness is in FUZZ_OUT/logs/<harness>.log.
set -u

out=${1:?usage: run-fuzz.sh FUZZ_OUT [SECONDS]}
seconds=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)

# the longest input each harness tries: past the limit of what it parses
# (a request is at most 4096 bytes, a reply line 65536, a record file is
# the record line and at most 256 ref lines)
max_len() {
	case $1 in
	fuzz_request) echo 8192 ;;
	fuzz_frame) echo 16384 ;;
	fuzz_reply) echo 140000 ;;
	fuzz_record_file) echo 65536 ;;
	*) echo 65536 ;;
	esac
}

mkdir -p "$out/logs" "$out/artifacts" "$out/corpus"
passed=0
failed=0
ran=0
for bin in "$out"/fuzz_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	name=$(basename "$bin")
	ran=$((ran + 1))
	seeds=$here/corpus/$name
	corpus=$out/corpus/$name
	log=$out/logs/$name.log
	mkdir -p "$corpus"
	dirs=("$corpus")
	[ -d "$seeds" ] && dirs+=("$seeds")
	opts=()
	[ -f "$here/$name.dict" ] && opts+=(-dict="$here/$name.dict")
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len "$name")" -print_final_stats=1 "${opts[@]}" \
		-artifact_prefix="$out/artifacts/$name-" "${dirs[@]}" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	# the last status line: "#N ... cov: C ft: F corp: U/Sb ..."
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)
	corp=$(grep -o 'corp: [0-9]*/[0-9]*[bKM]*' "$log" | tail -n1 | cut -d' ' -f2)
	note=
	if grep -q 'PENDING' "$log"; then
		note="; PENDING: $(sed -n 's/^.*PENDING: //p' "$log" | head -n1)"
	fi
	if [ "$rc" -eq 0 ] && grep -q '^Done [0-9]* runs' "$log"; then
		passed=$((passed + 1))
		echo "ok - $name: ${execs:-?} executions in ${seconds}s, corpus ${corp:-?} (inputs/bytes), coverage ${cov:-?}, 0 crashes$note"
	else
		failed=$((failed + 1))
		what=$(grep -m1 -o 'ERROR: [A-Za-z]*Sanitizer: [^ ]*\|ERROR: libFuzzer: [a-z-]*\|runtime error: .*' "$log" || true)
		art=$(sed -n 's/^.*Test unit written to //p' "$log" | tail -n1)
		echo "not ok - $name: exit status $rc${what:+, $what}${art:+, input $art}; log $log"
		# the report itself, for CI logs
		grep -A25 -m1 'ERROR: \|runtime error: ' "$log" | sed 's/^/#   /'
	fi
done
if [ "$ran" -eq 0 ]; then
	echo "run-fuzz: no harness in $out; build them with make fuzz" >&2
	exit 2
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
