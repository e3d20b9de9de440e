#!/bin/sh
# The QEMU series on real KVM: virt-11.0 migrates its ID registers once per VM, in the
# kvm-arm-idregs section (VM ioctls with KVM_CAP_VM_ONE_REG, one vCPU without); virt-10.2
# keeps the old stream and migrates both ways between patched and unpatched QEMU.
# rig: kernels=ours,deb612,deb61
# rig: timeout=400
# rig: tier=check
. /rig/lib.sh

T="-trace enable=kvm_arm_idregs_*,file=$VMDIR/dst.trace -trace enable=kvm_vm_*_one_reg,file=$VMDIR/dst.trace"
DST_ARGS="$T" live_migrate_test "v11-patched" patched patched virt-11.0 4 "tcp:127.0.0.1:4444"
cp "$VMDIR/dst.trace" "$RIG_OUT/v11-patched.dst.trace" 2>/dev/null
sets=$(grep -c 'kvm_arm_idregs_set ' "$VMDIR/dst.trace" 2>/dev/null)
path=$(sed -n 's/.*kvm_arm_idregs_load_end path \([a-z-]*\).*/\1/p' "$VMDIR/dst.trace" | head -n 1)
say "destination wrote $sets ID registers through path '$path'"
case $RIG_KERNEL in
ours) check "v11: destination used the VM ioctls (KVM_CAP_VM_ONE_REG)" test "$path" = vm-ioctl ;;
*) check "v11: destination used one vCPU (no KVM_CAP_VM_ONE_REG)" test "$path" = vcpu ;;
esac

live_migrate_test "v10.2-rollback" patched base virt-10.2 4 "tcp:127.0.0.1:4444"
live_migrate_test "v10.2-upgrade" base patched virt-10.2 4 "tcp:127.0.0.1:4444"
