#!/bin/sh
# The QEMU series on real KVM: virt-11.2 migrates its ID registers once per VM, in the
# kvm-arm-idregs section (VM ioctls with KVM_CAP_VM_ONE_REG, one vCPU without); virt-10.2
# keeps the old stream and migrates both ways between patched and unpatched QEMU. After the
# virt-11.2 migration, and after the rollback to unpatched QEMU, the guest is reset on the
# destination and must reboot with all vCPUs and the source's values (reset_check).
# rig: kernels=ours,deb612,deb61
# rig: timeout=400
# rig: tier=check
. /rig/lib.sh

# (live_migrate_test traces the patched destination's writes and checks their number); the
# migrated guest is then reset on the destination and must come up with the source's values
AFTER_MIG=reset_check
live_migrate_test "v11-patched" patched patched virt-11.2 4 "tcp:127.0.0.1:4444"
cp "$VMDIR/dst.trace" "$RIG_OUT/v11-patched.dst.trace" 2>/dev/null
path=$(sed -n 's/.*kvm_arm_idregs_load_end path \([a-z-]*\).*/\1/p' "$VMDIR/dst.trace" | head -n 1)
say "destination wrote its ID registers through path '$path'"
case $RIG_KERNEL in
ours | ours-lockdep) check "v11: destination used the VM ioctls (KVM_CAP_VM_ONE_REG)" test "$path" = vm-ioctl ;;
*) check "v11: destination used one vCPU (no KVM_CAP_VM_ONE_REG)" test "$path" = vcpu ;;
esac

live_migrate_test "v10.2-rollback" patched base virt-10.2 4 "tcp:127.0.0.1:4444"
AFTER_MIG=""
live_migrate_test "v10.2-upgrade" base patched virt-10.2 4 "tcp:127.0.0.1:4444"

# introspection: HMP "info idregs" / QMP x-query-arm-idregs on both machine types
# virt-11.2 carries the new format; virt-11.1 (the latest released machine type) and
# virt-10.2 keep the old one
for m in virt-11.2 virt-11.1 virt-10.2; do
	if guest_boot intro patched $m 2; then
		vm_hmp intro "info idregs" >"$RIG_OUT/info-idregs-$m.txt" 2>&1
		vm_qmp intro x-query-arm-idregs >"$RIG_OUT/x-query-arm-idregs-$m.json" 2>&1
		q=$RIG_OUT/x-query-arm-idregs-$m.json
		n=$(grep -o '0x[0-9a-f]\{16\}' "$q" | wc -l)
		say "$m: $(head -n 1 "$RIG_OUT/info-idregs-$m.txt")"
		want="once per VM (kvm-arm-idregs section)"
		[ $m = virt-11.2 ] || want="with every vCPU"
		check "introspection $m: migrated $want, $n registers listed (QMP)" \
			grep -q "migrated $want" "$q"
		check "introspection $m: $n >= 56 registers with values (QMP)" test "$n" -ge 56
		check "introspection $m: HMP says the same" grep -q "migrated $want" "$RIG_OUT/info-idregs-$m.txt"
		case $RIG_KERNEL:$m in
		ours:virt-11.2 | ours-lockdep:virt-11.2) acc="the VM" ;;
		*:virt-11.2) acc="the first vCPU" ;;
		*) acc="every vCPU" ;;
		esac
		check "introspection $m: accessed through $acc" grep -q "accessed through $acc" "$q"
	else
		fail "introspection $m: guest boots"
	fi
	vm_stop intro
done
