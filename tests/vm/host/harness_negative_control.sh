#!/usr/bin/env bash
# Host-side test of tools/vm-run itself: proves the harness can FAIL.
#
# A VM harness that always says "ok" is worse than none, so this checks that
# a real kernel oops turns into exit 125, that a clean run does not, that the
# command's own status and output come back, that --out works and that a
# missing kernel is a clear harness error (126).
#
# Needs the test modules: run tests/modules/build.sh first.
# Prints TAP-like "ok - ..." / "not ok - ..." lines; exit 0 iff all passed.
set -uo pipefail # no -e: a failing case must not stop the others

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$REPO_ROOT" || exit 1
VM_RUN=$REPO_ROOT/tools/vm-run
MODDIR=${1:-build}/modules/$("$VM_RUN" --print-kernel)

failures=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/harness-neg.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

result() { # $1 = 0 for pass, $2 = description, $3.. = diagnostics on failure
	local rc=$1 desc=$2
	shift 2
	if ((rc == 0)); then
		echo "ok - $desc"
	else
		echo "not ok - $desc"
		failures=$((failures + 1))
		local line
		for line in "$@"; do printf '#   %s\n' "$line"; done
	fi
}

# run_vm NAME ARGS...: runs vm-run, leaves stdout/stderr/rc in $TMP/NAME.*
# Callers run it in the background in pairs: most of a boot is one busy vCPU
# and case 2 is mostly sleep, so two at a time roughly halves the wall time
# without starving the guests (more could provoke RCU stall warnings).
run_vm() {
	local name=$1
	shift
	"$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
}
rc_of() { cat "$TMP/$1.rc"; }
# Last lines of a captured stream, for "not ok" diagnostics.
tail_of() { tail -n "${2:-15}" "$TMP/$1" | sed 's/^/    /'; }

for m in mg_leak_timer mg_control; do
	if [[ ! -f $MODDIR/$m.ko ]]; then
		echo "not ok - $MODDIR/$m.ko exists (run tests/modules/build.sh first)"
		exit 1
	fi
done

KVER=$("$VM_RUN" --print-kernel) || {
	echo "not ok - tools/vm-run --print-kernel"
	exit 1
}

# Boot all VM cases up front, two at a time; judge them below.
outdir=$TMP/out
token="written-in-guest-$$-$RANDOM"
run_vm leak "$VM_RUN" --timeout 120 -- sh -c \
	"insmod $MODDIR/mg_leak_timer.ko && rmmod mg_leak_timer && sleep 10" &
run_vm control "$VM_RUN" --timeout 120 -- sh -c \
	"insmod $MODDIR/mg_control.ko && rmmod mg_control && sleep 10" &
wait
run_vm status "$VM_RUN" --timeout 120 -- sh -c 'uname -r; exit 7' &
# shellcheck disable=SC2016 # expanded by the guest shell, on purpose
run_vm out "$VM_RUN" --timeout 120 --out "$outdir" -- \
	sh -c 'echo "$1" >"$VM_OUT/hello.txt"' sh "$token" &
wait

# 1. Unloading a module that leaves its timer armed oopses the stock kernel;
#    vm-run must report that as 125 and show the fault.
rc=$(rc_of leak)
ok=1
[[ $rc == 125 ]] &&
	grep -q 'vm-run: guest kernel fault' "$TMP/leak.err" &&
	grep -Eq 'Oops:|BUG:|Kernel panic' "$TMP/leak.err" && ok=0
result "$ok" "leaked timer after rmmod -> exit 125 with the fault on stderr (got $rc)" \
	"$(tail_of leak.err)"

# 2. The well-behaved twin must come out clean: no false fault.
rc=$(rc_of control)
[[ $rc == 0 ]]
result $? "mg_control insmod/rmmod -> exit 0 (got $rc)" "$(tail_of control.err)"

# 3. The command's status and output come back, from the stock kernel (the
#    host runs something else, so uname -r tells the two apart).
rc=$(rc_of status)
guest_uname=$(head -n1 "$TMP/status.out")
[[ $rc == 7 && $guest_uname == "$KVER" ]]
result $? "exit status 7 passed through, guest uname -r = $KVER (got $rc, '$guest_uname'; host: $(uname -r))" \
	"$(tail_of status.err)"

# 4. --out DIR: written in the guest at $VM_OUT, present on the host after.
rc=$(rc_of out)
[[ $rc == 0 && -f $outdir/hello.txt && $(cat "$outdir/hello.txt") == "$token" &&
	-s $outdir/console.log ]]
result $? "--out: file written to \$VM_OUT in the guest is on the host, console.log kept (rc $rc)" \
	"$(tail_of out.err)"

# 5. A missing kernel is a harness error naming the package to install.
run_vm nokernel env VM_KERNEL=nonexistent "$VM_RUN" -- true
rc=$(rc_of nokernel)
[[ $rc == 126 ]] && grep -q 'linux-image-amd64' "$TMP/nokernel.err"
result $? "VM_KERNEL=nonexistent -> exit 126 mentioning linux-image-amd64 (got $rc)" \
	"$(tail_of nokernel.err)"

((failures == 0)) && exit 0
echo "# $failures case(s) failed"
exit 1
