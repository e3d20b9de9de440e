#!/bin/bash
# Create the git working trees the series is developed in:
#   work/qemu       pristine QEMU base (tag "base") + patches/qemu/ applied with git am
#   work/qemu-base  a worktree of work/qemu at "base" (the unpatched "old QEMU" build)
#   work/linux      pristine Linux base (tag "base") + patches/linux/ applied
#
#   scripts/mkwork.sh [qemu|linux]...   (default: both)
#
# An existing tree is never overwritten: it is reported as in sync with patches/ or not.
# Remove work/<name> to re-create it from the patch files.
. "$(dirname "$0")/lib.sh"

# Fixed identity and dates: the same patches give the same commits (and the same export).
export GIT_COMMITTER_NAME="Idregs Developers" GIT_COMMITTER_EMAIL="devel@idregs.invalid"
BASE_DATE="2026-01-01T00:00:00+0000"

gitq() { git -c init.defaultBranch=main -c advice.detachedHead=false -c gc.auto=0 "$@"; }

# patch_ids DIR: stable patch ids of the patch files in DIR
patch_ids_files() {
	for p in "$1"/[0-9]*.patch; do
		[ -e "$p" ] || continue
		case $p in */0000-cover-letter.patch) continue ;; esac
		git patch-id --stable <"$p" | cut -d' ' -f1
	done | sort
}

patch_ids_tree() {
	git -C "$1" log -p --no-merges base..HEAD | git patch-id --stable | cut -d' ' -f1 | sort
}

# init_tree NAME SRCDIR: make work/NAME a repo whose first commit is SRCDIR's content
init_tree() {
	local name=$1 src=$2 dir=$TOP/work/$1
	step "$name: committing pristine base ($(du -sh "$src" | cut -f1))"
	mv "$src" "$dir"
	gitq -C "$dir" init -q
	# Upstream .gitignore files hide generated files; the base must hold everything.
	gitq -C "$dir" add -A -f .
	GIT_AUTHOR_NAME="Pristine base" GIT_AUTHOR_EMAIL="base@idregs.invalid" \
		GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE \
		gitq -C "$dir" commit -q --no-verify -m "$name base: $3"
	gitq -C "$dir" tag base
	# Build directories live inside the tree (relative paths => ccache hits from any clone).
	printf '/build-*/\n' >>"$dir/.git/info/exclude"
	# identity for new commits in the series
	gitq -C "$dir" config user.name "$GIT_COMMITTER_NAME"
	gitq -C "$dir" config user.email "$GIT_COMMITTER_EMAIL"
}

apply_series() {
	local name=$1 dir=$TOP/work/$1 pdir=$TOP/patches/$1 n
	n=$(find "$pdir" -maxdepth 1 -name '[0-9]*.patch' ! -name '0000-cover-letter.patch' | wc -l)
	[ "$n" -gt 0 ] || { step "$name: no patches in patches/$name"; return 0; }
	step "$name: applying $n patches from patches/$name"
	# shellcheck disable=SC2046
	gitq -C "$dir" am -q --committer-date-is-author-date $(find "$pdir" -maxdepth 1 \
		-name '[0-9]*.patch' ! -name '0000-cover-letter.patch' | sort) ||
		die "$name: patches/$name does not apply to the pinned base (see work/$name, git am --show-current-patch)"
}

report() {
	local name=$1
	if [ "$(patch_ids_tree "$TOP/work/$name")" = "$(patch_ids_files "$TOP/patches/$name")" ]; then
		step "$name: work/$name is in sync with patches/$name ($(git -C "$TOP/work/$name" rev-list --count base..HEAD) commits)"
	else
		step "$name: work/$name differs from patches/$name (run 'make export' to keep your commits)"
	fi
}

mk_qemu() {
	local dir=$TOP/work/qemu tmp
	if [ ! -d "$dir/.git" ]; then
		"$TOP/scripts/fetch.sh" QEMU
		tmp=$(mktemp -d "$TOP/work/.unpack.XXXXXX")
		step "qemu: unpacking $(ver QEMU_ORIG_FILE)"
		tar --no-same-owner -C "$tmp" -xf "$CACHE/dl/$(ver QEMU_ORIG_FILE)"
		init_tree qemu "$tmp/qemu-$(ver QEMU_UPSTREAM)" "Debian qemu $(ver QEMU_VER) orig tarball"
		rmdir "$tmp"
		apply_series qemu
	else
		report qemu
	fi
	if [ ! -e "$TOP/work/qemu-base/.git" ]; then
		step "qemu-base: worktree of work/qemu at tag base (unpatched build)"
		gitq -C "$dir" worktree add -q --detach "$TOP/work/qemu-base" base
	fi
}

mk_linux() {
	local dir=$TOP/work/linux tmp
	if [ ! -d "$dir/.git" ]; then
		"$TOP/scripts/fetch.sh" LINUX
		tmp=$(mktemp -d "$TOP/work/.unpack.XXXXXX")
		step "linux: unpacking $(ver LINUX_FILE)"
		dpkg-deb --fsys-tarfile "$CACHE/dl/$(ver LINUX_FILE)" |
			tar --no-same-owner -C "$tmp" -x --wildcards './usr/src/linux-source-*.tar.*'
		tar --no-same-owner -C "$tmp" -xf "$tmp"/usr/src/linux-source-*.tar.*
		rm -rf "$tmp/usr"
		init_tree linux "$(echo "$tmp"/linux-source-*)" "Debian $(ver LINUX_PKG) $(ver LINUX_VER)"
		rmdir "$tmp"
		apply_series linux
	else
		report linux
	fi
}

mkdir -p "$TOP/work"
[ $# -gt 0 ] || set -- qemu linux
for t in "$@"; do
	case $t in
	qemu) mk_qemu ;;
	linux) mk_linux ;;
	*) die "unknown tree $t" ;;
	esac
done
