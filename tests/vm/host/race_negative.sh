#!/usr/bin/env bash
# Issue 4, acceptance 1, negative control: without modguard, the 2002 race
# is real on this kernel.  A reader sleeps in the read() of a misc device
# registered without .owner; plain rmmod succeeds (refcnt is 0), the
# memory is freed, and the reader returns into freed text: vm-run must
# report the guest's oops (125).  Proves the guarded tests can fail.
#
#   tests/vm/host/race_negative.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
build=${1:-build}
out=$build/vm-race-negative
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

tools/vm-run --cpus 1 --timeout 300 --out "$out" -- sh -c "
	insmod $build/modules/mg_nofops_reader.ko sleep_ms=3000 &&
	{ cat /dev/mg_nofops_reader & } &&
	sleep 1 &&
	rmmod mg_nofops_reader && echo unloaded > \$VM_OUT/unloaded
	sleep 6" > "$out/vm.out" 2>&1
rc=$?
if [ -e "$out/unloaded" ]; then
	echo "ok - plain rmmod unloads the module while a reader is inside"
else
	echo "not ok - plain rmmod unloads the module while a reader is inside"
fi
if [ "$rc" = 125 ]; then
	echo "ok - ... and the guest oopses when the reader returns (vm-run 125)"
else
	echo "not ok - ... and the guest oopses when the reader returns (vm-run $rc)"
	tail -20 "$out/vm.out" | sed 's/^/#   /'
fi
