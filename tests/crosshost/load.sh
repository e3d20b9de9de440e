#!/bin/sh
# Cross-host, destination side: load every stream in /payload/streams (saved on another L1
# "host") into the same QEMU build, machine type and -cpu options, and report the outcome:
#   RESULT <stream> ok <n registers identical>       the guest runs on with the source's
#                                                     ID registers (checked against the
#                                                     source's own dump)
#   RESULT <stream> refused <first error line>        the destination exited non-zero
#   RESULT <stream> wrong <why>                       anything else (a bug)
# The host side (tests/crosshost/run) compares them with the documented expectations.
# rig: kernels=ours
# rig: timeout=600
# rig: tier=none
. /rig/lib.sh

for f in /payload/streams/*.mig; do
	[ -e "$f" ] || { fail "crosshost: no streams in /payload/streams"; break; }
	n=$(basename "$f" .mig)
	. "/payload/streams/$n.conf"
	if ! vm_start dst "$q" "$m" 2 -cpu "$cpu" -incoming defer; then
		echo "RESULT $n wrong dst-start"
		fail "crosshost: $n: the destination starts"
		continue
	fi
	vm_qmp dst migrate-incoming "{\"uri\": \"file:$f\"}" >/dev/null 2>&1
	res=""
	_end=$(deadline 60)
	while [ "$(now_ms)" -lt "$_end" ]; do
		if ! vm_alive dst; then
			rc=$(vm_wait_exit dst 1)
			msg=$(grep -v '^$' "$VMDIR/dst.log" | tr '\n' '|' | cut -c1-20000)
			if [ "$rc" != 0 ] && [ "$rc" -lt 128 ]; then res="refused $msg"; else res="wrong exit-$rc $msg"; fi
			break
		fi
		st=$(vm_status dst)
		if [ "$st" = paused ] || [ "$st" = running ]; then
			vm_qmp dst cont >/dev/null 2>&1
			if guest_wait_dump dst 15; then
				guest_regs dst >"$RIG_OUT/$n.regs-after"
				if cmp -s "/payload/streams/$n.regs" "$RIG_OUT/$n.regs-after"; then
					res="ok $(wc -l <"$RIG_OUT/$n.regs-after") registers identical"
				else
					res="wrong registers-differ $(diff "/payload/streams/$n.regs" "$RIG_OUT/$n.regs-after" | grep '^[-+][A-Z]' | head -n 2 | tr '\n' ' ')"
				fi
			else
				res="wrong no-guest-output"
			fi
			break
		fi
		sleep 0.2
	done
	[ -n "$res" ] || res="wrong timeout"
	cp "$VMDIR/dst.log" "$RIG_OUT/$n.dst.log" 2>/dev/null
	echo "RESULT $n $res"
	# here only whether the outcome is one of the two clean ones; which one is expected is
	# tests/crosshost/run's to judge (tests/crosshost/expected)
	case $res in
	ok* | refused*) pass "crosshost: $n: a clean outcome (${res%% *})" ;;
	*) fail "crosshost: $n: a clean outcome" "$(echo "$res" | cut -c1-200)" ;;
	esac
	vm_stop dst >/dev/null 2>&1
done
