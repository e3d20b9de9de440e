#!/bin/bash
# Install the host packages the builds and the rig need (Debian 12 "bookworm", amd64).
# Idempotent: when everything is installed at the pinned versions it does nothing.
#
# It adds, on the machine's own configured mirror (never a host written here):
#   - bookworm-backports (meson >= 1.5, qemu-system-arm/qemu-user-static 10.0 for the rig),
#   - the arm64 architecture (glib/zlib development files for the aarch64 cross build).
. "$(dirname "$0")/lib.sh"

MESON="meson=$(ver MESON_VER)"
HOSTQEMU=""
for p in $(ver HOSTQEMU_PKG) qemu-system-common qemu-system-data $(ver HOSTQEMU_USER_PKG) \
	qemu-user qemu-user-binfmt; do
	HOSTQEMU="$HOSTQEMU $p=$(ver HOSTQEMU_VER)"
done
PKGS="build-essential git ccache ninja-build pkgconf python3 python3-venv
	flex bison bc cpio rsync xz-utils zstd file device-tree-compiler perl
	libglib2.0-dev zlib1g-dev libfdt-dev libpixman-1-dev
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross libasan8-arm64-cross libubsan1-arm64-cross
	libglib2.0-dev:arm64 zlib1g-dev:arm64
	gnuplot-nox"

missing() {
	local p name want have
	for p in $PKGS $MESON $HOSTQEMU $(ver PYCOTAP_PKG)=$(ver PYCOTAP_VER); do
		name=${p%%=*}
		want=${p#*=}
		[ "$want" != "$p" ] || want=
		have=$(dpkg-query -W -f '${db:Status-Abbrev}${Version}' "$name" 2>/dev/null) || have=
		case $have in
		ii*) [ -z "$want" ] || [ "${have#ii }" = "$want" ] || echo "$p" ;;
		*) echo "$p" ;;
		esac
	done
}

todo=$(missing | tr '\n' ' ')
if [ -z "${todo// /}" ]; then
	step "deps: all host packages present"
	exit 0
fi
step "deps: installing $todo"
[ "$(id -u)" = 0 ] || die "deps: run as root (or install: $todo)"

mirrors=$("$TOP/scripts/debian-mirror.py")
archive=$(echo "$mirrors" | awk '$1 == "archive" {print $2}')
src=/etc/apt/sources.list.d/idregs-bookworm-backports.sources
want_src="Types: deb
URIs: $archive
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
if [ "$(cat "$src" 2>/dev/null)" != "$want_src" ]; then
	printf '%s\n' "$want_src" >"$src"
fi
dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64

export DEBIAN_FRONTEND=noninteractive
apt-get -q -o Acquire::Check-Valid-Until=false update >/dev/null ||
	die "deps: apt-get update failed"
"$TOP/scripts/fetch.sh" PYCOTAP
# shellcheck disable=SC2086
apt-get -q -y --no-install-recommends -o Acquire::Check-Valid-Until=false install \
	$PKGS $MESON $HOSTQEMU "$CACHE/dl/$(ver PYCOTAP_FILE)" ||
	die "deps: apt-get install failed"
left=$(missing | tr '\n' ' ')
[ -z "${left// /}" ] || die "deps: still missing after install: $left"
step "deps: done"
