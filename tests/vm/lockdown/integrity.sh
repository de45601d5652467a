# In a guest booted with lockdown=integrity (what Secure Boot gives), run
# by tests/vm/host/lockdown.sh through tests/vm/guest-suite.sh, before the
# stock-module cases of tests/vm/guest/06-stock-modules.sh.
#
# What lockdown=integrity takes away is the kernel's rule, not modguard's:
# unsigned modules do not load (LOCKDOWN_MODULE_SIGNATURE), so none of the
# buggy test modules can be tried here; the stock modules, signed by
# Debian, can.  Everything modguard itself does is allowed at that level
# (kprobes, BPF reads of kernel memory and the tracefs are
# confidentiality-level restrictions).
check "the guest runs with lockdown=integrity" \
	grep -q '\[integrity\]' /sys/kernel/security/lockdown
expect_rc 1 "the documented limitation: an unsigned test module does not load" \
	insmod "$MODS/mg_tidy.ko"
check "... refused for its missing signature (the kernel says so)" \
	sh -c "dmesg | grep -q 'Lockdown: insmod: unsigned module loading is restricted'"
start_daemon || return
expect_rc 0 "modguardd starts and answers" "$MODGUARD" status
check "... enforcing: the BPF LSM and kprobes are allowed here" out_has "^mode: +enforcing"
check "... with every group of programs attached" sh -c "! grep -Eq '^  [a-z_]+ +inactive' '$OUT_FILE'"
expect_rc 0 "a report of every loaded module" "$MODGUARD" report --json
jq_check "... symbolized: the module text is named" "$OUT_FILE" \
	'[.modules[] | select(.text != null)] | length > 0'
stop_daemon
