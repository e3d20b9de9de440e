#!/bin/bash
# make demo: everything needed, then one L1 boot on our kernel that live-migrates a guest on
# real KVM and prints a report.
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/deps.sh"
"$TOP/scripts/fetch.sh" QEMU LINUX
"$TOP/scripts/mkwork.sh"
"$TOP/scripts/build-qemu.sh" cross
"$TOP/scripts/build-qemu.sh" cross-base
"$TOP/scripts/build-linux.sh" rig
out=$TOP/artifacts/demo/$(date +%Y%m%d-%H%M%S)
rc=0
"$TOP/rig/run" --kernel ours --out "$out" "$TOP/tests/demo/demo.sh" || rc=$?
echo
echo "================ demo report ================"
grep -a '^REPORT ' "$out/console.log" | sed 's/^REPORT //'
echo "artifacts: ${out#"$TOP"/}"
exit $rc
