# Pinned inputs of the project. Every download is checked against the sha256 given here.
# Packages are fetched through the machine's configured Debian mirror (see
# scripts/apt-private.sh); nothing here names a mirror host.
#
# Format: <NAME>_PKG (Debian package), <NAME>_VER (exact Debian version),
#         <NAME>_FILE (file name in the pool), <NAME>_SHA256, <NAME>_SUITE (where apt finds it)

# --- Bases of the two patch series -------------------------------------------------------
# QEMU: Debian source package, upstream (+ds) orig tarball; the debian tarball is only used
# for the two build fixes Debian carries for +ds tarballs (see scripts/mkwork.sh).
QEMU_PKG          := qemu
QEMU_VER          := 1:10.2.2+ds-1
QEMU_UPSTREAM     := 10.2.2
QEMU_SUITE        := sid
QEMU_ORIG_FILE    := qemu_10.2.2+ds.orig.tar.xz
QEMU_ORIG_SHA256  := be05230fe47a6937cd29f28f562932c8125f9c93c2a82c625198f7a4aa601dfb
QEMU_DEBIAN_FILE  := qemu_10.2.2+ds-1.debian.tar.xz
QEMU_DEBIAN_SHA256 := ddf75aceab4f8f77374f3cb34fc97b41514895aeb293ce8b2ddd5e072bb0f5c0

# Linux: Debian binary package carrying the upstream tarball.
LINUX_PKG         := linux-source-7.2
LINUX_VER         := 7.2.13-1
LINUX_UPSTREAM    := 7.2.13
LINUX_SUITE       := sid
LINUX_FILE        := linux-source-7.2_7.2.13-1_all.deb
LINUX_SHA256      := 30a8c5fc63f9028a62e6d7b3f7f43bee67425dbce2a05fceba83f9b87c92083d

# --- Host tools (amd64, installed by scripts/deps.sh) -----------------------------------
# meson >= 1.5 for QEMU 10.2 comes from bookworm-backports.
MESON_PKG         := meson
MESON_VER         := 1.7.0-1~bpo12+1
# The emulator that runs the rig's L1 host (TCG, EL2) and the user-mode one for smoke runs.
HOSTQEMU_PKG      := qemu-system-arm
HOSTQEMU_VER      := 1:10.0.2+ds-2+deb13u1~bpo12+1
HOSTQEMU_USER_PKG := qemu-user-static
# QEMU's configure insists on pycotap (functional tests); Debian's +ds tarball has no
# python/wheels and PyPI is unreachable: the pure-python package from trixie.
PYCOTAP_PKG       := python3-pycotap
PYCOTAP_VER       := 1.3.1-2
PYCOTAP_FILE      := python3-pycotap_1.3.1-2_all.deb
PYCOTAP_SHA256    := 7e8dbf3ac06434275a461d0de79792e2b80126febc53866c89027adde5192ac9
# libfdt for the aarch64 cross build: unpacked into a sysroot, since libfdt-dev:arm64
# conflicts with the amd64 one.
LIBFDT_PKG        := libfdt-dev:arm64
LIBFDT_VER        := 1.6.1-4+b1
LIBFDT_FILE       := libfdt-dev_1.6.1-4+b1_arm64.deb
LIBFDT_SHA256     := a5ab8f5de4187c8f851f817c6882772cf330a894539f4ddcd44726aeb801fa9a

# --- L1 kernels of the rig (Debian arm64 cloud flavour; "old kernels") -------------------
# 6.1: ID registers not writable by userspace (pre-6.7).
K61_PKG           := linux-image-6.1.0-56-cloud-arm64:arm64
K61_VER           := 6.1.192-2
K61_FILE          := linux-image-6.1.0-56-cloud-arm64_6.1.192-2_arm64.deb
K61_SHA256        := 481ab54a27246579aadeb372315c56de02f2fe0cba4e09b387946269fff2f415
# 6.12: writable ID registers (KVM_ARM_GET_REG_WRITABLE_MASKS), no VM-scoped ONE_REG.
K612_PKG          := linux-image-6.12.117+deb12-cloud-arm64:arm64
K612_VER          := 6.12.117-1~deb12u1
K612_FILE         := linux-image-6.12.117+deb12-cloud-arm64_6.12.117-1~deb12u1_arm64.deb
K612_SHA256       := dacb299a09c53cea91e49d7e9e9dc851b9ae1f858c27bea3ebf57831d0447cab
# 7.2.13 unpatched (sid): the control for our patched 7.2.13. Image and modules are split.
K72_PKG           := linux-binary-7.2.13+deb14-cloud-arm64:arm64
K72_VER           := 7.2.13-1
K72_FILE          := linux-binary-7.2.13+deb14-cloud-arm64_7.2.13-1_arm64.deb
K72_SHA256        := 6468b94955d8b5e8a2b3b36a826851ad0aa431c7340f6401e20b065dc08e4f5d
K72MOD_PKG        := linux-modules-7.2.13+deb14-cloud-arm64:arm64
K72MOD_VER        := 7.2.13-1
K72MOD_FILE       := linux-modules-7.2.13+deb14-cloud-arm64_7.2.13-1_arm64.deb
K72MOD_SHA256     := e356ce4b166e33d7d9a14683bf10e18265ba9b1b255bfcb963b19be5d42cb0fa

# --- L1 root ---------------------------------------------------------------------------
BUSYBOX_PKG       := busybox-static:arm64
BUSYBOX_VER       := 1:1.35.0-4+deb12u1+b1
BUSYBOX_FILE      := busybox-static_1.35.0-4+deb12u1+b1_arm64.deb
BUSYBOX_SHA256    := 732c9135564fc71337e0e05fb4da4d11e6c28c1834bce3e405e575afef2a52f5
# Option ROMs QEMU's unmodified qtests load on virt (efi-virtio.rom for the default NIC);
# Debian's +ds QEMU tarball has none.
IPXE_PKG          := ipxe-qemu
IPXE_VER          := 1.0.0+git-20190125.36a4c85-5.1
IPXE_FILE         := ipxe-qemu_1.0.0+git-20190125.36a4c85-5.1_all.deb
IPXE_SHA256       := 5c2419ce07f4d80ac5e88e32ac09cdc523c048af86c4730d682ba969d3189db2

# --- Debian's own QEMU builds: rollback peers of the rig (issue 13) ----------------------
# qemu-system-arm (which ships qemu-system-aarch64) for arm64, run in L1 with its own
# library closure (scripts/peer.sh); every package of that closure is pinned by version and
# sha256 in rig/peers/<name>.lock. PEER111: sid's 11.1.x, PEER100: trixie's 10.0.x.
PEER111_PKG       := qemu-system-arm:arm64
PEER111_VER       := 1:11.1.3+ds-1
PEER111_SUITE     := sid
PEER111_FILE      := qemu-system-arm_11.1.3+ds-1_arm64.deb
PEER111_SHA256    := 163eec3ceb8cf3fad0ddc70e4757ae137f8b9d9a49a1f659eeb101e9a3011551
PEER100_PKG       := qemu-system-arm:arm64
PEER100_VER       := 1:10.0.13+ds-0+deb13u1
PEER100_SUITE     := trixie
PEER100_FILE      := qemu-system-arm_10.0.13+ds-0+deb13u1_arm64.deb
PEER100_SHA256    := 1e067d6d225d54516678472cd21c98aae9fecfb67ce68b797bba24ade405a664

# --- libvirt in L1 (issue 18) ------------------------------------------------------------
# Debian stable's libvirt daemon, its QEMU driver and virsh for arm64, run in L1 with their
# own library closure (scripts/libvirt.sh), every package of it pinned in rig/peers/libvirt.lock.
LIBVIRT_PKGS      := libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
LIBVIRT_VER       := 11.3.0-3+deb13u3
LIBVIRT_SUITE     := trixie
LIBVIRT_FILE      := libvirt-daemon_11.3.0-3+deb13u3_arm64.deb
LIBVIRT_SHA256    := ff59af3f0cc2627fc864d77c315d2c402622783eb89b9421b4f7b7d3eb9d5f98
