#!/bin/sh
# Save a stopped 2-vCPU VM to a file with each QEMU build and machine type; the host side
# (streams.host) compares the files with QEMU's scripts/analyze-migration.py.
# rig: kernels=ours,deb612
# rig: timeout=200
# rig: tier=check
. /rig/lib.sh

mkdir -p "$RIG_OUT/streams"
for c in base:virt-10.2 patched:virt-10.2 patched:virt-11.2; do
	q=${c%%:*} m=${c#*:}
	f="$RIG_OUT/streams/$q-$m.mig"
	if guest_boot save "$q" "$m" 2 && vm_save_file save "$f"; then
		pass "stream saved: $q $m ($(wc -c <"$f") bytes)"
	else
		fail "stream saved: $q $m"
	fi
	vm_stop save
done
