#!/bin/bash
# Resolve an L1 kernel name to a directory holding its Image (and, for Debian's kernels, a
# cpio with the modules the rig needs), building or unpacking it when missing.
#
#   rig/kernel.sh NAME       prints the directory
#
# NAME: ours (work/linux + patches/linux), ours-lockdep, deb61, deb612, deb72 (Debian's own
# arm64 cloud kernels, pinned in versions.mk).
. "$(dirname "$0")/../scripts/lib.sh"

name=${1:?usage: rig/kernel.sh ours|ours-lockdep|deb61|deb612|deb72}
case $name in
ours | ours-lockdep)
	v=rig
	[ "$name" = ours-lockdep ] && v=lockdep
	"$TOP/scripts/mkwork.sh" linux >&2
	"$TOP/scripts/build-linux.sh" "$v" >&2
	readlink -f "$TOP/work/out/linux-$v"
	exit 0
	;;
deb61) pkgs=(K61) ;;
deb612) pkgs=(K612) ;;
deb72) pkgs=(K72 K72MOD) ;;
*) die "unknown kernel '$name' (ours, ours-lockdep, deb61, deb612, deb72)" ;;
esac

sums=""
for p in "${pkgs[@]}"; do
	sums="$sums $(ver "${p}_SHA256")"
done
out=$CACHE/kernels/$name-$(hash_inputs "$sums" "$0")
if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi
"$TOP/scripts/fetch.sh" "${pkgs[@]}" >&2
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp/x" "$tmp/root/lib/modules/rig"
for p in "${pkgs[@]}"; do
	dpkg-deb -x "$CACHE/dl/$(ver "${p}_FILE")" "$tmp/x"
done
img=$(find "$tmp/x" -name 'vmlinuz*' -type f | head -n 1)
[ -n "$img" ] || die "$name: no vmlinuz in ${pkgs[*]}"
mv "$img" "$tmp/Image"
kver=$(find "$tmp/x" -path '*/lib/modules/*' -maxdepth 4 -mindepth 3 -type d -name '[0-9]*' | head -n 1)
# virtio-mmio + virtio-blk for the scratch disk, virtio-net for the network of two L1 hosts
# (rig/run --net), in load order (some are built in)
n=0
for m in virtio virtio_ring virtio_mmio virtio_blk failover net_failover virtio_net; do
	f=$(find "$kver" -name "$m.ko*" | head -n 1)
	[ -n "$f" ] || continue
	n=$((n + 1))
	case $f in
	*.xz) xz -dc "$f" >"$tmp/root/lib/modules/rig/$n-$m.ko" ;;
	*.zst) zstd -qdc "$f" >"$tmp/root/lib/modules/rig/$n-$m.ko" ;;
	*) cp "$f" "$tmp/root/lib/modules/rig/$n-$m.ko" ;;
	esac
done
(cd "$tmp/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$tmp/modules.cpio"
echo "release=$(basename "$kver")" >"$tmp/build-info"
rm -rf "$tmp/x" "$tmp/root"
rm -rf "$out"
mv "$tmp" "$out"
touch "$out/.done"
echo "$out"
