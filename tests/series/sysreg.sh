#!/bin/sh
# -cpu host,SYSREG_<REG>_<FIELD>=<value> (QEMU series, "Let -cpu host set the ID register
# fields KVM lets change") on real KVM:
#   expansion   query-cpu-model-expansion lists a property per ID register field QEMU knows,
#               with the host's value, and the value given as input
#   guest       a guest started with SYSREG_ID_AA64ISAR0_EL1_CRC32=0 sees CRC32 = 0 where a
#               guest of the same host without it sees the host's 1
#   migration   that VM migrates live (virt-11.2: once per VM; virt-11.1: per vCPU) to a
#               destination started without the property, whose guest then sees 0
#   refusals    a value KVM refuses (above the host's; a field KVM does not let change,
#               MIDR_EL1 without KVM_CAP_ARM_WRITABLE_IMP_ID_REGS) stops QEMU at start-up
#               with the register, the field and both values; a value wider than the field
#               is refused by QEMU, by name
#   PSCI        kvm-psci-version=1.0 gives the guest PSCI 1.0 (the host's is newer), which
#               migrates with the VM; a version KVM lacks, and one that is no version,
#               are refused by name
#   compare     query-cpu-model-comparison: identical, subset (lower and writable),
#               superset, incompatible (a field KVM does not let change, found from the
#               properties' descriptions), with the responsible properties
#   baseline    query-cpu-model-baseline: the lower value of each field; a VM started with
#               all of its properties runs with them; refused, by name, where this host
#               cannot run it (a field it cannot lower, a value above its own)
#   Linux 6.1   (ID registers not writable) the same properties; KVM refuses CRC32=0 and
#               the message says why
# rig: kernels=ours,deb612,deb61
# rig: timeout=500
# rig: tier=check
. /rig/lib.sh

P=SYSREG_ID_AA64ISAR0_EL1_CRC32
EXP='{"type": "full", "model": {"name": "host"}}'

# start_fails LABEL NAME ARGS...: QEMU with ARGS stops at start-up with exit status 1
# (reported, not a crash); its output is in $RIG_OUT/NAME.log
start_fails() {
	_sf_l=$1 _sf_n=$2
	shift 2
	vm_spawn "$_sf_n" patched virt-11.2 2 "$@"
	_sf_rc=$(vm_wait_exit "$_sf_n" 30)
	vm_stop "$_sf_n"
	check "$_sf_l: QEMU exits with status 1 (got $_sf_rc)" test "$_sf_rc" = 1
}

# model JSON-PROPS: a CpuModelInfo of host with these properties
model() { echo "{\"name\": \"host\", \"props\": {$1}}"; }

# qmp_to NAME FILE CMD ARGS: run a QMP command of exp, its reply (or error) in FILE
qmp_to() {
	_qf=$1
	shift
	vm_qmp exp "$@" >"$RIG_OUT/$_qf" 2>&1
}

# compare LABEL A B RESULT [PROPERTY]: query-cpu-model-comparison of A and B says RESULT,
# naming PROPERTY among the responsible properties
compare() {
	qmp_to "compare-$1.json" query-cpu-model-comparison "{\"modela\": $2, \"modelb\": $3}"
	check "comparison $1: $4 ($(cat "$RIG_OUT/compare-$1.json" | cut -c1-160))" \
		grep -q "\"result\": \"$4\"" "$RIG_OUT/compare-$1.json"
	[ -z "${5:-}" ] || check "comparison $1: $5 responsible" \
		grep -q "\"responsible-properties\": \[[^]]*\"$5\"" "$RIG_OUT/compare-$1.json"
}

# the expansion of the host model, from a VM that does not run
vm_start exp patched virt-11.2 1 -S || fail "expansion: QEMU starts"
qmp_to expansion.json query-cpu-model-expansion "$EXP"
n=$(grep -o '"SYSREG_[A-Z0-9_]*"' "$RIG_OUT/expansion.json" | sort -u | wc -l)
psci=$(sed -n 's/.*"kvm-psci-version": "\([0-9.]*\)".*/\1/p' "$RIG_OUT/expansion.json")
say "expansion of host: $n SYSREG_ properties, kvm-psci-version ${psci:-absent}"
check "expansion: $n >= 200 SYSREG_ properties" test "$n" -ge 200
check "expansion: $P is the host's 1" grep -q "\"$P\": 1[,}]" "$RIG_OUT/expansion.json"
check "expansion: kvm-psci-version is listed (${psci:-absent})" test -n "$psci"
midr=$(sed -n 's/.*"SYSREG_MIDR_EL1_IMPLEMENTER": \([0-9]*\).*/\1/p' "$RIG_OUT/expansion.json")
check "expansion: SYSREG_MIDR_EL1_IMPLEMENTER is listed (${midr:-absent})" test -n "$midr"

if ! ids_writable; then
	vm_stop exp
	start_fails "Linux 6.1: $P=0" nowrite -cpu "host,$P=0"
	check "Linux 6.1: KVM's refusal names the field and says why" sh -c \
		"grep -q 'SYSREG_ID_AA64ISAR0_EL1_CRC32\[19:16\] requested 0x0, host 0x1\$' '$RIG_OUT/nowrite.log' &&
		grep -q 'predates writable ID registers (Linux < 6.7)' '$RIG_OUT/nowrite.log'"
else
	qmp_to expansion-crc0.json query-cpu-model-expansion \
		"{\"type\": \"full\", \"model\": $(model "\"$P\": 0")}"
	check "expansion with $P=0 as input: 0" grep -q "\"$P\": 0[,}]" "$RIG_OUT/expansion-crc0.json"

	# a field this host's KVM does not let change and that is not 0 here (from the
	# properties' descriptions): lowering it is what this host cannot do
	qmp_to props.json device-list-properties '{"typename": "host-arm-cpu"}'
	fixed=""
	for f in $(sed 's/}, {/\n/g' "$RIG_OUT/props.json" | grep 'not writable under' |
		sed -n 's/.*"name": "\(SYSREG_[A-Z0-9_]*\)".*/\1/p'); do
		v=$(sed -n "s/.*\"$f\": \([0-9]*\).*/\1/p" "$RIG_OUT/expansion.json")
		if [ -n "$v" ] && [ "$v" -gt 0 ]; then fixed=$f fixedv=$v; break; fi
	done
	nw=$(grep -o 'not writable under' "$RIG_OUT/props.json" | wc -l)
	w=$(grep -o ', writable under' "$RIG_OUT/props.json" | wc -l)
	say "descriptions: $w fields writable, $nw not; a non-zero one not writable: ${fixed:-none} = ${fixedv:-}"
	check "descriptions: some fields writable ($w), some not ($nw), $P writable" sh -c \
		"[ $w -gt 0 ] && [ $nw -gt 0 ] && sed 's/}, {/\n/g' '$RIG_OUT/props.json' | grep '\"$P\"' | grep -q ', writable under'"
	check "a non-zero field KVM does not let change: ${fixed:-none}" test -n "$fixed"

	# comparison: this host's model against models that differ from it
	H='{"name": "host"}'
	compare identical "$H" "$H" identical
	compare crc0-host "$(model "\"$P\": 0")" "$H" subset "$P"
	compare host-crc0 "$H" "$(model "\"$P\": 0")" superset "$P"
	compare psci10-host "$(model '"kvm-psci-version": "1.0"')" "$H" subset kvm-psci-version
	compare fixed-host "$(model "\"${fixed:-X}\": 0")" "$H" incompatible "$fixed"
	compare crc0-vs-fixed "$(model "\"$P\": 0")" "$(model "\"${fixed:-X}\": 0")" incompatible "$P"

	# baseline: the lower value of each field, refused where this host cannot run it
	qmp_to baseline.json query-cpu-model-baseline \
		"{\"modela\": $(model "\"$P\": 0, \"kvm-psci-version\": \"1.0\""), \"modelb\": $H}"
	check "baseline of ($P=0, PSCI 1.0) and host: $P 0" grep -q "\"$P\": 0[,}]" "$RIG_OUT/baseline.json"
	check "baseline of ($P=0, PSCI 1.0) and host: PSCI 1.0" grep -q '"kvm-psci-version": "1.0"' "$RIG_OUT/baseline.json"
	nb=$(grep -o '"SYSREG_[A-Z0-9_]*"' "$RIG_OUT/baseline.json" | wc -l)
	# ID_AA64MMFR2_EL1.NV is left to KVM, as migration does
	check "baseline: every field but ID_AA64MMFR2_EL1.NV ($nb of $n)" test "$nb" = $((n - 1))
	qmp_to baseline-fixed.json query-cpu-model-baseline \
		"{\"modela\": $(model "\"${fixed:-X}\": 0"), \"modelb\": $H}"
	check "baseline with ${fixed:-X} = 0: refused, named" \
		grep -q "no CPU model both models' hosts and this host can run: ${fixed:-X}: modela 0x0, modelb 0x$(printf %x "${fixedv:-0}"), this host 0x$(printf %x "${fixedv:-0}") (KVM does not let userspace change it)" \
		"$RIG_OUT/baseline-fixed.json"
	qmp_to baseline-above.json query-cpu-model-baseline \
		"{\"modela\": $(model "\"$P\": 2"), \"modelb\": $(model "\"$P\": 3")}"
	check "baseline of $P 2 and 3: refused, above this host's 1" \
		grep -q "$P: modela 0x2, modelb 0x3, this host 0x1 (lower)" "$RIG_OUT/baseline-above.json"
	vm_stop exp

	# what a guest of this host sees without the properties
	if guest_boot def patched virt-11.2 2 && guest_wait_dump def 20; then
		dv=$(field_of def)
		dp=$(vm_fwregs def | sed -n 's/^PSCI_VERSION //p')
		say "default guest: $LOWER_REG CRC32 = $dv, PSCI_VERSION $dp"
		check "default guest sees the host's CRC32 = 1" test "$dv" = 1
	else
		fail "default guest boots and dumps its registers"
	fi
	vm_stop def

	# a guest started with the whole baseline (every field on the command line)
	bp=$(cmdline_props "$RIG_OUT/baseline.json")
	if guest_boot low patched virt-11.2 2 -cpu "host,$bp" && guest_wait_dump low 20; then
		lv=$(field_of low)
		lp=$(vm_fwregs low | sed -n 's/^PSCI_VERSION //p')
		check "guest started with the baseline sees CRC32 = ${lv:-nothing}" test "$lv" = 0
		check "guest started with the baseline has PSCI_VERSION ${lp:-nothing} (1.0)" \
			test "$lp" = 0x0000000000010000
		# KVM's side, read as crosshost's baseline mode reads it (rig/lib.sh field_in_regs:
		# the field's bits from the property's description)
		vm_idregs low >"$RIG_OUT/low.idregs"
		qv=$(field_in_regs "$RIG_OUT/low.idregs" "$RIG_OUT/props.json" "$P")
		check "x-query-arm-idregs: $P = ${qv:-nothing} (field_in_regs)" test "$qv" = 0
	else
		fail "guest started with the baseline ($(echo "$bp" | tr ',' '\n' | wc -l) properties) boots" \
			"$(tail -n 3 "$VMDIR/low.log" | tr '\n' ' ')"
	fi

	# ... migrates with its PSCI version to a destination started without properties
	if vm_start dst patched virt-11.2 2 -incoming defer && migrate low dst tcp:127.0.0.1:4453 60; then
		dp2=$(vm_fwregs dst | sed -n 's/^PSCI_VERSION //p')
		check "the baseline VM migrated: destination has PSCI_VERSION ${dp2:-nothing} (its default $dp)" \
			test "$dp2" = 0x0000000000010000 -a "$dp" != 0x0000000000010000
	else
		fail "the baseline VM migrates" "$(tail -n 3 "$VMDIR/dst.log" | tr '\n' ' ')"
	fi
	vm_stop low
	vm_stop dst

	# live migration to a destination without the property: the value travels in the
	# stream (check_values of live_migrate_test then compares with the source's own dump:
	# with LOWER=0 that is "hash unchanged"; the field is checked here against the
	# default guest's 1)
	for m in virt-11.2 virt-11.1; do
		LOWER=0 SRC_ARGS="-cpu host,$P=0" live_migrate_test "prop-$m" patched patched $m 2 \
			tcp:127.0.0.1:4452
		av=$(awk -v r="$LOWER_REG" '$1 == r { print $2 }' "$RIG_OUT/prop-$m.regs-after" 2>/dev/null)
		check "prop-$m: the destination's guest sees CRC32 = 0 (its default 1)" \
			test -n "$av" -a $(((${av:-0x10000} >> 16) & 15)) = 0
	done

	# refusals
	start_fails "$P=2 (above the host's 1)" raise -cpu "host,$P=2"
	check "$P=2: KVM's refusal names the register, the field and both values" \
		grep -q "KVM refused ID_AA64ISAR0_EL1 = 0x[0-9a-f]* (Invalid argument), which the CPU's SYSREG_ properties ask for; this host has 0x[0-9a-f]*: SYSREG_ID_AA64ISAR0_EL1_CRC32\[19:16\] requested 0x2, host 0x1 (writable)" \
		"$RIG_OUT/raise.log"
	start_fails "$P=16 (5 bits)" wide -cpu "host,$P=16"
	check "$P=16: does not fit the field" \
		grep -q "$P: 0x10 does not fit the 4-bit field" "$RIG_OUT/wide.log"
	# another implementer: KVM refuses MIDR_EL1 changes unless asked to allow them
	other=$(((${midr:-0} + 1) & 255))
	start_fails "SYSREG_MIDR_EL1_IMPLEMENTER=$other (not writable)" midr \
		-cpu "host,SYSREG_MIDR_EL1_IMPLEMENTER=$other"
	check "SYSREG_MIDR_EL1_IMPLEMENTER=$other: KVM's refusal names the field, without claiming it writable" \
		grep -q "SYSREG_MIDR_EL1_IMPLEMENTER\[31:24\] requested $(printf 0x%x "$other"), host $(printf 0x%x "${midr:-0}")\$" \
		"$RIG_OUT/midr.log"
	start_fails "kvm-psci-version=9.9 (no such version)" psci99 -cpu "host,kvm-psci-version=9.9"
	check "kvm-psci-version=9.9: KVM's refusal names both versions" \
		grep -q "KVM refused PSCI_VERSION 9.9 (kvm-psci-version): Invalid argument; this host's KVM offers $psci\$" \
		"$RIG_OUT/psci99.log"
	start_fails "kvm-psci-version=one (not a version)" psciword -cpu "host,kvm-psci-version=one"
	check "kvm-psci-version=one: refused by QEMU" \
		grep -q "kvm-psci-version: 'one' is not a PSCI version KVM can offer" "$RIG_OUT/psciword.log"
fi
