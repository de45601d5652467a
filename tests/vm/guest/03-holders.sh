# Issue 3: who holds a module: attributed references, and references taken
# before the daemon started.

insmod "$MODS/mg_owner_reader.ko" sleep_ms=60000
# a reference taken before modguardd starts: found by the holder scan
cat /dev/mg_owner_reader &
early=$!
wait_for 50 sh -c 'test "$(cat /sys/module/mg_owner_reader/refcnt)" = 1'
start_daemon || return
report_json mg_owner_reader
jq_check "a reference taken before start is the open file that holds it" "$JSON_FILE" \
	".modules[0].references | any(.kind==\"holder\" and .source==\"scan\" and .pid==$early and .count==1)"
jq_check "a held module is busy" "$JSON_FILE" "$(verdict_filter mg_owner_reader busy)"
# a module's symbols come from its own table, not from parsing every
# line of /proc/kallsyms (bpf/module_ksyms.bpf.c)
check "module symbols are read from the modules' own tables" \
	wait_for 100 grep -q "module symbols come from the modules' own tables" "$DAEMON_LOG"

cat /dev/mg_owner_reader &
reader=$!
wait_for 50 sh -c 'test "$(cat /sys/module/mg_owner_reader/refcnt)" = 2'
report_json mg_owner_reader
jq_check "the open path's reference is a holder with the reader's pid" "$JSON_FILE" \
	".modules[0].references | any(.kind==\"holder\" and .pid==$reader and .comm==\"cat\" and .source==\"traced\")"
# its taker: not the VFS plumbing (misc_open, do_dentry_open, ...) but the
# first frame outside it, the open system call; the stack is kept
jq_check "... its site is the first frame outside the open plumbing" "$JSON_FILE" \
	".modules[0].references | any(.pid==$reader and (.site|test(\"^__x64_sys_open(at)?[+]\")))"
jq_check "... its stack runs from the plumbing frame that took it" "$JSON_FILE" \
	".modules[0].references | any(.pid==$reader and (.stack[0]|test(\"^(misc|chrdev)_open[+]\")) and any(.stack[]; test(\"^do_dentry_open[+]\")))"
jq_check "the scan's holder stays beside it, nothing unattributed" "$JSON_FILE" \
	".modules[0].references | any(.source==\"scan\" and .pid==$early) and all(.function!=\"unattributed\")"
# both sleep interruptibly (msleep_interruptible): no need to wait 60 s
kill $early $reader 2>/dev/null
wait $early 2>/dev/null
wait $reader 2>/dev/null
report_json mg_owner_reader
jq_check "references dropped: no holders and refcnt 0" "$JSON_FILE" \
	'.modules[0] | (.refcnt==0 and ([.references[] | select(.kind=="holder")] | length==0))'
jq_check "... and the module is clean" "$JSON_FILE" "$(verdict_filter mg_owner_reader clean)"

# a reference whose taker exits while it stays held: sh opens the device,
# hands it to a background cat and exits.  sh's get sat in its thread's
# slot (bpf/module_refs.bpf.c) and is sent as sh exits: the holder is sh,
# not unattributed
sh -c 'exec 3</dev/mg_owner_reader; cat <&3 >/dev/null & echo $! > "$1"; echo $$ > "$2"' \
	sh "$MG_WORK/bg.pid" "$MG_WORK/opener.pid"
bg=$(cat "$MG_WORK/bg.pid") opener=$(cat "$MG_WORK/opener.pid")
wait_for 50 sh -c 'test "$(cat /sys/module/mg_owner_reader/refcnt)" = 1'
report_json mg_owner_reader
jq_check "a reference its exited taker left open is that taker's (sh)" "$JSON_FILE" \
	".modules[0].references | any(.kind==\"holder\" and .pid==$opener and .comm==\"sh\" and .source==\"traced\" and .count==1)"
jq_check "... nothing unattributed" "$JSON_FILE" \
	'.modules[0].references | all(.function!="unattributed")'
kill "$bg" 2>/dev/null
wait_for 100 sh -c 'test "$(cat /sys/module/mg_owner_reader/refcnt)" = 0'
report_json mg_owner_reader
jq_check "... dropped by the process it was handed to: no holders" "$JSON_FILE" \
	'.modules[0] | (.refcnt==0 and ([.references[] | select(.kind=="holder")] | length==0))'
rmmod mg_owner_reader
