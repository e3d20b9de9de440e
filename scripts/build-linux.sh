#!/bin/bash
# Build the rig's own arm64 L1 kernel from work/linux (base + patches/linux).
#
#   scripts/build-linux.sh [rig|lockdep]
#
# rig:     allnoconfig + config/linux-rig.config
# lockdep: the same + config/linux-lockdep.config (PROVE_LOCKING), for check-full
#
# Builds incrementally in work/linux/build-<variant>; the Image, .config and installed uapi
# headers are kept in $IDREGS_CACHE/out/linux-<variant>-<key> (key = tree content +
# fragments + this script + toolchain) and linked from work/out/linux-<variant>.
. "$(dirname "$0")/lib.sh"
. "$TOP/scripts/ccache-env.sh"

variant=${1:-rig}
# One build per configuration at a time (the rig, helpers and checks may all ask at once):
# later callers wait, then find the output cached.
mkdir -p "$CACHE/locks"
exec 9>"$CACHE/locks/$(basename "$0" .sh)-$variant.lock"
flock 9
tree=$TOP/work/linux
[ -d "$tree/.git" ] || die "$tree missing: run 'make work' first"
frags=("$TOP/config/linux-rig.config")
case $variant in
rig) ;;
lockdep) frags+=("$TOP/config/linux-lockdep.config") ;;
*) die "unknown kernel variant $variant" ;;
esac

export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026"
export KBUILD_BUILD_USER=idregs KBUILD_BUILD_HOST=rig
tc=$(aarch64-linux-gnu-gcc --version | head -n 1)
tree_key=$({
	git -C "$tree" rev-parse 'HEAD^{tree}'
	git -C "$tree" diff HEAD
} | sha256sum | cut -c1-16)
key=$(hash_inputs "$tree_key" "${frags[@]}" "$0" "$tc")
out=$CACHE/out/linux-$variant-$key
mkdir -p "$TOP/work/out"
if [ -f "$out/.done" ]; then
	step "linux $variant: cached ($out)"
	ln -sfn "$out" "$TOP/work/out/linux-$variant"
	exit 0
fi

bdir=build-$variant
cat "${frags[@]}" >"$tree/$bdir.fragment" 2>/dev/null || {
	mkdir -p "$tree/$bdir"
	cat "${frags[@]}" >"$tree/$bdir.fragment"
}
mkdir -p "$tree/$bdir"
mv "$tree/$bdir.fragment" "$tree/$bdir/fragment.config"
step "linux $variant: allnoconfig + ${frags[*]##*/}"
make -C "$tree" O="$bdir" -s KCONFIG_ALLCONFIG="$bdir/fragment.config" allnoconfig >/dev/null
# every option the fragment sets must have taken effect
bad=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$tree/$bdir/fragment.config" | while IFS= read -r l; do
	case $l in
	*=n) grep -qx "${l%=n}=y" "$tree/$bdir/.config" && echo "$l" ;;
	*) grep -qx "$l" "$tree/$bdir/.config" || echo "$l" ;;
	esac
done)
[ -z "$bad" ] || die "linux $variant: config options did not take effect:
$bad"

step "linux $variant: building Image in work/linux/$bdir"
t0=$(date +%s)
ccache -z >/dev/null
logged "linux $variant" "$tree/$bdir/build.log" make -C "$tree" O="$bdir" -j"$(ncpus)" Image ||
	{
		grep -E -B2 -A10 'error|Error' "$tree/$bdir/build.log" | head -n 60 >&2
		die "linux $variant: build failed (work/linux/$bdir/build.log)"
	}
make -C "$tree" O="$bdir" -s headers_install INSTALL_HDR_PATH="$tree/$bdir/usr-headers" >/dev/null
step "linux $variant: built in $(($(date +%s) - t0))s; ccache: $(ccache -s 2>/dev/null | grep -E '^ *Hits' | head -n 1 | tr -s ' ')"

tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
cp "$tree/$bdir/arch/arm64/boot/Image" "$tree/$bdir/.config" "$tmp/"
cp -r "$tree/$bdir/usr-headers" "$tmp/headers"
{
	echo "variant=$variant"
	echo "release=$(cat "$tree/$bdir/include/config/kernel.release")"
	echo "commits=$(git -C "$tree" rev-list --count base..HEAD)"
	echo "head=$(git -C "$tree" log -1 --format=%s)"
	echo "toolchain=$tc"
} >"$tmp/build-info"
rm -rf "$out"
mv "$tmp" "$out"
touch "$out/.done"
ln -sfn "$out" "$TOP/work/out/linux-$variant"
step "linux $variant: output in $out"
