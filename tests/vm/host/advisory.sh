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
result "$([ "$vmrc" = 0 ]; echo $?)" "no kernel fault (vm-run $vmrc)"
