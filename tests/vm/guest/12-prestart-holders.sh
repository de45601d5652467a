# Issue 12: holders from before modguardd, found by the holder scan
# (BPF iterators over open files, sockets and superblocks): each listed
# with "source":"scan", and the holders add up to the kernel's refcount.

HOLD_SOCKET=$MG_BUILD/tests/vm/hold_socket
refcnt() { cat "/sys/module/$1/refcnt"; }
# the holders of module $1 in $JSON_FILE add up to its refcnt
sum_filter() {
	echo "[.modules[] | select(.name==\"$1\")][0] | .refcnt == ([.references[] | select(.kind==\"holder\") | (.count // 0)] | add // 0)"
}

# --- before the daemon: a char device, a block device, a mount, a socket
insmod "$MODS/mg_owner_reader.ko" sleep_ms=60000
cat /dev/mg_owner_reader &
reader=$!
wait_for 300 sh -c 'test "$(cat /sys/module/mg_owner_reader/refcnt)" = 1'

modprobe loop
modprobe vfat
modprobe nls_cp437 2>/dev/null
modprobe nls_ascii 2>/dev/null
img=$MG_WORK/prestart-fat.img
mnt=/tmp/mg-prestart-mnt
rm -f "$img"
dd if=/dev/zero of="$img" bs=1M count=4 2>/dev/null
mkfs.vfat "$img" >/dev/null
mkdir -p "$mnt"
loopdev=$(losetup -f --show "$img")
mount -t vfat "$loopdev" "$mnt"
check "vfat mounted on $loopdev before modguardd" grep -q " $mnt vfat " /proc/mounts
# an open block device: a reference on its disk's driver (loop)
sleep 600 <"$loopdev" &
bdev_holder=$!
wait_for 300 sh -c "ls -l /proc/$bdev_holder/fd/0 2>/dev/null | grep -q loop"

modprobe af_key
"$HOLD_SOCKET" 15 3 2 >"$MG_WORK/hold_socket.out" &
sock_holder=$!
wait_for 300 grep -q ready "$MG_WORK/hold_socket.out"
check "the PF_KEY socket is open" grep -q ready "$MG_WORK/hold_socket.out"

# mg_holder_user depends on mg_holder: a reference no object explains
insmod "$MODS/mg_holder.ko"
insmod "$MODS/mg_holder_user.ko"

start_daemon || return
check "the daemon scanned for holders at start" grep -q "holder scan: [1-9]" "$DAEMON_LOG"

report_json mg_owner_reader
jq_check "the char device opened before start: pid, comm, fd, path, scan" "$JSON_FILE" \
	".modules[0].references | any(.kind==\"holder\" and .source==\"scan\" and .function==\"open file\" and .pid==$reader and .comm==\"cat\" and .path==\"/dev/mg_owner_reader\" and (.fd|type)==\"number\" and .count==1)"
jq_check "... and nothing is left unattributed" "$JSON_FILE" \
	'.modules[0].references | all(.function!="unattributed")'
jq_check "... the holders add up to the refcount" "$JSON_FILE" "$(sum_filter mg_owner_reader)"
jq_check "... busy" "$JSON_FILE" "$(verdict_filter mg_owner_reader busy)"

# a second reader, opened under tracking: a traced holder, not twice
cat /dev/mg_owner_reader &
reader2=$!
wait_for 300 sh -c 'test "$(cat /sys/module/mg_owner_reader/refcnt)" = 2'
report_json mg_owner_reader
jq_check "the reader opened since is a traced holder" "$JSON_FILE" \
	".modules[0].references | any(.kind==\"holder\" and .source==\"traced\" and .pid==$reader2)"
jq_check "... the one from before is still the scan's" "$JSON_FILE" \
	".modules[0].references | any(.source==\"scan\" and .pid==$reader)"
jq_check "... and the second file is not counted twice" "$JSON_FILE" \
	"[.modules[0].references[] | select(.kind==\"holder\")] | length==2"
jq_check "... the holders add up to the refcount (2)" "$JSON_FILE" "$(sum_filter mg_owner_reader)"

expect_rc 1 "modguard-rmmod -t 1 refuses the held char device module" \
	"$RMMOD_G" -t 1 mg_owner_reader
check "... and names the reader from before start and its path" \
	grep -q "/dev/mg_owner_reader" "$OUT_FILE"
check "... still loaded" test -d /sys/module/mg_owner_reader
kill $reader $reader2 2>/dev/null
wait $reader 2>/dev/null
wait $reader2 2>/dev/null

report_json vfat
jq_check "the vfat mount from before start is its holder, with the mount point" "$JSON_FILE" \
	".modules[0].references | any(.kind==\"holder\" and .source==\"scan\" and .function==\"mount\" and .mount_point==\"$mnt\" and .count==1)"
jq_check "... the holders add up to vfat's refcount" "$JSON_FILE" "$(sum_filter vfat)"
expect_rc 1 "modguard-rmmod -t 1 refuses the mounted vfat" "$RMMOD_G" -t 1 vfat
check "... and names the mount point" grep -q "$mnt" "$OUT_FILE"
check "... vfat still loaded" test -d /sys/module/vfat

report_json loop
jq_check "loop: the mount on its block device names the mount point" "$JSON_FILE" \
	".modules[0].references | any(.source==\"scan\" and .function==\"mount of its block device\" and .mount_point==\"$mnt\")"
jq_check "loop: the open block device names pid and path" "$JSON_FILE" \
	".modules[0].references | any(.source==\"scan\" and .function==\"open block device\" and .pid==$bdev_holder and .comm==\"sleep\" and .path==\"$loopdev\")"
jq_check "loop: the holders add up to its refcount" "$JSON_FILE" "$(sum_filter loop)"

report_json af_key
jq_check "af_key: the socket from before start holds two references (family, protocol)" "$JSON_FILE" \
	".modules[0].references | any(.source==\"scan\" and .function==\"socket\" and .pid==$sock_holder and .count==2)"
jq_check "af_key: the holders add up to its refcount" "$JSON_FILE" "$(sum_filter af_key)"

report_json mg_holder
jq_check "a dependent's reference stays unattributed" "$JSON_FILE" \
	'.modules[0].references | any(.function=="unattributed" and .count==1)'
jq_check "... and no scan holder claims it" "$JSON_FILE" \
	'.modules[0].references | all(.source!="scan")'

# the holders go: the module is free again, with nothing left to claim it
kill $bdev_holder $sock_holder 2>/dev/null
wait $bdev_holder 2>/dev/null
wait $sock_holder 2>/dev/null
umount "$mnt"
losetup -d "$loopdev"
wait_for 100 sh -c 'test "$(cat /sys/module/vfat/refcnt)" = 0'
report_json vfat
jq_check "unmounted: vfat is clean" "$JSON_FILE" "$(verdict_filter vfat clean)"
jq_check "... with no holder left" "$JSON_FILE" \
	'[.modules[0].references[] | select(.kind=="holder")] | length==0'
expect_rc 0 "vfat unloads through modguard-rmmod once unmounted" "$RMMOD_G" -t 5 vfat
expect_rc 0 "af_key unloads once its socket is closed" "$RMMOD_G" -t 5 af_key
rmmod mg_holder_user mg_holder mg_owner_reader 2>/dev/null
rm -f "$img"
