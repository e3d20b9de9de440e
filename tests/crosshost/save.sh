#!/bin/sh
# Cross-host, source side: boot a guest with each QEMU build and machine type (and with
# SVE off), save it to a file once it runs, and record the ID registers it saw (and, with the
# patched QEMU, the firmware registers KVM holds for it). The files
# are carried to another L1 boot ("host") by tests/crosshost/run. The host model's expansion
# goes with them (streams/host.expansion), and, for the VMs of the patched QEMU on virt-11.2
# with -cpu host, the CPU model the VM has (NAME.model), from which a destination predicts
# whether it can run the VM (query-cpu-model-comparison).
#
# Baseline mode, when /payload/streams/host.expansion is another host's expansion (tests/
# crosshost/run's source HOST@OTHER): only one VM, of the patched QEMU on virt-11.2, started
# at the baseline of the two hosts (query-cpu-model-baseline) with all of its properties;
# it must see the baseline's value in every field the baseline lowers. A baseline this host
# refuses is reported as the cell's result (RESULT ... refused).
# rig: kernels=ours
# rig: timeout=300
# rig: tier=none
. /rig/lib.sh

mkdir -p "$RIG_OUT/streams"
tag=$(echo "${RIG_KERNEL}-${RIG_CPU}" | tr ",=" "__")
X=$RIG_OUT/streams/host.expansion
if host_expansion exp "$X"; then
	pass "host model expansion: $(grep -o '"SYSREG_' "$X" | wc -l) SYSREG_ properties, kvm-psci-version $(prop_value "$X" kvm-psci-version)"
else
	fail "host model expansion" "$(head -c 300 "$X")"
fi

baseline() {
	n="$tag--patched--virt-11.2--baseline"
	B=$RIG_OUT/baseline.json
	H='{"name": "host"}'
	vm_start exp patched virt-11.2 1 -S || { fail "baseline: QEMU starts"; return; }
	vm_qmp exp query-cpu-model-baseline \
		"{\"modela\": $(model_of /payload/streams/host.expansion), \"modelb\": $H}" >"$B" 2>&1
	vm_stop exp
	if ! grep -q '"props"' "$B"; then
		# the cell's result: this host cannot run what both hosts have
		echo "RESULT $n refused baseline: $(tr -d '\n' <"$B" | cut -c1-2000)"
		pass "baseline: refused cleanly ($(cut -c1-200 "$B"))"
		return
	fi
	# the fields the baseline lowers below this host's values
	low=""
	for f in $(sed 's/.*"props": {\([^}]*\)}.*/\1/' "$B" | tr ',' '\n' |
		sed -n 's/^ *"\(SYSREG_[A-Z0-9_]*\)": .*/\1/p'); do
		[ "$(prop_value "$B" "$f")" = "$(prop_value "$X" "$f")" ] || low="$low $f"
	done
	bp=$(prop_value "$B" kvm-psci-version) hp=$(prop_value "$X" kvm-psci-version)
	say "baseline with the other host (PSCI $(prop_value /payload/streams/host.expansion kvm-psci-version)): lowers${low:- no ID register field}; PSCI $bp (this host $hp)"
	if ! guest_boot save patched virt-11.2 2 -cpu "host,$(cmdline_props "$B")" ||
		! guest_wait_dump save 20; then
		fail "baseline: a VM starts with its $(cmdline_props "$B" | tr ',' '\n' | wc -l) properties" \
			"$(tail -n 3 "$VMDIR/save.log" | tr '\n' ' ')"
		vm_stop save
		return
	fi
	vm_idregs save >"$RIG_OUT/baseline.idregs"
	bad=""
	for f in $low; do
		g=$(field_in_regs "$RIG_OUT/baseline.idregs" "$X.props" "$f")
		[ "$g" = "$(prop_value "$B" "$f")" ] || bad="$bad $f=${g:-?}"
	done
	check "baseline: the guest has the baseline's value in each field it lowers (${low:-none}${bad:+; differs:$bad})" \
		test -z "$bad"
	gp=$(vm_fwregs save | sed -n 's/^PSCI_VERSION //p')
	check "baseline: the VM has PSCI_VERSION $bp ($gp)" \
		test "$gp" = "$(printf '0x%016x' $((${bp%.*} << 16 | ${bp#*.})))"
	if vm_save_file save "$RIG_OUT/streams/$n.mig"; then
		guest_regs save >"$RIG_OUT/streams/$n.regs"
		guest_hash save >"$RIG_OUT/streams/$n.hash"
		vm_fwregs save >"$RIG_OUT/streams/$n.fw"
		model_of "$B" >"$RIG_OUT/streams/$n.model"
		[ "$bp" = "$hp" ] || low="$low kvm-psci-version"
		printf 'q=patched\nm=virt-11.2\ncpu=host\nlow=\nlow_fw=\nlowered="%s"\n' "$low" \
			>"$RIG_OUT/streams/$n.conf"
		pass "saved $n"
	else
		fail "saved $n" "$(tail -n 2 "$VMDIR/save.log" | tr '\n' ' ')"
	fi
	vm_stop save
}

if [ -f /payload/streams/host.expansion ]; then
	baseline
	configs=""
else
	configs="base:virt-10.2:host patched:virt-10.2:host patched:virt-11.2:host
		patched:virt-11.2:host,sve=off base:virt-10.2:host,sve=off"
fi
for c in $configs; do
	q=${c%%:*} rest=${c#*:}
	m=${rest%%:*} cpu=${rest#*:}
	n="$tag--$q--$m--$(echo "$cpu" | tr ',=' '__')"
	f="$RIG_OUT/streams/$n.mig"
	# the source holds values this host would not give a new VM (src_boot: CRC32 lowered, and
	# one hypercall service fewer where the section carries the firmware registers), so that
	# a destination that shows them got them from the stream
	if src_boot save "$q" "$m" 2 -cpu "$cpu" && vm_save_file save "$f"; then
		guest_regs save >"$RIG_OUT/streams/$n.regs"
		guest_hash save >"$RIG_OUT/streams/$n.hash"
		# the firmware registers (patched QEMU: x-query-arm-idregs lists them)
		[ "$q" = base ] || vm_fwregs save >"$RIG_OUT/streams/$n.fw"
		printf 'q=%s\nm=%s\ncpu=%s\nlow=%s\nlow_fw=%s\n' "$q" "$m" "$cpu" "$LOW_VAL" "$LOW_FW" \
			>"$RIG_OUT/streams/$n.conf"
		# the CPU model of the VM: this host's, with the field src_boot lowered
		if [ "$q:$m:$cpu" = patched:virt-11.2:host ]; then
			model_of "$X" | sed "s/\"SYSREG_ID_AA64ISAR0_EL1_CRC32\": [0-9]*/\"SYSREG_ID_AA64ISAR0_EL1_CRC32\": ${LOW_VAL:-1}/" \
				>"$RIG_OUT/streams/$n.model"
		fi
		pass "saved $n"
		# the same VM, TCR2_EL1 = 5 in vCPU 0's list: a register of a feature the VM lacks
		# holding another value than KVM's reset value, which a destination that does not list
		# it must refuse by name (only a Linux 6.12 source lists TCR2_EL1 for such a VM)
		if [ "$RIG_KERNEL" = deb612 ] && [ "$q:$m:$cpu" = patched:virt-11.2:host ]; then
			t="$tag--$q--$m--host+tcr2"
			if $MUTATE -C "0:0x603000000013c103:0:64:5" "$f" "$RIG_OUT/streams/$t.mig" \
				"$VMDIR/tcr2.meta"; then
				for x in regs hash fw conf; do
					cp "$RIG_OUT/streams/$n.$x" "$RIG_OUT/streams/$t.$x"
				done
				pass "saved $t (TCR2_EL1 = 5 in vCPU 0's state)"
			else
				fail "saved $t" "vCPU 0's state has no TCR2_EL1"
			fi
		fi
	else
		fail "saved $n" "$(tail -n 2 "$VMDIR/save.log" | tr '\n' ' ')"
	fi
	vm_stop save
	vm_stop save-def >/dev/null 2>&1
done
