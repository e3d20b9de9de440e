#!/bin/sh
# Runner self-test (scripts/rig-selftest.sh): an L2 guest that never prints. QEMU starts, and
# the heartbeat wait must give up within its bound: the scenario reports a FAIL naming the
# guest, and only for that reason (a QEMU that does not start is a different FAIL).
# rig: kernels=ours
# rig: timeout=120
# rig: tier=none
. /rig/lib.sh
# a "kernel" that only spins: one branch-to-self instruction (0x14000000, little-endian),
# loaded as a raw image; the vCPU runs and prints nothing (random code, e.g. busybox as the
# kernel, sometimes makes QEMU stop on a KVM error instead)
printf '\000\000\000\024' >/tmp/spin.bin
if ! GUEST=/tmp/spin.bin vm_start silent patched virt-11.2 1; then
	fail "silent guest self-test: QEMU did not start (not the case under test)"
elif ! wait_status silent running 10; then
	fail "silent guest self-test: the VM is not running ($(vm_status silent))"
elif wait_for "$VMDIR/silent.serial" "^HB [0-9]+ " 40; then
	fail "silent guest self-test: a heartbeat from a guest that cannot print"
else
	fail "silent guest: no heartbeat within the bound (expected by the self-test)"
fi
vm_stop silent
