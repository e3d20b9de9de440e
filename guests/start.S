/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points and exception vectors.
 *
 * CPU0 comes in at _start, from QEMU's ELF loader: EL1, MMU off.
 * Secondaries come in at secondary_entry via PSCI CPU_ON, also at EL1
 * with the MMU off, with their CPU index (our context_id) in x0.
 */
#include "guest.h"

	.section .text.boot, "ax"
	.globl	_start
_start:
	msr	daifset, #0xf		// no interrupts are ever taken
	msr	spsel, #1

	/* Zero .bss (per-CPU state, flags) before anything reads it. */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:
	mov	x0, #0
	bl	cpu_setup
	bl	cpu0_main
	b	park

	.text
	.globl	secondary_entry
secondary_entry:
	msr	daifset, #0xf
	msr	spsel, #1
	cbz	x0, park		// index 0 is CPU0's
	cmp	x0, #MAX_CPUS
	b.hs	park
	mov	x19, x0
	bl	cpu_setup
	mov	x0, x19
	bl	secondary_main
	b	park

/*
 * x0 = CPU index.  Record it in TPIDR_EL1 (the exception path needs to
 * know who it is), install the vectors, and switch to this CPU's stack.
 * Clobbers x1-x3; must be called before anything uses the stack.
 */
cpu_setup:
	msr	tpidr_el1, x0
	adrp	x1, vectors
	add	x1, x1, :lo12:vectors
	msr	vbar_el1, x1
	adrp	x1, stacks
	add	x1, x1, :lo12:stacks
	add	x2, x0, #1
	mov	x3, #STACK_SIZE
	madd	x1, x2, x3, x1		// top of stacks[x0]
	mov	sp, x1
	isb
	ret

/*
 * Stop this CPU for good: stop its timer so nothing stays pending, then
 * sleep.  WFI may return spuriously, hence the loop.
 */
	.globl	park
park:
	msr	daifset, #0xf
	msr	cntv_ctl_el0, xzr
	isb
1:	wfi
	b	1b

/*
 * Nothing is expected here: with PSTATE.DAIF all set only synchronous
 * exceptions (a fault, or an UNDEF from an ID register we should not
 * have read) can arrive.  Report it (see exception() in main.c) and
 * park.  The old SP is not trusted, so take a fresh stack.
 */
	.balign	2048
vectors:
	.irp	vec, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign	0x80
	mov	x0, #\vec
	b	exc_common
	.endr

exc_common:
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	mrs	x4, tpidr_el1
	cmp	x4, #MAX_CPUS
	b.hs	park
	adrp	x5, stacks
	add	x5, x5, :lo12:stacks
	add	x4, x4, #1
	mov	x6, #STACK_SIZE
	madd	x5, x4, x6, x5
	mov	sp, x5
	bl	exception
	b	park

	.section .stacks, "aw", %nobits
	.balign	16
stacks:
	.space	MAX_CPUS * STACK_SIZE
