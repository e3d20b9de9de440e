#!/bin/sh
# make demo: live-migrate a 4-vCPU guest on real KVM with the patched QEMU and print a short
# report: L1 kernel, QEMU build, machine type, KVM mode, the guest's ID registers before and
# after, migration time and downtime, and how the ID registers travelled.
# rig: kernels=ours
# rig: timeout=180
# rig: tier=demo
. /rig/lib.sh

M=${DEMO_MACHINE:-virt-11.2}
# (live_migrate_test traces the patched destination's ID register writes in dst.trace)
live_migrate_test demo patched patched "$M" 4 "tcp:127.0.0.1:4444"
cp "$VMDIR/dst.trace" "$RIG_OUT/demo.dst.trace" 2>/dev/null

r() { echo "REPORT $*"; }
mode=$(dmesg | grep -o -E '(VHE|nVHE|protected) mode initialized' | head -n 1)
r "L1 kernel      $(uname -r) ($RIG_KERNEL), L1 CPU: TCG -cpu $RIG_CPU, KVM: ${mode:-none}"
r "QEMU           $(/opt/qemu-patched/bin/qemu-system-aarch64 --version | head -n 1), $(sed -n 's/^commits=//p' /opt/qemu-patched/build-info) patches: $(sed -n 's/^head=//p' /opt/qemu-patched/build-info)"
r "guest          idregs-guest on KVM, -M $M -cpu host -smp 4"
if [ -s "$RIG_OUT/demo.migrate" ]; then
	r "migration      tcp loopback: total $(sed -n 's/.*"total-time": \([0-9]*\).*/\1/p' "$RIG_OUT/demo.migrate") ms, downtime $(sed -n 's/.*"downtime": \([0-9]*\).*/\1/p' "$RIG_OUT/demo.migrate") ms"
fi
if [ -s "$RIG_OUT/demo.regs-before" ] && [ -s "$RIG_OUT/demo.regs-after" ]; then
	same=$(awk 'NR == FNR { v[$1] = $2; next } v[$1] == $2' "$RIG_OUT/demo.regs-before" \
		"$RIG_OUT/demo.regs-after" | wc -l)
	r "ID registers   $same of $(wc -l <"$RIG_OUT/demo.regs-before") identical before/after (guest view)"
	[ -z "$LOW_HASH" ] ||
		r "  the source held $LOWER_REG[$((LOWER_SHIFT + 3)):$LOWER_SHIFT] = $LOW_VAL (this host's default: $DEF_VAL), so equal values were carried, not defaults"
	for n in MIDR_EL1 ID_AA64PFR0_EL1 ID_AA64ISAR0_EL1 ID_AA64MMFR0_EL1 ID_AA64DFR0_EL1 CTR_EL0; do
		b=$(awk -v n=$n '$1 == n {print $2}' "$RIG_OUT/demo.regs-before")
		a=$(awk -v n=$n '$1 == n {print $2}' "$RIG_OUT/demo.regs-after")
		r "  $(printf '%-18s' $n) before $b  after $a"
	done
fi
if [ -s "$RIG_OUT/demo.dst.trace" ]; then
	load=$(grep -m1 'kvm_arm_idregs_load_start' "$RIG_OUT/demo.dst.trace")
	path=$(echo "$load" | sed -n 's/.*path \([a-z-]*\),.*/\1/p')
	num=$(echo "$load" | sed -n 's/.*, \([0-9]*\) registers.*/\1/p')
	vmset=$(grep -c 'kvm_vm_set_one_reg ' "$RIG_OUT/demo.dst.trace")
	case $path in
	vm-ioctl) how="KVM_SET_VM_ONE_REG on the VM fd, $vmset ioctls (KVM_CAP_VM_ONE_REG)" ;;
	*) how="KVM_SET_ONE_REG on one vCPU, $num ioctls (no KVM_CAP_VM_ONE_REG)" ;;
	esac
	r "ID-reg section kvm-arm-idregs: $num registers, loaded once per VM"
	r "ID-reg path    destination wrote them with $how"
elif [ "$M" = virt-10.2 ]; then
	r "ID-reg path    per-vCPU cpreg lists, KVM_SET_ONE_REG on every vCPU ($M keeps the old format)"
else
	r "ID-reg path    not measured (no trace from the destination)"
fi
