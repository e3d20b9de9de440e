#!/bin/sh
# Runner self-test (scripts/rig-selftest.sh): a scenario that hangs is killed at its timeout.
# rig: kernels=ours
# rig: timeout=10
# rig: tier=none
sleep 600
