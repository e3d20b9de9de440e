#!/bin/sh
# Benchmark (issue 20): live-migration downtime, unpatched QEMU vs the series, in one L1 boot.
# bench/downtime.sh runs it on our kernel and on Debian 6.12, then bench/downtime.py gives the
# ratio of medians patched/unpatched with a bootstrap interval and the breakdown. Tier "none":
# run it by name or through bench/downtime.sh.
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

# shuffled WORDS...: the words in an order drawn from $SEED and the round ($_round)
shuffled() {
	echo "$@" | tr ' ' '\n' |
		awk -v s="$((SEED * 100003 + _round * 131 + _n))" 'BEGIN { srand(s) } { print rand() "\t" $0 }' |
		sort -n | cut -f2 | tr '\n' ' '
}

# vm NAME CONFIG N [args]: start a QEMU of CONFIG with N vCPUs
vm() {
	_vn=$1 _vc=$2 _vs=$3
	shift 3
	cfg_args "$_vc" || return 1
	# shellcheck disable=SC2046,SC2086
	vm_start "$_vn" "$Q" "$M" "$_vs" $(trace_args "$_vn") $X "$@"
}

# QEMU's log file is not opened for appending, so it is never truncated under it: each VM's
# trace is cut at the byte offset its last sample ended at (off_NAME)
size() { wc -c <"$1" 2>/dev/null || echo 0; }
var() { echo "$1" | tr - _; }

# sample CONFIG N ROUND POS: one measured migration of CONFIG's current VM
sample() {
	_c=$1 _n=$2
	eval "_a=\$cur_$(var "$_c")"
	eval "_off=\${off_$(var "$_a"):-0}"
	_b=${_c}-x
	[ "$_a" = "${_c}-x" ] && _b=${_c}-y
	vm_qmp "$_a" cont >/dev/null
	_seq=$(guest_hb "$_a")
	guest_wait_hb "$_a" "${_seq:-0}" 30 || { say "downtime $_c N=$_n: no heartbeat after cont"; return 1; }
	if ! vm "$_b" "$_c" "$_n" -incoming defer || ! wait_status "$_b" inmigrate 30; then
		say "downtime $_c N=$_n: destination does not start: $(tail -n 2 "$VMDIR/$_b.log" | tr '\n' ' ')"
		return 1
	fi
	_load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')
	_rc=0
	migrate "$_a" "$_b" "$URI" 300 && wait_status "$_b" running 60 || _rc=1
	_seq=$(guest_hb "$_a")
	_hb=no
	[ $_rc = 0 ] && guest_wait_hb "$_b" "${_seq:-0}" 30 && _hb=yes
	_h=no
	eval "_h0=\$h0_$(var "$_c")"
	[ "$(guest_hb_hash "$_b")" = "$_h0" ] && _h=yes
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$RIG_KERNEL" "$_c" "$_n" "$3" "$4" \
		"$_rc" "$(migrate_stat "$_a" downtime)" "$(migrate_stat "$_a" total-time)" \
		"$(migrate_stat "$_a" setup-time)" "$_hb" "$_h" "$_load" >>"$OUT/samples.tsv"
	_tag=$OUT/trace/$_c-n$_n-s$3
	tail -c +$((_off + 1)) "$VMDIR/$_a.qtrace" >"$_tag.src" 2>/dev/null
	cp "$VMDIR/$_a.migrate" "$_tag.migrate" 2>/dev/null
	vm_stop "$_a"
	[ $_rc = 0 ] && [ $_hb = yes ] && [ $_h = yes ] || {
		say "downtime $_c N=$_n sample $3: rc=$_rc heartbeat=$_hb registers=$_h $(tail -n 2 "$VMDIR/$_b.log" | tr '\n' ' ')"
		return 1
	}
	# the destination's trace so far is the load side of this sample
	cp "$VMDIR/$_b.qtrace" "$_tag.dst" 2>/dev/null
	eval "off_$(var "$_b")=$(size "$_tag.dst")"
	vm_qmp "$_b" stop >/dev/null
	eval "cur_$(var "$_c")=\$_b"
	say "downtime $_c N=$_n sample $3: $(migrate_stat "$_a" downtime) ms"
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
for _n in $NS; do
	# one guest per configuration, booted, then paused
	up=""
	for c in $CONFIGS; do
		v=$(var "$c")
		if vm "$c-x" "$c" "$_n" && guest_wait_hb "$c-x" 0 120; then
			eval "cur_$v=$c-x h0_$v=\$(guest_hb_hash $c-x)"
			vm_qmp "$c-x" stop >/dev/null
			eval "off_$(var "$c-x")=$(size "$VMDIR/$c-x.qtrace")"
			up="$up $c"
		else
			fail "downtime $RIG_KERNEL $c N=$_n: guest boots"
			vm_stop "$c-x"
		fi
	done
	good="" bad=""
	_round=1
	while [ $_round -le "$SAMPLES" ]; do
		pos=1
		# shellcheck disable=SC2086
		for c in $(shuffled $up); do
			if sample "$c" "$_n" "$_round" "$pos"; then
				good="$good $c"
			else
				bad="$bad $c"
				# a configuration whose VM is gone takes no more samples
				eval "vm_alive \$cur_$(var "$c")" || up=$(echo " $up " | sed "s/ $c / /")
			fi
			pos=$((pos + 1))
		done
		_round=$((_round + 1))
	done
	for c in $CONFIGS; do
		k=$(echo "$good" | tr ' ' '\n' | grep -c -x "$c")
		f=$(echo "$bad" | tr ' ' '\n' | grep -c -x "$c")
		if [ "$k" = "$SAMPLES" ]; then
			pass "downtime $RIG_KERNEL $c N=$_n: $k samples, guest alive with ID registers unchanged"
		else
			fail "downtime $RIG_KERNEL $c N=$_n" "$k of $SAMPLES samples, $f failed"
		fi
		vm_stop "$c-x" >/dev/null 2>&1
		vm_stop "$c-y" >/dev/null 2>&1
	done
done
echo "loadavg_end=$(cat /proc/loadavg)" >>"$OUT/meta.txt"
