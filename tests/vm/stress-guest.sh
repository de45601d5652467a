#!/bin/bash
# Guest side of tests/vm/host/stress.sh (runs inside tools/vm-run --out).
#
#   bash tests/vm/stress-guest.sh BUILD_DIR CYCLES SEED [MAX_READERS [VARY_MS]]
#
# modguardd once, then CYCLES times: insmod mg_nofops_reader with a short
# sleep_ms (each read() sleeping up to VARY_MS longer, default 0), 2 to
# MAX_READERS (default 4) owner-less readers (tests/vm/stress_reader.c, 1-3
# open+read rounds each) started at spread-out times around modguard-rmmod
# -t 10, so readers keep arriving while the unload is judged, waits and
# happens.  All along, a loop of `modguard report` keeps the task scan
# running over readers that sleep, wake and leave.
# The host judges; this side only records, into $VM_OUT:
#   progress     "cy N ..." per cycle (written through, survives a crash)
#   cycles.txt   cy CYCLE sleep_ms=MS readers=N rm=RC waited=0|1
#   readers.txt  the readers' own lines (tests/vm/stress_reader.c) and
#                "st CYCLE PID STATUS" for each reader's exit status
#   rm-fail.txt  modguard-rmmod's output of any cycle where it did not exit 0
#   trace.txt    ftrace, mono clock: the readers' read()/openat() and every
#                delete_module() and module_free
#   done         "done CYCLES" when the loop finished
MG_BUILD=${1:-build}
CYCLES=${2:-200}
RANDOM=${3:-1}
MAX_READERS=${4:-4}
VARY_MS=${5:-0}
SCANS=${6:-1}
export MG_BUILD
. tests/vm/lib.sh

out=${VM_OUT:?run me under tools/vm-run --out}
mkdir -p "$MG_WORK"
READER=$MG_BUILD/mg-stress-reader
DEV=/dev/mg_nofops_reader
T=/sys/kernel/tracing
tmp=/tmp/stress
mkdir -p "$tmp"
: > "$tmp/readers.txt"
: > "$tmp/cycles.txt"

# --- ftrace: the kernel's own account of who was inside when ------------
# The reader binary's comm is "mg-stress-reade" (15 chars of its name).
# "mono" is CLOCK_MONOTONIC, so the readers' own stamps compare too.
trace_setup() {
	local e
	echo 0 > $T/tracing_on &&
		echo mono > $T/trace_clock &&
		echo 8192 > $T/buffer_size_kb &&
		: > $T/trace || return 1
	for e in sys_enter_read sys_exit_read sys_exit_openat; do
		echo 'comm == "mg-stress-reade"' > $T/events/syscalls/$e/filter &&
			echo 1 > $T/events/syscalls/$e/enable || return 1
	done
	echo 1 > $T/events/syscalls/sys_enter_delete_module/enable &&
		echo 1 > $T/events/syscalls/sys_exit_delete_module/enable &&
		echo 1 > $T/events/module/module_free/enable &&
		echo 1 > $T/events/module/module_load/enable &&
		echo 1 > $T/events/sched/sched_process_exec/enable &&
		echo 1 > $T/tracing_on
}
if ! trace_setup; then
	echo "# stress-guest: ftrace setup failed" | tee "$out/setup-failed"
	exit 98
fi

start_daemon || { echo "# stress-guest: modguardd did not start"; exit 99; }

# task scans all along: each report walks every task's stack
scans_stop=$tmp/scans.stop
(
	n=0
	while [ "$SCANS" = 1 ] && [ ! -e "$scans_stop" ]; do
		"$MODGUARD" report > /dev/null 2>&1 && n=$((n + 1))
	done
	echo "$n" > "$tmp/scans.count"
) &
scans_pid=$!

echo "# stress-guest: $CYCLES cycles, seed $3, 2-$MAX_READERS readers, vary_ms $VARY_MS" | tee "$out/progress"
c=0
while [ $c -lt "$CYCLES" ]; do
	c=$((c + 1))
	sm=$((20 + RANDOM % 41))                     # read() sleeps 20-60 ms
	if ! insmod "$MODS/mg_nofops_reader.ko" sleep_ms=$sm vary_ms=$VARY_MS; then
		echo "cy $c insmod-failed" >> "$out/progress"
		break
	fi
	n=$((2 + RANDOM % (MAX_READERS - 1)))        # 2-MAX_READERS readers
	pids=()
	# the first reader at once and the unload right behind it; the
	# others start over the next 0.8 s and each make 1-3 open+read
	# rounds until the device is gone: some get in before the unload is
	# judged, some while it waits (their files keep it busy), some find
	# the module unloading (ENODEV) or gone (ENOENT)
	"$READER" $c 0 $((1 + RANDOM % 3)) $DEV >> "$tmp/readers.txt" 2>&1 &
	pids+=($!)
	"$RMMOD_G" -v -t 10 mg_nofops_reader > "$tmp/rm.out" 2>&1 &
	rm_pid=$!
	for ((r = 2; r <= n; r++)); do
		d=$(((RANDOM * 32768 + RANDOM) % 800000))
		"$READER" $c $d $((1 + RANDOM % 3)) $DEV >> "$tmp/readers.txt" 2>&1 &
		pids+=($!)
	done
	wait $rm_pid
	rc=$?
	for p in "${pids[@]}"; do
		wait "$p"
		echo "st $c $p $?" >> "$tmp/readers.txt"
	done
	waited=0
	while IFS= read -r l; do
		case $l in *busy*waiting*) waited=1 ;; esac
	done < "$tmp/rm.out"
	line="cy $c sleep_ms=$sm readers=$n rm=$rc waited=$waited"
	echo "$line" >> "$tmp/cycles.txt"
	echo "$line" >> "$out/progress"
	if [ $rc != 0 ]; then
		{ echo "## cycle $c: modguard-rmmod exit $rc"; cat "$tmp/rm.out"; } \
			>> "$out/rm-fail.txt"
		# every reader has left: a guarded retry is safe and keeps the
		# remaining cycles meaningful
		if grep -q '^mg_nofops_reader ' /proc/modules &&
			! "$RMMOD_G" -t 10 mg_nofops_reader >> "$out/rm-fail.txt" 2>&1; then
			echo "cy $c cannot-unload" >> "$out/progress"
			break
		fi
	fi
done

touch "$scans_stop"
wait "$scans_pid"
cp "$tmp/scans.count" "$out/scans.count" 2>/dev/null
echo 0 > $T/tracing_on
cp "$tmp/readers.txt" "$tmp/cycles.txt" "$out/"
cat $T/trace > "$out/trace.txt"
cat $T/per_cpu/cpu*/stats > "$out/trace-stats.txt" 2>/dev/null
stop_daemon
echo "done $c" > "$out/done"
# a reader returning into freed text would fault at once; a short grace
sleep 2
