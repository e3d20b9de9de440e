#!/bin/sh
# temporary exploration
# rig: kernels=ours
# rig: timeout=400
. /rig/lib.sh
T=/sys/kernel/tracing; mount -t tracefs tracefs $T
P='(id >= 0x603000000013c008 && id <= 0x603000000013c03f) || id == 0x603000000013c000 || id == 0x603000000013c006 || id == 0x603000000013c807 || id == 0x603000000013d801'
for f in get set; do
echo "p:bench/v$f kvm_arm_${f}_reg id=+0(\$arg2):x64" >> $T/kprobe_events || echo FAILp
echo "r64:bench/v${f}r kvm_arm_${f}_reg id=+0(\$arg2):x64 ret=\$retval" >> $T/kprobe_events || echo FAILr
echo "p:bench/m$f kvm_vm_ioctl_${f}_one_reg id=+0(\$arg2):x64" >> $T/kprobe_events || echo FAILm
echo "r:bench/m${f}r kvm_vm_ioctl_${f}_one_reg id=+0(\$arg2):x64 ret=\$retval" >> $T/kprobe_events || echo FAILm
done
cat $T/error_log
echo 1 > $T/options/record-tgid
echo 8192 > $T/buffer_size_kb
hist() { awk '/bench/ { split($0,a,"("); t=$0; sub(/.*\( */,"",t); sub(/\).*/,"",t); ev=$0; sub(/.*: /,"",ev); sub(/:.*/,"",ev); id=$0; sub(/.*id=/,"",id); sub(/ .*/,"",id);
  c=substr(id,1,14); key=t" "ev" "c; n[key]++ } END { for (k in n) print k, n[k] }' "$1" | sort; }
one() { # label q m smp filter
	guest_boot s $2 $3 $4 $6
	vm_start d $2 $3 $4 -incoming defer $6; vm_status d
	echo > $T/trace
	if [ "$5" = probe ]; then echo 1 > $T/events/bench/enable; fi
	say "$1: src $(cat $VMDIR/s.pid) dst $(cat $VMDIR/d.pid)"
	t0=$(now_ms)
	migrate s d tcp:127.0.0.1:4444
	vm_status d >/dev/null
	echo 0 > $T/events/bench/enable
	say "$1 $5: $(( $(now_ms) - t0 )) ms: $(sed 's/.*"downtime": \([0-9]*\).*"total-time": \([0-9]*\).*/down \1 total \2/' $VMDIR/s.migrate)"
	cat $T/trace > $RIG_OUT/$1.$5.trace
	[ "$5" = probe ] && hist $RIG_OUT/$1.$5.trace
	cat $T/kprobe_profile
	vm_stop s; vm_stop d
}
one p4 patched virt-11.0 4 probe
one b4 base virt-10.2 4 probe
one c4 patched virt-11.0 4 probe "-global kvm-arm-idregs.x-idregs-vm-ioctl=off"
echo "$P" > $T/events/bench/vget/filter
echo "$P" > $T/events/bench/vset/filter
echo "$P" > $T/events/bench/vgetr/filter
echo "$P" > $T/events/bench/vsetr/filter
for i in 1 2; do
one p16 patched virt-11.0 16 clean
one p16 patched virt-11.0 16 probe
one b16 base virt-10.2 16 clean
one b16 base virt-10.2 16 probe
done
