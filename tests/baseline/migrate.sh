#!/bin/sh
# Baseline: unmodified QEMU 10.2.2 (the "base" build), virt-10.2, a 4-vCPU guest on KVM,
# live-migrated over loopback TCP and over a unix socket. The guest's heartbeat must continue
# on the destination and the ID registers it sees must be unchanged.
# rig: kernels=ours,deb61,deb612,deb72
# rig: timeout=300
# rig: tier=check
. /rig/lib.sh

live_migrate_test "baseline-tcp" base base virt-10.2 4 "tcp:127.0.0.1:4444"
live_migrate_test "baseline-unix" base base virt-10.2 4 "unix:$VMDIR/mig.sock"
