#!/bin/bash
# Debian's libvirt for the rig's L1 hosts: the daemon (libvirtd), its QEMU driver and virsh
# for arm64 as versions.mk names them (LIBVIRT_*), with the shared libraries they need from
# the same Debian suite, packed as an L1 payload (cached by content):
#   /opt/libvirt/{bin,lib}      libvirtd and virsh, their loader and library closure
#   /usr/sbin/libvirtd, /usr/bin/virsh
#                               run them through that loader, so libvirt's libraries never
#                               mix with the rig's (the QEMUs libvirt starts use their own)
#   /usr/lib/aarch64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so,
#   /usr/share/libvirt          where libvirtd looks for its QEMU driver, CPU map, schemas
# The rig's own configuration (no TLS, no polkit, no cgroups, namespaces or security
# driver) is not here: the scenarios write it (tests/libvirt/).
#
#   scripts/libvirt.sh                  prints the path of the cpio
#   LOCK_UPDATE=1 scripts/libvirt.sh    (re)write rig/peers/libvirt.lock from what apt resolves
#
# The closure is resolved by apt (Depends, no Recommends, from LIBVIRT_SUITE) and must match
# rig/peers/libvirt.lock package by package (version, architecture, sha256). It includes the
# suite's own QEMU (libvirt-daemon-driver-qemu depends on one), which is not packed: the
# domains of the rig name their emulator.
. "$(dirname "$0")/lib.sh"

pver=$(ver LIBVIRT_VER) suite=$(ver LIBVIRT_SUITE)
pkgs=()
for p in $(ver LIBVIRT_PKGS); do pkgs+=("$p=$pver"); done
deb_payload libvirt "$suite" "$(ver LIBVIRT_FILE)" "$(ver LIBVIRT_SHA256)" "${pkgs[@]}"
tmp=$PAYLOAD_TMP out=$PAYLOAD_OUT

step "libvirt: packing libvirtd, its QEMU driver and virsh" >&2
p=$tmp/p
o=$p/opt/libvirt
mods=usr/lib/aarch64-linux-gnu/libvirt/connection-driver
mkdir -p "$o/bin" "$o/lib" "$p/usr/sbin" "$p/usr/bin" "$p/$mods" "$p/usr/share/libvirt"
cp "$tmp/root/usr/sbin/libvirtd" "$tmp/root/usr/bin/virsh" "$o/bin/"
cp "$tmp/root/$mods/libvirt_driver_qemu.so" "$p/$mods/"
cp -r "$tmp/root/usr/share/libvirt/cpu_map" "$tmp/root/usr/share/libvirt/schemas" "$p/usr/share/libvirt/"
ldso=$(find "$tmp/root" -name 'ld-linux-aarch64.so.1' -print -quit)
[ -n "$ldso" ] || die "libvirt: no ld-linux-aarch64.so.1 in the closure"
cp -L "$ldso" "$o/lib/"
for f in "$o/bin/libvirtd" "$o/bin/virsh" "$p/$mods/libvirt_driver_qemu.so"; do
	arm64_closure "$f" "$o/lib" "$tmp/root"
done
for b in sbin/libvirtd bin/virsh; do
	cat >"$p/usr/$b" <<EOS
#!/bin/sh
# Debian's ${b#*/} $pver ($suite), with its own loader and libraries
exec /opt/libvirt/lib/ld-linux-aarch64.so.1 --library-path /opt/libvirt/lib /opt/libvirt/bin/${b#*/} "\$@"
EOS
	chmod +x "$p/usr/$b"
done
printf 'packages=%s\nversion=%s\nsuite=%s\nlibraries=%s\n' "$(ver LIBVIRT_PKGS)" "$pver" "$suite" \
	"$(ls "$o/lib" | wc -l)" >"$o/build-info"
(cd "$p" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$tmp/libvirt.cpio"
mv "$tmp/libvirt.cpio" "$out"
step "libvirt: $(du -h "$out" | cut -f1), $(ls "$o/lib" | wc -l) libraries" >&2
echo "$out"
