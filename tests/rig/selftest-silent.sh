#!/bin/sh
# Runner self-test (scripts/rig-selftest.sh): a scenario that runs to its end, exits 0 and
# prints no result; the runner must fail it ("printed no result").
# rig: kernels=ours
# rig: timeout=20
# rig: tier=none
. /rig/lib.sh
say "selftest-silent: a progress line is no result"
