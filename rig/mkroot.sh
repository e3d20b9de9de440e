#!/bin/bash
# Pack the rig's base L1 initramfs (uncompressed cpio: compression costs more under TCG
# than it saves): busybox-static, the cross-built QEMUs (patched in /opt/qemu-patched,
# unpatched in /opt/qemu-base, stripped) with their shared-library closure taken from the
# arm64 Debian packages installed by scripts/deps.sh, and the QMP client.
# What changes often (init, scenario library, scenarios, guests, selftests) is appended
# per run by rig/run instead.
#
#   rig/mkroot.sh        prints the path of the cpio (cached by content)
. "$(dirname "$0")/../scripts/lib.sh"

for v in cross cross-base; do
	[ -f "$TOP/work/out/qemu-$v/.done" ] || die "no QEMU $v build: run scripts/build-qemu.sh $v"
done
"$TOP/scripts/fetch.sh" BUSYBOX IPXE >&2
key=$(hash_inputs "$(ver BUSYBOX_SHA256)" "$(ver IPXE_SHA256)" "$(readlink -f "$TOP/work/out/qemu-cross")" \
	"$(readlink -f "$TOP/work/out/qemu-cross-base")" "$0" "$TOP/rig/qmp.c")
out=$CACHE/rootfs/base-$key.cpio
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi
step "rig: packing base initramfs" >&2
mkdir -p "$CACHE/rootfs"
tmp=$(mktemp -d "$CACHE/rootfs/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
r=$tmp/root
mkdir -p "$r"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,mnt,opt,lib/aarch64-linux-gnu,usr/bin}
l1_tools "$r" "$tmp"

for v in patched:cross base:cross-base; do
	dst=$r/opt/qemu-${v%%:*}
	src=$TOP/work/out/qemu-${v#*:}
	mkdir -p "$dst"
	cp -r "$src/bin" "$src/qtest" "$src/build-info" "$dst/"
	for f in "$dst"/bin/* "$dst"/qtest/*; do
		aarch64-linux-gnu-strip "$f"
		arm64_closure "$f" "$r/lib/aarch64-linux-gnu"
	done
done
cp -L /lib/ld-linux-aarch64.so.1 "$r/lib/ld-linux-aarch64.so.1"
# the option ROM virt's default NIC loads (QEMU's own qtests start virt with defaults);
# QEMU looks for data files relative to its binary
dpkg-deb -x "$CACHE/dl/$(ver IPXE_FILE)" "$tmp/ipxe"
for v in patched base; do
	mkdir -p "$r/opt/qemu-$v/share/qemu"
	cp -L "$tmp/ipxe/usr/lib/ipxe/qemu/efi-virtio.rom" "$r/opt/qemu-$v/share/qemu/"
done
(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$tmp/base.cpio"
mv "$tmp/base.cpio" "$out"
step "rig: base initramfs $(du -h "$out" | cut -f1) ($(ls "$r/lib/aarch64-linux-gnu" | wc -l) libraries)" >&2
echo "$out"
