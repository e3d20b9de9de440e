#!/bin/sh
# Cross-host, source side: boot a guest with each QEMU build and machine type (and with
# SVE off), save it to a file once it runs, and record the ID registers it saw (and, with the
# patched QEMU, the firmware registers KVM holds for it). The files
# are carried to another L1 boot ("host") by tests/crosshost/run.
# rig: kernels=ours
# rig: timeout=300
# rig: tier=none
. /rig/lib.sh

mkdir -p "$RIG_OUT/streams"
tag=$(echo "${RIG_KERNEL}-${RIG_CPU}" | tr ",=" "__")
for c in base:virt-10.2:host patched:virt-10.2:host patched:virt-11.2:host \
	patched:virt-11.2:host,sve=off base:virt-10.2:host,sve=off; do
	q=${c%%:*} rest=${c#*:}
	m=${rest%%:*} cpu=${rest#*:}
	n="$tag--$q--$m--$(echo "$cpu" | tr ',=' '__')"
	f="$RIG_OUT/streams/$n.mig"
	if guest_boot save "$q" "$m" 2 -cpu "$cpu" && vm_save_file save "$f"; then
		guest_regs save >"$RIG_OUT/streams/$n.regs"
		guest_hash save >"$RIG_OUT/streams/$n.hash"
		# the firmware registers (patched QEMU: x-query-arm-idregs lists them)
		[ "$q" = base ] || vm_fwregs save >"$RIG_OUT/streams/$n.fw"
		printf 'q=%s\nm=%s\ncpu=%s\n' "$q" "$m" "$cpu" >"$RIG_OUT/streams/$n.conf"
		pass "saved $n"
	else
		fail "saved $n" "$(tail -n 2 "$VMDIR/save.log" | tr '\n' ' ')"
	fi
	vm_stop save
done
