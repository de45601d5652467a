# Files open on devices registered without .owner (bpf/open_files.bpf.c).
# Nothing pins the module while such a file is open, so its next call (or
# even its close) jumps into freed memory once the module is gone; the
# negative controls are in tests/vm/host/race_negative.sh.  modguard counts
# them as the reference .owner would have taken, and refuses opens while
# an unload it let through is running.

start_daemon || return
lsmod_has() { grep -q "^$1 " /proc/modules; }
DEV=/dev/mg_nofops_reader

# 1. open, no read in progress: busy, named, refused on every path
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=100
exec 3<"$DEV"
# this shell's pid (the suite runs each test in a subshell: not $$)
sh -c 'echo $PPID' > "$MG_WORK/mypid"
mypid=$(cat "$MG_WORK/mypid")
expect_rc 0 "report of a module with a file open on its owner-less device" \
	"$MODGUARD" report --json mg_nofops_reader
cp "$OUT_FILE" "$MG_WORK/open-report.json"
jq_check "... lists the open file: kind file, its fops function, the opener's pid" \
	"$MG_WORK/open-report.json" \
	".modules[0].references | any(.kind==\"file\" and (.function|startswith(\"mg_nofops_reader_read+\")) and .pid==$mypid and (.device|test(\"^10:\")))"
jq_check "... and the verdict is busy" "$MG_WORK/open-report.json" '.modules[0].verdict=="busy"'
expect_rc 1 "plain rmmod is refused while the file is open" rmmod mg_nofops_reader
check "... with 'Operation not permitted'" out_has "Operation not permitted"
check "... and the module stays loaded" lsmod_has mg_nofops_reader
expect_rc 1 "modguard-rmmod -t 1 refuses with exit 1" "$RMMOD_G" -t 1 mg_nofops_reader
check "... naming the open file" out_has "^ +file +mg_nofops_reader_read\+0x"
expect_rc 0 "history names the open file as the reason" "$MODGUARD" history
check "... '1 file open'" out_has "1 file open on its owner-less devices"
# the file still works: the refused unloads changed nothing
check "a read through the open file completes normally" sh -c "cat <&3"

# 2. the wait is event-driven: closing the file lets the unload through
"$RMMOD_G" -v -t 20 mg_nofops_reader > "$MG_WORK/wait-close.out" 2>&1 3<&- &
rm_pid=$!
sleep 2
exec 3<&-
wait $rm_pid
check "modguard-rmmod -t 20 waits for the file to close, then unloads (exit 0)" test $? = 0
check "... it said it was waiting on the file" grep -Eq "^ +file +mg_nofops_reader_read" "$MG_WORK/wait-close.out"
check "... and the module is gone" sh -c '! grep -q "^mg_nofops_reader " /proc/modules'

# 3. an open while the exit runs, before it deregisters the device
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=3000 exit_delay_ms=2000
refused_before=$("$MODGUARD" status --json | jq .opens_refused)
rmmod mg_nofops_reader > "$MG_WORK/exiting-rmmod.out" 2>&1 & rm_pid=$!
wait_for 50 sh -c "grep -q 'mg_nofops_reader .* Unloading' /proc/modules"
expect_rc 1 "an open during the module's exit is refused" cat "$DEV"
check "... with 'No such device' (the device is on its way out)" out_has "No such device"
wait $rm_pid
check "... and the unload goes on (plain rmmod exit 0)" test $? = 0
expect_rc 0 "status" "$MODGUARD" status --json
check "... counts the refused open" jq -e ".opens_refused > $refused_before" "$OUT_FILE"

# 4. the same through register_chrdev() (cdev_add underneath), via mknod
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=100 chrdev=1
major=$(awk '$2 == "mg_nofops_reader" { print $1 }' /proc/devices)
mknod /tmp/mg-chrdev c "$major" 0
exec 3</tmp/mg-chrdev
expect_rc 1 "register_chrdev: plain rmmod is refused while a file is open" \
	rmmod mg_nofops_reader
check "... and the module stays loaded" lsmod_has mg_nofops_reader
exec 3<&-
expect_rc 0 "... once closed, modguard-rmmod unloads with nothing left behind (exit 0)" \
	"$RMMOD_G" mg_nofops_reader
rm -f /tmp/mg-chrdev
