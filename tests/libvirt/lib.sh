# libvirt on the rig's L1 hosts: Debian's libvirtd and virsh (scripts/libvirt.sh, "# rig:
# peers=libvirt"), two L1 hosts on one link (rig/run --net; tests/libvirt/run boots them).
# Host 1 (192.168.77.1) runs the scenario and drives both hosts with virsh; host 2
# (192.168.77.2) runs libvirtd until host 1 says it is done. Sourced after /rig/lib.sh.
#
# The guest's serial console is a TCP connection to host 1 (LV_SERIAL_PORT), where every
# connection is appended to $VMDIR/NAME.serial: one log per domain wherever it runs, read
# with rig/lib.sh's guest_* helpers.
# (not a scenario:)
# rig: tier=none

LV=/tmp/lv
LV_H1=192.168.77.1 LV_H2=192.168.77.2
LV_URI1=qemu+tcp://$LV_H1/system LV_URI2=qemu+tcp://$LV_H2/system
LV_SERIAL_PORT=5000
mkdir -p "$LV"

# lv_setup: configure and start libvirtd (listening on TCP), wait until virsh reaches it
lv_setup() {
	# /var/run is /run on Debian: libvirtd and virsh do not agree on the socket otherwise
	mkdir -p /var /run
	[ -L /var/run ] || { rm -rf /var/run && ln -s /run /var/run; }
	mkdir -p /etc/libvirt /var/lib/libvirt/qemu /var/log/libvirt/qemu /var/cache/libvirt/qemu \
		/run/libvirt /usr/bin
	# libvirt resolves its built-in QEMU user and group before it reads qemu.conf (which
	# makes QEMU run as root here), so both must exist
	grep -q '^root:' /etc/passwd 2>/dev/null || echo 'root:x:0:0:root:/root:/bin/sh' >>/etc/passwd
	grep -q '^libvirt-qemu:' /etc/passwd || echo 'libvirt-qemu:x:64055:64055::/var/lib/libvirt:/bin/false' >>/etc/passwd
	grep -q '^root:' /etc/group 2>/dev/null || echo 'root:x:0:' >>/etc/group
	grep -q '^libvirt-qemu:' /etc/group || echo 'libvirt-qemu:x:64055:' >>/etc/group
	grep -q '^kvm:' /etc/group || echo 'kvm:x:64056:' >>/etc/group
	cp /tests/libvirt/libvirtd.conf /etc/libvirt/libvirtd.conf
	sed "s/@IP@/$RIG_IP/" /tests/libvirt/qemu.conf >/etc/libvirt/qemu.conf
	# libvirt's capabilities list a guest architecture only for an emulator it finds by name
	ln -sf "$(qemu_bin patched)" /usr/bin/qemu-system-aarch64
	hostname "host${RIG_IP##*.}"
	say "$(cat /opt/libvirt/build-info | tr '\n' ' ')"
	/usr/sbin/libvirtd --listen >"$LV/libvirtd.out" 2>&1 &
	echo $! >"$LV/libvirtd.pid"
	_end=$(deadline 120)
	while [ "$(now_ms)" -lt "$_end" ]; do
		virsh -c qemu:///system version >"$LV/version" 2>&1 && return 0
		kill -0 "$(cat "$LV/libvirtd.pid")" 2>/dev/null || break
		sleep 1
	done
	say "libvirtd: $(tail -n 3 "$LV/libvirtd.out" "$LV/version" | tr '\n' ' ')"
	say "libvirtd's log: $(grep -E ' (error|warning) : ' "$LV/libvirtd.log" 2>/dev/null | tail -n 3 | cut -c 30-250 | tr '\n' ' ')"
	return 1
}

# lv_wait_peer URI SECONDS: wait until the libvirtd at URI answers
lv_wait_peer() {
	_end=$(deadline "$2")
	while [ "$(now_ms)" -lt "$_end" ]; do
		virsh -c "$1" version >/dev/null 2>&1 && return 0
		sleep 2
	done
	return 1
}

# lv_serial_server: accept the guests' serial connections on host 1; a connection's bytes
# are appended to $VMDIR/<domain>.serial, the domain named in $LV/current (one at a time)
lv_serial_server() {
	cat >"$LV/serial-sink" <<EOS
#!/bin/sh
exec cat >>"$VMDIR/\$(cat $LV/current)".serial
EOS
	chmod +x "$LV/serial-sink"
	# (its output not on the scenario's: init waits for whatever holds that)
	nc -ll -p "$LV_SERIAL_PORT" -e "$LV/serial-sink" </dev/null >"$LV/serial-server.out" 2>&1 &
	echo $! >"$LV/serial-server.pid"
}

# lv_teardown: stop the domains' QEMUs, libvirtd and the serial server
lv_teardown() {
	for _p in libvirtd serial-server; do
		[ -f "$LV/$_p.pid" ] && kill "$(cat "$LV/$_p.pid")" 2>/dev/null
	done
	killall -q qemu-system-aarch64 2>/dev/null
	true
}

# lv_domain NAME MACHINE [EMULATOR] [-global arguments...]: a domain's XML: the idregs guest
# on KVM, host-passthrough, 2 vCPUs, the serial console on host 1, extra QEMU arguments
# (libvirt's qemu:commandline) for what libvirt has no XML for (the series' SYSREG_
# properties)
lv_domain() {
	_dn=$1 _dm=$2 _de=${3:-$(qemu_bin patched)}
	shift 3 2>/dev/null || shift $#
	cat <<EOX
<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>$_dn</name>
  <memory unit='MiB'>64</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='aarch64' machine='$_dm'>hvm</type>
    <kernel>$GUEST</kernel>
  </os>
  <features><gic version='3'/></features>
  <cpu mode='host-passthrough' check='none'/>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$_de</emulator>
    <serial type='tcp'>
      <source mode='connect' host='$LV_H1' service='$LV_SERIAL_PORT'/>
      <protocol type='raw'/>
    </serial>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
EOX
	if [ $# -gt 0 ]; then
		echo "  <qemu:commandline>"
		for _a in "$@"; do echo "    <qemu:arg value='$_a'/>"; done
		echo "  </qemu:commandline>"
	fi
	echo "</domain>"
}

# lv_plain_xml URI NAME FILE: NAME's migratable XML at URI without its qemu:commandline (the
# destination then starts from its own host's defaults: a value the guest keeps came with
# the migration stream)
lv_plain_xml() {
	virsh -c "$1" dumpxml --migratable "$2" |
		awk '/<qemu:commandline>/ { skip = 1 } !skip { print } /<\/qemu:commandline>/ { skip = 0 }' >"$3"
	grep -q '<domain' "$3" && ! grep -q 'qemu:arg' "$3"
}

# lv_state URI NAME: the domain's state ("running", "shut off", ...) or "none"
lv_state() {
	_st=$(virsh -c "$1" domstate "$2" 2>/dev/null | grep . | head -n 1)
	echo "${_st:-none}"
}

# lv_qmp URI NAME COMMAND [ARGUMENTS-JSON]: a QMP command to NAME's QEMU through libvirt,
# the reply spaced as QEMU spaces it (libvirt prints it compact), for rig/lib.sh's parsers
lv_qmp() {
	if [ -n "${4:-}" ]; then
		virsh -c "$1" qemu-monitor-command "$2" "{\"execute\": \"$3\", \"arguments\": $4}"
	else
		virsh -c "$1" qemu-monitor-command "$2" "{\"execute\": \"$3\"}"
	fi | sed 's/":/": /g; s/,"/, "/g; s/},{/}, {/g'
}

# lv_expansion URI NAME FILE: the host model's full expansion on NAME's host (FILE) and the
# properties' descriptions (FILE.props), as rig/lib.sh's host_expansion leaves them
lv_expansion() {
	lv_qmp "$1" "$2" query-cpu-model-expansion '{"type": "full", "model": {"name": "host"}}' >"$3" 2>&1
	lv_qmp "$1" "$2" device-list-properties '{"typename": "host-arm-cpu"}' >"$3.props" 2>&1
	grep -q '"SYSREG_' "$3"
}

# lv_collect: the daemon's and the domains' logs into $RIG_OUT
lv_collect() {
	mkdir -p "$RIG_OUT/libvirt"
	cp "$LV"/libvirtd.log "$LV"/libvirtd.out /var/log/libvirt/qemu/*.log "$RIG_OUT/libvirt/" 2>/dev/null
	cp "$VMDIR"/*.serial "$RIG_OUT/libvirt/" 2>/dev/null
	true
}
