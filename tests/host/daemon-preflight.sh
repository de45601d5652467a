#!/usr/bin/env bash
# modguardd's startup preflight, on the host itself (no VM): a daemon that
# cannot run says why in one line, exits 3 and creates nothing (no state
# dir, no socket, no pin dir).
#
#   tests/host/daemon-preflight.sh [BUILD_DIR]
#
# Three runs: as the host is (checked only where the kernel has no module
# support, as on the machines this is developed on), and with a substitute
# /proc/modules that is missing (the hidden --proc-modules), which works on
# any kernel; and past a stand-in that exists, on a host kernel without
# kprobes (these machines').  Prints "ok - ..." / "not ok - ..." lines.
set -u

build=${1:-build}
daemon=$build/modguardd
failed=0
ok() { echo "ok - $*"; }
not_ok() {
	echo "not ok - $*"
	failed=1
}

if [ ! -x "$daemon" ]; then
	not_ok "preflight: $daemon is built (make OUT=$build all)"
	exit 1
fi
tmp=$(mktemp -d /tmp/mg-preflight.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# run_case NAME WHY [ARGS...]: modguardd with everything in $tmp; checks
# that it refuses in one line saying WHY, and creates nothing
run_case() {
	local name=$1 why=$2 rc lines left=""
	shift 2
	rm -rf "$tmp/state" "$tmp/sock" "$tmp/pins"
	# a daemon that starts after all would run until stopped
	timeout 30 "$daemon" --state-dir "$tmp/state" --socket "$tmp/sock" \
		--pin-dir "$tmp/pins" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if [ "$rc" = 3 ]; then
		ok "preflight ($name): modguardd exits 3"
	else
		not_ok "preflight ($name): modguardd exits 3 (exit $rc)"
	fi
	lines=$(wc -l <"$tmp/err")
	if [ "$lines" = 1 ] && grep -q "$why" "$tmp/err"; then
		ok "preflight ($name): one line on stderr says \"$why\""
	else
		not_ok "preflight ($name): one line on stderr says \"$why\" ($lines lines)"
	fi
	sed 's/^/#   /' "$tmp/err" | head -20
	if [ -s "$tmp/out" ]; then
		not_ok "preflight ($name): nothing on stdout"
		sed 's/^/#   /' "$tmp/out" | head -20
	else
		ok "preflight ($name): nothing on stdout"
	fi
	for p in state sock pins; do
		[ -e "$tmp/$p" ] || [ -L "$tmp/$p" ] && left="$left $p"
	done
	if [ -z "$left" ]; then
		ok "preflight ($name): no state dir, socket or pin dir left behind"
	else
		not_ok "preflight ($name): no state dir, socket or pin dir left behind (left:$left)"
	fi
}

if [ -e /proc/modules ]; then
	ok "preflight (this host) # skip: this kernel has loadable module support"
else
	run_case "this host" "no loadable module support"
fi
run_case "missing /proc/modules" "no loadable module support" \
	--proc-modules "$tmp/no-such-dir/modules"
# past the module check (a stand-in /proc/modules), the next piece this
# host's kernel lacks is its own: kprobes (no kprobe PMU on these machines)
echo "mg_tidy 16384 0 - Live 0xffffffffc0a00000" > "$tmp/modules"
if [ -e /sys/bus/event_source/devices/kprobe ]; then
	ok "preflight (no kprobes) # skip: this kernel has kprobes"
else
	run_case "this host's kernel has no kprobes" "this kernel has no kprobes" \
		--proc-modules "$tmp/modules"
fi
exit "$failed"
