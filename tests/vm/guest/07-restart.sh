# Issue 5: enforcement and the ledger survive modguardd being killed: maps
# and links are pinned in bpffs, and a restarted daemon of the same build
# adopts them.  A clean stop detaches everything; --keep-enforcing keeps it.

PIN=/sys/fs/bpf/modguard
inside() { "$MODGUARD" report --json mg_nofops_reader 2>/dev/null | grep -q '"kind":"task"'; }

start_daemon || return
# a one-shot timer armed while this daemon watches (02 may have loaded the
# module already; its 1.5 s timer has long fired, so it unloads cleanly)
rmmod mg_leak_timer 2>/dev/null
insmod "$MODS/mg_leak_timer.ko" delay_ms=600000
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=60000 interruptible=1
cat /dev/mg_nofops_reader & reader=$!
wait_for 100 inside
check "a reader is inside before the kill" inside
# (its read() sleeps up to 60 s: long enough for a kill and a restart
# under TCG; a signal ends it once the checks are done)

kill -9 "$DPID"
wait "$DPID" 2>/dev/null
DPID=
pinned() { ls -d "$PIN"/*/links/mg_capable "$PIN"/*/maps/mg_armed >/dev/null 2>&1; }
check "after kill -9 the programs and maps stay pinned" pinned
expect_rc 1 "while modguardd is dead, plain rmmod of the busy module is still refused" \
	rmmod mg_nofops_reader
check "... EPERM" out_has "Operation not permitted"
check "... and it is still loaded" grep -q "^mg_nofops_reader " /proc/modules

adopted=$(grep -c "adopted the programs and state pinned in $PIN" "$DAEMON_LOG")
start_daemon || return
check "the restarted daemon adopted its predecessor's programs" \
	test "$(grep -c "adopted the programs and state pinned in $PIN" "$DAEMON_LOG")" -gt "$adopted"
report_json mg_leak_timer
jq_check "a callback armed before the restart is still listed" "$JSON_FILE" \
	"$(has_ref_filter mg_leak_timer timer mg_leak_timer_fn+)"
expect_rc 1 "after the restart the sleeping reader case is still refused" \
	rmmod mg_nofops_reader
kill $reader
wait $reader
wait_for 100 sh -c "! $MODGUARD report --json mg_nofops_reader | grep -q '\"kind\":\"task\"'"
expect_rc 0 "... and unloads once the reader left" rmmod mg_nofops_reader

# a clean stop detaches everything
stop_daemon
check "SIGTERM removes the pins" test ! -e "$PIN"

# --keep-enforcing leaves them for the next daemon
start_daemon --keep-enforcing || return
stop_daemon
check "--keep-enforcing leaves the programs pinned on SIGTERM" pinned
adopted=$(grep -c 'adopted the programs' "$DAEMON_LOG")
start_daemon || return
check "... and the next daemon adopts them" \
	test "$(grep -c 'adopted the programs' "$DAEMON_LOG")" -gt "$adopted"
stop_daemon
check "... which a clean stop then removes" test ! -e "$PIN"
# mg_leak_timer stays loaded: unloaded, its timer would fire into freed text
