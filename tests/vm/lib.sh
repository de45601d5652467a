# Shell helpers for the in-guest tests (tests/vm/guest/*.sh), sourced by
# tests/vm/guest-suite.sh inside the stock-kernel VM (tools/vm-run).
# Every check prints "ok - ..." or "not ok - ..."; tests/run-all.sh counts.

MG_BUILD=${MG_BUILD:-build}
MODS=$MG_BUILD/modules/$(uname -r)
MODGUARD=$MG_BUILD/modguard
MODGUARDD=$MG_BUILD/modguardd
RMMOD_G=$MG_BUILD/modguard-rmmod
MG_WORK=${VM_OUT:-/tmp/mg-work}
export MODGUARD_SOCKET=/run/modguard-test/modguard.sock
STATE_DIR=${STATE_DIR:-$MG_WORK/state}
DAEMON_LOG=$MG_WORK/modguardd.log
DPID=

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }

# check DESCRIPTION COMMAND...: ok when COMMAND succeeds
check() {
	desc=$1
	shift
	if "$@" >/dev/null; then ok "$desc"; else not_ok "$desc"; fi
}

# expect_rc WANT DESCRIPTION COMMAND...: ok when COMMAND exits WANT;
# COMMAND's output is kept in $OUT_FILE for further checks
OUT_FILE=$MG_WORK/last.out
expect_rc() {
	want=$1 desc=$2
	shift 2
	"$@" >"$OUT_FILE" 2>&1
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc (exit $rc, want $want)"
		sed 's/^/#   /' "$OUT_FILE" | head -40
	fi
}

# out_has PATTERN: the last expect_rc output matches the extended regex
out_has() { grep -Eq -- "$1" "$OUT_FILE"; }

# jq_check DESCRIPTION JSON_FILE FILTER: ok when jq -e FILTER holds
jq_check() {
	if jq -e "$3" "$2" >/dev/null 2>&1; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   jq filter: $3"
		head -c 3000 "$2" | sed 's/^/#   /'
		echo
	fi
}

start_daemon() {
	mkdir -p "$STATE_DIR" "$(dirname "$MODGUARD_SOCKET")"
	"$MODGUARDD" --socket "$MODGUARD_SOCKET" --state-dir "$STATE_DIR" "$@" \
		2>>"$DAEMON_LOG" &
	DPID=$!
	# the socket appears once the daemon is attached and tracking
	i=0
	while [ $i -lt 300 ]; do
		[ -S "$MODGUARD_SOCKET" ] && "$MODGUARD" status >/dev/null 2>&1 && return 0
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "# modguardd did not come up; its log:"
	sed 's/^/#   /' "$DAEMON_LOG" | tail -30
	return 1
}

stop_daemon() {
	[ -n "$DPID" ] || return 0
	kill "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=
}

# report_json MODULE...: the report as JSON into $JSON_FILE
JSON_FILE=$MG_WORK/report.json
report_json() { "$MODGUARD" report --json "$@" >"$JSON_FILE" 2>"$MG_WORK/report.err"; }

# a module's entry with a given kind and function prefix exists
# has_ref JSON MODULE KIND FUNCTION_PREFIX
has_ref_filter() {
	printf '.modules[] | select(.name=="%s") | .references | any(.kind=="%s" and (.function|startswith("%s")))' "$1" "$2" "$3"
}

verdict_filter() {
	printf '.modules[] | select(.name=="%s") | .verdict=="%s"' "$1" "$2"
}

# wait_for COUNT_TENTHS COMMAND...: poll until COMMAND succeeds (set-up only,
# never as the thing under test)
wait_for() {
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

unload_quietly() { rmmod "$@" 2>/dev/null || true; }
