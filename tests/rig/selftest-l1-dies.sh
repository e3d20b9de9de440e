#!/bin/sh
# Runner self-test (scripts/rig-selftest.sh): the L1 kernel dies in the middle of a scenario.
# The runner must fail with a clear message instead of waiting for the full timeout.
# rig: kernels=ours
# rig: timeout=60
# rig: tier=none
. /rig/lib.sh
pass "before the crash"
sleep 1
echo c >/proc/sysrq-trigger
sleep 30
pass "after the crash (must not be reached)"
