#!/bin/sh
# The modguard demo, inside Debian's stock kernel (run by tools/demo through
# tools/vm-run).  Narrates, shows every command before running it and its
# exit status after, and counts the exit statuses that were not the ones the
# demo expects.  Only modules whose bugs do not crash this boot are used.
#
# usage (inside tools/vm-run): sh tests/demo/guest-demo.sh [BUILD_DIR]
MG_BUILD=${1:-build}
export MG_BUILD
. tests/vm/lib.sh
mkdir -p "$MG_WORK"

# the programs by their short names, as an admin would type them
PATH=$(cd "$MG_BUILD" && pwd):$PATH
export PATH
SUMMARY=$MG_WORK/summary

steps=0
surprises=0
header() {
	echo
	echo "== $*"
}
say() { echo "   $*"; }

# judge WANT RC: show the exit status, count it when it is not WANT
judge() {
	steps=$((steps + 1))
	if [ "$2" = "$1" ]; then
		echo "[exit $2]"
	else
		echo "[exit $2 -- the demo expected $1]"
		surprises=$((surprises + 1))
	fi
}

# run WANT COMMAND...: show the command, run it, show its exit status
run() {
	want=$1
	shift
	echo
	echo "\$ $*"
	"$@"
	judge "$want" $?
}

# run_sh WANT 'SHELL TEXT': the same for a pipeline, shown as typed
run_sh() {
	echo
	echo "\$ $2"
	sh -c "$2"
	judge "$1" $?
}

# silent set-up: wait until modguard sees a task inside MODULE
task_inside() {
	modguard report --json "$1" 2>/dev/null | grep -q '"kind":"task"'
}

finish() {
	echo
	echo "$steps commands, $surprises with an unexpected exit status" >"$SUMMARY"
	stop_daemon
	[ "$surprises" = 0 ]
	exit
}

header "0. the guest: Debian's stock kernel $(uname -r), modules at $MODS"

header "1. start modguardd (CO-RE BPF programs on this stock kernel)"
say "modguardd --socket $MODGUARD_SOCKET --state-dir $STATE_DIR &"
if ! start_daemon; then
	echo "modguardd did not start (its log: $DAEMON_LOG)" >"$SUMMARY"
	exit 1
fi
run 0 modguard status

header "2. a tidy module: its timer, hrtimer, delayed work and kthread are cancelled by its exit"
run 0 insmod "$MODS/mg_tidy.ko"
sleep 0.5 # let every callback fire at least once
say "its own callbacks do not make it busy: a correct exit cancels them"
run 0 modguard report mg_tidy
say "-v: say what it did (like rmmod, it is silent on success without it)"
run 0 modguard-rmmod -v mg_tidy

header "3. a reader sleeps inside a module without .owner (the classic unload crash)"
say "no .owner in its file_operations: the open file takes no reference, refcnt"
say "stays 0, and without modguard a plain rmmod succeeds and frees the text"
say "under the reader"
# 6 s, as in tests/vm/guest/04-rmmod.sh: under TCG on a busy host a 3 s
# read can end before the -t 1 refusal is even asked for
run 0 insmod "$MODS/mg_nofops_reader.ko" sleep_ms=6000
echo
echo "\$ cat /dev/mg_nofops_reader &    # read() sleeps 6 s inside the module"
cat /dev/mg_nofops_reader &
reader=$!
say "the kernel's view: refcnt 0, nothing keeps the module"
run 0 cat /sys/module/mg_nofops_reader/refcnt
wait_for 50 task_inside mg_nofops_reader ||
	say "(modguard did not see the reader inside within 5 s)"
say "modguard's view: a task inside the module's text"
run 0 modguard report mg_nofops_reader
say "-t 1: the reader does not leave within a second, so modguard-rmmod refuses"
run 1 modguard-rmmod -t 1 mg_nofops_reader
say "-t 20: it waits for the reader to leave, then unloads (-v shows the wait)"
run 0 modguard-rmmod -v -t 20 mg_nofops_reader
echo
echo "\$ wait \$reader    # the cat that was inside"
wait $reader
judge 0 $?

header "4. an RCU callback left behind: exit queues call_rcu() without rcu_barrier()"
say "the callback is still queued when the module's text is freed; the window is"
say "small and this boot survives it, but modguard names it, records it and"
say "quarantines the build instead of waiting for an oops"
run 0 insmod "$MODS/mg_leak_rcu.ko"
run 4 modguard-rmmod mg_leak_rcu
say "the record is on disk (fsync'd before the answer) and in the kernel log:"
run 0 ls "$STATE_DIR/records"
run_sh 0 'dmesg | grep "modguard: module mg_leak_rcu"'
run 0 modguard history
say "the same build again: refused, citing the record"
run 0 insmod "$MODS/mg_leak_rcu.ko"
run 1 modguard-rmmod mg_leak_rcu
run 0 grep mg_leak_rcu /proc/modules
say "--force unloads it anyway, loudly, and still names the leftover"
run 4 modguard-rmmod --force mg_leak_rcu

header "5. the report as JSON: mg_leak_rcu is gone, its leftover is not"
say "modguard keeps a gone module with leftovers in its reports, verdict stale"
echo
echo "\$ modguard report --json mg_leak_rcu | jq ."
modguard report --json mg_leak_rcu >"$MG_WORK/report.json"
rc=$?
jq . "$MG_WORK/report.json"
judge 0 $rc

finish
