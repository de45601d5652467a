#!/usr/bin/env bash
# Run every test of modguard and end with one line "N passed, M failed".
#
#   tests/run-all.sh [--vm-only] [BUILD_DIR]
#
# Three layers, each printing "ok - ..." / "not ok - ..." lines:
#   - unit tests of the user-space logic (host, no kernel needed);
#   - host-side scripts in tests/vm/host/ that drive tools/vm-run themselves
#     (one boot per case, for cases that crash the guest on purpose);
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

if [ "$vm_only" = 0 ]; then
	layer unit tests/unit/run-unit.sh "$build"
fi
# the long stress boot runs beside the guest suite (one vCPU each, two
# host cores): CI stays well under half an hour
for t in tests/vm/host/*.sh; do
	[ -e "$t" ] || continue
	[ "$(basename "$t")" = stress.sh ] && continue
	layer "host-$(basename "$t" .sh)" bash "$t" "$build"
done
if [ -e tests/vm/host/stress.sh ]; then
	layer host-stress bash tests/vm/host/stress.sh "$build" \
		> "$logs/stress.stdout" 2>&1 &
	stress_pid=$!
fi
# the guest suite's own output dir survives a crash of the guest.
# One vCPU, here and in tests/vm/host/: under TCG, live kernel text
# patching (kprobe arming, static keys) across two vCPUs now and then hung
# or crashed the guest in ftrace/text_poke code (QEMU's cross-modifying
# code), twice in about forty boots; one vCPU never did.
suite_out=$build/vm-suite
rm -rf "$suite_out"
layer guest-suite tools/vm-run --cpus 1 --timeout 1500 --out "$(pwd)/$suite_out" -- \
	sh tests/vm/guest-suite.sh "$build"

if [ -n "${stress_pid:-}" ]; then
	wait "$stress_pid"
	cat "$logs/stress.stdout"
fi

passed=$(cat "$logs"/*.log | grep -c '^ok - ')
failed=$(cat "$logs"/*.log | grep -c '^not ok - ')
if [ "$failed" -gt 0 ]; then
	echo
	echo "failed:"
	cat "$logs"/*.log | grep '^not ok - ' | sed 's/^/  /'
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$extra_fail" -eq 0 ]
