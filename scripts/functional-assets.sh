#!/bin/bash
# Build the asset of the QEMU series' functional test (tests/functional/aarch64/
# test_kvm_idregs.py) and the initramfs fragment with the QEMU it runs inside its L1.
#
#   scripts/functional-assets.sh stack     build kvm-idregs-stack-1.tar, print its path
#   scripts/functional-assets.sh payload   pack work/out/qemu-cross, print the cpio's path
#
# The stack is a tar of the L1 kernel (Image: the vmlinuz of Debian's 6.12 cloud kernel,
# K612 in versions.mk, byte for byte) and l1.cpio: busybox-static (BUSYBOX), /init, /bin/qmp
# (rig/qmp.c) and /guest.elf (guests/, stripped). It is built to be reproducible (fixed
# mtimes, owners, order; no debug info, so no build paths): the test records its sha256, and
# tests/functional/run fails when a build of this script does not give that sha256.
. "$(dirname "$0")/lib.sh"

what=${1:?usage: functional-assets.sh stack|payload}
mkdir -p "$CACHE/functional"

stack() {
	local kdir key out tmp r a
	kdir=$("$TOP/rig/kernel.sh" deb612)
	"$TOP/scripts/fetch.sh" BUSYBOX >&2
	make -s -C "$TOP/guests" >&2
	key=$(hash_inputs "$(ver K612_SHA256)" "$(ver BUSYBOX_SHA256)" "$0" "$TOP/rig/qmp.c" \
		"$TOP/guests/out/idregs-guest.elf" "$(aarch64-linux-gnu-gcc --version | head -n 1)")
	out=$CACHE/functional/stack-$key/kvm-idregs-stack-1.tar
	if [ -f "$out" ]; then
		echo "$out"
		return 0
	fi
	tmp=$(mktemp -d "$CACHE/functional/.tmp.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	r=$tmp/root
	mkdir -p "$r"/{bin,dev,proc,sys,tmp,opt}
	l1_tools "$r" "$tmp"
	aarch64-linux-gnu-strip "$r/bin/qmp"
	aarch64-linux-gnu-strip -o "$r/guest.elf" "$TOP/guests/out/idregs-guest.elf"
	cat >"$r/init" <<'EOF'
#!/bin/sh
# PID 1 of the functional test's L1 host: the basics, lo for migrations over TCP, a shell
# on the console that the test drives
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
ip link set lo up
echo "IDREGS-L1 kvm=$([ -c /dev/kvm ] && echo yes || echo no) kernel=$(uname -r)"
export PS1='# '
exec sh
EOF
	chmod 755 "$r/init" "$r/bin/qmp"
	chmod 644 "$r/guest.elf"
	mkdir -p "$tmp/stack"
	find "$r" -exec touch -h -d @0 {} +
	(cd "$r" && find . | LC_ALL=C sort |
		cpio -o -H newc --quiet --reproducible -R 0:0) >"$tmp/stack/l1.cpio"
	cp "$kdir/Image" "$tmp/stack/Image"
	chmod 644 "$tmp/stack/"*
	touch -d @0 "$tmp/stack/"*
	tar -C "$tmp/stack" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		--format=gnu -cf "$tmp/stack.tar" Image l1.cpio
	mkdir -p "$(dirname "$out")"
	mv "$tmp/stack.tar" "$out"
	echo "$out"
}

payload() {
	local src key out tmp r
	src=$(readlink -f "$TOP/work/out/qemu-cross")
	[ -f "$src/.done" ] || die "no QEMU cross build: run scripts/build-qemu.sh cross"
	key=$(hash_inputs "$src" "$0")
	out=$CACHE/functional/payload-$key.cpio
	if [ -f "$out" ]; then
		echo "$out"
		return 0
	fi
	tmp=$(mktemp -d "$CACHE/functional/.tmp.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	r=$tmp/root
	mkdir -p "$r/opt/qemu/bin" "$r/lib/aarch64-linux-gnu"
	aarch64-linux-gnu-strip -o "$r/opt/qemu/bin/qemu-system-aarch64" "$src/bin/qemu-system-aarch64"
	arm64_closure "$r/opt/qemu/bin/qemu-system-aarch64" "$r/lib/aarch64-linux-gnu"
	cp -L /lib/ld-linux-aarch64.so.1 "$r/lib/ld-linux-aarch64.so.1"
	(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$tmp/payload.cpio"
	mv "$tmp/payload.cpio" "$out"
	echo "$out"
}

case $what in
stack) stack ;;
payload) payload ;;
*) die "unknown: $what (stack, payload)" ;;
esac
