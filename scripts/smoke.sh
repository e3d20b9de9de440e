#!/bin/bash
# Smoke-run the cross-built (aarch64) QEMU binaries on this x86_64 host under
# qemu-aarch64-static: machine types and -dump-vmstate under the qtest accelerator.
# Proves the binaries load and their device models initialise; it says nothing about KVM.
. "$(dirname "$0")/lib.sh"


run() { # run VARIANT ARGS...
	local v=$1
	shift
	qemu-aarch64-static -L / "$TOP/work/out/qemu-$v/bin/qemu-system-aarch64" "$@"
}

out=$TOP/artifacts/smoke
mkdir -p "$out"
for v in cross cross-base; do
	[ -x "$TOP/work/out/qemu-$v/bin/qemu-system-aarch64" ] || {
		ko "$v: no build (work/out/qemu-$v)"
		continue
	}
	if run "$v" -M help >"$out/$v-machines.txt" 2>&1; then
		ok "$v: runs under qemu-aarch64-static ($(grep -c '^virt-' "$out/$v-machines.txt") virt machine types)"
	else
		ko "$v: -M help failed"
	fi
	for m in virt-10.2 virt-11.2; do
		[ "$v" = cross-base ] && [ "$m" = virt-11.2 ] && continue
		if run "$v" -M "$m" -accel qtest -display none -dump-vmstate "$out/$v-$m.json" \
			>"$out/$v-$m.log" 2>&1 &&
			python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "vmschkmachine" in d' \
				"$out/$v-$m.json"; then
			ok "$v: -M $m -accel qtest -dump-vmstate ($(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$out/$v-$m.json") sections)"
		else
			ko "$v: -M $m -dump-vmstate (see $out/$v-$m.log)"
		fi
	done
done
# The unpatched QEMU must not know the new machine type (rollback tests rely on it).
# bounded: if it accepted the machine type, -S would wait forever
msg=$(timeout 60 qemu-aarch64-static -L / "$TOP/work/out/qemu-cross-base/bin/qemu-system-aarch64" \
	-M virt-11.2 -accel qtest -display none -S -nodefaults 2>&1 </dev/null) || true
# (a here-string, not a pipe: under pipefail, grep -q leaving early can fail the pipe)
if grep -q 'unsupported machine type: "virt-11.2"' <<<"$msg"; then
	ok "cross-base: rejects virt-11.2 (unknown machine type)"
else
	printf '%s\n' "$msg" | head -n 5 | sed 's/^/    /'
	ko "cross-base: does not reject virt-11.2"
fi
# The new section is in the patched build's -dump-vmstate (it is KVM-only code, but the
# type exists in every KVM-enabled build), and vmstate-static-checker.py finds nothing
# between unpatched (source) and patched (destination) that it does not also find between
# the unpatched build and itself (pristine 10.2.2 has a false positive on sd-card).
if grep -q '"kvm-arm-idregs"' "$out/cross-virt-11.2.json" 2>/dev/null; then
	ok "cross: -dump-vmstate lists kvm-arm-idregs"
else
	ko "cross: -dump-vmstate lists kvm-arm-idregs"
fi
checker=$TOP/work/qemu/scripts/vmstate-static-checker.py
# vsc SRC DST OUT: the checker's findings, sorted, in OUT; its exit status (the number of
# findings, at most 255) in OUT.rc. A checker that crashes (a traceback, or output on
# stderr) is a failure of its own, not "the same findings twice".
vsc() {
	local rc=0
	python3 "$checker" -s "$1" -d "$2" >"$3.raw" 2>"$3.err" || rc=$?
	echo "$rc" >"$3.rc"
	{ grep -v "^Warning: checking incompatible machine types" "$3.raw" || true; } | sort >"$3"
	if [ -s "$3.err" ] || [ "$rc" -ge 255 ]; then
		sed 's/^/    /' "$3.err" | tail -n 5
		return 1
	fi
}
if vsc "$out/cross-base-virt-10.2.json" "$out/cross-base-virt-10.2.json" "$out/checker-base-base.txt"; then
	ok "vmstate-static-checker runs: unpatched virt-10.2 against itself, $(cat "$out/checker-base-base.txt.rc") known findings (sd-card)"
else
	ko "vmstate-static-checker crashed (unpatched against itself)"
fi
for m in virt-10.2 virt-11.2; do
	if ! vsc "$out/cross-base-virt-10.2.json" "$out/cross-$m.json" "$out/checker-base-$m.txt"; then
		ko "vmstate-static-checker crashed (unpatched virt-10.2 -> patched $m)"
	elif diff "$out/checker-base-base.txt" "$out/checker-base-$m.txt" >"$out/checker-$m.diff" &&
		cmp -s "$out/checker-base-base.txt.rc" "$out/checker-base-$m.txt.rc"; then
		ok "vmstate-static-checker: unpatched virt-10.2 -> patched $m: no new incompatibility"
	else
		sed 's/^/    /' "$out/checker-$m.diff" | head -n 20
		ko "vmstate-static-checker: unpatched virt-10.2 -> patched $m"
	fi
done
if [ -x "$TOP/work/out/qemu-native/bin/qemu-system-aarch64" ]; then
	if "$TOP/work/out/qemu-native/bin/qemu-system-aarch64" -M virt-11.2 -accel qtest \
		-display none -dump-vmstate "$out/native-virt-11.2.json" >"$out/native.log" 2>&1; then
		ok "native: -M virt-11.2 -accel qtest -dump-vmstate"
	else
		ko "native: -dump-vmstate (see $out/native.log)"
	fi
fi
# The native TCG build exists after make check-full (or scripts/build-qemu.sh native); the
# checks below need it and say when they did not run.
[ -x "$TOP/work/out/qemu-native/bin/qemu-system-aarch64" ] ||
	echo "  note: no native TCG build (make check-full builds it): its -dump-vmstate, QMP misuse and qtest checks did not run"
# QMP misuse under TCG (the KVM cases are tests/faults/qmp.sh on the rig): the series'
# commands answer with an error, and QEMU quits normally afterwards (no signal)
if [ -x "$TOP/work/out/qemu-native/bin/qemu-system-aarch64" ]; then
	for m in virt-11.2 none; do
		rc=0
		r=$(printf '%s\n' '{"execute": "qmp_capabilities"}' '{"execute": "x-query-arm-idregs"}' \
			'{"execute": "human-monitor-command", "arguments": {"command-line": "info idregs"}}' \
			'{"execute": "quit"}' |
			timeout 60 "$TOP/work/out/qemu-native/bin/qemu-system-aarch64" -M "$m" -accel tcg \
				-display none -nodefaults -qmp stdio 2>&1) || rc=$?
		n=$(grep -c 'ID registers are only available with KVM' <<<"$r" || true)
		if [ "$rc" = 0 ] && [ "$n" = 2 ]; then
			ok "native TCG -M $m: x-query-arm-idregs and info idregs answer 'only available with KVM'"
		else
			printf '%s\n' "$r" | tail -n 6 | sed 's/^/    /'
			ko "native TCG -M $m: QMP misuse (exit status $rc, $n of 2 answers)"
		fi
	done
fi
# The series' qtest without KVM (x86_64 TCG build): the compat cases run, the KVM ones are
# not registered (skip cleanly)
if [ -x "$TOP/work/out/qemu-native/qtest/arm-idregs-test" ]; then
	if QTEST_QEMU_BINARY=$TOP/work/out/qemu-native/bin/qemu-system-aarch64 \
		"$TOP/work/out/qemu-native/qtest/arm-idregs-test" --tap >"$out/native-qtest.log" 2>&1; then
		ok "native: arm-idregs-test without KVM ($(grep -c '^ok' "$out/native-qtest.log") cases, KVM cases skipped)"
	else
		ko "native: arm-idregs-test (see $out/native-qtest.log)"
	fi
fi
echo "smoke: $pass passed, $fail failed"
[ "$fail" = 0 ]
