#!/bin/bash
# The unmodified upstream selftests (set_id_regs, get-reg-list, hypercalls) must give the
# same results on our patched 7.2.13 and on Debian's unpatched 7.2.13 (the control): a
# difference is a regression of the kernel series. Their VM-path builds (set_id_regs_vm,
# hypercalls_vm) must match the vCPU path on ours and skip on deb72. Reads the console logs of a rig suite
# run (rig/run --suite ... --out DIR): DIR/ours/console.log and DIR/deb72/console.log.
. "$(dirname "$0")/lib.sh"

dir=${1:?usage: compare-kselftests.sh RIG_SUITE_OUT_DIR}
fail=0
for t in set_id_regs get-reg-list hypercalls; do
	a=$(grep -a -E "^(PASS|FAIL|SKIP): kselftest $t( |$)" "$dir/ours/console.log" 2>/dev/null | head -n 1)
	b=$(grep -a -E "^(PASS|FAIL|SKIP): kselftest $t( |$)" "$dir/deb72/console.log" 2>/dev/null | head -n 1)
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		echo "  PASS $t: same on ours and deb72: ${a#*: }"
	else
		echo "  FAIL $t: ours '${a:-none}' vs deb72 '${b:-none}'"
		fail=1
	fi
done
# The VM-path builds of set_id_regs and hypercalls: on ours, the same counts as the vCPU-path
# build (checked in L1, reported as "kselftest <t>_vm counts equal ..."); on deb72, a clean
# skip (no KVM_CAP_VM_ONE_REG).
for t in set_id_regs_vm hypercalls_vm; do
	a=$(grep -a -E "^(PASS|FAIL|SKIP): kselftest $t counts" "$dir/ours/console.log" 2>/dev/null | head -n 1)
	b=$(grep -a -E "^(PASS|FAIL|SKIP): kselftest $t( |$)" "$dir/deb72/console.log" 2>/dev/null | head -n 1)
	case $a:$b in
	PASS*:"PASS: kselftest $t skips cleanly"*)
		echo "  PASS $t: ${a#PASS: }; deb72 skips cleanly"
		;;
	*)
		echo "  FAIL $t: ours '${a:-none}' vs deb72 '${b:-none}'"
		fail=1
		;;
	esac
done
exit $fail
