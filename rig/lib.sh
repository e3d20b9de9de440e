# Scenario library for the rig's L1 host (busybox sh). Scenarios source it:
#   . /rig/lib.sh
# Results are lines on stdout: "PASS: name", "FAIL: name: why", "SKIP: name: why"; the
# runner on the host counts them. Progress lines start with "# ".
#
# VMs: vm_start NAME QEMU MACHINE SMP [extra QEMU args...]
#   QEMU is "patched", "base" (unmodified 10.2.2) or a Debian-built peer ("deb111": sid's
#   11.1.x, "deb100": trixie's 10.0.x); the VM runs the idregs guest on KVM (-cpu host); its files
#   are /tmp/vm/NAME.{qmp,serial,log,pid}. Destination VMs get "-incoming defer" in extra.

RIG_OUT=${RIG_OUT:-/tmp/out}
GUEST=${GUEST:-/opt/guests/idregs-guest.elf}
VMDIR=/tmp/vm
mkdir -p "$VMDIR" "$RIG_OUT"

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+: $2}"; }
skip() { echo "SKIP: $1${2:+: $2}"; }
say() { echo "# $*"; }

# check NAME COMMAND...: PASS if the command succeeds, else FAIL
check() {
	_n=$1
	shift
	if "$@"; then pass "$_n"; else fail "$_n" "$*"; fi
}

# RIG_QEMU_PATCHED (rig/run --env) replaces the patched build, e.g. by the ASan/UBSan one
qemu_bin() {
	case $1 in
	patched) echo "${RIG_QEMU_PATCHED:-/opt/qemu-patched/bin/qemu-system-aarch64}" ;;
	base) echo "/opt/qemu-base/bin/qemu-system-aarch64" ;;
	# Debian's own builds (scripts/peer.sh; a scenario names them in "# rig: peers=")
	deb111 | deb100) echo "/opt/peer-$1/qemu-system-aarch64" ;;
	*) echo "unknown-qemu-$1" ;;
	esac
}

# now_ms: monotonic-enough milliseconds (busybox date has no %N; /proc/uptime does)
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# deadline SECONDS: now_ms + SECONDS, scaled by RIG_SLOW, the L1's slowness in percent of
# the speed the bounds were set at (rig/init measures it once at boot, 100 to 200). Every
# wait of the library and the scenarios goes through it, so a loaded host stretches them
# all alike instead of turning into a reported "hang".
deadline() { echo $(($(now_ms) + $1 * ${RIG_SLOW:-100} * 10)); }

# wait_for FILE PATTERN SECONDS: wait until an extended regexp matches a line of FILE
wait_for() {
	_end=$(deadline $3)
	while [ "$(now_ms)" -lt "$_end" ]; do
		grep -q -E "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# qemu_spawn NAME QEMU ARGS...: start QEMU (no display, no defaults, a QMP socket at
# NAME.qmp) in the background; its pid goes to NAME.pid and, once it exits, its exit status
# to NAME.rc (a subshell waits for it: "wait" only works in the shell that started the
# process, not in a $(...) of a later caller)
qemu_spawn() {
	_n=$1 _q=$2
	shift 2
	rm -f "$VMDIR/$_n".*
	(
		"$(qemu_bin "$_q")" -nodefaults -no-user-config -display none \
			-qmp "unix:$VMDIR/$_n.qmp,server=on,wait=off" "$@" >"$VMDIR/$_n.log" 2>&1 &
		echo $! >"$VMDIR/$_n.pid.tmp"
		mv "$VMDIR/$_n.pid.tmp" "$VMDIR/$_n.pid"
		wait $!
		_rc=$?
		# sanitized QEMU (scripts/asan-run.sh): UBSan, next to ASan, reports on stderr
		if [ -n "${RIG_SAN_DIR:-}" ] && grep -q 'runtime error:' "$VMDIR/$_n.log" 2>/dev/null; then
			mkdir -p "$RIG_SAN_DIR"
			cp "$VMDIR/$_n.log" "$RIG_SAN_DIR/stderr.$(cat "$VMDIR/$_n.pid")"
		fi
		echo "$_rc" >"$VMDIR/$_n.rc"
	) &
	_end=$(deadline 5)
	while [ ! -f "$VMDIR/$_n.pid" ] && [ "$(now_ms)" -lt "$_end" ]; do sleep 0.02; done
}

# qemu_wait_qmp NAME: wait until NAME's QMP socket appears (QEMU has initialised); 1 if
# QEMU exits first or the bound passes
qemu_wait_qmp() {
	_end=$(deadline 20)
	while [ "$(now_ms)" -lt "$_end" ]; do
		[ -S "$VMDIR/$1.qmp" ] && return 0
		vm_alive "$1" || break
		sleep 0.05
	done
	return 1
}

# vm_spawn NAME QEMU MACHINE SMP ARGS...: qemu_spawn with the idregs guest on KVM, its
# serial output in NAME.serial
vm_spawn() {
	_n=$1 _q=$2 _m=$3 _smp=$4
	shift 4
	qemu_spawn "$_n" "$_q" -M "$_m,gic-version=3" -accel kvm -smp "$_smp" -m 64 \
		-kernel "$GUEST" -serial "file:$VMDIR/$_n.serial" "$@"
}

vm_start() {
	_name=$1 _vq=$2 _vm=$3 _vs=$4
	shift 4
	vm_spawn "$_name" "$_vq" "$_vm" "$_vs" -cpu host "$@"
	qemu_wait_qmp "$_name" && return 0
	say "vm $_name did not start: $(tail -n 5 "$VMDIR/$_name.log")"
	return 1
}

vm_alive() { kill -0 "$(cat "$VMDIR/$1.pid" 2>/dev/null)" 2>/dev/null; }

# vm_wait_exit NAME SECONDS: wait for the QEMU process to exit; prints its exit status
vm_wait_exit() {
	_end=$(deadline $2)
	while [ ! -f "$VMDIR/$1.rc" ] && [ "$(now_ms)" -lt "$_end" ]; do sleep 0.1; done
	if [ -f "$VMDIR/$1.rc" ]; then cat "$VMDIR/$1.rc"; else echo running; return 1; fi
}

vm_stop() {
	if vm_alive "$1"; then
		qmp -w 5 "$VMDIR/$1.qmp" quit >/dev/null 2>&1
		_end=$(deadline 5)
		while vm_alive "$1" && [ "$(now_ms)" -lt "$_end" ]; do sleep 0.1; done
		vm_alive "$1" && kill -9 "$(cat "$VMDIR/$1.pid")"
	fi
	[ ! -f "$VMDIR/$1.pid" ] || vm_wait_exit "$1" 5 >/dev/null
	cp "$VMDIR/$1.serial" "$RIG_OUT/$1.serial" 2>/dev/null
	cp "$VMDIR/$1.log" "$RIG_OUT/$1.log" 2>/dev/null
	return 0
}

vm_qmp() { _n=$1; shift; qmp "$VMDIR/$_n.qmp" "$@"; }
vm_hmp() { qmp "$VMDIR/$1.qmp" hmp "$2"; }

# vm_status NAME: "running", "paused", "postmigrate", "inmigrate", ... or "dead"
vm_status() {
	vm_qmp "$1" query-status 2>/dev/null | sed -n 's/.*"status": "\([a-z-]*\)".*/\1/p' | grep . ||
		echo dead
}

# wait_status NAME STATUS SECONDS: wait until NAME's run state is STATUS (a QEMU whose monitor
# just came up may still report prelaunch)
wait_status() {
	_end=$(deadline "$3")
	while [ "$(now_ms)" -lt "$_end" ]; do
		[ "$(vm_status "$1")" = "$2" ] && return 0
		vm_alive "$1" || return 1
		sleep 0.1
	done
	return 1
}

# tracefs_dir: the tracefs directory with kprobe events (mounted if need be), or nothing
tracefs_dir() {
	for _d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -e "$_d/kprobe_events" ] && { echo "$_d"; return 0; }
	done
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null &&
		[ -e /sys/kernel/tracing/kprobe_events ] && echo /sys/kernel/tracing
}

# --- the guest's output (see guests/README.md) ------------------------------------------
# guest_hash NAME: hash of the last ID register dump
# (only a whole hash: the guest may be writing the line as it is read)
guest_hash() { grep -a '^END-REGS .*hash=0x[0-9a-f]\{16\}' "$VMDIR/$1.serial" | tail -n 1 | sed 's/.*hash=\(0x[0-9a-f]*\).*/\1/'; }
# guest_regs NAME: the last complete dump, "NAME VALUE" per line
# (a dump counts only from its BEGIN-REGS line: a destination's serial output may start in
# the middle of a dump the source began)
guest_regs() {
	tr -d '\r' <"$VMDIR/$1.serial" | awk '
		/^BEGIN-REGS / { buf = ""; in_dump = 1; next }
		/^REG / && in_dump { buf = buf $2 " " $4 "\n" }
		/^END-REGS / && in_dump { last = buf; in_dump = 0 }
		END { printf "%s", last }'
}

# vm_fwregs NAME: the firmware registers KVM holds for NAME's VM, "NAME 0xVALUE" a line, as
# x-query-arm-idregs lists them (patched QEMU only); not the SMCCC workaround levels, which
# report the host's mitigations (KVM accepts any lower level and keeps reporting its own)
vm_fwregs() {
	vm_qmp "$1" x-query-arm-idregs | sed 's/\\n/\n/g' |
		awk '$1 ~ /^(PSCI_VERSION|STD_BMAP|STD_HYP_BMAP|VENDOR_HYP_BMAP|VENDOR_HYP_BMAP_2|FW_[0-9]+|FW_FEAT_BMAP_[0-9]+)$/ && $2 ~ /^0x/ { print $1, $2 }'
}

# guest_wait_dump NAME SECONDS: wait for a complete register dump
guest_wait_dump() {
	_end=$(deadline $2)
	while [ "$(now_ms)" -lt "$_end" ]; do
		[ -n "$(guest_regs "$1")" ] && return 0
		sleep 0.2
	done
	return 1
}
# guest_hb NAME: sequence number of the last complete heartbeat line
guest_hb() { grep -a '^HB [0-9]* .*c=' "$VMDIR/$1.serial" | tail -n 1 | awk '{print $2}'; }
# guest_hb_hash NAME: ID register hash carried by the last heartbeat
guest_hb_hash() { grep -a '^HB [0-9]* .*c=' "$VMDIR/$1.serial" | tail -n 1 | sed 's/.*hash=\([0-9a-fx]*\).*/\1/'; }
# guest_cpus NAME: "k/n" online CPUs from the last heartbeat
guest_cpus() { grep -a '^HB [0-9]* .*c=' "$VMDIR/$1.serial" | tail -n 1 | sed 's/.*cpus=\([0-9/]*\).*/\1/'; }

# guest_counters NAME: the per-CPU counters (c=) of the last complete heartbeat
guest_counters() { grep -a '^HB [0-9]* .*c=' "$VMDIR/$1.serial" | tail -n 1 | sed 's/.*c=\([0-9,]*\).*/\1/'; }

# guest_all_alive NAME SMP SECONDS: every one of the SMP vCPUs advances its own counter
# between the last heartbeat now and a later one (the guest's k/N can dip under load, so
# one heartbeat line is not enough; guests/README.md). Leaves the two in _c0 and _c1.
guest_all_alive() {
	_c0=$(guest_counters "$1")
	_end=$(deadline "$3")
	while [ "$(now_ms)" -lt "$_end" ]; do
		_c1=$(guest_counters "$1")
		# a first sample that does not have every vCPU (a heartbeat line still being
		# written) cannot be compared with: start from the next one
		if [ "$(echo "$_c0" | awk -F, '{ print NF }')" != "$2" ]; then
			_c0=$_c1
			sleep 0.2
			continue
		fi
		if [ -n "$_c0" ] && [ "$_c1" != "$_c0" ] && echo "$_c0 $_c1" | awk -v n="$2" '{
			a = split($1, x, ","); b = split($2, y, ",")
			if (a != n || b != n) exit 1
			for (i = 1; i <= n; i++) if (y[i] + 0 <= x[i] + 0) exit 1
		}'; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# guest_wait_hb NAME SEQ SECONDS: wait for a heartbeat with a sequence number > SEQ
guest_wait_hb() {
	_end=$(deadline $3)
	while [ "$(now_ms)" -lt "$_end" ]; do
		_s=$(guest_hb "$1")
		[ -n "$_s" ] && [ "$_s" -gt "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- migration --------------------------------------------------------------------------
# guest_arrived LABEL NAME SEQ: the guest runs on NAME past heartbeat SEQ and shows the
# source's ID registers there (check_values)
guest_arrived() {
	if guest_wait_hb "$2" "${3:-0}" 20; then
		pass "$1: heartbeat continues on $2 (${3:-none} -> $(guest_hb "$2"))"
	else
		fail "$1: heartbeat continues on $2" "after ${3:-none}: $(tail -n 2 "$VMDIR/$2.serial" | tr '\n' '|')"
		return 1
	fi
	if guest_wait_dump "$2" 20; then
		check_values "$1: $2" "$2"
	else
		fail "$1: $2's guest dumps its registers"
	fi
}

# caps [NAME...]: a migrate-set-capabilities argument with the given capabilities on
# (caps -off NAME...: off)
caps() {
	_st=true
	[ "${1:-}" = -off ] && { _st=false; shift; }
	_c=""
	for _x in "$@"; do _c="$_c${_c:+, }{\"capability\": \"$_x\", \"state\": $_st}"; done
	echo "{\"capabilities\": [$_c]}"
}

# qmp_ok NAME CMD [ARGS]: a QMP command that must succeed; its error is said otherwise
qmp_ok() {
	_qo=$(vm_qmp "$@" 2>&1) && return 0
	say "$1: $2 failed: $(echo "$_qo" | tr '\n' ' ' | cut -c1-200)"
	return 1
}

# mig_status NAME: the state of NAME's migration (query-migrate), or nothing
mig_status() { vm_qmp "$1" query-migrate 2>/dev/null | sed -n 's/.*"status": "\([a-z-]*\)".*/\1/p'; }

# wait_mig_status NAME STATUS SECONDS: wait until NAME's migration is in STATUS
wait_mig_status() {
	_end=$(deadline "$3")
	while [ "$(now_ms)" -lt "$_end" ]; do
		[ "$(mig_status "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# migrate SRC DST URI [SECONDS]: live-migrate with the return path on; the destination must
# have been started with "-incoming defer". Returns 0 when the source reports "completed".
# The final query-migrate reply is left in $VMDIR/SRC.migrate.
migrate() {
	_src=$1 _dst=$2 _uri=$3 _t=${4:-60}
	vm_qmp "$_dst" migrate-set-capabilities \
		'{"capabilities": [{"capability": "return-path", "state": true}]}' >/dev/null || return 1
	vm_qmp "$_dst" migrate-incoming "{\"uri\": \"$_uri\"}" >/dev/null || return 1
	vm_qmp "$_src" migrate-set-capabilities \
		'{"capabilities": [{"capability": "return-path", "state": true}]}' >/dev/null || return 1
	vm_qmp "$_src" migrate "{\"uri\": \"$_uri\"}" >/dev/null || return 1
	wait_done "$_src" "$_t" && return 0
	[ "$WAIT_DONE" = timeout ] && say "migration $_src -> $_dst did not finish in ${_t}s"
	return 1
}

# wait_done NAME SECONDS: wait until NAME's outgoing migration completed (0); 1 if it
# failed, was cancelled or did not finish in time (WAIT_DONE=failed|timeout). The last
# query-migrate reply is left in $VMDIR/NAME.migrate.
wait_done() {
	_wend=$(deadline "$2")
	while [ "$(now_ms)" -lt "$_wend" ]; do
		vm_qmp "$1" query-migrate >"$VMDIR/$1.migrate" 2>&1
		case $(sed -n 's/.*"status": "\([a-z-]*\)".*/\1/p' "$VMDIR/$1.migrate") in
		completed) return 0 ;;
		failed | cancelled) WAIT_DONE=failed; return 1 ;;
		esac
		sleep 0.1
	done
	WAIT_DONE=timeout
	return 1
}

# migrate_stat SRC KEY: a number from the last query-migrate reply (total-time, downtime)
migrate_stat() { sed -n "s/.*\"$2\": \([0-9]*\).*/\1/p" "$VMDIR/$1.migrate"; }

# --- a complete live-migration check ------------------------------------------------------
# guest_boot NAME QEMU MACHINE SMP [extra...]: start a VM and wait until the guest has printed
# its ID registers, brought up all CPUs and started its heartbeat.
guest_boot() {
	_gn=$1 _gsmp=$4
	vm_start "$@" || return 1
	if ! wait_for "$VMDIR/$_gn.serial" "^HB [0-9]+ .*cpus=$_gsmp/$_gsmp" 40; then
		say "guest $_gn: no heartbeat with $_gsmp CPUs: $(tail -n 3 "$VMDIR/$_gn.serial" | tr '\n' '|')"
		return 1
	fi
	return 0
}

# --- a source whose ID registers differ from the host's defaults ----------------------------
# On one L1 host, two QEMUs with -cpu host get the same ID registers from KVM whether or not
# a migration carried them. A migration test proves that values travel only if the source
# holds values the destination would not have by itself: LOWER_FIELD, lowered by one step.
# ID_AA64ISAR0_EL1.CRC32 is 1 on every L1 CPU model of the rig and writable since Linux 6.7.
MUTATE=${MUTATE:-/tests/faults/bin/mutate}
LOWER_REG=ID_AA64ISAR0_EL1 LOWER_SHIFT=16
LOWER_FIELD=$LOWER_REG:$LOWER_SHIFT:4

# ids_writable: this kernel lets userspace change ID registers (Linux >= 6.7). On older
# kernels a source cannot hold non-default values, and migration tests prove survival only.
ids_writable() { [ "$RIG_KERNEL" != deb61 ]; }

# field_of NAME: the LOWER_FIELD value in NAME's last register dump
field_of() {
	_fv=$(guest_regs "$1" | awk -v r="$LOWER_REG" '$1 == r { print $2 }')
	[ -n "$_fv" ] && echo $(((_fv >> LOWER_SHIFT) & 15))
}

# lowered_boot NAME QEMU MACHINE SMP [extra...]: like guest_boot, but the running guest holds
# LOWER_FIELD one below the host's value: boot, save to a file, lower the field in the
# stream (the kvm-arm-idregs section, or every vCPU's cpreg list in the old format), start
# NAME from that stream and let it run. Sets LOW_HASH (the guest's ID register hash now),
# LOW_VAL (the field's value) and DEF_HASH/DEF_VAL (what a fresh VM on this host has).
# Where the section carries the firmware registers (patched QEMU, new format), the stream
# also offers one hypercall service fewer (VENDOR_HYP_BMAP bit 1, PTP): LOW_FW/DEF_FW are
# that register's values (empty where it was not lowered).
lowered_boot() {
	_bn=$1 _bq=$2 _bm=$3 _bs=$4
	shift 4
	LOW_FW="" DEF_FW=""
	guest_boot "$_bn-def" "$_bq" "$_bm" "$_bs" "$@" || return 1
	guest_wait_dump "$_bn-def" 20 || { say "lowered_boot: no register dump"; return 1; }
	DEF_HASH=$(guest_hash "$_bn-def") DEF_VAL=$(field_of "$_bn-def")
	if [ -z "$DEF_VAL" ] || [ "$DEF_VAL" = 0 ]; then
		say "lowered_boot: $LOWER_REG[$((LOWER_SHIFT + 3)):$LOWER_SHIFT] is '${DEF_VAL}', cannot lower it"
		vm_stop "$_bn-def"
		return 1
	fi
	# (not NAME.*: starting NAME removes its old files)
	_f=$VMDIR/lowered-$_bn.mig
	if ! vm_save_file "$_bn-def" "$VMDIR/default-$_bn.mig"; then
		say "lowered_boot: saving $_bn-def failed"
		vm_stop "$_bn-def"
		return 1
	fi
	vm_stop "$_bn-def"
	if $MUTATE -i "$VMDIR/default-$_bn.mig" >/dev/null 2>&1; then
		$MUTATE -F "$LOWER_FIELD:$((DEF_VAL - 1))" "$VMDIR/default-$_bn.mig" "$_f" "$VMDIR/lowered-$_bn.meta" ||
			return 1
		_fw=$($MUTATE -p "$_f" | awk '$4 == "VENDOR_HYP_BMAP" { print $3 }')
		if [ -n "$_fw" ] && [ $((_fw & 2)) != 0 ]; then
			$MUTATE -F "VENDOR_HYP_BMAP:1:1:0" "$_f" "$_f.tmp" "$VMDIR/lowered-$_bn.fwmeta" ||
				return 1
			mv "$_f.tmp" "$_f"
			DEF_FW=$_fw LOW_FW=$($MUTATE -p "$_f" | awk '$4 == "VENDOR_HYP_BMAP" { print $3 }')
		fi
	else
		# old format: the value is in each vCPU's register list
		cp "$VMDIR/default-$_bn.mig" "$_f"
		_c=0
		while [ "$_c" -lt "$_bs" ]; do
			$MUTATE -C "$_c:$LOWER_FIELD:$((DEF_VAL - 1))" "$_f" "$_f.tmp" "$VMDIR/lowered-$_bn.meta" ||
				return 1
			mv "$_f.tmp" "$_f"
			_c=$((_c + 1))
		done
	fi
	rm -f "$VMDIR/default-$_bn.mig"
	vm_start "$_bn" "$_bq" "$_bm" "$_bs" -incoming "file:$_f" "$@" || return 1
	# a stream saved from a stopped VM restores "paused"
	_end=$(deadline 20)
	while [ "$(vm_status "$_bn")" != paused ] && [ "$(now_ms)" -lt "$_end" ]; do
		vm_alive "$_bn" || break
		sleep 0.1
	done
	if [ "$(vm_status "$_bn")" != paused ]; then
		say "lowered_boot: $_bn did not load the lowered stream: $(tail -n 2 "$VMDIR/$_bn.log" | tr '\n' ' ')"
		return 1
	fi
	rm -f "$_f"
	vm_qmp "$_bn" cont >/dev/null
	guest_wait_dump "$_bn" 20 || { say "lowered_boot: $_bn does not dump its registers"; return 1; }
	LOW_HASH=$(guest_hash "$_bn") LOW_VAL=$(field_of "$_bn")
	return 0
}

# src_boot NAME QEMU MACHINE SMP [extra...]: the source of a migration test: lowered_boot
# where the kernel allows it (and LOWER is not 0), guest_boot otherwise. Says which.
src_boot() {
	if [ "${LOWER:-1}" = 1 ] && ids_writable; then
		lowered_boot "$@" || return 1
		if [ "$LOW_VAL" != $((DEF_VAL - 1)) ] || [ "$LOW_HASH" = "$DEF_HASH" ]; then
			fail "source holds $LOWER_REG[$((LOWER_SHIFT + 3)):$LOWER_SHIFT] = $((DEF_VAL - 1)) (host default $DEF_VAL)" \
				"the guest sees ${LOW_VAL:-nothing}, hash $LOW_HASH (default $DEF_HASH)"
			return 1
		fi
		say "source $1: $LOWER_REG[$((LOWER_SHIFT + 3)):$LOWER_SHIFT] = $LOW_VAL (host default $DEF_VAL), hash $LOW_HASH (default $DEF_HASH)"
		if [ -n "$LOW_FW" ]; then
			_fw=$(vm_fwregs "$1" | sed -n 's/^VENDOR_HYP_BMAP //p')
			if [ "$_fw" != "$LOW_FW" ]; then
				fail "source holds VENDOR_HYP_BMAP = $LOW_FW (host default $DEF_FW)" "KVM has ${_fw:-nothing}"
				return 1
			fi
			say "source $1: VENDOR_HYP_BMAP = $LOW_FW (host default $DEF_FW)"
		fi
	else
		guest_boot "$@" || return 1
		guest_wait_dump "$1" 20
		LOW_HASH="" LOW_VAL="" LOW_FW="" DEF_HASH=$(guest_hash "$1") DEF_VAL=$(field_of "$1")
		if ids_writable; then
			say "source $1: the host's own ID registers (LOWER=0)"
		else
			say "source $1: the host's own ID registers (Linux < 6.7 cannot change them: survival only)"
		fi
	fi
}

# check_values LABEL NAME: NAME's guest sees the source's ID registers: the lowered field
# and the lowered hash where src_boot lowered it, else the default hash
check_values() {
	if [ -n "$LOW_HASH" ]; then
		_fv=$(field_of "$2")
		check "$1: $LOWER_REG[$((LOWER_SHIFT + 3)):$LOWER_SHIFT] still $LOW_VAL (host default $DEF_VAL; guest sees ${_fv:-nothing})" \
			test "$_fv" = "$LOW_VAL"
		check "$1: ID register hash is the source's lowered $LOW_HASH (default $DEF_HASH)" \
			test "$(guest_hb_hash "$2")" = "$LOW_HASH"
	else
		check "$1: ID register hash unchanged ($DEF_HASH; survival only)" \
			test "$(guest_hb_hash "$2")" = "$DEF_HASH"
	fi
}

# live_migrate_test LABEL SRC_QEMU DST_QEMU MACHINE SMP URI
# $SRC_ARGS / $DST_ARGS: extra QEMU arguments for the source / destination.
# Starts a source on SRC_QEMU that holds a lowered ID register field (src_boot),
# live-migrates it to DST_QEMU and checks the outcome: migration completed, the destination
# runs, the heartbeat continues there with all CPUs, and the guest sees the source's ID
# registers (the lowered field, not the host's default). Results: PASS/FAIL lines under
# LABEL. Leaves the migration statistics in $RIG_OUT/LABEL.migrate.
live_migrate_test() {
	_l=$1 _sq=$2 _dq=$3 _m=$4 _smp=$5 _uri=$6
	vm_stop src >/dev/null 2>&1
	vm_stop dst >/dev/null 2>&1
	# shellcheck disable=SC2086
	if ! src_boot src "$_sq" "$_m" "$_smp" ${SRC_ARGS:-}; then
		fail "$_l: source guest boots ($_sq, $_m, $_smp vCPUs)"
		vm_stop src
		return 1
	fi
	guest_regs src >"$RIG_OUT/$_l.regs-before"
	_h0=$(guest_hash src)
	# a patched destination traces its ID register writes (kvm-arm-idregs section)
	_tr=""
	[ "$_dq" = patched ] &&
		_tr="-trace enable=kvm_arm_idregs_*,file=$VMDIR/dst.trace -trace enable=kvm_vm_*_one_reg,file=$VMDIR/dst.trace"
	# shellcheck disable=SC2086
	if ! vm_start dst "$_dq" "$_m" "$_smp" -incoming defer $_tr ${DST_ARGS:-}; then
		fail "$_l: destination starts ($_dq, $_m)"
		vm_stop src
		return 1
	fi
	if migrate src dst "$_uri" 90; then
		pass "$_l: migration completed ($_sq -> $_dq, $_m, $_smp vCPUs, $_uri)"
	else
		fail "$_l: migration completed" "$(sed -n 's/.*"error-desc": "\([^"]*\)".*/\1/p' "$VMDIR/src.migrate") $(tail -n 3 "$VMDIR/dst.log" | tr '\n' ' ')"
		vm_stop src
		vm_stop dst
		return 1
	fi
	cp "$VMDIR/src.migrate" "$RIG_OUT/$_l.migrate"
	# new format on both sides: the destination wrote every register of the section once
	case $_m:$_sq:$_dq in
	virt-11.2:patched:patched)
		_num=$(sed -n 's/.*kvm_arm_idregs_load_end path [a-z-]*, \([0-9]*\) registers, ok 1.*/\1/p' \
			"$VMDIR/dst.trace" | head -n 1)
		_sets=$(grep -c 'kvm_arm_idregs_set ' "$VMDIR/dst.trace")
		check "$_l: destination loaded the kvm-arm-idregs section and wrote each of its ${_num:-?} registers once ($_sets writes)" \
			test -n "$_num" -a "${_num:-0}" -ge 56 -a "$_sets" = "${_num:-x}"
		if [ -n "${LOW_FW:-}" ]; then
			_fw=$(vm_fwregs dst | sed -n 's/^VENDOR_HYP_BMAP //p')
			check "$_l: firmware register VENDOR_HYP_BMAP is the source's $LOW_FW (host default $DEF_FW; destination has ${_fw:-nothing})" \
				test "$_fw" = "$LOW_FW"
		fi
		;;
	esac
	say "$_l: total $(migrate_stat src total-time) ms, downtime $(migrate_stat src downtime) ms, $(migrate_stat src transferred) bytes"
	_st=$(vm_status dst)
	check "$_l: destination running after migration" test "$_st" = running
	_seq=$(guest_hb src)
	if guest_wait_hb dst "${_seq:-0}" 20; then
		pass "$_l: heartbeat continues on the destination (src last ${_seq:-none}, dst $(guest_hb dst), cpus $(guest_cpus dst))"
	else
		fail "$_l: heartbeat continues on the destination" "src last ${_seq:-none}, dst: $(tail -n 2 "$VMDIR/dst.serial" | tr '\n' '|')"
	fi
	if guest_all_alive dst "$_smp" 10; then
		pass "$_l: all $_smp vCPUs advance on the destination (counters $_c0 -> $_c1)"
	else
		fail "$_l: all $_smp vCPUs advance on the destination" "counters $_c0 -> ${_c1:-none} within 10 s: $(grep -a '^HB ' "$VMDIR/dst.serial" | tail -n 4 | tr '\n\r' '| ')"
	fi
	# the guest re-dumps its registers every 8 heartbeats (4 s)
	if guest_wait_dump dst 20; then
		check_values "$_l" dst
		guest_regs dst >"$RIG_OUT/$_l.regs-after"
		if cmp -s "$RIG_OUT/$_l.regs-before" "$RIG_OUT/$_l.regs-after"; then
			pass "$_l: guest-visible ID registers identical after migration ($(wc -l <"$RIG_OUT/$_l.regs-after") registers)"
		else
			fail "$_l: guest-visible ID registers identical after migration" "$(diff "$RIG_OUT/$_l.regs-before" "$RIG_OUT/$_l.regs-after" | grep '^[-+][A-Z]' | head -n 4 | tr '\n' ' ')"
		fi
	else
		fail "$_l: destination guest re-dumps its ID registers"
	fi
	vm_hmp dst "info migrate" >"$RIG_OUT/$_l.info-migrate-dst" 2>&1
	# AFTER_MIG: a check of the running destination (e.g. reset_check), before it stops
	[ -z "${AFTER_MIG:-}" ] || $AFTER_MIG "$_l" dst "$_smp"
	vm_stop src
	vm_stop dst
	return 0
}

# reset_check LABEL NAME SMP: a system_reset of NAME (a migration's destination) reboots its
# guest, which comes up with all SMP vCPUs and still sees the values the migration brought
# (check_values; the firmware register too where src_boot lowered it). KVM keeps the ID
# registers per VM across vCPU resets; QEMU must not put its own or the host's back.
reset_check() {
	# (not anchored: the reset can cut the guest mid-line, and the new boot's banner then
	# follows the old line's start)
	_boots=$(grep -a -c 'IDREGS-GUEST ' "$VMDIR/$2.serial")
	if ! vm_qmp "$2" system_reset >/dev/null; then
		fail "$1: system_reset of the destination" "$(vm_qmp "$2" system_reset 2>&1 | head -n 2)"
		return 1
	fi
	# wait for a heartbeat with all vCPUs after a new boot banner, and a register dump
	# between the two
	_end=$(deadline 30) _up=no
	while [ "$(now_ms)" -lt "$_end" ]; do
		tr -d '\r' <"$VMDIR/$2.serial" | awk -v boots="$_boots" -v smp="$3" '
			/IDREGS-GUEST / { b++; dump = 0; hb = 0 }
			b > boots && /^END-REGS / { dump = 1 }
			b > boots && dump && $1 == "HB" && $0 ~ ("cpus=" smp "/" smp " ") { hb = 1 }
			END { exit !(b > boots && hb) }' && { _up=yes; break; }
		sleep 0.2
	done
	if [ $_up = no ]; then
		fail "$1: guest reboots after system_reset" "$(tail -n 3 "$VMDIR/$2.serial" | tr '\n\r' '| ')"
		cp "$VMDIR/$2.serial" "$RIG_OUT/$(echo "$1" | tr -c 'A-Za-z0-9.\n-' _).reset.serial"
		return 1
	fi
	pass "$1: guest rebooted after system_reset (a new boot banner and register dump, then a heartbeat with $(guest_cpus "$2") vCPUs)"
	check_values "$1 after reset" "$2"
	if [ -n "${LOW_FW:-}" ]; then
		_fw=$(vm_fwregs "$2" | sed -n 's/^VENDOR_HYP_BMAP //p')
		check "$1 after reset: VENDOR_HYP_BMAP still the source's $LOW_FW (host default $DEF_FW; has ${_fw:-nothing})" \
			test "$_fw" = "$LOW_FW"
	fi
	return 0
}

# source_survives LABEL NAME: after a refused migration, NAME runs and its guest heartbeats
source_survives() {
	_s0=$(guest_hb "$2")
	check "$1: source running (status $(vm_status "$2"))" test "$(vm_status "$2")" = running
	if guest_wait_hb "$2" "${_s0:-0}" 5; then pass "$1: source guest heartbeats"; else fail "$1: source guest heartbeats"; fi
}

# matrix_cell ID TIER: whether a matrix cell of TIER runs in this RIG_TIER (check runs the
# cells marked check, full runs all); counts the cells that run in $cells
cells=0
matrix_cell() {
	[ "$RIG_TIER" = full ] || [ "$2" = check ] || return 1
	cells=$((cells + 1))
}

# unknown_machine_test LABEL DST_QEMU MACHINE SMP: a guest runs on the patched QEMU with
# MACHINE; DST_QEMU, which does not know MACHINE, must refuse to start as the destination
# (exit 1, 'unsupported machine type'), and the source must keep running and heartbeating
unknown_machine_test() {
	_l=$1 _dq=$2 _m=$3 _smp=$4
	if guest_boot src patched "$_m" "$_smp"; then
		vm_start dst "$_dq" "$_m" "$_smp" -incoming defer
		_st=$(vm_wait_exit dst 10)
		if [ "$_st" = 1 ] && grep -q "unsupported machine type: \"$_m\"" "$VMDIR/dst.log"; then
			pass "$_l: $_dq exits 1 with 'unsupported machine type: \"$_m\"'"
		else
			fail "$_l: $_dq refuses the machine type" "status $_st: $(head -n 2 "$VMDIR/dst.log" | tr '\n' ' ')"
		fi
		source_survives "$_l" src
	else
		fail "$_l: source guest boots"
	fi
	vm_stop src
	vm_stop dst
}

# vm_save_file NAME FILE: stop the VM and save it to FILE (migration to a file); 0 when the
# migration completed within 30 s
vm_save_file() {
	vm_qmp "$1" stop >/dev/null && vm_qmp "$1" migrate "{\"uri\": \"file:$2\"}" >/dev/null ||
		return 1
	_end=$(deadline 30)
	while [ "$(now_ms)" -lt "$_end" ]; do
		case $(mig_status "$1") in
		completed) return 0 ;;
		failed | cancelled) return 1 ;;
		esac
		sleep 0.1
	done
	return 1
}

# --- CPU models: the host model's SYSREG_ properties and kvm-psci-version -----------------
# (QEMU series: "Let -cpu host set ID register fields", "Compare and baseline the host CPU
# model under KVM"). QMP replies are single lines; these helpers pick them apart with sed.

# host_expansion NAME FILE: the full expansion of this host's host model in FILE, from a
# patched QEMU that runs no guest, and the properties' descriptions in FILE.props (register,
# bits, writability)
host_expansion() {
	vm_start "$1" patched virt-11.2 1 -S || return 1
	vm_qmp "$1" query-cpu-model-expansion '{"type": "full", "model": {"name": "host"}}' >"$2" 2>&1
	vm_qmp "$1" device-list-properties '{"typename": "host-arm-cpu"}' >"$2.props" 2>&1
	vm_stop "$1"
	grep -q '"SYSREG_' "$2"
}

# model_of FILE: the CpuModelInfo (host) a QMP reply's props describe, with only the
# properties that decide where a VM can run (SYSREG_*, kvm-psci-version)
model_of() {
	_mp=$(sed 's/.*"props": {\([^}]*\)}.*/\1/' "$1" | tr ',' '\n' |
		grep -E '^ *"(SYSREG_[A-Z0-9_]*|kvm-psci-version)": ' | sed 's/^ *//' | paste -s -d, -)
	echo "{\"name\": \"host\", \"props\": {$_mp}}"
}

# cmdline_props FILE: the SYSREG_ and kvm-psci-version props of a QMP reply as a -cpu
# property list "k=v,k=v"
cmdline_props() {
	sed 's/.*"props": {\([^}]*\)}.*/\1/' "$1" | tr ',' '\n' |
		sed -n 's/^ *"\(SYSREG_[A-Z0-9_]*\|kvm-psci-version\)": "\{0,1\}\([^"]*\)"\{0,1\} *$/\1=\2/p' |
		paste -s -d, -
}

# prop_value FILE NAME: a property's value in a QMP reply ("1.3" for kvm-psci-version)
prop_value() { sed -n "s/.*\"$2\": \"\{0,1\}\([0-9.]*\)\"\{0,1\}[,}].*/\1/p" "$1"; }

# nv_masked FILE: a register dump (NAME 0xVALUE lines) with ID_AA64MMFR2_EL1.NV (bits 27:24,
# the 7th hex digit from the right) blanked; nv_of FILE: that digit alone. NV is KVM's own for
# a VM without EL2 (the rig's VMs; QEMU series patch 20): 6.12 shows the host's, 7.2 hides it
nv_masked() { awk '$1 == "ID_AA64MMFR2_EL1" { $2 = substr($2, 1, 11) "x" substr($2, 13) } { print }' "$1"; }
nv_of() { awk '$1 == "ID_AA64MMFR2_EL1" { print substr($2, 12, 1) }' "$1"; }

# vm_idregs NAME: the ID registers KVM holds for NAME's VM, "NAME 0xVALUE" a line
vm_idregs() { vm_qmp "$1" x-query-arm-idregs | sed 's/\\n/\n/g' | awk '$2 ~ /^0x/ { print $1, $2 }'; }

# field_in_regs REGS PROPS PROP: the value of PROP's field in a register list REGS ("NAME
# 0xVALUE" lines), the register and bits taken from PROP's description in PROPS
# ("REG[hi:lo], ..."; host_expansion's FILE.props)
field_in_regs() {
	_fd=$(sed 's/}, {/\n/g' "$2" | grep "\"name\": \"$3\"" |
		sed -n 's/.*"description": "\([A-Z0-9_]*\)\[\([0-9]*\):\([0-9]*\)\].*/\1 \2 \3/p')
	[ -n "$_fd" ] || return 1
	echo "$_fd" | awk -v regs="$1" '{
		r = $1; hi = $2; lo = $3
		while ((getline l < regs) > 0) {
			split(l, x, " ")
			if (x[1] != r) continue
			h = tolower(substr(x[2], 3)); while (length(h) < 16) h = "0" h
			b = ""
			for (i = 1; i <= 16; i++) {
				d = index("0123456789abcdef", substr(h, i, 1)) - 1
				b = b int(d / 8) % 2 int(d / 4) % 2 int(d / 2) % 2 d % 2
			}
			f = substr(b, 64 - hi, hi - lo + 1); v = 0
			for (i = 1; i <= length(f); i++) v = v * 2 + substr(f, i, 1)
			print v; exit
		}
	}'
}
