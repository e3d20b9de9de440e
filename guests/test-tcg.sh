#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side smoke test: boot out/idregs-guest.elf under TCG and check
# the output contract documented in README.md.
#
#   guests/test-tcg.sh                 # 4 vCPUs, ~5 s
#   SMP=8 guests/test-tcg.sh
#   CHECK_PERIODIC=1 guests/test-tcg.sh   # also wait for the unprompted
#                                         # re-dump at HB 8 (~5 s)
#
# Environment: QEMU (binary), ELF, SMP, CHECK_PERIODIC, KEEP_LOG=1 (keep
# the serial log and print its path).  Exits non-zero on any failure.

set -u

here=$(cd "$(dirname "$0")" && pwd)
QEMU=${QEMU:-qemu-system-aarch64}
ELF=${ELF:-$here/out/idregs-guest.elf}
SMP=${SMP:-4}
CHECK_PERIODIC=${CHECK_PERIODIC:-0}
NR_REGS=60

fail() { echo "FAIL: $*" >&2; status=1; }
die() { fail "$@"; exit 1; }

[ -r "$ELF" ] || die "$ELF not found (run make -C guests)"
command -v "$QEMU" >/dev/null || die "$QEMU not found"

tmp=$(mktemp -d)
log=$tmp/serial.log
qpid=
status=0

# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
	# Only ever the QEMU we started.
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null
		wait "$qpid" 2>/dev/null
	fi
	exec 3>&-
	if [ "${KEEP_LOG:-0}" = 1 ] || [ "$status" != 0 ]; then
		echo "serial log: $log" >&2
		[ -s "$tmp/qemu.err" ] && sed 's/^/qemu: /' "$tmp/qemu.err" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

# The guest's UART input is a FIFO that we hold open on fd 3, so that we
# can type at it later.  The hard timeout is only a backstop.
mkfifo "$tmp/in"
timeout -k 2 25 "$QEMU" \
	-M virt,gic-version=3 -cpu max -smp "$SMP" -m 128 \
	-display none -monitor none -serial stdio -nic none -no-reboot \
	-kernel "$ELF" <"$tmp/in" >"$log" 2>"$tmp/qemu.err" &
qpid=$!
exec 3>"$tmp/in"

# wait_for ERE COUNT SECONDS: until COUNT lines match, QEMU dies, or time
# runs out.
wait_for() {
	local i n
	for ((i = 0; i < $3 * 10; i++)); do
		n=$(grep -cE "$1" "$log")
		[ "$n" -ge "$2" ] && return 0
		kill -0 "$qpid" 2>/dev/null || break
		sleep 0.1
	done
	fail "timed out waiting for $2 line(s) matching '$1' (have ${n:-0})"
	return 1
}

start=$SECONDS
wait_for '^CPUS n=' 1 10 || exit 1
wait_for '^HB ' 3 5 || exit 1

# Type three bytes: all land in the RX FIFO, so expect one re-dump.
printf 'xyz' >&3
wait_for '^BEGIN-REGS reason=uart ' 1 5 || exit 1
hbs=$(grep -c '^HB ' "$log")
# Two more heartbeats: the secondaries re-read (REHASH) on their next one.
wait_for '^HB ' $((hbs + 2)) 5 || exit 1
wait_for '^REHASH ' $((SMP - 1)) 3 || exit 1
if [ "$CHECK_PERIODIC" = 1 ]; then
	wait_for '^BEGIN-REGS reason=periodic seq=8$' 1 15 || exit 1
	wait_for '^END-REGS ' 3 3 || exit 1
fi

kill -0 "$qpid" 2>/dev/null || fail "QEMU exited early"
kill "$qpid"
wait "$qpid" 2>/dev/null
qpid=
elapsed=$((SECONDS - start))

# Everything below checks the log.  A line cut short by the kill is not
# the guest's fault, so drop an unterminated last line.
[ -n "$(tail -c 1 "$log")" ] && sed -i '$d' "$log"
grep -q $'\r' "$log" && fail "output contains CR characters"

head -n 1 "$log" | grep -qx 'IDREGS-GUEST v1' ||
	fail "first line is not 'IDREGS-GUEST v1'"

H='0x[0-9a-f]{16}'
bad=$(grep -vE -e '^IDREGS-GUEST v1$' -e '^INFO ' -e '^ERR ' \
	-e '^BEGIN-REGS reason=(boot|uart|periodic) seq=[0-9]+$' \
	-e "^REG [A-Z0-9_]+ 3_[0-7]_[0-9]+_[0-9]+_[0-7] $H\$" \
	-e "^END-REGS n=$NR_REGS hash=$H\$" \
	-e "^CPU [0-9]+ online hash=$H match=(yes|no)\$" \
	-e '^CPUS n=[0-9]+$' \
	-e "^HB [0-9]+ hash=$H cpus=[0-9]+/[0-9]+ c=[0-9]+(,[0-9]+)*\$" \
	-e "^REHASH [0-9]+ hash=$H match=(yes|no)\$" "$log")
[ -z "$bad" ] && bad=$(grep -E '^ERR ' "$log")
[ -n "$bad" ] && fail "unexpected lines:"$'\n'"$bad"

# 64-bit FNV-1a over the values, 8 bytes each, little-endian.  Bash
# arithmetic is 64-bit two's complement, which is exactly what we need.
fnv1a() {
	local h=$((0xcbf29ce484222325)) v b
	for v; do
		for ((b = 0; b < 64; b += 8)); do
			h=$(((h ^ ((v >> b) & 0xff)) * 0x100000001b3))
		done
	done
	printf '0x%016x' "$h"
}

# Each BEGIN-REGS .. END-REGS block: 60 REG lines, the same names and
# encodings as the first block, and a hash that matches the values.
boot_hash=
first_names=
dumps=0
while read -r reason; do
	# "R <name> <enc> <value>" per REG line of this block, then "E <hash>"
	block=$(awk -v n="$dumps" '
		/^BEGIN-REGS / { b++; next }
		b == n + 1 && /^REG / { print "R", $2, $3, $4 }
		b == n + 1 && /^END-REGS / { print "E", substr($3, 6); exit }' "$log")
	names=$(awk '$1 == "R" { print $2, $3 }' <<<"$block")
	values=$(awk '$1 == "R" { print $4 }' <<<"$block")
	hash=$(awk '$1 == "E" { print $2 }' <<<"$block")
	count=$(grep -c '^R ' <<<"$block")
	[ "$count" = "$NR_REGS" ] ||
		fail "dump $dumps ($reason): $count REG lines, want $NR_REGS"
	[ -n "$hash" ] || fail "dump $dumps ($reason): no END-REGS"
	# shellcheck disable=SC2086 # word splitting intended
	calc=$(fnv1a $values)
	[ "$calc" = "$hash" ] ||
		fail "dump $dumps ($reason): END-REGS hash $hash, computed $calc"
	if [ "$dumps" = 0 ]; then
		boot_hash=$hash
		first_names=$names
		[ "$(sort -u <<<"$names" | wc -l)" = "$NR_REGS" ] ||
			fail "duplicate register names"
	else
		[ "$names" = "$first_names" ] ||
			fail "dump $dumps ($reason): register list differs"
		[ "$hash" = "$boot_hash" ] ||
			fail "dump $dumps ($reason): hash $hash != boot $boot_hash"
	fi
	dumps=$((dumps + 1))
done < <(sed -n 's/^BEGIN-REGS reason=\([a-z]*\) .*/\1/p' "$log")
[ "$dumps" -ge 2 ] || fail "expected boot + uart dumps, got $dumps"
[ "$(grep -c '^BEGIN-REGS reason=uart ' "$log")" = 1 ] ||
	fail "expected exactly one uart re-dump for one burst of input"

# A few registers that must be there with their architected encodings.
for want in 'MIDR_EL1 3_0_0_0_0' 'ID_AA64PFR0_EL1 3_0_0_4_0' \
	'ID_AA64ISAR0_EL1 3_0_0_6_0' 'ID_AA64MMFR0_EL1 3_0_0_7_0' \
	'ID_UNALLOC_7_7 3_0_0_7_7' 'AIDR_EL1 3_1_0_0_7' 'CTR_EL0 3_3_0_0_1'; do
	grep -qx "$want" <<<"$first_names" || fail "missing 'REG $want'"
done

# CPUs: one online line each, all matching CPU0.
grep -qx "CPUS n=$SMP" "$log" || fail "want 'CPUS n=$SMP'"
for ((cpu = 0; cpu < SMP; cpu++)); do
	grep -qx "CPU $cpu online hash=$boot_hash match=yes" "$log" ||
		fail "no matching 'CPU $cpu online' line"
	[ "$cpu" = 0 ] && continue
	grep -qx "REHASH $cpu hash=$boot_hash match=yes" "$log" ||
		fail "no matching 'REHASH $cpu' line"
done

# Heartbeats: consecutive, same hash, everyone alive at the end, and
# every CPU's counter moved between the first and the last.
awk -v n="$SMP" -v h="$boot_hash" '
	/^HB / {
		seq++
		if ($2 != seq) { print "HB seq " $2 ", want " seq; bad = 1 }
		if ($3 != "hash=" h) { print "HB " $2 ": " $3; bad = 1 }
		split(substr($5, 3), c, ",")
		if (length(c) != n) { print "HB " $2 ": " length(c) " counters"; bad = 1 }
		if (seq == 1) for (i in c) first[i] = c[i]
		last_cpus = $4
		for (i in c) last[i] = c[i]
	}
	END {
		if (seq < 5) { print "only " seq " heartbeats"; bad = 1 }
		if (last_cpus != "cpus=" n "/" n) { print "last HB " last_cpus; bad = 1 }
		for (i = 1; i <= n; i++)
			if (last[i] + 0 <= first[i] + 0) {
				print "CPU " i - 1 " counter stuck at " last[i]; bad = 1
			}
		exit bad
	}' "$log" >"$tmp/hb.err" || fail "heartbeats: $(cat "$tmp/hb.err")"

if [ "$status" = 0 ]; then
	echo "PASS: smp=$SMP dumps=$dumps heartbeats=$(grep -c '^HB ' "$log") (${elapsed}s)"
fi
exit "$status"
