#!/bin/sh
# A VM's life around a migration, beyond one clean precopy run. Each case starts from a
# source whose ID_AA64ISAR0_EL1.CRC32 is lowered below the host's default (rig/lib.sh
# src_boot) or that has values of its own, so a destination that ended up with the host's
# defaults would fail the check:
#   cancel     a migration cancelled at the switchover point (pause-before-switchover: the
#              source has stopped the VM, the destination has loaded kvm-arm-idregs), then
#              retried to a new destination. The source must resume with its values, the
#              first destination must exit with status 1, the second must get the values.
#   paused     a source QEMU whose vCPUs never ran: it loaded a saved stream and stayed
#              paused. The destination must stay paused too, and run with the values once
#              continued (the series reads a stopped VM's registers when it saves).
#   prelaunch  a source started with -S (its vCPUs never entered KVM_RUN) with values of
#              its own (-cpu host,SYSREG_ID_AA64ISAR0_EL1_CRC32=0, a destination without the
#              property): the guest boots on the destination with them. (Not pmu=off into
#              a destination with a PMU: KVM then warns at the first vCPU reset,
#              tests/series/pmu-reset.sh and docs/reliability.md K3.)
#   jobs       the QMP snapshot-save / snapshot-load jobs (libvirt's internal snapshots): a
#              new VM that never ran reverts to the snapshot's values. On virt-11.2 and
#              virt-11.1 with the series, and across a QEMU upgrade and its rollback on
#              virt-10.2 (unmodified 10.2.2 saves, the series loads, and the reverse).
# On deb612 (no KVM_CAP_VM_ONE_REG) the series goes through one vCPU: both paths are covered.
# rig: kernels=ours,deb612
# rig: timeout=900
# rig: tier=full
. /rig/lib.sh

W=/tmp/lifecycle
mkdir -p "$W"
U=tcp:127.0.0.1:4460

if ! ids_writable; then
	fail "lifecycle: the source can hold a lowered ID register" "this KVM cannot lower $LOWER_REG"
	exit 0
fi

# mig_error NAME: the error-desc of NAME's last query-migrate, and its log's last lines
mig_error() {
	echo "$(vm_qmp "$1" query-migrate 2>/dev/null | sed -n 's/.*"error-desc": "\([^"]*\)".*/\1/p')" \
		"$(tail -n 2 "$VMDIR/$1.log" | tr '\n' ' ')"
}

# --- cancel at the switchover, then retry ---------------------------------------------------
l="cancel, then retry"
if src_boot src patched virt-11.2 2; then
	vm_start dst patched virt-11.2 2 -incoming defer \
		-trace "enable=kvm_arm_idregs_load_end,file=$W/dst1.trace" &&
		qmp_ok dst migrate-set-capabilities "$(caps return-path)" &&
		qmp_ok dst migrate-incoming "{\"uri\": \"$U\"}" &&
		qmp_ok src migrate-set-capabilities "$(caps return-path pause-before-switchover)" &&
		qmp_ok src migrate "{\"uri\": \"$U\"}"
	if wait_mig_status src pre-switchover 60; then
		pass "$l: the migration waits at the switchover (pre-switchover)"
		check "$l: the first destination has loaded the ID registers (kvm_arm_idregs_load_end ok 1)" \
			grep -q "kvm_arm_idregs_load_end.*ok 1" "$W/dst1.trace"
		qmp_ok src migrate_cancel
		check "$l: the migration is cancelled" wait_mig_status src cancelled 30
		check "$l: the source runs again" wait_status src running 10
		seq=$(guest_hb src)
		guest_arrived "$l: after the cancel" src "$seq"
		rc=$(vm_wait_exit dst 30)
		check "$l: the first destination exits with status 1 (got $rc)" test "$rc" = 1
		seq=$(guest_hb src)
		if vm_start dst patched virt-11.2 2 -incoming defer &&
			qmp_ok src migrate-set-capabilities "$(caps -off pause-before-switchover)" &&
			migrate src dst "$U" 90; then
			pass "$l: the retry completes"
			guest_arrived "$l: the retry" dst "$seq"
		else
			fail "$l: the retry completes" "$(mig_error src)"
		fi
	else
		fail "$l: the migration waits at the switchover" "status $(mig_status src): $(mig_error src)"
	fi
else
	fail "$l: lowered source boots"
fi
vm_stop src
vm_stop dst

# --- a paused source whose vCPUs never ran -----------------------------------------------------
l="a paused source that never ran"
if src_boot src patched virt-11.2 2; then
	seq=$(guest_hb src)
	if vm_save_file src "$W/paused.mig"; then
		vm_stop src
		if vm_start src patched virt-11.2 2 -incoming "file:$W/paused.mig" &&
			wait_status src paused 30; then
			pass "$l: the stream loads into a new source QEMU, paused"
			if vm_start dst patched virt-11.2 2 -incoming defer && migrate src dst "$U" 60; then
				pass "$l: the migration completes"
				check "$l: the destination stays paused" wait_status dst paused 10
				qmp_ok dst cont
				guest_arrived "$l" dst "$seq"
			else
				fail "$l: the migration completes" "$(mig_error src)"
			fi
		else
			fail "$l: the stream loads into a new source QEMU, paused" "$(tail -n 2 "$VMDIR/src.log" | tr '\n' ' ')"
		fi
	else
		fail "$l: the source saves to a file"
	fi
	rm -f "$W/paused.mig"
else
	fail "$l: lowered source boots"
fi
vm_stop src
vm_stop dst

# --- a source started with -S --------------------------------------------------------------
OWN=SYSREG_ID_AA64ISAR0_EL1_CRC32=0
l="a source started with -S (vCPUs never ran), -cpu host,$OWN"
# what such a guest sees, from a VM that boots normally
if guest_boot ref patched virt-11.2 2 -cpu "host,$OWN" && guest_wait_dump ref 20; then
	h=$(guest_hash ref)
	vm_stop ref
	check "$l: its ID registers differ from the host's defaults ($h, default $DEF_HASH)" \
		test -n "$DEF_HASH" -a -n "$h" -a "$h" != "$DEF_HASH"
	if vm_start src patched virt-11.2 2 -S -cpu "host,$OWN" && wait_status src prelaunch 10 &&
		vm_start dst patched virt-11.2 2 -incoming defer && migrate src dst "$U" 60; then
		pass "$l: the migration completes"
		check "$l: the destination has not started the VM" wait_status dst prelaunch 10
		qmp_ok dst cont
		if guest_wait_dump dst 40; then
			check "$l: the guest boots on the destination with the source's values (hash $h)" \
				test "$(guest_hash dst)" = "$h"
		else
			fail "$l: the guest boots on the destination" "$(tail -n 2 "$VMDIR/dst.serial" | tr '\n' '|')"
		fi
	else
		fail "$l: the migration completes" "$(mig_error src)"
	fi
else
	fail "$l: a reference guest boots with -cpu host,$OWN"
fi
vm_stop ref
vm_stop src
vm_stop dst

# --- snapshot-save / snapshot-load jobs ------------------------------------------------------
# job NAME COMMAND JOB-ID ARGS: run a snapshot job and wait until it concludes without error
job() {
	_jn=$1 _jc=$2 _ji=$3
	qmp_ok "$_jn" "$_jc" "{\"job-id\": \"$_ji\", $4}" || return 1
	_end=$(deadline 60)
	while [ "$(now_ms)" -lt "$_end" ]; do
		_js=$(vm_qmp "$_jn" query-jobs)
		case $_js in
		*'"status": "concluded"'*)
			vm_qmp "$_jn" job-dismiss "{\"id\": \"$_ji\"}" >/dev/null
			case $_js in
			*'"error"'*)
				say "$_jn: $_jc: $(echo "$_js" | sed -n 's/.*"error": "\([^"]*\)".*/\1/p')"
				return 1
				;;
			esac
			return 0
			;;
		esac
		sleep 0.2
	done
	say "$_jn: $_jc did not conclude: $_js"
	return 1
}

SNAP='"tag": "s0", "vmstate": "d0", "devices": ["d0"]'
# jobs_case SAVER LOADER MACHINE
jobs_case() {
	l="snapshot jobs, $1 saves, $2 loads, $3"
	img=$W/disk.qcow2
	rm -f "$img"
	/opt/qemu-patched/bin/qemu-img create -q -f qcow2 "$img" 32M
	blk="-blockdev driver=file,filename=$img,node-name=f0 -blockdev driver=qcow2,file=f0,node-name=d0"
	# shellcheck disable=SC2086
	if ! src_boot src "$1" "$3" 2 $blk; then
		fail "$l: lowered source boots with a qcow2 disk"
		vm_stop src
		return
	fi
	seq=$(guest_hb src)
	check "$l: snapshot-save concludes without error" job src snapshot-save save0 "$SNAP"
	guest_arrived "$l: the source after snapshot-save" src "$seq"
	vm_stop src
	# shellcheck disable=SC2086
	if vm_start dst "$2" "$3" 2 -S $blk; then
		if job dst snapshot-load load0 "$SNAP"; then
			pass "$l: snapshot-load into a new VM concludes without error"
			qmp_ok dst cont
			guest_arrived "$l: the reverted VM" dst "$seq"
		else
			fail "$l: snapshot-load into a new VM concludes without error"
		fi
	else
		fail "$l: the new VM starts"
	fi
	vm_stop dst
	rm -f "$img"
}

jobs_case patched patched virt-11.2
jobs_case patched patched virt-11.1
jobs_case base patched virt-10.2
jobs_case patched base virt-10.2
