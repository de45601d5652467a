# Issue 14: modguardd the way systemd and a fleet run it: Type=notify
# readiness over $NOTIFY_SOCKET, the --metrics-file for node_exporter's
# textfile collector (parsed by prometheus_client's own parser), journald
# priorities when stderr is the journal's stream, and --syslog.

PY=/usr/bin/python3
LISTEN="$PY tests/vm/py/dgram_listen.py"
PROM_CHECK="$PY tests/vm/py/prom_check.py"
lsmod_has() { grep -q "^$1 " /proc/modules; }
# the samples a fleet alerts and graphs on: all of them, every write
METRICS="modguard_build_info modguard_attached modguard_mode
	modguard_modules_tracked modguard_events_total modguard_lost_events_total
	modguard_map_overflows_total modguard_refusals_total
	modguard_stale_unloads_total modguard_quarantined_builds
	modguard_opens_refused_total modguard_verdict_duration_seconds_bucket
	modguard_verdict_duration_seconds_count"

# a socket cannot live on the 9p share: the guest's tmpfs
NOTIFY=/run/modguard-test/notify.sock
NOTES=$MG_WORK/notify.log
PROM_DIR=$MG_WORK/metrics
PROM=$PROM_DIR/modguard.prom
SAMPLES=$MG_WORK/metrics.samples
rm -rf "$NOTES" "$PROM_DIR"
mkdir -p "$PROM_DIR"

# systemd's side: at READY=1 it runs `modguard status` at once
mkdir -p /run/modguard-test
$LISTEN "$NOTIFY" "$NOTES" "$MODGUARD" status 2>"$MG_WORK/listen.err" & listener=$!
wait_for 600 grep -qs '^listening$' "$NOTES" || {
	not_ok "the notification listener did not start: $(cat "$MG_WORK/listen.err")"
	return
}

# stderr is "the journal's stream" when $JOURNAL_STREAM names its file
keep_log=$DAEMON_LOG
DAEMON_LOG=$MG_WORK/modguardd-journal.log
: >"$DAEMON_LOG"
export NOTIFY_SOCKET="$NOTIFY"
export JOURNAL_STREAM="$(stat -c '%d:%i' "$DAEMON_LOG")"
start_daemon --metrics-file "$PROM" || { kill $listener; return; }
unset NOTIFY_SOCKET JOURNAL_STREAM

wait_for 600 grep -qs 'READY=1' "$NOTES"
check "READY=1 reaches \$NOTIFY_SOCKET, with a STATUS= line" \
	grep -Eq '^READY=1\|STATUS=tracking [0-9]+ modules; (enforcing|advisory)$' "$NOTES"
wait_for 600 grep -qs '^ready-check' "$NOTES"
check "... and at that moment modguard status succeeds (attached, answering)" \
	grep -q '^ready-check rc=0$' "$NOTES"
check "... sent once" test "$(grep -c 'READY=1' "$NOTES")" = 1

check "under journald: lines carry <N> priorities" \
	grep -Eq '^<6>tracking [0-9]+ modules; listening on ' "$DAEMON_LOG"
check "... and no 'modguardd:' prefix of its own" \
	sh -c "! grep -q 'modguardd:' '$DAEMON_LOG'"

# the metrics file: there at start, whole, parseable
wait_for 600 test -s "$PROM"
expect_rc 0 "the metrics file parses with prometheus_client and has every metric" \
	$PROM_CHECK "$PROM" $METRICS
cp "$OUT_FILE" "$SAMPLES"
check "... attached 1" grep -q '^modguard_attached{} 1.0$' "$SAMPLES"
check "... mode enforcing 1, advisory 0" \
	sh -c "grep -q '^modguard_mode{mode=\"enforcing\"} 1.0$' '$SAMPLES' &&
	       grep -q '^modguard_mode{mode=\"advisory\"} 0.0$' '$SAMPLES'"
check "... modules tracked is the daemon's count" \
	test "$(sed -n 's/^modguard_modules_tracked{} \([0-9]*\)\.0$/\1/p' "$SAMPLES")" = \
	     "$("$MODGUARD" status --json | jq .modules)"
check "... no refusal yet" grep -q '^modguard_refusals_total{} 0.0$' "$SAMPLES"
check "... readable by the collector's user (0644)" test "$(stat -c %a "$PROM")" = 644

# a refusal is in the file soon after, not at the next 15 s
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=8000
cat /dev/mg_nofops_reader >/dev/null & reader=$!
wait_for 100 sh -c "$MODGUARD report --json mg_nofops_reader | grep -q '\"kind\":\"task\"'"
expect_rc 1 "a busy module: modguard-rmmod refuses" "$RMMOD_G" -t 0.2 mg_nofops_reader
refusal_in_file() {
	$PROM_CHECK "$PROM" >"$SAMPLES" 2>/dev/null &&
		grep -q '^modguard_module_refusals_total{module="mg_nofops_reader"} 1.0$' "$SAMPLES"
}
wait_for 600 refusal_in_file
check "the metrics file counts the refusal for mg_nofops_reader" \
	grep -q '^modguard_module_refusals_total{module="mg_nofops_reader"} 1.0$' "$SAMPLES"
check "... in the total too" grep -q '^modguard_refusals_total{} 1.0$' "$SAMPLES"
check "... and the verdict took its place in the latency histogram" \
	sh -c "grep -Eq '^modguard_verdict_duration_seconds_count\\{\\} [1-9][0-9]*\\.0$' '$SAMPLES'"
check "... no temp file left beside it" \
	test "$(ls -A "$PROM_DIR")" = modguard.prom
wait $reader
wait_for 100 sh -c "! $MODGUARD report --json mg_nofops_reader | grep -q '\"kind\":\"task\"'"
rmmod mg_nofops_reader 2>/dev/null

stop_daemon
wait_for 600 grep -qs 'STOPPING=1' "$NOTES"
check "on SIGTERM: STOPPING=1" grep -q '^STOPPING=1$' "$NOTES"
expect_rc 0 "... and the last metrics say detached" $PROM_CHECK "$PROM" modguard_attached
check "... attached 0" grep -q '^modguard_attached{} 0.0$' "$OUT_FILE"
kill $listener 2>/dev/null
wait $listener 2>/dev/null

# --syslog: to /dev/log (a listener of ours: the guest runs no syslogd)
SYSLOG=$MG_WORK/syslog.log
rm -f "$SYSLOG"
$LISTEN /dev/log "$SYSLOG" 2>"$MG_WORK/listen.err" & listener=$!
wait_for 600 grep -qs '^listening$' "$SYSLOG" || {
	not_ok "the syslog listener did not start: $(cat "$MG_WORK/listen.err")"
	DAEMON_LOG=$keep_log
	return
}
DAEMON_LOG=$MG_WORK/modguardd-syslog.log
: >"$DAEMON_LOG"
start_daemon --syslog || { kill $listener; DAEMON_LOG=$keep_log; return; }
wait_for 600 grep -qs 'tracking' "$SYSLOG"
# LOG_DAEMON|LOG_INFO = 30
check "--syslog: the start line goes to syslog as daemon.info" \
	grep -Eq "^<30>.*modguardd\\[$DPID\\]: tracking [0-9]+ modules" "$SYSLOG"
check "... not to stderr" sh -c "! grep -q tracking '$DAEMON_LOG'"
stop_daemon
kill $listener 2>/dev/null
wait $listener 2>/dev/null
rm -f /dev/log
DAEMON_LOG=$keep_log

# bad input: a clear message, exit 2, nothing started
expect_rc 2 "--metrics-file without a path: exit 2" "$MODGUARDD" --metrics-file ""
check "... saying what is wrong" out_has "metrics-file needs a path"
