#!/bin/sh
# Runner self-test (scripts/rig-selftest.sh): an L2 guest that never prints. guest_boot must
# give up within its bound and the scenario report a FAIL naming the guest.
# rig: kernels=ours
# rig: timeout=120
# rig: tier=none
. /rig/lib.sh
# a "kernel" that is no guest at all: the vCPU runs garbage and prints nothing
if GUEST=/bin/busybox guest_boot silent patched virt-11.0 1; then
	fail "silent guest detected" "guest_boot claimed a heartbeat"
else
	fail "silent guest: no heartbeat within the bound (expected by the self-test)"
fi
vm_stop silent
