#!/bin/sh
# Runner self-test (scripts/rig-selftest.sh): the control. Runs to its end, exits 0, prints a
# PASS: the runner must not fail it, whatever the scenarios around it do.
# rig: kernels=ours
# rig: timeout=20
# rig: tier=none
. /rig/lib.sh
pass "selftest-ok: the control scenario"
