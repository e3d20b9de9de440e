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
# the exact version line on stdout, nothing on stderr (a missing binary or library prints
# its error there)
for q in patched base; do
	v=$($(qemu_bin $q) --version 2>"$RIG_OUT/qemu-$q-version.err" | head -n 1)
	check "qemu $q runs in L1 ($v)" test -z "$(cat "$RIG_OUT/qemu-$q-version.err")" -a \
		"${v%% (*}" = "QEMU emulator version 10.2.2"
done
# machine types: "-M help" must run (its exit status) before its list can say anything
if $(qemu_bin patched) -M help >"$RIG_OUT/machines-patched.txt" 2>&1; then
	m=$(grep -c -E '^virt-(10\.2|11\.0|11\.1|11\.2) ' "$RIG_OUT/machines-patched.txt")
	check "qemu patched knows virt-10.2, virt-11.0, virt-11.1 and virt-11.2" test "$m" = 4
else
	fail "qemu patched -M help" "$(head -n 2 "$RIG_OUT/machines-patched.txt")"
fi
if $(qemu_bin base) -M help >"$RIG_OUT/machines-base.txt" 2>&1; then
	m=$(grep -c -E '^virt-10\.2 ' "$RIG_OUT/machines-base.txt")
	n=$(grep -c -E '^virt-11\.[0-9]+ ' "$RIG_OUT/machines-base.txt")
	check "qemu base (10.2.2) knows virt-10.2 but no virt-11.x" test "$m" = 1 -a "$n" = 0
else
	fail "qemu base -M help" "$(head -n 2 "$RIG_OUT/machines-base.txt")"
fi
