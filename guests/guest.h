/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared definitions for the bare-metal ID-register guest.
 *
 * The guest runs at EL1 with the MMU off on QEMU's "virt" board, under
 * either TCG or KVM.  With the MMU off every data access is
 * Device-nGnRnE, which has two consequences that shape this code:
 *  - no unaligned accesses (we build with -mstrict-align), and
 *  - no exclusives/atomics: CPUs talk through single-writer fields
 *    ordered with barriers.
 */
#ifndef GUEST_H
#define GUEST_H

/* Build-time knobs (see Makefile). */
#ifndef HB_MS
#define HB_MS		500	/* heartbeat period */
#endif
#if HB_MS < 10 || HB_MS > 60000
#error "HB_MS out of range"
#endif
#define MAX_CPUS	64
#define STACK_SIZE	8192	/* per CPU */
#define REDUMP_EVERY	8	/* unprompted re-dump every N heartbeats */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* QEMU virt memory map. */
#define UART_BASE	0x09000000UL
#define GICD_BASE	0x08000000UL
#define GICR_BASE	0x080A0000UL

#define MPIDR_AFF_MASK	0xff00ffffffUL

#define __stringify_1(x)	#x
#define __stringify(x)		__stringify_1(x)

#define read_sysreg(r) ({						\
	uint64_t __v;							\
	asm volatile("mrs %0, " __stringify(r) : "=r" (__v));		\
	__v;								\
})
#define write_sysreg(v, r)						\
	asm volatile("msr " __stringify(r) ", %x0" : : "rZ" ((uint64_t)(v)))

#define isb()		asm volatile("isb" : : : "memory")
#define dsb()		asm volatile("dsb sy" : : : "memory")
#define dmb()		asm volatile("dmb sy" : : : "memory")
#define wfi()		asm volatile("wfi" : : : "memory")
#define wfe()		asm volatile("wfe" : : : "memory")
#define sev()		asm volatile("sev" : : : "memory")

/* Single-copy-atomic accesses to memory shared between CPUs. */
#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/*
 * MMIO accessors.  These are inline asm rather than volatile pointer
 * dereferences so that the compiler cannot pick a writeback or
 * register-pair addressing mode: KVM can only emulate an MMIO access
 * whose ESR carries a valid syndrome (ISV=1), which rules those out.
 */
static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;

	asm volatile("ldr %w0, [%1]" : "=r" (v) : "r" (addr) : "memory");
	return v;
}

static inline uint64_t mmio_read64(uintptr_t addr)
{
	uint64_t v;

	asm volatile("ldr %0, [%1]" : "=r" (v) : "r" (addr) : "memory");
	return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	asm volatile("str %w0, [%1]" : : "rZ" (v), "r" (addr) : "memory");
}

static inline uint64_t counter_now(void)
{
	isb();		/* don't let the counter read be hoisted */
	return read_sysreg(cntvct_el0);
}

/*
 * Per-CPU state.  Every field has exactly one writer (noted), so no
 * locking is needed; readers may see a slightly stale value.
 */
struct percpu {
	uint64_t mpidr;		/* CPU0, before CPU_ON */
	uint64_t ticks;		/* owner: heartbeat count */
	uint64_t hash;		/* owner: hash of its ID-register read */
	uint64_t gen;		/* owner: re-read generation of @hash */
	uint64_t ready;		/* owner: set once @hash is valid and the
				 * timer runs */
	int64_t gic_err;	/* owner: gic_init_cpu() failure */
	uint64_t exc[4];	/* owner: vector, ESR, ELR, FAR */
	uint64_t exc_taken;	/* owner: @exc is valid */
} __attribute__((aligned(64)));

extern struct percpu cpus[MAX_CPUS];
extern uint64_t hb_period;	/* timer ticks per heartbeat; CPU0 */
extern uint64_t regen;		/* re-read request generation; CPU0 */

/* start.S */
void secondary_entry(void);

/* main.c, called from start.S */
void cpu0_main(void);
void secondary_main(unsigned int cpu);
void exception(uint64_t vec, uint64_t esr, uint64_t elr, uint64_t far);

/* uart.c: line-oriented output, only ever called on CPU0. */
void uart_init(void);
void out_str(const char *s);
void out_hex(uint64_t v);		/* "0x" + 16 digits */
void out_dec(uint64_t v);
void out_sdec(int64_t v);
void out_end(void);			/* terminate and emit the line */
void out_line(const char *s);
void out_reset(void);			/* exception path only */
unsigned int uart_drain_rx(void);

/* idregs.c */
#define NR_IDREGS	60
void read_idregs(uint64_t regs[NR_IDREGS]);
uint64_t hash_idregs(const uint64_t regs[NR_IDREGS]);
void print_idregs(const uint64_t regs[NR_IDREGS], const char *reason,
		  uint64_t seq);

/* gic.c */
#define TIMER_INTID	27	/* EL1 virtual timer PPI */
void gic_init_dist(void);
int gic_init_cpu(uint64_t mpidr);
void timer_start(void);
void timer_wait_tick(void);

#endif /* !__ASSEMBLER__ */
#endif /* GUEST_H */
