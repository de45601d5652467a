#!/usr/bin/env bash
# Issue 5: honest capability detection.  With the BPF LSM left out of lsm=
# on the kernel command line, modguardd cannot refuse plain rmmod, and
# `modguard status` must say so, with the reason, instead of "enforcing".
#
#   tests/vm/host/advisory.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
build=${1:-build}
out=$build/vm-advisory
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

cat > "$out/guest.sh" <<EOS
. tests/vm/lib.sh
mkdir -p \$MG_WORK
cat /sys/kernel/security/lsm > \$VM_OUT/lsm
start_daemon || exit 99
$build/modguard status > \$VM_OUT/status.txt 2>&1
echo \$? > \$VM_OUT/status.rc
# guarded unloads still wait (a reader inside an owner-less read() of 20 s)
insmod \$MODS/mg_nofops_reader.ko sleep_ms=20000
wait_for 100 sh -c "grep -Eq 'k +mg_nofops_reader_read\\+0x[04]' /sys/kernel/debug/kprobes/list"
cat /dev/mg_nofops_reader > /dev/null & rd=\$!
wait_for 100 sh -c "grep -q mg_nofops_reader_read /proc/\$rd/stack"
$build/modguard-rmmod -t 1 mg_nofops_reader > \$VM_OUT/refuse.out 2>&1
echo \$? > \$VM_OUT/refuse.rc
$build/modguard-rmmod -v -t 60 mg_nofops_reader > \$VM_OUT/wait.out 2>&1
echo \$? > \$VM_OUT/wait.rc
wait \$rd
echo \$? > \$VM_OUT/reader.rc
# a plain rmmod is not stopped, but what it left behind is recorded
insmod \$MODS/mg_leak_rcu.ko
# (once modguardd has read its symbols: one that is gone before it could
# is named by raw address only)
wait_for 100 sh -c "$build/modguard report mg_leak_rcu | grep -q mg_leak_rcu_cb"
rmmod mg_leak_rcu
echo \$? > \$VM_OUT/plain.rc
wait_for 100 sh -c "$build/modguard history | grep -q 'stale'"
$build/modguard history --json > \$VM_OUT/history.json 2>&1
# ... and quarantines that build for modguard-rmmod
insmod \$MODS/mg_leak_rcu.ko
$build/modguard-rmmod mg_leak_rcu > \$VM_OUT/quarantine.out 2>&1
echo \$? > \$VM_OUT/quarantine.rc
EOS
tools/vm-run --cpus 1 --timeout 300 --out "$out" \
	--append "lsm=lockdown,capability,landlock,yama,apparmor" \
	-- sh "$out/guest.sh" > "$out/vm.out" 2>&1
vmrc=$?

result() {
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}
grep -qv bpf "$out/lsm" 2>/dev/null && ! grep -q bpf "$out/lsm"
result $? "the guest booted without the BPF LSM ($(cat "$out/lsm" 2>/dev/null))"
result "$([ "$(cat "$out/status.rc" 2>/dev/null)" = 0 ]; echo $?)" "modguard status still answers"
grep -Eq '^mode: +advisory' "$out/status.txt"
result $? "status says advisory"
grep -Eq '^reason: +plain rmmod is not guarded because the BPF LSM is not active' "$out/status.txt"
result $? "... and why"
grep -Eq '^  open_files +inactive: .*BPF LSM is not active' "$out/status.txt"
result $? "the open_files group is inactive, saying the BPF LSM is not active"
grep -Eq '^  enforcement +inactive: .*BPF LSM is not active' "$out/status.txt"
result $? "the enforcement group is inactive, saying why"
grep -Eq '^  refs +active$' "$out/status.txt"
result $? "... while the reference group is active"
rc_is() { [ "$(cat "$out/$1.rc" 2>/dev/null)" = "$2" ]; }
rc_is refuse 1
result $? "modguard-rmmod -t 1 still refuses while a reader is inside (exit $(cat "$out/refuse.rc" 2>/dev/null))"
rc_is wait 0 && grep -q "busy; waiting" "$out/wait.out"
result $? "modguard-rmmod -t 60 still waits the reader out, then unloads (exit $(cat "$out/wait.rc" 2>/dev/null))"
rc_is reader 0
result $? "... and the reader's read() completed normally"
rc_is plain 0
result $? "a plain rmmod of a module with an RCU callback left is not stopped (advisory)"
jq -e '[.records[] | select(.outcome == "stale" and .module == "mg_leak_rcu")] | length == 1' \
	"$out/history.json" > /dev/null 2>&1
result $? "... but it is recorded as stale (modguard history)"
grep -Eq 'modguard: module mg_leak_rcu .*stale: .*rcu mg_leak_rcu_cb' "$out/console.log"
result $? "... and the kernel log names the callback it left"
rc_is quarantine 1 && grep -q quarantined "$out/quarantine.out"
result $? "... which quarantines that build for modguard-rmmod (exit $(cat "$out/quarantine.rc" 2>/dev/null))"
result "$([ "$vmrc" = 0 ]; echo $?)" "no kernel fault (vm-run $vmrc)"
