#!/bin/bash
# Downtime benchmark (issue 20): unpatched QEMU vs the series, live migrations on real KVM in
# the rig, configurations interleaved in a shuffled order (tests/bench/downtime.sh), one L1
# boot per kernel; bench/downtime.py gives the ratio of medians with a bootstrap interval and
# the breakdown of the downtime from QEMU's trace.
#
#   bench/downtime.sh [--quick] [--kernels "ours deb612"] [--publish] [--out DIR]
#
#   --quick      N = 1 4, 3 samples (a smoke run of the harness, not a result)
#   --kernels    L1 kernels, in order (default: ours deb612)
#   --publish    copy the result into bench/results/<date>-downtime/ (to be committed)
# Environment: BENCH_NS (1 16 64), BENCH_SAMPLES (20), BENCH_SEED (1), BENCH_CONFIGS.
# The host's load average is sampled every 30 s during the run (host-load.tsv).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"

kernels="ours deb612" publish=0 out="" quick=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--kernels) kernels=$2; shift 2 ;;
	--publish) publish=1; shift ;;
	--out) out=$2; shift 2 ;;
	-h | --help) sed -n '2,/^# shellcheck/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
	*) die "unknown argument $1 (bench/downtime.sh --help)" ;;
	esac
done
if [ $quick = 1 ]; then
	BENCH_NS=${BENCH_NS:-1 4}
	BENCH_SAMPLES=${BENCH_SAMPLES:-3}
fi
t0=$(date +%s)
"$TOP/scripts/deps.sh"
"$TOP/scripts/fetch.sh" QEMU LINUX
"$TOP/scripts/mkwork.sh"
"$TOP/scripts/build-qemu.sh" cross
"$TOP/scripts/build-qemu.sh" cross-base
"$TOP/scripts/build-linux.sh" rig

out=${out:-$TOP/artifacts/downtime/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out/payload"
out=$(cd "$out" && pwd)
: >"$out/payload/params.env"
for v in BENCH_NS BENCH_SAMPLES BENCH_SEED BENCH_CONFIGS; do
	[ -n "${!v:-}" ] && printf '%s="%s"\n' "$v" "${!v}" >>"$out/payload/params.env"
done
# the host's load while the rig runs
(
	while :; do
		echo "$(date +%s) $(cut -d' ' -f1-4 /proc/loadavg)"
		sleep 30
	done
) >"$out/host-load.tsv" &
loadpid=$!
trap 'kill $loadpid 2>/dev/null' EXIT

rc=0
dirs=()
for k in $kernels; do
	d=$out/$k
	mkdir -p "$d"
	{
		echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "host=$(uname -r) $(nproc) CPUs $(awk '/MemTotal/ {printf "%d MiB", $2 / 1024}' /proc/meminfo)"
		echo "repo=$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)"
		echo "qemu_series=$(git -C "$TOP/work/qemu" log -1 --format='%h %s' 2>/dev/null || echo unknown)"
		echo "linux_series=$(git -C "$TOP/work/linux" log -1 --format='%h %s' 2>/dev/null || echo unknown)"
		echo "loadavg_start=$(cat /proc/loadavg)"
	} >"$d/host.txt"
	"$TOP/rig/run" --kernel "$k" --out "$d" --payload "$out/payload" \
		"$TOP/tests/bench/downtime.sh" || rc=1
	echo "loadavg_end=$(cat /proc/loadavg)" >>"$d/host.txt"
	dirs+=("$d")
done
kill $loadpid 2>/dev/null || true

step "downtime: analysis"
python3 "$TOP/bench/downtime.py" "$out" "${dirs[@]}" || rc=1
{
	echo "duration_s=$(($(date +%s) - t0))"
	echo "params: $(tr '\n' ' ' <"$out/payload/params.env")"
	echo "host load (1/5/15 min) over the run: $(awk '{ print $2 }' "$out/host-load.tsv" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) printf "min %s, median %s, max %s (%d samples)", v[1], v[int((NR + 1) / 2)], v[NR], NR }')"
	for d in "${dirs[@]}"; do
		echo "$(basename "$d"): $(grep -a -m1 '^RIG-BOOT' "$d/console.log" 2>/dev/null)"
		sed "s/^/$(basename "$d")./" "$d/host.txt"
	done
} >"$out/run.txt"
if [ $publish = 1 ]; then
	day=$(date +%F)
	res=$TOP/bench/results/$day-downtime
	mkdir -p "$res"
	cp "$out"/{downtime.md,downtime.csv,breakdown.csv,run.txt,host-load.tsv} "$res/"
	for d in "${dirs[@]}"; do
		cp "$d/files/downtime/meta.txt" "$res/meta-$(basename "$d").txt" 2>/dev/null || true
	done
	step "downtime: published in ${res#"$TOP"/}"
fi
step "downtime: ${out#"$TOP"/}/downtime.md ($(($(date +%s) - t0)) s)"
exit $rc
