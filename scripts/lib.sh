# shellcheck shell=bash
# Common helpers for the project's scripts. Source it; do not run it.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Everything expensive (downloads, ccache, finished builds) lives outside the clone so that
# a fresh clone on the same machine re-uses it.
CACHE=${IDREGS_CACHE:-/var/cache/idregs}
if ! mkdir -p "$CACHE" 2>/dev/null || [ ! -w "$CACHE" ]; then
	CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/idregs
	mkdir -p "$CACHE"
fi
export IDREGS_CACHE=$CACHE

# Read a variable from versions.mk (NAME := value).
ver() {
	local v
	v=$(sed -n "s/^$1[[:space:]]*:=[[:space:]]*//p" "$TOP/versions.mk" | tail -n 1)
	[ -n "$v" ] || die "versions.mk has no $1"
	printf '%s\n' "$v"
}

die() {
	echo "error: $*" >&2
	exit 1
}

_step_t0=$(date +%s)
step() {
	printf '==> [%4ds] %s\n' "$(($(date +%s) - _step_t0))" "$*"
}

# logged LABEL LOG COMMAND...: run COMMAND with its output in LOG, printing LOG's last line
# once a minute meanwhile (a long build must not be silent); COMMAND's exit status
logged() {
	local label=$1 log=$2 pid rc=0 n=0
	shift 2
	"$@" >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		n=$((n + 1))
		[ $((n % 12)) = 0 ] || continue
		step "$label: still building: $(tail -n 1 "$log" 2>/dev/null | cut -c1-100)"
	done
	wait "$pid" || rc=$?
	return "$rc"
}

sha256_of() {
	sha256sum "$1" | cut -d' ' -f1
}

# verify FILE SHA256 WHAT: fail with a message naming WHAT when the checksum differs.
verify() {
	local got
	[ -f "$1" ] || die "$3: $1 is missing"
	got=$(sha256_of "$1")
	[ "$got" = "$2" ] || die "$3: checksum mismatch for $1
  expected sha256 $2
  got      sha256 $got
  (remove the file to download it again)"
}

# A stable hash of files/strings, used to key caches of finished outputs.
hash_inputs() {
	local f
	for f in "$@"; do
		if [ -d "$f" ]; then
			(cd "$f" && find . -type f ! -name '*~' -print0 | LC_ALL=C sort -z |
				xargs -0 -r sha256sum)
		elif [ -f "$f" ]; then
			printf '%s  %s\n' "$(sha256_of "$f")" "$(basename "$f")"
		else
			printf '%s\n' "$f"
		fi
	done | sha256sum | cut -c1-16
}

ncpus() {
	nproc 2>/dev/null || echo 2
}

# Result counting for check scripts: ok/ko print a PASS/FAIL line and count it.
pass=0
fail=0
ok() {
	pass=$((pass + 1))
	echo "  PASS $*"
}
ko() {
	fail=$((fail + 1))
	echo "  FAIL $*"
}

# arm64_closure BIN DIR: copy the shared libraries BIN needs, recursively, into DIR, from
# the arm64 Debian packages and the cross toolchain scripts/deps.sh installs. What one
# call copied is not copied again by the next (ARM64_CLOSURE_SEEN).
declare -gA ARM64_CLOSURE_SEEN=()
arm64_closure() {
	local lib path d
	for lib in $(aarch64-linux-gnu-readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -z "${ARM64_CLOSURE_SEEN[$lib]:-}" ] || continue
		ARM64_CLOSURE_SEEN[$lib]=1
		path=""
		for d in /usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu /usr/aarch64-linux-gnu/lib; do
			[ -e "$d/$lib" ] && { path=$d/$lib; break; }
		done
		[ -n "$path" ] || die "$lib (needed by $1) not found; run scripts/deps.sh"
		cp -L "$path" "$2/$lib"
		arm64_closure "$path" "$2"
	done
}
