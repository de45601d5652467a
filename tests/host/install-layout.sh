#!/usr/bin/env bash
# make install / make uninstall, into a DESTDIR (no root needed, nothing
# outside it is touched): the exact files and modes, with the default
# PREFIX (/usr/local), with PREFIX=/usr and with every directory set on its
# own; the unit's ExecStart; systemd-analyze verify of the installed unit
# inside that root; uninstall leaves no file behind and removes nothing
# else.  The programs are those of BUILD_DIR, never rebuilt (make -o).
#
#   tests/host/install-layout.sh [BUILD_DIR]
#
# Prints "ok - ..." / "not ok - ..." lines; exits non-zero on a failure.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
failed=0
ok() { echo "ok - $*"; }
not_ok() {
	echo "not ok - $*"
	failed=1
}
# check NAME COMMAND...: ok when COMMAND succeeds
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

for p in modguardd modguard modguard-rmmod; do
	if [ ! -x "$build/$p" ]; then
		not_ok "install: $build/$p is built (make OUT=$build all)"
		exit 1
	fi
done
# what other parts of the tree provide: missing, make install fails, and
# that is a failure here too, said once
missing=""
for f in docs/man/modguardd.8 docs/man/modguard.8 docs/man/modguard-rmmod.8 \
	dist/completion/modguard.bash dist/completion/modguard-rmmod.bash \
	dist/completion/_modguard dist/modguardd.service.in \
	dist/modprobe.d/modguard.conf.example; do
	[ -e "$root/$f" ] || missing="$missing $f"
done
if [ -n "$missing" ]; then
	not_ok "install: the tree has every file make install installs (missing:$missing)"
	exit 1
fi
for t in systemd-analyze find diff; do
	if ! command -v "$t" >/dev/null; then
		not_ok "install: $t is installed (tools/install-deps)"
		exit 1
	fi
done

tmp=$(mktemp -d /tmp/mg-install.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# mg_make ARGS...: the Makefile, the programs of $build as they are
mg_make() {
	make -s -C "$root" OUT="$build" -o "$build/modguardd" -o "$build/modguard" \
		-o "$build/modguard-rmmod" "$@"
}

# listing DIR: every non-directory under DIR as "MODE PATH", sorted
listing() {
	(cd "$1" && find . ! -type d -printf '%m %P\n' | LC_ALL=C sort)
}

# expected SBINDIR BINDIR MANDIR BASHCOMPDIR ZSHCOMPDIR UNITDIR EXAMPLEDIR
expected() {
	{
		echo "755 ${1#/}/modguardd"
		echo "755 ${1#/}/modguard-rmmod"
		echo "755 ${2#/}/modguard"
		echo "644 ${3#/}/man8/modguardd.8"
		echo "644 ${3#/}/man8/modguard.8"
		echo "644 ${3#/}/man8/modguard-rmmod.8"
		echo "644 ${4#/}/modguard"
		echo "644 ${4#/}/modguard-rmmod"
		echo "644 ${5#/}/_modguard"
		echo "644 ${6#/}/modguardd.service"
		echo "644 ${7#/}/modguard.conf.example"
	} | LC_ALL=C sort
}

# a root systemd-analyze can verify in: the installed tree, and the host's
# own units (sysinit.target and the rest a service depends on by default)
verify_root() { # verify_root DEST VROOT
	rm -rf "$2"
	mkdir -p "$2/usr/lib/systemd"
	cp -a "$1/." "$2/"
	cp -a /usr/lib/systemd/system "$2/usr/lib/systemd/" 2>/dev/null || true
}

# verify VROOT MANDIR: silent and exit 0 (it "ignores" many errors, with a
# warning and exit 0: a warning is a failure here); the man pages the
# unit's Documentation= names are looked up in the installed MANDIR
verify() {
	MANPATH=$1$2 systemd-analyze verify --root="$1" modguardd.service \
		>"$tmp/verify.out" 2>&1
	local rc=$?
	[ "$rc" = 0 ] && [ ! -s "$tmp/verify.out" ]
}

# layout NAME SBINDIR BINDIR MANDIR BASHCOMPDIR ZSHCOMPDIR UNITDIR EXAMPLEDIR
#        -- MAKE ARGS...: install with ARGS, then every check
layout() {
	local name=$1 dest=$tmp/$1 sbin=$2 bin=$3 mandir=$4 bashdir=$5 zshdir=$6 \
		unitdir=$7 exdir=$8 unit ex p
	shift 8
	[ "$1" = -- ] && shift
	rm -rf "$dest"
	mkdir -p "$dest"
	if ! mg_make install DESTDIR="$dest" "$@" >"$tmp/make.out" 2>&1; then
		not_ok "install ($name): make install $* succeeds"
		sed 's/^/#   /' "$tmp/make.out" | tail -20
		return
	fi
	ok "install ($name): make install $* succeeds"

	expected "$sbin" "$bin" "$mandir" "$bashdir" "$zshdir" "$unitdir" "$exdir" >"$tmp/want"
	listing "$dest" >"$tmp/got"
	if diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
		ok "install ($name): exactly the expected files, with their modes"
	else
		not_ok "install ($name): exactly the expected files, with their modes"
		sed 's/^/#   /' "$tmp/diff"
	fi
	for p in modguardd modguard-rmmod; do
		cmp -s "$build/$p" "$dest$sbin/$p" || not_ok "install ($name): $sbin/$p is $build/$p"
	done
	cmp -s "$build/modguard" "$dest$bin/modguard" ||
		not_ok "install ($name): $bin/modguard is $build/modguard"

	unit=$dest$unitdir/modguardd.service
	ex=$dest$exdir/modguard.conf.example
	if [ "$(grep '^ExecStart=' "$unit" 2>/dev/null)" = "ExecStart=$sbin/modguardd" ]; then
		ok "install ($name): the unit's ExecStart is $sbin/modguardd"
	else
		not_ok "install ($name): the unit's ExecStart is $sbin/modguardd ($(grep '^ExecStart=' "$unit" 2>/dev/null))"
	fi
	if grep -q '@[A-Z]*@' "$unit" "$ex" 2>/dev/null; then
		not_ok "install ($name): no @PLACEHOLDER@ left in the unit and the example"
	else
		ok "install ($name): no @PLACEHOLDER@ left in the unit and the example"
	fi
	# the example takes no effect by itself: only comments, and not
	# where modprobe reads (*.conf); its lines name the installed wrapper
	if [ -z "$(grep -v '^#' "$ex" | grep -v '^[[:space:]]*$')" ] &&
		grep -q "^#remove \([a-z0-9_]*\) $sbin/modguard-rmmod \1\$" "$ex"; then
		ok "install ($name): the modprobe.d example is all comments, its lines run $sbin/modguard-rmmod"
	else
		not_ok "install ($name): the modprobe.d example is all comments, its lines run $sbin/modguard-rmmod"
	fi

	verify_root "$dest" "$tmp/vroot"
	if verify "$tmp/vroot" "$mandir"; then
		ok "install ($name): systemd-analyze verify --root accepts the installed unit, silently"
	else
		not_ok "install ($name): systemd-analyze verify --root accepts the installed unit, silently"
		sed 's/^/#   /' "$tmp/verify.out" | head -20
	fi

	# uninstall, with files of others beside ours: they stay, ours go
	echo other >"$dest$sbin/other-tool"
	echo notes >"$dest$exdir/local-notes"
	chmod 0644 "$dest$sbin/other-tool" "$dest$exdir/local-notes"
	if ! mg_make uninstall DESTDIR="$dest" "$@" >"$tmp/make.out" 2>&1; then
		not_ok "uninstall ($name): make uninstall succeeds"
		sed 's/^/#   /' "$tmp/make.out" | tail -20
		return
	fi
	printf '644 %s\n644 %s\n' "${exdir#/}/local-notes" "${sbin#/}/other-tool" |
		LC_ALL=C sort >"$tmp/want"
	listing "$dest" >"$tmp/got"
	if diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
		ok "uninstall ($name): none of our files left, the others' untouched"
	else
		not_ok "uninstall ($name): none of our files left, the others' untouched"
		sed 's/^/#   /' "$tmp/diff"
	fi
	rm -f "$dest$sbin/other-tool" "$dest$exdir/local-notes"
	# and on a tree with nothing else, nothing but (shared) folders
	mg_make install DESTDIR="$dest" "$@" >/dev/null 2>&1
	mg_make uninstall DESTDIR="$dest" "$@" >/dev/null 2>&1
	if [ -z "$(listing "$dest")" ]; then
		ok "uninstall ($name): install then uninstall leaves no file"
	else
		not_ok "uninstall ($name): install then uninstall leaves no file"
		listing "$dest" | sed 's/^/#   /'
	fi
}

# the default PREFIX: no PREFIX on the command line at all
l=/usr/local
layout local $l/sbin $l/bin $l/share/man $l/share/bash-completion/completions \
	$l/share/zsh/site-functions $l/lib/systemd/system $l/share/doc/modguard/examples --
layout usr /usr/sbin /usr/bin /usr/share/man /usr/share/bash-completion/completions \
	/usr/share/zsh/vendor-completions /lib/systemd/system /usr/share/doc/modguard/examples \
	-- PREFIX=/usr
# every directory on its own (the unit where systemd reads an admin's)
o=/opt/mg
layout dirs $o/s $o/b $o/m $o/bash $o/zsh /etc/systemd/system $o/ex -- PREFIX=/nowhere \
	SBINDIR=$o/s BINDIR=$o/b MANDIR=$o/m BASHCOMPDIR=$o/bash ZSHCOMPDIR=$o/zsh \
	UNITDIR=/etc/systemd/system EXAMPLEDIR=$o/ex

# --- negative controls: the checks above can fail ---------------------------
dest=$tmp/neg
rm -rf "$dest"
mkdir -p "$dest"
mg_make install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
verify_root "$dest" "$tmp/vroot"
# a key systemd does not know: verify exits 0 and warns
sed -i 's/^NoNewPrivileges=/NoNewPrivilegs=/' "$tmp/vroot/lib/systemd/system/modguardd.service"
if verify "$tmp/vroot" /usr/share/man; then
	not_ok "install (negative control): a misspelt key fails the verify check"
else
	ok "install (negative control): a misspelt key fails the verify check"
fi
# ExecStart's binary missing from the root: verify fails
verify_root "$dest" "$tmp/vroot"
rm -f "$tmp/vroot/usr/sbin/modguardd"
if verify "$tmp/vroot" /usr/share/man; then
	not_ok "install (negative control): the verify fails without the ExecStart binary in the root"
else
	ok "install (negative control): the verify fails without the ExecStart binary in the root"
fi
# a capability name systemd does not know is dropped without a word by
# verify: each one of the unit is checked on its own, and a wrong one fails
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$dest/lib/systemd/system/modguardd.service")
bad=""
for c in $caps; do
	systemd-analyze capability "$c" >/dev/null 2>&1 || bad="$bad $c"
done
if [ -n "$caps" ] && [ -z "$bad" ]; then
	ok "install: every capability of CapabilityBoundingSet= is one systemd knows ($caps)"
else
	not_ok "install: every capability of CapabilityBoundingSet= is one systemd knows (unknown:${bad:- none listed})"
fi
if systemd-analyze capability CAP_NO_SUCH_THING >/dev/null 2>&1; then
	not_ok "install (negative control): an unknown capability name is refused"
else
	ok "install (negative control): an unknown capability name is refused"
fi
# the hardening summary, for the log
systemd-analyze security --offline=yes --root="$dest" modguardd.service 2>/dev/null |
	tail -n 1 | sed 's/^/# /'

# bad input: a relative SBINDIR cannot be an ExecStart; nothing installed
rm -rf "$dest"
mkdir -p "$dest"
mg_make install DESTDIR="$dest" SBINDIR=usr/sbin >"$tmp/make.out" 2>&1
rc=$?
if [ "$rc" != 0 ] && grep -q 'not an absolute path' "$tmp/make.out" &&
	[ -z "$(find "$dest" -mindepth 1)" ]; then
	ok "install: SBINDIR=usr/sbin is refused with a message, before anything is installed"
else
	not_ok "install: SBINDIR=usr/sbin is refused with a message, before anything is installed (exit $rc)"
	sed 's/^/#   /' "$tmp/make.out" | head -5
fi

exit "$failed"
