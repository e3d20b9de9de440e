#!/bin/sh
# Benchmark (issue 8): the cost of migrating the VM-scoped ID registers vs the vCPU count,
# unpatched QEMU vs the series, in one L1 boot. bench/run.sh (make bench) runs it on our
# kernel and on Debian 6.12, then bench/analyze.py turns the files into a table and a plot.
# It takes minutes, so its tier is "none": the suites skip it; run it by name
# (rig/run tests/bench/idregs.sh), or through bench/run.sh.
#
# Configurations (same guest, same L1, -M <machine> -cpu host -smp N -m 64):
#   upstream       unpatched QEMU 10.2.2, virt-10.2: ID registers in every vCPU's cpreg list
#   patched        the series, virt-11.2: kvm-arm-idregs section, VM ioctls when the kernel
#                  has KVM_CAP_VM_ONE_REG, else one vCPU (the fallback)
#   patched-1vcpu  the same with -global kvm-arm-idregs.x-idregs-vm-ioctl=off (one-vCPU
#                  path forced; only where the kernel has the capability)
#   compat         the series on virt-10.2 (old format; optional, BENCH_CONFIGS)
#
# For each configuration and N, one guest boot, then 2 x BENCH_REPS live migrations
# ping-ponging between two QEMUs of the same build, alternating two passes, and one more
# migration, "xcheck" (kprobes and QEMU's per-ioctl events together):
#   clean   QEMU trace markers only (kvm_arm_idregs_{save,load}_{start,end}): migration
#           downtime/total/setup time and the series' ID-register step are timed unperturbed
#   probed  kprobe events on the kernel's ONE_REG handlers (kvm_arm_{get,set}_reg and the
#           series' kvm_arch_vm_{get,set}_one_reg, entry + return, register id fetched from
#           the struct kvm_one_reg) count the accesses per register and time them
#   xcheck  (where kprobes work) the probes plus QEMU's per-ioctl trace events
#           (kvm_vcpu_ioctl, kvm_vm_ioctl, kvm_arm_idregs_set, kvm_vm_*_one_reg), switched
#           on over QMP: the two counts must agree. Without kprobe events the probed
#           pass uses these QEMU events instead, and they are the count
# Finally the running guest is saved to a file (stopped VM) for the stream-size analysis.
# Everything lands in $RIG_OUT/bench (copied to artifacts/.../files/bench by the runner).
#
# Parameters: /payload/params.env (bench/run.sh passes it with rig/run --payload) may set
# BENCH_NS, BENCH_REPS, BENCH_CONFIGS.
# rig: kernels=ours,deb612
# rig: timeout=1700
# rig: tier=none
# shellcheck source=rig/lib.sh
. /rig/lib.sh
# shellcheck source=tests/bench/bench.inc
. /tests/bench/bench.inc
# shellcheck disable=SC1091
[ -f /payload/params.env ] && . /payload/params.env

NS=${BENCH_NS:-1 4 16 64}
REPS=${BENCH_REPS:-3}
OUT=$RIG_OUT/bench
mkdir -p "$OUT/streams"
URI=tcp:127.0.0.1:4444

# --- kprobe events ------------------------------------------------------------------------
# The VM-scoped set (the kernel's is_vm_ftr_id_reg()): op0=3 op1=0 CRn=0 CRm=1..7, MIDR,
# REVIDR, AIDR, CTR_EL0, as KVM register ids.
IDPRED='(id >= 0x603000000013c008 && id <= 0x603000000013c03f) || id == 0x603000000013c000 || id == 0x603000000013c006 || id == 0x603000000013c807 || id == 0x603000000013d801'
T=""
KPROBES=no
kp() { echo "$1" >>"$T/kprobe_events" 2>/dev/null; }
kp_setup() {
	T=$(tracefs_dir)
	[ -n "$T" ] || { say "no tracefs with kprobe_events: counting with QEMU trace events only"; return 1; }
	echo 0 >"$T/tracing_on"
	for f in get set; do
		kp "p:bench/v$f kvm_arm_${f}_reg id=+0(\$arg2):x64" || {
			say "kprobe on kvm_arm_${f}_reg refused: $(tail -n 2 "$T/error_log" | tr '\n' ' ')"
			return 1
		}
		# return probes that fetch the entry argument need Linux 6.11+; else pair by thread
		kp "r256:bench/v${f}_ret kvm_arm_${f}_reg id=+0(\$arg2):x64 ret=\$retval:s32" ||
			kp "r256:bench/v${f}_ret kvm_arm_${f}_reg ret=\$retval:s32" || return 1
		# the series' VM ioctls (only in our kernel)
		if kp "p:bench/m$f kvm_arch_vm_${f}_one_reg id=+0(\$arg2):x64"; then
			kp "r64:bench/m${f}_ret kvm_arch_vm_${f}_one_reg id=+0(\$arg2):x64 ret=\$retval:s32" ||
				kp "r64:bench/m${f}_ret kvm_arch_vm_${f}_one_reg ret=\$retval:s32"
		fi
	done
	# record only the ID registers (the profile still counts every hit)
	for e in "$T"/events/bench/*/filter; do
		echo "$IDPRED" >"$e" 2>/dev/null
	done
	echo 1 >"$T/options/record-tgid"
	echo mono >"$T/trace_clock" 2>/dev/null
	echo 16384 >"$T/buffer_size_kb"
	echo 1 >"$T/tracing_on"
	grep bench "$T/kprobe_events" >"$OUT/kprobe_events.txt"
	KPROBES=yes
}
kp_begin() {
	echo >"$T/trace"
	cat "$T/kprobe_profile" >"$1.prof0"
	echo 1 >"$T/events/bench/enable"
}
kp_end() {
	echo 0 >"$T/events/bench/enable"
	cat "$T/kprobe_profile" >"$1.prof1"
	cat "$T/trace" >"$1.ktrace"
}

# --- QEMU ------------------------------------------------------------------------------------
# per-ioctl trace events for the probed pass, switched at run time over QMP
QEV="kvm_vcpu_ioctl kvm_vm_ioctl kvm_arm_idregs_set kvm_vm_get_one_reg kvm_vm_set_one_reg"
qev() { # qev NAME true|false
	for e in $QEV; do
		vm_qmp "$1" trace-event-set-state "{\"name\": \"$e\", \"enable\": $2}" >/dev/null 2>&1
	done
}
lines() { wc -l <"$1" 2>/dev/null || echo 0; }

# the markers only (not kvm_arm_idregs_set: one log line per register would be timed too);
# unknown to the unpatched build, where they enable nothing
qtrace_args() {
	echo "-msg timestamp=on -trace enable=kvm_arm_idregs_save_*,file=$VMDIR/$1.qtrace" \
		"-trace enable=kvm_arm_idregs_load_*,file=$VMDIR/$1.qtrace"
}

start_vm() { # start_vm NAME N [-incoming defer]
	_n=$1 _smp=$2
	shift 2
	# shellcheck disable=SC2046,SC2086
	vm_start "$_n" "$Q" "$M" "$_smp" $(qtrace_args "$_n") $X "$@"
}

# series CONFIG N: boot, 2 x REPS hops, save the stream
series() {
	cfg=$1 n=$2
	cfg_args "$cfg" || { fail "bench $cfg: unknown configuration"; return 1; }
	a=ba b=bb
	vm_stop $a >/dev/null 2>&1
	vm_stop $b >/dev/null 2>&1
	t0=$(now_ms)
	# shellcheck disable=SC2046,SC2086
	if ! guest_boot $a "$Q" "$M" "$n" $(qtrace_args $a) $X; then
		fail "bench $RIG_KERNEL $cfg N=$n: guest boots"
		vm_stop $a
		return 1
	fi
	boot_ms=$(($(now_ms) - t0))
	h0=$(guest_hash $a)
	eval "off_$a=\$(lines \$VMDIR/\$a.qtrace)"
	ok=0 bad=""
	hop=1
	nhops=$((2 * REPS))
	[ $KPROBES = yes ] && nhops=$((nhops + 1))
	while [ $hop -le $nhops ]; do
		mode=clean
		[ $((hop % 2)) = 0 ] && mode=probed
		[ $hop -gt $((2 * REPS)) ] && mode=xcheck
		# QEMU's per-ioctl events write a log line per ioctl: only in the cross-check hop,
		# or as the count itself where there are no kprobe events
		qtr=no
		[ $mode = xcheck ] || { [ $mode = probed ] && [ $KPROBES = no ]; } && qtr=yes
		tag=$OUT/$cfg-n$n-h$hop
		if ! start_vm $b "$n" -incoming defer || ! wait_status $b inmigrate 30; then
			bad="$bad hop$hop:dst-start"
			break
		fi
		eval "off_$b=0"
		# which QEMU made a kprobe-traced call (bench/analyze.py: by process, not direction)
		echo "src=$(cat "$VMDIR/$a.pid") dst=$(cat "$VMDIR/$b.pid")" >"$tag.pids"
		if [ $qtr = yes ]; then
			qev $a true
			qev $b true
		fi
		[ $mode != clean ] && [ $KPROBES = yes ] && kp_begin "$tag"
		sync_ms=$(now_ms)
		if migrate $a $b "$URI" 120 && wait_status $b running 60; then
			rc=0
		else
			rc=1
		fi
		mig_ms=$(($(now_ms) - sync_ms))
		[ $mode != clean ] && [ $KPROBES = yes ] && kp_end "$tag"
		[ $qtr = yes ] && qev $b false
		cp "$VMDIR/$a.migrate" "$tag.migrate" 2>/dev/null
		seq=$(guest_hb $a)
		hb=no
		guest_wait_hb $b "${seq:-0}" 15 && hb=yes
		hash=$(guest_hb_hash $b)
		_o=0
		eval "_o=\$off_$a"
		tail -n +$((_o + 1)) "$VMDIR/$a.qtrace" >"$tag.src.qtrace" 2>/dev/null
		vm_stop $a
		cp "$VMDIR/$b.qtrace" "$tag.dst.qtrace" 2>/dev/null
		eval "off_$b=\$(lines \$tag.dst.qtrace)"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$RIG_KERNEL" "$cfg" "$n" \
			"$hop" "$mode" "$rc" "$hb" "$([ "$hash" = "$h0" ] && echo yes || echo no)" \
			"$mig_ms" "$boot_ms" "$Q" "$M" >>"$OUT/hops.tsv"
		if [ $rc = 0 ] && [ $hb = yes ] && [ "$hash" = "$h0" ]; then
			ok=$((ok + 1))
		else
			bad="$bad hop$hop:rc=$rc,hb=$hb,hash=$hash"
			[ $rc = 0 ] || break
		fi
		say "bench $cfg N=$n hop $hop ($mode): $(migrate_stat $a downtime) ms down, $(migrate_stat $a total-time) ms total"
		_t=$a a=$b b=$_t
		hop=$((hop + 1))
	done
	if [ -z "$bad" ]; then
		pass "bench $RIG_KERNEL $cfg N=$n: $ok migrations, guest alive with $n vCPUs, ID registers unchanged"
	else
		fail "bench $RIG_KERNEL $cfg N=$n" "$ok good migrations;$bad $(tail -n 2 "$VMDIR/$b.log" | tr '\n' ' ')"
	fi
	# the stream, for its size (the two patched configurations write the same format)
	if [ "$cfg" != patched-1vcpu ] && vm_alive $a; then
		f=$OUT/streams/$cfg-n$n.mig
		vm_qmp $a stop >/dev/null
		# the return path the live migrations used does not exist for a file
		vm_qmp $a migrate-set-capabilities \
			'{"capabilities": [{"capability": "return-path", "state": false}]}' >/dev/null
		if vm_qmp $a migrate "{\"uri\": \"file:$f\"}" >/dev/null; then
			_end=$(deadline 60)
			while [ "$(now_ms)" -lt "$_end" ]; do
				st=$(vm_qmp $a query-migrate | sed -n 's/.*"status": "\([a-z-]*\)".*/\1/p')
				[ "$st" = completed ] || [ "$st" = failed ] && break
				sleep 0.1
			done
			[ "$st" = completed ] || { rm -f "$f"; say "bench $cfg N=$n: stream save $st"; }
		fi
	fi
	vm_stop $a
	vm_stop $b
	rm -f "$RIG_OUT/$a".* "$RIG_OUT/$b".*
	return 0
}

# --- main ------------------------------------------------------------------------------------
kp_setup || KPROBES=no
cap=no
grep -q ' kvm_arch_vm_set_one_reg$' /proc/kallsyms 2>/dev/null && cap=yes
CONFIGS=${BENCH_CONFIGS:-auto}
if [ "$CONFIGS" = auto ]; then
	CONFIGS="upstream patched"
	# forcing the one-vCPU path only differs from the default where VM ioctls exist
	[ $cap = yes ] && CONFIGS="$CONFIGS patched-1vcpu"
fi
{
	echo "kernel=$RIG_KERNEL"
	echo "release=$(uname -r)"
	echo "l1_cpu=$RIG_CPU"
	echo "l1_cpus=$(nproc)"
	echo "l1_mem_kb=$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)"
	echo "kvm_mode=$(dmesg | grep -o -E '(VHE|nVHE|protected) mode initialized' | head -n 1)"
	echo "vm_one_reg_in_kernel=$cap"
	echo "kprobes=$KPROBES"
	echo "ns=$NS"
	echo "reps=$REPS"
	echo "configs=$CONFIGS"
	echo "qemu_patched=$(/opt/qemu-patched/bin/qemu-system-aarch64 --version | head -n 1)"
	echo "qemu_base=$(/opt/qemu-base/bin/qemu-system-aarch64 --version | head -n 1)"
	echo "loadavg_start=$(cat /proc/loadavg)"
} >"$OUT/meta.txt"
say "bench: kernel $(uname -r) ($RIG_KERNEL), configs: $CONFIGS, N: $NS, $REPS reps, kprobes: $KPROBES"
: >"$OUT/hops.tsv"
for n in $NS; do
	for c in $CONFIGS; do
		series "$c" "$n"
	done
done
echo "loadavg_end=$(cat /proc/loadavg)" >>"$OUT/meta.txt"
