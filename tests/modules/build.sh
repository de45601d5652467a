#!/usr/bin/env bash
# Build the out-of-tree test modules (tests/modules/*.c) against the kernel
# tools/vm-run boots (VM_KERNEL picks it, as for vm-run), in OUTDIR/VERSION
# (default: <repo>/build/modules/VERSION): one folder per kernel, where the
# guest finds them as $MG_BUILD/modules/$(uname -r).
#
# Sources are copied to OUTDIR first so that kbuild's droppings (.o, .mod.c,
# .cmd, Module.symvers, ...) never land in the source folder.  Quiet unless
# V=1 is set in the environment.
#
# usage: [VM_KERNEL=V] tests/modules/build.sh [OUTDIR]
set -euo pipefail

SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SRC_DIR/../.." && pwd)
# One source of truth for "which kernel": whatever vm-run will boot.
KVER=$("$REPO_ROOT/tools/vm-run" --print-kernel) || exit
KBUILD=/lib/modules/$KVER/build
OUTDIR=${1:-$REPO_ROOT/build/modules}/$KVER

mkdir -p -- "$OUTDIR"
OUTDIR=$(cd -- "$OUTDIR" && pwd -P)
case $OUTDIR/ in
"$SRC_DIR"/*) echo "build.sh: OUTDIR must not be inside $SRC_DIR" >&2; exit 2 ;;
esac

# -p keeps source timestamps and -u skips unchanged files, so kbuild only
# rebuilds modules whose source really changed.
shopt -s nullglob
sources=("$SRC_DIR"/*.c)
((${#sources[@]})) || { echo "build.sh: no module sources in $SRC_DIR" >&2; exit 1; }
cp -p -u -- "${sources[@]}" "$SRC_DIR/Kbuild" "$OUTDIR/"

# A source removed or renamed upstream must not keep being built from a stale
# copy (the Kbuild wildcard would still see it).
for f in "$OUTDIR"/*.c; do
	base=${f##*/}
	case $base in *.mod.c) continue ;; esac
	if [[ ! -e $SRC_DIR/$base ]]; then
		rm -f -- "$f" "$OUTDIR/${base%.c}".{o,ko,mod,mod.c,mod.o}
	fi
done

if [[ ${V:-0} == 1 ]]; then
	make -C "$KBUILD" M="$OUTDIR" V=1 modules
else
	# -s hides the CC/LD lines; compiler warnings and errors still show.
	# Debian's headers ship no vmlinux, so kbuild says it skips module BTF
	# for every module on every build: expected, and only noise here.
	set +o pipefail
	make -s -C "$KBUILD" M="$OUTDIR" modules 2>&1 |
		{ grep -v '^Skipping BTF generation for .* due to unavailability of vmlinux$' || true; }
	exit "${PIPESTATUS[0]}"
fi
