#!/bin/sh
# Stream mutation, make check-full: N >= 1000 random mutants (a fresh seed every run,
# printed; replay with SEED=), the truncation sweep at every offset of the section and
# the cut sweep at every 4th data offset. See mutate.sh.
# rig: kernels=ours
# rig: timeout=5400
# rig: tier=full
. /rig/lib.sh
. /tests/faults/faults.inc

# L1 has no RTC (its clock starts at 0): the seed comes from the kernel RNG
SEED=${SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d " ")}
N=${N:-1000}
TRUNC=${TRUNC-all}
CUT=${CUT-/4}
fl_mutation_run full
