#!/bin/sh
# Cross-host, destination side: load every stream in /payload/streams (saved on another L1
# "host") into the same QEMU build, machine type and -cpu options, and report the outcome:
#   RESULT <stream> ok <n registers identical>       the guest runs on with the source's
#                                                     ID registers (checked against the
#                                                     source's own dump) and, with the
#                                                     patched QEMU, its firmware registers
#                                                     (PSCI version, service bitmaps)
#   RESULT <stream> refused <first error line>        the destination exited non-zero
#   RESULT <stream> wrong <why>                       anything else (a bug)
# A stream with the CPU model of its VM (NAME.model) gets "; predicted <comparison result>"
# appended: what query-cpu-model-comparison of that model with this host's host model said
# before the load (identical or subset: the VM can run here).
# The host side (tests/crosshost/run) compares them with the documented expectations.
# A VM that loaded is saved again into $RIG_OUT/streams, with the source's records, so that
# a further boot can carry it on or back (tests/crosshost/run's A>B sources).
# rig: kernels=ours
# rig: timeout=600
# rig: tier=none
. /rig/lib.sh

# predict NAME: query-cpu-model-comparison of stream NAME's model with this host's, in a
# patched QEMU that runs no guest: "predicted RESULT (responsible properties)"
predict() {
	vm_start cmp patched virt-11.2 1 -S || { echo "predicted nothing (QEMU did not start)"; return; }
	vm_qmp cmp query-cpu-model-comparison \
		"{\"modela\": $(cat "/payload/streams/$1.model"), \"modelb\": {\"name\": \"host\"}}" \
		>"$RIG_OUT/$1.comparison" 2>&1
	vm_stop cmp
	echo "predicted $(sed -n 's/.*"result": "\([a-z]*\)".*/\1/p' "$RIG_OUT/$1.comparison") ($(sed -n 's/.*"responsible-properties": \[\([^]]*\)\].*/\1/p' "$RIG_OUT/$1.comparison" | tr -d '"' | cut -c1-300))"
}

for f in /payload/streams/*.mig; do
	[ -e "$f" ] || { fail "crosshost: no streams in /payload/streams"; break; }
	n=$(basename "$f" .mig)
	low="" low_fw="" lowered=""
	. "/payload/streams/$n.conf"
	pred=""
	[ ! -s "/payload/streams/$n.model" ] || pred=$(predict "$n")
	if ! vm_start dst "$q" "$m" 2 -cpu "$cpu" -incoming defer; then
		echo "RESULT $n wrong dst-start"
		fail "crosshost: $n: the destination starts"
		continue
	fi
	vm_qmp dst migrate-incoming "{\"uri\": \"file:$f\"}" >/dev/null 2>&1
	res=""
	_end=$(deadline 60)
	while [ "$(now_ms)" -lt "$_end" ]; do
		if ! vm_alive dst; then
			rc=$(vm_wait_exit dst 1)
			msg=$(grep -v '^$' "$VMDIR/dst.log" | tr '\n' '|' | cut -c1-20000)
			if [ "$rc" != 0 ] && [ "$rc" -lt 128 ]; then res="refused $msg"; else res="wrong exit-$rc $msg"; fi
			break
		fi
		st=$(vm_status dst)
		if [ "$st" = paused ] || [ "$st" = running ]; then
			vm_qmp dst cont >/dev/null 2>&1
			if guest_wait_dump dst 15; then
				guest_regs dst >"$RIG_OUT/$n.regs-after"
				# firmware registers: a register one kernel lacks reads as 0 there (no
				# service of it offered), so only the non-zero ones are compared
				fw=""
				if [ -s "/payload/streams/$n.fw" ]; then
					vm_fwregs dst >"$RIG_OUT/$n.fw-after"
					grep -v ' 0x0*$' "/payload/streams/$n.fw" >"$RIG_OUT/$n.fw-want"
					grep -v ' 0x0*$' "$RIG_OUT/$n.fw-after" >"$RIG_OUT/$n.fw-got"
					cmp -s "$RIG_OUT/$n.fw-want" "$RIG_OUT/$n.fw-got" ||
						fw=$(diff "$RIG_OUT/$n.fw-want" "$RIG_OUT/$n.fw-got" | grep '^[-+][A-Z]' | head -n 2 | tr '\n' ' ')
				fi
				# ID_AA64MMFR2_EL1.NV (bits 27:24) is KVM's for a VM without EL2 (our
				# VMs have none): 6.12 shows the host's value, 7.2 hides it
				nv_masked "/payload/streams/$n.regs" >"$RIG_OUT/$n.regs-want"
				nv_masked "$RIG_OUT/$n.regs-after" >"$RIG_OUT/$n.regs-got"
				nv=""
				cmp -s "/payload/streams/$n.regs" "$RIG_OUT/$n.regs-after" ||
					nv=" (but ID_AA64MMFR2_EL1.NV, KVM's: source $(nv_of "/payload/streams/$n.regs"), here $(nv_of "$RIG_OUT/$n.regs-after"))"
				if [ -n "$fw" ]; then
					res="wrong firmware-registers-differ $fw"
				elif cmp -s "$RIG_OUT/$n.regs-want" "$RIG_OUT/$n.regs-got"; then
					res="ok $(wc -l <"$RIG_OUT/$n.regs-after") registers identical$nv"
					[ -s "/payload/streams/$n.fw" ] &&
						res="$res, $(wc -l <"$RIG_OUT/$n.fw-got") non-zero firmware registers identical"
				else
					res="wrong registers-differ $(diff "/payload/streams/$n.regs" "$RIG_OUT/$n.regs-after" | grep '^[-+][A-Z]' | head -n 2 | tr '\n' ' ')"
				fi
			else
				res="wrong no-guest-output"
			fi
			break
		fi
		sleep 0.2
	done
	[ -n "$res" ] || res="wrong timeout"
	cp "$VMDIR/dst.log" "$RIG_OUT/$n.dst.log" 2>/dev/null
	# did the values travel? Only if this host gives a new VM other ones
	case $res in
	ok*)
		if [ -n "$lowered" ]; then
			: # a VM started at a baseline: see below
		elif [ -z "$low" ]; then
			res="$res; survival only (the source could not lower its values)"
		elif guest_boot def "$q" "$m" 2 -cpu "$cpu" && guest_wait_dump def 20; then
			dv=$(field_of def)
			dfw=""
			[ -z "$low_fw" ] || dfw=$(vm_fwregs def | sed -n 's/^VENDOR_HYP_BMAP //p')
			if [ "$dv" = "$low" ]; then
				res="$res; survival only (this host's default $LOWER_REG CRC32 is the source's $low)"
			else
				res="$res; values carried ($LOWER_REG CRC32 $low, this host's default $dv"
				[ -z "$low_fw" ] || res="$res; VENDOR_HYP_BMAP $low_fw, default $dfw"
				res="$res)"
			fi
		else
			res="wrong default-vm-boot"
		fi
		vm_stop def >/dev/null 2>&1
		;;
	esac
	# a VM started at a baseline: how many of the fields it lowered on its first host differ
	# from this host's own values (where they do, its values came with the stream)
	case $res in
	ok*)
		if [ -n "$lowered" ] && host_expansion exp "$RIG_OUT/host.expansion"; then
			k=0
			for x in $lowered; do
				[ "$(prop_value "/payload/streams/$n.model" "$x")" = "$(prop_value "$RIG_OUT/host.expansion" "$x")" ] ||
					k=$((k + 1))
			done
			res="$res; baseline: $k of the $(echo $lowered | wc -w) properties it lowers ($(echo $lowered)) differ from this host's"
		fi
		;;
	esac
	echo "RESULT $n $res${pred:+; $pred}"
	case $res in
	ok*)
		# on or back: the VM as it runs here, with the records of where it started
		mkdir -p "$RIG_OUT/streams"
		if vm_save_file dst "$RIG_OUT/streams/$n.mig"; then
			for x in regs hash conf fw model; do
				[ ! -e "/payload/streams/$n.$x" ] || cp "/payload/streams/$n.$x" "$RIG_OUT/streams/"
			done
		else
			fail "crosshost: $n: saved again to carry it on" "$(tail -n 2 "$VMDIR/dst.log" | tr '\n' ' ')"
			rm -f "$RIG_OUT/streams/$n.mig"
		fi
		;;
	esac
	# here only whether the outcome is one of the two clean ones; which one is expected is
	# tests/crosshost/run's to judge (tests/crosshost/expected)
	case $res in
	ok* | refused*) pass "crosshost: $n: a clean outcome (${res%% *})" ;;
	*) fail "crosshost: $n: a clean outcome" "$(echo "$res" | cut -c1-200)" ;;
	esac
	vm_stop dst >/dev/null 2>&1
done
