#!/bin/sh
# Kernel refusals, each with the documented message and a clean exit, and nothing lost:
#   - a value the destination's KVM cannot adopt (-EINVAL): register, field, both values,
#     writable mask; on Linux < 6.7 (deb61) the same, plus the hint that the kernel
#     predates writable ID registers; a lowered value is adopted where fields are writable;
#   - -EBUSY: "loadvm" of an internal qcow2 snapshot into a VM that has already run and
#     whose ID registers differ from the snapshot's is refused (and the same loadvm with
#     equal values succeeds); the refused VM stays stopped and runs again with its own
#     ID registers after "cont" (QEMU resets the machine before loading a snapshot);
#   - a live migration (return path on) whose destination refuses the ID registers: the
#     destination exits 1, the source stays running, a retry to a good destination works.
# -ENOENT (a register the destination's KVM does not know) cannot be produced from a
# stream on the rig's kernels: every one lists the whole VM-scoped ID space, and QEMU
# filters ids its host does not list before it calls KVM. See docs/reliability.md.
# rig: kernels=ours,deb61
# rig: timeout=300
# rig: tier=check
. /rig/lib.sh
. /tests/faults/faults.inc

fl_need_mutate || exit 0
D=$RIG_OUT/faults
W=/tmp/faults
mkdir -p "$D" "$W"
immutable=0
[ "$RIG_KERNEL" = deb61 ] && immutable=1

# --- -EINVAL / immutable ------------------------------------------------------------------
src=$W/src.mig
if ! fl_save rsrc patched virt-11.2 2 "$src"; then
	fail "refusals: source VM saved"
	exit 0
fi
vm_stop rsrc
$MUTATE -p "$src" >"$D/refusals-source.regs"
# guest_continues NAME HB HASH: NAME runs, heartbeats after HB, with ID register hash HASH
guest_continues() {
	[ "$(vm_status "$1")" = running ] && guest_wait_hb "$1" "$2" 10 &&
		[ "$(guest_hb_hash "$1")" = "$3" ]
}
# hb_after NAME LINE: the first complete heartbeat line NAME's guest printed after line LINE
# of its serial output (waits up to 15 s)
hb_after() {
	_e=$(deadline 15)
	while [ "$(now_ms)" -lt "$_e" ]; do
		_hb=$(tail -n +$(($2 + 1)) "$VMDIR/$1.serial" | grep -a '^HB [0-9]* .*c=' | head -n 1)
		[ -z "$_hb" ] || { echo "$_hb"; return 0; }
		sleep 0.2
	done
	return 1
}
regval() { awk -v r="$1" '$4 == r { print $3 }' "$D/refusals-source.regs"; }

mmfr0=$(regval ID_AA64MMFR0_EL1)
if [ -z "$mmfr0" ]; then
	fail "refusals: the mutator reads ID_AA64MMFR0_EL1 from the source stream"
	exit 1
fi
pa=$((mmfr0 & 15))
$MUTATE -F "ID_AA64MMFR0_EL1:0:4:$((pa + 1))" "$src" "$W/raise.mig" "$W/raise.meta"
say "raise: $(sed -n 's/^desc=//p' "$W/raise.meta")"
old=$(sed -n 's/^old=//p' "$W/raise.meta") new=$(sed -n 's/^new=//p' "$W/raise.meta")
hint_old="this host.s KVM predates writable ID registers, Linux < 6.7: it accepts hardly any change to them"
if [ $immutable = 1 ]; then
	fl_case "Linux < 6.7: raised PARANGE refused, naming register, field, both values" "$W/raise.mig" refuse \
		"ID_AA64MMFR0_EL1: KVM refused the source.s value $new \(Invalid argument\); destination $old: SYSREG_ID_AA64MMFR0_EL1_PARANGE\[3:0\] source 0x$(printf %x $((pa + 1))), destination 0x$(printf %x $pa)"
	fl_case "Linux < 6.7: the refusal explains that the kernel predates writable ID registers" \
		"$W/raise.mig" refuse "$hint_old"
else
	fl_case "EINVAL: raised ID_AA64MMFR0_EL1.PARANGE refused with register, field, values, mask" \
		"$W/raise.mig" refuse \
		"ID_AA64MMFR0_EL1: KVM refused the source.s value $new \(Invalid argument\); destination $old: SYSREG_ID_AA64MMFR0_EL1_PARANGE\[3:0\] source 0x$(printf %x $((pa + 1))), destination 0x$(printf %x $pa) \((not |partly )?writable\); writable mask 0x[0-9a-f]{16}"
	# QMP clients (libvirt: query-migrate's error-desc) get the error without its hint
	fields="SYSREG_ID_AA64MMFR0_EL1_PARANGE\[3:0\] source 0x$(printf %x $((pa + 1))), destination 0x$(printf %x $pa) \((not |partly )?writable\)"
	check "EINVAL: the error itself, without the hint, names the register, the errno, the field and both values" \
		grep -q -E "cannot restore 1 ID register\(s\) through KVM_SET(_VM)?_ONE_REG: ID_AA64MMFR0_EL1 \(Invalid argument\): $fields$" \
		"$VMDIR/fcase.log"
	# ... and over QMP, as libvirt reads it: a destination that stays up after the failed
	# load (migrate-incoming exit-on-error=false) reports it in query-migrate's error-desc
	l="EINVAL over QMP: query-migrate's error-desc names the register, the errno, the field and both values"
	fl_qemu_start qmpdst -cpu host -incoming defer
	if fl_wait_qmp qmpdst; then
		vm_qmp qmpdst migrate-incoming \
			"{\"uri\": \"file:$W/raise.mig\", \"exit-on-error\": false}" >/dev/null 2>&1
		_e=$(deadline 20)
		q="" desc=""
		while [ "$(now_ms)" -lt "$_e" ]; do
			q=$(vm_qmp qmpdst query-migrate 2>/dev/null | tr '\n' ' ')
			case $q in *'"status": "failed"'*) break ;; esac
			sleep 0.2
		done
		desc=$(echo "$q" | sed -n 's/.*"error-desc": "\([^"]*\)".*/\1/p')
		if echo "$desc" | grep -q -E "ID_AA64MMFR0_EL1 \(Invalid argument\): $fields"; then
			pass "$l: $(echo "$desc" | sed 's/.*: cannot restore/cannot restore/')"
		else
			fail "$l" "error-desc '${desc:-none}' ($(echo "$q" | cut -c1-300))"
		fi
		check "EINVAL over QMP: the destination stays up after the failed load" vm_alive qmpdst
	else
		fail "$l" "destination did not start: $(head -n 3 "$VMDIR/qmpdst.log" | tr '\n' ' ')"
	fi
	vm_stop qmpdst
fi

# a lowered field, ID_AA64ISAR0_EL1.CRC32 (1 on the rig's L1 CPUs, writable since Linux 6.7):
# adopted where ID registers are writable, refused on Linux < 6.7
lowered=ID_AA64ISAR0_EL1:16:4
crc=$((($(regval ID_AA64ISAR0_EL1) >> 16) & 15))
if [ "$crc" = 0 ] || ! $MUTATE -F "$lowered:$((crc - 1))" "$src" "$W/lower.mig" "$W/lower.meta"; then
	fail "lowered ID_AA64ISAR0_EL1.CRC32: a stream with CRC32 lowered (source CRC32 = $crc)"
	lowered=""
elif [ $immutable = 1 ]; then
	FL_WANT=$(sed -n 's/^hash=//p' "$W/lower.meta")
	fl_case "Linux < 6.7: lowered ID_AA64ISAR0_EL1[19:16] refused, the kernel named as the reason" \
		"$W/lower.mig" refuse "$hint_old"
else
	FL_WANT=$(sed -n 's/^hash=//p' "$W/lower.meta")
	fl_load fcase "$W/lower.mig" 20
	if [ "$FL_OUT" = accepted ] && fl_guest_ok fcase "$FL_WANT" "$FL_HB"; then
		pass "lowered ID_AA64ISAR0_EL1.CRC32 $crc -> $((crc - 1)) adopted: the guest continues and sees it (hash $FL_WANT)"
	else
		fail "lowered ID_AA64ISAR0_EL1.CRC32 adopted" "$FL_OUT: ${FL_WHY:-$(fl_errline "$VMDIR/fcase.log")}"
		lowered=""
	fi
	fl_quit fcase
fi
FL_WANT=""

# --- -EBUSY: loadvm into a VM that has run ---------------------------------------------------
if [ $immutable = 1 ]; then
	skip "EBUSY (loadvm into a VM that has run)" "Linux < 6.7 cannot change ID registers at all"
elif [ -z "$lowered" ]; then
	fail "EBUSY (loadvm into a VM that has run)" "not run: no adoptable lowered value"
else
	img=$W/disk.qcow2
	/opt/qemu-patched/bin/qemu-img create -q -f qcow2 "$img" 32M
	disk="-drive file=$img,if=none,id=d0,format=qcow2"
	# shellcheck disable=SC2086
	if guest_boot snapa patched virt-11.2 2 $disk; then
		# HMP reports errors as text with QMP success: both commands must print nothing, and
		# after the loadvm the heartbeat must go back to the snapshot's
		r=$(vm_hmp snapa "savevm s0")
		h0=$(guest_hb_hash snapa) s0=$(guest_hb snapa)
		check "savevm s0 prints no error${r:+ ($r)}" test -z "$r"
		guest_wait_hb snapa $((${s0:-0} + 3)) 20
		s1=$(guest_hb snapa) l0=$(wc -l <"$VMDIR/snapa.serial")
		r=$(vm_hmp snapa "loadvm s0")
		check "loadvm s0 into the VM that saved it (has run, equal ID registers) prints no error${r:+ ($r)}" \
			test -z "$r"
		s2=$(hb_after snapa "$l0" | awk '{ print $2 }')
		if [ -n "$s2" ] && [ "$s2" -le "$s1" ] && guest_continues snapa "$s2" "$h0"; then
			pass "loadvm s0: the guest went back to the snapshot (heartbeat $s1 -> $s2, snapshot at $s0) and runs with the same ID registers"
		else
			fail "loadvm s0: the guest goes back to the snapshot" "heartbeat before $s1, after: ${s2:-none}, status $(vm_status snapa), hash $(guest_hb_hash snapa) (want $h0)"
		fi
		vm_qmp snapa stop >/dev/null
		vm_qmp snapa migrate "{\"uri\": \"file:$W/snapa.mig\"}" >/dev/null
		_e=$(deadline 20)
		while [ "$(now_ms)" -lt "$_e" ]; do
			st=$(vm_qmp snapa query-migrate | sed -n 's/.*"status": "\([a-z-]*\)".*/\1/p')
			[ "$st" = completed ] || [ "$st" = failed ] && break
			sleep 0.1
		done
		FL_HB=$(guest_hb snapa)
		vm_stop snapa
		lr=${lowered%%:*} ls=$(echo "$lowered" | cut -d: -f2)
		lv=$($MUTATE -p "$W/snapa.mig" | awk -v r="$lr" '$4 == r { print $3 }')
		$MUTATE -F "$lowered:$((((lv >> ls) & 15) - 1))" "$W/snapa.mig" "$W/snapb.mig" "$W/snapb.meta"
		want=$(sed -n 's/^hash=//p' "$W/snapb.meta")
		say "snapshot VM B: $(sed -n 's/^desc=//p' "$W/snapb.meta")"
		# shellcheck disable=SC2086
		fl_load snapb "$W/snapb.mig" 20 $disk
		if [ "$FL_OUT" = accepted ] && fl_guest_ok snapb "$want" "$FL_HB"; then
			r=$(vm_hmp snapb "loadvm s0")
			say "loadvm s0 into B: $(echo "$r" | tr '\n' '|')"
			echo "$r" >"$D/ebusy-loadvm.txt"
			if echo "$r" | grep -q -E "KVM refused the source.s value 0x[0-9a-f]{16} \(Device or resource busy\): the VM has already run, its ID registers can no longer change"; then
				pass "EBUSY: loadvm of a snapshot with other ID registers into a VM that has run is refused, naming the register and why"
			else
				fail "EBUSY: loadvm refused with the documented message" "$(echo "$r" | tr '\n' '|' | cut -c1-400)"
			fi
			echo "$r" | grep -q -E "$(sed -n 's/^name=//p' "$W/snapb.meta"): " &&
				pass "EBUSY: the message names $(sed -n 's/^name=//p' "$W/snapb.meta")" ||
				fail "EBUSY: the message names the register"
			# QEMU resets the machine before it loads a snapshot (load_snapshot()), so a
			# refused loadvm leaves a reset VM that must not run by itself
			st=$(vm_status snapb)
			if [ "$st" = restore-vm ] && [ ! -f "$VMDIR/snapb.rc" ]; then
				pass "EBUSY: after the refused loadvm QEMU is alive and the VM stays stopped ($st)"
			else
				fail "EBUSY: after the refused loadvm the VM stays stopped" "status $st"
			fi
			# "cont": the reset guest boots again, with the VM's ID registers (not the snapshot's)
			l0=$(wc -l <"$VMDIR/snapb.serial")
			vm_qmp snapb cont >/dev/null
			h=$(hb_after snapb "$l0" | sed -n 's/.*hash=\([0-9a-fx]*\).*/\1/p')
			if [ "$(vm_status snapb)" = running ] && [ "$h" = "$want" ]; then
				pass "EBUSY: after cont the (reset) guest runs with the VM's ID registers, not the snapshot's (hash $h)"
			else
				fail "EBUSY: after cont the guest runs with the VM's ID registers" "status $(vm_status snapb), hash ${h:-none} (want $want)"
			fi
		else
			fail "EBUSY: VM B loads the lowered stream" "$FL_OUT: $(fl_errline "$VMDIR/snapb.log")"
		fi
		fl_quit snapb
		cp "$VMDIR/snapb.log" "$D/ebusy-snapb.log" 2>/dev/null
	else
		fail "EBUSY: VM with a qcow2 disk boots"
	fi
	vm_stop snapa
fi

# --- a live migration refused by the destination: the source survives ------------------------
vm_stop src >/dev/null 2>&1
# the source holds a lowered field (rig/lib.sh src_boot): the retry must carry it
if src_boot src patched virt-11.2 2; then
	h0=$(guest_hash src)
	fl_qemu_start ldst -cpu host,sve=off -incoming defer
	fl_wait_qmp ldst
	if migrate src ldst tcp:127.0.0.1:4444 30; then
		fail "live migration to a destination without SVE is refused" "it completed"
	else
		_e=$(deadline 10)
		while [ ! -f "$VMDIR/ldst.rc" ] && [ "$(now_ms)" -lt "$_e" ]; do sleep 0.1; done
		st=$(cat "$VMDIR/ldst.rc" 2>/dev/null || echo running)
		cp "$VMDIR/ldst.log" "$D/live-refused-dst.log"
		say "refused: destination exit $st: $(fl_errline "$VMDIR/ldst.log")"
		if [ "$st" != running ] && [ "$st" -gt 0 ] && [ "$st" -lt 128 ] &&
			grep -q -E "$(fl_field_re ID_AA64PFR0_EL1 SVE)" "$VMDIR/ldst.log"; then
			pass "live migration refused by the destination (no SVE): clean exit $st, message names ID_AA64PFR0_EL1.SVE and both values"
		else
			fail "live migration refused cleanly, naming ID_AA64PFR0_EL1.SVE" "exit $st: $(fl_errline "$VMDIR/ldst.log")"
		fi
		fl_kill ldst
		s=$(guest_hb src)
		st=$(vm_status src)
		if [ "$st" = running ] && guest_wait_hb src "$s" 10; then
			pass "the source is running after the refused migration (heartbeat $(guest_hb src))"
		else
			fail "the source is running after the refused migration" "status $st"
		fi
		fl_qemu_start gdst -cpu host -incoming defer
		fl_wait_qmp gdst
		if migrate src gdst tcp:127.0.0.1:4445 60; then
			s=$(guest_hb src)
			if guest_continues gdst "$s" "$h0"; then
				pass "retry to a good destination succeeds: the guest continues with the source's ID registers ($h0${LOW_HASH:+, lowered; host default $DEF_HASH})"
			else
				fail "retry to a good destination: guest continues" "status $(vm_status gdst), hash $(guest_hb_hash gdst) vs $h0"
			fi
		else
			fail "retry to a good destination succeeds" "$(sed -n 's/.*"error-desc": "\([^"]*\)".*/\1/p' "$VMDIR/src.migrate")"
		fi
		fl_quit gdst
	fi
else
	fail "live migration: source boots"
fi
vm_stop src
skip "ENOENT from a stream" "unreachable on the rig's kernels: all list the whole VM-scoped ID space (the kernel selftest covers -ENOENT at the ioctl level)"
