#!/bin/bash
# make bench: patched vs unpatched QEMU on real KVM in the rig, one L1 boot per kernel (ours:
# 7.2.13 + the companion series, VM ioctls; deb612: Debian 6.12, no KVM_CAP_VM_ONE_REG, the
# one-vCPU fallback), then the analysis. Two benchmarks:
#   (default)   the cost of migrating the VM-scoped ID registers vs the vCPU count
#               (tests/bench/idregs.sh, bench/analyze.py: table, CSVs, plot);
#   --downtime  live-migration downtime, configurations interleaved in shuffled rounds
#               (tests/bench/downtime.sh, bench/downtime.py: ratio of medians with a
#               bootstrap interval, breakdown from QEMU's trace, plot).
#
#   bench/run.sh [--downtime] [--quick] [--kernels "ours deb612"] [--publish] [--out DIR]
#   bench/run.sh [--downtime] --reanalyze DIR [--publish]   analysis of an earlier run's DIR
#
#   --quick      a smoke run, not a result: N = 1 4 and one repetition (--downtime: 3 samples)
#   --kernels    L1 kernels to boot, in order (default: ours deb612)
#   --publish    also copy the result into bench/results/<date>/ (--downtime:
#                bench/results/<date>-downtime/), to be committed
#   --out DIR    artifacts directory (default artifacts/bench/<time>, artifacts/downtime/<time>)
# Environment: BENCH_NS (default "1 4 16 64"; --downtime "1 16 64"), BENCH_REPS (3),
# BENCH_SAMPLES (--downtime: 20), BENCH_SEED (--downtime: 1), BENCH_CONFIGS (auto:
# upstream patched, plus patched-1vcpu where the kernel has the VM ioctls; "compat" adds
# the patched build on virt-10.2). The host's load average is sampled every 30 s
# (host-load.tsv) and summarised in run.txt.
#
# The method and how to read the result: docs/bench.md.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"

kernels="ours deb612" publish=0 out="" quick=0 reanalyze="" mode=idregs
while [ $# -gt 0 ]; do
	case $1 in
	--downtime) mode=downtime; shift ;;
	--quick) quick=1; shift ;;
	--kernels) kernels=$2; shift 2 ;;
	--publish) publish=1; shift ;;
	--out) out=$2; shift 2 ;;
	--reanalyze) reanalyze=$2; shift 2 ;;
	-h | --help) sed -n '2,/^# shellcheck/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
	*) die "unknown argument $1 (bench/run.sh --help)" ;;
	esac
done

# what differs between the two benchmarks
if [ $mode = downtime ]; then
	data=files/downtime/samples.tsv
	params="BENCH_NS BENCH_SAMPLES BENCH_SEED BENCH_CONFIGS"
	results=(downtime.md downtime.csv breakdown.csv plot.png plot.gp plot.dat)
	suffix=-downtime
	if [ $quick = 1 ]; then
		BENCH_NS=${BENCH_NS:-1 4}
		BENCH_SAMPLES=${BENCH_SAMPLES:-3}
	fi
else
	data=files/bench/hops.tsv
	params="BENCH_NS BENCH_REPS BENCH_CONFIGS"
	results=(table.md plot.png plot.gp plot.dat summary.csv hops.csv streams.csv)
	suffix=""
	if [ $quick = 1 ]; then
		BENCH_NS=${BENCH_NS:-1 4}
		BENCH_REPS=${BENCH_REPS:-1}
	fi
fi

t0=$(date +%s)
rc=0
dirs=()
if [ -n "$reanalyze" ]; then
	out=$(cd "$reanalyze" && pwd)
	kernels=""
	# in the order they ran
	for d in $(for x in "$out"/*/; do
		[ -f "$x/$data" ] &&
			echo "$(sed -n 's/^started=//p' "$x/host.txt" 2>/dev/null) ${x%/}"
	done | sort | cut -d' ' -f2); do
		dirs+=("$d")
		kernels="$kernels $(basename "$d")"
	done
	kernels=${kernels# }
	[ ${#dirs[@]} -gt 0 ] || die "bench: no rig boots with $mode data under $reanalyze"
else
	"$TOP/scripts/deps.sh"
	"$TOP/scripts/fetch.sh" QEMU LINUX
	"$TOP/scripts/mkwork.sh"
	"$TOP/scripts/build-qemu.sh" cross
	"$TOP/scripts/build-qemu.sh" cross-base
	"$TOP/scripts/build-linux.sh" rig
	command -v gnuplot >/dev/null || die "bench: gnuplot is missing (make deps installs gnuplot-nox)"

	out=${out:-$TOP/artifacts/${mode/idregs/bench}/$(date +%Y%m%d-%H%M%S)}
	mkdir -p "$out"
	out=$(cd "$out" && pwd)

	# parameters reach the L1 scenario as /payload/params.env
	mkdir -p "$out/payload"
	: >"$out/payload/params.env"
	for v in $params; do
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
	trap 'kill $loadpid 2>/dev/null || true' EXIT

	for k in $kernels; do
		d=$out/$k
		mkdir -p "$d"
		{
			echo "loadavg_start=$(cat /proc/loadavg)"
			echo "host=$(uname -r) $(nproc) CPUs $(awk '/MemTotal/ {printf "%d MiB", $2 / 1024}' /proc/meminfo)"
			echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
			echo "repo=$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)"
			echo "qemu_series=$(git -C "$TOP/work/qemu" log -1 --format='%h %s' 2>/dev/null || echo unknown)"
			echo "linux_series=$(git -C "$TOP/work/linux" log -1 --format='%h %s' 2>/dev/null || echo unknown)"
		} >"$d/host.txt"
		"$TOP/rig/run" --kernel "$k" --out "$d" --payload "$out/payload" \
			"$TOP/tests/bench/$mode.sh" || rc=1
		echo "loadavg_end=$(cat /proc/loadavg)" >>"$d/host.txt"
		dirs+=("$d")
	done
	kill $loadpid 2>/dev/null || true
fi

day=$(sed -n 's/^started=\([0-9-]*\)T.*/\1/p' "${dirs[0]}/host.txt" 2>/dev/null)
day=${day:-$(date +%F)}
step "bench: $mode analysis"
arc=0
if [ $mode = downtime ]; then
	python3 "$TOP/bench/downtime.py" \
		--title "Migration downtime, patched vs unpatched ($day, L1: ${kernels// /, })" \
		"$out" "${dirs[@]}" || arc=$?
else
	python3 "$TOP/bench/analyze.py" --qemu-src "$TOP/work/qemu" \
		--title "ID-register sync cost vs vCPU count ($day, L1: ${kernels// /, })" \
		"$out" "${dirs[@]}" || arc=$?
fi
for f in "${results[@]}"; do
	[ -f "$out/$f" ] || die "bench: no $f in ${out#"$TOP"/}"
done
{
	echo "date=$(sed -n 's/^started=//p' "${dirs[0]}/host.txt" 2>/dev/null)"
	echo "kernels=$kernels"
	[ -n "$reanalyze" ] || echo "duration_s=$(($(date +%s) - t0))"
	echo "params: $(tr '\n' ' ' <"$out/payload/params.env" 2>/dev/null)"
	[ -s "$out/host-load.tsv" ] &&
		echo "host load (1 min) over the run: $(awk '{ print $2 }' "$out/host-load.tsv" | sort -n |
			awk '{ v[NR] = $1 } END { printf "min %s, median %s, max %s (%d samples, every 30 s)", v[1], v[int((NR + 1) / 2)], v[NR], NR }')"
	for d in "${dirs[@]}"; do
		echo "$(basename "$d"): $(grep -a -m1 '^RIG-BOOT' "$d/console.log" 2>/dev/null)"
		sed "s/^/$(basename "$d").host./" "$d/host.txt"
	done
} >"$out/run.txt.new"
# a re-analysis keeps the original run's duration
[ -z "$reanalyze" ] || grep '^duration_s=' "$out/run.txt" >>"$out/run.txt.new" 2>/dev/null || true
mv "$out/run.txt.new" "$out/run.txt"

if [ $publish = 1 ]; then
	res=$TOP/bench/results/$day$suffix
	mkdir -p "$res"
	for f in "${results[@]}" run.txt host-load.tsv; do
		[ -f "$out/$f" ] && cp "$out/$f" "$res/"
	done
	for d in "${dirs[@]}"; do
		cp "$d/$(dirname "$data")/meta.txt" "$res/meta-$(basename "$d").txt" 2>/dev/null || true
	done
	step "bench: published in ${res#"$TOP"/}"
fi
step "bench: ${results[0]} and plot in ${out#"$TOP"/} ($(($(date +%s) - t0)) s)"
[ $rc = 0 ] || echo "bench: some migrations failed (see the FAIL lines above)" >&2
[ $arc = 0 ] || echo "bench: the analysis found a problem (see ${results[0]})" >&2
[ $rc = 0 ] && [ $arc = 0 ]
