// SPDX-License-Identifier: GPL-2.0
/*
 * The VM-scoped ID registers: the table, reading them, hashing them and
 * printing them.
 *
 * Encodings follow Linux's arch/arm64/tools/sysreg.  The whole of
 * op0=3, op1=0, CRn=0, CRm=1..7 is the architected "ID space": at EL1
 * every encoding in it reads, and the unallocated ones are RAZ, so
 * reading all 56 is safe (under KVM each read traps and returns the
 * sanitised, migratable value).
 */
#include "guest.h"

/*
 * One X(name, op1, CRn, CRm, op2) per register, in encoding order (op0
 * is always 3).  This order is the print order and the hash order, and
 * is part of the output contract: only ever append.
 */
#define IDREGS(X)						\
	X(MIDR_EL1,		0, 0, 0, 0)			\
	X(REVIDR_EL1,		0, 0, 0, 6)			\
	X(ID_PFR0_EL1,		0, 0, 1, 0)			\
	X(ID_PFR1_EL1,		0, 0, 1, 1)			\
	X(ID_DFR0_EL1,		0, 0, 1, 2)			\
	X(ID_AFR0_EL1,		0, 0, 1, 3)			\
	X(ID_MMFR0_EL1,		0, 0, 1, 4)			\
	X(ID_MMFR1_EL1,		0, 0, 1, 5)			\
	X(ID_MMFR2_EL1,		0, 0, 1, 6)			\
	X(ID_MMFR3_EL1,		0, 0, 1, 7)			\
	X(ID_ISAR0_EL1,		0, 0, 2, 0)			\
	X(ID_ISAR1_EL1,		0, 0, 2, 1)			\
	X(ID_ISAR2_EL1,		0, 0, 2, 2)			\
	X(ID_ISAR3_EL1,		0, 0, 2, 3)			\
	X(ID_ISAR4_EL1,		0, 0, 2, 4)			\
	X(ID_ISAR5_EL1,		0, 0, 2, 5)			\
	X(ID_MMFR4_EL1,		0, 0, 2, 6)			\
	X(ID_ISAR6_EL1,		0, 0, 2, 7)			\
	X(MVFR0_EL1,		0, 0, 3, 0)			\
	X(MVFR1_EL1,		0, 0, 3, 1)			\
	X(MVFR2_EL1,		0, 0, 3, 2)			\
	X(ID_UNALLOC_3_3,	0, 0, 3, 3)			\
	X(ID_PFR2_EL1,		0, 0, 3, 4)			\
	X(ID_DFR1_EL1,		0, 0, 3, 5)			\
	X(ID_MMFR5_EL1,		0, 0, 3, 6)			\
	X(ID_UNALLOC_3_7,	0, 0, 3, 7)			\
	X(ID_AA64PFR0_EL1,	0, 0, 4, 0)			\
	X(ID_AA64PFR1_EL1,	0, 0, 4, 1)			\
	X(ID_AA64PFR2_EL1,	0, 0, 4, 2)			\
	X(ID_UNALLOC_4_3,	0, 0, 4, 3)			\
	X(ID_AA64ZFR0_EL1,	0, 0, 4, 4)			\
	X(ID_AA64SMFR0_EL1,	0, 0, 4, 5)			\
	X(ID_UNALLOC_4_6,	0, 0, 4, 6)			\
	X(ID_AA64FPFR0_EL1,	0, 0, 4, 7)			\
	X(ID_AA64DFR0_EL1,	0, 0, 5, 0)			\
	X(ID_AA64DFR1_EL1,	0, 0, 5, 1)			\
	X(ID_AA64DFR2_EL1,	0, 0, 5, 2)			\
	X(ID_UNALLOC_5_3,	0, 0, 5, 3)			\
	X(ID_AA64AFR0_EL1,	0, 0, 5, 4)			\
	X(ID_AA64AFR1_EL1,	0, 0, 5, 5)			\
	X(ID_UNALLOC_5_6,	0, 0, 5, 6)			\
	X(ID_UNALLOC_5_7,	0, 0, 5, 7)			\
	X(ID_AA64ISAR0_EL1,	0, 0, 6, 0)			\
	X(ID_AA64ISAR1_EL1,	0, 0, 6, 1)			\
	X(ID_AA64ISAR2_EL1,	0, 0, 6, 2)			\
	X(ID_AA64ISAR3_EL1,	0, 0, 6, 3)			\
	X(ID_UNALLOC_6_4,	0, 0, 6, 4)			\
	X(ID_UNALLOC_6_5,	0, 0, 6, 5)			\
	X(ID_UNALLOC_6_6,	0, 0, 6, 6)			\
	X(ID_UNALLOC_6_7,	0, 0, 6, 7)			\
	X(ID_AA64MMFR0_EL1,	0, 0, 7, 0)			\
	X(ID_AA64MMFR1_EL1,	0, 0, 7, 1)			\
	X(ID_AA64MMFR2_EL1,	0, 0, 7, 2)			\
	X(ID_AA64MMFR3_EL1,	0, 0, 7, 3)			\
	X(ID_AA64MMFR4_EL1,	0, 0, 7, 4)			\
	X(ID_UNALLOC_7_5,	0, 0, 7, 5)			\
	X(ID_UNALLOC_7_6,	0, 0, 7, 6)			\
	X(ID_UNALLOC_7_7,	0, 0, 7, 7)			\
	X(AIDR_EL1,		1, 0, 0, 7)			\
	X(CTR_EL0,		3, 0, 0, 1)

#define X_NAME(n, o1, crn, crm, o2)				\
	{ #n, "3_" #o1 "_" #crn "_" #crm "_" #o2 },
static const struct {
	const char *name;
	const char *enc;
} idreg_names[] = { IDREGS(X_NAME) };

_Static_assert(sizeof(idreg_names) / sizeof(idreg_names[0]) == NR_IDREGS,
	       "NR_IDREGS does not match the IDREGS() table");

/*
 * The generic S<op0>_<op1>_C<n>_C<m>_<op2> spelling needs no -march
 * support for the newer registers, and every mrs must be its own
 * instruction since the encoding is an immediate.
 */
#define X_READ(n, o1, crn, crm, o2)				\
	regs[i++] = read_sysreg(S3_##o1##_C##crn##_C##crm##_##o2);

void read_idregs(uint64_t regs[NR_IDREGS])
{
	unsigned int i = 0;

	IDREGS(X_READ)
}

/*
 * 64-bit FNV-1a over the registers in table order, each fed as 8 bytes
 * little-endian.  Documented in README.md; test-tcg.sh recomputes it.
 */
uint64_t hash_idregs(const uint64_t regs[NR_IDREGS])
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (unsigned int i = 0; i < NR_IDREGS; i++) {
		for (unsigned int b = 0; b < 64; b += 8) {
			h ^= (regs[i] >> b) & 0xff;
			h *= 0x100000001b3ULL;
		}
	}
	return h;
}

void print_idregs(const uint64_t regs[NR_IDREGS], const char *reason,
		  uint64_t seq)
{
	out_str("BEGIN-REGS reason=");
	out_str(reason);
	out_str(" seq=");
	out_dec(seq);
	out_end();

	for (unsigned int i = 0; i < NR_IDREGS; i++) {
		out_str("REG ");
		out_str(idreg_names[i].name);
		out_str(" ");
		out_str(idreg_names[i].enc);
		out_str(" ");
		out_hex(regs[i]);
		out_end();
	}

	out_str("END-REGS n=");
	out_dec(NR_IDREGS);
	out_str(" hash=");
	out_hex(hash_idregs(regs));
	out_end();
}
