#!/usr/bin/env bash
# Run every test of modguard and end with one line "N passed, M failed".
#
#   tests/run-all.sh [--vm-only] [BUILD_DIR]
#
# Four layers, each printing "ok - ..." / "not ok - ..." lines:
#   - unit tests of the user-space logic (host, no kernel needed);
#   - host tests in tests/host/ of the programs themselves, on the host's
#     own kernel (no VM: e.g. modguardd's startup preflight);
#   - host-side scripts in tests/vm/host/ that drive tools/vm-run themselves
#     (one boot per case, for cases that crash the guest on purpose, and
#     the stress boot);
#   - the in-guest suite tests/vm/guest/*.sh, run in one boot of Debian's
#     stock kernel.
# A layer that exits non-zero without saying what failed counts as a failure.
set -u

vm_only=0
if [ "${1:-}" = --vm-only ]; then
	vm_only=1
	shift
fi
build=${1:-build}
logs=$build/test-logs
rm -rf "$logs"
mkdir -p "$logs"

extra_fail=0
# layer NAME COMMAND...: run, stream, keep the log and the status
layer() {
	local name=$1 rc
	shift
	echo "=== $name"
	"$@" 2>&1 | tee "$logs/$name.log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok - ' "$logs/$name.log"; then
		echo "not ok - $name exited with status $rc" | tee -a "$logs/$name.log"
	fi
	return 0
}

# every tests/host/*.sh, given the build dir; fails if any of them fails
host_layer() {
	local t rc=0
	for t in tests/host/*.sh; do
		[ -e "$t" ] || continue
		bash "$t" "$build" || rc=1
	done
	return "$rc"
}

if [ "$vm_only" = 0 ]; then
	layer unit tests/unit/run-unit.sh "$build"
	layer host host_layer
fi
# Every VM test is one lane of work for one host core (all VMs run with one
# vCPU).  Two lanes, balanced by their measured length (about 7 minutes
# each here): the guest suite in one, the 200-cycle stress and the
# crash-per-boot scripts in the other.  The host scripts run their own boots one at a time
# here (MG_VM_JOBS=1) so that no more than two guests share the two cores.
# One vCPU, here and in tests/vm/host/: under TCG, live kernel text
# patching (kprobe arming, static keys) across two vCPUs now and then hung
# or crashed the guest in ftrace/text_poke code (QEMU's cross-modifying
# code), twice in about forty boots; one vCPU never did.
host_test() {
	local t=tests/vm/host/$1.sh
	[ -e "$t" ] || return 0
	MG_VM_JOBS=1 layer "host-$1" bash "$t" "$build"
}
suite_out=$build/vm-suite
rm -rf "$suite_out"
lane_a() {
	# the guest suite's own output dir survives a crash of the guest
	layer guest-suite tools/vm-run --cpus 1 --timeout 1500 --out "$(pwd)/$suite_out" -- \
		sh tests/vm/guest-suite.sh "$build"
	host_test advisory
}
lane_b() {
	host_test stress
	host_test stale_kinds
	host_test harness_negative_control
	host_test race_negative
}
# each lane's output is kept whole and shown after it, not interleaved
lane_a > "$logs/lane-a.out" 2>&1 &
lane_a_pid=$!
lane_b > "$logs/lane-b.out" 2>&1 &
lane_b_pid=$!
wait "$lane_a_pid"
cat "$logs/lane-a.out"
wait "$lane_b_pid"
cat "$logs/lane-b.out"
# a host script nobody listed above still runs, after the lanes
for t in tests/vm/host/*.sh; do
	case $(basename "$t" .sh) in
	advisory | harness_negative_control | race_negative | stress | stale_kinds) ;;
	*) host_test "$(basename "$t" .sh)" ;;
	esac
done

passed=$(cat "$logs"/*.log | grep -c '^ok - ')
failed=$(cat "$logs"/*.log | grep -c '^not ok - ')
if [ "$failed" -gt 0 ]; then
	echo
	echo "failed:"
	cat "$logs"/*.log | grep '^not ok - ' | sed 's/^/  /'
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$extra_fail" -eq 0 ]
