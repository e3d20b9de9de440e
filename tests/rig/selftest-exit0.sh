#!/bin/sh
# Runner self-test (scripts/rig-selftest.sh): a scenario that leaves with "exit 0" before the
# end of its script; the runner must fail it ("stopped before the end of its script").
# rig: kernels=ours
# rig: timeout=20
# rig: tier=none
. /rig/lib.sh
pass "selftest-exit0: before the exit"
exit 0
