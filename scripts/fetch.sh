#!/bin/bash
# Fetch pinned Debian files through the private apt setup and verify them.
#
#   scripts/fetch.sh NAME...     NAME is a prefix in versions.mk (QEMU, LINUX, ...)
#
# For NAME, versions.mk gives NAME_PKG, NAME_VER, NAME_FILE, NAME_SHA256 (and for source
# packages NAME_ORIG_* / NAME_DEBIAN_*). Files land in $IDREGS_CACHE/dl. A file that is
# already there must match its checksum; a mismatch is an error, never a silent re-download.
#
# Without a Debian mirror: put the same files (same names) in a directory and point
# IDREGS_DOWNLOADS at it; they are verified the same way.
. "$(dirname "$0")/lib.sh"

DL=$CACHE/dl
mkdir -p "$DL"

# get_file NAME FILE SHA256 KIND: make sure $DL/FILE exists and verifies.
get_file() {
	local name=$1 file=$2 sum=$3 kind=$4 pkg ver tmp
	pkg=$(ver "${name}_PKG")
	ver=$(ver "${name}_VER")
	local what="$pkg $ver ($file)"
	if [ -f "$DL/$file" ]; then
		verify "$DL/$file" "$sum" "$what"
		return 0
	fi
	if [ -n "${IDREGS_DOWNLOADS:-}" ] && [ -f "$IDREGS_DOWNLOADS/$file" ]; then
		verify "$IDREGS_DOWNLOADS/$file" "$sum" "$what"
		cp "$IDREGS_DOWNLOADS/$file" "$DL/$file"
		return 0
	fi
	step "fetch $what"
	tmp=$(mktemp -d "$DL/.tmp.XXXXXX")
	case $kind in
	source)
		(cd "$tmp" && "$TOP/scripts/aptp" apt-get -q source --download-only "$pkg=$ver" >/dev/null) ||
			{
				rm -rf "$tmp"
				die "$what: apt-get source failed (is $pkg $ver still on the mirror?)"
			}
		;;
	deb)
		(cd "$tmp" && "$TOP/scripts/aptp" apt-get -q download "$pkg=$ver" >/dev/null) ||
			{
				rm -rf "$tmp"
				die "$what: apt-get download failed (is $pkg $ver still on the mirror?)"
			}
		;;
	esac
	# apt-get download keeps an epoch in the name, URL-encoded ("1%3a..."): use the pool name
	local enc
	for enc in "$tmp"/*%3a*; do
		[ -f "$enc" ] || continue
		[ "$(basename "$enc" | sed 's/_[0-9]*%3a/_/')" = "$file" ] && mv "$enc" "$tmp/$file"
	done
	if [ ! -f "$tmp/$file" ]; then
		ls "$tmp" >&2
		rm -rf "$tmp"
		die "$what: download did not produce $file"
	fi
	verify "$tmp/$file" "$sum" "$what"
	mv "$tmp/$file" "$DL/$file"
	rm -rf "$tmp"
}

for name in "$@"; do
	if grep -q "^${name}_ORIG_FILE" "$TOP/versions.mk"; then
		get_file "$name" "$(ver "${name}_ORIG_FILE")" "$(ver "${name}_ORIG_SHA256")" source
		get_file "$name" "$(ver "${name}_DEBIAN_FILE")" "$(ver "${name}_DEBIAN_SHA256")" source
	else
		get_file "$name" "$(ver "${name}_FILE")" "$(ver "${name}_SHA256")" deb
	fi
done
