# Callers inside owner-less file_operations, counted without return probes
# (bpf/inflight.bpf.c).  A kretprobe's trampoline on a task's stack makes
# the kernel's unwinder WARN when the task scan meets it in a task that is
# runnable (rethook_find_ret_addr(), kernel/trace/rethook.c), and a sleeping
# task can be woken mid-walk: so modguard registers no kretprobe at all, and
# never unwinds a task that carries anyone else's.  The counts must still
# keep a module busy while a caller is inside, asleep or running, and must
# end when it leaves: at its system call's exit, or at its death.

start_daemon || return
KPROBES=/sys/kernel/debug/kprobes/list
KEVENTS=/sys/kernel/tracing/kprobe_events
DEV=/dev/mg_nofops_reader
lsmod_has() { grep -q "^$1 " /proc/modules; }
# a kretprobe line of kprobes/list: "ADDR  r  SYM+0xOFF  ..."
kretprobes() { grep -Ec '^[0-9a-f]+ +r +' "$KPROBES"; }
# the task ref that names thread $2 in report $1
task_named() { jq -e ".modules[0].references | any(.kind==\"task\" and .tid==$2)" "$1" >/dev/null; }
no_task() { jq -e '.modules[0].references | all(.kind!="task")' "$1" >/dev/null; }
report_to() { "$MODGUARD" report --json mg_nofops_reader > "$1" 2>/dev/null; }

# 1. a reader asleep inside read(): counted, and no return trampoline
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=60000 interruptible=1
# modguardd attaches it once it has read the registration event; the
# kernel puts a probe on a function's first byte after its ENDBR where
# there is one (6.12's CONFIG_X86_KERNEL_IBT=y): +0x4 there
entry_probe() { grep -Eq '^[0-9a-f]+ +k +mg_nofops_reader_read\+0x[04] ' "$KPROBES"; }
wait_for 100 entry_probe
check "the entry probe is on the owner-less read() (kprobes/list)" entry_probe
cat "$DEV" > /dev/null & rd=$!
wait_for 100 sh -c "grep -q mg_nofops_reader_read /proc/$rd/stack"
check "... and modguard registered no kretprobe at all ($(kretprobes) in kprobes/list)" \
	test "$(kretprobes)" = 0
report_to "$MG_WORK/asleep.json"
jq_check "the sleeping reader is a task of the report, by its tid" \
	"$MG_WORK/asleep.json" ".modules[0].references | any(.kind==\"task\" and .tid==$rd)"
jq_check "... and the verdict is busy" "$MG_WORK/asleep.json" '.modules[0].verdict=="busy"'
expect_rc 1 "plain rmmod is refused while it sleeps inside" rmmod mg_nofops_reader
expect_rc 0 "history" "$MODGUARD" history
check "... the refusal counts 1 caller inside the owner-less file operations" \
	out_has "1 caller inside its owner-less file operations"
kill "$rd"
wait "$rd" 2>/dev/null
report_to "$MG_WORK/left.json"
check "once its read() returned (a signal ended it), no task is counted" no_task "$MG_WORK/left.json"
expect_rc 0 "... and modguard-rmmod unloads it (exit 0)" "$RMMOD_G" -t 20 mg_nofops_reader

# 2. a reader running on the CPU inside read(): a busy loop with
#    cond_resched(), held there until the test writes spin=0
PARAMS=/sys/module/mg_nofops_reader/parameters
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=600000 spin=1
wait_for 100 entry_probe
cat "$DEV" > /dev/null & rd=$!
# on one vCPU this shell runs only while the reader is preempted, so its
# stack shows where it spins
wait_for 100 sh -c "grep -q mg_nofops_reader_read /proc/$rd/stack"
report_to "$MG_WORK/spin.json"
jq_check "a reader spinning inside read() is a task of the report, by its tid" \
	"$MG_WORK/spin.json" ".modules[0].references | any(.kind==\"task\" and .tid==$rd)"
jq_check "... and the verdict is busy" "$MG_WORK/spin.json" '.modules[0].verdict=="busy"'
expect_rc 1 "plain rmmod is refused while it spins inside" rmmod mg_nofops_reader
expect_rc 1 "modguard-rmmod -t 0.5 refuses (exit 1)" "$RMMOD_G" -t 0.5 mg_nofops_reader
check "... naming a task" out_has "^ +task +"
check "... and the module stays loaded" lsmod_has mg_nofops_reader
"$RMMOD_G" -t 120 mg_nofops_reader > "$MG_WORK/spin-rm.out" 2>&1 & rm_pid=$!
echo 0 > "$PARAMS/spin"
wait "$rm_pid"
check "once the reader is let go, modguard-rmmod -t 120 unloads (exit 0)" test $? = 0
check "... and the module is gone" sh -c '! grep -q "^mg_nofops_reader " /proc/modules'
wait "$rd"
check "... the reader's read() had returned normally (cat exit 0)" test $? = 0

# 3. ->release() after close()'s system call exit, and in a dying task:
#    counted while it runs, ended at the next system call or at the death
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=10 release_ms=600000
wait_for 100 entry_probe
sh -c "exec 3<$DEV; exec 3<&-; sleep 600" & sh_pid=$!
wait_for 100 sh -c "grep -q mg_nofops_reader_release /proc/$sh_pid/stack"
report_to "$MG_WORK/release.json"
jq_check "a ->release() running from close()'s task work is a task" \
	"$MG_WORK/release.json" ".modules[0].references | any(.kind==\"task\" and .tid==$sh_pid)"
# let ->release() return; the shell's next system calls end the count
echo 0 > "$PARAMS/release_hold"
released() { report_to "$MG_WORK/released.json" && no_task "$MG_WORK/released.json"; }
wait_for 100 released
check "... and not once the shell went on to its next system call" no_task "$MG_WORK/released.json"
check "... while the shell lives on (not ended by its death)" kill -0 "$sh_pid"
kill "$sh_pid" 2>/dev/null
wait "$sh_pid" 2>/dev/null
# a task killed with the file open: exit_files() runs ->release() after
# sched_process_exit, and the task never returns to user space
sh -c "exec 3<$DEV; exec sleep 600" & victim=$!
wait_for 100 sh -c "ls -l /proc/$victim/fd 2>/dev/null | grep -q mg_nofops_reader"
kill "$victim"
wait "$victim" 2>/dev/null
dead_clean() { report_to "$MG_WORK/dead.json" && jq -e '.modules[0].verdict=="clean"' "$MG_WORK/dead.json" > /dev/null; }
wait_for 100 dead_clean
jq_check "a task that died with the file open leaves no count behind (verdict clean)" \
	"$MG_WORK/dead.json" '.modules[0].verdict=="clean"'
# the same, but nobody reaps it (its parent is stopped): a zombie must not
# keep the module busy, its count ends at do_task_dead()
rm -f "$MG_WORK/zpid"
sh -c "sh -c 'exec 3<$DEV; exec sleep 600' & echo \$! > $MG_WORK/zpid; kill -STOP \$\$; wait" &
zparent=$!
wait_for 100 test -s "$MG_WORK/zpid"
zpid=$(cat "$MG_WORK/zpid")
wait_for 100 sh -c "ls -l /proc/$zpid/fd 2>/dev/null | grep -q mg_nofops_reader"
kill "$zpid"
zombie() { [ "$(cut -d' ' -f3 "/proc/$zpid/stat" 2>/dev/null)" = Z ]; }
wait_for 100 zombie
wait_for 100 dead_clean
jq_check "a caller that died and is not reaped leaves no count behind (verdict clean)" \
	"$MG_WORK/dead.json" '.modules[0].verdict=="clean"'
check "... while it is still a zombie" zombie
kill -CONT "$zparent"
wait "$zparent" 2>/dev/null
expect_rc 0 "... and modguard-rmmod unloads it (exit 0)" "$RMMOD_G" -t 20 mg_nofops_reader

# 4. another tool's kretprobe pending in a sleeping reader: its stack is
#    never unwound (that is what WARNs), yet the reader is seen inside
kretprobe_on() {
	echo 'r:mgtest/msleep_ret msleep' >> "$KEVENTS" &&
		echo 'r:mgtest/msleepi_ret msleep_interruptible' >> "$KEVENTS" &&
		echo 1 > /sys/kernel/tracing/events/mgtest/msleep_ret/enable &&
		echo 1 > /sys/kernel/tracing/events/mgtest/msleepi_ret/enable
}
kretprobe_off() {
	echo 0 > /sys/kernel/tracing/events/mgtest/msleep_ret/enable
	echo 0 > /sys/kernel/tracing/events/mgtest/msleepi_ret/enable
	echo '-:mgtest/msleep_ret' >> "$KEVENTS"
	echo '-:mgtest/msleepi_ret' >> "$KEVENTS"
}
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=600000 interruptible=1
if kretprobe_on; then
	check "a foreign kretprobe is registered (the count is not vacuous)" \
		test "$(kretprobes)" -ge 1
	cat "$DEV" > /dev/null & rd=$!
	# wchan, not /proc/PID/stack: get_wchan() unwinds only a task it
	# holds asleep (pi_lock), /proc/PID/stack has the very race at issue
	wait_for 100 sh -c "grep -q msleep_interruptible /proc/$rd/wchan"
	report_to "$MG_WORK/foreign.json"
	jq_check "a reader with a foreign kretprobe pending is seen inside by a raw scan of its stack" \
		"$MG_WORK/foreign.json" \
		".modules[0].references | any(.kind==\"task\" and .tid==$rd and (.note|test(\"kretprobe\")))"
	jq_check "... and the verdict is busy" "$MG_WORK/foreign.json" '.modules[0].verdict=="busy"'
	expect_rc 1 "... modguard-rmmod -t 0.5 refuses (exit 1)" "$RMMOD_G" -t 0.5 mg_nofops_reader
	"$RMMOD_G" -t 120 mg_nofops_reader > "$MG_WORK/foreign-rm.out" 2>&1 & rm_pid=$!
	kill "$rd"
	wait "$rd" 2>/dev/null
	wait "$rm_pid"
	check "once a signal ended its read(), modguard-rmmod -t 120 unloads (exit 0)" test $? = 0

	# the race of the old design: readers that wake up while scans run,
	# a trampoline on every reader's stack
	insmod "$MODS/mg_nofops_reader.ko" sleep_ms=8
	( i=0; while [ $i -lt 60 ]; do cat "$DEV"; i=$((i + 1)); done ) > /dev/null & loop=$!
	( i=0; while [ $i -lt 60 ]; do cat "$DEV"; i=$((i + 1)); done ) > /dev/null & loop2=$!
	scans=0
	while kill -0 "$loop" 2>/dev/null || kill -0 "$loop2" 2>/dev/null; do
		report_to "$MG_WORK/race.json" && scans=$((scans + 1))
	done
	wait "$loop" "$loop2"
	check "$scans task scans while 120 readers slept and woke with a trampoline pending" \
		test "$scans" -ge 5
	kretprobe_off
	expect_rc 0 "... then modguard-rmmod unloads (exit 0)" "$RMMOD_G" -t 20 mg_nofops_reader
else
	not_ok "cannot set up a foreign kretprobe on msleep"
	unload_quietly mg_nofops_reader
fi
check "no WARNING in the kernel log" sh -c '! dmesg | grep -q "WARNING:"'
