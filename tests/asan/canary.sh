#!/bin/sh
# Positive control of the ASan/UBSan run: the canary (tests/asan/canary.c, built and packed
# by scripts/asan-run.sh) must leave one UBSan and one ASan report where the sanitized
# QEMU's reports go. Named explicitly by scripts/asan-run.sh, never part of a suite.
# rig: kernels=ours
# rig: timeout=60
# rig: tier=none
. /rig/lib.sh

C=/payload/qemu-asan/bin/canary
if [ ! -x "$C" ]; then
	fail "asan canary: $C missing (run through scripts/asan-run.sh)"
	exit 0
fi
ASAN_DIR=/tmp/out/asan-canary
. /payload/qemu-asan/env.sh
# stderr kept like rig/lib.sh keeps a sanitized QEMU's (UBSan reports there)
"$C" >"$RIG_OUT/asan-canary.out" 2>"$ASAN_DIR/stderr.canary"
rc=$?
check "asan canary: exits non-zero after the heap overflow (rc $rc)" [ "$rc" != 0 ]
check "asan canary: UBSan report written" grep -q -s "runtime error: shift exponent" "$ASAN_DIR/stderr.canary"
check "asan canary: ASan report written" grep -q -s "ERROR: AddressSanitizer: heap-buffer-overflow" "$ASAN_DIR"/san.*
