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
# Every VM test is one job for one host core (all VMs run with one vCPU):
# two workers take the jobs below in order, each the next one free, so the
# two cores stay busy whatever the jobs' lengths here.  Longest first.
# On the reference kernel (6.1 generic, or KERNEL=V) everything runs; on
# each kernel of MG_EXTRA_KERNELS (make test: 6.1-rt and 6.12) the in-guest
# suite and the one-boot-per-kind leftovers, their lines tagged "[V]".
# The host scripts boot their guests one at a time here (MG_VM_JOBS=1), so
# that no more than two guests share the two cores.
# One vCPU, here and in tests/vm/host/: under TCG, live kernel text
# patching (kprobe arming, static keys) across two vCPUs now and then hung
# or crashed the guest in ftrace/text_poke code (QEMU's cross-modifying
# code), twice in about forty boots; one vCPU never did.
extra_kernels=${MG_EXTRA_KERNELS:-}

# tagged KERNEL COMMAND...: COMMAND's test lines with "[KERNEL] " after the
# "ok - " (none for the reference kernel), VM_KERNEL set for vm-run
tagged() {
	local k=$1
	shift
	if [ -z "$k" ]; then
		"$@"
		return
	fi
	VM_KERNEL=$k "$@" 2>&1 | sed -u "s/^\(not \)\{0,1\}ok - /&[$k] /"
	return "${PIPESTATUS[0]}"
}
host_test() { # host_test NAME [KERNEL]
	local t=tests/vm/host/$1.sh k=${2:-}
	[ -e "$t" ] || return 0
	MG_VM_JOBS=1 MG_STALE_SECOND_BOOTS=${k:+0} layer "host-$1${k:+-$k}" \
		tagged "$k" bash "$t" "$build"
}
# Beside the reference kernel, two long cases are shortened to fit CI's
# 45 minutes (make test KERNEL=V runs them whole on V): 5 of the 20
# SIGKILL rounds of 10-hostile.sh, and stale_kinds.sh without its two
# second boots (records and quarantine are user space, the same anywhere).
guest_suite() { # guest_suite [KERNEL]: its own output dir survives a crash
	local k=${1:-} out=$build/vm-suite${1:+-$1}
	rm -rf "$out"
	layer "guest-suite${k:+-$k}" tagged "$k" tools/vm-run --cpus 1 --timeout 1800 \
		--out "$(pwd)/$out" -- env ${k:+MG_KILL_ROUNDS=5} \
		sh tests/vm/guest-suite.sh "$build"
}
jobs=("guest_suite")
for k in $extra_kernels; do jobs+=("guest_suite $k"); done
jobs+=("host_test stress")
for k in $extra_kernels; do jobs+=("host_test stale_kinds $k"); done
jobs+=("host_test stale_kinds" "host_test lockdown" "host_test advisory"
	"host_test harness_negative_control" "host_test race_negative")
# a host script nobody listed above still runs
for t in tests/vm/host/*.sh; do
	case $(basename "$t" .sh) in
	advisory | harness_negative_control | lockdown | race_negative | stress | stale_kinds) ;;
	*) jobs+=("host_test $(basename "$t" .sh)") ;;
	esac
done

# worker: take the next job (a counter under flock), run it, keep its
# output whole in its own file; shown in job order afterwards
queue=$logs/queue
echo 0 > "$queue.next"
worker() {
	local n
	while :; do
		n=$(flock "$queue.next" sh -c 'n=$(cat "$1"); echo $((n + 1)) > "$1"; echo "$n"' sh "$queue.next")
		[ "$n" -lt "${#jobs[@]}" ] || return 0
		${jobs[$n]} > "$queue.$n.out" 2>&1
	done
}
worker & w1=$!
worker & w2=$!
wait "$w1" "$w2"
for n in "${!jobs[@]}"; do
	cat "$queue.$n.out"
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
