#!/bin/sh
# A guest reset after a live migration, repeated (test audit 5.1): a migrated guest, which
# holds the source's lowered ID register field (src_boot), is reset on the destination (QMP
# system_reset) and must come up again, with all its vCPUs and the source's values
# (reset_check in rig/lib.sh). N rounds (default 4) of: unmodified QEMU 10.2.2 on virt-10.2,
# the series on virt-11.2 and on virt-11.1; where a reset does not reboot the guest, a
# second one is tried. tests/series/migrate.sh does one such reset in make check; this is
# the repeated form, with TRACE=1 for QEMU's vCPU ioctls and KVM's view (kprobes) of the
# reset (reliability.md R2). Run by name:
#   rig/run --kernel deb612 --env N=8 [--env TRACE=1] tests/series/reset.sh
# rig: kernels=ours,deb612
# rig: timeout=1800
# rig: tier=none
. /rig/lib.sh

# TRACE=1: QEMU's trace of the destination's vCPU ioctls and exits, from just before the
# first reset on (RIG_OUT/LABEL.rtrace), every vCPU's registers after it, and where the
# kernel has kprobe events, KVM's side for the first 3 s (RIG_OUT/LABEL.ktrace): the PC
# value each KVM_SET_ONE_REG of the PC writes, kvm_reset_vcpu() and kvm_handle_mmio_return()
T=""
kp_setup() {
	T=$(tracefs_dir)
	[ -n "$T" ] || { say "no kprobe events: QEMU's trace only"; return 0; }
	echo 0 >"$T/tracing_on"
	# KVM_REG_ARM64 | U64 | KVM_REG_ARM_CORE | regs.pc
	echo 'p:rst/setpc kvm_arm_set_reg id=+0($arg2):x64 val=+u0(+8($arg2)):x64' >>"$T/kprobe_events" &&
		echo 'id == 0x6030000000100040' >"$T/events/rst/setpc/filter"
	echo 'p:rst/reset kvm_reset_vcpu' >>"$T/kprobe_events"
	echo 'p:rst/mmioret kvm_handle_mmio_return' >>"$T/kprobe_events"
	grep rst "$T/kprobe_events" | sed 's/^/# kprobe: /'
	echo 4096 >"$T/buffer_size_kb"
}
[ "${TRACE:-0}" = 1 ] && kp_setup
trace_on() {
	[ "${TRACE:-0}" = 1 ] || return 0
	_toff=$(wc -c <"$VMDIR/$1.trace" 2>/dev/null || echo 0)
	for e in kvm_vcpu_ioctl kvm_run_exit; do
		vm_qmp "$1" trace-event-set-state "{\"name\": \"$e\", \"enable\": true}" >/dev/null
	done
	if [ -n "$T" ]; then
		echo >"$T/trace"
		echo 1 >"$T/events/rst/enable"
		echo 1 >"$T/tracing_on"
		(sleep 3; echo 0 >"$T/tracing_on") &
	fi
}
trace_off() {
	[ "${TRACE:-0}" = 1 ] || return 0
	for e in kvm_vcpu_ioctl kvm_run_exit; do
		vm_qmp "$2" trace-event-set-state "{\"name\": \"$e\", \"enable\": false}" >/dev/null
	done
	tail -c +$((_toff + 1)) "$VMDIR/$2.trace" >"$RIG_OUT/$1.rtrace" 2>/dev/null
	vm_hmp "$2" "info registers -a" >"$RIG_OUT/$1.regs-all" 2>&1
	if [ -n "$T" ]; then
		echo 0 >"$T/tracing_on"
		echo 0 >"$T/events/rst/enable"
		cat "$T/trace" >"$RIG_OUT/$1.ktrace"
	fi
}
[ "${TRACE:-0}" = 1 ] && DST_ARGS="-trace file=$VMDIR/dst.trace"

# after a failed reboot: does a second system_reset bring the guest up?
reset_again() {
	trace_on "$2"
	_rebooted=yes
	reset_check "$@" || _rebooted=no
	trace_off "$1" "$2"
	if [ $_rebooted = no ]; then
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
