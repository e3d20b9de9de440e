#!/bin/sh
# Host 2 of the libvirt scenario (tests/libvirt/run boots it next to host 1, which runs
# tests/libvirt/migrate.sh): libvirtd listening on the link, until host 1 says it is done.
# rig: tier=none
# rig: timeout=1500
# rig: peers=libvirt,deb111
. /rig/lib.sh
. /tests/libvirt/lib.sh

if lv_setup; then
	pass "host 2 ($RIG_KERNEL): libvirtd $(virsh -c qemu:///system version 2>/dev/null | sed -n 's/.*libvirt \([0-9.]*\).*/\1/p' | head -n 1) listens on $RIG_IP"
	# host 1 defines a domain lv-done here when its scenario ends; its timeout is shorter
	# than this one's, so a host 1 that dies shows here as a FAIL, not as a kill
	_end=$(deadline 1400)
	while [ "$(now_ms)" -lt "$_end" ] && ! virsh -c qemu:///system dominfo lv-done >/dev/null 2>&1; do
		sleep 2
	done
	check "host 2: host 1's scenario ran to its end (it defined lv-done here)" \
		virsh -c qemu:///system dominfo lv-done
	virsh -c qemu:///system list --all >"$RIG_OUT/domains.txt" 2>&1
else
	fail "host 2 ($RIG_KERNEL): libvirtd starts and listens on $RIG_IP"
fi
lv_collect
lv_teardown
