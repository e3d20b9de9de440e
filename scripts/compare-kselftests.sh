#!/bin/bash
# The unmodified upstream selftests (set_id_regs, get-reg-list, hypercalls) must give the
# same results on our patched 7.2.13 and on Debian's unpatched 7.2.13 (the control): a
# difference is a regression of the kernel series. Reads the console logs of a rig suite
# run (rig/run --suite ... --out DIR): DIR/ours/console.log and DIR/deb72/console.log.
. "$(dirname "$0")/lib.sh"

dir=${1:?usage: compare-kselftests.sh RIG_SUITE_OUT_DIR}
fail=0
for t in set_id_regs get-reg-list hypercalls; do
	a=$(grep -a -E "^(PASS|FAIL|SKIP): kselftest $t( |$)" "$dir/ours/console.log" 2>/dev/null | head -n 1)
	b=$(grep -a -E "^(PASS|FAIL|SKIP): kselftest $t( |$)" "$dir/deb72/console.log" 2>/dev/null | head -n 1)
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		echo "  PASS $t: same on ours and deb72: ${a#*: }"
	else
		echo "  FAIL $t: ours '${a:-none}' vs deb72 '${b:-none}'"
		fail=1
	fi
done
exit $fail
