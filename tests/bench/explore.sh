#!/bin/sh
# temporary exploration
# rig: kernels=ours
# rig: timeout=400
. /rig/lib.sh
T=/sys/kernel/tracing; mount -t tracefs tracefs $T; echo mount=$?
ls $T | tr '\n' ' '; echo
cat $T/README | grep -i -E 'arg|retval|\+u|maxactive' | head -20
echo 'p:bench/vs kvm_arm_set_reg id=+0($arg2):x64' >> $T/kprobe_events; echo "rc1=$?"
echo 'r:bench/vsr kvm_arm_set_reg id=+0($arg2):x64 ret=$retval' >> $T/kprobe_events; echo "rc2=$?"
echo 'p:bench/vmset kvm_vm_ioctl_set_one_reg id=+0($arg2):x64' >> $T/kprobe_events; echo "rc3=$?"
echo 'p:bench/vcio kvm_vcpu_ioctl cmd=$arg2:x32 id=+u0($arg3):x64' >> $T/kprobe_events; echo "rc4=$?"
cat $T/kprobe_events
cat $T/error_log | tail -5
t0=$(now_ms)
guest_boot g64 patched virt-11.0 64 && say "boot 64: $(( $(now_ms) - t0 )) ms"
t0=$(now_ms)
vm_start d64 patched virt-11.0 64 -incoming defer && say "dst start 64: $(( $(now_ms) - t0 )) ms"
echo 'id >= 0x603000000013c000 && id <= 0x603000000013c03f' > $T/events/bench/vs/filter; echo "f=$?"
echo 1 > $T/options/record-tgid 2>/dev/null; echo "tgid=$?"
echo 16384 > $T/buffer_size_kb
echo > $T/trace
echo 1 > $T/events/bench/enable
t0=$(now_ms)
migrate g64 d64 tcp:127.0.0.1:4444 && say "migr: $(( $(now_ms) - t0 )) ms"
cat $VMDIR/g64.migrate
echo 0 > $T/events/bench/enable
t0=$(now_ms)
cat $T/trace > /tmp/k.trace
say "cat trace: $(( $(now_ms) - t0 )) ms, $(wc -l < /tmp/k.trace) lines"
head -n 20 /tmp/k.trace
grep -c 'vs:' /tmp/k.trace; grep -c 'vsr:' /tmp/k.trace; grep -c vmset: /tmp/k.trace; grep -c vcio: /tmp/k.trace
grep vsr: /tmp/k.trace | head -3
cat $T/kprobe_profile
vm_stop g64; vm_stop d64
t0=$(now_ms)
guest_boot b64 base virt-10.2 64 && say "base boot 64: $(( $(now_ms) - t0 )) ms"
vm_start e64 base virt-10.2 64 -incoming defer
echo > $T/trace
echo 1 > $T/events/bench/enable
t0=$(now_ms)
migrate b64 e64 tcp:127.0.0.1:4444 && say "migr base: $(( $(now_ms) - t0 )) ms"
cat $VMDIR/b64.migrate
echo 0 > $T/events/bench/enable
cat $T/trace > /tmp/k2.trace
say "$(wc -l < /tmp/k2.trace) lines"
cat $T/kprobe_profile
grep -c 'vs:' /tmp/k2.trace; grep -c 'vsr:' /tmp/k2.trace;grep -c vcio: /tmp/k2.trace
cp /tmp/k.trace /tmp/k2.trace $RIG_OUT/
