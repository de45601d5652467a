# Issue 12: the newer kinds of leftover while their modules are loaded.
# Each tidy module lists its registrations by kind and function, with the
# hint, is clean, and unloads with exit 0; a buggy one lists its own.  The
# stale unloads (they crash the guest when the leftover fires) are in
# tests/vm/host/stale_kinds.sh.

start_daemon || return

# kind FUNCTION-PREFIX HINT-PREFIX MODULE: one check of the latest report
has_kind() {
	jq_check "$4: its $1 $2 is listed, hint $3" "$JSON_FILE" \
		"($(has_ref_filter "$4" "$1" "$2")) and (.modules[] | select(.name==\"$4\") | .references | any(.kind==\"$1\" and (.hint|startswith(\"$3\"))))"
}

# --- filesystem: the type is listed; a mount of it is a holder ---
insmod "$MODS/mg_tidy_fs.ko"
report_json mg_tidy_fs
has_kind filesystem mg_tidy_fs_mount+ unregister_filesystem mg_tidy_fs
jq_check "filesystem: ... with its name" "$JSON_FILE" \
	'.modules[0].references | any(.kind=="filesystem" and .name=="mg_tidy_fs")'
jq_check "mg_tidy_fs with its type registered is clean" "$JSON_FILE" \
	"$(verdict_filter mg_tidy_fs clean)"
mkdir -p /tmp/mg-tidy-fs
if mount -t mg_tidy_fs none /tmp/mg-tidy-fs; then
	report_json mg_tidy_fs
	jq_check "a mount of mg_tidy_fs is its holder (comm mount)" "$JSON_FILE" \
		'.modules[0].references | any(.kind=="holder" and .comm=="mount")'
	expect_rc 1 "mounted: modguard-rmmod -t 1 refuses (exit 1)" \
		"$RMMOD_G" -t 1 mg_tidy_fs
	umount /tmp/mg-tidy-fs
else
	not_ok "mount -t mg_tidy_fs"
fi
expect_rc 0 "mg_tidy_fs unmounted unloads (exit 0)" "$RMMOD_G" mg_tidy_fs
check "... and /proc/filesystems no longer names it" \
	sh -c '! grep -q mg_tidy_fs /proc/filesystems'

# --- nf_hook: hooks per namespace, in two namespaces ---
insmod "$MODS/mg_tidy_nf_hook.ko"
report_json mg_tidy_nf_hook
has_kind nf_hook mg_tidy_nf_hook_fn+ nf_unregister_net_hook mg_tidy_nf_hook
jq_check "mg_tidy_nf_hook with its hooks registered is clean" "$JSON_FILE" \
	"$(verdict_filter mg_tidy_nf_hook clean)"
# a namespace of its own registers the same ops and, going away (its
# cleanup is a work item: polled, up to 30 s), unregisters them
nf_hooks_are() {
	"$MODGUARD" report --json mg_tidy_nf_hook 2>/dev/null |
		jq -e "[.modules[0].references[] | select(.kind==\"nf_hook\")] | length == $1" >/dev/null
}
unshare -n sleep 60 &
NSPID=$!
if wait_for 300 nf_hooks_are 4; then
	ok "a second network namespace adds its own two hooks (4 listed)"
else
	not_ok "a second network namespace adds its own two hooks (4 listed)"
fi
kill "$NSPID" 2>/dev/null
wait "$NSPID" 2>/dev/null
if wait_for 300 nf_hooks_are 2; then
	ok "... and they go with it (2 listed, those of the first)"
else
	not_ok "... and they go with it (2 listed, those of the first)"
fi
expect_rc 0 "mg_tidy_nf_hook unloads (exit 0)" "$RMMOD_G" mg_tidy_nf_hook

# --- kthread_work: delayed, and queued behind a running item ---
insmod "$MODS/mg_tidy_kthread_work.ko"
report_json mg_tidy_kthread_work
has_kind kthread_work mg_tidy_kthread_work_fn+ kthread_cancel mg_tidy_kthread_work
jq_check "kthread_work: the delayed one says its timer is pending" "$JSON_FILE" \
	'.modules[0].references | any(.kind=="kthread_work" and .note=="delayed work, its timer pending")'
jq_check "kthread_work: the worker running its item is its own, not a caller" \
	"$JSON_FILE" '.modules[0].references | any(.kind=="kthread_work" and has("stack"))'
jq_check "mg_tidy_kthread_work with its work queued is clean" "$JSON_FILE" \
	"$(verdict_filter mg_tidy_kthread_work clean)"
expect_rc 0 "mg_tidy_kthread_work unloads (exit 0)" "$RMMOD_G" mg_tidy_kthread_work

# --- irq: a handler and a threaded one on the keyboard's shared line ---
insmod "$MODS/mg_tidy_irq.ko"
report_json mg_tidy_irq
has_kind irq mg_tidy_irq_handler+ free_irq mg_tidy_irq
has_kind irq mg_tidy_irq_check+ free_irq mg_tidy_irq
jq_check "irq: each with the name it requested under" "$JSON_FILE" \
	'[.modules[0].references[] | select(.kind=="irq") | .name] | sort == ["mg_tidy_irq", "mg_tidy_irq_thread"]'
jq_check "irq: the request that failed (-EBUSY) is not listed (2 handlers)" \
	"$JSON_FILE" '[.modules[0].references[] | select(.kind=="irq")] | length == 2'
jq_check "mg_tidy_irq with its handlers installed is clean" "$JSON_FILE" \
	"$(verdict_filter mg_tidy_irq clean)"
# a real interrupt on the line (the keyboard answers an ECHO), then unload
printf '\356' | dd of=/dev/port bs=1 seek=96 count=1 conv=notrunc 2>/dev/null
expect_rc 0 "mg_tidy_irq unloads (exit 0)" "$RMMOD_G" mg_tidy_irq

# --- srcu: one callback its init barriered, one held queued by a reader ---
insmod "$MODS/mg_tidy_srcu.ko"
report_json mg_tidy_srcu
has_kind srcu mg_tidy_srcu_cb+ srcu_barrier mg_tidy_srcu
jq_check "srcu: the callback its init's srcu_barrier() waited for is gone (1 left)" \
	"$JSON_FILE" '[.modules[0].references[] | select(.kind=="srcu")] | length == 1'
jq_check "mg_tidy_srcu with a callback queued is clean" "$JSON_FILE" \
	"$(verdict_filter mg_tidy_srcu clean)"
expect_rc 0 "mg_tidy_srcu unloads (exit 0: its exit's srcu_barrier() settles it)" \
	"$RMMOD_G" mg_tidy_srcu

# --- buggy ones, still loaded: the same kinds and functions ---
insmod "$MODS/mg_leak_fs.ko"
insmod "$MODS/mg_leak_nf_hook.ko"
insmod "$MODS/mg_leak_kthread_work.ko" delay_ms=600000
insmod "$MODS/mg_leak_irq.ko"
insmod "$MODS/mg_leak_srcu.ko"
report_json
has_kind filesystem mg_leak_fs_mount+ unregister_filesystem mg_leak_fs
has_kind nf_hook mg_leak_nf_hook_fn+ nf_unregister_net_hook mg_leak_nf_hook
has_kind kthread_work mg_leak_kthread_work_fn+ kthread_cancel_delayed mg_leak_kthread_work
has_kind irq mg_leak_irq_handler+ free_irq mg_leak_irq
has_kind srcu mg_leak_srcu_cb+ srcu_barrier mg_leak_srcu
# the site: the module's init where it is on the stack; an init that
# returns register_filesystem(...) is a tail call, and its caller is named
jq_check "each names the site that registered it" "$JSON_FILE" \
	'[.modules[] | select(.name|test("^mg_leak_(fs|nf_hook|kthread_work|irq|srcu)$")) | .references[] | select(.kind!="holder") | .site | test("^(init_module|do_one_initcall)\\+0x")] | length >= 5 and all'
jq_check "... the kthread work's is in its init" "$JSON_FILE" \
	'.modules[] | select(.name=="mg_leak_kthread_work") | .references | any(.kind=="kthread_work" and (.site|startswith("init_module+0x")))'
# their exits leave these behind: unloading them would crash this boot
stop_daemon
