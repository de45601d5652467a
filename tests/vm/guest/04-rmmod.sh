# Issue 4: modguard-rmmod waits for callers inside, refuses with evidence,
# names what an unload left behind; records and quarantine.

start_daemon || return
lsmod_has() { grep -q "^$1 " /proc/modules; }

# 1. the 2002 race: an owner-less read() sleeping inside the module
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=3000
cat /dev/mg_nofops_reader & reader=$!
wait_for 50 sh -c "grep -q mg_nofops_reader_read /proc/$reader/stack 2>/dev/null || \
	$MODGUARD report --json mg_nofops_reader | grep -q '\"kind\":\"task\"'"
expect_rc 0 "owner-less reader: modguard-rmmod -v -t 20 waits, then unloads" \
	"$RMMOD_G" -v -t 20 mg_nofops_reader
check "... it said it was waiting on the reader task" out_has "task +mg_nofops_reader_read\+0x"
check "... then that it unloaded it" out_has "^mg_nofops_reader: unloaded$"
check "... the module is gone" sh -c '! grep -q "^mg_nofops_reader " /proc/modules'
wait $reader
check "... and the reader completed normally" test $? = 0

insmod "$MODS/mg_nofops_reader.ko" sleep_ms=6000
cat /dev/mg_nofops_reader & reader=$!
wait_for 50 sh -c "$MODGUARD report --json mg_nofops_reader | grep -q '\"kind\":\"task\"'"
expect_rc 1 "owner-less reader: modguard-rmmod -t 1 refuses with exit 1" \
	"$RMMOD_G" -t 1 mg_nofops_reader
check "... and names the task inside as evidence" out_has "mg_nofops_reader_read\+0x.*cat|cat.*mg_nofops_reader_read"
check "... the module is still loaded" lsmod_has mg_nofops_reader
wait $reader
check "... the reader completed normally" test $? = 0
check "... the refusal is recorded" grep -rlq 'outcome=refused module=mg_nofops_reader' "$STATE_DIR/records"
expect_rc 0 "... and it unloads once the reader left" "$RMMOD_G" mg_nofops_reader

# 2. with .owner: the open path holds a reference, shown with the reader's pid
insmod "$MODS/mg_owner_reader.ko" sleep_ms=3000
cat /dev/mg_owner_reader & reader=$!
wait_for 50 sh -c 'test "$(cat /sys/module/mg_owner_reader/refcnt)" = 1'
expect_rc 0 "owner reader: modguard-rmmod -v waits for the holder, then unloads" \
	"$RMMOD_G" -v -t 20 mg_owner_reader
check "... it showed the holder with the reader's pid" out_has "holder .* $reader +cat"
wait $reader

# 3. a tidy module unloads at once
insmod "$MODS/mg_tidy.ko"
sleep 0.3
expect_rc 0 "tidy module (timers, hrtimer, delayed work, kthread) unloads with exit 0" \
	"$RMMOD_G" -v mg_tidy
check "... saying just 'unloaded' with -v" out_has "^mg_tidy: unloaded$"
# like rmmod, silent on success without -v: nothing on stdout or stderr
insmod "$MODS/mg_tidy.ko"
"$RMMOD_G" mg_tidy >"$MG_WORK/quiet.out" 2>"$MG_WORK/quiet.err"
check "without -v a clean unload exits 0 ..." test $? = 0
check "... and prints nothing on stdout" test ! -s "$MG_WORK/quiet.out"
check "... nor on stderr" test ! -s "$MG_WORK/quiet.err"
check "... and the module is gone" sh -c '! grep -q "^mg_tidy " /proc/modules'

# --dry-run changes nothing
insmod "$MODS/mg_tidy.ko"
expect_rc 0 "--dry-run of a clean module exits 0" "$RMMOD_G" --dry-run mg_tidy
check "... and leaves it loaded" lsmod_has mg_tidy
rmmod mg_tidy

# 4. a leftover that does not crash this boot: an RCU callback queued by
# exit without rcu_barrier() (its rcu_head is not in module memory).  The
# kinds whose leftover crashes the guest have a boot each:
# tests/vm/host/stale_kinds.sh.
insmod "$MODS/mg_leak_rcu.ko"
expect_rc 4 "mg_leak_rcu: unloaded but stale: exit 4" "$RMMOD_G" --json mg_leak_rcu
jq_check "... names kind rcu and function mg_leak_rcu_cb" "$OUT_FILE" \
	'.modules[0].report.references | any(.kind=="rcu" and (.function|startswith("mg_leak_rcu_cb+")))'
jq_check "... and the record id" "$OUT_FILE" '.modules[0].record | length > 0'
check "... the record is in the state dir" grep -rlq 'outcome=stale module=mg_leak_rcu' "$STATE_DIR/records"
check "... and in the kernel log" sh -c "dmesg | grep -q 'modguard: module mg_leak_rcu .* stale: .*rcu mg_leak_rcu_cb'"
report_json mg_leak_rcu
jq_check "the report shows a gone module with leftovers as stale" "$JSON_FILE" \
	'.modules[0] | (.state=="gone" and .verdict=="stale")'
expect_rc 0 "modguard history lists the records" "$MODGUARD" history --json
check "... as JSON" jq -e '.records | length >= 2' "$OUT_FILE"

# quarantine: the same build again is refused, citing the record
insmod "$MODS/mg_leak_rcu.ko"
expect_rc 1 "a quarantined build is refused with exit 1" "$RMMOD_G" mg_leak_rcu
check "... citing the record" out_has "quarantined.*record [0-9T.]+Z-mg_leak_rcu"
check "... and it is still loaded" lsmod_has mg_leak_rcu
expect_rc 4 "--force unloads it anyway and names the leftover" "$RMMOD_G" --force mg_leak_rcu
check "... loudly" out_has "WITHOUT"

# 6. robustness
expect_rc 2 "an invalid name exits 2" "$RMMOD_G" 'no.such'
check "... saying so" out_has "invalid module name 'no.such'"
expect_rc 2 "an overlong name exits 2" "$RMMOD_G" \
	aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
expect_rc 2 "a module that is not loaded exits 2" "$RMMOD_G" mg_not_there
check "... saying so" out_has "not loaded"
expect_rc 2 "a built-in module exits 2" "$RMMOD_G" kernel
check "... saying so" out_has "built into the kernel"
insmod "$MODS/mg_holder.ko"
insmod "$MODS/mg_holder_user.ko"
expect_rc 1 "a module with dependents is refused with exit 1" "$RMMOD_G" mg_holder
check "... naming the dependent" out_has "in use by mg_holder_user"
rmmod mg_holder_user mg_holder

insmod "$MODS/mg_tidy.ko"
"$RMMOD_G" mg_tidy >"$MG_WORK/c1.out" 2>&1 & c1=$!
"$RMMOD_G" mg_tidy >"$MG_WORK/c2.out" 2>&1 & c2=$!
wait $c1; r1=$?
wait $c2; r2=$?
check "two concurrent modguard-rmmod: one unloads (0), the other finds it gone (2)" \
	sh -c "[ '$r1 $r2' = '0 2' ] || [ '$r1 $r2' = '2 0' ]"

insmod "$MODS/mg_slow_init.ko" init_ms=4000 & ins=$!
wait_for 50 sh -c 'grep -q "^mg_slow_init " /proc/modules'
expect_rc 1 "a module still in its init is refused at the timeout" "$RMMOD_G" -t 0.5 mg_slow_init
expect_rc 0 "... and with time enough it unloads once init is done" "$RMMOD_G" -t 20 mg_slow_init
wait $ins

insmod "$MODS/mg_nofops_reader.ko" sleep_ms=4000
cat /dev/mg_nofops_reader & reader=$!
wait_for 50 sh -c "$MODGUARD report --json mg_nofops_reader | grep -q '\"kind\":\"task\"'"
"$RMMOD_G" -t 30 mg_nofops_reader >"$OUT_FILE" 2>&1 & rm_pid=$!
sleep 1
kill -9 "$DPID"
wait "$rm_pid"
check "modguardd killed with SIGKILL during a wait: exit 3" test $? = 3
check "... saying the module is untouched" out_has "untouched"
check "... and it is untouched" lsmod_has mg_nofops_reader
wait $reader
DPID=
start_daemon
rmmod mg_nofops_reader
