#!/usr/bin/env bash
# Cost of one task scan (user/daemon/task_scan.c + bpf/task_scan.bpf.c) at
# about 100, 1000 and 10000 tasks, in one boot of the stock kernel under
# tools/vm-run (TCG: absolute figures are emulated; compare the ratios).
#
# Builds tests/vm/task_scan_probe.c against build/ (run `make` first), boots
# one VM with 4 GiB, and in it, for each target, forks sleeping children up
# to the target task count and times REPS scans.  If build/modules/mg_tidy.ko
# and mg_nofops_reader.ko exist (tests/modules/build.sh), they are loaded and
# a reader started, so that every scan has hits.
#
# usage: tests/vm/bench_task_scan.sh [REPS] [TARGET...]   (default 20, 100 1000 10000)
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$REPO_ROOT/build
PROBE=$OUT/tests/vm/task_scan_probe

if [[ ${1:-} == --in-guest ]]; then
	shift
	reps=$1
	shift
	mods=$OUT/modules/$(uname -r)
	if [[ -r $mods/mg_tidy.ko && -r $mods/mg_nofops_reader.ko ]]; then
		insmod "$mods/mg_tidy.ko"
		insmod "$mods/mg_nofops_reader.ko" sleep_ms=600000
		cat /dev/mg_nofops_reader &
	fi
	sleep 1
	base=$(ls -d /proc/[0-9]*/task/[0-9]* | wc -l)
	echo "baseline tasks: $base"
	for target in "$@"; do
		spawn=$((target > base + 2 ? target - base - 2 : 0))
		"$PROBE" -q -r "$reps" -s "$spawn" | sed "s/^/target=$target /"
	done
	exit 0
fi

reps=${1:-20}
shift || true
(($#)) || set -- 100 1000 10000

mkdir -p "$(dirname "$PROBE")"
${CC:-gcc} -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-I"$REPO_ROOT/include" -I"$REPO_ROOT/user/lib" -I"$REPO_ROOT/user/daemon" \
	-I"$OUT" "$REPO_ROOT/tests/vm/task_scan_probe.c" \
	"$OUT"/user/daemon/{task_scan,bpf_loader,symbolizer}.o "$OUT/lib/libmguser.a" \
	$(pkg-config --libs libbpf 2>/dev/null || echo -lbpf) -lelf -lz -o "$PROBE"

cd "$REPO_ROOT"
exec tools/vm-run --mem 4096 --timeout 1800 -- \
	"$REPO_ROOT/tests/vm/bench_task_scan.sh" --in-guest "$reps" "$@"
