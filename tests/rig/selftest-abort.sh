#!/bin/sh
# Runner self-test (scripts/rig-selftest.sh): busybox sh aborts the scenario on an
# arithmetic expression over an empty value (as a failed tool's output would give); the PASS
# before it must not make the scenario count as passed.
# rig: kernels=ours
# rig: timeout=20
# rig: tier=none
. /rig/lib.sh
pass "selftest-abort: before the shell error"
v=$(true)
x=$((v - v + $(true)))
pass "selftest-abort: after the shell error (must not be reached: $x)"
