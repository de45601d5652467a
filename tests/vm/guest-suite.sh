#!/bin/sh
# Run every tests/vm/guest/*.sh in one boot of the stock kernel, in order.
# Usage (inside tools/vm-run): sh tests/vm/guest-suite.sh [BUILD_DIR] [TEST...]
MG_BUILD=${1:-build}
shift 2>/dev/null
export MG_BUILD
. tests/vm/lib.sh
mkdir -p "$MG_WORK"
tests=${*:-tests/vm/guest/*.sh}
up() { cut -d' ' -f1 /proc/uptime; }
for t in $tests; do
	echo "# $t"
	t0=$(up)
	( . "$t"; stop_daemon )
	echo "# $t: $(echo "$t0 $(up)" | awk '{ printf "%.1f", $2 - $1 }') s" 
	# a test that failed half-way must not leave its daemon to the next
	for p in $(pidof modguardd 2>/dev/null); do kill "$p"; done
done
