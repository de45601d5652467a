#!/usr/bin/env bash
# Issue 11: every BPF program of modguard through the newest verifier we
# have, the host's own kernel (no VM, no module support, maybe no kprobes),
# with CO-RE against its BTF.  verify-bpf (tests/host/verify_bpf.c) loads
# each program alone and prints an ok line for each that loads; a program
# whose attach point this kernel lacks (the module tracepoints) or that this
# machine does not permit to load (EPERM) is skipped with the reason; any
# other refusal is a failure.  Then the test of the test: a program every
# verifier rejects makes verify-bpf fail, naming it and the reason.
#
#   tests/host/bpf-verifier.sh [BUILD_DIR]
set -u

build=${1:-build}
tool=$build/tests/host/verify-bpf
failed=0
ok() { echo "ok - $*"; }
not_ok() {
	echo "not ok - $*"
	failed=1
}
for f in "$tool" "$build/modguard.bpf.o" "$build/tests/host/rejected.bpf.o"; do
	if [ ! -e "$f" ]; then
		not_ok "verifier: $f is built (make test builds it)"
		exit 1
	fi
done
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	# not these machines (6.18 with BTF): say so, do not pretend
	not_ok "verifier: the host kernel $(uname -r) has BTF (/sys/kernel/btf/vmlinux), which CO-RE needs"
	exit 1
fi

# modguard's own programs: verify-bpf's lines are the result
out=$(mktemp /tmp/mg-verify.XXXXXX) || exit 1
trap 'rm -f "$out"' EXIT
"$tool" "$build/modguard.bpf.o" > "$out" 2>&1
rc=$?
cat "$out"
loaded=$(grep -c '^ok - ' "$out")
[ "$rc" = 0 ] || not_ok "verifier: verify-bpf exits 0 on modguard.bpf.o (exit $rc)"
# a loader that loads nothing proves nothing: most programs must load here
# (on these machines 37 of 46; the rest are the module tracepoints and the
# kinds this sandbox refuses to its root)
if [ "$loaded" -ge 30 ]; then
	ok "verifier of $(uname -r): $loaded of modguard's programs load ($(grep -c '^# skip' "$out") skipped, each with its reason)"
else
	not_ok "verifier of $(uname -r): at least 30 of modguard's programs load (only $loaded)"
fi

# the test of the test
"$tool" "$build/tests/host/rejected.bpf.o" > "$out" 2>&1
rc=$?
if [ "$rc" = 1 ]; then
	ok "test of the test: verify-bpf fails (exit 1) on a program the verifier rejects"
else
	not_ok "test of the test: verify-bpf fails (exit 1) on a program the verifier rejects (exit $rc)"
fi
if grep -q '^not ok - .*mg_unchecked_lookup .* is rejected' "$out" &&
	grep -q "invalid mem access 'map_value_or_null'" "$out"; then
	ok "... naming the program and the verifier's reason"
else
	not_ok "... naming the program and the verifier's reason"
	sed 's/^/#   /' "$out"
fi
if grep -q '^ok - .*mg_checked_lookup .* loads' "$out"; then
	ok "... and it still loads the good program beside it"
else
	not_ok "... and it still loads the good program beside it"
fi
exit "$failed"
