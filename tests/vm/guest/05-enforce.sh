# Issue 5: every unload path is guarded while modguardd runs: plain rmmod,
# modprobe -r, and delete_module(2) from any program.

DELMOD=$MG_BUILD/tests/vm/delete_module
lsmod_has() { grep -q "^$1 " /proc/modules; }
# kmod's modprobe finds modules through modules.dep: give it a root of ours
MODROOT=/tmp/mg-modroot
mkdir -p "$MODROOT/lib/modules/$(uname -r)/extra"
cp "$MODS"/mg_control.ko "$MODS"/mg_nofops_reader.ko "$MODROOT/lib/modules/$(uname -r)/extra/"
depmod -b "$MODROOT" 2>/dev/null
MODPROBE="modprobe -d $MODROOT"

# never pin by accident: a watched clean module's refcnt is unchanged
insmod "$MODS/mg_tidy.ko"
before=$(cat /sys/module/mg_tidy/refcnt)
start_daemon || return
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=100
# modguardd kprobes its owner-less read() and release(); registering a
# kprobe holds a module reference while it patches the text, so the
# counts are read once both are on (set-up: wait for the event)
entry_probes() {
	[ "$(grep -Ec '^[0-9a-f]+ +k +mg_nofops_reader_(read|release)\+0x[04] ' \
		/sys/kernel/debug/kprobes/list)" -ge 2 ]
}
wait_for 300 entry_probes
after=$(cat /sys/module/mg_tidy/refcnt)
check "a clean watched module's refcnt is the same with and without modguardd ($before = $after)" \
	test "$before" = "$after"
check "... also for a module whose entry points are kprobed" \
	test "$(cat /sys/module/mg_nofops_reader/refcnt)" = 0
rmmod mg_nofops_reader

expect_rc 0 "status" "$MODGUARD" status
check "status says enforcing on the stock boot" out_has "^mode: +enforcing"

# a tidy module unloads with plain rmmod at once, no refusal
expect_rc 0 "plain rmmod of a tidy module succeeds at once" rmmod mg_tidy

# the owner-less sleeping reader: refused while it is inside
insmod "$MODS/mg_nofops_reader.ko" sleep_ms=8000
cat /dev/mg_nofops_reader & reader=$!
wait_for 100 sh -c "$MODGUARD report --json mg_nofops_reader | grep -q '\"kind\":\"task\"'"
expect_rc 1 "plain rmmod while a reader is inside is refused" rmmod mg_nofops_reader
check "... with 'Operation not permitted'" out_has "Operation not permitted"
check "... and the module stays loaded" lsmod_has mg_nofops_reader
expect_rc 1 "delete_module(2) from a program is refused the same way" "$DELMOD" mg_nofops_reader
check "... EPERM" out_has "Operation not permitted"
expect_rc 1 "modprobe -r is refused too" $MODPROBE -r mg_nofops_reader
check "... with 'Operation not permitted'" out_has "Operation not permitted"
check "... and the module stays loaded" lsmod_has mg_nofops_reader
expect_rc 0 "history shows the refusal" "$MODGUARD" history --json
check "... with the requester's comm" jq -e '[.records[] | select(.outcome=="refused" and .module=="mg_nofops_reader") | .requester_comm] | index("rmmod") != null' "$OUT_FILE"
check "the kernel log names the refusal, the requester and where to look" sh -c "dmesg | grep -q 'modguard: refused delete_module(mg_nofops_reader) by rmmod\\[[0-9]*\\]: .*see: modguard report mg_nofops_reader, record '"
wait $reader
check "the reader completed normally" test $? = 0
wait_for 50 sh -c "! $MODGUARD report --json mg_nofops_reader | grep -q '\"kind\":\"task\"'"
expect_rc 0 "after the reader left, plain rmmod succeeds" rmmod mg_nofops_reader

# a clean module through delete_module(2) and modprobe -r
insmod "$MODS/mg_control.ko"
expect_rc 0 "delete_module(2) of a clean module succeeds" "$DELMOD" mg_control
insmod "$MODS/mg_control.ko"
expect_rc 0 "modprobe -r of a clean module succeeds" $MODPROBE -r mg_control
check "... and it is gone" sh -c '! grep -q "^mg_control " /proc/modules'
