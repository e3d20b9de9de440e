#!/bin/bash
# A Debian-built QEMU as a peer of the rig: the qemu-system-arm package for arm64 named by
# versions.mk (PEER<NAME>_*), with the shared libraries it needs from the same Debian suite,
# packed as an L1 payload under /opt/peer-<name>/ (cached by content). In L1,
# /opt/peer-<name>/qemu-system-aarch64 runs it through its own dynamic loader, so the
# peer's libraries never mix with the rig's.
#
#   scripts/peer.sh NAME            prints the path of the cpio (NAME: deb111, deb100)
#   PEER_LOCK_UPDATE=1 scripts/peer.sh NAME
#                                   (re)write rig/peers/NAME.lock from what apt resolves
#
# The package's closure is resolved by apt (Depends, no Recommends, from the package's
# suite) and every .deb of it must match rig/peers/NAME.lock (package, version,
# architecture, sha256): a new or changed package is an error naming it.
. "$(dirname "$0")/lib.sh"

name=${1:?usage: scripts/peer.sh NAME}
case $name in
deb111) P=PEER111 ;;
deb100) P=PEER100 ;;
*) die "unknown peer $name (deb111, deb100)" ;;
esac
pkg=$(ver "${P}_PKG") pver=$(ver "${P}_VER") suite=$(ver "${P}_SUITE")
lock=$TOP/rig/peers/$name.lock
[ -f "$lock" ] || [ "${PEER_LOCK_UPDATE:-0}" = 1 ] || die "no $lock (PEER_LOCK_UPDATE=1 writes it)"
key=$(hash_inputs "$pkg=$pver" "$(ver "${P}_SHA256")" "$lock" "$0")
out=$CACHE/peers/$name-$key.cpio
if [ -f "$out" ] && [ "${PEER_LOCK_UPDATE:-0}" != 1 ]; then
	echo "$out"
	exit 0
fi
debs=$CACHE/peers/debs-$name
mkdir -p "$debs/partial"
step "peer $name: resolving and fetching $pkg $pver ($suite) with its libraries" >&2
"$TOP/scripts/aptp" apt-get -q -y -o APT::Architecture=arm64 -o APT::Install-Recommends=false \
	-o Dir::Cache::Archives="$debs" -t "$suite" install --download-only "${pkg%:arm64}=$pver" >&2 ||
	die "peer $name: apt could not fetch $pkg $pver and its dependencies"
# the closure apt resolved: exactly the packages of the lock, byte for byte
tmp=$(mktemp -d "$CACHE/peers/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$TOP/scripts/aptp" apt-get -s -o APT::Architecture=arm64 -o APT::Install-Recommends=false \
	-t "$suite" install "${pkg%:arm64}=$pver" 2>/dev/null |
	sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1 \2/p' | LC_ALL=C sort >"$tmp/resolved"
: >"$tmp/lock"
while read -r p v; do
	f=""
	for d in "$debs"/"${p%:*}"_*.deb; do
		[ -f "$d" ] && [ "$(dpkg-deb -f "$d" Version)" = "$v" ] && { f=$d; break; }
	done
	[ -n "$f" ] || die "peer $name: $p $v was resolved but not downloaded"
	printf '%s %s %s %s\n' "${p%:*}" "$v" "$(dpkg-deb -f "$f" Architecture)" "$(sha256_of "$f")" >>"$tmp/lock"
	echo "$f" >>"$tmp/files"
done <"$tmp/resolved"
if [ "${PEER_LOCK_UPDATE:-0}" = 1 ]; then
	{
		echo "# scripts/peer.sh $name: the closure of $pkg $pver ($suite), package version arch sha256"
		cat "$tmp/lock"
	} >"$lock"
	step "peer $name: wrote $(rel=${lock#"$TOP"/}; echo "$rel") ($(wc -l <"$tmp/lock") packages)" >&2
	key=$(hash_inputs "$pkg=$pver" "$(ver "${P}_SHA256")" "$lock" "$0")
	out=$CACHE/peers/$name-$key.cpio
fi
if ! diff <(grep -v '^#' "$lock") "$tmp/lock" >"$tmp/lock.diff"; then
	sed 's/^/    /' "$tmp/lock.diff" >&2
	die "peer $name: the packages apt resolves differ from rig/peers/$name.lock (< lock, > now)"
fi
main=$(grep "/qemu-system-arm_" "$tmp/files")
verify "$main" "$(ver "${P}_SHA256")" "$pkg $pver"

# unpack, then keep the emulator, its library closure and the dynamic loader
step "peer $name: packing /opt/peer-$name" >&2
mkdir -p "$tmp/root"
while read -r f; do dpkg-deb -x "$f" "$tmp/root"; done <"$tmp/files"
d=$tmp/p/opt/peer-$name
mkdir -p "$d/bin" "$d/lib"
cp "$tmp/root/usr/bin/qemu-system-aarch64" "$d/bin/"
ldso=$(find "$tmp/root" -name 'ld-linux-aarch64.so.1' -print -quit)
[ -n "$ldso" ] || die "peer $name: no ld-linux-aarch64.so.1 in the closure"
cp -L "$ldso" "$d/lib/"
declare -A seen=()
closure() { # closure ELF: copy its NEEDED libraries, recursively, from the peer's root
	local lib path l
	for lib in $(aarch64-linux-gnu-readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -z "${seen[$lib]:-}" ] || continue
		seen[$lib]=1
		path=""
		for l in "$tmp"/root/{lib,usr/lib}/aarch64-linux-gnu "$tmp"/root/{lib,usr/lib}; do
			[ -e "$l/$lib" ] && { path=$l/$lib; break; }
		done
		[ -n "$path" ] || die "peer $name: $lib (needed by $(basename "$1")) is not in the closure"
		cp -L "$path" "$d/lib/$lib"
		closure "$path"
	done
}
closure "$d/bin/qemu-system-aarch64"
cat >"$d/qemu-system-aarch64" <<EOS
#!/bin/sh
# Debian's qemu-system-aarch64 $pver ($suite), with its own loader and libraries
exec /opt/peer-$name/lib/ld-linux-aarch64.so.1 --library-path /opt/peer-$name/lib \\
	/opt/peer-$name/bin/qemu-system-aarch64 "\$@"
EOS
chmod +x "$d/qemu-system-aarch64"
printf 'package=%s\nversion=%s\nsuite=%s\nlibraries=%s\n' "$pkg" "$pver" "$suite" \
	"$(ls "$d/lib" | wc -l)" >"$d/build-info"
(cd "$tmp/p" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$tmp/peer.cpio"
mv "$tmp/peer.cpio" "$out"
step "peer $name: $(du -h "$out" | cut -f1), $(ls "$d/lib" | wc -l) libraries" >&2
echo "$out"
