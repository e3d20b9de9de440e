#!/bin/sh
# Upgrade/rollback matrix on one L1 kernel: QEMU {unpatched 10.2.2 ("base"), patched} on
# both sides x machine type {virt-10.2, virt-11.1 (patched only, old format), virt-11.2
# (patched only, new format)}, live migration of a
# 4-vCPU guest. Each cell asserts its documented outcome (docs/testing.md):
#   success  migration completes, the guest heartbeats on the destination with all vCPUs
#            and sees the source's ID registers. The source holds a lowered
#            ID_AA64ISAR0_EL1.CRC32 (rig/lib.sh src_boot), so a value that was not carried
#            shows as the host's default on the destination. Linux 6.1 cannot change ID
#            registers: there the cells prove survival only (and say so);
#   refused  the named clean failure, and the source VM is still running and heartbeating.
# RIG_TIER=check runs the representative subset marked "check" below.
# rig: kernels=ours,deb612,deb61
# rig: timeout=1200
# rig: tier=check
. /rig/lib.sh

U=tcp:127.0.0.1:4444

# -- same machine type, both directions --------------------------------------------------

matrix_cell base-base full && live_migrate_test "m1 base->base virt-10.2" base base virt-10.2 4 $U
matrix_cell base-patched check && live_migrate_test "m2 base->patched virt-10.2 (upgrade)" base patched virt-10.2 4 $U
matrix_cell patched-base check && live_migrate_test "m3 patched->base virt-10.2 (rollback)" patched base virt-10.2 4 $U
matrix_cell p-p-10 full && live_migrate_test "m4 patched->patched virt-10.2" patched patched virt-10.2 4 $U
matrix_cell p-p-11 check && live_migrate_test "m5 patched->patched virt-11.2" patched patched virt-11.2 4 $U
# virt-11.1, the latest machine type of a released QEMU, keeps the old format
matrix_cell p-p-11.1 full && live_migrate_test "m12 patched->patched virt-11.1 (old format)" patched patched virt-11.1 4 $U
# both access paths produce the same stream: VM ioctls on one side, one vCPU on the other
matrix_cell mixed full && SRC_ARGS="-global kvm-arm-idregs.x-idregs-vm-ioctl=off" \
	live_migrate_test "m6 patched(vcpu path)->patched virt-11.2" patched patched virt-11.2 4 $U
matrix_cell mixed2 full && DST_ARGS="-global kvm-arm-idregs.x-idregs-vm-ioctl=off" \
	live_migrate_test "m7 patched->patched(vcpu path) virt-11.2" patched patched virt-11.2 4 $U

# -- virt-11.2 cannot go to an unpatched QEMU: the destination does not start ------------
matrix_cell v11-base check &&
	unknown_machine_test "m8 patched virt-11.2 -> base (refused: unknown machine type)" base virt-11.2 4

# -- chain: unpatched -> patched -> unpatched on virt-10.2 --------------------------------
if matrix_cell chain check; then
	l="m9 chain base->patched->base virt-10.2"
	if src_boot a base virt-10.2 4; then
		guest_regs a >"$RIG_OUT/chain.regs-a"
		vm_start b patched virt-10.2 4 -incoming defer
		if migrate a b "unix:$VMDIR/ab.sock" 60; then
			pass "$l: hop 1 base -> patched"
			if guest_wait_dump b 20; then
				check_values "$l: after hop 1" b
			else
				fail "$l: the guest dumps its registers after hop 1"
			fi
			vm_start c base virt-10.2 4 -incoming defer
			s=$(guest_hb b)
			if guest_wait_hb b "${s:-0}" 10 && migrate b c "unix:$VMDIR/bc.sock" 60; then
				pass "$l: hop 2 patched -> base"
				s=$(guest_hb b)
				if guest_wait_hb c "${s:-0}" 15; then
					pass "$l: heartbeat continues after two hops (cpus $(guest_cpus c))"
				else
					fail "$l: heartbeat continues after two hops"
				fi
				if guest_wait_dump c 20; then
					check_values "$l: after two hops" c
				else
					fail "$l: the guest dumps its registers after two hops"
				fi
			else
				fail "$l: hop 2 patched -> base" "$(tail -n 2 "$VMDIR/c.log" | tr '\n' ' ')"
			fi
		else
			fail "$l: hop 1 base -> patched" "$(tail -n 2 "$VMDIR/b.log" | tr '\n' ' ')"
		fi
	else
		fail "$l: guest boots"
	fi
	vm_stop a
	vm_stop b
	vm_stop c
fi

# -- old- and new-format streams of the wrong machine type: tests/faults/misconfig.sh (file
# streams whose configuration section is renamed with mutate -M; a live stream cannot be, and
# QEMU 10.2.2 aborts a migration with send-configuration=off, see docs/reliability.md)

echo "MATRIX: $cells cells on $RIG_KERNEL (tier $RIG_TIER)"
