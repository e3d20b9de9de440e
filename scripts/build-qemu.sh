#!/bin/bash
# Build QEMU in one of three fixed configurations:
#   cross       work/qemu       (patched)  aarch64 host, KVM only: the binary the rig runs
#   cross-base  work/qemu-base  (pristine) same configuration: the "old QEMU" for rollback
#   native      work/qemu       (patched)  x86_64 host, aarch64-softmmu with TCG: catches
#                                          TCG/stub breakage, runs qtests without KVM
#   series      work/qemu-series           cross configuration, for per-patch builds
#                                          (make check-series; no output is kept)
#   cross-asan  work/qemu       (patched)  cross configuration with ASan + UBSan, not
#                                          stripped (make check-full)
#
#   scripts/build-qemu.sh VARIANT [--print-out]
#
# Each builds incrementally in work/<tree>/build-<variant> (fixed, so ninja and ccache stay
# warm). The finished binaries are kept in $IDREGS_CACHE/out/qemu-VARIANT-<key>, key = the
# tree's content + this script + the toolchain; an unchanged input is never rebuilt.
# work/out/qemu-VARIANT links to the current output.
. "$(dirname "$0")/lib.sh"
. "$TOP/scripts/ccache-env.sh"

variant=${1:?usage: build-qemu.sh cross|cross-base|native}
# One build per configuration at a time (the rig, helpers and checks may all ask at once):
# later callers wait, then find the output cached.
mkdir -p "$CACHE/locks"
exec 9>"$CACHE/locks/$(basename "$0" .sh)-$variant.lock"
flock 9
case $variant in
cross | native | cross-asan) tree=$TOP/work/qemu ;;
cross-base) tree=$TOP/work/qemu-base ;;
series) tree=$TOP/work/qemu-series ;;
*) die "unknown variant $variant" ;;
esac
[ -d "$tree" ] || die "$tree missing: run 'make work' first"

# Device set: the default one, TCG disabled for the cross builds. (The "minimal" aarch64
# device set does not link in pristine 10.2.2 -- hw/acpi/cxl.c needs
# cxl_fmws_get_all_sorted() without CONFIG_CXL -- and the old QEMU must stay pristine.)
common=(--target-list=aarch64-softmmu --without-default-features --disable-docs
	--disable-install-blobs --disable-download --python=/usr/bin/python3
	--enable-fdt=system --enable-tools --prefix=/usr --enable-trace-backends=log)
targets=(qemu-system-aarch64 qemu-img tests/qtest/arm-cpu-features tests/qtest/migration-test)
# the series' own qtest, where the tree has it
[ ! -f "$tree/tests/qtest/arm-idregs-test.c" ] || targets+=(tests/qtest/arm-idregs-test)
case $variant in
cross | cross-base | series | cross-asan)
	sysroot=$CACHE/sysroot-arm64
	if [ ! -f "$sysroot/.done-$(ver LIBFDT_SHA256)" ]; then
		"$TOP/scripts/fetch.sh" LIBFDT
		rm -rf "$sysroot"
		mkdir -p "$sysroot"
		dpkg-deb -x "$CACHE/dl/$(ver LIBFDT_FILE)" "$sysroot"
		# only the static library: L1 then needs no libfdt
		rm -f "$sysroot"/usr/lib/aarch64-linux-gnu/libfdt.so*
		touch "$sysroot/.done-$(ver LIBFDT_SHA256)"
	fi
	conf=(--cross-prefix=aarch64-linux-gnu- --disable-tcg --enable-kvm
		--extra-cflags="-I$sysroot/usr/include"
		--extra-ldflags="-L$sysroot/usr/lib/aarch64-linux-gnu")
	tc=$(aarch64-linux-gnu-gcc --version | head -n 1)
	if [ "$variant" = cross-asan ]; then
		conf+=(--enable-asan --enable-ubsan)
		targets=(qemu-system-aarch64)
	fi
	;;
native)
	conf=(--enable-tcg --disable-kvm)
	tc=$(gcc --version | head -n 1)
	;;
esac
if [ -n "${IDREGS_QEMU_EXTRA_CONF:-}" ]; then
	# shellcheck disable=SC2206
	conf+=($IDREGS_QEMU_EXTRA_CONF)
fi

# Debian's +ds tarball drops the edk2 firmware images that pc-bios/meson.build declares as
# inputs whenever an edk2 target is built. None of our targets uses them; empty
# placeholders (git-excluded, never committed) let meson configure the pristine tree.
for f in $(sed -n "s/^ *'\(edk2-[a-z0-9_-]*\.fd\)',$/\1/p" "$tree/pc-bios/meson.build"); do
	[ -e "$tree/pc-bios/$f.bz2" ] || : >"$tree/pc-bios/$f.bz2"
done
excl=$(git -C "$tree" rev-parse --path-format=absolute --git-common-dir)/info/exclude
grep -qx '/pc-bios/edk2-\*.fd.bz2' "$excl" 2>/dev/null || echo '/pc-bios/edk2-*.fd.bz2' >>"$excl"

tree_key() {
	{
		git -C "$tree" rev-parse 'HEAD^{tree}'
		git -C "$tree" diff HEAD
		(cd "$tree" && git ls-files --others --exclude-standard | sort | xargs -r sha256sum --)
	} | sha256sum | cut -c1-16
}
key=$(hash_inputs "$(tree_key)" "$0" "$TOP/scripts/ccache-env.sh" "$tc" "${conf[*]}" "${targets[*]}")
out=$CACHE/out/qemu-$variant-$key
mkdir -p "$TOP/work/out"
if [ "$variant" != series ] && [ -f "$out/.done" ]; then
	step "qemu $variant: cached ($out)"
	ln -sfn "$out" "$TOP/work/out/qemu-$variant"
	exit 0
fi

bdir=$tree/build-$variant
confline="${common[*]} ${conf[*]}"
if [ ! -f "$bdir/build.ninja" ] || [ "$(cat "$bdir/.idregs-conf" 2>/dev/null)" != "$confline" ]; then
	step "qemu $variant: configure"
	rm -rf "$bdir"
	mkdir -p "$bdir"
	(cd "$bdir" && ../configure "${common[@]}" "${conf[@]}" >configure.log 2>&1) ||
		{
			tail -n 30 "$bdir/configure.log" >&2
			die "qemu $variant: configure failed ($bdir/configure.log)"
		}
	printf '%s\n' "$confline" >"$bdir/.idregs-conf"
fi
step "qemu $variant: building ${targets[*]} in $bdir"
ccache -z >/dev/null
t0=$(date +%s)
logged "qemu $variant" "$bdir/ninja.log" ninja -C "$bdir" -j"$(ncpus)" "${targets[@]}" ||
	{
		grep -E -B2 -A12 'error|FAILED' "$bdir/ninja.log" | head -n 80 >&2
		die "qemu $variant: build failed ($bdir/ninja.log)"
	}
step "qemu $variant: built in $(($(date +%s) - t0))s; ccache: $(ccache -s 2>/dev/null | grep -E '^ *Hits' | head -n 1 | tr -s ' ')"

[ "$variant" != series ] || exit 0
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp/bin" "$tmp/qtest"
for t in "${targets[@]}"; do
	case $t in
	tests/qtest/*) cp "$bdir/$t" "$tmp/qtest/" ;;
	*) cp "$bdir/$t" "$tmp/bin/" ;;
	esac
done
{
	echo "variant=$variant"
	echo "tree=$(git -C "$tree" describe --always --tags 2>/dev/null)"
	echo "commits=$(git -C "$tree" rev-list --count base..HEAD)"
	echo "head=$(git -C "$tree" log -1 --format=%s)"
	echo "toolchain=$tc"
} >"$tmp/build-info"
rm -rf "$out"
mv "$tmp" "$out"
touch "$out/.done"
ln -sfn "$out" "$TOP/work/out/qemu-$variant"
step "qemu $variant: output in $out"
