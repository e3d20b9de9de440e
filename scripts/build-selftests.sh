#!/bin/bash
# Cross-build, statically, the KVM selftests the rig runs in L1 (busybox initramfs, no libc)
# from work/linux (base + patches/linux): arm64/vm_one_reg (the series' own test), the
# unmodified upstream arm64/set_id_regs, get-reg-list and arm64/hypercalls, and
# arm64/set_id_regs_vm and arm64/hypercalls_vm (the same two sources, built with the series'
# vm_reg_shim.h, which routes their VM-scoped register accesses through the VM fd), and
# arm64/vpmu_counter_access (upstream's, with the series' cases of a PMUVer userspace wrote).
#
#   scripts/build-selftests.sh
#
# Builds in work/linux/build-kselftests (uapi headers installed there first; OUTPUT and
# abs_objdir point there, so nothing is written into the source tree). The binaries are kept
# in $IDREGS_CACHE/out/kselftests-<key> (key = tree content + this script + toolchain) and
# linked from work/out/kselftests; the rig copies them to /opt/kselftests in L1.
. "$(dirname "$0")/lib.sh"
. "$TOP/scripts/ccache-env.sh"

tests=(arm64/vm_one_reg arm64/set_id_regs get-reg-list arm64/hypercalls
	arm64/set_id_regs_vm arm64/hypercalls_vm arm64/vpmu_counter_access)

tree=$TOP/work/linux
[ -d "$tree/.git" ] || die "$tree missing: run 'make work' first"
mkdir -p "$CACHE/locks"
exec 9>"$CACHE/locks/build-selftests.lock"
flock 9
export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
tc=$(aarch64-linux-gnu-gcc --version | head -n 1)
# committed tree + uncommitted changes + untracked files (a new test before its commit;
# Debian's top-level .gitignore hides new files, so ignore rules are not applied)
tree_key=$({
	git -C "$tree" rev-parse 'HEAD^{tree}'
	git -C "$tree" diff HEAD
	git -C "$tree" ls-files -z --others -- tools/testing/selftests/kvm tools/include \
		tools/arch/arm64 include/uapi arch/arm64/include/uapi |
		(cd "$tree" && xargs -0 -r sha256sum)
} | sha256sum | cut -c1-16)
key=$(hash_inputs "$tree_key" "$0" "$tc")
out=$CACHE/out/kselftests-$key
mkdir -p "$TOP/work/out"
if [ -f "$out/.done" ]; then
	step "kselftests: cached ($out)"
	ln -sfn "$out" "$TOP/work/out/kselftests"
	exit 0
fi

bdir=$tree/build-kselftests
mkdir -p "$bdir/tools"
t0=$(date +%s)
step "kselftests: installing uapi headers into work/linux/build-kselftests/usr"
make -C "$tree" O="$bdir" -s headers_install INSTALL_HDR_PATH="$bdir/usr" >/dev/null

step "kselftests: building ${tests[*]} (static, aarch64)"
ccache -z >/dev/null
kmake=(make -C "$tree/tools/testing/selftests/kvm" -j"$(($(ncpus) > 2 ? 2 : $(ncpus)))"
	ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
	OUTPUT="$bdir/kvm" abs_objdir="$bdir"
	INSTALL_HDR_PATH="$bdir/usr" KHDR_INCLUDES="-isystem $bdir/usr/include"
	USERLDFLAGS=-static)
logged "kselftests" "$bdir/build.log" "${kmake[@]}" "${tests[@]/#/$bdir/kvm/}" || {
	grep -E -B2 -A10 'error|Error' "$bdir/build.log" | head -n 60 >&2
	die "kselftests: build failed (work/linux/build-kselftests/build.log)"
}

tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
for t in "${tests[@]}"; do
	f=$bdir/kvm/$t
	# must run without a libc in L1
	if aarch64-linux-gnu-readelf -l "$f" | grep -q -E 'INTERP|Requesting program interpreter'; then
		die "kselftests: $t is not static"
	fi
	aarch64-linux-gnu-strip -o "$tmp/${t##*/}" "$f"
done
{
	echo "tests=${tests[*]##*/}"
	echo "commits=$(git -C "$tree" rev-list --count base..HEAD)"
	echo "head=$(git -C "$tree" log -1 --format=%s)"
	echo "toolchain=$tc"
} >"$tmp/build-info"
rm -rf "$out"
mv "$tmp" "$out"
touch "$out/.done"
ln -sfn "$out" "$TOP/work/out/kselftests"
step "kselftests: built in $(($(date +%s) - t0))s; ccache: $(ccache -s 2>/dev/null | grep -E '^ *Hits' | head -n 1 | tr -s ' '); output in $out"
