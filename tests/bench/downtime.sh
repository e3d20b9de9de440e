#!/bin/sh
# Benchmark (issue 20): live-migration downtime, unpatched QEMU vs the series, in one L1 boot.
# bench/run.sh --downtime runs it on our kernel and on Debian 6.12, then bench/downtime.py gives the
# ratio of medians patched/unpatched with a bootstrap interval and the breakdown. Tier "none":
# run it by name or through bench/run.sh --downtime.
#
# For each N (BENCH_NS, default 1 16 64) every configuration of tests/bench/bench.inc gets
# one guest, booted once and then kept paused between its samples, so that only the VM being
# measured runs. BENCH_SAMPLES rounds (default 20) follow; each migrates every configuration
# once, in an order shuffled per round (seeded: BENCH_SEED), so drift of the host's load
# falls on all configurations alike. One sample: "cont" the VM, wait for a heartbeat, live-
# migrate it (TCP, return path on) to a fresh QEMU of the same build, check that the guest
# heartbeats there with its ID registers unchanged, pause the destination. Recorded per
# sample: query-migrate's downtime, total and setup time, L1's load average, and QEMU's
# downtime trace (vmstate_downtime_* checkpoints and per-section save/load times, plus the
# series' kvm_arm_idregs_* markers) of both sides.
#
# Parameters: /payload/params.env may set BENCH_NS, BENCH_SAMPLES, BENCH_SEED, BENCH_CONFIGS.
# rig: kernels=ours,deb612
# rig: timeout=14400
# rig: tier=none
# shellcheck source=rig/lib.sh
. /rig/lib.sh
# shellcheck source=tests/bench/bench.inc
. /tests/bench/bench.inc
# shellcheck disable=SC1091
[ -f /payload/params.env ] && . /payload/params.env

NS=${BENCH_NS:-1 16 64}
SAMPLES=${BENCH_SAMPLES:-20}
SEED=${BENCH_SEED:-1}
CONFIGS=${BENCH_CONFIGS:-$(bench_configs)}
OUT=$RIG_OUT/downtime
mkdir -p "$OUT/trace"
URI=tcp:127.0.0.1:4444
TRACE="vmstate_downtime_* kvm_arm_idregs_save_* kvm_arm_idregs_load_*"

trace_args() { # trace_args NAME
	echo "-msg timestamp=on"
	for e in $TRACE; do
		echo "-trace enable=$e,file=$VMDIR/$1.qtrace"
	done
}

# shuffled WORDS...: the words in an order drawn from $SEED and the round ($dt_round)
shuffled() {
	echo "$@" | tr ' ' '\n' |
		awk -v s="$((SEED * 100003 + dt_round * 131 + dt_n))" 'BEGIN { srand(s) } { print rand() "\t" $0 }' |
		sort -n | cut -f2 | tr '\n' ' '
}

# vm NAME CONFIG N [args]: start a QEMU of CONFIG with N vCPUs
vm() {
	dt_vn=$1 dt_vc=$2 dt_vs=$3
	shift 3
	cfg_args "$dt_vc" || return 1
	# shellcheck disable=SC2046,SC2086
	vm_start "$dt_vn" "$Q" "$M" "$dt_vs" $(trace_args "$dt_vn") $X "$@"
}

# QEMU's log file is not opened for appending, so it is never truncated under it: each VM's
# trace is cut at the byte offset its last sample ended at (off_NAME)
size() { wc -c <"$1" 2>/dev/null || echo 0; }
var() { echo "$1" | tr - _; }

# sample CONFIG N ROUND POS: one measured migration of CONFIG's current VM
sample() {
	dt_c=$1 dt_n=$2
	eval "dt_a=\$cur_$(var "$dt_c")"
	eval "dt_off=\${off_$(var "$dt_a"):-0}"
	dt_b=${dt_c}-x
	[ "$dt_a" = "${dt_c}-x" ] && dt_b=${dt_c}-y
	vm_qmp "$dt_a" cont >/dev/null
	dt_seq=$(guest_hb "$dt_a")
	guest_wait_hb "$dt_a" "${dt_seq:-0}" 30 || { say "downtime $dt_c N=$dt_n: no heartbeat after cont"; return 1; }
	if ! vm "$dt_b" "$dt_c" "$dt_n" -incoming defer || ! wait_status "$dt_b" inmigrate 30; then
		say "downtime $dt_c N=$dt_n: destination does not start: $(tail -n 2 "$VMDIR/$dt_b.log" | tr '\n' ' ')"
		return 1
	fi
	dt_load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')
	dt_rc=0
	migrate "$dt_a" "$dt_b" "$URI" 300 && wait_status "$dt_b" running 60 || dt_rc=1
	dt_seq=$(guest_hb "$dt_a")
	dt_hb=no
	[ $dt_rc = 0 ] && guest_wait_hb "$dt_b" "${dt_seq:-0}" 30 && dt_hb=yes
	dt_h=no
	eval "dt_h0=\$h0_$(var "$dt_c")"
	[ "$(guest_hb_hash "$dt_b")" = "$dt_h0" ] && dt_h=yes
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$RIG_KERNEL" "$dt_c" "$dt_n" "$3" "$4" \
		"$dt_rc" "$(migrate_stat "$dt_a" downtime)" "$(migrate_stat "$dt_a" total-time)" \
		"$(migrate_stat "$dt_a" setup-time)" "$dt_hb" "$dt_h" "$dt_load" >>"$OUT/samples.tsv"
	dt_tag=$OUT/trace/$dt_c-n$dt_n-s$3
	tail -c +$((dt_off + 1)) "$VMDIR/$dt_a.qtrace" >"$dt_tag.src" 2>/dev/null
	cp "$VMDIR/$dt_a.migrate" "$dt_tag.migrate" 2>/dev/null
	vm_stop "$dt_a"
	[ $dt_rc = 0 ] && [ $dt_hb = yes ] && [ $dt_h = yes ] || {
		say "downtime $dt_c N=$dt_n sample $3: rc=$dt_rc heartbeat=$dt_hb registers=$dt_h $(tail -n 2 "$VMDIR/$dt_b.log" | tr '\n' ' ')"
		return 1
	}
	# the destination's trace so far is the load side of this sample
	cp "$VMDIR/$dt_b.qtrace" "$dt_tag.dst" 2>/dev/null
	eval "off_$(var "$dt_b")=$(size "$dt_tag.dst")"
	vm_qmp "$dt_b" stop >/dev/null
	eval "cur_$(var "$dt_c")=\$dt_b"
	say "downtime $dt_c N=$dt_n sample $3: $(migrate_stat "$dt_a" downtime) ms"
	return 0
}

{
	echo "kernel=$RIG_KERNEL"
	echo "release=$(uname -r)"
	echo "l1_cpu=$RIG_CPU"
	echo "l1_cpus=$(nproc)"
	echo "ns=$NS"
	echo "samples=$SAMPLES"
	echo "seed=$SEED"
	echo "configs=$CONFIGS"
	echo "trace=$TRACE"
	echo "qemu_patched=$(/opt/qemu-patched/bin/qemu-system-aarch64 --version | head -n 1)"
	echo "qemu_base=$(/opt/qemu-base/bin/qemu-system-aarch64 --version | head -n 1)"
	echo "loadavg_start=$(cat /proc/loadavg)"
} >"$OUT/meta.txt"
say "downtime: kernel $(uname -r) ($RIG_KERNEL), configs: $CONFIGS, N: $NS, $SAMPLES samples, seed $SEED"
: >"$OUT/samples.tsv"
for dt_n in $NS; do
	# one guest per configuration, booted, then paused
	up=""
	for c in $CONFIGS; do
		v=$(var "$c")
		if vm "$c-x" "$c" "$dt_n" && guest_wait_hb "$c-x" 0 120; then
			eval "cur_$v=$c-x h0_$v=\$(guest_hb_hash $c-x)"
			vm_qmp "$c-x" stop >/dev/null
			eval "off_$(var "$c-x")=$(size "$VMDIR/$c-x.qtrace")"
			up="$up $c"
		else
			fail "downtime $RIG_KERNEL $c N=$dt_n: guest boots"
			vm_stop "$c-x"
		fi
	done
	good="" bad=""
	dt_round=1
	while [ $dt_round -le "$SAMPLES" ]; do
		pos=1
		# shellcheck disable=SC2086
		for c in $(shuffled $up); do
			if sample "$c" "$dt_n" "$dt_round" "$pos"; then
				good="$good $c"
			else
				bad="$bad $c"
				# a configuration whose VM is gone takes no more samples
				eval "vm_alive \$cur_$(var "$c")" || up=$(echo " $up " | sed "s/ $c / /")
			fi
			pos=$((pos + 1))
		done
		dt_round=$((dt_round + 1))
	done
	for c in $CONFIGS; do
		k=$(echo "$good" | tr ' ' '\n' | grep -c -x "$c")
		f=$(echo "$bad" | tr ' ' '\n' | grep -c -x "$c")
		if [ "$k" = "$SAMPLES" ]; then
			pass "downtime $RIG_KERNEL $c N=$dt_n: $k samples, guest alive with ID registers unchanged"
		else
			fail "downtime $RIG_KERNEL $c N=$dt_n" "$k of $SAMPLES samples, $f failed"
		fi
		vm_stop "$c-x" >/dev/null 2>&1
		vm_stop "$c-y" >/dev/null 2>&1
	done
done
echo "loadavg_end=$(cat /proc/loadavg)" >>"$OUT/meta.txt"
