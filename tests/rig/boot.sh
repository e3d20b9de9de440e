#!/bin/sh
# The L1 host itself: KVM is there, in the expected mode, and both QEMU builds run on it.
# rig: kernels=ours,deb61,deb612,deb72
# rig: timeout=60
# rig: tier=check
. /rig/lib.sh

check "kvm: /dev/kvm present" test -c /dev/kvm
mode=$(dmesg | grep -o -E '(VHE|nVHE|Hyp|protected) mode initialized successfully' | head -n 1)
say "kernel $(uname -r) ($RIG_KERNEL), KVM: ${mode:-not initialised}"
case $RIG_CPU in
max) check "kvm: VHE mode (L1 -cpu max)" test "$mode" = "VHE mode initialized successfully" ;;
*) check "kvm: initialised" test -n "$mode" ;;
esac
for q in patched base; do
	v=$($(qemu_bin $q) --version 2>&1 | head -n 1)
	check "qemu $q runs in L1 ($v)" test -n "$v"
done
m=$($(qemu_bin patched) -M help | grep -c -E '^virt-(10\.2|11\.0) ')
check "qemu patched knows virt-10.2 and virt-11.0" test "$m" = 2
m=$($(qemu_bin base) -M help | grep -c -E '^virt-11\.0 ')
check "qemu base does not know virt-11.0" test "$m" = 0
