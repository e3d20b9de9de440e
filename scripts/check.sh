#!/bin/bash
# The project's test suite (what CI runs): every step timed, a summary at the end.
#
#   scripts/check.sh [quick|full]
#
# quick (make check): deps, fetch, work trees, builds (cross QEMUs, rig kernel, kselftests),
#                     series checks, smoke run, guests, the rig's self-test and scenarios of
#                     tier "check" on every kernel they declare, one cross-host round trip,
#                     one libvirt pair (virsh migrate between two L1 hosts), the series'
#                     QEMU functional test (L0: the host's QEMU)
# full (make check-full): the same + the native TCG build + per-patch builds of the series +
#                     tier "full" scenarios + lockdep kernel + cross-host migrations +
#                     libvirt on two L1 hosts + the functional test with the native build
#                     as L0 + ASan/UBSan QEMU
. "$(dirname "$0")/lib.sh"

mode=${1:-quick}
results=()
failed=0
t_all=$(date +%s)

run_step() { # run_step NAME COMMAND...
	local name=$1 t0 rc
	shift
	t0=$(date +%s)
	echo
	step "check: $name"
	set +e
	"$@"
	rc=$?
	set -e
	results+=("$(printf '%-28s %-4s %5ss' "$name" "$([ $rc = 0 ] && echo ok || echo FAIL)" "$(($(date +%s) - t0))")")
	[ $rc = 0 ] || failed=$((failed + 1))
	return 0
}

# Steps whose output every later step needs stop the run when they fail.
need() {
	local before=$failed
	run_step "$@"
	[ "$failed" = "$before" ] || summary
}

summary() {
	echo
	echo "==== summary ($mode) ===="
	printf '%s\n' "${results[@]}"
	echo "total $(($(date +%s) - t_all))s; ccache: $(CCACHE_DIR=$CACHE/ccache ccache -s 2>/dev/null | grep -E '^ *(Hits|Cache size)' | tr -s ' ' | tr '\n' ';')"
	echo "check ($mode): $((${#results[@]} - failed)) passed, $failed failed"
	[ "$failed" = 0 ] && exit 0
	exit 1
}

S=$TOP/scripts
need "deps" "$S/deps.sh"
need "fetch bases" "$S/fetch.sh" QEMU LINUX
need "work trees" "$S/mkwork.sh"
need "build qemu (cross)" "$S/build-qemu.sh" cross
need "build qemu (cross-base)" "$S/build-qemu.sh" cross-base
# the native x86_64 TCG build (~18 min from an empty ccache) does not fit make check's build
# budget next to the cross builds and the kernel: check-full builds it, and smoke.sh then
# also runs the series' qtest and the QMP misuse cases under TCG
if [ "$mode" = full ]; then
	run_step "build qemu (native TCG)" "$S/build-qemu.sh" native
else
	# a native build left by an earlier check-full may be of another tree: not this one's
	rm -f "$TOP/work/out/qemu-native"
fi
need "build linux (rig)" "$S/build-linux.sh" rig
need "build kselftests" "$S/build-selftests.sh"
if [ "$mode" = full ]; then
	run_step "series (+ per-patch builds)" env SERIES_BUILD=1 "$S/check-series.sh"
else
	run_step "series" "$S/check-series.sh"
fi
run_step "smoke (qemu-aarch64-static)" "$S/smoke.sh"
need "guests (build + TCG smoke)" make -s -C "$TOP/guests" test
run_step "stream mutator builds" make -s -C "$TOP/tests/faults" test
run_step "rig self-test (failure handling)" "$S/rig-selftest.sh"
# real KVM: one L1 boot per kernel, every scenario of the tier that declares that kernel
rigout=$TOP/artifacts/check-rig
rm -rf "$rigout"
if [ "$mode" = full ]; then
	run_step "rig scenarios (real KVM)" "$TOP/rig/run" --suite full --out "$rigout" "$TOP/tests"
	# the kernel series under lockdep: no lockdep report (the runner fails on any)
	run_step "build linux (lockdep)" "$S/build-linux.sh" lockdep
	run_step "rig: lockdep kernel" "$TOP/rig/run" --kernel ours-lockdep \
		"$TOP/tests/kernel/selftests.sh" "$TOP/tests/series/migrate.sh"
	run_step "rig: cross-host migrations" "$TOP/tests/crosshost/run"
	# libvirt on two L1 hosts booted side by side: virsh migrate --live --p2p between
	# Debian's 6.12 and our 7.2, and between Debian's 7.2 and ours (old machine type too)
	run_step "rig: libvirt, virsh migrate between two L1 hosts" "$TOP/tests/libvirt/run" \
		"ours:max+deb612:max" "ours:max+deb72:max"
	# the series' QEMU functional test (tests/functional/aarch64/test_kvm_idregs.py), run
	# with QEMU's runner and the native TCG build as L0
	run_step "QEMU functional test (L0 native)" "$TOP/tests/functional/run" --l0 native
	# the series' code under ASan/UBSan on real KVM: migration, matrix and fault scenarios
	run_step "rig: ASan/UBSan QEMU" "$S/asan-run.sh"
else
	run_step "rig scenarios (real KVM)" "$TOP/rig/run" --suite check --out "$rigout" "$TOP/tests"
	# one representative host-kernel upgrade and rollback (the whole table: check-full):
	# Debian 6.12 -> our 7.2 -> Debian 6.12, streams carried between three L1 boots; and a
	# VM started on our 7.2 at the baseline of the two hosts -> 6.12 -> 7.2
	run_step "rig: cross-host 6.12 -> 7.2 -> 6.12, baseline 7.2 -> 6.12 -> 7.2" \
		"$TOP/tests/crosshost/run" "deb612:max>ours:max" "deb612:max>ours:max>deb612:max" \
		"ours:max@deb612:max>deb612:max" "ours:max@deb612:max>deb612:max>ours:max"
	# libvirt: virsh migrate --live --p2p between Debian's 6.12 and our 7.2, both ways, and
	# its refusals (two L1 hosts side by side; ~3 min)
	run_step "rig: libvirt, virsh migrate between 6.12 and 7.2" "$TOP/tests/libvirt/run" \
		"ours:max+deb612:max"
	# the series' QEMU functional test with QEMU's runner; L0 is the host's QEMU, as make
	# check has no native build (~2 min)
	run_step "QEMU functional test (L0 host)" "$TOP/tests/functional/run" --l0 host
fi
run_step "kselftests: patched vs unpatched 7.2.13" "$S/compare-kselftests.sh" "$rigout"
summary
