#!/usr/bin/env bash
# Issue "modguard-rmmod", item 7: stress.  200 cycles of load, concurrent
# readers through owner-less file_operations, and guarded unload, in ONE
# boot, with zero oopses and zero unloads while a reader was inside.
#
#   tests/vm/host/stress.sh [BUILD_DIR]
#   STRESS_CYCLES=N STRESS_SEED=S   (defaults 200 and the date)
#   STRESS_READERS=M  readers per cycle, 2 to M (default 4)
#   STRESS_VARY_MS=V  each read() sleeps 20-60 ms plus 0..V-1 ms (default 0)
# `make stress` runs the long version: 1,000 cycles, up to 6 readers, reads
# of 20-260 ms.  In every version a loop of `modguard report` keeps the
# task scan running over the readers as they sleep, wake and leave.
#
# The guest side is tests/vm/stress-guest.sh; the reader is
# tests/vm/stress_reader.c, built here (the guest root is read-only).
# The proof that no unload happened while a reader was inside:
#   (a) no oops: vm-run did not exit 125 (it matches Oops/BUG/WARNING/...
#       on the console);
#   (b) every reader that opened the device completed its read() normally
#       (returned 0, exited 0, no signal); the rest found it gone (ENOENT);
#   (c) the kernel's own trace (ftrace, mono clock): for every cycle, each
#       read() of that cycle's readers returned (sys_exit_read) before the
#       delete_module() that unloaded the module was entered, i.e. before
#       the module's exit could run; and every reader the trace saw maps
#       to a completed read, so the check is not vacuous.
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
build=${1:-build}
cycles=${STRESS_CYCLES:-200}
seed=${STRESS_SEED:-$(date +%s)}
readers=${STRESS_READERS:-4}
vary=${STRESS_VARY_MS:-0}
work=$build/vm-stress
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)

fails=0
result() {
	if [ "$1" = 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
		fails=$((fails + 1))
	fi
}

for f in "$build/modguardd" "$build/modguard-rmmod" \
	"$build/modules/$(tools/vm-run --print-kernel)/mg_nofops_reader.ko"; do
	if [ ! -e "$f" ]; then
		echo "not ok - stress: $f is missing (make all modules)"
		exit 1
	fi
done

# static: no dynamic loader, so the device read() is the reader's only
# read(), and it starts faster under TCG
reader=$build/mg-stress-reader
if ! ${CC:-gcc} -O2 -static -Wall -o "$reader" tests/vm/stress_reader.c 2>"$work/cc.err" &&
	! ${CC:-gcc} -O2 -Wall -o "$reader" tests/vm/stress_reader.c 2>>"$work/cc.err"; then
	echo "not ok - stress: cannot build the reader helper"
	sed 's/^/#   /' "$work/cc.err"
	exit 1
fi

t0=$(date +%s)
# about 1 s a cycle here, idle; a generous bound for a loaded host
tools/vm-run --cpus 1 --timeout $((600 + cycles * 6)) --out "$work" -- \
	bash tests/vm/stress-guest.sh "$build" "$cycles" "$seed" "$readers" "$vary" "${STRESS_SCANS:-1}" \
	> "$work/vm.out" 2>&1
vmrc=$?
t1=$(date +%s)
elapsed=$((t1 - t0))

echo "# stress: seed $seed, vm-run exit $vmrc, ${elapsed}s wall (boot included), 2-$readers readers, vary_ms $vary"
if [ "$vmrc" != 0 ]; then
	grep -v '^cy ' "$work/vm.out" | tail -60 | sed 's/^/#   /'
fi

# (a) no oops, and the guest script ran to its end
result "$([ "$vmrc" != 125 ]; echo $?)" \
	"stress: no oops/BUG/WARNING in the boot (vm-run exit $vmrc)"
done_c=$(sed -n 's/^done //p' "$work/done" 2>/dev/null)
result "$([ "${done_c:-0}" = "$cycles" ]; echo $?)" \
	"stress: $cycles cycles in one boot (done ${done_c:-$(grep -c '^cy ' "$work/progress" 2>/dev/null)})"

if [ ! -s "$work/cycles.txt" ]; then
	echo "not ok - stress: no results came back (see $work/vm.out, console.log)"
	exit 1
fi

# every guarded unload exited 0
rm_bad=$(awk '$5 != "rm=0"' "$work/cycles.txt" | wc -l)
waited=$(grep -c 'waited=1' "$work/cycles.txt")
result "$([ "$rm_bad" = 0 ]; echo $?)" \
	"stress: every modguard-rmmod -t 10 exited 0 ($rm_bad did not)"
if [ "$rm_bad" != 0 ]; then
	grep -h -m3 'refused' "$work/modguardd.log" 2>/dev/null | sed 's/^/#   /'
	head -40 "$work/rm-fail.txt" 2>/dev/null | sed 's/^/#   /'
fi

# (b) and (c): one awk pass over the readers' lines and the trace
awk -v cycles="$cycles" -v out="$work/stats.txt" '
# a trace line: "  comm-PID  [cpu] flags  SECS.USECS: event..."
function tparse(line,   pre, a, n) {
	if (!match(line, /[0-9]+\.[0-9]+: /))
		return 0
	pre = substr(line, 1, RSTART - 1)
	T = substr(line, RSTART, RLENGTH - 2) + 0
	EV = substr(line, RSTART + RLENGTH)
	sub(/ *\[[0-9]+\].*$/, "", pre)
	n = split(pre, a, "-")
	TID = a[n] + 0
	return 1
}
function problem(s) { bad[++nbad] = s }
FILENAME ~ /readers.txt$/ {
	if ($1 == "rd") {
		cyc[$3] = $2
		if ($5 == "in") {
			nin++
			nreads[$3]++
			if ($9 != 0)
				problem("cycle " $2 " reader " $3 " round " $4 ": read() returned " $9)
		} else if ($5 == "noent") {
			nnoent++
		} else {
			problem("cycle " $2 " reader " $3 ": open failed: " $0)
		}
	} else if ($1 == "st") {
		nst++
		if ($4 != 0)
			problem("cycle " $2 " reader " $3 ": exit status " $4)
		stpid[$3] = $2
	} else if (NF) {
		problem("stray reader output: " $0)
	}
	next
}
FILENAME ~ /trace.txt$/ {
	if ($0 ~ /^#/ || !tparse($0))
		next
	if (EV ~ /^sys_read\(/) {
		rs[TID, ++rsn[TID]] = T
	} else if (EV ~ /^sys_read -> /) {
		rx[TID, ++rxn[TID]] = T
	} else if (EV ~ /^sys_delete_module\(/) {
		dstart[TID] = T
	} else if (EV ~ /^sys_delete_module -> 0x0/) {
		# the unload that ran the exit was entered at dstart
		D[++nd] = dstart[TID]
	} else if (EV ~ /^module_free: mg_nofops_reader/) {
		F[++nf] = T
	}
	next
}
END {
	for (p in stpid)
		if (!(p in cyc))
			problem("cycle " stpid[p] " reader " p ": no output (killed?)")
	if (nd != cycles || nf != cycles)
		problem(sprintf("trace: %d successful delete_module, %d module_free, want %d each", nd, nf, cycles))
	for (p in cyc) {
		c = cyc[p]
		if (rsn[p] + 0 != nreads[p] + 0 || rxn[p] + 0 != nreads[p] + 0) {
			problem(sprintf("cycle %d reader %d: %d reads reported, the trace has %d entries, %d returns",
					c, p, nreads[p], rsn[p], rxn[p]))
			continue
		}
		if (c > nd || c > nf)
			continue
		for (k = 1; k <= nreads[p]; k++) {
			# inside = [sys_enter_read, sys_exit_read]; the exit may
			# run from D[c] (delete_module entered) to F[c]
			if (!(rx[p, k] < D[c])) {
				viol++
				problem(sprintf("cycle %d reader %d round %d: read() %.6f..%.6f, unload %.6f..%.6f: INSIDE during the unload",
						c, p, k, rs[p, k], rx[p, k], D[c], F[c]))
			}
			if (c > 1 && !(rs[p, k] > F[c - 1]))
				problem("cycle " c " reader " p ": read() began before the previous unload finished")
			checked++
			# how close the last read came to the unload
			gap = D[c] - rx[p, k]
			if (gap >= 0 && (mingap == "" || gap < mingap))
				mingap = gap
		}
	}
	printf "readers=%d in=%d noent=%d checked=%d violations=%d unloads=%d frees=%d problems=%d closest_ms=%.1f\n",
		nst, nin, nnoent, checked, viol + 0, nd, nf, nbad + 0, mingap * 1000 > out
	for (i = 1; i <= nbad && i <= 40; i++)
		print "#   " bad[i]
	exit (nbad > 0)
}' "$work/readers.txt" "$work/trace.txt" > "$work/problems.txt"
arc=$?
cat "$work/problems.txt"
stats=$(cat "$work/stats.txt" 2>/dev/null)
echo "# stress: $stats waited=$waited"
get() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<< "$stats"; }
nin=$(get in) nread=$(get readers) viol=$(get violations) checked=$(get checked)

result "$([ "$arc" = 0 ]; echo $?)" \
	"stress: every read() that got in completed normally, the rest found the device gone (${nread:-?} readers, ${nin:-?} reads)"
result "$([ "$arc" = 0 ] && [ "${viol:-1}" = 0 ] && [ "${checked:-0}" = "${nin:--1}" ]; echo $?)" \
	"stress: no unload while a reader was inside: every read() returned before its cycle's delete_module (kernel trace, ${checked:-0} reads checked, ${viol:-?} violations)"
# the stress must really have made modguard-rmmod wait for readers, and
# have readers arrive too late: otherwise it proved little
result "$([ "$waited" -ge $((cycles / 10)) ] && [ "$(get noent)" -ge $((cycles / 10)) ]; echo $?)" \
	"stress: the unload really had to wait ($waited of $cycles cycles waited on readers inside, $(get noent) opens found the module gone)"
scans=$(cat "$work/scans.count" 2>/dev/null)
result "$([ "${scans:-0}" -ge "$cycles" ]; echo $?)" \
	"stress: task scans ran all along (${scans:-0} reports during $cycles cycles)"
echo "# stress: $cycles cycles, ${nread:-?} readers (${nin:-?} in, $(get noent) found it gone), $rm_bad rmmod failures, ${scans:-0} task scans, ${elapsed}s"
exit $((fails > 0))
