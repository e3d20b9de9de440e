#!/bin/bash
# make bench: the cost of migrating the VM-scoped ID registers vs the vCPU count, unpatched
# QEMU vs the series, on real KVM in the rig. One L1 boot on our kernel (7.2.13 + the
# companion series: VM ioctls), one on Debian 6.12 (no KVM_CAP_VM_ONE_REG: the one-vCPU
# fallback), then bench/analyze.py writes the table, the CSVs and the plot.
#
#   bench/run.sh [--quick] [--kernels "ours deb612"] [--publish] [--out DIR]
#   bench/run.sh --reanalyze DIR [--publish]   analysis only, of an earlier run's DIR
#
#   --quick      N = 1 4, one repetition per pass (a smoke run, ~3 min)
#   --kernels    L1 kernels to boot, in order (default: ours deb612)
#   --publish    also copy the result into bench/results/<date>/ (to be committed)
#   --out DIR    artifacts directory (default artifacts/bench/<time>)
# Environment: BENCH_NS (default "1 4 16 64"), BENCH_REPS (3), BENCH_CONFIGS (auto:
# upstream patched, plus patched-1vcpu where the kernel has the VM ioctls; "compat" adds
# the patched build on virt-10.2).
#
# The method and how to read the result: docs/bench.md.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"

kernels="ours deb612" publish=0 out="" quick=0 reanalyze=""
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--kernels) kernels=$2; shift 2 ;;
	--publish) publish=1; shift ;;
	--out) out=$2; shift 2 ;;
	--reanalyze) reanalyze=$2; shift 2 ;;
	-h | --help) sed -n '2,/^\. /p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
	*) die "unknown argument $1 (bench/run.sh --help)" ;;
	esac
done
if [ $quick = 1 ]; then
	BENCH_NS=${BENCH_NS:-1 4}
	BENCH_REPS=${BENCH_REPS:-1}
fi

t0=$(date +%s)
rc=0
dirs=()
if [ -n "$reanalyze" ]; then
	out=$(cd "$reanalyze" && pwd)
	kernels=""
	# in the order they ran
	for d in $(for x in "$out"/*/; do
		[ -f "$x/files/bench/hops.tsv" ] &&
			echo "$(sed -n 's/^started=//p' "$x/host.txt" 2>/dev/null) ${x%/}"
	done | sort | cut -d' ' -f2); do
		dirs+=("$d")
		kernels="$kernels $(basename "$d")"
	done
	kernels=${kernels# }
	[ ${#dirs[@]} -gt 0 ] || die "bench: no rig boots with benchmark data under $reanalyze"
else
	"$TOP/scripts/deps.sh"
	"$TOP/scripts/fetch.sh" QEMU LINUX
	"$TOP/scripts/mkwork.sh"
	"$TOP/scripts/build-qemu.sh" cross
	"$TOP/scripts/build-qemu.sh" cross-base
	"$TOP/scripts/build-linux.sh" rig
	command -v gnuplot >/dev/null || die "bench: gnuplot is missing (make deps installs gnuplot-nox)"

	stamp=$(date +%Y%m%d-%H%M%S)
	out=${out:-$TOP/artifacts/bench/$stamp}
	mkdir -p "$out"
	out=$(cd "$out" && pwd)

	# parameters reach the L1 scenario as /payload/params.env
	mkdir -p "$out/payload"
	: >"$out/payload/params.env"
	for v in BENCH_NS BENCH_REPS BENCH_CONFIGS; do
		[ -n "${!v:-}" ] && printf '%s="%s"\n' "$v" "${!v}" >>"$out/payload/params.env"
	done

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
			"$TOP/tests/bench/idregs.sh" || rc=1
		echo "loadavg_end=$(cat /proc/loadavg)" >>"$d/host.txt"
		dirs+=("$d")
	done
fi

day=$(sed -n 's/^started=\([0-9-]*\)T.*/\1/p' "${dirs[0]}/host.txt" 2>/dev/null)
day=${day:-$(date +%F)}
step "bench: analysis"
arc=0
python3 "$TOP/bench/analyze.py" --qemu-src "$TOP/work/qemu" \
	--title "ID-register sync cost vs vCPU count ($day, L1: ${kernels// /, })" \
	"$out" "${dirs[@]}" || arc=$?
if [ ! -f "$out/table.md" ] || [ ! -f "$out/plot.png" ]; then
	die "bench: no table/plot in ${out#"$TOP"/}"
fi
{
	echo "date=$(sed -n 's/^started=//p' "${dirs[0]}/host.txt" 2>/dev/null)"
	echo "kernels=$kernels"
	[ -n "$reanalyze" ] || echo "duration_s=$(($(date +%s) - t0))"
	for d in "${dirs[@]}"; do
		echo "$(basename "$d"): $(grep -a -m1 '^RIG-BOOT' "$d/console.log" 2>/dev/null)"
		sed "s/^/$(basename "$d").host./" "$d/host.txt"
	done
} >"$out/run.txt.new"
# a re-analysis keeps the original run's duration
[ -z "$reanalyze" ] || grep '^duration_s=' "$out/run.txt" >>"$out/run.txt.new" 2>/dev/null || true
mv "$out/run.txt.new" "$out/run.txt"

if [ $publish = 1 ]; then
	res=$TOP/bench/results/$day
	mkdir -p "$res"
	cp "$out"/{table.md,plot.png,plot.gp,plot.dat,summary.csv,hops.csv,streams.csv,run.txt} "$res/"
	for d in "${dirs[@]}"; do
		cp "$d/files/bench/meta.txt" "$res/meta-$(basename "$d").txt" 2>/dev/null || true
	done
	step "bench: published in ${res#"$TOP"/}"
fi
step "bench: table ${out#"$TOP"/}/table.md, plot ${out#"$TOP"/}/plot.png ($(($(date +%s) - t0)) s)"
[ $rc = 0 ] || echo "bench: some migrations failed (see the FAIL lines above)" >&2
[ $arc = 0 ] || echo "bench: the data contradict the expected shape (see table.md)" >&2
[ $rc = 0 ] && [ $arc = 0 ]
