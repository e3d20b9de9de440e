#!/bin/bash
# The rig's own failure handling, on purpose: each case must make rig/run exit non-zero
# with a clear message, within a bound well below the default timeouts.
#   - the L1 kernel crashes in the middle of a scenario (sysrq-trigger);
#   - an L2 guest never prints;
#   - a scenario hangs past its declared timeout.
. "$(dirname "$0")/lib.sh"

pass=0 fail=0
expect() { # expect LABEL SCENARIO MAX_SECONDS REGEXP
	local t0 rc=0 out dt
	t0=$(date +%s)
	out=$("$TOP/rig/run" --kernel ours --out "$TOP/artifacts/rig-selftest/$(basename "$2" .sh)" "$2" 2>&1) || rc=$?
	dt=$(($(date +%s) - t0))
	if [ "$rc" != 0 ] && grep -qE "$4" <<<"$out" && [ "$dt" -le "$3" ]; then
		echo "  PASS $1 (${dt}s): $(echo "$out" | grep -E "$4" | head -n 1)"
		pass=$((pass + 1))
	else
		echo "$out" | tail -n 8 | sed 's/^/    /'
		echo "  FAIL $1 (rc $rc, ${dt}s, expected /$4/ within ${3}s)"
		fail=$((fail + 1))
	fi
}
expect "L1 dies mid-scenario" "$TOP/tests/rig/selftest-l1-dies.sh" 60 \
	'FAIL: rig: L1 exited .* before finishing'
expect "L2 never prints" "$TOP/tests/rig/selftest-l2-silent.sh" 120 \
	'FAIL: silent guest: no heartbeat'
expect "scenario hangs" "$TOP/tests/rig/selftest-hang.sh" 60 \
	'FAIL: tests/rig/selftest-hang.sh: scenario timed out after 10s'
echo "rig-selftest: $pass passed, $fail failed"
[ "$fail" = 0 ]
