#!/usr/bin/env bash
# Host-side test of `tools/vm-run --icount N` (QEMU -icount shift=N,sleep=on,
# what `BENCH_ICOUNT=N make bench` uses): the guest boots and runs under
# instruction counting, the command's status comes back, the QEMU command
# line (DIR/qemu.cmdline with --out) carries the option, VM_RUN_ICOUNT=N
# works as well, and a bad shift is a usage error (126) that says why.
# No timing is checked: this is about the plumbing, not about speed.
#
#   tests/vm/host/vm_run_icount.sh [BUILD_DIR]
#
# Prints "ok - ..." / "not ok - ..." lines; exit 0 iff all passed.
set -uo pipefail # no -e: a failing case must not stop the others

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$REPO_ROOT" || exit 1
VM_RUN=$REPO_ROOT/tools/vm-run

failures=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vm-icount.XXXXXX") || exit 1
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
# run NAME COMMAND...: stdout/stderr/status into $TMP/NAME.{out,err,rc}
run() {
	local name=$1
	shift
	"$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
}
rc_of() { cat "$TMP/$1.rc"; }
tail_of() { tail -n "${2:-15}" "$TMP/$1" | sed 's/^/    /'; }

KVER=$("$VM_RUN" --print-kernel) || {
	echo "not ok - tools/vm-run --print-kernel"
	exit 1
}

# 1. Bad shifts: refused before anything boots, with a message naming the
#    option (and the usage text), exit 126.
n=0
for bad in x -1 11 3.5 ''; do
	n=$((n + 1))
	run "bad$n" "$VM_RUN" --icount "$bad" -- true
	rc=$(rc_of "bad$n")
	[[ $rc == 126 ]] && grep -q -- '--icount: not an icount shift 0..10' "$TMP/bad$n.err" &&
		grep -q '^usage: vm-run' "$TMP/bad$n.err"
	result $? "--icount '$bad' -> exit 126 with a clear message (got $rc)" "$(tail_of "bad$n.err" 4)"
done
run badenv env VM_RUN_ICOUNT=x "$VM_RUN" -- true
rc=$(rc_of badenv)
[[ $rc == 126 ]] && grep -q 'VM_RUN_ICOUNT: not an icount shift' "$TMP/badenv.err"
result $? "VM_RUN_ICOUNT=x -> exit 126 with a clear message (got $rc)" "$(tail_of badenv.err 4)"
run noarg "$VM_RUN" --icount
rc=$(rc_of noarg)
[[ $rc == 126 ]] && grep -q -- '--icount needs an argument' "$TMP/noarg.err"
result $? "--icount without a value -> exit 126 (got $rc)" "$(tail_of noarg.err 4)"

# 2. One vCPU under icount shift=3 (the bench's setting); the option wins
#    over VM_RUN_ICOUNT.  The guest sees VM_ICOUNT, the status comes back.
out1=$TMP/out1
# shellcheck disable=SC2016 # expanded by the guest shell, on purpose
run boot1 env VM_RUN_ICOUNT=1 "$VM_RUN" --icount 3 --cpus 1 --timeout 300 --out "$out1" -- \
	sh -c 'echo "icount=${VM_ICOUNT:-none} kernel=$(uname -r)"; exit 7'
rc=$(rc_of boot1)
[[ $rc == 7 ]] && grep -qx "icount=3 kernel=$KVER" "$TMP/boot1.out"
result $? "--icount 3 --cpus 1: the guest ran $KVER with VM_ICOUNT=3, exit 7 passed through (got $rc)" \
	"$(tail_of boot1.out 5)" "$(tail_of boot1.err)"
grep -q -- ' -icount shift=3,sleep=on\( \|$\)' "$out1/qemu.cmdline" 2>/dev/null &&
	grep -q -- ' -smp 1 ' "$out1/qemu.cmdline"
result $? "--icount 3: qemu.cmdline has -icount shift=3,sleep=on and -smp 1" \
	"$(cat "$out1/qemu.cmdline" 2>&1)"
[[ $(grep -o -- ' -icount ' "$out1/qemu.cmdline" 2>/dev/null | wc -l) == 1 ]]
result $? "--icount 3 with VM_RUN_ICOUNT=1 set: one -icount, the option's"

# 3. VM_RUN_ICOUNT=N alone does the same.
out2=$TMP/out2
# shellcheck disable=SC2016
run boot2 env VM_RUN_ICOUNT=2 "$VM_RUN" --cpus 1 --timeout 300 --out "$out2" -- \
	sh -c 'echo "icount=${VM_ICOUNT:-none}"'
rc=$(rc_of boot2)
[[ $rc == 0 ]] && grep -qx 'icount=2' "$TMP/boot2.out" &&
	grep -q -- ' -icount shift=2,sleep=on\( \|$\)' "$out2/qemu.cmdline" 2>/dev/null
result $? "VM_RUN_ICOUNT=2: the guest ran with -icount shift=2,sleep=on (got $rc)" \
	"$(tail_of boot2.out 5)" "$(tail_of boot2.err)" "$(cat "$out2/qemu.cmdline" 2>&1)"

((failures == 0)) && exit 0
echo "# $failures case(s) failed"
exit 1
