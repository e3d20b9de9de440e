#!/bin/sh
# Save a stopped 2-vCPU VM to a file with each QEMU build and machine type; the host side
# (streams.host) compares the files with QEMU's scripts/analyze-migration.py.
# rig: kernels=ours,deb612
# rig: timeout=200
# rig: tier=check
. /rig/lib.sh

mkdir -p "$RIG_OUT/streams"
for c in base:virt-10.2 patched:virt-10.2 patched:virt-11.0; do
	q=${c%%:*} m=${c#*:}
	f="$RIG_OUT/streams/$q-$m.mig"
	if guest_boot save "$q" "$m" 2 && vm_qmp save stop >/dev/null &&
		vm_qmp save migrate "{\"uri\": \"file:$f\"}" >/dev/null; then
		_end=$(($(now_ms) + 30000))
		while [ "$(now_ms)" -lt "$_end" ]; do
			st=$(vm_qmp save query-migrate | sed -n 's/.*"status": "\([a-z-]*\)".*/\1/p')
			[ "$st" = completed ] || [ "$st" = failed ] && break
			sleep 0.1
		done
		check "stream saved: $q $m ($(wc -c <"$f") bytes)" test "$st" = completed
	else
		fail "stream saved: $q $m"
	fi
	vm_stop save
done
