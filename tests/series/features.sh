#!/bin/sh
# The kvm-arm-idregs section is an early_setup section (sent in the setup phase, before RAM):
# it must carry the ID registers with every way QEMU migrates or saves a VM, not only plain
# precopy. Each case starts a source whose ID_AA64ISAR0_EL1.CRC32 is lowered below the
# host's default (rig/lib.sh src_boot), moves the VM to a fresh destination (which would
# have the host's default) and checks that the guest there sees the lowered value:
#   multifd     multifd channels (RAM goes through them, the section in the main channel)
#   fresh       a source that booted rather than loaded a stream (-cpu host,pmu=off): the
#               values it sends are the ones read when the VM started
#   postcopy    postcopy-ram, switched to postcopy at once (the destination trace proves
#               that the switch happened: loadvm_postcopy_handle_run)
#   mapped-ram  file: migration with the mapped-ram capability
#   snapshot    savevm on the source's qcow2 disk, loadvm into a new VM that never ran
# rig: kernels=ours
# rig: timeout=600
# rig: tier=check
. /rig/lib.sh

W=/tmp/features
mkdir -p "$W"
U=tcp:127.0.0.1:4450

if ! ids_writable; then
	fail "features: the source can hold a lowered ID register" "this KVM cannot lower $LOWER_REG"
	exit 0
fi

# move LABEL URI POSTCOPY CAPS...: migrate src -> dst (started with -incoming defer) with
# these capabilities on both sides; with POSTCOPY=1 switch to postcopy at once. A file: URI
# is written by the source first, then read by the destination.
move() {
	_ml=$1 _mu=$2 _mp=$3
	shift 3
	case $_mu in
	file:*)
		qmp_ok src migrate-set-capabilities "$(caps "$@")" &&
			qmp_ok src migrate "{\"uri\": \"$_mu\"}" && wait_done src 60 &&
			qmp_ok dst migrate-set-capabilities "$(caps "$@")" &&
			qmp_ok dst migrate-incoming "{\"uri\": \"$_mu\"}" || {
			fail "$_ml: saved to and loaded from $_mu ($*)" "$(sed -n 's/.*"error-desc": "\([^"]*\)".*/\1/p' "$VMDIR/src.migrate") $(tail -n 3 "$VMDIR/dst.log" | tr '\n' ' ')"
			return 1
		}
		_end=$(deadline 60)
		while [ "$(vm_status dst)" != running ] && [ "$(now_ms)" -lt "$_end" ]; do
			vm_alive dst || break
			sleep 0.1
		done
		check "$_ml: saved to and loaded from $_mu ($*), destination running" \
			test "$(vm_status dst)" = running
		return
		;;
	esac
	qmp_ok dst migrate-set-capabilities "$(caps "$@")" &&
		qmp_ok dst migrate-incoming "{\"uri\": \"$_mu\"}" &&
		qmp_ok src migrate-set-capabilities "$(caps "$@")" &&
		qmp_ok src migrate "{\"uri\": \"$_mu\"}" || {
		fail "$_ml: migration starts" "$(tail -n 2 "$VMDIR/src.log" "$VMDIR/dst.log" | tr '\n' ' ')"
		return 1
	}
	[ "$_mp" = 1 ] && qmp_ok src migrate-start-postcopy
	if wait_done src 90; then
		pass "$_ml: migration completed ($*)"
		return 0
	fi
	fail "$_ml: migration completed ($*)" "$(sed -n 's/.*"error-desc": "\([^"]*\)".*/\1/p' "$VMDIR/src.migrate") $(tail -n 3 "$VMDIR/dst.log" | tr '\n' ' ')"
	return 1
}

# case LABEL URI POSTCOPY DSTARGS CAPS...
run_case() {
	_l=$1 _u=$2 _p=$3 _d=$4
	shift 4
	vm_stop src >/dev/null 2>&1
	vm_stop dst >/dev/null 2>&1
	if ! src_boot src patched virt-11.2 2; then
		fail "$_l: lowered source boots"
		return
	fi
	# shellcheck disable=SC2086
	if vm_start dst patched virt-11.2 2 -incoming defer $_d && move "$_l" "$_u" "$_p" "$@"; then
		guest_arrived "$_l" dst "$(guest_hb src)"
	fi
	vm_stop src
	vm_stop dst
}

run_case "multifd" "$U" 0 "" multifd

# a source that booted (was not loaded from a stream), so its values are the ones read when
# it started, with values of its own: -cpu host,pmu=off (PMUVer/PerfMon 0, which KVM lets
# userspace lower) into a -cpu host destination
l="fresh source, -cpu host,pmu=off"
if guest_boot src patched virt-11.2 2 -cpu host,pmu=off && guest_wait_dump src 20; then
	h=$(guest_hb_hash src)
	check "$l: its ID registers differ from the host's defaults ($h, default $DEF_HASH)" \
		test -n "$DEF_HASH" -a "$h" != "$DEF_HASH"
	if vm_start dst patched virt-11.2 2 -incoming defer && move "$l" "$U" 0; then
		if guest_wait_dump dst 20; then
			check "$l: the destination's guest sees the source's ID registers (hash $h)" \
				test "$(guest_hb_hash dst)" = "$h"
		else
			fail "$l: destination guest dumps its registers"
		fi
	fi
else
	fail "$l: source boots"
fi
vm_stop src
vm_stop dst

run_case "postcopy" "$U" 1 "-trace enable=loadvm_postcopy_handle_run,file=$W/dst-pc.trace" postcopy-ram
check "postcopy: the destination switched to postcopy (loadvm_postcopy_handle_run traced)" \
	grep -q loadvm_postcopy_handle_run "$W/dst-pc.trace"

rm -f "$W/mapped.mig"
run_case "mapped-ram" "file:$W/mapped.mig" 0 "" mapped-ram
rm -f "$W/mapped.mig"

# snapshot: savevm in the lowered source, loadvm into a new VM (host defaults) that never ran
l=snapshot
img=$W/disk.qcow2
rm -f "$img"
/opt/qemu-patched/bin/qemu-img create -q -f qcow2 "$img" 32M
disk="-drive file=$img,if=none,id=d0,format=qcow2"
# shellcheck disable=SC2086
if src_boot src patched virt-11.2 2 $disk; then
	r=$(vm_hmp src "savevm s0")
	check "$l: savevm s0 prints no error${r:+ ($r)}" test -z "$r"
	vm_stop src
	# shellcheck disable=SC2086
	if vm_start dst patched virt-11.2 2 -S $disk; then
		r=$(vm_hmp dst "loadvm s0")
		check "$l: loadvm s0 into a new VM prints no error${r:+ ($r)}" test -z "$r"
		vm_qmp dst cont >/dev/null
		if guest_wait_dump dst 20; then
			check_values "$l: the new VM" dst
		else
			fail "$l: the new VM's guest dumps its registers" "$(tail -n 2 "$VMDIR/dst.serial" | tr '\n' '|')"
		fi
	else
		fail "$l: new VM starts"
	fi
else
	fail "$l: lowered source boots with a qcow2 disk"
fi
vm_stop src
vm_stop dst
rm -f "$img"
