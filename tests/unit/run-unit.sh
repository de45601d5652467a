#!/bin/sh
# Run every unit test binary under BUILD_DIR/tests/unit, pass their
# "ok - ..." / "not ok - ..." lines through, exit non-zero if any failed.
# usage: tests/unit/run-unit.sh BUILD_DIR
set -u

build=${1:-build}
dir=$build/tests/unit
if [ ! -d "$dir" ]; then
	echo "run-unit: no test directory $dir; build the tests first" >&2
	exit 2
fi

failed=0
ran=0
for t in "$dir"/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	ran=$((ran + 1))
	name=$(basename "$t")
	echo "# $name"
	"$t"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "# $name exited with status $rc" >&2
		failed=$((failed + 1))
	fi
done
if [ "$ran" -eq 0 ]; then
	echo "run-unit: no test binaries in $dir" >&2
	exit 2
fi
echo "# $ran test binaries, $failed failed"
[ "$failed" -eq 0 ]
