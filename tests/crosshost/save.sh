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
	# the source holds values this host would not give a new VM (src_boot: CRC32 lowered, and
	# one hypercall service fewer where the section carries the firmware registers), so that
	# a destination that shows them got them from the stream
	if src_boot save "$q" "$m" 2 -cpu "$cpu" && vm_save_file save "$f"; then
		guest_regs save >"$RIG_OUT/streams/$n.regs"
		guest_hash save >"$RIG_OUT/streams/$n.hash"
		# the firmware registers (patched QEMU: x-query-arm-idregs lists them)
		[ "$q" = base ] || vm_fwregs save >"$RIG_OUT/streams/$n.fw"
		printf 'q=%s\nm=%s\ncpu=%s\nlow=%s\nlow_fw=%s\n' "$q" "$m" "$cpu" "$LOW_VAL" "$LOW_FW" \
			>"$RIG_OUT/streams/$n.conf"
		pass "saved $n"
		# the same VM, TCR2_EL1 = 5 in vCPU 0's list: a register of a feature the VM lacks
		# holding another value than KVM's reset value, which a destination that does not list
		# it must refuse by name (only a Linux 6.12 source lists TCR2_EL1 for such a VM)
		if [ "$RIG_KERNEL" = deb612 ] && [ "$q:$m:$cpu" = patched:virt-11.2:host ]; then
			t="$tag--$q--$m--host+tcr2"
			if $MUTATE -C "0:0x603000000013c103:0:64:5" "$f" "$RIG_OUT/streams/$t.mig" \
				"$VMDIR/tcr2.meta"; then
				for x in regs hash fw conf; do
					cp "$RIG_OUT/streams/$n.$x" "$RIG_OUT/streams/$t.$x"
				done
				pass "saved $t (TCR2_EL1 = 5 in vCPU 0's state)"
			else
				fail "saved $t" "vCPU 0's state has no TCR2_EL1"
			fi
		fi
	else
		fail "saved $n" "$(tail -n 2 "$VMDIR/save.log" | tr '\n' ' ')"
	fi
	vm_stop save
	vm_stop save-def >/dev/null 2>&1
done
