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
#   BENCH_RMMOD_REPS=9     insmod+rmmod pairs per variant (and per real module)
#   BENCH_RMMOD_REAL="dummy vfat"  real Debian modules for modprobe+rmmod
#   BENCH_MEM_MODULES=100  memory: load real modules until this many are loaded
#   BENCH_MEM_TASKS=10000  memory: tasks alive for the last sample
#   BENCH_SECTIONS="overhead bpfstats verdict rmmod enforcement callers"
#                          (also: memory, not in the default set)
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
RMMOD_REAL=${BENCH_RMMOD_REAL:-dummy vfat}
MEM_MODULES=${BENCH_MEM_MODULES:-100}
MEM_TASKS=${BENCH_MEM_TASKS:-10000}
SECTIONS=${BENCH_SECTIONS:-overhead bpfstats verdict rmmod enforcement callers}
# sleep/poll/pty: core kernel only; open: open+close of a char device (the
# open-file guard's LSM hooks); mod: module timers, hrtimers, work and
# delayed work; modref: module_get/module_put of a module (see mg_bench.c);
# real Debian modules (set up in bench_setup, dropped with a
# "WORKLOAD_skipped REASON" line when they cannot be): fsync: ext4 (+ jbd2)
# on brd's /dev/ram0, 4 KiB write + fsync; bdev: open+close of /dev/ram0
# (a reference on brd); net: UDP datagrams out through a dummy device
WORKLOADS="sleep poll pty open openmod mod modref fsync bdev net"
# the real-module fixtures
RAMDEV=/dev/ram0
FSDIR=/tmp/mg-bench-fs
NETDEV=mgb0
NET_SRC=10.201.0.1
NET_DST=10.201.0.2

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
	fsync) echo "fsync -f $FSDIR" ;;
	bdev) echo "bdev -f $RAMDEV" ;;
	net) echo "net -f $NET_DST" ;;
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
# drop_workload WORKLOAD REASON: leave a workload out of every section
drop_workload() {
	# WORKLOAD_skipped REASON
	raw "$1_skipped" "$2"
	say "skipping workload $1: $2"
	WORKLOADS=$(echo " $WORKLOADS " | sed "s/ $1 / /; s/^ *//; s/ *$//")
}

# is module $1 loadable (not built in, present for this kernel)?
module_file() {
	local f
	f=$(modinfo -F filename "$1" 2>/dev/null | head -1)
	case $f in
	/*.ko | /*.ko.*) [ -e "$f" ] ;;
	*) return 1 ;;
	esac
}

# fsync + bdev: brd's RAM disk, a module filesystem on it, mounted
blk_setup() {
	local fs mkfs opts
	module_file brd || { drop_workload bdev "brd is not a loadable module"; drop_workload fsync "no brd"; return 0; }
	# brd's parameters on 6.1: rd_nr (devices), rd_size (KiB each)
	if ! modprobe brd rd_nr=1 rd_size=65536 || ! wait_for 50 test -b "$RAMDEV"; then
		drop_workload bdev "modprobe brd rd_nr=1 rd_size=65536 gave no $RAMDEV"
		drop_workload fsync "no $RAMDEV"
		return 0
	fi
	# the first filesystem that is a module here and whose mkfs the host has
	for fs in ext4 xfs btrfs; do
		module_file "$fs" && command -v "mkfs.$fs" >/dev/null && break
		fs=
	done
	[ -n "$fs" ] || { drop_workload fsync "no module filesystem (ext4, xfs, btrfs) with its mkfs"; return 0; }
	case $fs in
	# initialise the inode tables and journal now: no ext4lazyinit
	# thread writing behind the timed runs
	ext4) opts="-q -F -E lazy_itable_init=0,lazy_journal_init=0" ;;
	xfs) opts="-q -f" ;;
	btrfs) opts="-q -f" ;;
	esac
	mkfs=$MG_WORK/mkfs.out
	# shellcheck disable=SC2086 # opts are words
	if ! "mkfs.$fs" $opts "$RAMDEV" >"$mkfs" 2>&1 || ! modprobe "$fs" ||
		! mkdir -p "$FSDIR" || ! mount -t "$fs" "$RAMDEV" "$FSDIR"; then
		drop_workload fsync "mkfs.$fs + mount of $RAMDEV failed: $(head -c 200 "$mkfs" | tr '\n' ' ')"
		return 0
	fi
	raw meta fsync_fs "$fs $(grep " $FSDIR " /proc/mounts | awk '{print $4}')"
}

# net: a dummy device with an address; datagrams to NET_DST leave through it
# (dummy: IFF_NOARP and no queue, so each one reaches dummy_xmit)
net_setup() {
	module_file dummy || { drop_workload net "dummy is not a loadable module"; return 0; }
	command -v ip >/dev/null || { drop_workload net "no ip(8) on the host"; return 0; }
	if ! modprobe dummy numdummies=0 || ! ip link add "$NETDEV" type dummy ||
		! ip addr add "$NET_SRC/24" dev "$NETDEV" || ! ip link set "$NETDEV" up ||
		! ip route get "$NET_DST" | grep -q "dev $NETDEV"; then
		drop_workload net "dummy device $NETDEV could not be set up"
		return 0
	fi
}
net_teardown() {
	ip link del "$NETDEV" 2>/dev/null
	unload_quietly dummy
}

bench_setup() {
	say "setup: kernel $(uname -r), $(nproc) cpus"
	# meta KEY VALUE...
	raw meta kernel "$(uname -r)"
	raw meta cpus "$(nproc)"
	raw meta mem_kb "$(awk '/MemTotal/ {print $2}' /proc/meminfo)"
	# icount shift (tools/vm-run --icount) or "none"
	raw meta icount "${VM_ICOUNT:-none}"
	insmod "$MODS/mg_tidy.ko" || { echo "insmod mg_tidy failed"; return 1; }
	insmod "$MODS/mg_bench_load.ko" || { echo "insmod mg_bench_load failed"; return 1; }
	# openmod: a real Debian module's device with .owner
	modprobe loop || { echo "modprobe loop failed"; return 1; }
	blk_setup
	net_setup
	raw meta workloads "$WORKLOADS"
	raw meta base_tasks "$(count_tasks)"
}

bench_teardown() {
	net_teardown
	umount "$FSDIR" 2>/dev/null
	unload_quietly brd
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
	say "rmmod: mg_control done"
	for m in $RMMOD_REAL; do
		rmmod_real "$m"
	done
	stop_daemon
	# the net workload's device again, for the sections after this one
	case " $WORKLOADS " in
	*" net "*) net_setup ;;
	esac
	say "rmmod done"
}

# modprobe + rmmod vs modprobe + modguard-rmmod of a real Debian module (a
# network driver: dummy, which registers and unregisters dummy0 each time;
# a filesystem: vfat, whose fat stays loaded); the daemon is running
rmmod_real() {
	local m=$1 plain guarded rc k
	module_file "$m" || { raw rmmodreal_skipped "$m: not a loadable module"; return 0; }
	# dummy is the net workload's driver: take its device down first
	[ "$m" = dummy ] && net_teardown
	if grep -q "^$m " /proc/modules && ! rmmod "$m"; then
		raw rmmodreal_skipped "$m: loaded and in use before the runs"
		return 0
	fi
	# twice: the first load of a build costs the daemon its symbols
	for k in 1 2; do
		modprobe "$m" || { raw rmmodreal_skipped "$m: modprobe failed"; return 0; }
		"$RMMOD_G" "$m" >"$MG_WORK/rmmod.out" 2>&1
		rc=$?
		if [ "$rc" != 0 ] || grep -q "^$m " /proc/modules; then
			# rmmodreal_skipped REASON
			raw rmmodreal_skipped "$m: modguard-rmmod did not unload it (attempt $k, exit $rc): $(head -c 300 "$MG_WORK/rmmod.out" | tr '\n' ' ')"
			unload_quietly "$m"
			return 0
		fi
	done
	plain=$("$BENCH" time -n "$RMMOD_REPS" -- sh -c "modprobe $m && rmmod $m")
	guarded=$("$BENCH" time -n "$RMMOD_REPS" -- sh -c "modprobe $m && $RMMOD_G $m")
	# rmmodreal MODULE plain|guarded k=v... (as for rmmod)
	raw rmmodreal "$m" plain "$plain"
	raw rmmodreal "$m" guarded "$guarded"
	unload_quietly "$m"
	say "rmmod: $m done"
}

# ---- 4. daemon memory: ~100 modules loaded, 10,000 tasks ------------------
# Real Debian modules in bulk: every NLS codepage, small crypto algorithms,
# CRC helpers and small filesystems, loaded one by one (a modprobe -a stops
# at the first failure) until MEM_MODULES are loaded in all.
mem_candidates() {
	local d
	d=/lib/modules/$(uname -r)/kernel
	ls "$d/fs/nls" 2>/dev/null | sed 's/\.ko.*//'
	echo crc-itu-t crc7 crc8 crc64 libcrc32c ts_bm ts_fsm ts_kmp
	echo aegis128 aes_ti blake2b_generic blowfish_generic camellia_generic \
		cast5_generic cast6_generic ccm cfb chacha_generic cmac crc32_generic \
		cts des_generic ecb fcrypt gcm ghash-generic keywrap lrw md4 \
		michael_mic ofb pcbc poly1305_generic rmd160 serpent_generic \
		sha3_generic sha512_generic streebog_generic twofish_generic vmac \
		wp512 xcbc xts xxhash_generic lz4 lz4hc
	echo isofs udf hfs hfsplus minix qnx4 qnx6 romfs efs befs sysv ufs omfs
}
mod_count() { wc -l </proc/modules; }
daemon_knows_modules() { [ "$(daemon_status_field modules)" -ge "$1" ] 2>/dev/null; }

# mem STAGE MODULES_LOADED TASKS_ALIVE VMRSS_KB VMHWM_KB BPF_MAP_BYTES DAEMON_MODULES
mem_sample() {
	local rss hwm
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$DPID/status")
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$DPID/status")
	raw mem "$1" "$(mod_count)" "$(count_tasks)" "${rss:-?}" "${hwm:-?}" \
		"$(daemon_status_field bpf_map_bytes)" "$(daemon_status_field modules)"
	say "memory: $1: $(mod_count) modules, $(count_tasks) tasks, VmRSS ${rss:-?} kB, VmHWM ${hwm:-?} kB"
}

bench_memory() {
	local m loaded='' n0 base spawn ready spid
	start_daemon || return 1
	"$MODGUARD" report mg_tidy >/dev/null 2>&1
	mem_sample start
	n0=$(mod_count)
	for m in $(mem_candidates); do
		[ "$(mod_count)" -lt "$MEM_MODULES" ] || break
		grep -q "^$(echo "$m" | tr - _) " /proc/modules && continue
		modprobe -q "$m" 2>/dev/null && loaded="$m $loaded"
	done
	# memmods LOADED_BY_THE_SECTION MODULES_LOADED
	raw memmods "$(($(mod_count) - n0))" "$(mod_count)"
	# the daemon has taken every module into its table (symbols read)
	wait_for 600 daemon_knows_modules "$(mod_count)" ||
		say "memory: the daemon's table has $(daemon_status_field modules) of $(mod_count) modules"
	"$MODGUARD" report mg_tidy >/dev/null 2>&1
	mem_sample modules
	base=$(count_tasks)
	spawn=$((MEM_TASKS > base ? MEM_TASKS - base : 0))
	ready=/tmp/mg-bench-ready.mem
	rm -f "$ready"
	"$BENCH" spawn "$spawn" "$ready" &
	spid=$!
	wait_for 3000 test -e "$ready" || { echo "spawn $MEM_TASKS timed out"; kill "$spid"; return 1; }
	# a verdict scans every task, a full report every module
	"$MODGUARD" report mg_tidy >/dev/null 2>&1
	"$MODGUARD" report >/dev/null 2>&1
	mem_sample tasks
	kill "$spid"
	wait "$spid" 2>/dev/null
	wait_for 600 tasks_at_most $((base + 5))
	stop_daemon
	# shellcheck disable=SC2086 # a list of names
	for m in $loaded; do modprobe -r -q "$m" 2>/dev/null; done
	say "memory done"
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
bench_teardown
unload_quietly mg_bench_load
unload_quietly mg_tidy
say "done"
raw done
exit 0
