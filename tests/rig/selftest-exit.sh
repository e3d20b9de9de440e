#!/bin/sh
# Runner self-test (scripts/rig-selftest.sh): a scenario that exits non-zero half-way keeps
# the PASS it printed; the runner must still fail it ("exited with status 3").
# rig: kernels=ours
# rig: timeout=20
# rig: tier=none
. /rig/lib.sh
pass "selftest-exit: before the exit"
exit 3
