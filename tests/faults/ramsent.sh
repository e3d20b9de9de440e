#!/bin/sh
# How far a live migration gets before the destination refuses the kvm-arm-idregs section:
# RAM the source had sent when it learned of the refusal (query-migrate's ram counters on
# the source) and RAM pages the destination had loaded (its ram_load_loop trace), with the
# return path on (as libvirt does) and off (tunnelled migration). The destination refuses
# because it has no SVE (-cpu host,sve=off) and the source's ID_AA64PFR0_EL1.SVE is 1.
# Results are figures for docs/reliability.md ("RAM sent before a refusal") plus the
# outcome each case pins.
# rig: kernels=ours
# rig: timeout=240
# rig: tier=check
. /rig/lib.sh

U=tcp:127.0.0.1:4446
# jnum FILE KEY: the first number after "KEY": in a QMP reply
jnum() { sed -n "s/.*\"$2\": \([0-9]*\).*/\1/p" "$1" | head -n 1; }

for rp in true false; do
	l="refused live migration, return path $([ $rp = true ] && echo on || echo off)"
	vm_stop src >/dev/null 2>&1
	vm_stop dst >/dev/null 2>&1
	if ! guest_boot src patched virt-11.2 2; then
		fail "$l: source guest boots"
		continue
	fi
	vm_start dst patched virt-11.2 2 -incoming defer -cpu host,sve=off \
		-trace "enable=ram_load_loop,file=$VMDIR/dst.trace" \
		-trace "enable=qemu_loadvm_state_section_startfull,file=$VMDIR/dst.trace"
	for v in dst src; do
		vm_qmp $v migrate-set-capabilities \
			"{\"capabilities\": [{\"capability\": \"return-path\", \"state\": $rp}]}" >/dev/null
	done
	vm_qmp dst migrate-incoming "{\"uri\": \"$U\"}" >/dev/null
	vm_qmp src migrate "{\"uri\": \"$U\"}" >/dev/null
	# query-migrate has RAM counters only while the migration is active (or completed): the
	# last reply that has them is what the source had sent by then
	st="" _end=$(deadline 30)
	rm -f "$VMDIR/src.ram"
	while [ "$(now_ms)" -lt "$_end" ]; do
		vm_qmp src query-migrate >"$VMDIR/src.migrate" 2>&1
		grep -q '"ram": {' "$VMDIR/src.migrate" && cp "$VMDIR/src.migrate" "$VMDIR/src.ram"
		st=$(sed -n 's/.*"status": "\([a-z-]*\)".*/\1/p' "$VMDIR/src.migrate")
		case $st in completed | failed | cancelled) break ;; esac
		sleep 0.05
	done
	drc=$(vm_wait_exit dst 10)
	cp "$VMDIR/src.migrate" "$RIG_OUT/ramsent-rp-$rp.migrate"
	cp "$VMDIR/dst.trace" "$RIG_OUT/ramsent-rp-$rp.dst.trace" 2>/dev/null
	# the destination: refused naming the field, and how far its load got
	if [ "$drc" = 1 ] && grep -q "ID_AA64PFR0_EL1" "$VMDIR/dst.log" && grep -q "SVE" "$VMDIR/dst.log"; then
		pass "$l: destination refuses (exit 1) naming ID_AA64PFR0_EL1.SVE"
	else
		fail "$l: destination refuses naming ID_AA64PFR0_EL1.SVE" "exit $drc: $(grep -v warning: "$VMDIR/dst.log" | head -n 2 | tr '\n' ' ')"
	fi
	secs=$(sed -n 's/.*qemu_loadvm_state_section_startfull [0-9]*(\([^)]*\)).*/\1/p' "$VMDIR/dst.trace" | tr '\n' ' ')
	# page records: ram_load_loop lines other than MEM_SIZE (0x4) and EOS (0x10)
	pages=$(grep 'ram_load_loop' "$VMDIR/dst.trace" | grep -c -v -E 'flags: 0x(4|10) ')
	say "$l: destination loaded the sections: ${secs:-none}; RAM page records loaded: $pages"
	check "$l: the destination loaded no RAM page before refusing ($pages)" test "$pages" = 0
	check "$l: kvm-arm-idregs was the section the destination stopped at" \
		test "$(echo "$secs" | awk '{ print $NF }')" = kvm-arm-idregs
	# the source: how much it had sent, and its state now
	tx="" np=""
	if [ -f "$VMDIR/src.ram" ]; then
		sed -n 's/.*"ram": {\([^}]*\)}.*/{\1}/p' "$VMDIR/src.ram" >"$VMDIR/ram.json"
		tx=$(jnum "$VMDIR/ram.json" transferred) np=$(jnum "$VMDIR/ram.json" normal)
	fi
	say "$l: source status $st; last RAM counters seen while active: ${tx:-none} bytes transferred, ${np:-none} normal pages (64 MiB guest); VM $(vm_status src)"
	echo "return-path=$rp status=$st ram_transferred=${tx:-none} normal_pages=${np:-none} dst_pages=$pages dst_sections=$secs" \
		>>"$RIG_OUT/ramsent.txt"
	if [ $rp = true ]; then
		check "$l: the source learns of the refusal (status '$st', must be failed)" test "$st" = failed
		source_survives "$l: the source VM runs again" src
	else
		# without a return path the source learns only from the socket: it either
		# fails on the closed connection or has already handed the whole stream to it
		case $st in
		failed) check "$l: the source VM runs again after the failed send" test "$(vm_status src)" = running ;;
		completed) check "$l: the source believes it completed and stays paused (postmigrate): recovery is the management's job" \
			test "$(vm_status src)" = postmigrate ;;
		*) fail "$l: the source ends the migration" "status '$st'" ;;
		esac
	fi
	vm_stop src
	vm_stop dst
done
