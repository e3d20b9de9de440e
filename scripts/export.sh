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
# kernel series is an RFC too (placeholder numbers; review B3). QEMU: v8, kernel: v3.
prefix_of() {
	case $1 in
	qemu) echo "RFC PATCH v8" ;;
	linux) echo "RFC PATCH v3" ;;
	*) echo "PATCH" ;;
	esac
}

# Recipients (To, Cc) of each series: scripts/get_maintainer.pl --no-git --no-rolestats of
# its base, run on 2026-12-05 on the patches that are proposed (QEMU 4-24: 1-3 stand in for
# upstream commits; Linux 1-8), lists first, plus Eric Auger, whose writable ID register
# series both build on.
recipients_of() {
	local to=() cc=() a
	case $1 in
	qemu)
		to=(qemu-devel@nongnu.org qemu-arm@nongnu.org)
		cc=("kvm@vger.kernel.org" "Peter Maydell <peter.maydell@linaro.org>"
			"Eric Auger <eric.auger@redhat.com>" "Cornelia Huck <cohuck@redhat.com>"
			"Paolo Bonzini <pbonzini@redhat.com>" "Peter Xu <peterx@redhat.com>"
			"Fabiano Rosas <farosas@suse.de>" "Markus Armbruster <armbru@redhat.com>"
			"Eric Blake <eblake@redhat.com>" "Thomas Huth <thuth@redhat.com>"
			"Laurent Vivier <lvivier@redhat.com>" "\"Daniel P. Berrangé\" <berrange@redhat.com>"
			"\"Philippe Mathieu-Daudé\" <philmd@linaro.org>" "\"Dr. David Alan Gilbert\" <dave@treblig.org>"
			"\"Michael S. Tsirkin\" <mst@redhat.com>" "Marcel Apfelbaum <marcel.apfelbaum@gmail.com>"
			"Eduardo Habkost <eduardo@habkost.net>" "Yanan Wang <wangyanan55@huawei.com>"
			"Zhao Liu <zhao1.liu@intel.com>")
		;;
	linux)
		to=(kvmarm@lists.linux.dev linux-arm-kernel@lists.infradead.org)
		cc=("Marc Zyngier <maz@kernel.org>" "Oliver Upton <oupton@kernel.org>"
			"Joey Gouly <joey.gouly@arm.com>" "Suzuki K Poulose <suzuki.poulose@arm.com>"
			"Zenghui Yu <yuzenghui@huawei.com>" "Fuad Tabba <fuad.tabba@linux.dev>"
			"Catalin Marinas <catalin.marinas@arm.com>" "Will Deacon <will@kernel.org>"
			"Paolo Bonzini <pbonzini@redhat.com>" "Shuah Khan <skhan@linuxfoundation.org>"
			"Jonathan Corbet <corbet@lwn.net>" "Steffen Eiden <seiden@linux.ibm.com>"
			"Eric Auger <eric.auger@redhat.com>" kvm@vger.kernel.org
			linux-kselftest@vger.kernel.org linux-doc@vger.kernel.org
			linux-kernel@vger.kernel.org)
		;;
	esac
	for a in "${to[@]}"; do
		printf -- '--to=%s\0' "$a"
	done
	for a in "${cc[@]}"; do
		printf -- '--cc=%s\0' "$a"
	done
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
	local rcpt=()
	mapfile -d '' -t rcpt < <(recipients_of "$name")
	rm -f "$pdir"/[0-9]*.patch
	git -C "$dir" branch -f idregs-export HEAD
	GIT_COMMITTER_DATE=$date git -C "$dir" -c branch.idregs-export.description="$(cat "$desc")" \
		-c core.abbrev=12 -c diff.noprefix=false -c diff.renames=true \
		format-patch -q --zero-commit --no-signature --cover-letter \
		--subject-prefix="$(prefix_of "$name")" "${rcpt[@]}" \
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
