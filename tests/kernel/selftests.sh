#!/bin/sh
# KVM selftests on real KVM in L1, from /opt/kselftests (scripts/build-selftests.sh):
#   vm_one_reg    the series' own test: must pass on our kernel, and skip cleanly (ksft exit
#                 code 4) on kernels without KVM_CAP_VM_ONE_REG;
#   set_id_regs, get-reg-list, hypercalls
#                 unmodified upstream tests of 7.2.13: run on the 7.2 kernels (ours and
#                 Debian's unpatched deb72), whose results must be the same. They are not
#                 meant for older kernels, so they are skipped on deb612/deb61.
#   set_id_regs_vm, hypercalls_vm
#                 the same upstream sources built with the series' vm_reg_shim.h: every
#                 access to a register the VM lists goes through the VM fd. On our kernels
#                 they must pass with the same counts as set_id_regs and hypercalls; on
#                 kernels without KVM_CAP_VM_ONE_REG they must skip cleanly (exit 4).
#   vpmu_counter_access
#                 upstream's test with the kernel series' cases of a vCPU whose PMUVer
#                 userspace wrote (NI: PMU hidden; the reserved 2 and 3), reset and run: on
#                 our kernels only. Without patch 1 of the series KVM warns "Unknown PMU
#                 version" there: the test fails on TAINT_WARN and the rig fails the boot
#                 (docs/reliability.md K3). Debian's kernels have no fix, so it does not
#                 run on them.
# Each test's output is kept in $RIG_OUT/kselftest-<name>.log. The PASS line carries the
# test's own counts, so the lines of two kernels can be compared directly.
# rig: kernels=ours,deb72,deb612,deb61
# rig: timeout=600
# rig: tier=check
. /rig/lib.sh

KST=/opt/kselftests

# summary LOG: the test's own counts, e.g. "pass:14 fail:0 xfail:0 xpass:0 skip:0 error:0"
summary() {
	_s=$(grep -a '^# Totals: ' "$1" | tail -n 1 | sed 's/^# Totals: //')
	if [ -z "$_s" ]; then
		# get-reg-list prints "<config>: PASS|FAIL" and "1..0 # SKIP - <config>: why"
		_p=$(grep -a -c -E '^[^ #]+: PASS' "$1")
		_f=$(grep -a -c -E '^[^ #]+: FAIL' "$1")
		_k=$(grep -a -c -E '^1\.\.0 # SKIP' "$1")
		_s="pass:$_p fail:$_f skip:$_k"
		# hypercalls reports nothing but its exit status
		[ "$_s" = "pass:0 fail:0 skip:0" ] && _s="no per-case counts"
	fi
	echo "$_s"
}

# run_kst NAME EXPECT: run $KST/NAME; EXPECT is "pass" (exit 0) or "skip" (exit 4)
run_kst() {
	_t=$1 _want=$2 _log=$RIG_OUT/kselftest-$1.log
	if [ ! -x "$KST/$_t" ]; then
		fail "kselftest $_t" "missing from $KST (scripts/build-selftests.sh)"
		return
	fi
	say "running $_t on $RIG_KERNEL (expect $_want)"
	timeout -s KILL 240 "$KST/$_t" >"$_log" 2>&1
	_rc=$?
	_sum=$(summary "$_log")
	case $_want:$_rc in
	pass:0)
		pass "kselftest $_t ($_sum)"
		;;
	skip:4)
		pass "kselftest $_t skips cleanly (exit 4): $(grep -a -m 1 'SKIP' "$_log" | sed 's/^1\.\.0 # //')"
		;;
	pass:4)
		fail "kselftest $_t" "skipped: $(grep -a -m 1 'SKIP' "$_log")"
		;;
	*:137)
		fail "kselftest $_t" "killed after 240 s"
		;;
	*)
		grep -a -E '^(not ok|==== Test Assertion Failure|  [a-z_]*\.c:|  [A-Za-z].*)' "$_log" |
			head -n 12 | while IFS= read -r l; do say "  $l"; done
		fail "kselftest $_t" "exit $_rc, expected $_want ($_sum)"
		;;
	esac
}

if [ ! -c /dev/kvm ]; then
	fail "kselftests" "no /dev/kvm in L1"
	exit 0
fi

case $RIG_KERNEL in
ours | ours-lockdep) run_kst vm_one_reg pass ;;
*) run_kst vm_one_reg skip ;;
esac

for t in set_id_regs get-reg-list hypercalls; do
	case $RIG_KERNEL in
	ours | ours-lockdep | deb72) run_kst "$t" pass ;;
	*) skip "kselftest $t" "a 7.2.13 selftest, not meant for $RIG_KERNEL ($(uname -r))" ;;
	esac
done

case $RIG_KERNEL in
ours | ours-lockdep) run_kst vpmu_counter_access pass ;;
*) skip "kselftest vpmu_counter_access" "the PMUVer cases warn on kernels without the series' PMU fix ($(uname -r))" ;;
esac

# The VM-path builds: same counts as the vCPU-path builds, and something went through the
# VM fd (the shim prints its counts and fails if nothing did).
for t in set_id_regs hypercalls; do
	case $RIG_KERNEL in
	ours | ours-lockdep)
		run_kst "${t}_vm" pass
		a=$(summary "$RIG_OUT/kselftest-$t.log")
		b=$(summary "$RIG_OUT/kselftest-${t}_vm.log")
		routed=$(grep -a -m 1 '^# VM path: ' "$RIG_OUT/kselftest-${t}_vm.log")
		if [ "$a" = "$b" ]; then
			pass "kselftest ${t}_vm counts equal ${t}'s ($b; ${routed#\# })"
		else
			fail "kselftest ${t}_vm counts" "'$b' vs ${t}'s '$a'"
		fi
		;;
	*) run_kst "${t}_vm" skip ;;
	esac
done
