// SPDX-License-Identifier: GPL-2.0
/*
 * GICv3 and EL1 virtual timer: just enough to let each CPU sleep in WFI
 * until its own heartbeat.
 *
 * Interrupts stay masked in PSTATE.  WFI still wakes up when an
 * interrupt is pending at the CPU interface (that is true of hardware,
 * of KVM's WFI emulation and of TCG), and we then acknowledge it by
 * hand.  That saves us an IRQ vector, and keeps everything the guest
 * does on the one code path we can read top to bottom.
 */
#include "guest.h"

#define GICD_CTLR		0x0000
#define  GICD_CTLR_RWP		(1U << 31)
#define  GICD_CTLR_ARE		(1U << 4)	/* ARE_NS; ARE if DS=1 */
#define  GICD_CTLR_ENGRP1	(1U << 1)	/* EnableGrp1NS; Grp1 if DS=1 */

/* Each redistributor is an RD_base frame followed by an SGI_base frame. */
#define GICR_STRIDE		0x20000
#define GICR_MAX		123	/* virt's region below the UART */
#define GICR_TYPER		0x0008
#define  GICR_TYPER_LAST	(1U << 4)
#define GICR_WAKER		0x0014
#define  GICR_WAKER_PS		(1U << 1)	/* ProcessorSleep */
#define  GICR_WAKER_CA		(1U << 2)	/* ChildrenAsleep */
#define GICR_SGI		0x10000
#define GICR_IGROUPR0		(GICR_SGI + 0x0080)
#define GICR_ISENABLER0		(GICR_SGI + 0x0100)
#define GICR_IPRIORITYR(n)	(GICR_SGI + 0x0400 + ((n) & ~3U))

#define ICC_SRE_EL1		S3_0_C12_C12_5
#define ICC_PMR_EL1		S3_0_C4_C6_0
#define ICC_IAR1_EL1		S3_0_C12_C12_0
#define ICC_EOIR1_EL1		S3_0_C12_C12_1
#define ICC_BPR1_EL1		S3_0_C12_C12_3
#define ICC_CTLR_EL1		S3_0_C12_C12_4
#define ICC_IGRPEN1_EL1		S3_0_C12_C12_7

#define CNTV_CTL_ENABLE		(1U << 0)
#define CNTV_CTL_ISTATUS	(1U << 2)

#define TIMER_PRIO		0x80

/* Wait for (reg & mask) == val; give up after ~100 ms of counter time. */
static int poll32(uintptr_t reg, uint32_t mask, uint32_t val)
{
	uint64_t freq = read_sysreg(cntfrq_el0) ? : 62500000;
	uint64_t deadline = counter_now() + freq / 10;

	while ((mmio_read32(reg) & mask) != val)
		if (counter_now() > deadline)
			return -1;
	return 0;
}

/* CPU0, once, before any secondary touches its redistributor. */
void gic_init_dist(void)
{
	/*
	 * Affinity routing and Group 1.  With a single security state
	 * (QEMU virt without secure=on, and KVM) the same bits mean ARE
	 * and EnableGrp1.  ARE goes first: changing it with a group
	 * enabled is UNPREDICTABLE.
	 */
	mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE);
	poll32(GICD_BASE + GICD_CTLR, GICD_CTLR_RWP, 0);
	mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENGRP1);
	poll32(GICD_BASE + GICD_CTLR, GICD_CTLR_RWP, 0);
}

/*
 * Redistributors are matched by affinity rather than assumed to be in
 * CPU-number order, so nothing depends on how MPIDRs were assigned.
 */
static uintptr_t find_redist(uint64_t mpidr)
{
	uint64_t aff = ((mpidr >> 8) & 0xff000000) | (mpidr & 0xffffff);

	for (unsigned int i = 0; i < GICR_MAX; i++) {
		uintptr_t rd = GICR_BASE + i * GICR_STRIDE;
		uint64_t typer = mmio_read64(rd + GICR_TYPER);

		if ((typer >> 32) == aff)
			return rd;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	return 0;
}

/*
 * Every CPU, for itself: route the virtual timer PPI to this CPU's
 * interface as a Group 1 interrupt.  Returns 0, or a negative step
 * number for the ERR report.
 */
int gic_init_cpu(uint64_t mpidr)
{
	uintptr_t rd = find_redist(mpidr);
	uint32_t v;

	if (!rd)
		return -1;

	/* Wake the redistributor (KVM: RAZ/WI, so this is a no-op). */
	v = mmio_read32(rd + GICR_WAKER);
	mmio_write32(rd + GICR_WAKER, v & ~GICR_WAKER_PS);
	if (poll32(rd + GICR_WAKER, GICR_WAKER_CA, 0))
		return -2;

	/*
	 * Group 1: with a single security state Group 0 is signalled as
	 * FIQ and is not acknowledged through ICC_IAR1_EL1.
	 */
	v = mmio_read32(rd + GICR_IGROUPR0);
	mmio_write32(rd + GICR_IGROUPR0, v | (1U << TIMER_INTID));

	v = mmio_read32(rd + GICR_IPRIORITYR(TIMER_INTID));
	v &= ~(0xffU << (8 * (TIMER_INTID % 4)));
	v |= TIMER_PRIO << (8 * (TIMER_INTID % 4));
	mmio_write32(rd + GICR_IPRIORITYR(TIMER_INTID), v);

	mmio_write32(rd + GICR_ISENABLER0, 1U << TIMER_INTID);

	/* CPU interface: system-register access (RAO/WI on KVM and TCG). */
	write_sysreg(read_sysreg(ICC_SRE_EL1) | 1, ICC_SRE_EL1);
	isb();
	if (!(read_sysreg(ICC_SRE_EL1) & 1))
		return -3;

	write_sysreg(0xff, ICC_PMR_EL1);	/* let every priority through */
	write_sysreg(0, ICC_BPR1_EL1);
	write_sysreg(0, ICC_CTLR_EL1);		/* EOImode=0: EOI deactivates */
	write_sysreg(1, ICC_IGRPEN1_EL1);
	isb();
	return 0;
}

void timer_start(void)
{
	write_sysreg(counter_now() + READ_ONCE(hb_period), cntv_cval_el0);
	write_sysreg(CNTV_CTL_ENABLE, cntv_ctl_el0);
	isb();
}

/*
 * Sleep until this CPU's next heartbeat.
 *
 * The next deadline is the previous one plus a period, so heartbeats do
 * not drift; if we are already past it (the VM was paused, e.g. for
 * migration, or we spent long printing) we skip ahead instead of
 * firing a burst of catch-up ticks.
 */
void timer_wait_tick(void)
{
	for (;;) {
		uint64_t intid, fired = 0;

		wfi();
		intid = read_sysreg(ICC_IAR1_EL1) & 0xffffff;
		if (intid >= 1020)	/* spurious: went away, or not ours */
			continue;

		/* Only a real expiry counts, not a stale pending state. */
		if (intid == TIMER_INTID)
			fired = read_sysreg(cntv_ctl_el0) & CNTV_CTL_ISTATUS;
		if (fired) {
			uint64_t period = READ_ONCE(hb_period);
			uint64_t next = read_sysreg(cntv_cval_el0) + period;
			uint64_t now = counter_now();

			if (next <= now)
				next = now + period;
			/* Moving CVAL ahead drops the level-triggered line. */
			write_sysreg(next, cntv_cval_el0);
			isb();
		}
		write_sysreg(intid, ICC_EOIR1_EL1);
		isb();
		if (fired)
			return;
	}
}
