// SPDX-License-Identifier: GPL-2.0
/*
 * idregs-guest: dump the VM-scoped ID registers, check that every vCPU
 * sees the same values, then heartbeat forever so that a test can watch
 * the VM survive a live migration.  The output format is a contract,
 * documented in README.md.
 */
#include "guest.h"

#define PSCI_VERSION		0x84000000U
#define PSCI_CPU_ON_64		0xc4000003U
#define PSCI_RET_NOT_SUPPORTED	(-1)
#define PSCI_RET_INVALID_PARAMS	(-2)

#define CNTKCTL_EVNTEN		(1U << 2)
#define CNTKCTL_EVNTI(n)	((n) << 4)

#define ONLINE_TIMEOUT_S	3

struct percpu cpus[MAX_CPUS];
uint64_t hb_period;
uint64_t regen;

/* CPU0's private view of the others. */
static unsigned int nr_cpus = 1;	/* CPU0 + each successful CPU_ON */
static struct {
	uint8_t said_online;
	uint8_t said_err;
	uint64_t said_gen;		/* last REHASH generation printed */
	uint64_t seen[2];		/* ticks at the last two heartbeats */
} view[MAX_CPUS];

/*
 * PSCI through HVC: that is the conduit QEMU's virt board gives an EL1
 * guest under KVM, and under TCG whenever there is no EL2.  SMCCC 1.0
 * allows x4-x17 to be clobbered as well.
 */
static uint64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 asm("x0") = fn;
	register uint64_t x1 asm("x1") = a1;
	register uint64_t x2 asm("x2") = a2;
	register uint64_t x3 asm("x3") = a3;

	asm volatile("hvc #0"
		     : "+r" (x0), "+r" (x1), "+r" (x2), "+r" (x3)
		     :
		     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
		       "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	return x0;
}

static void say_cpu_online(unsigned int cpu, uint64_t ref)
{
	uint64_t hash;

	dmb();				/* @ready before @hash */
	hash = READ_ONCE(cpus[cpu].hash);
	out_str("CPU ");
	out_dec(cpu);
	out_str(" online hash=");
	out_hex(hash);
	out_str(hash == ref ? " match=yes" : " match=no");
	out_end();
	view[cpu].said_online = 1;
}

/*
 * Power on every other CPU.  MPIDRs are walked cluster by cluster
 * (Aff1) and CPU by CPU (Aff0) until PSCI says the MPIDR does not
 * exist: QEMU and KVM both pack up to 16 CPUs per cluster, so -smp up
 * to 16 only needs Aff0.
 */
static void start_secondaries(void)
{
	for (uint64_t aff1 = 0; aff1 < 256; aff1++) {
		for (uint64_t aff0 = 0; aff0 < 16; aff0++) {
			uint64_t mpidr = (aff1 << 8) | aff0;
			int32_t ret;

			if (mpidr == cpus[0].mpidr)
				continue;
			if (nr_cpus == MAX_CPUS) {
				out_str("ERR CPU limit ");
				out_dec(MAX_CPUS);
				out_str(" reached, leaving any others off");
				out_end();
				return;
			}

			/* The new CPU reads these; publish them first. */
			WRITE_ONCE(cpus[nr_cpus].mpidr, mpidr);
			dsb();
			ret = psci_call(PSCI_CPU_ON_64, mpidr,
					(uintptr_t)secondary_entry, nr_cpus);
			if (ret == 0) {
				nr_cpus++;
				continue;
			}
			if (ret == PSCI_RET_INVALID_PARAMS) {
				if (aff0 == 0 && aff1 > 0)
					return;		/* no such cluster */
				break;			/* end of this cluster */
			}
			out_str("ERR PSCI CPU_ON mpidr=");
			out_hex(mpidr);
			out_str(" ret=");
			out_sdec(ret);
			out_end();
			if (ret == PSCI_RET_NOT_SUPPORTED)
				return;
		}
	}
}

static int secondary_settled(unsigned int cpu)
{
	return READ_ONCE(cpus[cpu].ready) || READ_ONCE(cpus[cpu].exc_taken) ||
	       READ_ONCE(cpus[cpu].gic_err);
}

/*
 * Give the secondaries a few seconds to come up.  They SEV when ready;
 * the event stream bounds each WFE in case one never does.
 */
static void wait_secondaries(uint64_t freq)
{
	uint64_t deadline = counter_now() + ONLINE_TIMEOUT_S * freq;
	unsigned int cpu;

	/* An event every 2^16 ticks: ~1 ms at 62.5 MHz, ~66 us at 1 GHz. */
	write_sysreg(CNTKCTL_EVNTEN | CNTKCTL_EVNTI(15), cntkctl_el1);
	isb();
	for (;;) {
		for (cpu = 1; cpu < nr_cpus; cpu++)
			if (!secondary_settled(cpu))
				break;
		if (cpu == nr_cpus || counter_now() > deadline)
			break;
		wfe();
	}
	write_sysreg(0, cntkctl_el1);
	isb();
}

/*
 * Turn what the secondaries left in memory into lines: errors, late
 * arrivals and answers to re-read requests.  Each is said once.
 */
static void report_secondaries(uint64_t ref)
{
	for (unsigned int cpu = 1; cpu < nr_cpus; cpu++) {
		struct percpu *c = &cpus[cpu];
		uint64_t gen;

		if (!view[cpu].said_err && READ_ONCE(c->exc_taken)) {
			dmb();
			out_str("ERR CPU ");
			out_dec(cpu);
			out_str(" exception vec=");
			out_dec(c->exc[0]);
			out_str(" esr=");
			out_hex(c->exc[1]);
			out_str(" elr=");
			out_hex(c->exc[2]);
			out_str(" far=");
			out_hex(c->exc[3]);
			out_end();
			view[cpu].said_err = 1;
		}
		if (!view[cpu].said_err && READ_ONCE(c->gic_err)) {
			out_str("ERR CPU ");
			out_dec(cpu);
			out_str(" GIC setup failed step=");
			out_sdec(c->gic_err);
			out_end();
			view[cpu].said_err = 1;
		}
		if (!view[cpu].said_online && READ_ONCE(c->ready))
			say_cpu_online(cpu, ref);

		gen = READ_ONCE(c->gen);
		if (gen && gen == READ_ONCE(regen) && gen != view[cpu].said_gen) {
			uint64_t hash;

			dmb();			/* @gen before @hash */
			hash = READ_ONCE(c->hash);
			out_str("REHASH ");
			out_dec(cpu);
			out_str(" hash=");
			out_hex(hash);
			out_str(hash == ref ? " match=yes" : " match=no");
			out_end();
			view[cpu].said_gen = gen;
		}
	}
}

/*
 * One "HB" line.  A CPU counts as alive if its counter moved since the
 * heartbeat before last: timers on different CPUs are not in phase, so
 * comparing with only the previous heartbeat would flap under jitter.
 */
static void say_heartbeat(uint64_t seq, uint64_t hash)
{
	uint64_t ticks[MAX_CPUS];
	unsigned int cpu, alive = 0;

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		ticks[cpu] = READ_ONCE(cpus[cpu].ticks);
		if (ticks[cpu] != view[cpu].seen[1])
			alive++;
		view[cpu].seen[1] = view[cpu].seen[0];
		view[cpu].seen[0] = ticks[cpu];
	}

	out_str("HB ");
	out_dec(seq);
	out_str(" hash=");
	out_hex(hash);
	out_str(" cpus=");
	out_dec(alive);
	out_str("/");
	out_dec(nr_cpus);
	out_str(" c=");
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		if (cpu)
			out_str(",");
		out_dec(ticks[cpu]);
	}
	out_end();
}

static void __attribute__((noreturn)) heartbeat_loop(void)
{
	uint64_t regs[NR_IDREGS];

	for (;;) {
		uint64_t seq, hash;
		const char *why = 0;

		timer_wait_tick();
		seq = cpus[0].ticks + 1;
		WRITE_ONCE(cpus[0].ticks, seq);

		read_idregs(regs);
		hash = hash_idregs(regs);
		say_heartbeat(seq, hash);
		report_secondaries(hash);

		if (uart_drain_rx())
			why = "uart";
		else if (seq % REDUMP_EVERY == 0)
			why = "periodic";
		if (why) {
			print_idregs(regs, why, seq);
			/* Ask the secondaries to re-read too (REHASH lines). */
			WRITE_ONCE(regen, regen + 1);
			dsb();
		}
	}
}

void cpu0_main(void)
{
	uint64_t regs[NR_IDREGS], freq, ver;
	unsigned int el = (read_sysreg(CurrentEL) >> 2) & 3;
	int ret;

	uart_init();
	out_line("IDREGS-GUEST v1");
	if (el != 1) {
		/* e.g. virtualization=on: PSCI is then SMC, and we'd own EL2 */
		out_str("ERR booted at EL");
		out_dec(el);
		out_str(", this guest needs EL1");
		out_end();
		return;
	}

	freq = read_sysreg(cntfrq_el0);
	if (!freq) {
		out_line("ERR CNTFRQ_EL0 is 0, assuming 62500000");
		freq = 62500000;
	}
	hb_period = freq * HB_MS / 1000;
	cpus[0].mpidr = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
	ver = psci_call(PSCI_VERSION, 0, 0, 0);

	out_str("INFO el=1 cntfrq=");
	out_dec(freq);
	out_str(" hb_ms=");
	out_dec(HB_MS);
	out_str(" psci=");
	out_dec((ver >> 16) & 0xffff);
	out_str(".");
	out_dec(ver & 0xffff);
	out_str(" mpidr=");
	out_hex(cpus[0].mpidr);
	out_end();

	read_idregs(regs);
	cpus[0].hash = hash_idregs(regs);
	cpus[0].ready = 1;
	print_idregs(regs, "boot", 0);

	gic_init_dist();
	ret = gic_init_cpu(cpus[0].mpidr);
	if (ret) {
		out_str("ERR CPU 0 GIC setup failed step=");
		out_sdec(ret);
		out_end();
		return;
	}

	if ((int32_t)ver == PSCI_RET_NOT_SUPPORTED)
		out_line("ERR PSCI_VERSION not supported, no secondaries");
	else
		start_secondaries();
	wait_secondaries(freq);

	say_cpu_online(0, cpus[0].hash);
	for (unsigned int cpu = 1; cpu < nr_cpus; cpu++) {
		if (READ_ONCE(cpus[cpu].ready))
			say_cpu_online(cpu, cpus[0].hash);
		else if (!READ_ONCE(cpus[cpu].exc_taken) &&
			 !READ_ONCE(cpus[cpu].gic_err)) {
			out_str("ERR CPU ");
			out_dec(cpu);
			out_str(" not online yet");
			out_end();
		}
	}
	report_secondaries(cpus[0].hash);	/* errors, if any */
	out_str("CPUS n=");
	out_dec(nr_cpus);
	out_end();

	timer_start();
	heartbeat_loop();
}

void secondary_main(unsigned int cpu)
{
	struct percpu *me = &cpus[cpu];
	uint64_t regs[NR_IDREGS];
	int ret;

	read_idregs(regs);
	WRITE_ONCE(me->hash, hash_idregs(regs));

	ret = gic_init_cpu(read_sysreg(mpidr_el1) & MPIDR_AFF_MASK);
	if (ret) {
		WRITE_ONCE(me->gic_err, ret);
		dsb();
		sev();
		return;
	}
	timer_start();

	dmb();				/* @hash before @ready */
	WRITE_ONCE(me->ready, 1);
	dsb();
	sev();

	for (;;) {
		uint64_t want;

		timer_wait_tick();
		WRITE_ONCE(me->ticks, me->ticks + 1);

		/* CPU0 asked for a fresh read (it dumped its own). */
		want = READ_ONCE(regen);
		if (want != me->gen) {
			read_idregs(regs);
			WRITE_ONCE(me->hash, hash_idregs(regs));
			dmb();		/* @hash before @gen */
			WRITE_ONCE(me->gen, want);
		}
	}
}

/*
 * Called from the vectors on a fresh stack; the CPU parks on return.
 * CPU0 can say so itself; the others leave a note for CPU0.
 */
void exception(uint64_t vec, uint64_t esr, uint64_t elr, uint64_t far)
{
	unsigned int cpu = read_sysreg(tpidr_el1);
	struct percpu *me = &cpus[cpu];

	if (cpu == 0) {
		out_reset();
		out_str("ERR CPU 0 exception vec=");
		out_dec(vec);
		out_str(" esr=");
		out_hex(esr);
		out_str(" elr=");
		out_hex(elr);
		out_str(" far=");
		out_hex(far);
		out_end();
		return;
	}

	me->exc[0] = vec;
	me->exc[1] = esr;
	me->exc[2] = elr;
	me->exc[3] = far;
	dmb();				/* @exc before @exc_taken */
	WRITE_ONCE(me->exc_taken, 1);
	dsb();
	sev();
}
