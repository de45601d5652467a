# Issue 3: armed callbacks and registrations pointing into a module, each
# kind from a tidy and a buggy module, with the exact kind and function.

start_daemon || return

# tidy: timer, hrtimer, delayed work and kthread, all cancelled at exit
insmod "$MODS/mg_tidy.ko"
sleep 0.5
report_json mg_tidy
for kf in "timer mg_tidy_timer_fn+" "hrtimer mg_tidy_hrtimer_fn+" \
	"work mg_tidy_work_fn+" "kthread mg_tidy_thread_fn"; do
	set -- $kf
	jq_check "mg_tidy lists its $1 $2" "$JSON_FILE" "$(has_ref_filter mg_tidy "$1" "$2")"
done
jq_check "mg_tidy with its own callbacks armed is clean" "$JSON_FILE" \
	"$(verdict_filter mg_tidy clean)"
jq_check "delayed work names the work's own function, not delayed_work_timer_fn" \
	"$JSON_FILE" '[.modules[0].references[].function | startswith("delayed_work_timer_fn")] | any | not'
jq_check "each callback names the site that armed it" "$JSON_FILE" \
	'[.modules[0].references[] | select(.kind=="timer") | .site | test("^[a-z_]+[a-z0-9_.]*\\+0x[0-9a-f]+$")] | all'
expect_rc 0 "mg_tidy unloads" rmmod mg_tidy

# buggy ones while still loaded: the same kinds and functions are visible
insmod "$MODS/mg_leak_hrtimer.ko" delay_ms=600000
insmod "$MODS/mg_leak_dwork.ko" delay_ms=600000
insmod "$MODS/mg_leak_timer.ko" 2>/dev/null || true
insmod "$MODS/mg_tidy_tasklet.ko"
insmod "$MODS/mg_tidy_notifier.ko"
insmod "$MODS/mg_leak_notifier.ko"
insmod "$MODS/mg_tidy_rcu.ko"
insmod "$MODS/mg_leak_rcu.ko"
insmod "$MODS/mg_nofops_reader.ko"
insmod "$MODS/mg_nofops_proc.ko"
insmod "$MODS/mg_owner_reader.ko"
report_json
jq_check "hrtimer: mg_leak_hrtimer_fn" "$JSON_FILE" "$(has_ref_filter mg_leak_hrtimer hrtimer mg_leak_hrtimer_fn+)"
jq_check "delayed work: mg_leak_dwork_fn" "$JSON_FILE" "$(has_ref_filter mg_leak_dwork work mg_leak_dwork_fn+)"
jq_check "notifier (tidy): mg_tidy_notifier_cb" "$JSON_FILE" "$(has_ref_filter mg_tidy_notifier notifier mg_tidy_notifier_cb+)"
jq_check "notifier (buggy): mg_leak_notifier_cb" "$JSON_FILE" "$(has_ref_filter mg_leak_notifier notifier mg_leak_notifier_cb+)"
jq_check "rcu (buggy): mg_leak_rcu_cb" "$JSON_FILE" "$(has_ref_filter mg_leak_rcu rcu mg_leak_rcu_cb+)"
jq_check "fops without .owner: mg_nofops_reader_read" "$JSON_FILE" "$(has_ref_filter mg_nofops_reader fops mg_nofops_reader_read+)"
jq_check "proc_ops: mg_nofops_proc_read" "$JSON_FILE" "$(has_ref_filter mg_nofops_proc fops mg_nofops_proc_read+)"
jq_check "fops with .owner is not a hazard" "$JSON_FILE" \
	'.modules[] | select(.name=="mg_owner_reader") | [.references[] | select(.kind=="fops")] | length == 0'
jq_check "tidy rcu: nothing pending after its init's rcu_barrier-free callback ran" "$JSON_FILE" \
	'.modules[] | select(.name=="mg_tidy_rcu") | .verdict == "clean"'
jq_check "a site in init text is named init_module+off" "$JSON_FILE" \
	'.modules[] | select(.name=="mg_tidy_notifier") | .references[0].site | startswith("init_module+0x")'

# tasklet: a buggy module that keeps one scheduled, seen while pending
insmod "$MODS/mg_leak_tasklet.ko" spins=100000000
report_json mg_leak_tasklet
jq_check "tasklet: mg_leak_tasklet_fn" "$JSON_FILE" "$(has_ref_filter mg_leak_tasklet tasklet mg_leak_tasklet_fn+)"

# tidy modules unload cleanly and leave no entries behind
for m in mg_tidy_tasklet mg_tidy_notifier mg_tidy_rcu mg_nofops_proc mg_owner_reader; do
	expect_rc 0 "tidy $m unloads" rmmod $m
done
