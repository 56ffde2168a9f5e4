/* The VMCB (AMD64 APM vol. 2, rev. 3.42, appendix B "Layout of VMCB"): a 4 KiB page made of the
 * control area (B.1, offsets 0x000-0x3FF) and the state save area (B.2, offsets 0x400-0xFFF).
 * Only the fields this VMM uses are named; the rest is reserved padding. */
#ifndef VMM_VMCB_H
#define VMM_VMCB_H

#include <tb/types.h>

struct vmcb_seg {
	u16 selector;                    /* 0 */
	u16 attrib;                      /* 2: descriptor bits 40-47 and 52-55, compressed */
	u32 limit;                       /* 4 */
	u64 base;                        /* 8 */
} TB_PACKED;

struct vmcb {
	/* ---- control area (APM B.1, table B-1) ---- */
	u16 intercept_cr_read;           /* 0x000 */
	u16 intercept_cr_write;          /* 0x002 */
	u16 intercept_dr_read;           /* 0x004 */
	u16 intercept_dr_write;          /* 0x006 */
	u32 intercept_exceptions;        /* 0x008 */
	u32 intercept_misc1;             /* 0x00C: INTR ... SHUTDOWN */
	u32 intercept_misc2;             /* 0x010: VMRUN ... */
	u8 reserved1[0x03C - 0x014];     /* 0x014 */
	u16 pause_filter_threshold;      /* 0x03C */
	u16 pause_filter_count;          /* 0x03E */
	u64 iopm_base_pa;                /* 0x040 */
	u64 msrpm_base_pa;               /* 0x048 */
	u64 tsc_offset;                  /* 0x050 */
	u32 guest_asid;                  /* 0x058 */
	u8 tlb_control;                  /* 0x05C */
	u8 reserved2[3];                 /* 0x05D */
	u64 vintr;                       /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING (bit 24) ... */
	u64 interrupt_shadow;            /* 0x068 */
	u64 exitcode;                    /* 0x070 */
	u64 exitinfo1;                   /* 0x078 */
	u64 exitinfo2;                   /* 0x080 */
	u64 exitintinfo;                 /* 0x088 */
	u64 np_control;                  /* 0x090: bit 0 NP_ENABLE */
	u64 avic_apic_bar;               /* 0x098 */
	u64 ghcb_pa;                     /* 0x0A0 */
	u64 eventinj;                    /* 0x0A8 */
	u64 n_cr3;                       /* 0x0B0: nested page table root */
	u64 lbr_virt;                    /* 0x0B8 */
	u32 clean_bits;                  /* 0x0C0 */
	u32 reserved3;                   /* 0x0C4 */
	u64 nrip;                        /* 0x0C8: next RIP (not saved by QEMU: see svm.c) */
	u8 insn_len;                     /* 0x0D0 */
	u8 insn_bytes[15];               /* 0x0D1 */
	u8 reserved4[0x400 - 0x0E0];     /* 0x0E0 */

	/* ---- state save area (APM B.2, table B-2) ---- */
	struct vmcb_seg es;              /* 0x400 */
	struct vmcb_seg cs;              /* 0x410 */
	struct vmcb_seg ss;              /* 0x420 */
	struct vmcb_seg ds;              /* 0x430 */
	struct vmcb_seg fs;              /* 0x440 */
	struct vmcb_seg gs;              /* 0x450 */
	struct vmcb_seg gdtr;            /* 0x460 */
	struct vmcb_seg ldtr;            /* 0x470 */
	struct vmcb_seg idtr;            /* 0x480 */
	struct vmcb_seg tr;              /* 0x490 */
	u8 reserved5[0x4CB - 0x4A0];     /* 0x4A0 */
	u8 cpl;                          /* 0x4CB */
	u32 reserved6;                   /* 0x4CC */
	u64 efer;                        /* 0x4D0 */
	u8 reserved7[0x548 - 0x4D8];     /* 0x4D8 */
	u64 cr4;                         /* 0x548 */
	u64 cr3;                         /* 0x550 */
	u64 cr0;                         /* 0x558 */
	u64 dr7;                         /* 0x560 */
	u64 dr6;                         /* 0x568 */
	u64 rflags;                      /* 0x570 */
	u64 rip;                         /* 0x578 */
	u8 reserved8[0x5D8 - 0x580];     /* 0x580 */
	u64 rsp;                         /* 0x5D8 */
	u8 reserved9[0x5F8 - 0x5E0];     /* 0x5E0 */
	u64 rax;                         /* 0x5F8 */
	u64 star;                        /* 0x600 */
	u64 lstar;                       /* 0x608 */
	u64 cstar;                       /* 0x610 */
	u64 sfmask;                      /* 0x618 */
	u64 kernel_gs_base;              /* 0x620 */
	u64 sysenter_cs;                 /* 0x628 */
	u64 sysenter_esp;                /* 0x630 */
	u64 sysenter_eip;                /* 0x638 */
	u64 cr2;                         /* 0x640 */
	u8 reserved10[0x668 - 0x648];    /* 0x648 */
	u64 g_pat;                       /* 0x668 */
	u8 reserved11[0x1000 - 0x670];   /* 0x670: DBGCTL, LBR MSRs (LBR virtualization off) ... */
} TB_PACKED;

TB_STATIC_ASSERT(sizeof(struct vmcb_seg) == 16, "vmcb_seg size");
TB_STATIC_ASSERT(offsetof(struct vmcb, pause_filter_threshold) == 0x03C, "pause filter");
TB_STATIC_ASSERT(offsetof(struct vmcb, iopm_base_pa) == 0x040, "iopm_base_pa");
TB_STATIC_ASSERT(offsetof(struct vmcb, guest_asid) == 0x058, "guest_asid");
TB_STATIC_ASSERT(offsetof(struct vmcb, vintr) == 0x060, "vintr");
TB_STATIC_ASSERT(offsetof(struct vmcb, exitcode) == 0x070, "exitcode");
TB_STATIC_ASSERT(offsetof(struct vmcb, np_control) == 0x090, "np_control");
TB_STATIC_ASSERT(offsetof(struct vmcb, n_cr3) == 0x0B0, "n_cr3");
TB_STATIC_ASSERT(offsetof(struct vmcb, nrip) == 0x0C8, "nrip");
TB_STATIC_ASSERT(offsetof(struct vmcb, es) == 0x400, "es");
TB_STATIC_ASSERT(offsetof(struct vmcb, tr) == 0x490, "tr");
TB_STATIC_ASSERT(offsetof(struct vmcb, cpl) == 0x4CB, "cpl");
TB_STATIC_ASSERT(offsetof(struct vmcb, efer) == 0x4D0, "efer");
TB_STATIC_ASSERT(offsetof(struct vmcb, cr4) == 0x548, "cr4");
TB_STATIC_ASSERT(offsetof(struct vmcb, rip) == 0x578, "rip");
TB_STATIC_ASSERT(offsetof(struct vmcb, rsp) == 0x5D8, "rsp");
TB_STATIC_ASSERT(offsetof(struct vmcb, rax) == 0x5F8, "rax");
TB_STATIC_ASSERT(offsetof(struct vmcb, cr2) == 0x640, "cr2");
TB_STATIC_ASSERT(offsetof(struct vmcb, g_pat) == 0x668, "g_pat");
TB_STATIC_ASSERT(sizeof(struct vmcb) == 0x1000, "vmcb size");

/* intercept_misc1 (APM table B-1, offset 0x00C). */
#define INTERCEPT_NMI        (1u << 1)
#define INTERCEPT_SMI        (1u << 2)
#define INTERCEPT_INIT       (1u << 3)
#define INTERCEPT_CPUID      (1u << 18)
#define INTERCEPT_RSM        (1u << 19)
#define INTERCEPT_INVD       (1u << 22)
#define INTERCEPT_HLT        (1u << 24)
#define INTERCEPT_INVLPGA    (1u << 26)
#define INTERCEPT_IOIO       (1u << 27)
#define INTERCEPT_MSR        (1u << 28)
#define INTERCEPT_TASKSWITCH (1u << 29)
#define INTERCEPT_SHUTDOWN   (1u << 31)
/* intercept_misc2 (offset 0x010). */
#define INTERCEPT_VMRUN      (1u << 0)
#define INTERCEPT_VMMCALL    (1u << 1)
#define INTERCEPT_VMLOAD     (1u << 2)
#define INTERCEPT_VMSAVE     (1u << 3)
#define INTERCEPT_STGI       (1u << 4)
#define INTERCEPT_CLGI       (1u << 5)
#define INTERCEPT_SKINIT     (1u << 6)
#define INTERCEPT_RDTSCP_UNUSED (1u << 7)
#define INTERCEPT_ICEBP      (1u << 8)
#define INTERCEPT_WBINVD     (1u << 9)
#define INTERCEPT_MONITOR    (1u << 10)
#define INTERCEPT_MWAIT      (1u << 11)
#define INTERCEPT_MWAIT_COND (1u << 12)
#define INTERCEPT_XSETBV     (1u << 13)

#define VINTR_MASKING        (1ull << 24)   /* guest IF masks only virtual interrupts */
#define NP_ENABLE            (1ull << 0)
#define TLB_FLUSH_ALL        1u

/* #VMEXIT codes (APM appendix C). */
#define VMEXIT_NMI           0x061
#define VMEXIT_CPUID         0x072
#define VMEXIT_HLT           0x078
#define VMEXIT_IOIO          0x07B
#define VMEXIT_MSR           0x07C
#define VMEXIT_SHUTDOWN      0x07F
#define VMEXIT_VMRUN         0x080
#define VMEXIT_VMMCALL       0x081
#define VMEXIT_SKINIT        0x086
#define VMEXIT_NPF           0x400
#define VMEXIT_INVALID       ((u64)-1)

/* VMRUN refused the guest state. The EXITCODE field is 64 bits and hardware writes -1; QEMU's TCG
 * (7.2) stores its 32-bit exit code zero-extended, 0x00000000FFFFFFFF. Both mean VMEXIT_INVALID. */
static inline int vmexit_is_invalid(u64 exitcode)
{
	return exitcode == VMEXIT_INVALID || exitcode == 0xFFFFFFFFull;
}

/* Segment attributes in VMCB format (descriptor bits 40-47 -> 0-7, 52-55 -> 8-11). */
#define SEG_ATTR_CODE32      0xC9B   /* G, D/B, P, S, type 0xB execute/read accessed */
#define SEG_ATTR_DATA32      0xC93   /* G, D/B, P, S, type 0x3 read/write accessed */
#define SEG_ATTR_CODE64      0xA9B   /* G, L, P, S, type 0xB execute/read accessed */
#define SEG_ATTR_TSS32_BUSY  0x08B   /* P, type 0xB busy 32-bit TSS */
#define SEG_ATTR_LDT         0x082   /* P, type 0x2 LDT */

#endif
