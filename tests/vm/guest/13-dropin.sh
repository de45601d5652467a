# Issue 14: modguard-rmmod as a drop-in for rmmod (-f, -s, -v, -V, a
# module given as NAME.ko or a path, silent on success), modprobe -r
# through modguard (modguard modprobe-hook), and the kernel-log line of a
# plain rmmod the enforcement refused, rate limited.

start_daemon || return
lsmod_has() { grep -q "^$1 " /proc/modules; }
gone() { ! lsmod_has "$1"; }

# --- 1. rmmod's options and argument forms ---------------------------
expect_rc 0 "modguard-rmmod -V prints the version" "$RMMOD_G" -V
check "... as 'modguard-rmmod VERSION'" out_has "^modguard-rmmod [0-9]+\.[0-9]+\.[0-9]+$"
expect_rc 0 "... and so does --version" "$RMMOD_G" --version
check "... the same line" out_has "^modguard-rmmod [0-9]+\.[0-9]+\.[0-9]+$"
expect_rc 0 "-h prints the usage" "$RMMOD_G" -h
check "... which says what -f means here" out_has "Not the kernel's"
check "... and that aliases are not resolved" out_has "Aliases are not resolved"

insmod "$MODS/mg_tidy.ko"
"$RMMOD_G" -s -v /nonexistent/mg_tidy.ko >"$MG_WORK/sv.out" 2>"$MG_WORK/sv.err"
check "-s -v /nonexistent/mg_tidy.ko exits 0 (the path need not exist)" test $? = 0
check "... it was module mg_tidy: unloaded" gone mg_tidy
check "... -v printed its success line" grep -qx "mg_tidy: unloaded" "$MG_WORK/sv.out"
check "... only that" test "$(wc -l < "$MG_WORK/sv.out")" = 1
check "... and -s kept stderr empty (its messages go to syslog)" test ! -s "$MG_WORK/sv.err"

insmod "$MODS/mg_tidy.ko"
"$RMMOD_G" mg_tidy.ko >"$MG_WORK/q.out" 2>"$MG_WORK/q.err"
check "mg_tidy.ko without -v exits 0" test $? = 0
check "... unloads mg_tidy" gone mg_tidy
check "... and prints nothing on stdout" test ! -s "$MG_WORK/q.out"
check "... nor on stderr" test ! -s "$MG_WORK/q.err"

insmod "$MODS/mg_tidy.ko"
expect_rc 0 "a compressed module's path, ./mg-tidy.ko.xz, is module mg_tidy" \
	"$RMMOD_G" -v ./mg-tidy.ko.xz
check "... unloaded" out_has "^mg_tidy: unloaded$"

insmod "$MODS/mg_tidy.ko"
expect_rc 0 "-f is --force: an unload without a clean verdict" "$RMMOD_G" -f mg_tidy
check "... said loudly" out_has "WITHOUT"
check "... and it is gone" gone mg_tidy

expect_rc 2 "a path to no valid name (/x/foo.bar.ko) exits 2" "$RMMOD_G" /x/foo.bar.ko
check "... saying the name is invalid" out_has "invalid module name '/x/foo.bar.ko'"
expect_rc 2 "a module that is not loaded exits 2 ..." "$RMMOD_G" /lib/mg_not_there.ko
check "... saying so" out_has "mg_not_there.*not loaded"
"$RMMOD_G" -s mg_not_there >"$MG_WORK/s.out" 2>"$MG_WORK/s.err"
check "... with -s too (exit 2)" test $? = 2
check "... but -s sends the error to syslog: stderr stays empty" test ! -s "$MG_WORK/s.err"

# the busy notice: with -v on stderr, without -v (stderr not a terminal) none
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=6000
cat /dev/mg_nofops_reader & reader=$!
wait_for 100 sh -c "$MODGUARD report --json mg_nofops_reader | grep -q '\"kind\":\"task\"'"
"$RMMOD_G" -t 0.5 mg_nofops_reader >"$MG_WORK/busy.out" 2>"$MG_WORK/busy.err"
check "a busy module without -v: refused (exit 1)" test $? = 1
check "... no 'busy; waiting' notice (stderr is no terminal)" \
	sh -c "! grep -q 'busy; waiting' '$MG_WORK/busy.out' '$MG_WORK/busy.err'"
check "... the refusal is on stderr" grep -q "^modguard-rmmod: mg_nofops_reader: " "$MG_WORK/busy.err"
check "... its evidence on stdout" grep -Eq "^ +task +" "$MG_WORK/busy.out"
"$RMMOD_G" -v -t 20 mg_nofops_reader >"$MG_WORK/busyv.out" 2>"$MG_WORK/busyv.err"
check "with -v it waits the reader out and unloads (exit 0)" test $? = 0
check "... the notice on stderr" grep -q "^mg_nofops_reader: busy; waiting up to" "$MG_WORK/busyv.err"
check "... the success line on stdout" grep -qx "mg_nofops_reader: unloaded" "$MG_WORK/busyv.out"
wait $reader

# --- 2. modprobe -r through modguard ---------------------------------
expect_rc 2 "modguard modprobe-hook without a module exits 2" "$MODGUARD" modprobe-hook
check "... saying the lines are per module" out_has "per module"
expect_rc 2 "... an invalid name exits 2" "$MODGUARD" modprobe-hook 'no such'
RMMOD_ABS=$(cd "$MG_BUILD" && pwd)/modguard-rmmod
HOOK=$MG_WORK/hook.conf
"$MODGUARD" --socket "$MODGUARD_SOCKET" modprobe-hook dummy brd >"$HOOK"
check "modprobe-hook dummy brd: exit 0" test $? = 0
check "... one remove line per module, running this build's modguard-rmmod" \
	test "$(cat "$HOOK")" = "remove dummy $RMMOD_ABS --socket $MODGUARD_SOCKET dummy
remove brd $RMMOD_ABS --socket $MODGUARD_SOCKET brd"
expect_rc 0 "... --rmmod-path names another binary" \
	"$MODGUARD" modprobe-hook --rmmod-path /usr/sbin/modguard-rmmod snd-dummy
check "... in a line of its own ('-' as '_')" \
	out_has "^remove snd_dummy /usr/sbin/modguard-rmmod snd_dummy$"

# modprobe -C reads only the file given (no /etc/modprobe.d): the hook's
modprobe dummy
expect_rc 0 "modprobe -C hook.conf -r dummy: unloaded through modguard-rmmod" \
	modprobe -C "$HOOK" -r -v dummy
# (modprobe -v shows "remove COMMAND" before it runs it)
check "... modprobe ran the remove command" out_has "^remove $RMMOD_ABS --socket [^ ]+ dummy$"
check "... and dummy is gone" gone dummy

modprobe brd rd_nr=1 rd_size=1024
sleep 1000 < /dev/ram0 & holder=$!
wait_for 100 sh -c 'test "$(cat /sys/module/brd/refcnt)" -ge 1'
refused_brd() {
	"$MODGUARD" history --json | jq -e '[.records[] | select(.module=="brd" and .outcome=="refused")] | length >= 1' >/dev/null
}
expect_rc 1 "with /dev/ram0 held open, modprobe -C hook.conf -r brd fails" \
	modprobe -C "$HOOK" -r brd
check "... because modguard-rmmod refused it" out_has "^modguard-rmmod: brd: "
check "... with the record written" refused_brd
check "... citing it" out_has "brd: record [0-9T.]+Z-brd \(modguard history\)"
check "... and brd is still loaded" lsmod_has brd
kill $holder
wait $holder 2>/dev/null
wait_for 100 sh -c 'test "$(cat /sys/module/brd/refcnt)" = 0'
expect_rc 0 "once the holder is gone, modprobe -C hook.conf -r brd unloads it" \
	modprobe -C "$HOOK" -r brd
check "... and brd is gone" gone brd
check "... silently, as modprobe -r" test ! -s "$OUT_FILE"

# --- 3. the kernel-log line of a refused plain rmmod, rate limited -----
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=600000 interruptible=1
cat /dev/mg_nofops_reader & reader=$!
wait_for 100 sh -c "$MODGUARD report --json mg_nofops_reader | grep -q '\"kind\":\"task\"'"
LINE='modguard: refused delete_module(mg_nofops_reader) by rmmod\['
NOTE='modguard: refused delete_module(mg_nofops_reader) by rmmod\[[0-9]*\] again: .*not logged'
nlines() { dmesg | grep -c "$1"; }
refusals() {
	"$MODGUARD" history --json | jq '[.records[] | select(.module=="mg_nofops_reader" and .outcome=="refused" and .requester_comm=="rmmod")] | length'
}
lines0=$(nlines "$LINE")
notes0=$(nlines "$NOTE")
rec0=$(refusals)
# the rate limit's windows start with the first refusal
t0=$(date +%s)
expect_rc 1 "a plain rmmod of a module with a reader inside is refused" rmmod mg_nofops_reader
check "... 'Operation not permitted'" out_has "Operation not permitted"
wait_for 300 sh -c "test \"\$($MODGUARD history --json | jq '[.records[] | select(.module==\"mg_nofops_reader\" and .outcome==\"refused\" and .requester_comm==\"rmmod\")] | length')\" -gt $rec0"
wait_for 100 sh -c "test \$(dmesg | grep -c '$LINE') -gt $lines0"
check "the kernel log has one line naming the module, the requester and 'modguard report'" \
	sh -c "dmesg | grep '$LINE' | tail -1 | grep -q 'see: modguard report mg_nofops_reader, record [0-9T.]*Z-mg_nofops_reader (modguard history)'"
check "... and what holds it" \
	sh -c "dmesg | grep '$LINE' | tail -1 | grep -Eq ': [0-9]+ (caller|task|file)s? '"

# a hostile loop: 50 refused rmmods within a short time
i=0
while [ $i -lt 50 ]; do
	rmmod mg_nofops_reader 2>/dev/null
	i=$((i + 1))
done
t1=$(date +%s)
# every refusal is still recorded (wait for the daemon to have seen all)
wait_for 1200 sh -c "test \"\$($MODGUARD history --json | jq '[.records[] | select(.module==\"mg_nofops_reader\" and .outcome==\"refused\" and .requester_comm==\"rmmod\")] | length')\" -ge $((rec0 + 51))"
check "all 51 refusals are recorded" test "$(refusals)" -ge $((rec0 + 51))
# at most 5 lines a module a minute: the loop's minutes bound the count
windows=$(( (t1 - t0) / 60 + 1 ))
lines=$(( $(nlines "$LINE") - lines0 ))
notes=$(( $(nlines "$NOTE") - notes0 ))
lines=$((lines - notes))
check "the kernel log got at most $((5 * windows)) refusal lines for 51 refusals in $((t1 - t0)) s (got $lines)" \
	test "$lines" -ge 1 -a "$lines" -le $((5 * windows))
check "... and the note that more are not logged ($notes, at most $windows)" \
	test "$notes" -ge 1 -a "$notes" -le "$windows"
kill "$reader"
wait "$reader" 2>/dev/null
wait_for 100 sh -c "! $MODGUARD report --json mg_nofops_reader | grep -q '\"kind\":\"task\"'"
expect_rc 0 "once the reader left, plain rmmod unloads it" rmmod mg_nofops_reader
