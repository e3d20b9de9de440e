#!/bin/bash
# A Debian-built QEMU as a peer of the rig: the qemu-system-arm package for arm64 named by
# versions.mk (PEER<NAME>_*), with the shared libraries it needs from the same Debian suite,
# packed as an L1 payload under /opt/peer-<name>/ (cached by content). In L1,
# /opt/peer-<name>/qemu-system-aarch64 runs it through its own dynamic loader, so the
# peer's libraries never mix with the rig's.
#
#   scripts/peer.sh NAME            prints the path of the cpio (NAME: deb111, deb100)
#   LOCK_UPDATE=1 scripts/peer.sh NAME
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
deb_payload "$name" "$suite" "$(ver "${P}_FILE")" "$(ver "${P}_SHA256")" "${pkg%:arm64}=$pver"
tmp=$PAYLOAD_TMP out=$PAYLOAD_OUT

# keep the emulator, its library closure and the dynamic loader
step "peer $name: packing /opt/peer-$name" >&2
d=$tmp/p/opt/peer-$name
mkdir -p "$d/bin" "$d/lib"
cp "$tmp/root/usr/bin/qemu-system-aarch64" "$d/bin/"
ldso=$(find "$tmp/root" -name 'ld-linux-aarch64.so.1' -print -quit)
[ -n "$ldso" ] || die "peer $name: no ld-linux-aarch64.so.1 in the closure"
cp -L "$ldso" "$d/lib/"
arm64_closure "$d/bin/qemu-system-aarch64" "$d/lib" "$tmp/root"
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
