#!/bin/sh
# Rollback and upgrade against QEMUs nobody here wrote: Debian's own arm64 builds of QEMU
# 11.1 (sid) and 10.0 (trixie) as peers of the series (scripts/peer.sh), live migration of a
# 4-vCPU guest whose source holds a lowered ID register field (rig/lib.sh src_boot), both
# ways, on the machine types those releases define; and the series' new machine type,
# virt-11.2, refused by QEMU 11.1 with the source still running. Unmodified 10.2.2 against
# the same peers is the control for failures that are not the series'.
# rig: kernels=ours,deb612
# rig: timeout=1200
# rig: tier=check
# rig: peers=deb111,deb100
. /rig/lib.sh

U=tcp:127.0.0.1:4444
for q in deb111 deb100; do
	say "$q: $($(qemu_bin $q) --version 2>&1 | head -n 1)"
done

# -- QEMU 11.1 (sid): virt-11.1, the machine type the series keeps in the old format -------
matrix_cell p1 check && live_migrate_test "p1 patched->Debian 11.1 virt-11.1 (rollback)" patched deb111 virt-11.1 4 $U
matrix_cell p2 check && live_migrate_test "p2 Debian 11.1->patched virt-11.1 (upgrade)" deb111 patched virt-11.1 4 $U
# the series' new format needs the series: QEMU 11.1 has no virt-11.2
matrix_cell p3 check &&
	unknown_machine_test "p3 patched virt-11.2 -> Debian 11.1 (refused: unknown machine type)" deb111 virt-11.2 4
# control: unmodified 10.2.2 and QEMU 11.1 on virt-10.2, both ways
matrix_cell c1 full && live_migrate_test "c1 unpatched 10.2.2->Debian 11.1 virt-10.2" base deb111 virt-10.2 4 $U
matrix_cell c2 full && live_migrate_test "c2 Debian 11.1->unpatched 10.2.2 virt-10.2" deb111 base virt-10.2 4 $U

# -- QEMU 10.0 (trixie): virt-10.0 ----------------------------------------------------------
matrix_cell p4 full && live_migrate_test "p4 patched->Debian 10.0 virt-10.0 (rollback)" patched deb100 virt-10.0 4 $U
matrix_cell p5 full && live_migrate_test "p5 Debian 10.0->patched virt-10.0 (upgrade)" deb100 patched virt-10.0 4 $U
matrix_cell c3 full && live_migrate_test "c3 unpatched 10.2.2->Debian 10.0 virt-10.0" base deb100 virt-10.0 4 $U
matrix_cell c4 full && live_migrate_test "c4 Debian 10.0->unpatched 10.2.2 virt-10.0" deb100 base virt-10.0 4 $U

echo "MATRIX: $cells cells on $RIG_KERNEL (tier $RIG_TIER, Debian peers)"
