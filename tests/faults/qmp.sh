#!/bin/sh
# QMP/HMP misuse: the commands the series adds (QMP x-query-arm-idregs, HMP "info idregs") and
# its device (kvm-arm-idregs), where they make no sense or at awkward times. Each must answer
# with a result or an error that says what is wrong, and QEMU must stay up (never a signal).
#   - a machine with no CPU (-M none -accel kvm: what management tools start for probing);
#   - -M none with a CPU; the qtest accelerator (no KVM);
#   - before the first run (-S), during an incoming migration (-incoming defer), after a
#     refused incoming migration (exit-on-error=false);
#   - the device given by the user (-device, device_add): not user-creatable.
# (TCG: scripts/smoke.sh asks the native x86_64 TCG build the same questions.)
# rig: kernels=ours,deb612
# rig: timeout=240
# rig: tier=check
. /rig/lib.sh

G=$GUEST

# start NAME ARGS...: the patched QEMU with a QMP socket and no guest output; 0 once the
# monitor is up
start() {
	_sn=$1
	shift
	qemu_spawn "$_sn" patched "$@"
	qemu_wait_qmp "$_sn"
}

# ask NAME LABEL EXPECT REGEXP COMMAND [ARGS]: run a QMP command; EXPECT is "error" (the
# error's desc must match REGEXP) or "result" (the return value must match REGEXP); QEMU must
# still answer query-status afterwards
ask() {
	_n=$1 _l=$2 _x=$3 _re=$4
	shift 4
	_out=$(qmp -w 20 "$VMDIR/$_n.qmp" "$@" 2>&1)
	_rc=$?
	_ok=0
	case $_x:$_rc in
	error:1) echo "$_out" | grep -q -E "$_re" && _ok=1 ;;
	result:0) echo "$_out" | grep -q -E "$_re" && _ok=1 ;;
	esac
	_st=$(vm_status "$_n")
	if [ $_ok = 1 ] && [ "$_st" != dead ]; then
		pass "$_l: $_x ($(echo "$_out" | tr '\n' ' ' | cut -c1-150)); QEMU still up ($_st)"
	else
		fail "$_l" "expected $_x /$_re/, got exit $_rc: $(echo "$_out" | tr '\n' ' ' | cut -c1-200); QEMU: $_st, exit status $(cat "$VMDIR/$_n.rc" 2>/dev/null || echo none)"
	fi
}

# hmp NAME LABEL REGEXP: HMP "info idregs" prints text matching REGEXP, QEMU stays up
hmp() {
	_out=$(vm_hmp "$1" "info idregs" 2>&1)
	if echo "$_out" | grep -q -E "$3" && [ "$(vm_status "$1")" != dead ]; then
		pass "$2: info idregs: $(echo "$_out" | head -n 1 | cut -c1-120)"
	else
		fail "$2: info idregs" "expected /$3/, got: $(echo "$_out" | head -n 2 | tr '\n' ' '); QEMU: $(vm_status "$1"), exit status $(cat "$VMDIR/$1.rc" 2>/dev/null || echo none)"
	fi
}

stop() {
	vm_stop "$1"
	cp "$VMDIR/$1.log" "$RIG_OUT/qmp-$1.log" 2>/dev/null
}

NOCPU="no vCPU|no CPU|without a CPU|has no CPU"
# --- no CPU at all ---
if start nocpu -M none -accel kvm -S; then
	ask nocpu "-M none -accel kvm (no CPU): x-query-arm-idregs" error "$NOCPU" x-query-arm-idregs
	hmp nocpu "-M none -accel kvm (no CPU)" "$NOCPU"
else
	fail "-M none -accel kvm starts" "$(head -n 2 "$VMDIR/nocpu.log")"
fi
stop nocpu

# --- -M none with a CPU: a vCPU exists, the machine has no per-VM section ---
if start onecpu -M none -accel kvm -cpu host -S; then
	ask onecpu "-M none -accel kvm -cpu host: x-query-arm-idregs" result 'migrated with every vCPU' x-query-arm-idregs
else
	fail "-M none -accel kvm -cpu host starts" "$(head -n 2 "$VMDIR/onecpu.log")"
fi
stop onecpu

# --- the qtest accelerator: no KVM ---
if start qt -M virt-11.2 -accel qtest; then
	ask qt "-accel qtest: x-query-arm-idregs" error "only available with KVM" x-query-arm-idregs
	hmp qt "-accel qtest" "only available with KVM"
else
	fail "-M virt-11.2 -accel qtest starts" "$(head -n 2 "$VMDIR/qt.log")"
fi
stop qt

# --- before the first run, per machine type ---
for m in virt-11.2 virt-10.2; do
	want="once per VM"
	[ $m = virt-10.2 ] && want="with every vCPU"
	if start pre -M "$m,gic-version=3" -accel kvm -cpu host -smp 2 -m 64 -kernel "$G" -S; then
		ask pre "$m before the first run (-S): x-query-arm-idregs" result \
			"migrated $want.*ID_AA64PFR0_EL1 +0x[0-9a-f]{16}" x-query-arm-idregs
		hmp pre "$m before the first run" "migrated $want"
		# the device is the machine's, not the user's
		ask pre "$m: device_add kvm-arm-idregs" error "expects a pluggable device type" \
			device_add '{"driver": "kvm-arm-idregs"}'
	else
		fail "$m -S starts" "$(head -n 2 "$VMDIR/pre.log")"
	fi
	stop pre
done

# -device kvm-arm-idregs on the command line: refused at start-up with a message, no signal
start dev -M virt-10.2,gic-version=3 -accel kvm -cpu host -m 64 -device kvm-arm-idregs
_end=$(deadline 10)
while [ ! -f "$VMDIR/dev.rc" ] && [ "$(now_ms)" -lt "$_end" ]; do sleep 0.05; done
rc=$(cat "$VMDIR/dev.rc" 2>/dev/null || echo running)
if [ "$rc" = 1 ] && grep -q -E "kvm-arm-idregs" "$VMDIR/dev.log"; then
	pass "-device kvm-arm-idregs: refused at start-up, exit 1 ($(head -n 1 "$VMDIR/dev.log" | cut -c1-120))"
else
	fail "-device kvm-arm-idregs refused at start-up" "exit status $rc: $(head -n 2 "$VMDIR/dev.log" | tr '\n' ' ')"
fi
stop dev

# --- during an incoming migration, and after a refused one ---
if start inc -M virt-11.2,gic-version=3 -accel kvm -cpu host -smp 2 -m 64 -kernel "$G" -incoming defer; then
	ask inc "virt-11.2 waiting for an incoming migration: x-query-arm-idregs" result 'migrated once per VM' x-query-arm-idregs
	printf 'QEVM garbage\n' >"$VMDIR/garbage.mig"
	qmp "$VMDIR/inc.qmp" migrate-incoming \
		"{\"uri\": \"file:$VMDIR/garbage.mig\", \"exit-on-error\": false}" >/dev/null 2>&1
	_end=$(deadline 10)
	while [ "$(now_ms)" -lt "$_end" ]; do
		qmp "$VMDIR/inc.qmp" query-migrate 2>/dev/null | grep -q '"status": "failed"' && break
		sleep 0.1
	done
	ask inc "virt-11.2 after a refused incoming migration: x-query-arm-idregs" result 'migrated once per VM' x-query-arm-idregs
	hmp inc "virt-11.2 after a refused incoming migration" "migrated once per VM"
else
	fail "virt-11.2 -incoming defer starts" "$(head -n 2 "$VMDIR/inc.log")"
fi
stop inc
