#!/bin/sh
# docs/reliability.md K3: a VM started with -cpu host,pmu=off (its vCPUs have no PMU,
# ID_AA64DFR0_EL1.PMUVer = 0) live-migrates into a destination started with -cpu host (vCPUs
# with KVM_ARM_VCPU_PMU_V3). Unmodified QEMU accepts that (the destination keeps the PMU
# registers the stream lacks and writes the source's ID registers per vCPU), and so does the
# series; KVM accepts PMUVer = 0 for a vCPU with a PMU (the guest then sees no PMU). At the
# next vCPU reset (here a system_reset of the destination, which reboots the guest and resets
# the secondaries through PSCI CPU_ON), KVM resets PMEVTYPER<n>_EL0 with the event mask of
# PMU version 0. Without patch 1 of the kernel series that warns "Unknown PMU version 0"
# (pmu-emul.c); with it, it must not.
#
# Tier full, on our kernel: the regression test of that patch (0 warnings after the reset).
# By name on a kernel without the fix it is the reproduction: Debian 6.12 warns once after
# the reset, this test's last check fails and the rig fails the boot on the warning.
#
#   rig/run --kernel ours tests/series/pmu-reset.sh               unmodified QEMU, virt-10.2
#   rig/run --kernel ours --env Q=patched tests/series/pmu-reset.sh   the series, virt-11.2
#   rig/run --kernel deb612 tests/series/pmu-reset.sh             the reproduction (fails)
# rig: kernels=ours
# rig: timeout=300
# rig: tier=full
. /rig/lib.sh

Q=${Q:-base}
M=virt-10.2
[ "$Q" = patched ] && M=virt-11.2
U=tcp:127.0.0.1:4470
warns() { dmesg | grep -c 'Unknown PMU version'; }

l="$Q $M, pmu=off source into a PMU destination"
w0=$(warns)
if guest_boot src "$Q" "$M" 2 -cpu host,pmu=off && vm_start dst "$Q" "$M" 2 -incoming defer &&
	migrate src dst "$U" 60; then
	pass "$l: the migration completes"
	seq=$(guest_hb src)
	if guest_wait_hb dst "${seq:-0}" 20; then
		pass "$l: the guest runs on the destination"
	else
		fail "$l: the guest runs on the destination"
	fi
	w1=$(warns)
	check "$l: no KVM warning before the reset ($w1)" test "$w1" = "$w0"
	boots=$(grep -a -c 'IDREGS-GUEST ' "$VMDIR/dst.serial")
	vm_qmp dst system_reset >/dev/null
	_end=$(deadline 30) up=no
	while [ "$(now_ms)" -lt "$_end" ]; do
		# a new boot banner, then a heartbeat with both vCPUs (the secondary was reset)
		tr -d '\r' <"$VMDIR/dst.serial" | awk -v boots="$boots" '
			/IDREGS-GUEST / { b++; hb = 0 }
			b > boots && $1 == "HB" && / cpus=2\/2 / { hb = 1 }
			END { exit !(b > boots && hb) }' && { up=yes; break; }
		sleep 0.2
	done
	check "$l: the guest reboots with both vCPUs after system_reset" test $up = yes
	w2=$(warns)
	say "$l: KVM 'Unknown PMU version' warnings: $w0 before, $w1 after the migration, $w2 after the reset"
	check "$l: no KVM warning after the reset ($w2)" test "$w2" = "$w0"
	dmesg | grep -A3 'Unknown PMU version' | head -n 4 | sed 's/^/dmesg: /'
else
	fail "$l: the migration completes" "$(tail -n 2 "$VMDIR/dst.log" | tr '\n' ' ')"
fi
vm_stop src
vm_stop dst
