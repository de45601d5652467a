#!/bin/busybox sh
# shellcheck shell=dash
# PID 1 of a tools/vm-run guest (copied verbatim into the cached initramfs;
# its hash is part of the cache key, so editing it rebuilds the initramfs).
#
# Everything that changes per run (command, cwd, --out dir) comes from the
# private control share (9p tag "vmctl"): /ctl/params and /ctl/cmd.sh.  That
# keeps this file constant, so the initramfs can be cached.
#
# Deliberately no `set -e`: PID 1 must never exit (the kernel would panic
# with "Attempted to kill init", which vm-run would report as a kernel fault).
# Failures of the harness itself are reported with the marker
# "vm-run-init: FATAL:" on the console, which vm-run maps to exit 126.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
R=/newroot
# 9p transfer size: bigger messages mean fewer (slow, emulated) virtio round trips.
P9='trans=virtio,version=9p2000.L,msize=512000'

halt_now() {
	poweroff -f
	# poweroff -f does not return; if it ever did, PID 1 must still not exit.
	while :; do sleep 3600; done
}

fatal() {
	echo "vm-run-init: FATAL: $*" >/dev/console
	[ -d /ctl ] && echo "vm-run-init: FATAL: $*" >>/ctl/out.log 2>/dev/null
	halt_now
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# Modules are numbered in dependency order by vm-run (from modprobe --show-depends).
for m in /lib/vm-run-modules/*.ko; do
	[ -e "$m" ] || continue
	insmod "$m" || fatal "insmod $m failed"
done

# The virtio-9p devices are probed synchronously by insmod, but be lenient in
# case a kernel ever defers the probe.
mount_9p() {
	i=0
	while ! mount -t 9p -o "$P9,$3" "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -ge 50 ] && return 1
		usleep 100000
	done
}

mkdir -p /ctl "$R"
mount_9p vmctl /ctl cache=none || fatal "cannot mount the control share"
# Defines VM_CWD, VM_OUT (may be empty), VM_HAS_OUT.
# shellcheck disable=SC1091 # written by vm-run at run time
. /ctl/params || fatal "cannot read /ctl/params"

# The host root, read-only.  cache=loose lets the guest page cache keep
# binaries and libraries it has already read, which matters a lot under TCG;
# the root is read-only and lives only for one command, so staleness is moot.
mount_9p vmroot "$R" ro,cache=loose || fatal "cannot mount the host root over 9p"

# Fresh kernel filesystems: the host's /proc etc. seen through 9p would be the
# host kernel's, not this one's (e.g. no /proc/modules there).
mount -t proc proc "$R/proc" || fatal "mount proc"
mount -t sysfs sysfs "$R/sys" || fatal "mount sysfs"
mount -t devtmpfs devtmpfs "$R/dev" || fatal "mount devtmpfs"
# devtmpfs has no /dev/fd & co. (udev makes them); without them a plain
# `echo x >/dev/stderr` in dash would create a regular file instead.
ln -sf /proc/self/fd "$R/dev/fd"
ln -sf /proc/self/fd/0 "$R/dev/stdin"
ln -sf /proc/self/fd/1 "$R/dev/stdout"
ln -sf /proc/self/fd/2 "$R/dev/stderr"
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$R/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$R/dev/shm"
# (kernel lockdown may refuse these two: a test that needs them will say)
mount -t tracefs tracefs "$R/sys/kernel/tracing" ||
	echo "vm-run-init: tracefs could not be mounted" >/dev/console
mount -t debugfs debugfs "$R/sys/kernel/debug" ||
	echo "vm-run-init: debugfs could not be mounted" >/dev/console
mount -t securityfs securityfs "$R/sys/kernel/security" || fatal "mount securityfs"
mount -t bpf bpf "$R/sys/fs/bpf" || fatal "mount bpffs"
mount -t cgroup2 cgroup2 "$R/sys/fs/cgroup" 2>/dev/null

# Writable scratch space.  If the command's directory lives under one of
# these, keep the host's (read-only) view of it visible by binding it out of
# the way first and moving it back on top of the fresh tmpfs.
mkdir -p /keep
for d in /tmp /var/tmp /run; do
	kept=
	case "$VM_CWD/" in
	"$d"/*)
		mount --bind "$R$VM_CWD" /keep && kept=1
		;;
	esac
	mount -t tmpfs -o mode=1777 tmpfs "$R$d" || fatal "mount tmpfs on $d"
	if [ -n "$kept" ]; then
		mkdir -p "$R$VM_CWD" || fatal "cannot recreate $VM_CWD on tmpfs"
		mount --move /keep "$R$VM_CWD" || fatal "cannot keep $VM_CWD visible"
	fi
done
mkdir -p "$R/tmp/home"

# --out DIR: writable, cache=none so every write reaches the host at once and
# survives a guest crash.
if [ "$VM_HAS_OUT" = 1 ]; then
	mkdir -p "$R$VM_OUT" 2>/dev/null
	mount_9p vmout "$R$VM_OUT" cache=none || fatal "cannot mount the --out share at $VM_OUT"
fi

hostname vm-run
ifconfig lo 127.0.0.1 up 2>/dev/null

# Run the command.  cmd.sh is handed over as an open fd because /ctl is not
# visible inside the chroot (the command has no business touching the status
# file); /proc/self/fd/9 resolves through the fresh /proc in the new root.
#
# Output: a pipe (as on the host, so `>/dev/stderr` cannot truncate anything)
# drained by cat into a file on the control share that the host follows.  9p
# with cache=none writes through, so what cat has written survives a crash.
#
# The new root is moved on top of the initramfs's "/" (what switch_root
# does) rather than entered with a plain chroot: the kernel counts a task
# whose root is not its mount namespace's root as chrooted, and a chrooted
# task may not create a user namespace (`unshare -U` fails with EPERM), which
# the tests need.  This shell keeps its own root, the initramfs's, so /ctl and
# the fifo stay where they are for it; the command's `chroot .` then enters the
# moved mount, which is now the namespace's root.
mkfifo /out.fifo || fatal "mkfifo"
cat /out.fifo >>/ctl/out.log &
catpid=$!
cd "$R" || fatal "cd $R"
mount --move . / || fatal "cannot move the new root onto /"
chroot . /bin/sh /proc/self/fd/9 9</ctl/cmd.sh </dev/null >/out.fifo 2>&1
echo "$?" >/ctl/status
# cat ends when every writer is gone.  Something the command left running in
# the background may hold the pipe open forever: give it 2 s, then go.
# Only shell builtins in this loop: a fork+exec costs tens of ms under TCG.
# (PID 1 here never reaps cat, so "gone" means a zombie.)
read -r now _ </proc/uptime
deadline=$((${now%.*} + 3))
while read -r _ _ st _ <"/proc/$catpid/stat" 2>/dev/null && [ "$st" != Z ]; do
	read -r now _ </proc/uptime
	[ "${now%.*}" -ge "$deadline" ] && break
	usleep 20000
done
halt_now
