#!/bin/bash
# The rig's own failure handling, on purpose: each case must make rig/run exit non-zero
# with a clear message, within a bound well below the default timeouts (counted from the
# L1 boot, not from the host's preparation of it).
#   - the L1 kernel crashes in the middle of a scenario (sysrq-trigger);
#   - an L2 guest never prints;
#   - a scenario hangs past its declared timeout;
#   - in one boot: a scenario that exits non-zero half-way, one that leaves early with
#     exit 0, one that busybox aborts on a shell error, one that prints no result, an
#     unexpected SKIP, a host half that crashes; and a control scenario that must pass.
. "$(dirname "$0")/lib.sh"

pass=0 fail=0
R=$TOP/tests/rig
# expect LABEL MAX_SECONDS "REGEXP..." SCENARIO...: rig/run fails, prints every REGEXP (one a
# line in the first argument) within MAX_SECONDS of the L1 boot, and nothing names
# selftest-ok.sh in a FAIL
expect() {
	local label=$1 max=$2 res=$3 t0 rc=0 out dt boot re missing=""
	shift 3
	t0=$(date +%s)
	out=$("$TOP/rig/run" --kernel ours --out "$TOP/artifacts/rig-selftest/$(basename "$1" .sh)" "$@" 2>&1) || rc=$?
	dt=$(($(date +%s) - t0))
	boot=$(sed -n 's/^==> \[ *\([0-9]*\)s\] rig: booting L1.*/\1/p' <<<"$out" | head -n 1)
	dt=$((dt - ${boot:-0}))
	while IFS= read -r re; do
		[ -n "$re" ] || continue
		grep -qE "$re" <<<"$out" || missing="$missing /$re/"
	done <<<"$res"
	grep -q 'FAIL: tests/rig/selftest-ok.sh' <<<"$out" && missing="$missing (the control scenario failed)"
	if [ "$rc" != 0 ] && [ -z "$missing" ] && [ "$dt" -le "$max" ]; then
		echo "  PASS $label (${dt}s after the boot):"
		while IFS= read -r re; do
			[ -z "$re" ] || echo "       $(grep -E "$re" <<<"$out" | head -n 1)"
		done <<<"$res"
		pass=$((pass + 1))
	else
		echo "$out" | tail -n 12 | sed 's/^/    /'
		echo "  FAIL $label (rc $rc, ${dt}s after the boot, bound ${max}s; missing:${missing:- none})"
		fail=$((fail + 1))
	fi
}
expect "L1 dies mid-scenario" 60 \
	'FAIL: rig: L1 exited .* before finishing
FAIL: tests/rig/selftest-l1-dies.sh: did not end' "$R/selftest-l1-dies.sh"
expect "L2 never prints" 150 'FAIL: silent guest: no heartbeat' "$R/selftest-l2-silent.sh"
expect "scenario hangs" 60 \
	'FAIL: tests/rig/selftest-hang.sh: scenario timed out after [0-9]+s' "$R/selftest-hang.sh"
expect "scenario protocol" 90 \
	'FAIL: tests/rig/selftest-exit.sh: exited with status 3
FAIL: tests/rig/selftest-exit0.sh: stopped before the end of its script
FAIL: tests/rig/selftest-abort.sh: exited with status 2
FAIL: tests/rig/selftest-silent.sh: printed no result
FAIL: tests/rig/selftest-skip.sh: unexpected SKIP on ours
FAIL: tests/rig/selftest-host.host: exited with status 1
PASS: tests/rig/selftest-ok.sh|PASS: selftest-ok: the control scenario' \
	"$R/selftest-ok.sh" "$R/selftest-exit.sh" "$R/selftest-exit0.sh" "$R/selftest-abort.sh" \
	"$R/selftest-silent.sh" "$R/selftest-skip.sh" "$R/selftest-host.sh"
echo "rig-selftest: $pass passed, $fail failed"
[ "$fail" = 0 ]
