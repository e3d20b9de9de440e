#!/bin/bash
# Host check of the mutator (make -C tests/faults test): on a saved virt-11.0 stream, the
# arm64 build (under qemu-aarch64-static) and the native build make byte-identical mutants
# for the same seeds, every class is produced, and the unmutated section parses.
# Usage: selftest.sh [STREAM]   (default: the newest saved patched-virt-11.0 stream)
set -e
cd "$(dirname "$0")"
top=$(cd ../.. && pwd)
s=${1:-$(ls -t "$top"/artifacts/rig/*/files/streams/patched-virt-11.0.mig \
	"$top"/artifacts/rig/*/files/faults/mutate-*/source-virt-11.0.mig 2>/dev/null | head -n 1)}
[ -f "$s" ] || { echo "SKIP: mutator selftest: no saved stream (run tests/series/streams.sh)"; exit 0; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
./bin/mutate-host -i "$s" >/dev/null
n=$(./bin/mutate-host -l | awk '{ w += $2 } END { print w }')
bad=0
for seed in $(seq 1 $((2 * n))); do
	./bin/mutate-host -s "$seed" "$s" "$t/h.mig" "$t/h.meta"
	qemu-aarch64-static ./bin/mutate -s "$seed" "$s" "$t/a.mig" "$t/a.meta"
	cmp -s "$t/h.mig" "$t/a.mig" && cmp -s "$t/h.meta" "$t/a.meta" || { echo "differ: seed $seed"; bad=1; }
	sed -n 's/^class=//p' "$t/h.meta" >>"$t/classes"
done
want=$(./bin/mutate-host -l | wc -l)
got=$(sort -u "$t/classes" | wc -l)
[ "$got" = "$want" ] || { echo "only $got of $want classes in $((2 * n)) seeds"; bad=1; }
[ $bad = 0 ] && echo "PASS: mutator: arm64 and host builds agree on $((2 * n)) seeds, all $want classes produced"
exit $bad
