# Issue 2: the daemon really runs on the stock kernel and tracks modules.

kver=$(uname -r)
echo "# guest kernel: $kver"
check "guest runs a stock Debian kernel ($kver)" \
	sh -c "case '$kver' in *-amd64) true;; *) false;; esac"

expect_rc 3 "status without a daemon exits 3" "$MODGUARD" status
check "status without a daemon says it cannot reach modguardd" \
	out_has "cannot reach modguardd"
expect_rc 3 "report without a daemon exits 3" "$MODGUARD" report

check "modguardd loads its BPF programs through the verifier and attaches" \
	start_daemon
expect_rc 0 "status exits 0 once attached" "$MODGUARD" status

# modules loaded before the daemon (the 9p stack of the VM) are known
report_json
jq_check "report lists modules loaded before the daemon started" "$JSON_FILE" \
	'[.modules[].name] | index("9p") != null'
jq_check "a preloaded module has a text range and refcnt" "$JSON_FILE" \
	'.modules[] | select(.name=="9pnet") | (.text.size > 0 and .text.start != null and (.refcnt|type)=="number")'

insmod "$MODS/mg_control.ko"
report_json mg_control
jq_check "a module loaded after start shows up with state live" "$JSON_FILE" \
	'.modules[0] | (.name=="mg_control" and .state=="live" and .text.size > 0)'
jq_check "its tracking_since is a unix time" "$JSON_FILE" \
	'.modules[0].tracking_since > 1600000000'
expect_rc 0 "text report of one module exits 0" "$MODGUARD" report mg_control
check "text report names the module and its verdict" out_has "^mg_control +live +refcnt 0 +verdict "

rmmod mg_control
expect_rc 2 "report of an unloaded module exits 2" "$MODGUARD" report mg_control
check "... and says it is not loaded" out_has "mg_control is not loaded"
expect_rc 2 "report of a module that never existed exits 2" "$MODGUARD" report nosuchmodule
check "... with a clear message" out_has "nosuchmodule is not loaded"
expect_rc 2 "an invalid module name exits 2" "$MODGUARD" report 'bad/name'
expect_rc 2 "a built-in module exits 2" "$MODGUARD" report kernel
check "... and is named as built in" out_has "kernel is built into the kernel"
expect_rc 0 "json status" "$MODGUARD" status --json
check "json status is valid JSON saying attached" \
	jq -e '.attached == true' "$OUT_FILE"
check "json status lists the seventeen attach groups in table order" \
	jq -e '[.groups[].name] == ["lifecycle","refs","timers","work","tasklets","rcu","srcu","notifiers","kthread_work","filesystems","nf_hooks","irqs","fops","task_dead","open_files","enforcement","peer_creds"]' "$OUT_FILE"
check "... every one active on the stock kernel, with an empty reason" \
	jq -e 'all(.groups[]; .state == "active" and .reason == "")' "$OUT_FILE"
check "... lifecycle the one required group" \
	jq -e '[.groups[] | select(.required) | .name] == ["lifecycle"]' "$OUT_FILE"
# issue 13, point 7: what the BPF maps cost the kernel (docs/MAPS.md)
cp "$OUT_FILE" "$MG_WORK/status-maps.json"
jq_check "json status sums the BPF maps' memory (bpf_map_bytes > 0)" \
	"$MG_WORK/status-maps.json" '.bpf_map_bytes > 0'
jq_check "... lists every map with a type, its bound and its memory" \
	"$MG_WORK/status-maps.json" '(.bpf_maps | length) > 20 and
	all(.bpf_maps[]; (.name | length) > 0 and (.type | length) > 0 and
		(.bytes | type) == "number" and
		(.max_entries > 0 or (.type | endswith("_storage"))))'
jq_check "... the ring buffer mg_events among them, 1 MiB or more" \
	"$MG_WORK/status-maps.json" '[.bpf_maps[] | select(.name == "mg_events"
		and .type == "ringbuf" and .max_entries == 1048576 and
		.bytes >= 1048576)] | length == 1'
jq_check "... the sum is the maps' bytes added up" \
	"$MG_WORK/status-maps.json" '.bpf_map_bytes == ([.bpf_maps[].bytes] | add)'
expect_rc 0 "text status" "$MODGUARD" status
check "text status lists the groups" out_has "^  enforcement +active$"
check "text status shows the BPF maps' count and memory" \
	out_has "^bpf_maps: +[0-9]+ maps, [0-9.]+ (KiB|MiB|GiB)$"
cp "$OUT_FILE" "$MG_WORK/status-maps.txt"

# SIGHUP: ignored, not a stop (the log says so; the daemon keeps answering)
kill -HUP "$DPID"
check "SIGHUP is logged as ignored" \
	wait_for 300 grep -q "SIGHUP ignored" "$DAEMON_LOG"
check "... and modguardd still runs" kill -0 "$DPID"
expect_rc 0 "... and answers status" "$MODGUARD" status
expect_rc 2 "json error for an unknown module is valid JSON" "$MODGUARD" report --json nosuchmodule
check "json error object" jq -e '.error | test("not loaded")' "$OUT_FILE"

stop_daemon
expect_rc 3 "status after the daemon stopped exits 3" "$MODGUARD" status
