#!/usr/bin/env bash
# modguard benchmark, guest side: runs inside ONE boot of the stock kernel
# (tools/vm-run, started by tools/bench).  Writes raw figures, one per line,
# to $VM_OUT/raw.txt; tools/bench turns them into medians and ratios.
#
# usage (in the guest): bash tests/bench/guest-bench.sh BUILD_DIR
#
# Knobs (environment, passed through tools/bench):
#   BENCH_REPS=5           alternating without/with-daemon rounds (overhead)
#   BENCH_PER_ROUND=2      runs of each workload per round and mode
#   BENCH_CAL_MS=400       each workload is sized to run about this long
#   BENCH_SCAN_REPS=9      timed verdicts per task count
#   BENCH_TASKS="100 1000 10000"
#   BENCH_RMMOD_REPS=9     insmod+rmmod pairs per variant
#   BENCH_SECTIONS="overhead bpfstats verdict rmmod enforcement callers"
#
# Each section is one function bench_<name>; to add a measurement, write a
# function and add its name to BENCH_SECTIONS (and a summary in tools/bench).
# Raw line formats are documented at each `raw` call.
set -u

MG_BUILD=${1:-build}
export MG_BUILD
. tests/vm/lib.sh

BENCH=$MG_BUILD/bench/mg_bench
RAW=$VM_OUT/raw.txt
REPS=${BENCH_REPS:-5}
PER_ROUND=${BENCH_PER_ROUND:-2}
CAL_MS=${BENCH_CAL_MS:-400}
SCAN_REPS=${BENCH_SCAN_REPS:-9}
TASKS=${BENCH_TASKS:-100 1000 10000}
RMMOD_REPS=${BENCH_RMMOD_REPS:-9}
SECTIONS=${BENCH_SECTIONS:-overhead bpfstats verdict rmmod enforcement callers}
# sleep/poll/pty: core kernel only; open: open+close of a char device (the
# open-file guard's LSM hooks); mod: module timers, hrtimers, work and
# delayed work; modref: module_get/module_put of a module (see mg_bench.c)
WORKLOADS="sleep poll pty open openmod mod modref"

mkdir -p "$MG_WORK"
: >"$RAW"
raw() { echo "$*" >>"$RAW"; }
say() { echo "# $(date +%T) $*"; }

# k=v output of mg_bench -> shell variables
kv() { eval "$(echo "$1" | tr ' ' '\n' | grep -E '^[a-z_]+=[0-9,]*$')"; }

# mg_bench arguments of a workload
wl_args() {
	case $1 in
	mod) echo "mod -m 15" ;;
	modref) echo "mod -m 16" ;;
	*) echo "$1" ;;
	esac
}

# run one workload with a fixed size, print elapsed microseconds
run_workload() {
	local w=$1 iters=$2 out
	out=$("$BENCH" $(wl_args "$w") -i "$iters") || return 1
	kv "$out"
	echo "$elapsed_us"
}

# sum of on-CPU time (ns) over all of the daemon's threads
daemon_cpu_ns() {
	local f s=0 t
	for f in /proc/"$DPID"/task/*/schedstat; do
		read -r t _ <"$f" && s=$((s + t))
	done
	echo "$s"
}

# tasks alive (threads included), as the task iterator sees them
count_tasks() { ls -d /proc/[0-9]*/task/[0-9]* 2>/dev/null | wc -l; }
tasks_at_most() { [ "$(count_tasks)" -le "$1" ]; }

daemon_status_field() {
	"$MODGUARD" --json status 2>/dev/null | jq -r ".$1 // empty" 2>/dev/null | head -1
}

# ---- set-up ---------------------------------------------------------------
bench_setup() {
	say "setup: kernel $(uname -r), $(nproc) cpus"
	# meta KEY VALUE...
	raw meta kernel "$(uname -r)"
	raw meta cpus "$(nproc)"
	raw meta mem_kb "$(awk '/MemTotal/ {print $2}' /proc/meminfo)"
	insmod "$MODS/mg_tidy.ko" || { echo "insmod mg_tidy failed"; return 1; }
	insmod "$MODS/mg_bench_load.ko" || { echo "insmod mg_bench_load failed"; return 1; }
	# openmod: a real Debian module's device with .owner
	modprobe loop || { echo "modprobe loop failed"; return 1; }
	raw meta base_tasks "$(count_tasks)"
}

# ---- 1. always-on cost: workloads without vs with modguardd ----------------
declare -A ITERS
bench_overhead() {
	local w rep mode order t ev c0 k cal
	# size every workload once, without the daemon; then sizes stay fixed
	for w in $WORKLOADS; do
		# modref is some 60x slower with the daemon: size it smaller
		cal=$CAL_MS
		[ "$w" = modref ] && cal=$((CAL_MS / 8))
		"$BENCH" $(wl_args "$w") -c 100 >/dev/null # warm-up
		kv "$("$BENCH" $(wl_args "$w") -c "$cal")"
		ITERS[$w]=$iters
		# cal WORKLOAD ITERS
		raw cal "$w" "$iters"
		say "overhead: $w sized to $iters iterations"
	done
	for rep in $(seq 1 "$REPS"); do
		# alternate which mode goes first, so slow drift cancels out
		if [ $((rep % 2)) = 1 ]; then order="off on"; else order="on off"; fi
		for mode in $order; do
			if [ "$mode" = on ]; then
				start_daemon || return 1
				sleep 1 # let start-up work (kallsyms, first events) finish
			fi
			for k in $(seq 1 "$PER_ROUND"); do
				for w in $WORKLOADS; do
					[ "$mode" = on ] && c0=$(daemon_cpu_ns)
					t=$(run_workload "$w" "${ITERS[$w]}") || {
						echo "workload $w failed"
						return 1
					}
					# wl WORKLOAD MODE ROUND ELAPSED_US
					raw wl "$w" "$mode" "$rep" "$t"
					# dcpu WORKLOAD ROUND DAEMON_CPU_US (modguardd's
					# user space: ring buffer, ledger)
					[ "$mode" = on ] && raw dcpu "$w" "$rep" $((($(daemon_cpu_ns) - c0) / 1000))
				done
			done
			if [ "$mode" = on ]; then
				ev=$(daemon_status_field events)
				# events REP DAEMON_EVENTS_SO_FAR
				raw events "$rep" "${ev:-?}"
				stop_daemon
			fi
			say "overhead: round $rep $mode done"
		done
	done
}

# ---- 1b. per-program BPF cost (kernel.bpf_stats_enabled) -------------------
# Absolute emulated ns: only an indication of where the time goes.  Stats
# collection itself costs two clock reads per program run, so this pass is
# kept out of the timed comparison above.
bpf_snapshot() {
	# bpftool leaves the counters out while they are 0
	bpftool prog show -j 2>/dev/null | jq -r \
		'.[] | "\(.id) \(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"'
}
bench_bpfstats() {
	local w before after t
	command -v bpftool >/dev/null && command -v jq >/dev/null || {
		raw bpfstat_skipped "no bpftool or jq"
		return 0
	}
	[ -n "${ITERS[sleep]:-}" ] || return 0
	start_daemon || return 1
	sysctl -q -w kernel.bpf_stats_enabled=1 || {
		raw bpfstat_skipped "kernel.bpf_stats_enabled not writable"
		stop_daemon
		return 0
	}
	for w in $WORKLOADS; do
		before=$(bpf_snapshot)
		t=$(run_workload "$w" "${ITERS[$w]}")
		after=$(bpf_snapshot)
		# bpfwl WORKLOAD ELAPSED_US (of the run the bpfstat lines cover)
		raw bpfwl "$w" "$t"
		# bpfstat WORKLOAD PROG RUNS NS (deltas over one workload run)
		join <(echo "$before" | sort -k1,1) <(echo "$after" | sort -k1,1) |
			awk -v w="$w" '$6 > $3 { print "bpfstat", w, $2, $6 - $3, $7 - $4 }' >>"$RAW"
	done
	sysctl -q -w kernel.bpf_stats_enabled=0
	stop_daemon
	say "bpfstats done"
}

# ---- 2. verdict time vs number of tasks -------------------------------------
bench_verdict() {
	local target base spawn ready spid n c0 c1 out st cli
	start_daemon || return 1
	"$MODGUARD" report mg_tidy >/dev/null 2>&1 # warm-up
	for target in $TASKS; do
		base=$(count_tasks)
		spawn=$((target > base ? target - base : 0))
		ready=/tmp/mg-bench-ready.$target
		rm -f "$ready"
		"$BENCH" spawn "$spawn" "$ready" &
		spid=$!
		wait_for 3000 test -e "$ready" || { echo "spawn $target timed out"; kill "$spid"; return 1; }
		n=$(count_tasks)
		say "verdict: $n tasks alive"
		"$MODGUARD" report mg_tidy >/dev/null 2>&1
		# requests from one process: the daemon's round trip; status
		# is the same round trip without any scan
		st=$("$BENCH" rpc -n "$SCAN_REPS" -- status)
		c0=$(daemon_cpu_ns)
		out=$("$BENCH" rpc -n "$SCAN_REPS" -- report mg_tidy)
		c1=$(daemon_cpu_ns)
		# what a user sees: the whole command, exec included
		cli=$("$BENCH" time -n "$SCAN_REPS" -- "$MODGUARD" report mg_tidy)
		# verdict TARGET TASKS_ALIVE DAEMON_CPU_US_PER_REPORT | rpc report k=v... | rpc status k=v... | cli report k=v...
		raw verdict "$target" "$n" $(((c1 - c0) / SCAN_REPS / 1000)) "| $out | $st | $cli"
		kill "$spid"
		wait "$spid" 2>/dev/null
		# let the children go before the next count
		wait_for 600 tasks_at_most $((base + 5))
	done
	stop_daemon
}

# ---- 3a. modguard-rmmod vs plain rmmod on a clean module --------------------
bench_rmmod() {
	local plain guarded rc k
	[ -x "$RMMOD_G" ] || { raw rmmod_skipped "no $RMMOD_G"; return 0; }
	start_daemon || return 1
	unload_quietly mg_control
	# twice: the second unload of the same build must pass too
	for k in 1 2; do
		insmod "$MODS/mg_control.ko"
		"$RMMOD_G" mg_control >"$MG_WORK/rmmod.out" 2>&1
		rc=$?
		if [ "$rc" != 0 ] || grep -q '^mg_control ' /proc/modules; then
			# rmmod_skipped REASON
			raw rmmod_skipped "modguard-rmmod did not unload a clean mg_control (attempt $k, exit $rc): $(head -c 300 "$MG_WORK/rmmod.out" | tr '\n' ' ')"
			unload_quietly mg_control
			stop_daemon
			return 0
		fi
	done
	plain=$("$BENCH" time -n "$RMMOD_REPS" -- sh -c \
		"insmod $MODS/mg_control.ko && rmmod mg_control")
	guarded=$("$BENCH" time -n "$RMMOD_REPS" -- sh -c \
		"insmod $MODS/mg_control.ko && $RMMOD_G mg_control")
	# rmmod plain|guarded k=v...
	raw rmmod plain "$plain"
	raw rmmod guarded "$guarded"
	unload_quietly mg_control
	stop_daemon
	say "rmmod done"
}

# ---- 3b. always-on cost of enforcement ------------------------------------
# The same workloads with modguardd advisory (--advisory: no lsm/capable,
# no delete_module tracepoints) and enforcing, alternating, in this boot:
# "wl WORKLOAD adv|enf REP ELAPSED_US"; tools/bench prints enf/adv.
bench_enforcement() {
	local rep mode order k w t
	for rep in $(seq 1 "$REPS"); do
		if [ $((rep % 2)) = 1 ]; then order="adv enf"; else order="enf adv"; fi
		for mode in $order; do
			if [ "$mode" = adv ]; then
				start_daemon --advisory || return 1
			else
				start_daemon || return 1
			fi
			"$MODGUARD" status | grep -q "mode: *$([ "$mode" = adv ] && echo advisory || echo enforcing)" ||
				{ echo "enforcement: daemon not in $mode mode"; return 1; }
			sleep 1
			for k in $(seq 1 "$PER_ROUND"); do
				for w in $WORKLOADS; do
					[ "$w" = modref ] && continue
					t=$(run_workload "$w" "${ITERS[$w]}") || return 1
					raw wl "$w" "$mode" "$rep" "$t"
				done
			done
			stop_daemon
			say "enforcement: round $rep $mode done"
		done
	done
}

# ---- 3c. the system call hooks that end in-flight calls ------------------
# bpf/inflight.bpf.c ends a counted call at the thread's next sys_enter or
# sys_exit; modguardd attaches those hooks only while an owner-less entry
# point is watched.  Same daemon (enforcing), three modes, alternating:
#   nohooks  no owner-less fops registered: the hooks are not attached
#   hooks    mg_nofops_reader loaded: attached, nobody inside (one array
#            read per system call)
#   inside   and a reader asleep inside its read(): every system call also
#            looks its thread up in mg_thread_calls
# "wl WORKLOAD nohooks|hooks|inside REP ELAPSED_US"
bench_callers() {
	local rep mode order k w t rd
	for rep in $(seq 1 "$REPS"); do
		case $((rep % 3)) in
		1) order="nohooks hooks inside" ;;
		2) order="inside nohooks hooks" ;;
		*) order="hooks inside nohooks" ;;
		esac
		for mode in $order; do
			start_daemon || return 1
			rd=
			if [ "$mode" != nohooks ]; then
				insmod "$MODS/mg_nofops_reader.ko" sleep_ms=600000 interruptible=1 ||
					return 1
				wait_for 100 grep -q 'mg_nofops_reader_read+0x0' \
					/sys/kernel/debug/kprobes/list || return 1
			fi
			if [ "$mode" = inside ]; then
				cat /dev/mg_nofops_reader > /dev/null & rd=$!
				wait_for 100 grep -q mg_nofops_reader_read "/proc/$rd/stack" ||
					return 1
			fi
			sleep 1
			for k in $(seq 1 "$PER_ROUND"); do
				for w in $WORKLOADS; do
					case $w in mod | modref) continue ;; esac
					t=$(run_workload "$w" "${ITERS[$w]}") || return 1
					raw wl "$w" "$mode" "$rep" "$t"
				done
			done
			if [ -n "$rd" ]; then
				kill "$rd"
				wait "$rd" 2>/dev/null
			fi
			unload_quietly mg_nofops_reader
			stop_daemon
			say "callers: round $rep $mode done"
		done
	done
}

say "modguard bench: sections: $SECTIONS"
bench_setup || exit 1
for s in $SECTIONS; do
	say "section $s"
	"bench_$s" || { echo "section $s failed"; stop_daemon; raw failed "$s"; }
done
stop_daemon
unload_quietly mg_bench_load
unload_quietly mg_tidy
say "done"
raw done
exit 0
