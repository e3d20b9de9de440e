#!/bin/sh
# The series' own qtest (tests/qtest/arm-idregs-test) on real KVM, and QEMU's unmodified
# arm-cpu-features qtest as a regression check. Cross-version: the virt-10.2 migration
# test with the unpatched QEMU as source or destination (QTEST_QEMU_BINARY_SRC/_DST).
# rig: kernels=ours,deb612
# rig: timeout=300
# rig: tier=check
. /rig/lib.sh

P=/opt/qemu-patched/bin/qemu-system-aarch64
B=/opt/qemu-base/bin/qemu-system-aarch64
QT=/opt/qemu-patched/qtest

# run_qtest LABEL ENV... -- BINARY ARGS...: one PASS/FAIL per qtest case (TAP)
run_qtest() {
	_l=$1
	shift
	_log="$RIG_OUT/qtest-$(echo "$_l" | tr ' /' '__').log"
	env "$@" --tap -k >"$_log" 2>&1
	_rc=$?
	grep -E '^(ok|not ok) ' "$_log" | while read -r r; do
		case $r in
		"ok "*"# SKIP"*) skip "qtest $_l: ${r#ok * }" ;;
		ok*) pass "qtest $_l: ${r#ok [0-9]* }" ;;
		*) fail "qtest $_l: ${r#not ok [0-9]* }" ;;
		esac
	done
	# an assertion aborts the test binary: the cases after it print nothing, so the exit
	# status is what tells (glib's "Bail out!" names the assertion)
	if [ "$_rc" != 0 ]; then
		fail "qtest $_l: exited with status $_rc" "$(grep -E 'ERROR|Bail out' "$_log" | head -n 2 | tr '\n' ' ' | cut -c1-300)"
	fi
	grep -q -E '^(ok|not ok) ' "$_log" || fail "qtest $_l: no results (rc $_rc)" "$(tail -n 3 "$_log" | tr '\n' ' ')"
}

run_qtest "arm-idregs (patched)" QTEST_QEMU_BINARY=$P $QT/arm-idregs-test
run_qtest "arm-idregs unpatched->patched" QTEST_QEMU_BINARY=$P QTEST_QEMU_BINARY_SRC=$B \
	QTEST_QEMU_BINARY_DST=$P $QT/arm-idregs-test -p /aarch64/arm/idregs/kvm/migrate/virt-10.2
run_qtest "arm-idregs patched->unpatched" QTEST_QEMU_BINARY=$P QTEST_QEMU_BINARY_SRC=$P \
	QTEST_QEMU_BINARY_DST=$B $QT/arm-idregs-test -p /aarch64/arm/idregs/kvm/migrate/virt-10.2
run_qtest "arm-cpu-features (patched)" QTEST_QEMU_BINARY=$P $QT/arm-cpu-features
