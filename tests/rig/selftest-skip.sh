#!/bin/sh
# Runner self-test (scripts/rig-selftest.sh): a SKIP that tests/skips.allow does not expect
# must fail the run ("unexpected SKIP").
# rig: kernels=ours
# rig: timeout=20
# rig: tier=none
. /rig/lib.sh
pass "selftest-skip: a pass"
skip "selftest-skip: nothing expects this" "the runner must fail it"
