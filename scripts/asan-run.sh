#!/bin/bash
# check-full: the migration, CPU model (sysreg), matrix and stream-mutation scenarios with
# an ASan/UBSan build of the patched QEMU (scripts/build-qemu.sh cross-asan) in place of the
# normal one, on our kernel. Every sanitizer report is collected (log_path in L1, back
# through the scratch disk) and classified by the QEMU source files of its top frames: a
# report in a file the series touches fails the run; reports only in unmodified base code
# are listed, not hidden.
# The mutation scenario runs a larger subset than in make check, within its 480 s timeout
# at 1.3-2 s per sanitized load: ASAN_N random mutants (default 90; make check runs 82) and
# truncation at every 17th offset of the section (ASAN_TRUNC, the TRUNC syntax of
# tests/faults/mutate.sh; make check: every 61st).
# A canary (tests/asan/canary.c) proves that reports are produced, collected and attributed.
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/build-qemu.sh" cross-asan
bin=$(readlink -f "$TOP/work/out/qemu-cross-asan")/bin/qemu-system-aarch64
canary=$TOP/tests/asan/canary.c
key=$(hash_inputs "$(sha256_of "$bin")" "$0" "$canary")
pl=$CACHE/asan-payload-$key
if [ ! -f "$pl/.done" ]; then
	step "asan: packing the ASan/UBSan QEMU for L1"
	rm -rf "$CACHE"/asan-payload-* # earlier builds' payloads (~170 MB each)
	mkdir -p "$pl/qemu-asan/bin" "$pl/qemu-asan/real" "$pl/qemu-asan/lib" "$pl/canary-build"
	# same name as the real thing: tests match messages that start "qemu-system-aarch64: "
	cp "$bin" "$pl/qemu-asan/real/qemu-system-aarch64"
	# the canary is compiled from a sibling directory, as QEMU from its build directory,
	# so that its frames read "../canary.c:LINE" like QEMU's "../target/arm/...c:LINE"
	cp "$canary" "$pl/canary.c"
	(cd "$pl/canary-build" && aarch64-linux-gnu-gcc -g -O1 -fno-omit-frame-pointer \
		-fsanitize=address,undefined -o "$pl/qemu-asan/bin/canary" ../canary.c)
	rm -rf "$pl/canary-build" "$pl/canary.c"
	arm64_closure "$bin" "$pl/qemu-asan/lib"
	arm64_closure "$pl/qemu-asan/bin/canary" "$pl/qemu-asan/lib"
	cat >"$pl/qemu-asan/env.sh" <<'W'
# sourced (busybox sh): sanitizer runtime options. Reports go to files under ASAN_DIR,
# which come back with the run's artifacts: ASan's to san.PID, one per process. With both
# runtimes linked (GCC 12), UBSan ignores log_path and reports on stderr; rig/lib.sh keeps
# a QEMU's stderr as RIG_SAN_DIR/stderr.PID when it holds a report. Leaks are not checked
# (QEMU's exit paths leak by design). UBSan does not halt, so one report cannot hide the
# next; ASan ends the process at its first error (exit status 1, after the report).
ASAN_DIR=${ASAN_DIR:-/tmp/out/asan}
mkdir -p "$ASAN_DIR"
export LD_LIBRARY_PATH=/payload/qemu-asan/lib
export ASAN_OPTIONS=detect_leaks=0:log_path=$ASAN_DIR/san:print_summary=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=0:log_path=$ASAN_DIR/san
W
	cat >"$pl/qemu-asan/bin/qemu-system-aarch64" <<'W'
#!/bin/sh
. /payload/qemu-asan/env.sh
exec /payload/qemu-asan/real/qemu-system-aarch64 "$@"
W
	chmod +x "$pl/qemu-asan/bin/qemu-system-aarch64"
	touch "$pl/.done"
fi

# classify DIR FILES: every sanitizer report in the logs under DIR (san.PID from ASan,
# stderr.PID with UBSan's; a log may hold several) is attributed by the first frames that
# name a source file: to the series if one of them is in FILES (one path per line), else
# to base code. A log with no report (only ASan's
# makecontext notice for QEMU's coroutines, once per process) still counts the process.
# Sets n_series, n_base, n_procs.
classify() {
	local r c frames f hit kind tmp
	n_series=0 n_base=0 n_procs=0
	tmp=$(mktemp -d)
	for r in "$1"/san.* "$1"/stderr.*; do
		[ -f "$r" ] || continue
		case $r in */san.*) n_procs=$((n_procs + 1)) ;; esac
		rm -f "$tmp"/rep.*
		awk -v d="$tmp" '/ERROR: AddressSanitizer|runtime error:/ { n++ }
			n { print > (d "/rep." n) }' "$r"
		for c in "$tmp"/rep.*; do
			[ -f "$c" ] || continue
			frames=$(grep -o -E '\.\./[^ :]+\.[ch]:[0-9]+' "$c" | head -n 8 | sed 's|^\.\./||' || true)
			kind=$(grep -m1 -o -E 'ERROR: AddressSanitizer: [a-z-]+|runtime error: .*' "$c" || true)
			hit=""
			for f in $frames; do
				if printf '%s\n' "$2" | grep -qx "${f%%:*}"; then hit=$f; break; fi
			done
			if [ -n "$hit" ]; then
				n_series=$((n_series + 1))
				echo "FAIL: asan: report in code the series touches ($hit): $kind (${r#"$TOP"/})"
			else
				n_base=$((n_base + 1))
				echo "# asan: report in unmodified base code: $kind (${r#"$TOP"/})"
				grep -E '^ *#[0-9]+ ' "$c" | head -n 6 | sed 's/^/#     /' || true
			fi
		done
	done
	rm -rf "$tmp"
}

out=$TOP/artifacts/asan/$(date +%Y%m%d-%H%M%S)
rc=0
"$TOP/rig/run" --kernel ours --out "$out" --payload "$pl" \
	--env RIG_QEMU_PATCHED=/payload/qemu-asan/bin/qemu-system-aarch64 \
	--env RIG_SAN_DIR=/tmp/out/asan --env N="${ASAN_N:-90}" --env TRUNC="${ASAN_TRUNC:-/17,3,11,22}" \
	"$TOP/tests/asan/canary.sh" \
	"$TOP/tests/series/migrate.sh" "$TOP/tests/series/sysreg.sh" "$TOP/tests/matrix/matrix.sh" \
	"$TOP/tests/faults/mutate.sh" "$TOP/tests/faults/misconfig.sh" \
	"$TOP/tests/faults/refusals.sh" || rc=$?

# the classifier must attribute every canary report (ASan and UBSan) to its source file
classify "$out/files/asan-canary" canary.c >/dev/null
if [ "$n_series" -ge 2 ] && [ "$n_base" = 0 ]; then
	echo "PASS: asan: the classifier attributes all $n_series canary reports to canary.c"
else
	echo "FAIL: asan: the classifier attributes the canary reports to canary.c" \
		"($n_series to canary.c, $n_base elsewhere)"
	rc=1
fi

series_files=$(git -C "$TOP/work/qemu" diff --name-only base..HEAD)
classify "$out/files/asan" "$series_files"
echo "asan: $n_procs sanitized QEMU processes; $n_series report(s) in the series' code," \
	"$n_base in base code (artifacts: ${out#"$TOP"/})"
[ "$n_procs" -gt 0 ] || { echo "FAIL: asan: no sanitized QEMU process left a log"; rc=1; }
[ "$rc" = 0 ] && [ "$n_series" = 0 ]
