#!/usr/bin/env bash
# Negative controls: without modguard, each way into a module registered
# without .owner is a real crash on this kernel, so the guarded tests
# (tests/vm/guest/04-rmmod.sh, 05-enforce.sh, 08-open-files.sh) can fail.
#   inside:    issue 4, acceptance 1, the 2002 race: a reader sleeps in
#              read(); plain rmmod succeeds (refcnt 0), the reader returns
#              into freed text;
#   open:      a file opened before the unload, read after it (even its
#              close would crash: f_op points into the freed module);
#   exiting:   a file opened while the module's exit runs, before it
#              deregisters the device (exit_delay_ms), read after the free.
# vm-run must report the guest's oops (125) each time.
#
#   tests/vm/host/race_negative.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
build=${1:-build}
work=$build/vm-race-negative
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
ko=$build/modules/$(tools/vm-run --print-kernel)/mg_nofops_reader.ko
dev=/dev/mg_nofops_reader

# case NAME GUEST-SCRIPT: the script writes $VM_OUT/unloaded when rmmod
# succeeded
guest() {
	case $1 in
	inside) echo "insmod $ko sleep_ms=3000 &&
		{ cat $dev & } &&
		sleep 1 &&
		rmmod mg_nofops_reader && echo unloaded > \$VM_OUT/unloaded
		sleep 6" ;;
	open) echo "insmod $ko sleep_ms=100 &&
		exec 3<$dev &&
		sh -c 'rmmod mg_nofops_reader && echo unloaded > \$VM_OUT/unloaded' 3<&-
		cat <&3
		sleep 6" ;;
	exiting) echo "insmod $ko sleep_ms=3000 exit_delay_ms=2000 &&
		{ rmmod mg_nofops_reader && echo unloaded > \$VM_OUT/unloaded & } &&
		sleep 1 &&
		{ cat $dev & } &&
		sleep 8" ;;
	esac
}

run() {
	local out=$work/$1
	mkdir -p "$out"
	tools/vm-run --cpus 1 --timeout 300 --out "$out" -- sh -c "$(guest "$1")" \
		> "$out/vm.out" 2>&1
	echo $? > "$out/vm.rc"
}

cases="inside open exiting"
# MG_VM_JOBS boots at a time (tests/run-all.sh sets 1); default all three
jobs=${MG_VM_JOBS:-3}
i=0
for c in $cases; do
	run "$c" &
	i=$((i + 1))
	[ $((i % jobs)) = 0 ] && wait
done
wait

for c in $cases; do
	out=$work/$c
	rc=$(cat "$out/vm.rc")
	if [ -e "$out/unloaded" ]; then
		echo "ok - $c: plain rmmod unloads the module with no modguard"
	else
		echo "not ok - $c: plain rmmod unloads the module with no modguard"
	fi
	if [ "$rc" = 125 ]; then
		echo "ok - $c: ... and the guest oopses when the reader gets in (vm-run 125)"
	else
		echo "not ok - $c: ... and the guest oopses when the reader gets in (vm-run $rc)"
		tail -20 "$out/vm.out" | sed 's/^/#   /'
	fi
done
