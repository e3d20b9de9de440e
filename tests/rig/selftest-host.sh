#!/bin/sh
# Runner self-test (scripts/rig-selftest.sh): the L1 half passes; its host half
# (selftest-host.host) crashes after printing a PASS, and the runner must fail it.
# rig: kernels=ours
# rig: timeout=20
# rig: tier=none
. /rig/lib.sh
pass "selftest-host: the L1 half"
