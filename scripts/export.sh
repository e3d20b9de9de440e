#!/bin/bash
# Write the commits of work/<tree> (base..HEAD) back into patches/<tree>/ as git
# format-patch output with a cover letter, keeping the cover letter's subject and text.
#
#   scripts/export.sh [qemu|linux]...   (default: every tree that exists)
#   scripts/export.sh --from DIR --to OUTDIR NAME   (export another tree, e.g. for checks;
#                                       the cover text is still read from patches/NAME)
#
# Output is deterministic: zero commit ids, the cover letter dated like the last patch,
# no signature. So export -> fresh work tree (make work) -> export is byte-identical.
. "$(dirname "$0")/lib.sh"

# The cover letter's From: (format-patch takes it from the committer identity).
export GIT_COMMITTER_NAME="Idregs Developers" GIT_COMMITTER_EMAIL="devel@idregs.invalid"

# cover_text FILE: print the subject (first line) and the blurb of an existing cover letter
cover_text() {
	python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
head, _, body = text.partition("\n\n")
m = re.search(r"^Subject: \[[^\]]*\] (.*(?:\n .*)*)", head, re.M)
subject = re.sub(r"\n ", " ", m.group(1)) if m else "*** SUBJECT HERE ***"
# the blurb ends where git's shortlog starts ("Author Name (N):")
m = re.search(r"^\S.* \(\d+\):\n  ", body, re.M)
blurb = body[:m.start()] if m else body
print(subject)
print()
print(blurb.rstrip("\n"))
PY
}

# The QEMU series depends on a kernel ABI that is not upstream yet: RFC until it is. The
# kernel series is an RFC too (placeholder numbers; review B3). QEMU: v7, kernel: v2.
prefix_of() {
	case $1 in
	qemu) echo "RFC PATCH v7" ;;
	linux) echo "RFC PATCH v2" ;;
	*) echo "PATCH" ;;
	esac
}

export_tree() {
	local name=$1 dir=${2:-$TOP/work/$1} pdir=${3:-$TOP/patches/$1} desc n date
	local cover=$TOP/patches/$name
	[ -e "$dir/.git" ] || { step "export $name: no work/$name, skipped"; return 0; }
	n=$(git -C "$dir" rev-list --count base..HEAD)
	mkdir -p "$pdir"
	if [ "$n" = 0 ]; then
		if ls "$pdir"/[0-9]*.patch >/dev/null 2>&1; then
			die "export $name: work/$name has no commits on top of base but patches/$name has patches; not removing them (delete them by hand if that is what you want)"
		fi
		step "export $name: no commits on top of base"
		return 0
	fi
	[ -z "$(git -C "$dir" status --porcelain --untracked-files=no)" ] ||
		step "export $name: WARNING: work/$name has uncommitted changes (not exported)"
	desc=$(mktemp)
	if [ -f "$cover/0000-cover-letter.patch" ]; then
		cover_text "$cover/0000-cover-letter.patch" >"$desc"
	elif [ -f "$cover/cover.txt" ]; then
		cp "$cover/cover.txt" "$desc"
	else
		printf '*** SUBJECT HERE ***\n\n*** BLURB HERE ***\n' >"$desc"
	fi
	date=$(git -C "$dir" log -1 --format=%aD HEAD)
	rm -f "$pdir"/[0-9]*.patch
	git -C "$dir" branch -f idregs-export HEAD
	GIT_COMMITTER_DATE=$date git -C "$dir" -c branch.idregs-export.description="$(cat "$desc")" \
		-c core.abbrev=12 -c diff.noprefix=false -c diff.renames=true \
		format-patch -q --zero-commit --no-signature --cover-letter \
		--subject-prefix="$(prefix_of "$name")" \
		--cover-from-description=subject -o "$pdir" base..idregs-export
	git -C "$dir" branch -q -D idregs-export
	rm -f "$desc"
	step "export $name: $n patches + cover letter -> ${pdir#"$TOP"/}/"
}

if [ "${1:-}" = --from ]; then
	[ $# = 5 ] && [ "$3" = --to ] || die "usage: export.sh --from DIR --to OUTDIR NAME"
	export_tree "$5" "$2" "$4"
	exit 0
fi
[ $# -gt 0 ] || set -- qemu linux
for t in "$@"; do
	export_tree "$t"
done
