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

# arm64_closure BIN DIR [ROOT]: copy the shared libraries BIN needs, recursively, into DIR,
# from the arm64 Debian packages and the cross toolchain scripts/deps.sh installs, or from
# the unpacked packages under ROOT. What one call copied is not copied again by the next
# (ARM64_CLOSURE_SEEN).
declare -gA ARM64_CLOSURE_SEEN=()
arm64_closure() {
	local lib path d dirs
	if [ -n "${3:-}" ]; then
		dirs="$3/lib/aarch64-linux-gnu $3/usr/lib/aarch64-linux-gnu $3/lib $3/usr/lib"
	else
		dirs="/usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu /usr/aarch64-linux-gnu/lib"
	fi
	for lib in $(aarch64-linux-gnu-readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -z "${ARM64_CLOSURE_SEEN[$lib]:-}" ] || continue
		ARM64_CLOSURE_SEEN[$lib]=1
		path=""
		for d in $dirs; do
			[ -e "$d/$lib" ] && { path=$d/$lib; break; }
		done
		[ -n "$path" ] || die "$lib (needed by $1) not found${3:+ under $3}; run scripts/deps.sh"
		cp -L "$path" "$2/$lib"
		arm64_closure "$path" "$2" "${3:-}"
	done
}

# deb_closure WHAT SUITE LOCK DEBS TMP PKG=VER...: apt resolves the packages with their
# Depends (arm64, no Recommends, from SUITE) and fetches them into DEBS; the closure must be
# exactly LOCK ("package version arch sha256" lines), byte for byte: a new or changed package
# is an error naming it. LOCK_UPDATE=1 (re)writes LOCK instead. Leaves the .deb paths in
# TMP/files.
deb_closure() {
	local what=$1 suite=$2 lock=$3 debs=$4 tmp=$5 p v f d
	shift 5
	mkdir -p "$debs/partial"
	[ -f "$lock" ] || [ "${LOCK_UPDATE:-0}" = 1 ] || die "$what: no $lock (LOCK_UPDATE=1 writes it)"
	step "$what: resolving and fetching $* ($suite) with its dependencies" >&2
	"$TOP/scripts/aptp" apt-get -q -y -o APT::Architecture=arm64 -o APT::Install-Recommends=false \
		-o Dir::Cache::Archives="$debs" -t "$suite" install --download-only "$@" >&2 ||
		die "$what: apt could not fetch $* and their dependencies"
	"$TOP/scripts/aptp" apt-get -s -o APT::Architecture=arm64 -o APT::Install-Recommends=false \
		-t "$suite" install "$@" 2>/dev/null |
		sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1 \2/p' | LC_ALL=C sort >"$tmp/resolved"
	: >"$tmp/lock"
	: >"$tmp/files"
	while read -r p v; do
		f=""
		for d in "$debs"/"${p%:*}"_*.deb; do
			[ -f "$d" ] && [ "$(dpkg-deb -f "$d" Version)" = "$v" ] && { f=$d; break; }
		done
		[ -n "$f" ] || die "$what: $p $v was resolved but not downloaded"
		printf '%s %s %s %s\n' "${p%:*}" "$v" "$(dpkg-deb -f "$f" Architecture)" "$(sha256_of "$f")" >>"$tmp/lock"
		echo "$f" >>"$tmp/files"
	done <"$tmp/resolved"
	if [ "${LOCK_UPDATE:-0}" = 1 ]; then
		{
			echo "# $what: the closure of $* ($suite), package version arch sha256"
			cat "$tmp/lock"
		} >"$lock"
		step "$what: wrote ${lock#"$TOP"/} ($(wc -l <"$tmp/lock") packages)" >&2
	fi
	if ! diff <(grep -v '^#' "$lock") "$tmp/lock" >"$tmp/lock.diff"; then
		sed 's/^/    /' "$tmp/lock.diff" >&2
		die "$what: the packages apt resolves differ from ${lock#"$TOP"/} (< lock, > now)"
	fi
}

# deb_payload NAME SUITE MAIN_FILE MAIN_SHA256 PKG=VER...: the start of an L1 payload made of
# Debian packages (scripts/peer.sh, scripts/libvirt.sh). Its cpio is
# $CACHE/peers/NAME-<key>.cpio, the key covering the packages, MAIN_SHA256,
# rig/peers/NAME.lock and the calling script: when that exists (and LOCK_UPDATE is not 1),
# prints it and exits. Otherwise checks the closure against the lock (deb_closure), verifies
# MAIN_FILE, unpacks every package into $PAYLOAD_TMP/root and sets PAYLOAD_OUT (PAYLOAD_TMP
# is removed at exit).
deb_payload() {
	local name=$1 suite=$2 mainf=$3 mainsha=$4 lock f
	shift 4
	lock=$TOP/rig/peers/$name.lock
	PAYLOAD_OUT=$CACHE/peers/$name-$(hash_inputs "$*" "$mainsha" "$lock" "$0").cpio
	if [ -f "$PAYLOAD_OUT" ] && [ "${LOCK_UPDATE:-0}" != 1 ]; then
		echo "$PAYLOAD_OUT"
		exit 0
	fi
	mkdir -p "$CACHE/peers"
	PAYLOAD_TMP=$(mktemp -d "$CACHE/peers/.tmp.XXXXXX")
	trap 'rm -rf "$PAYLOAD_TMP"' EXIT
	deb_closure "$name" "$suite" "$lock" "$CACHE/peers/debs-$name" "$PAYLOAD_TMP" "$@"
	# (a lock LOCK_UPDATE rewrote is part of the key)
	PAYLOAD_OUT=$CACHE/peers/$name-$(hash_inputs "$*" "$mainsha" "$lock" "$0").cpio
	# (by package name: apt's file names spell an epoch "1%3a")
	verify "$(grep "/${mainf%%_*}_[^/]*\$" "$PAYLOAD_TMP/files")" "$mainsha" "$name: $mainf"
	mkdir -p "$PAYLOAD_TMP/root"
	while read -r f; do dpkg-deb -x "$f" "$PAYLOAD_TMP/root"; done <"$PAYLOAD_TMP/files"
}

# l1_tools ROOT TMP: busybox-static (BUSYBOX, fetched) with its applet links in ROOT/bin, and
# the rig's static QMP client as ROOT/bin/qmp (the rig's and the functional test's L1 roots)
l1_tools() {
	local a
	dpkg-deb -x "$CACHE/dl/$(ver BUSYBOX_FILE)" "$2/bb"
	cp "$2/bb/bin/busybox" "$1/bin/busybox"
	for a in $(qemu-aarch64-static "$1/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$1/bin/$a"
	done
	aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o "$1/bin/qmp" "$TOP/rig/qmp.c"
}
