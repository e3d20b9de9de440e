/*
 * mutate: make one mutated copy of a QEMU migration stream, aimed at the
 * kvm-arm-idregs section (the VM-scoped arm64 ID registers of the idregs
 * series), and say what a correct destination must do with it.
 *
 * Runs in the rig's L1 (static arm64 build) on a stream saved in the same
 * boot, and on the host (native build) to replay a mutant from its seed.
 * Deterministic: the same stream and seed give the same bytes everywhere
 * (own PRNG, no libc rand).
 *
 *   mutate -l                                  list the mutation classes
 *   mutate -i IN                               section layout, one "key=value" a line
 *   mutate -p IN                               "index id value name" per register
 *   mutate -s SEED [-c CLASS] IN OUT META      one mutant (class = SEED mod #classes)
 *   mutate -t OFF IN OUT META                  truncate the file OFF bytes into the section
 *   mutate -x OFF IN OUT META                  cut the section's bytes from OFF to its end
 *   mutate -F REG:SHIFT:LEN:VAL IN OUT META    set one field of one register
 *   mutate -C CPU:REG:SHIFT:LEN:VAL IN OUT META  same, in vCPU CPU's cpreg list
 *                                              (old-format streams)
 *   mutate -X OTHER IN OUT META                copy OTHER's kvm-arm-idregs section into
 *                                              IN (after IN's RAM setup section)
 *   mutate -E IN OUT META                      QEMU_VM_EOF right after the RAM setup
 *                                              section (any stream, also old-format)
 *   mutate -M OLD:NEW IN OUT META              rename the machine type in the
 *                                              configuration section (same length):
 *                                              a stream of another machine type, as a
 *                                              QEMU that defines NEW differently sends
 *
 * REG is a register name as QEMU prints it (ID_AA64PFR0_EL1) or a KVM id in hex.
 * OFF counts from the section's first byte (its type byte). META receives
 * "key=value" lines:
 *   seed, class, desc   what was done
 *   expect              refuse | accept | either
 *   re                  (refuse/either) an extended regexp the destination's error
 *                       output must match
 *   hash                (accept/either) the FNV-1a hash the guest must then report
 *                       (guests/README.md), over the values the stream asks for
 *   known, known_re     a known bug of unmodified QEMU this mutant runs into, and the
 *                       text that identifies it in QEMU's output
 *
 * Stream format (migration/savevm.c): "QEVM", be32 version, sections; our
 * section is QEMU_VM_SECTION_FULL (0x04), be32 section id, u8 idstr length,
 * idstr, be32 instance id, be32 version id, then VMSTATE: be32 num, num x be64
 * ids, num x be64 values, then the footer 0x7e + be32 section id.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYSREG_U64 0x6030000000130000ULL
#define IDSTR "kvm-arm-idregs"
#define MAXREGS 4096

static uint8_t *buf;
static size_t len;

/* the section as found */
static size_t sec_off;      /* type byte */
static size_t data_off;     /* num */
static size_t data_end;     /* first byte after the values */
static size_t sec_end;      /* first byte after the footer */
static uint32_t sec_id, sec_num, sec_inst, sec_ver;
static uint32_t sec_id_num; /* the first sec_id_num entries are ID registers */
static uint64_t ids[MAXREGS], vals[MAXREGS];

static void die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, "mutate: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static uint32_t be32(size_t o)
{
    return (uint32_t)buf[o] << 24 | buf[o + 1] << 16 | buf[o + 2] << 8 | buf[o + 3];
}

static uint64_t be64(size_t o)
{
    return (uint64_t)be32(o) << 32 | be32(o + 4);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, v >> 32);
    put32(p + 4, (uint32_t)v);
}

/* splitmix64 */
static uint64_t rng;
static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
    return n ? rnd() % n : 0;
}

static uint8_t *load(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p = NULL;
    size_t cap = 0, got = 0, r;

    if (!f) {
        die("cannot open %s", path);
    }
    do {
        if (got == cap) {
            cap = cap ? cap * 2 : 1 << 20;
            p = realloc(p, cap);
            if (!p) {
                die("out of memory");
            }
        }
        r = fread(p + got, 1, cap - got, f);
        got += r;
    } while (r);
    fclose(f);
    *n = got;
    return p;
}

/*
 * Find the FULL section "kvm-arm-idregs" in b[0..n): returns its offset or
 * (size_t)-1. The JSON description at the end names it too, but never after
 * a 0x0e length byte preceded by a 0x04 type byte and a section id.
 */
static size_t find_section(const uint8_t *b, size_t n)
{
    size_t il = strlen(IDSTR);

    if (n < 8 || memcmp(b, "QEVM", 4)) {
        die("not a QEMU migration stream (no QEVM magic)");
    }
    for (size_t o = 8; o + 6 + il + 8 < n; o++) {
        if (b[o] == 0x04 && b[o + 5] == il && !memcmp(b + o + 6, IDSTR, il)) {
            return o;
        }
    }
    return (size_t)-1;
}

/* KVM_REG_ARM_FW and KVM_REG_ARM_FW_FEAT_BMAP: the firmware pseudo-registers */
#define FW_U64 0x6030000000140000ULL
#define FW_BMAP_U64 0x6030000000160000ULL

static int is_fwreg(uint64_t id)
{
    return (id & ~0xffffULL) == FW_U64 || (id & ~0xffffULL) == FW_BMAP_U64;
}

static void parse(void)
{
    size_t o;

    sec_off = find_section(buf, len);
    if (sec_off == (size_t)-1) {
        die("no %s section in the stream (an old-format stream?)", IDSTR);
    }
    o = sec_off + 1;
    sec_id = be32(o);
    o += 4 + 1 + strlen(IDSTR);
    sec_inst = be32(o);
    sec_ver = be32(o + 4);
    data_off = o + 8;
    sec_num = be32(data_off);
    if (sec_num == 0 || sec_num > MAXREGS ||
        data_off + 4 + 16ULL * sec_num + 5 > len) {
        die("implausible register count %u", sec_num);
    }
    for (uint32_t i = 0; i < sec_num; i++) {
        ids[i] = be64(data_off + 4 + 8 * i);
        vals[i] = be64(data_off + 4 + 8ULL * sec_num + 8 * i);
        /* the ID registers, then the firmware registers (ids ascending) */
        if ((ids[i] & ~0xffffULL) == SYSREG_U64 && i == sec_id_num) {
            sec_id_num++;
        } else if (!is_fwreg(ids[i])) {
            die("entry %u: 0x%llx is neither an arm64 64-bit system register id "
                "nor a firmware register id after them", i, (unsigned long long)ids[i]);
        }
    }
    if (!sec_id_num) {
        die("no ID register in the section");
    }
    data_end = data_off + 4 + 16ULL * sec_num;
    if (buf[data_end] != 0x7e || be32(data_end + 1) != sec_id) {
        die("no footer for section %u after the values", sec_id);
    }
    sec_end = data_end + 5;
}

/* --- register names, as QEMU's kvm_arm_idreg_name() prints them ------------ */
#define ENC(op0, op1, crn, crm, op2) \
    ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))

static const struct {
    uint16_t enc;
    const char *name;
} names[] = {
    { ENC(3, 0, 0, 4, 0), "ID_AA64PFR0_EL1" }, { ENC(3, 0, 0, 4, 1), "ID_AA64PFR1_EL1" },
    { ENC(3, 0, 0, 4, 2), "ID_AA64PFR2_EL1" }, { ENC(3, 0, 0, 4, 5), "ID_AA64SMFR0_EL1" },
    { ENC(3, 0, 0, 5, 0), "ID_AA64DFR0_EL1" }, { ENC(3, 0, 0, 5, 1), "ID_AA64DFR1_EL1" },
    { ENC(3, 0, 0, 5, 4), "ID_AA64AFR0_EL1" }, { ENC(3, 0, 0, 5, 5), "ID_AA64AFR1_EL1" },
    { ENC(3, 0, 0, 6, 0), "ID_AA64ISAR0_EL1" }, { ENC(3, 0, 0, 6, 1), "ID_AA64ISAR1_EL1" },
    { ENC(3, 0, 0, 6, 2), "ID_AA64ISAR2_EL1" }, { ENC(3, 0, 0, 7, 0), "ID_AA64MMFR0_EL1" },
    { ENC(3, 0, 0, 7, 1), "ID_AA64MMFR1_EL1" }, { ENC(3, 0, 0, 7, 2), "ID_AA64MMFR2_EL1" },
    { ENC(3, 0, 0, 7, 3), "ID_AA64MMFR3_EL1" }, { ENC(3, 0, 0, 1, 0), "ID_PFR0_EL1" },
    { ENC(3, 0, 0, 1, 1), "ID_PFR1_EL1" }, { ENC(3, 0, 0, 1, 2), "ID_DFR0_EL1" },
    { ENC(3, 0, 0, 1, 3), "ID_AFR0_EL1" }, { ENC(3, 0, 0, 1, 4), "ID_MMFR0_EL1" },
    { ENC(3, 0, 0, 1, 5), "ID_MMFR1_EL1" }, { ENC(3, 0, 0, 1, 6), "ID_MMFR2_EL1" },
    { ENC(3, 0, 0, 1, 7), "ID_MMFR3_EL1" }, { ENC(3, 0, 0, 2, 0), "ID_ISAR0_EL1" },
    { ENC(3, 0, 0, 2, 1), "ID_ISAR1_EL1" }, { ENC(3, 0, 0, 2, 2), "ID_ISAR2_EL1" },
    { ENC(3, 0, 0, 2, 3), "ID_ISAR3_EL1" }, { ENC(3, 0, 0, 2, 4), "ID_ISAR4_EL1" },
    { ENC(3, 0, 0, 2, 5), "ID_ISAR5_EL1" }, { ENC(3, 0, 0, 2, 6), "ID_MMFR4_EL1" },
    { ENC(3, 0, 0, 2, 7), "ID_ISAR6_EL1" }, { ENC(3, 0, 0, 3, 0), "MVFR0_EL1" },
    { ENC(3, 0, 0, 3, 1), "MVFR1_EL1" }, { ENC(3, 0, 0, 3, 2), "MVFR2_EL1" },
    { ENC(3, 0, 0, 3, 4), "ID_PFR2_EL1" }, { ENC(3, 0, 0, 3, 5), "ID_DFR1_EL1" },
    { ENC(3, 0, 0, 3, 6), "ID_MMFR5_EL1" }, { ENC(3, 1, 0, 0, 1), "CLIDR_EL1" },
    { ENC(3, 0, 0, 4, 4), "ID_AA64ZFR0_EL1" }, { ENC(3, 3, 0, 0, 1), "CTR_EL0" },
    { ENC(3, 0, 0, 0, 0), "MIDR_EL1" }, { ENC(3, 0, 0, 0, 6), "REVIDR_EL1" },
    { ENC(3, 1, 0, 0, 7), "AIDR_EL1" }, { ENC(3, 0, 0, 4, 7), "ID_AA64FPFR0_EL1" },
    { ENC(3, 0, 0, 5, 2), "ID_AA64DFR2_EL1" }, { ENC(3, 0, 0, 6, 3), "ID_AA64ISAR3_EL1" },
    { ENC(3, 0, 0, 7, 4), "ID_AA64MMFR4_EL1" },
};

static const struct {
    uint64_t id;
    const char *name;
} fwnames[] = {
    { FW_U64 | 0, "PSCI_VERSION" }, { FW_U64 | 1, "SMCCC_ARCH_WORKAROUND_1" },
    { FW_U64 | 2, "SMCCC_ARCH_WORKAROUND_2" }, { FW_U64 | 3, "SMCCC_ARCH_WORKAROUND_3" },
    { FW_BMAP_U64 | 0, "STD_BMAP" }, { FW_BMAP_U64 | 1, "STD_HYP_BMAP" },
    { FW_BMAP_U64 | 2, "VENDOR_HYP_BMAP" }, { FW_BMAP_U64 | 3, "VENDOR_HYP_BMAP_2" },
};

static const char *regname(uint64_t id)
{
    static char s[8][40];
    static int k;
    char *r = s[k++ & 7];
    unsigned e = id & 0xffff;

    for (size_t i = 0; i < sizeof(fwnames) / sizeof(fwnames[0]); i++) {
        if (fwnames[i].id == id) {
            return fwnames[i].name;
        }
    }
    if ((id & ~0xffffULL) == SYSREG_U64) {
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            if (names[i].enc == e) {
                return names[i].name;
            }
        }
        snprintf(r, 40, "S%u_%u_C%u_C%u_%u", e >> 14, (e >> 11) & 7, (e >> 7) & 15,
                 (e >> 3) & 15, e & 7);
    } else {
        snprintf(r, 40, "0x%llx", (unsigned long long)id);
    }
    return r;
}

static int vm_scoped(uint64_t id)
{
    unsigned e = id & 0xffff;

    if (is_fwreg(id)) {
        return 1;
    }
    if ((id & ~0xffffULL) != SYSREG_U64) {
        return 0;
    }
    if (e == ENC(3, 3, 0, 0, 1) || e == ENC(3, 0, 0, 0, 0) || e == ENC(3, 0, 0, 0, 6) ||
        e == ENC(3, 1, 0, 0, 7)) {
        return 1;
    }
    return e >> 14 == 3 && ((e >> 11) & 7) == 0 && ((e >> 7) & 15) == 0 &&
           ((e >> 3) & 15) >= 1 && ((e >> 3) & 15) <= 7;
}

static uint64_t parse_reg(const char *s)
{
    if (s[0] == '0' && s[1] == 'x') {
        return strtoull(s, NULL, 16);
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!strcmp(names[i].name, s)) {
            return SYSREG_U64 | names[i].enc;
        }
    }
    for (size_t i = 0; i < sizeof(fwnames) / sizeof(fwnames[0]); i++) {
        if (!strcmp(fwnames[i].name, s)) {
            return fwnames[i].id;
        }
    }
    die("unknown register %s", s);
    return 0;
}

/* --- the mutant ---------------------------------------------------------------- */
static uint8_t *out;
static size_t out_len;
static FILE *meta;
static char re[2048];
static const char *expect = "refuse";
static uint64_t mvals[MAXREGS]; /* values the mutant asks for, by original index */

static void desc(const char *fmt, ...)
{
    va_list ap;

    fprintf(meta, "desc=");
    va_start(ap, fmt);
    vfprintf(meta, fmt, ap);
    va_end(ap);
    fprintf(meta, "\n");
}

static size_t id_at(uint32_t i)
{
    return data_off + 4 + 8 * i;
}

static size_t val_at(uint32_t i)
{
    return data_off + 4 + 8ULL * sec_num + 8 * i;
}

/* replace out[o, o+n) by ins[0, m) */
static void splice(size_t o, size_t n, const uint8_t *ins, size_t m)
{
    uint8_t *p = malloc(out_len - n + m);

    if (!p) {
        die("out of memory");
    }
    memcpy(p, out, o);
    memcpy(p + o, ins, m);
    memcpy(p + o + m, out + o + n, out_len - o - n);
    free(out);
    out = p;
    out_len = out_len - n + m;
}

/* Any failure in the section makes QEMU name the device */
#define RE_SECTION "kvm-arm-idregs"

static const char *hex16(uint64_t v)
{
    static char s[8][20];
    static int k;
    char *r = s[k++ & 7];

    snprintf(r, 20, "0x%016llx", (unsigned long long)v);
    return r;
}

/*
 * A value the destination refuses must be reported with the register, a
 * field and both values (the write path and the pre-6.7 "immutable" path).
 */
static void expect_value(uint32_t i, uint64_t v)
{
    snprintf(re, sizeof(re),
             "%s: (KVM refused the source.s value %s .*; destination|source %s, "
             "destination) %s: .*\\[[0-9]+:[0-9]+\\] source 0x[0-9a-f]+, "
             "destination 0x[0-9a-f]+",
             regname(ids[i]), hex16(v), hex16(v), hex16(vals[i]));
    expect = "either";
}

static void set_value(uint32_t i, uint64_t v)
{
    put64(out + val_at(i), v);
    mvals[i] = v;
}

/* a 4-bit field (the ID register scheme) of a register, by its shift */
static unsigned nib(uint64_t v, unsigned sh)
{
    return (v >> sh) & 15;
}

static uint64_t with_nib(uint64_t v, unsigned sh, unsigned x)
{
    return (v & ~(15ULL << sh)) | (uint64_t)x << sh;
}

static uint32_t pick_reg(int nonzero)
{
    uint32_t c[MAXREGS], n = 0;

    /* the ID registers: the firmware registers have their own class */
    for (uint32_t i = 0; i < sec_id_num; i++) {
        if (!nonzero || vals[i]) {
            c[n++] = i;
        }
    }
    if (!n) {
        die("no register to pick");
    }
    return c[below(n)];
}

typedef void (*mut_fn)(void);

static void m_none(void)
{
    desc("none (control: the stream as saved)");
    expect = "accept";
}

static void m_count_zero(void)
{
    put32(out + data_off, 0);
    desc("count %u -> 0", sec_num);
    snprintf(re, sizeof(re), "Input validation failed: kvm-arm-idregs/number of ID "
             "registers in range");
}

static void m_count_huge(void)
{
    uint32_t n = 257 + below(0xffffffffULL - 257);

    if (below(4) == 0) {
        n = below(2) ? 257 : 0xffffffff;
    }
    put32(out + data_off, n);
    desc("count %u -> %u (above the bound 256)", sec_num, n);
    snprintf(re, sizeof(re), "Input validation failed: kvm-arm-idregs/number of ID "
             "registers in range");
}

static void m_count_over(void)
{
    uint32_t n = sec_num + 1 + below(256 - sec_num);

    put32(out + data_off, n);
    desc("count %u -> %u (more than the data)", sec_num, n);
    snprintf(re, sizeof(re), RE_SECTION);
}

static void m_count_under(void)
{
    uint32_t n = 1 + below(sec_num - 1);

    put32(out + data_off, n);
    desc("count %u -> %u (less than the data)", sec_num, n);
    snprintf(re, sizeof(re), RE_SECTION);
}

static void expect_not_vm_scoped(uint32_t i, uint64_t id)
{
    /* names and hex ids have no regexp metacharacters */
    snprintf(re, sizeof(re), "entry %u: register %s \\(id 0x%llx\\) is not a VM-scoped "
             "ID register", i, regname(id), (unsigned long long)id);
}

static void m_id_vcpu(void)
{
    static const uint16_t vcpu[] = {
        ENC(3, 0, 0, 0, 5),  /* MPIDR_EL1 */
        ENC(3, 0, 1, 0, 0),  /* SCTLR_EL1 */
        ENC(3, 0, 2, 0, 2),  /* TCR_EL1 */
        ENC(3, 0, 10, 2, 0), /* MAIR_EL1 */
        ENC(3, 0, 12, 0, 0), /* VBAR_EL1 */
        ENC(3, 1, 0, 0, 1),  /* CLIDR_EL1 */
        ENC(3, 2, 0, 0, 0),  /* CSSELR_EL1 */
        ENC(3, 0, 0, 8, 0),  /* just past the ID space: CRm 8 */
        ENC(3, 0, 0, 0, 1),  /* CRm 0, op2 1: not an ID register KVM keeps per VM */
        ENC(2, 0, 0, 2, 4),  /* a debug register (DBGBVR0_EL1) */
    };
    uint32_t i = pick_reg(0);
    uint64_t id = SYSREG_U64 | vcpu[below(sizeof(vcpu) / sizeof(vcpu[0]))];

    put64(out + id_at(i), id);
    desc("entry %u: id %s -> %s (a vCPU register)", i, regname(ids[i]), regname(id));
    expect_not_vm_scoped(i, id);
}

static void m_id_unknown(void)
{
    uint32_t i = pick_reg(0);
    uint64_t id;

    do {
        switch (below(3)) {
        case 0: /* any arm64 sysreg encoding */
            id = SYSREG_U64 | below(0x10000);
            break;
        case 1: /* another arm64 register class (core, fw, SVE, demux) */
            id = 0x6030000000000000ULL | below(0x18) << 16 | below(0x10000);
            break;
        default: /* anything */
            id = rnd();
            break;
        }
    } while (vm_scoped(id));
    put64(out + id_at(i), id);
    desc("entry %u: id %s -> 0x%llx (unknown)", i, regname(ids[i]),
         (unsigned long long)id);
    expect_not_vm_scoped(i, id);
}

static void m_id_size(void)
{
    static const uint64_t sz[] = { 0x0000000000000000ULL, 0x0010000000000000ULL,
                                   0x0020000000000000ULL, 0x0040000000000000ULL,
                                   0x0050000000000000ULL, 0x0060000000000000ULL };
    uint32_t i = pick_reg(0);
    uint64_t id = (ids[i] & ~0x00f0000000000000ULL) | sz[below(6)];

    put64(out + id_at(i), id);
    desc("entry %u: id %s -> 0x%llx (register size changed)", i, regname(ids[i]),
         (unsigned long long)id);
    expect_not_vm_scoped(i, id);
}

static void m_id_arch(void)
{
    /* KVM_REG_PPC, X86, IA64, S390, ARM (32-bit), MIPS, RISCV, LOONGARCH */
    static const uint8_t arch[] = { 0x10, 0x20, 0x30, 0x50, 0x40, 0x70, 0x80, 0x90 };
    uint32_t i = pick_reg(0);
    uint64_t id = (ids[i] & 0x00ffffffffffffffULL) |
                  (uint64_t)arch[below(sizeof(arch))] << 56;

    put64(out + id_at(i), id);
    desc("entry %u: id %s -> 0x%llx (another architecture's register id)", i,
         regname(ids[i]), (unsigned long long)id);
    expect_not_vm_scoped(i, id);
}

static void m_id_dup(void)
{
    uint32_t i = 1 + below(sec_num - 1);

    put64(out + id_at(i), ids[i - 1]);
    desc("entry %u: id %s -> %s (duplicate of entry %u)", i, regname(ids[i]),
         regname(ids[i - 1]), i - 1);
    snprintf(re, sizeof(re), "entry %u: register id 0x%llx is not in strictly "
             "ascending order \\(previous 0x%llx\\)", i,
             (unsigned long long)ids[i - 1], (unsigned long long)ids[i - 1]);
}

static void m_id_unsorted(void)
{
    /* swap two entries, ids and values: the same registers, out of order */
    uint32_t i = below(sec_num - 1), j = i + 1 + below(sec_num - 1 - i);

    put64(out + id_at(i), ids[j]);
    put64(out + id_at(j), ids[i]);
    put64(out + val_at(i), vals[j]);
    put64(out + val_at(j), vals[i]);
    desc("entries %u and %u (%s, %s) swapped", i, j, regname(ids[i]), regname(ids[j]));
    /* the first entry out of order is i+1 (ids[i+1] < ids[j] = new ids[i]) */
    snprintf(re, sizeof(re), "entry %u: register id 0x[0-9a-f]+ is not in strictly "
             "ascending order", i + 1);
}

static void m_id_drop(void)
{
    /*
     * One register fewer. The destination treats a register it lists but the
     * stream lacks as zero (unallocated ID registers read as zero on the
     * source), so this is "the register set to zero": adopted, or refused
     * like any other value.
     */
    uint32_t i = pick_reg(0);

    splice(val_at(i), 8, NULL, 0); /* the value first: it lies after the id */
    splice(id_at(i), 8, NULL, 0);
    put32(out + data_off, sec_num - 1);
    mvals[i] = 0;
    desc("entry %u (%s = %s) removed, count %u -> %u", i, regname(ids[i]),
         hex16(vals[i]), sec_num, sec_num - 1);
    if (vals[i]) {
        expect_value(i, 0);
    } else {
        expect = "accept";
    }
}

static void m_val_raise(void)
{
    uint32_t i;
    unsigned sh, x;
    uint64_t v;

    do {
        i = pick_reg(0);
        sh = 4 * below(16);
        x = nib(vals[i], sh);
    } while (x == 15);
    v = with_nib(vals[i], sh, x + 1 + below(15 - x));
    set_value(i, v);
    desc("%s bits[%u:%u] 0x%x -> 0x%x (field raised)", regname(ids[i]), sh + 3, sh, x,
         nib(v, sh));
    expect_value(i, v);
}

static void m_val_lower(void)
{
    uint32_t i = pick_reg(1);
    unsigned sh, x;
    uint64_t v;

    do {
        sh = 4 * below(16);
    } while (!nib(vals[i], sh));
    x = nib(vals[i], sh);
    v = with_nib(vals[i], sh, below(x));
    set_value(i, v);
    desc("%s bits[%u:%u] 0x%x -> 0x%x (field lowered)", regname(ids[i]), sh + 3, sh, x,
         nib(v, sh));
    expect_value(i, v);
}

static void m_val_reserved(void)
{
    /* a bit in a register (or part of one) that has no feature: RAZ */
    uint32_t c[MAXREGS], n = 0, i;
    unsigned b;
    uint64_t v;

    for (i = 0; i < sec_id_num; i++) {
        if (!vals[i]) {
            c[n++] = i;
        }
    }
    if (n && below(4)) {
        i = c[below(n)];
        b = below(64);
    } else {
        /* an all-zero nibble of a non-zero register: RES0 or an absent feature */
        i = pick_reg(1);
        do {
            b = below(64);
        } while (nib(vals[i], b & ~3));
    }
    v = vals[i] | 1ULL << b;
    set_value(i, v);
    desc("%s bit %u set (was 0; %s)", regname(ids[i]), b,
         vals[i] ? "a zero field" : "an all-zero register");
    expect_value(i, v);
}

static void m_val_flip(void)
{
    uint32_t i = pick_reg(0);
    unsigned b = below(64);
    uint64_t v = vals[i] ^ 1ULL << b;

    set_value(i, v);
    desc("%s bit %u flipped", regname(ids[i]), b);
    expect_value(i, v);
}

static void m_val_random(void)
{
    uint32_t i = pick_reg(0);
    uint64_t v = below(2) ? rnd() : 0;

    if (v == vals[i]) {
        v = ~v;
    }
    set_value(i, v);
    desc("%s = %s (was %s)", regname(ids[i]), hex16(v), hex16(vals[i]));
    expect_value(i, v);
}

static void m_val_imp(void)
{
    /* the implementation registers: MIDR, REVIDR, AIDR (and CTR_EL0) */
    static const uint16_t imp[] = { ENC(3, 0, 0, 0, 0), ENC(3, 0, 0, 0, 6),
                                    ENC(3, 1, 0, 0, 7), ENC(3, 3, 0, 0, 1) };
    uint16_t e = imp[below(4)];
    uint32_t i;

    for (i = 0; i < sec_num && (ids[i] & 0xffff) != e; i++) {
    }
    if (i == sec_num) {
        i = pick_reg(0);
    }
    set_value(i, vals[i] ^ 1ULL << (4 * below(16) + below(4)));
    desc("%s bit flipped: %s -> %s", regname(ids[i]), hex16(vals[i]), hex16(mvals[i]));
    expect_value(i, mvals[i]);
}

static void cut_at(size_t o)
{
    /* the section ends early and the next section's bytes follow */
    splice(sec_off + o, data_end - sec_off - o, NULL, 0);
}

/*
 * A stream that ends inside the section: in its header QEMU can only name the
 * section by number ("Unable to read ID string for section 9", "Failed to
 * read instance/version ID"), from the
 * count on it names the device. At offset 0 the previous section is complete
 * and QEMU reports the missing next one ("Failed to load section ID").
 */
static void expect_trunc(size_t o)
{
    if (o == 0) {
        snprintf(re, sizeof(re), "Failed to load section ID|Input/output error");
    } else if (sec_off + o < data_off) {
        snprintf(re, sizeof(re), "[Ss]ection [0-9]+|instance/version ID|%s", RE_SECTION);
    } else if (sec_off + o >= data_end) {
        /*
         * At or in the footer: unmodified QEMU's check_section_footer() names
         * the section for a wrong marker or id, but not when the marker
         * cannot be read ("Read section footer failed: -5", Q3).
         */
        snprintf(re, sizeof(re), "Read section footer failed|%s", RE_SECTION);
    } else {
        snprintf(re, sizeof(re), RE_SECTION);
    }
}

static void m_trunc(void)
{
    size_t o = below(sec_end - sec_off);

    out_len = sec_off + o;
    desc("file truncated %zu bytes into the section (of %zu)", o, sec_end - sec_off);
    expect_trunc(o);
}

static void m_cut(void)
{
    size_t o = data_off - sec_off + below(data_end - data_off);

    cut_at(o);
    desc("section cut %zu bytes in: its last %zu data bytes removed, the stream goes on",
         o, data_end - sec_off - o);
    snprintf(re, sizeof(re), RE_SECTION);
}

static void m_hdr_type(void)
{
    static const uint8_t t[] = { 0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x08, 0x7e,
                                 0x09, 0xff };
    uint8_t x = t[below(sizeof(t))];

    out[sec_off] = x;
    desc("section type 0x04 (FULL) -> 0x%02x", x);
    /* what QEMU says depends on the type; it must say something */
    snprintf(re, sizeof(re), ".");
    if (x == 0x01) {
        /* QEMU_VM_SECTION_START loads a device section exactly like FULL */
        expect = "either";
    }
    if (x == 0x00) {
        /*
         * QEMU_VM_EOF: unmodified QEMU ends the load here, warns "Expected
         * vmdescription section, but got 0" and starts a VM without its device
         * state. A base-QEMU bug (misconfig.sh shows it on unmodified QEMU):
         * reported as such, not as the series'.
         */
        fprintf(meta, "known=base-early-eof\nknown_re=Expected vmdescription section, but got 0\n");
    }
}

static void m_hdr_id(void)
{
    uint32_t id = sec_id;

    while (id == sec_id) {
        id = below(2) ? (uint32_t)rnd() : sec_id + 1 + below(8);
    }
    put32(out + sec_off + 1, id);
    desc("section id %u -> %u (the footer still says %u)", sec_id, id, sec_id);
    snprintf(re, sizeof(re), "Mismatched section id in footer for kvm-arm-idregs");
}

static void m_hdr_idstr(void)
{
    size_t o = sec_off + 5;

    switch (below(3)) {
    case 0: { /* one character changed */
        size_t k = below(strlen(IDSTR));
        uint8_t c = out[o + 1 + k];

        while (c == out[o + 1 + k]) {
            c = 0x20 + below(0x5f);
        }
        out[o + 1 + k] = c;
        desc("section name character %zu '%c' -> '%c'", k, IDSTR[k], c);
        snprintf(re, sizeof(re), "Unknown section or instance");
        break;
    }
    default: { /* length byte changed: the name swallows or leaves bytes */
        uint8_t l = below(256);

        while (l == strlen(IDSTR)) {
            l = below(256);
        }
        out[o] = l;
        desc("section name length %zu -> %u", strlen(IDSTR), l);
        snprintf(re, sizeof(re), ".");
        break;
    }
    }
}

static void m_hdr_instance(void)
{
    uint32_t v = 1 + below(2) * (uint32_t)rnd();

    put32(out + data_off - 8, v);
    desc("instance id %u -> %u", sec_inst, v);
    snprintf(re, sizeof(re), "Unknown section or instance .kvm-arm-idregs. %u", v);
}

static void m_hdr_version(void)
{
    uint32_t v = below(2) ? 0 : 2 + below(2) * (uint32_t)rnd();

    if (v < 2) {
        v = 0;
    }
    put32(out + data_off - 4, v);
    desc("version id %u -> %u", sec_ver, v);
    if (v) {
        /* QEMU prints the version id as a signed int */
        snprintf(re, sizeof(re), "unsupported version %d for .kvm-arm-idregs. v1", (int)v);
    } else {
        snprintf(re, sizeof(re), "kvm-arm-idregs: incoming version_id 0 is too old");
    }
}

static void m_footer(void)
{
    if (below(2)) {
        uint8_t x = below(256);

        while (x == 0x7e) {
            x = below(256);
        }
        out[data_end] = x;
        desc("footer marker 0x7e -> 0x%02x", x);
        snprintf(re, sizeof(re), "Missing section footer for kvm-arm-idregs");
    } else {
        uint32_t id = sec_id ^ (1 + below(0xffff));

        put32(out + data_end + 1, id);
        desc("footer section id %u -> %u", sec_id, id);
        snprintf(re, sizeof(re), "Mismatched section id in footer for kvm-arm-idregs");
    }
}

static void m_fuzz(void)
{
    /* 1-4 random bytes of the section (header, data, footer) replaced */
    unsigned n = 1 + below(4);
    char what[256] = "";

    for (unsigned k = 0; k < n; k++) {
        size_t o = below(sec_end - sec_off);
        uint8_t x = out[sec_off + o] ^ (1 + below(255));
        size_t l = strlen(what);

        out[sec_off + o] = x;
        snprintf(what + l, sizeof(what) - l, "%s+%zu=0x%02x", k ? ", " : "", o, x);
    }
    /*
     * May hit values only: then a destination that accepts the mutant must
     * show the values it now holds (any outcome of expect_value is fine), so
     * the guest's hash is taken over the value slots as they are now.
     */
    for (uint32_t i = 0; i < sec_num; i++) {
        uint64_t v = 0;

        for (int b = 0; b < 8; b++) {
            v = v << 8 | out[val_at(i) + b];
        }
        mvals[i] = v;
    }
    desc("fuzz: section bytes %s", what);
    expect = "either";
    snprintf(re, sizeof(re), ".");
}

/*
 * A firmware register set to a value no KVM accepts: a hypercall service
 * bitmap with its top bit (no service), a PSCI version that does not exist,
 * a workaround level above any (the level is the register's low 4 bits).
 */
static void m_fw_value(void)
{
    uint32_t i;
    uint64_t v;

    if (sec_id_num == sec_num) {
        /* a source that sends no firmware registers: nothing to do here */
        m_none();
        return;
    }
    i = sec_id_num + below(sec_num - sec_id_num);
    if ((ids[i] & ~0xffffULL) == FW_BMAP_U64) {
        v = vals[i] | 1ULL << 63;
    } else if (ids[i] == FW_U64) {
        v = 0x00090009;
    } else {
        v = 0xf;
    }
    set_value(i, v);
    desc("%s %s -> %s (a value KVM refuses)", regname(ids[i]), hex16(vals[i]), hex16(v));
    snprintf(re, sizeof(re), "%s: KVM refused the source.s value %s \\(Invalid argument\\)",
             regname(ids[i]), hex16(v));
}

static const struct {
    const char *name;
    mut_fn fn;
    int weight;
} classes[] = {
    { "none", m_none, 1 },
    { "count-zero", m_count_zero, 1 },
    { "count-huge", m_count_huge, 1 },
    { "count-over", m_count_over, 2 },
    { "count-under", m_count_under, 2 },
    { "id-unknown", m_id_unknown, 2 },
    { "id-vcpu", m_id_vcpu, 2 },
    { "id-size", m_id_size, 1 },
    { "id-arch", m_id_arch, 1 },
    { "id-dup", m_id_dup, 1 },
    { "id-unsorted", m_id_unsorted, 1 },
    { "id-drop", m_id_drop, 1 },
    { "val-raise", m_val_raise, 3 },
    { "val-lower", m_val_lower, 3 },
    { "val-reserved", m_val_reserved, 2 },
    { "val-flip", m_val_flip, 2 },
    { "val-random", m_val_random, 1 },
    { "val-imp", m_val_imp, 1 },
    { "trunc", m_trunc, 3 },
    { "cut", m_cut, 2 },
    { "hdr-type", m_hdr_type, 1 },
    { "hdr-id", m_hdr_id, 1 },
    { "hdr-idstr", m_hdr_idstr, 1 },
    { "hdr-instance", m_hdr_instance, 1 },
    { "hdr-version", m_hdr_version, 1 },
    { "footer", m_footer, 1 },
    { "fuzz", m_fuzz, 2 },
    { "fw-value", m_fw_value, 1 },
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

/* FNV-1a of the ID register values the guest prints (guests/README.md) */
static uint64_t fnv(const uint64_t *v, uint32_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (uint32_t i = 0; i < n; i++) {
        for (int b = 0; b < 64; b += 8) {
            h = (h ^ ((v[i] >> b) & 0xff)) * 0x100000001b3ULL;
        }
    }
    return h;
}

static void write_out(const char *path)
{
    FILE *f = fopen(path, "wb");

    if (!f || fwrite(out, 1, out_len, f) != out_len || fclose(f)) {
        die("cannot write %s", path);
    }
}

/*
 * QEMU takes ID_AA64MMFR2_EL1.NV from the destination for a VM whose vCPUs
 * have no EL2 (the rig's VMs): an accepted mutant shows the source host's
 * NV, whatever the stream said.
 */
static void nv_rule(void)
{
    for (uint32_t i = 0; i < sec_id_num; i++) {
        if ((ids[i] & 0xffff) == ENC(3, 0, 0, 7, 2)) {
            mvals[i] = with_nib(mvals[i], 24, nib(vals[i], 24));
        }
    }
}

static void finish(const char *outp)
{
    write_out(outp);
    fprintf(meta, "expect=%s\n", expect);
    if (strcmp(expect, "accept")) {
        fprintf(meta, "re=%s\n", re);
    }
    if (strcmp(expect, "refuse")) {
        uint64_t kvals[MAXREGS];
        int forced = 0;

        nv_rule();
        fprintf(meta, "hash=0x%016llx\n", (unsigned long long)fnv(mvals, sec_id_num));
        /*
         * Values KVM accepts and keeps another for, by design (upstream), so a
         * guest that then sees KVM's value instead of the stream's is a known
         * behaviour, told apart by its exact hash:
         *  - kvm_vgic_finalize_idregs() sets the fields that describe the GIC
         *    from the VM's vGIC at the first KVM_RUN, whatever was written:
         *    ID_AA64PFR0_EL1.GIC, ID_PFR1_EL1.GIC, ID_AA64PFR2_EL1.GCIE (the
         *    source's fields come back);
         *  - set_id_aa64dfr0_el1() and set_id_dfr0_el1() take an IMPLEMENTATION
         *    DEFINED PMU (ID_AA64DFR0_EL1.PMUVer, ID_DFR0_EL1.PerfMon = 0xf)
         *    and keep "no PMU" (0), as older kernels reported IMP_DEF.
         */
        memcpy(kvals, mvals, sizeof(kvals[0]) * sec_num);
        for (uint32_t i = 0; i < sec_num; i++) {
            static const struct { uint16_t enc; unsigned sh; } gic[] = {
                { ENC(3, 0, 0, 4, 0), 24 }, { ENC(3, 0, 0, 1, 1), 28 }, { ENC(3, 0, 0, 4, 2), 12 },
            };
            static const struct { uint16_t enc; unsigned sh; } pmu[] = {
                { ENC(3, 0, 0, 5, 0), 8 }, { ENC(3, 0, 0, 1, 2), 24 },
            };
            for (size_t g = 0; g < 3; g++) {
                if ((ids[i] & 0xffff) == gic[g].enc &&
                    nib(kvals[i], gic[g].sh) != nib(vals[i], gic[g].sh)) {
                    kvals[i] = with_nib(kvals[i], gic[g].sh, nib(vals[i], gic[g].sh));
                    forced |= 1;
                }
            }
            for (size_t g = 0; g < 2; g++) {
                if ((ids[i] & 0xffff) == pmu[g].enc && nib(kvals[i], pmu[g].sh) == 0xf) {
                    kvals[i] = with_nib(kvals[i], pmu[g].sh, 0);
                    forced |= 2;
                }
            }
        }
        if (forced) {
            fprintf(meta, "known=%s%s%s\nknown_why=%s%s%s\nknown_hash=0x%016llx\n",
                    forced & 1 ? "kvm-vgic-finalize-idregs" : "", forced == 3 ? "+" : "",
                    forced & 2 ? "kvm-pmu-impdef" : "",
                    forced & 1 ? "the GIC fields are set from the vGIC at the first run" : "",
                    forced == 3 ? "; " : "",
                    forced & 2 ? "an IMPLEMENTATION DEFINED PMU is kept as no PMU" : "",
                    (unsigned long long)fnv(kvals, sec_id_num));
        }
    }
    fclose(meta);
}

/* The cpreg value slot of register id in the cpreg list of vCPU cpu, or -1 */
static long cpu_slot(unsigned cpu, uint64_t id)
{
    unsigned seen = 0;

    for (size_t o = 8; o + 8 <= len; o++) {
        size_t s, e;
        uint32_t n;

        if (be64(o) != id || (sec_off != (size_t)-1 && o >= sec_off && o < sec_end)) {
            continue;
        }
        /* walk back to the start of the ascending list of KVM register ids */
        for (s = o; s >= 8 + 12 && be64(s - 8) >> 56 == 0x60 && be64(s - 8) < be64(s);
             s -= 8) {
        }
        n = be32(s - 4);
        e = s + 8ULL * n;
        if (n < 2 || e > len || o >= e || be64(e - 8) >> 56 != 0x60 ||
            be64(e) >> 56 == 0x60) {
            continue;
        }
        if (seen++ == cpu) {
            return (long)(e + (o - s));
        }
    }
    return -1;
}

/* The first byte after the "ram" START section (RAM setup: block list, EOS, footer) */
static size_t ram_setup_end(const uint8_t *b, size_t n)
{
    for (size_t o = 8; o + 13 < n; o++) {
        if (b[o] == 0x01 && b[o + 5] == 3 && !memcmp(b + o + 6, "ram", 3)) {
            uint32_t rid = (uint32_t)b[o + 1] << 24 | b[o + 2] << 16 | b[o + 3] << 8 | b[o + 4];

            for (size_t p = o + 17; p + 5 <= n; p++) {
                if (b[p] == 0x7e && b[p + 1] == (uint8_t)(rid >> 24) &&
                    b[p + 2] == (uint8_t)(rid >> 16) && b[p + 3] == (uint8_t)(rid >> 8) &&
                    b[p + 4] == (uint8_t)rid && p >= 8 && b[p - 1] == 0x10 &&
                    !memcmp(b + p - 8, "\0\0\0\0\0\0\0", 7)) { /* RAM_SAVE_FLAG_EOS */
                    return p + 5;
                }
            }
            break;
        }
    }
    die("no RAM setup section in the stream");
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: see the comment at the top of tests/faults/mutate.c\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *cls = NULL, *fspec = NULL, *cspec = NULL, *other = NULL, *mspec = NULL;
    unsigned long long seed = 0;
    long trunc = -1, cut = -1;
    int info = 0, print = 0, have_seed = 0, eof = 0, c;
    extern char *optarg;
    extern int optind;
    int getopt(int, char *const[], const char *);

    while ((c = getopt(argc, argv, "lips:c:t:x:F:C:X:EM:")) != -1) {
        switch (c) {
        case 'l':
            for (size_t i = 0; i < NCLASSES; i++) {
                printf("%s %d\n", classes[i].name, classes[i].weight);
            }
            return 0;
        case 'i': info = 1; break;
        case 'p': print = 1; break;
        case 's': seed = strtoull(optarg, NULL, 0); have_seed = 1; break;
        case 'c': cls = optarg; break;
        case 't': trunc = strtol(optarg, NULL, 0); break;
        case 'x': cut = strtol(optarg, NULL, 0); break;
        case 'F': fspec = optarg; break;
        case 'C': cspec = optarg; break;
        case 'X': other = optarg; break;
        case 'E': eof = 1; break;
        case 'M': mspec = optarg; break;
        default: usage();
        }
    }
    argv += optind;
    argc -= optind;
    if (argc < 1) {
        usage();
    }
    buf = load(argv[0], &len);

    if (mspec) {
        /* "QEVM", be32 version, 0x07, be32 name length, name */
        const char *colon = strchr(mspec, ':');
        size_t ol, nl;

        if (argc != 3 || !colon) {
            usage();
        }
        ol = colon - mspec;
        nl = strlen(colon + 1);
        if (ol != nl) {
            die("machine type names must have the same length");
        }
        if (len < 13 || buf[8] != 0x07) {
            die("no configuration section at the start of the stream");
        }
        if (be32(9) != ol || len < 13 + ol || memcmp(buf + 13, mspec, ol)) {
            die("the configuration section does not name machine type %.*s", (int)ol, mspec);
        }
        out = malloc(len);
        memcpy(out, buf, len);
        out_len = len;
        memcpy(out + 13, colon + 1, nl);
        meta = fopen(argv[2], "w");
        fprintf(meta, "class=machine-rename\n");
        desc("configuration section: machine type %.*s -> %s", (int)ol, mspec, colon + 1);
        snprintf(re, sizeof(re), ".");
        write_out(argv[1]);
        fprintf(meta, "expect=either\nre=.\n");
        fclose(meta);
        return 0;
    }
    if (cspec || eof) {
        sec_off = find_section(buf, len);
        if (sec_off != (size_t)-1) {
            parse();
        }
    }
    if (cspec) {
        /* old-format streams have no section: only the vCPU lists */
        unsigned cpu, sh, l;
        char reg[64];
        unsigned long long val;
        long slot;
        uint64_t id, v, m;

        if (argc != 3 || sscanf(cspec, "%u:%63[^:]:%u:%u:%lli", &cpu, reg, &sh, &l, &val) != 5) {
            usage();
        }
        id = parse_reg(reg);
        slot = cpu_slot(cpu, id);
        if (slot < 0) {
            die("no cpreg list entry %s for vCPU %u", regname(id), cpu);
        }
        out = malloc(len);
        memcpy(out, buf, len);
        out_len = len;
        meta = fopen(argv[2], "w");
        m = (l == 64 ? ~0ULL : ((1ULL << l) - 1)) << sh;
        v = (be64(slot) & ~m) | ((uint64_t)val << sh & m);
        put64(out + slot, v);
        fprintf(meta, "class=cpu-field\n");
        desc("vCPU %u's cpreg list: %s %s -> %s", cpu, regname(id), hex16(be64(slot)),
             hex16(v));
        fprintf(meta, "old=%s\nnew=%s\nname=%s\n", hex16(be64(slot)), hex16(v),
                regname(id));
        snprintf(re, sizeof(re), "CPU %u state carries ID register %s = %s, but this VM "
                 "has %s", cpu, regname(id), hex16(v), hex16(be64(slot)));
        finish(argv[1]);
        return 0;
    }

    if (eof) {
        /* QEMU_VM_EOF in place of the section that follows RAM setup */
        size_t r;

        if (argc != 3) {
            usage();
        }
        r = ram_setup_end(buf, len);
        out = malloc(len);
        memcpy(out, buf, len);
        out_len = len;
        out[r] = 0x00;
        meta = fopen(argv[2], "w");
        fprintf(meta, "class=early-eof\n");
        desc("QEMU_VM_EOF (0x00) in place of the type byte 0x%02x at offset %zu, right after "
             "the RAM setup section", buf[r], r);
        snprintf(re, sizeof(re), ".");
        memcpy(mvals, vals, sizeof(mvals));
        finish(argv[1]);
        return 0;
    }

    if (other) {
        /* splice OTHER's section into IN after IN's RAM setup section */
        size_t ram, oo, oe;
        uint8_t *ob;
        size_t olen;

        if (argc != 3) {
            usage();
        }
        ob = load(other, &olen);
        /* OTHER's section */
        {
            uint8_t *sb = buf;
            size_t sl = len;

            buf = ob, len = olen;
            parse();
            oo = sec_off, oe = sec_end;
            buf = sb, len = sl;
        }
        if (find_section(buf, len) != (size_t)-1) {
            die("%s already has a %s section", argv[0], IDSTR);
        }
        ram = ram_setup_end(buf, len);
        out = malloc(len);
        memcpy(out, buf, len);
        out_len = len;
        splice(ram, 0, ob + oo, oe - oo);
        meta = fopen(argv[2], "w");
        fprintf(meta, "class=splice\n");
        desc("%s's kvm-arm-idregs section (%zu bytes) inserted at offset %zu", other,
             oe - oo, ram);
        expect = "either";
        snprintf(re, sizeof(re), ".");
        memcpy(mvals, vals, sizeof(mvals));
        finish(argv[1]);
        return 0;
    }

    parse();
    memcpy(mvals, vals, sizeof(vals[0]) * sec_num);
    if (info) {
        printf("section_offset=%zu\ndata_offset=%zu\ndata_end=%zu\nsection_end=%zu\n"
               "section_size=%zu\nsection_id=%u\ninstance=%u\nversion=%u\ncount=%u\n"
               "id_count=%u\nhash=0x%016llx\nstream_size=%zu\n",
               sec_off, data_off, data_end, sec_end, sec_end - sec_off, sec_id, sec_inst,
               sec_ver, sec_num, sec_id_num, (unsigned long long)fnv(vals, sec_id_num), len);
        return 0;
    }
    if (print) {
        for (uint32_t i = 0; i < sec_num; i++) {
            printf("%u 0x%016llx %s %s\n", i, (unsigned long long)ids[i], hex16(vals[i]),
                   regname(ids[i]));
        }
        return 0;
    }
    if (argc != 3) {
        usage();
    }
    out = malloc(len);
    memcpy(out, buf, len);
    out_len = len;
    meta = fopen(argv[2], "w");
    if (!meta) {
        die("cannot write %s", argv[2]);
    }
    if (trunc >= 0) {
        if ((size_t)trunc >= sec_end - sec_off) {
            die("offset %ld beyond the section (%zu bytes)", trunc, sec_end - sec_off);
        }
        out_len = sec_off + trunc;
        fprintf(meta, "class=trunc\n");
        desc("file truncated %ld bytes into the section (of %zu)", trunc,
             sec_end - sec_off);
        expect_trunc(trunc);
    } else if (cut >= 0) {
        if ((size_t)cut < data_off - sec_off || (size_t)cut >= data_end - sec_off) {
            die("cut offset %ld outside the section's data", cut);
        }
        cut_at(cut);
        fprintf(meta, "class=cut\n");
        desc("section cut %ld bytes in, the stream goes on", cut);
        snprintf(re, sizeof(re), RE_SECTION);
    } else if (fspec) {
        char reg[64];
        unsigned sh, l;
        unsigned long long val;
        uint64_t id, m, v;
        uint32_t i;

        if (sscanf(fspec, "%63[^:]:%u:%u:%lli", reg, &sh, &l, &val) != 4 || sh + l > 64 ||
            !l) {
            usage();
        }
        id = parse_reg(reg);
        for (i = 0; i < sec_num && ids[i] != id; i++) {
        }
        if (i == sec_num) {
            die("register %s is not in the section", regname(id));
        }
        m = (l == 64 ? ~0ULL : ((1ULL << l) - 1)) << sh;
        v = (vals[i] & ~m) | ((uint64_t)val << sh & m);
        set_value(i, v);
        fprintf(meta, "class=field\n");
        desc("%s[%u:%u] 0x%llx -> 0x%llx (%s -> %s)", regname(id), sh + l - 1, sh,
             (unsigned long long)((vals[i] & m) >> sh), val, hex16(vals[i]), hex16(v));
        fprintf(meta, "old=%s\nnew=%s\nname=%s\n", hex16(vals[i]), hex16(v), regname(id));
        expect_value(i, v);
    } else {
        size_t k, total = 0, pick;

        if (!have_seed) {
            usage();
        }
        rng = seed;
        if (cls) {
            for (k = 0; k < NCLASSES && strcmp(classes[k].name, cls); k++) {
            }
            if (k == NCLASSES) {
                die("unknown class %s (mutate -l)", cls);
            }
        } else {
            /* consecutive seeds walk through the classes by weight */
            for (k = 0; k < NCLASSES; k++) {
                total += classes[k].weight;
            }
            pick = seed % total;
            for (k = 0; pick >= (size_t)classes[k].weight; k++) {
                pick -= classes[k].weight;
            }
        }
        fprintf(meta, "seed=%llu\nclass=%s\n", seed, classes[k].name);
        classes[k].fn();
    }
    finish(argv[1]);
    return 0;
}
