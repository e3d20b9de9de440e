#!/bin/sh
# libvirt-managed live migration of the series between two L1 hosts (host 1 runs this, host
# 2 runs tests/libvirt/peer.sh; tests/libvirt/run boots both). Only virsh drives QEMU here:
# domains are defined and started through libvirt, migrated with
# "virsh migrate --live --p2p", and looked at through their serial console and
# "virsh qemu-monitor-command".
#  - round trip (virt-11.2, new format; virt-11.1, old format): a domain started on host 2
#    with ID_AA64ISAR0_EL1.CRC32 = 0 (the series' SYSREG_ property; both hosts' default is 1)
#    goes to host 1 and back, each time with a destination XML without that property (so
#    only the migration stream can carry the 0), and keeps its ID registers and its vCPUs.
#    Between kernels of different series (6.12 and 7.2) the old format is refused instead,
#    by its text (their vCPU register lists differ in length: what virt-11.2 is for);
#  - refusals, as a libvirt user sees them: virsh exits non-zero with a message naming the
#    machine type (virt-11.2 to a host whose emulator is Debian's QEMU 11.1), the register
#    field (a field host 1's KVM lets a VM lower and host 2's does not let it change: a host
#    kernel rollback), or PSCI_VERSION (a VM started at host 1's PSCI version); the domain
#    keeps running on host 1.
# LV_PEER (tests/libvirt/run): host 2's kernel and L1 CPU, "KERNEL:CPU".
# rig: tier=none
# rig: timeout=1200
# rig: peers=libvirt
. /rig/lib.sh
. /tests/libvirt/lib.sh

D=$LV/dom
mkdir -p "$D"
CRC=SYSREG_ID_AA64ISAR0_EL1_CRC32

# lv_guest_up NAME SECONDS: NAME's guest printed a heartbeat with both vCPUs and a register dump
lv_guest_up() {
	wait_for "$VMDIR/$1.serial" "^HB [0-9]+ .*cpus=2/2" "$2" && guest_wait_dump "$1" "$2"
}

# lv_wait_dumps NAME N SECONDS: NAME's serial log has more than N complete register dumps
lv_wait_dumps() {
	_end=$(deadline "$3")
	while [ "$(now_ms)" -lt "$_end" ]; do
		[ "$(grep -a -c '^END-REGS ' "$VMDIR/$1.serial")" -gt "$2" ] && return 0
		sleep 0.5
	done
	return 1
}

# lv_start URI NAME LABEL [-global ...]: define and start domain NAME (virt machine $M) at URI
lv_start() {
	_su=$1 _sn=$2 _sl=$3
	shift 3
	echo "$_sn" >"$LV/current"
	rm -f "$VMDIR/$_sn.serial"
	lv_domain "$_sn" "$M" "" "$@" >"$D/$_sn.xml"
	if ! { virsh -c "$_su" define "$D/$_sn.xml" && virsh -c "$_su" start "$_sn"; } >"$D/$_sn.start" 2>&1; then
		fail "$_sl: virsh define + start $_sn ($M)" "$(tr '\n' ' ' <"$D/$_sn.start")"
		return 1
	fi
	if ! lv_guest_up "$_sn" 60; then
		fail "$_sl: $_sn's guest runs with 2 vCPUs" "$(tail -n 3 "$VMDIR/$_sn.serial" 2>/dev/null | tr '\n\r' '| ')"
		return 1
	fi
	return 0
}

# lv_stop URI NAME: destroy and undefine
lv_stop() {
	virsh -c "$1" destroy "$2" >/dev/null 2>&1
	virsh -c "$1" undefine "$2" >/dev/null 2>&1
	true
}

# (rig/lib.sh's check() sets _n: these functions keep their domain names elsewhere)
# lv_migrate LABEL NAME FROM TO TO_NAME: live-migrate NAME with a destination XML without its
# qemu:commandline; check that it runs at TO with the values it had (CRC32 $LOW, the dump
# in $D/NAME.regs-before) although TO's default is not LOW
lv_migrate() {
	_l=$1 _mn=$2 _f=$3 _t=$4 _tn=$5
	if ! lv_plain_xml "$_f" "$_mn" "$D/$_mn.plain.xml"; then
		fail "$_l: migratable XML of $_mn without its qemu:commandline" "$(head -n 3 "$D/$_mn.plain.xml")"
		return 1
	fi
	if virsh -c "$_f" migrate --live --p2p --xml "$D/$_mn.plain.xml" "$_mn" "$_t" >"$D/$_mn.migrate" 2>&1; then
		pass "$_l: virsh migrate --live --p2p to $_tn"
	else
		fail "$_l: virsh migrate --live --p2p to $_tn" "$(tr '\n' ' ' <"$D/$_mn.migrate")"
		return 1
	fi
	# the source is stopped now: what the log gets from here on is the destination's (a dump
	# counts once one began after this point: the second one to end)
	_s0=$(guest_hb "$_mn")
	_d0=$(grep -a -c '^END-REGS ' "$VMDIR/$_mn.serial")
	check "$_l: domain running on $_tn, not on the source (states: $(lv_state "$_t" "$_mn") / $(lv_state "$_f" "$_mn"))" \
		test "$(lv_state "$_t" "$_mn")" = running -a "$(lv_state "$_f" "$_mn")" != running
	if guest_wait_hb "$_mn" "${_s0:-0}" 30 && guest_all_alive "$_mn" 2 20; then
		pass "$_l: heartbeat continues, both vCPUs advance (counters $_c0 -> $_c1)"
	else
		fail "$_l: heartbeat continues, both vCPUs advance" "$(tail -n 3 "$VMDIR/$_mn.serial" | tr '\n\r' '| ')"
	fi
	if lv_wait_dumps "$_mn" $((_d0 + 1)) 40; then
		guest_regs "$_mn" >"$D/$_mn.regs-after"
		_v=$(field_of "$_mn")
		_def=""
		lv_expansion "$_t" "$_mn" "$D/$_mn.exp" && _def=$(prop_value "$D/$_mn.exp" "$CRC")
		check "$_l: guest still sees CRC32 = $LOW on $_tn (this host's default ${_def:-?})" \
			test "$_v" = "$LOW" -a -n "$_def" -a "$_def" != "$LOW"
		nv_masked "$D/$_mn.regs-before" >"$D/$_mn.regs-want"
		nv_masked "$D/$_mn.regs-after" >"$D/$_mn.regs-got"
		_nv=""
		cmp -s "$D/$_mn.regs-before" "$D/$_mn.regs-after" ||
			_nv=", but ID_AA64MMFR2_EL1.NV, KVM's own: $(nv_of "$D/$_mn.regs-before") before, $(nv_of "$D/$_mn.regs-after") here"
		if cmp -s "$D/$_mn.regs-want" "$D/$_mn.regs-got"; then
			pass "$_l: guest-visible ID registers identical ($(wc -l <"$D/$_mn.regs-after") registers$_nv)"
		else
			fail "$_l: guest-visible ID registers identical" "$(diff "$D/$_mn.regs-before" "$D/$_mn.regs-after" | grep '^[-+][A-Z]' | head -n 4 | tr '\n' ' ')"
		fi
	else
		fail "$_l: the guest dumps its registers on $_tn"
	fi
}

# lv_refused LABEL NAME FROM TO_NAME PATTERN XML [TO]: a migration of NAME from FROM to TO
# (default host 2) with destination XML XML that the destination refuses: virsh exits
# non-zero with a message matching PATTERN (an extended regexp), and NAME keeps running at
# FROM
lv_refused() {
	_l=$1 _rn=$2 _f=$3 _tn=$4 _p=$5 _x=$6 _to=${7:-$LV_URI2}
	if virsh -c "$_f" migrate --live --p2p --xml "$_x" "$_rn" "$_to" >"$D/$_rn.migrate" 2>&1; then
		fail "$_l: virsh migrate to $_tn refused" "it succeeded"
		return 1
	fi
	_s0=$(guest_hb "$_rn")
	say "$_l: virsh says: $(tr '\n' ' ' <"$D/$_rn.migrate")"
	cp "$D/$_rn.migrate" "$RIG_OUT/$_rn.virsh-error"
	check "$_l: virsh migrate exits non-zero, naming it ($_p)" grep -q -E "$_p" "$D/$_rn.migrate"
	check "$_l: domain still running on the source ($(lv_state "$_f" "$_rn"))" test "$(lv_state "$_f" "$_rn")" = running
	if guest_wait_hb "$_rn" "${_s0:-0}" 20; then pass "$_l: its guest heartbeats"; else fail "$_l: its guest heartbeats"; fi
}

# lv_field_candidate H1_EXP H2_EXP: "PROP VALUE REG FIELD" for a SYSREG_ property whose
# field host 1's KVM reports writable and host 2's does not, at the same non-zero default
# on both (HCX first: Linux 6.12 does not let userspace change it, 7.2 does)
lv_field_candidate() {
	_ds() { sed 's/}, {/\n/g' "$1" | sed -n 's/.*"name": "\(SYSREG_[A-Z0-9_]*\)".*"description": "\([A-Z0-9_]*\)\[[^"]*, \(writable\|not writable\) under.*/\1 \2 \3/p'; }
	_ds "$1.props" | awk '$3 == "writable" { print $1, $2 }' | sort >"$D/w1"
	_ds "$2.props" | awk '$3 == "not" { print $1 }' | sort >"$D/nw2"
	for _c in SYSREG_ID_AA64MMFR1_EL1_HCX $(awk 'NR == FNR { nw[$1] = 1; next } nw[$1] { print $1 }' "$D/nw2" "$D/w1"); do
		_r=$(awk -v p="$_c" '$1 == p { print $2 }' "$D/w1")
		grep -q "^$_c\$" "$D/nw2" && [ -n "$_r" ] || continue
		_a=$(prop_value "$1" "$_c") _b=$(prop_value "$2" "$_c")
		[ -n "$_a" ] && [ "$_a" = "$_b" ] && [ "$_a" != 0 ] || continue
		echo "$_c $_a $_r ${_c#SYSREG_"$_r"_}"
		return 0
	done
	return 1
}

hex() { printf '0x%x' "$1"; }

# kvm_series KERNEL: the Linux series of a rig kernel name (the old format migrates between
# hosts of one series only: their KVMs list the same vCPU registers)
kvm_series() {
	case $1 in
	ours* | deb72) echo 7.2 ;;
	deb612) echo 6.12 ;;
	deb61) echo 6.1 ;;
	*) echo "$1" ;;
	esac
}

peer=${LV_PEER:-unknown}
if ! lv_setup; then
	fail "host 1 ($RIG_KERNEL): libvirtd starts and listens on $RIG_IP"
elif ! lv_wait_peer "$LV_URI2" 600; then
	fail "host 1 reaches host 2's libvirtd ($LV_URI2)"
else
	pass "host 1 ($RIG_KERNEL:$RIG_CPU) and host 2 ($peer) run libvirtd $(sed -n 's/.*libvirt \([0-9.]*\).*/\1/p' "$LV/version" | head -n 1), reachable over TCP"
	lv_serial_server
	LOW=0

	# --- round trips: 2 -> 1 (host kernel upgrade) and back (rollback) ---------------------
	for M in virt-11.2 virt-11.1; do
		n=rt-$(echo "$M" | tr -d .)
		if [ "$M" = virt-11.1 ] && [ "$(kvm_series "$RIG_KERNEL")" != "$(kvm_series "${peer%%:*}")" ]; then
			# the old format: each vCPU's register list, whose length differs between these
			# kernels (what the series' machine type is for), as QEMU 10.2.2 refuses it
			if lv_start "$LV_URI2" "$n" "$M"; then
				lv_plain_xml "$LV_URI2" "$n" "$D/$n.plain.xml"
					lv_refused "$M: host 2 -> host 1 (old format, other kernel)" "$n" "$LV_URI2" "host 1" \
					"Message from the destination host: .*load of migration failed.*cpreg_vmstate_array_len" \
					"$D/$n.plain.xml" "$LV_URI1"
			fi
			lv_stop "$LV_URI2" "$n"
			continue
		fi
		# (the -global applies to every host-arm-cpu of that QEMU, the model expansion's
		# too: each host's default is read where the domain runs from the plain XML)
		if lv_start "$LV_URI2" "$n" "$M" -global "host-arm-cpu.$CRC=$LOW"; then
			v=$(field_of "$n")
			check "$M: started on host 2 with $CRC=$LOW in its qemu:commandline, the guest sees CRC32 = ${v:-?}" \
				test "$v" = "$LOW"
			guest_regs "$n" >"$D/$n.regs-before"
			if lv_migrate "$M: host 2 -> host 1" "$n" "$LV_URI2" "$LV_URI1" "host 1"; then
				for x in exp exp.props; do [ -f "$D/h1.$x" ] || cp "$D/$n.$x" "$D/h1.$x"; done
				if lv_migrate "$M: host 1 -> host 2 (back)" "$n" "$LV_URI1" "$LV_URI2" "host 2"; then
					for x in exp exp.props; do [ -f "$D/h2.$x" ] || cp "$D/$n.$x" "$D/h2.$x"; done
				fi
			fi
		fi
		lv_stop "$LV_URI1" "$n"
		lv_stop "$LV_URI2" "$n"
	done

	# --- refusals ---------------------------------------------------------------------
	M=virt-11.2
	# the new machine type to a host whose emulator does not know it
	if lv_start "$LV_URI1" mt "machine type"; then
		lv_plain_xml "$LV_URI1" mt "$D/mt.plain.xml"
		sed "s|<emulator>.*</emulator>|<emulator>$(qemu_bin deb111)</emulator>|" "$D/mt.plain.xml" >"$D/mt.deb111.xml"
		lv_refused "virt-11.2 to Debian's QEMU 11.1" mt "$LV_URI1" "host 2 (emulator $(qemu_bin deb111))" \
			"virt-11.2" "$D/mt.deb111.xml"
	fi
	lv_stop "$LV_URI1" mt

	if [ ! -f "$D/h1.exp.props" ] || [ ! -f "$D/h2.exp.props" ]; then
		fail "refusals: both hosts' CPU model expansions (from the round trips)"
	else
		p1=$(prop_value "$D/h1.exp" kvm-psci-version) p2=$(prop_value "$D/h2.exp" kvm-psci-version)
		say "PSCI: host 1 $p1, host 2 $p2"
		# a field host 2's KVM cannot take from a VM started on host 1
		if cand=$(lv_field_candidate "$D/h1.exp" "$D/h2.exp"); then
			set -- $cand
			prop=$1 dv=$2 reg=$3 fld=$4 lv=$(($2 - 1))
			say "field: $prop (default $dv on both hosts, writable on host 1 only)"
			g=""
			[ "$p1" = "$p2" ] || g="host-arm-cpu.kvm-psci-version=$p2"
			if lv_start "$LV_URI1" fr "field refusal" -global "host-arm-cpu.$prop=$lv" ${g:+-global} $g; then
				lv_plain_xml "$LV_URI1" fr "$D/fr.plain.xml"
				lv_refused "$reg.$fld $lv (host 1 only lets it change)" fr "$LV_URI1" "host 2" \
					"$reg \\(Invalid argument\\): [A-Z0-9_]*$fld\\[[0-9]+:[0-9]+\\] source $(hex "$lv"), destination $(hex "$dv")" "$D/fr.plain.xml"
			fi
			lv_stop "$LV_URI1" fr
		else
			# between kernels of different series there is one (HCX: 7.2 vs 6.12); finding
			# none there means the descriptions could not be read, not that none exists
			if [ "$(kvm_series "$RIG_KERNEL")" != "$(kvm_series "${peer%%:*}")" ]; then
				fail "field refusal: a field host 1's KVM lets a VM change and host 2's does not (kernels $RIG_KERNEL and ${peer%%:*})" \
					"none found in $D/h1.exp.props / $D/h2.exp.props"
			else
				say "no field host 1 lets a VM change and host 2 does not (same kernel series): no field refusal"
			fi
		fi
		# a VM started at host 1's PSCI version, where host 2 offers an older one
		if [ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" != "$p2" ]; then
			if lv_start "$LV_URI1" ps "PSCI refusal"; then
				lv_plain_xml "$LV_URI1" ps "$D/ps.plain.xml"
				lv_refused "PSCI $p1 (host 2 offers $p2)" ps "$LV_URI1" "host 2" \
					"PSCI_VERSION \\(Invalid argument\\): PSCI_VERSION source $p1, destination $p2" "$D/ps.plain.xml"
			fi
			lv_stop "$LV_URI1" ps
		else
			say "both hosts offer PSCI $p1: no PSCI refusal"
		fi
	fi
fi
cp -r "$D" "$RIG_OUT/dom" 2>/dev/null
lv_collect
# host 2 serves until this ends: a domain named lv-done defined there says so (it may still
# be booting when host 1 fails early)
lv_domain lv-done virt-11.2 >"$D/lv-done.xml"
_end=$(deadline 180)
until virsh -c "$LV_URI2" define "$D/lv-done.xml" >/dev/null 2>&1; do
	if [ "$(now_ms)" -ge "$_end" ]; then
		say "host 2 could not be told that host 1 is done"
		break
	fi
	sleep 2
done
lv_teardown
