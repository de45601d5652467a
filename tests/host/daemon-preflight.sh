#!/usr/bin/env bash
# modguardd's startup preflight, on the host itself (no VM): a daemon that
# cannot run says why in one line, exits 3 and creates nothing (no state
# dir, no socket, no pin dir).
#
#   tests/host/daemon-preflight.sh [BUILD_DIR]
#
# Two runs: as the host is (checked only where the kernel has no module
# support, as on the machines this is developed on), and with a substitute
# /proc/modules that is missing (the hidden --proc-modules), which works on
# any kernel.  Prints "ok - ..." / "not ok - ..." lines.
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

# run_case NAME [ARGS...]: modguardd with everything in $tmp; checks
run_case() {
	local name=$1 rc lines left=""
	shift
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
	if [ "$lines" = 1 ] && grep -q "no loadable module support" "$tmp/err"; then
		ok "preflight ($name): one line on stderr says there is no loadable module support"
	else
		not_ok "preflight ($name): one line on stderr says there is no loadable module support ($lines lines)"
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
	run_case "this host"
fi
run_case "missing /proc/modules" --proc-modules "$tmp/no-such-dir/modules"
exit "$failed"
