#!/usr/bin/env bash
# Issue 11: kernel lockdown, as Secure Boot machines run.
#   - lockdown=integrity: modguardd runs, enforcing, and the stock-module
#     cases of the suite pass (tests/vm/guest/06-stock-modules.sh); the
#     buggy test modules cannot be loaded there (unsigned), which is
#     asserted, not skipped (tests/vm/lockdown/integrity.sh);
#   - lockdown=confidentiality: modguardd refuses to start in one line that
#     names the lockdown (it forbids kprobes and BPF reads of kernel
#     memory), exit 3, nothing created.
#
#   tests/vm/host/lockdown.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
build=${1:-build}
work=$build/vm-lockdown${VM_KERNEL:+-$VM_KERNEL}
rm -rf "$work"
mkdir -p "$work/integrity" "$work/confidentiality"
work=$(cd "$work" && pwd)

result() {
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

# integrity: the suite's own runner, its lines are the result
# (a block, a network and a filesystem module: the full list runs in the
# suite's own boot)
tools/vm-run --cpus 1 --timeout 900 --out "$work/integrity" --append lockdown=integrity -- \
	env MG_STOCK_MODULES="loop brd dummy tun" \
	sh tests/vm/guest-suite.sh "$build" tests/vm/lockdown/integrity.sh \
	tests/vm/guest/06-stock-modules.sh > "$work/integrity/vm.out" 2>&1
vmrc=$?
sed -n 's/^\(\(not \)\{0,1\}ok - \)/\1lockdown=integrity: /p; /^# /p' "$work/integrity/vm.out"
result "$([ "$vmrc" = 0 ]; echo $?)" "lockdown=integrity: no oops/BUG/WARNING in that boot (vm-run $vmrc)"

# confidentiality: the daemon's refusal
out=$work/confidentiality
cat > "$out/guest.sh" <<EOS
cat /sys/kernel/security/lockdown > \$VM_OUT/lockdown
$build/modguardd --socket /run/mg-ld/sock --state-dir /run/mg-ld/state \
	--pin-dir /sys/fs/bpf/mg-ld > \$VM_OUT/daemon.out 2> \$VM_OUT/daemon.err
echo \$? > \$VM_OUT/daemon.rc
ls -d /run/mg-ld /sys/fs/bpf/mg-ld > \$VM_OUT/left 2>/dev/null
exit 0
EOS
tools/vm-run --cpus 1 --timeout 300 --out "$out" --append lockdown=confidentiality -- \
	sh "$out/guest.sh" > "$out/vm.out" 2>&1
vmrc=$?
grep -q '\[confidentiality\]' "$out/lockdown" 2>/dev/null
result $? "lockdown=confidentiality: the guest runs in that mode ($(cat "$out/lockdown" 2>/dev/null))"
result "$([ "$(cat "$out/daemon.rc" 2>/dev/null)" = 3 ]; echo $?)" \
	"lockdown=confidentiality: modguardd refuses to start (exit $(cat "$out/daemon.rc" 2>/dev/null))"
[ "$(wc -l < "$out/daemon.err" 2>/dev/null)" = 1 ] &&
	grep -q 'kernel lockdown is in confidentiality mode.*kprobes' "$out/daemon.err"
result $? "... in one line that names the lockdown and what it forbids"
sed 's/^/#   /' "$out/daemon.err" 2>/dev/null
result "$([ ! -s "$out/left" ]; echo $?)" "... and creates nothing (no state dir, socket or pins)"
result "$([ "$vmrc" = 0 ]; echo $?)" "lockdown=confidentiality: no oops/BUG/WARNING in that boot (vm-run $vmrc)"
