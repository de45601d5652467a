#!/usr/bin/env bash
# Issue 4, acceptance 4 and 5: for each kind of leftover, a buggy module
# unloaded through modguard-rmmod exits 4 and names the kind and function;
# the record is in the state dir (vm-run --out, so it survives the crash
# the leftover causes) and the kernel log line reaches the console.  Then
# a second boot with the same state dir refuses the same build (exit 1,
# citing the record).  One boot per kind: most of these crash the guest.
#
#   tests/vm/host/stale_kinds.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
build=${1:-build}
work=$build/vm-stale${VM_KERNEL:+-$VM_KERNEL}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)

# case  module  kind  function  expect  insmod-args
#   expect "exit4": modguard-rmmod answers before the leftover fires;
#   expect "intent": the leftover crashes the kernel during the unload
#   itself (a self-rescheduling tasklet; an hrtimer in module memory), so
#   only the write-ahead record and its console line can name it.
cases=(
	"timer mg_leak_timer timer mg_leak_timer_fn exit4 delay_ms=8000"
	"hrtimer mg_leak_hrtimer hrtimer mg_leak_hrtimer_fn exit4 delay_ms=8000"
	"dwork mg_leak_dwork work mg_leak_dwork_fn exit4 delay_ms=8000"
	"tasklet mg_leak_tasklet tasklet mg_leak_tasklet_fn intent"
	"kthread mg_leak_kthread kthread mg_leak_kthread_fn exit4 period_ms=8000"
	"rcu mg_leak_rcu rcu mg_leak_rcu_cb exit4"
	"notifier mg_leak_notifier notifier mg_leak_notifier_cb exit4"
	"hrtimer-in-module-data mg_leak_hrtimer hrtimer mg_leak_hrtimer_fn intent heap=0 delay_ms=600000"
	"filesystem mg_leak_fs filesystem mg_leak_fs_mount exit4"
	"nf_hook mg_leak_nf_hook nf_hook mg_leak_nf_hook_fn exit4"
	"kthread_work mg_leak_kthread_work kthread_work mg_leak_kthread_work_fn exit4 delay_ms=8000"
	"irq mg_leak_irq irq mg_leak_irq_handler exit4"
	"srcu mg_leak_srcu srcu mg_leak_srcu_cb exit4"
)

# what makes a leftover fire, where nothing else does within the sleep
trigger_of() {
	case $1 in
	filesystem) echo "cat /proc/filesystems > /dev/null" ;;
	nf_hook) echo "ip link set lo up; bash -c 'echo x > /dev/udp/127.0.0.1/9'" ;;
	# an ECHO command to the emulated keyboard: its reply raises IRQ 1
	irq) echo "printf '\\356' | dd of=/dev/port bs=1 seek=96 count=1 conv=notrunc" ;;
	*) echo ":" ;;
	esac
}

# the guest side of one case: guarded unload, then give the leftover time
# to fire; the notifier one fires on the next module unload
guest_case() {
	local mod=$2 args=${6:-}

	[ -n "${7:-}" ] && args="$args $7"
	cat <<EOS
. tests/vm/lib.sh
STATE_DIR=\$VM_OUT/state
mkdir -p \$MG_WORK
start_daemon || exit 99
insmod \$MODS/mg_control.ko
insmod \$MODS/$mod.ko $args
$build/modguard-rmmod --json $mod > \$VM_OUT/rm.json 2> \$VM_OUT/rm.err
echo \$? > \$VM_OUT/rm.rc
sync
rmmod mg_control
$(trigger_of "$1")
sleep 10
EOS
}

# the negative control: the same module, no modguard, a plain rmmod.  The
# SRCU one's callback never fires (its grace period is held for good): here
# mg_leak_srcu_exit queues one in its exit on mg_srcu_domain's domain,
# whose grace period the test holds across the unload, then lets end.
unguarded_case() {
	local mod=$2 args=${6:-} pre="" trigger

	trigger=$(trigger_of "$1")
	if [ "$1" = srcu ]; then
		mod=mg_leak_srcu_exit args=""
		pre="insmod \$MODS/mg_srcu_domain.ko; echo 1 > /sys/module/mg_srcu_domain/parameters/hold"
		trigger="echo 0 > /sys/module/mg_srcu_domain/parameters/hold"
	fi
	cat <<EOS
. tests/vm/lib.sh
$pre
insmod \$MODS/$mod.ko $args
rmmod $mod && echo unloaded > \$VM_OUT/plain.rc
sync
$trigger
sleep 10
EOS
}

run_case() {
	local out=$work/$1
	mkdir -p "$out"
	guest_case "$@" > "$out/guest.sh"
	tools/vm-run --cpus 1 --timeout 300 --out "$out" -- sh "$out/guest.sh" \
		> "$out/vm.out" 2>&1
	echo $? > "$out/vm.rc"
	# the newer kinds' negative controls, on the reference kernel
	[ "${MG_STALE_SECOND_BOOTS:-1}" = 1 ] || return 0
	case $1 in
	filesystem | nf_hook | kthread_work | irq | srcu) ;;
	*) return 0 ;;
	esac
	mkdir -p "$out/unguarded"
	unguarded_case "$@" > "$out/unguarded/guest.sh"
	tools/vm-run --cpus 1 --timeout 300 --out "$out/unguarded" -- \
		sh "$out/unguarded/guest.sh" > "$out/unguarded/vm.out" 2>&1
	echo $? > "$out/unguarded/vm.rc"
}

result() {
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

# the call the module's exit should have made, as the hint names it
hint_of() {
	case $1 in
	timer) echo del_timer_sync ;;
	hrtimer) echo hrtimer_cancel ;;
	work) echo cancel_delayed_work_sync ;;
	tasklet) echo tasklet_kill ;;
	kthread) echo kthread_stop ;;
	rcu) echo rcu_barrier ;;
	notifier) echo unregister ;;
	filesystem) echo unregister_filesystem ;;
	nf_hook) echo nf_unregister_net_hook ;;
	kthread_work) echo kthread_cancel_delayed_work_sync ;;
	irq) echo free_irq ;;
	srcu) echo srcu_barrier ;;
	*) echo "no hint known for $1" ;;
	esac
}

# MG_VM_JOBS boots at a time (default 2: most of a boot is one busy vCPU;
# tests/run-all.sh sets 1, it runs another guest beside this script)
jobs=${MG_VM_JOBS:-2}
i=0
for c in "${cases[@]}"; do
	# shellcheck disable=SC2086
	run_case $c &
	i=$((i + 1))
	[ $((i % jobs)) = 0 ] && wait
done
wait

for c in "${cases[@]}"; do
	set -- $c
	name=$1 mod=$2 kind=$3 fn=$4 expect=$5 out=$work/$1
	rc=$(cat "$out/rm.rc" 2>/dev/null || echo none)
	if [ "$expect" = exit4 ]; then
		result "$([ "$rc" = 4 ]; echo $?)" "$name: modguard-rmmod exits 4 (got $rc)"
		jq -e ".modules[0].report.references | any(.kind==\"$kind\" and (.function|startswith(\"$fn+\")))" \
			"$out/rm.json" >/dev/null 2>&1
		result $? "$name: it names the $kind $fn"
		hint=$(hint_of "$kind")
		jq -e ".modules[0].report.references | any(.kind==\"$kind\" and (.hint|startswith(\"$hint\")))" \
			"$out/rm.json" >/dev/null 2>&1
		result $? "$name: ... with the hint $hint"
	fi
	grep -rqs "ref kind=$kind function=$fn+" "$out"/state/records
	result $? "$name: a record naming the $kind survived in the state dir"
	grep -rs "ref kind=$kind function=$fn+" "$out"/state/records |
		grep -qs "hint=$(hint_of "$kind")"
	result $? "$name: ... and its hint"
	grep -Eqs "modguard: (module $mod .* stale: |unloading $mod: ).*$kind $fn" "$out/console.log"
	result $? "$name: the kernel log line naming it is on the console"
	vmrc=$(cat "$out/vm.rc")
	# an RCU callback runs before the check; the held SRCU one never does
	if [ "$kind" != rcu ] && [ "$kind" != srcu ]; then
		result "$([ "$vmrc" = 125 ]; echo $?)" \
			"$name: the leftover then really crashed the guest (vm-run $vmrc)"
	fi
	[ -d "$out/unguarded" ] || continue
	result "$([ -e "$out/unguarded/plain.rc" ]; echo $?)" \
		"$name: without modguard, a plain rmmod unloads it"
	vmrc=$(cat "$out/unguarded/vm.rc")
	result "$([ "$vmrc" = 125 ]; echo $?)" \
		"$name: ... and the kernel oopses when the leftover fires (vm-run $vmrc)"
done

# acceptance 5: after the crash, a new boot with the same state dir
# refuses the same build: once where the stale record was written before
# the crash, once where only the write-ahead record was
second_boot() {
	local out=$work/$1 mod=$2 args=$3
	cat > "$out/guest2.sh" <<EOS
. tests/vm/lib.sh
STATE_DIR=\$VM_OUT/state
mkdir -p \$MG_WORK
start_daemon || exit 99
insmod \$MODS/$mod.ko $args
$build/modguard-rmmod $mod > \$VM_OUT/rm2.out 2>&1
echo \$? > \$VM_OUT/rm2.rc
grep -q '^$mod ' /proc/modules && echo loaded > \$VM_OUT/still
EOS
	tools/vm-run --cpus 1 --timeout 300 --out "$out" -- sh "$out/guest2.sh" > "$out/vm2.out" 2>&1
	echo $? > "$out/vm2.rc"
}
# MG_STALE_SECOND_BOOTS=0 leaves them out (tests/run-all.sh, on the kernels
# beside the reference kernel: the records and the quarantine are user
# space's, the same on every kernel)
[ "${MG_STALE_SECOND_BOOTS:-1}" = 1 ] || exit 0
second_boot kthread mg_leak_kthread period_ms=600000 &
[ "$jobs" -gt 1 ] || wait
second_boot tasklet mg_leak_tasklet spins=1 &
wait
for c in "kthread mg_leak_kthread" "tasklet mg_leak_tasklet"; do
	set -- $c
	out=$work/$1
	rc=$(cat "$out/rm2.rc" 2>/dev/null || echo none)
	result "$([ "$rc" = 1 ]; echo $?)" "$1: after the crash, a new boot refuses the same build (exit $rc)"
	grep -Eq "quarantined.*record [0-9T.]+Z-$2" "$out/rm2.out"
	result $? "$1: ... citing the record"
	result "$([ -e "$out/still" ]; echo $?)" "$1: ... and leaves it loaded"
	result "$([ "$(cat "$out/vm2.rc")" = 0 ]; echo $?)" "$1: ... with no oops in that boot"
done
