#!/bin/sh
# Stream mutation, make check subset: save a virt-11.2 VM to a file, load mutated copies
# of its stream (the kvm-arm-idregs section: count, ids, values, truncation, cut, header,
# footer) into fresh destinations; each must be refused with a message naming the problem
# or load with a guest that runs with the accepted values. Deterministic: seeds 1..82 (two
# rounds of the class weights: every class at least twice) and 21 truncation offsets.
# Replay a failure with the SEED=/TRUNC=/CUT= it prints (docs/reliability.md).
# rig: kernels=ours
# rig: timeout=480
# rig: tier=check
. /rig/lib.sh
. /tests/faults/faults.inc

SEED=${SEED:-1}
N=${N:-82}
# every 61st offset, and one in each header field (section id, name, instance/version)
TRUNC=${TRUNC-/61,3,11,22}
CUT=${CUT-}
fl_mutation_run check
