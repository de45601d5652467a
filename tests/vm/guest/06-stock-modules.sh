# No false alarms: the stock kernel's own well-behaved modules (drivers,
# filesystems, network, block) unload through modguard-rmmod with exit 0
# (no refusal, no false "stale"), and plain rmmod is never refused by the
# enforcement.  Each module is used a little first, so that its timers,
# work and references are live while modguard watches it.

start_daemon || return
preloaded=$(cut -d' ' -f1 /proc/modules | tr '\n' ' ')

# unload_all MODULE: it, then the dependencies modprobe loaded for it,
# each through modguard-rmmod, except what was loaded before we started
unload_all() {
	deps=$(modprobe --show-depends "$1" 2>/dev/null |
		sed -n 's|^insmod .*/\([^/]*\)\.ko.*|\1|p' | tr - _)
	order=""
	for m in $deps; do order="$m $order"; done
	for m in $order; do
		case " $preloaded " in *" $m "*) continue ;; esac
		grep -q "^$m " /proc/modules || continue
		expect_rc 0 "stock module $m ($1) unloads through modguard-rmmod" \
			"$RMMOD_G" -t 10 "$m"
		check "... silently, as rmmod does" test ! -s "$OUT_FILE"
	done
}

exercise() {
	case $1 in
	loop)
		dd if=/dev/zero of=/tmp/img bs=1M count=8 2>/dev/null
		modprobe ext4
		mkfs.ext4 -q -F /tmp/img && mkdir -p /tmp/mnt &&
			mount -o loop /tmp/img /tmp/mnt && echo hi > /tmp/mnt/f &&
			sync && umount /tmp/mnt
		losetup -D 2>/dev/null
		rm -f /tmp/img
		unload_all ext4
		;;
	dummy) ip link add mgd0 type dummy && ip link set mgd0 up && ip link del mgd0 ;;
	veth) ip link add mgv0 type veth peer name mgv1 && ip link set mgv0 up && ip link del mgv0 ;;
	bridge) ip link add mgbr0 type bridge && ip link set mgbr0 up && ip link del mgbr0 ;;
	tun) ip tuntap add mode tun mgt0 && ip link del mgt0 ;;
	zram) echo 4M > /sys/block/zram0/disksize && echo 1 > /sys/block/zram0/reset ;;
	brd) dd if=/dev/ram0 of=/dev/null bs=4k count=16 2>/dev/null ;;
	tcp_bbr) sysctl -qw net.ipv4.tcp_congestion_control=bbr &&
		sysctl -qw net.ipv4.tcp_congestion_control=cubic ;;
	# netfilter hooks, per namespace: a bridge through br_netfilter, and
	# an nf_tables chain on output with a conntrack rule, a packet through
	# it, all taken down again; then what nft loaded goes first
	br_netfilter) ip link add mgbr1 type bridge && ip link set mgbr1 up &&
		unshare -n true && ip link del mgbr1 ||
		not_ok "br_netfilter: a bridge and a namespace" ;;
	nf_tables)
		# the guest's kernel cannot autoload (its usermode helper runs
		# in the initramfs root): what nft would load, loaded first
		modprobe nft_ct
		ip link set lo up
		nft add table inet mgt &&
			nft 'add chain inet mgt out { type filter hook output priority 0; }' &&
			nft add rule inet mgt out ct state established,related accept &&
			bash -c 'echo x > /dev/udp/127.0.0.1/9' &&
			unshare -n true && nft delete table inet mgt ||
			not_ok "nf_tables: a table, a chain and a ct rule through nft"
		unload_all nft_ct
		;;
	# filesystems registered by modules, mounted and unmounted
	overlay)
		mkdir -p /tmp/ov/l /tmp/ov/u /tmp/ov/w /tmp/ov/m &&
			mount -t overlay overlay -o lowerdir=/tmp/ov/l,upperdir=/tmp/ov/u,workdir=/tmp/ov/w /tmp/ov/m &&
			echo hi > /tmp/ov/m/f && umount /tmp/ov/m ||
			not_ok "overlay: a mount of it"
		rm -rf /tmp/ov
		;;
	vfat)
		# no autoload in the guest: the loop device and codepages
		modprobe loop
		modprobe nls_cp437
		modprobe nls_ascii
		dd if=/dev/zero of=/tmp/vfat.img bs=1M count=4 2>/dev/null
		mkfs.vfat /tmp/vfat.img >/dev/null && mkdir -p /tmp/vmnt &&
			mount -o loop -t vfat /tmp/vfat.img /tmp/vmnt &&
			echo hi > /tmp/vmnt/f && umount /tmp/vmnt ||
			not_ok "vfat: a mount of it"
		losetup -D 2>/dev/null
		rm -f /tmp/vfat.img
		unload_all nls_cp437
		unload_all nls_ascii
		;;
	*) true ;;
	esac
}

# block, network, filesystems, drivers, crypto; btrfs for its exit's
# rcu_barrier() (the unloading task sleeps in it while scans run; its end
# is the module_free of the same thread, bpf/registrations.bpf.c).
# MG_STOCK_MODULES: another list (tests/vm/host/lockdown.sh takes a few)
for m in ${MG_STOCK_MODULES:-loop brd zram nbd dummy veth bridge tun tcp_bbr \
	btrfs vfat squashfs fuse overlay br_netfilter nf_tables snd_dummy \
	e1000 virtio_net sha3_generic}; do
	if ! modprobe "$m" 2>"$MG_WORK/modprobe.err"; then
		echo "# skip $m: $(cat "$MG_WORK/modprobe.err")"
		continue
	fi
	exercise "$m"
	unload_all "$m"
done

# plain rmmod / modprobe -r of stock modules with the enforcement on
for m in dummy veth tun loop; do
	modprobe "$m" || continue
	exercise "$m"
	expect_rc 0 "plain modprobe -r $m is not refused" modprobe -r "$m"
done
expect_rc 0 "history holds no stale or refused record for a stock module" \
	"$MODGUARD" history --json
check "... none" jq -e '[.records[] | select(.module | startswith("mg_") | not)] | length == 0' "$OUT_FILE"
