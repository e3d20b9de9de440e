#!/bin/sh
# A guest reset after a live migration (test audit 5.1): a migrated guest, which holds the
# source's lowered ID register field (src_boot), is reset on the destination (QMP
# system_reset) and must come up again, with all its vCPUs and the source's values
# (reset_check in rig/lib.sh). N rounds (default 4) of: unmodified QEMU 10.2.2 on virt-10.2,
# the series on virt-11.2 and on virt-11.1. A destination whose guest does not reboot is
# reset a second time, and the scenario says whether that one works.
#
# Tier none: on Debian's 6.12 some resets after a migration leave the guest hung (devices
# reset, vCPU 0 not restarted), with unmodified QEMU too (docs/reliability.md, K3), so this
# scenario is a reproducer, run by name: rig/run --kernel deb612 --env N=8 tests/series/reset.sh
# rig: kernels=ours,deb612
# rig: timeout=1800
# rig: tier=none
. /rig/lib.sh

# TRACE=1: QEMU's trace of the destination's vCPU ioctls and exits, from just before the
# first reset on (RIG_OUT/LABEL.rtrace), and every vCPU's registers after it
trace_on() {
	[ "${TRACE:-0}" = 1 ] || return 0
	_toff=$(wc -c <"$VMDIR/$1.trace" 2>/dev/null || echo 0)
	for e in kvm_vcpu_ioctl kvm_run_exit; do
		vm_qmp "$1" trace-event-set-state "{\"name\": \"$e\", \"enable\": true}" >/dev/null
	done
}
trace_off() {
	[ "${TRACE:-0}" = 1 ] || return 0
	for e in kvm_vcpu_ioctl kvm_run_exit; do
		vm_qmp "$2" trace-event-set-state "{\"name\": \"$e\", \"enable\": false}" >/dev/null
	done
	tail -c +$((_toff + 1)) "$VMDIR/$2.trace" >"$RIG_OUT/$1.rtrace" 2>/dev/null
	vm_hmp "$2" "info registers -a" >"$RIG_OUT/$1.regs-all" 2>&1
}
[ "${TRACE:-0}" = 1 ] && DST_ARGS="-trace file=$VMDIR/dst.trace"

# after a failed reboot: does a second system_reset bring the guest up?
reset_again() {
	trace_on "$2"
	_ok=0
	reset_check "$@" || _ok=1
	trace_off "$1" "$2"
	if [ $_ok != 0 ]; then
		if reset_check "$1 (second reset)" "$2" "$3"; then
			say "$1: the second system_reset rebooted the guest"
		else
			say "$1: the second system_reset did not reboot the guest either"
		fi
	fi
}
AFTER_MIG=reset_again
SMP=${SMP:-4}
i=0
while [ $i -lt "${N:-4}" ]; do
	live_migrate_test "base-v10.2-$i" base base virt-10.2 "$SMP" "tcp:127.0.0.1:4444"
	live_migrate_test "patched-v11.2-$i" patched patched virt-11.2 "$SMP" "tcp:127.0.0.1:4444"
	live_migrate_test "patched-v11.1-$i" patched patched virt-11.1 "$SMP" "tcp:127.0.0.1:4444"
	i=$((i + 1))
done
AFTER_MIG=""
