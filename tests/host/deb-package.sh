#!/usr/bin/env bash
# make deb: the package holds the daemon, the wrapper, the CLI, the unit,
# the man pages, the completion and the docs; its version is MG_VERSION;
# its maintainer scripts enable and start nothing (run here against stubs
# of deb-systemd-helper, deb-systemd-invoke and systemctl, with systemd
# "running": /run/systemd/system is a folder of the test's own), stop the
# daemon on remove only, and purge /var/lib/modguard on purge only (the
# scripts' paths redirected into the test's folder).  The tree and the
# rest of BUILD_DIR are left as they were.
#
#   tests/host/deb-package.sh [BUILD_DIR]
#
# Runs `make OUT=BUILD_DIR deb`, which installs its build dependencies
# (tools/install-deps --deb: root, the first time).  Prints "ok - ..." /
# "not ok - ..." lines; exits non-zero on a failure.
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

version=$(sed -n 's/^#define MG_VERSION "\(.*\)"$/\1/p' "$root/user/lib/version.h")
if [ -z "$version" ]; then
	not_ok "deb: MG_VERSION is found in user/lib/version.h"
	exit 1
fi
tmp=$(mktemp -d /tmp/mg-deb.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# --- build ----------------------------------------------------------------
mkdir -p "$build"
touch "$tmp/stamp"
git_before=$(cd "$root" && git status --porcelain 2>/dev/null)
start=$(date +%s)
if ! make -s -C "$root" OUT="$build" deb >"$tmp/make.out" 2>&1; then
	not_ok "deb: make deb succeeds"
	sed 's/^/#   /' "$tmp/make.out" | tail -40
	exit 1
fi
ok "deb: make deb succeeds ($(($(date +%s) - start)) s)"
debs=$(cd "$build/deb" && ls modguard_*.deb 2>/dev/null)
deb=$build/deb/modguard_${version}_amd64.deb
if [ "$debs" = "modguard_${version}_amd64.deb" ]; then
	ok "deb: $build/deb holds modguard_${version}_amd64.deb"
else
	not_ok "deb: $build/deb holds modguard_${version}_amd64.deb (it holds: ${debs:-nothing})"
	exit 1
fi
# nothing but the package's folder changed in BUILD_DIR; the tree as it was
# (test-logs: tests/run-all.sh writes this test's own output there)
changed=$(find "$build" \( -path "$build/deb" -o -path "$build/test-logs" \) -prune -o \
	-newer "$tmp/stamp" -print |
	grep -v "^$build\$" | head -5)
if [ -z "$changed" ] && [ ! -e "$build/deb/src" ]; then
	ok "deb: nothing in $build but $build/deb changed, and no copy of the tree is left"
else
	not_ok "deb: nothing in $build but $build/deb changed, and no copy of the tree is left (${changed:-$build/deb/src})"
fi
if [ -d "$root/.git" ]; then
	if [ "$(cd "$root" && git status --porcelain 2>/dev/null)" = "$git_before" ]; then
		ok "deb: git status of the tree is the same after make deb"
	else
		not_ok "deb: git status of the tree is the same after make deb"
	fi
fi

# --- control fields ---------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1" 2>/dev/null; }
for f in "Package modguard" "Version $version" "Architecture amd64" "Section admin"; do
	if [ "$(field "${f%% *}")" = "${f#* }" ]; then
		ok "deb: ${f%% *}: ${f#* }"
	else
		not_ok "deb: ${f%% *}: ${f#* } (it says: $(field "${f%% *}"))"
	fi
done
# ${shlibs:Depends} was filled in: the libraries the programs link
depends=$(field Depends)
case $depends in
*libbpf*) ok "deb: Depends names libbpf (from the shared libraries: $depends)" ;;
*) not_ok "deb: Depends names libbpf (from the shared libraries: $depends)" ;;
esac

# --- contents -----------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{ print $1, $2, $6 }' >"$tmp/contents"
# has MODE PATH: the package holds PATH with that mode, owned by root
has() {
	if grep -qx -- "$1 root/root $2" "$tmp/contents"; then
		ok "deb: holds $2 ($1)"
	else
		not_ok "deb: holds $2 ($1; it has: $(grep -- " $2\$" "$tmp/contents"))"
	fi
}
has -rwxr-xr-x ./usr/sbin/modguardd
has -rwxr-xr-x ./usr/sbin/modguard-rmmod
has -rwxr-xr-x ./usr/bin/modguard
has -rw-r--r-- ./lib/systemd/system/modguardd.service
for m in modguardd modguard modguard-rmmod; do
	has -rw-r--r-- "./usr/share/man/man8/$m.8.gz"
done
has -rw-r--r-- ./usr/share/bash-completion/completions/modguard
has -rw-r--r-- ./usr/share/bash-completion/completions/modguard-rmmod
has -rw-r--r-- ./usr/share/zsh/vendor-completions/_modguard
has -rw-r--r-- ./usr/share/doc/modguard/examples/modguard.conf.example
has -rw-r--r-- ./usr/share/doc/modguard/README.md.gz
has -rw-r--r-- ./usr/share/doc/modguard/BENCHMARKS.md.gz
has -rw-r--r-- ./usr/share/doc/modguard/copyright
# nothing for /etc (no conffile to leave behind), /usr/local or the build
stray=$(awk '{ print $3 }' "$tmp/contents" | grep -E '^\./(etc|usr/local|build|home|tmp|var)(/|$)')
if [ -z "$stray" ]; then
	ok "deb: nothing under /etc, /usr/local, /var or a build folder"
else
	not_ok "deb: nothing under /etc, /usr/local, /var or a build folder ($stray)"
fi

# the packaged unit and programs, as installed: verify inside that root
dpkg-deb -x "$deb" "$tmp/pkg"
if [ "$(grep '^ExecStart=' "$tmp/pkg/lib/systemd/system/modguardd.service")" = "ExecStart=/usr/sbin/modguardd" ]; then
	ok "deb: the unit's ExecStart is /usr/sbin/modguardd"
else
	not_ok "deb: the unit's ExecStart is /usr/sbin/modguardd"
fi
mkdir -p "$tmp/pkg/usr/lib/systemd"
cp -a /usr/lib/systemd/system "$tmp/pkg/usr/lib/systemd/" 2>/dev/null
# the man pages as packaged (gzipped) are what Documentation= names
if MANPATH=$tmp/pkg/usr/share/man systemd-analyze verify --root="$tmp/pkg" \
	modguardd.service >"$tmp/verify.out" 2>&1 && [ ! -s "$tmp/verify.out" ]; then
	ok "deb: systemd-analyze verify --root accepts the packaged unit, silently"
else
	not_ok "deb: systemd-analyze verify --root accepts the packaged unit, silently"
	sed 's/^/#   /' "$tmp/verify.out" | head -10
fi
for p in usr/sbin/modguardd usr/sbin/modguard-rmmod usr/bin/modguard; do
	out=$("$tmp/pkg/$p" --version 2>&1)
	if [ "$out" = "$(basename "$p") $version" ]; then
		ok "deb: /$p --version says $version"
	else
		not_ok "deb: /$p --version says $version (it says: $out)"
	fi
done

# --- maintainer scripts -------------------------------------------------------
dpkg-deb -e "$deb" "$tmp/ctl"
# stubs: each logs "NAME ARGS"; deb-systemd-helper answers debian-installed
# and was-enabled from $STUB_INSTALLED / $STUB_WAS_ENABLED (0 yes, 1 no);
# pidof says whether a modguardd runs from $STUB_RUNNING
mkdir -p "$tmp/stubs"
for s in deb-systemd-helper deb-systemd-invoke systemctl pidof; do
	cat >"$tmp/stubs/$s" <<EOF
#!/bin/sh
echo "$s \$*" >>"\$STUB_LOG"
case "$s \$1" in
"deb-systemd-helper debian-installed") exit \${STUB_INSTALLED:-1} ;;
"deb-systemd-helper was-enabled" | "deb-systemd-helper --quiet") exit \${STUB_WAS_ENABLED:-1} ;;
"pidof "*) exit \$((1 - \${STUB_RUNNING:-0})) ;;
esac
exit 0
EOF
	chmod +x "$tmp/stubs/$s"
done
# fake FILE: a copy of the script whose absolute paths point into $tmp/sys
fake() {
	sed -e "s|/run/systemd/system|$tmp/sys/run/systemd/system|g" \
		-e "s|/var/lib/modguard|$tmp/sys/var/lib/modguard|g" \
		-e "s|/sys/fs/bpf/modguard|$tmp/sys/sys/fs/bpf/modguard|g" "$1" >"$1.fake"
	chmod +x "$1.fake"
}
# run SCRIPT ARGS...: a fresh $tmp/sys with systemd "running", state and
# pins; the stubs' calls in $tmp/log
run() {
	local script=$1
	shift
	rm -rf "$tmp/sys" "$tmp/log"
	mkdir -p "$tmp/sys/run/systemd/system" "$tmp/sys/var/lib/modguard/records" \
		"$tmp/sys/sys/fs/bpf/modguard/0123456789abcdef/maps"
	: >"$tmp/log"
	STUB_LOG=$tmp/log PATH=$tmp/stubs:/usr/sbin:/usr/bin:/sbin:/bin \
		sh "$script.fake" "$@" >/dev/null 2>&1
}
# a stub call that enables or starts the unit ("was-enabled" only asks)
enabling='^deb-systemd-helper (--quiet )?enable |^systemctl .*(enable|start|restart)|^deb-systemd-invoke (start|restart|try-restart)'
# enables_or_starts SCRIPT: does any run of it enable or start the unit?
# (a fresh install; an upgrade of a unit the user left disabled)
enables_or_starts() {
	local s=$1 bad=""
	fake "$s"
	STUB_INSTALLED=1 STUB_WAS_ENABLED=0 run "$s" configure
	grep -Eq "$enabling" "$tmp/log" && bad=1
	cp "$tmp/log" "$tmp/log.install"
	STUB_INSTALLED=0 STUB_WAS_ENABLED=1 run "$s" configure 0.0.1
	grep -Eq "$enabling" "$tmp/log" && bad=1
	cat "$tmp/log" >>"$tmp/log.install"
	[ -n "$bad" ]
}

for s in preinst postinst prerm postrm; do
	[ -e "$tmp/ctl/$s" ] || continue
	if enables_or_starts "$tmp/ctl/$s"; then
		not_ok "deb: $s enables or starts nothing, on install or on upgrade"
		sed 's/^/#   /' "$tmp/log.install"
	else
		ok "deb: $s enables or starts nothing, on install or on upgrade"
	fi
	if grep -Eq 'systemctl[^|;]*[[:space:]](enable|start|restart|try-restart)|deb-systemd-invoke[[:space:]]+(start|restart|try-restart|\$)' "$tmp/ctl/$s"; then
		not_ok "deb: $s has no systemctl enable/start nor deb-systemd-invoke start/restart"
	else
		ok "deb: $s has no systemctl enable/start nor deb-systemd-invoke start/restart"
	fi
done
# negative control: debhelper's own enabling snippet (what dh_installsystemd
# adds without --no-enable) is caught by both checks
snip=/usr/share/debhelper/autoscripts/postinst-systemd-enable
if [ -r "$snip" ]; then
	{
		echo '#!/bin/sh'
		sed "s/#UNITFILE#/'modguardd.service'/g" "$snip"
		sed "s/#UNITFILES#/'modguardd.service'/g" /usr/share/debhelper/autoscripts/postinst-systemd-start
	} >"$tmp/neg-postinst"
	if enables_or_starts "$tmp/neg-postinst"; then
		ok "deb (negative control): debhelper's enable snippet counts as enabling"
	else
		not_ok "deb (negative control): debhelper's enable snippet counts as enabling"
	fi
	if grep -Eq 'deb-systemd-invoke[[:space:]]+(start|restart|try-restart|\$)' "$tmp/neg-postinst"; then
		ok "deb (negative control): debhelper's start snippet is seen by the text check"
	else
		not_ok "deb (negative control): debhelper's start snippet is seen by the text check"
	fi
else
	not_ok "deb (negative control): $snip is readable (debhelper installed)"
fi

# prerm: stops modguardd on remove, not on upgrade
if [ -e "$tmp/ctl/prerm" ]; then
	fake "$tmp/ctl/prerm"
	run "$tmp/ctl/prerm" remove
	if grep -q "^deb-systemd-invoke stop modguardd.service" "$tmp/log"; then
		ok "deb: prerm remove stops modguardd"
	else
		not_ok "deb: prerm remove stops modguardd"
	fi
	run "$tmp/ctl/prerm" upgrade "$version"
	if grep -q "stop" "$tmp/log"; then
		not_ok "deb: prerm upgrade leaves modguardd running (its ledger intact)"
	else
		ok "deb: prerm upgrade leaves modguardd running (its ledger intact)"
	fi
else
	not_ok "deb: there is a prerm (to stop modguardd on remove)"
fi

# postrm_ok SCRIPT: the state goes on purge only; pins go on remove and
# purge when no modguardd runs, and stay on upgrade or while one runs.
# Prints what went wrong.
postrm_ok() {
	local s=$1 why="" a
	fake "$s"
	for a in "remove" "upgrade $version" "failed-upgrade $version" "abort-install" \
		"abort-upgrade $version" "disappear modguard $version"; do
		run "$s" $a
		[ -d "$tmp/sys/var/lib/modguard/records" ] || why="$why; $a removed /var/lib/modguard"
		case $a in
		remove) [ -e "$tmp/sys/sys/fs/bpf/modguard" ] && why="$why; remove left the pins" ;;
		*) [ -e "$tmp/sys/sys/fs/bpf/modguard/0123456789abcdef/maps" ] ||
			why="$why; $a removed the pins" ;;
		esac
	done
	STUB_RUNNING=1 run "$s" remove
	[ -e "$tmp/sys/sys/fs/bpf/modguard/0123456789abcdef/maps" ] ||
		why="$why; remove took the pins of a running modguardd"
	run "$s" purge
	[ -e "$tmp/sys/var/lib/modguard" ] && why="$why; purge left /var/lib/modguard"
	echo "${why#; }"
	[ -z "$why" ]
}
if grep -q '/var/lib/modguard' "$tmp/ctl/postrm" 2>/dev/null; then
	if why=$(postrm_ok "$tmp/ctl/postrm"); then
		ok "deb: postrm removes /var/lib/modguard on purge only, the pins of a stopped modguardd on remove/purge"
	else
		not_ok "deb: postrm removes /var/lib/modguard on purge only, the pins of a stopped modguardd on remove/purge ($why)"
	fi
else
	not_ok "deb: postrm purges /var/lib/modguard"
fi
# negative control: a postrm that drops the state on remove is caught
sed 's|^case "$1" in|rm -rf /var/lib/modguard\n&|' "$tmp/ctl/postrm" >"$tmp/neg-postrm"
if ! grep -q '^rm -rf /var/lib/modguard$' "$tmp/neg-postrm"; then
	not_ok "deb (negative control): a postrm that removes the state on remove is built"
elif postrm_ok "$tmp/neg-postrm" >/dev/null; then
	not_ok "deb (negative control): a postrm that removes the state on remove is caught"
else
	ok "deb (negative control): a postrm that removes the state on remove is caught"
fi

exit "$failed"
