/* Our own GDT, IDT and identity page tables (the SLB's live in its scratch area, which we do not
 * trust to stay put). AMD64 APM vol. 2: §4.8 long-mode segment descriptors, §5.3 4-level paging
 * with 2 MiB pages, §8.2 and §8.9 interrupt descriptor table. */
#include "vmm.h"

#define PTE_P   (1ull << 0)
#define PTE_RW  (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS  (1ull << 7)
#define CR0_EM  (1ull << 2)
#define CR0_TS  (1ull << 3)
#define CR4_OSFXSR  (1ull << 9)
#define CR4_OSXSAVE (1ull << 18)
#define XCR0_X87    1ull

struct idt_gate {
	u16 offset_lo;                   /* 0 */
	u16 selector;                    /* 2 */
	u8 ist;                          /* 4 */
	u8 type_attr;                    /* 5: P, DPL 0, type 0xE (64-bit interrupt gate) */
	u16 offset_mid;                  /* 6 */
	u32 offset_hi;                   /* 8 */
	u32 reserved;                    /* 12 */
} TB_PACKED;
TB_STATIC_ASSERT(sizeof(struct idt_gate) == 16, "idt gate size");

struct dtr {
	u16 limit;
	u64 base;
} TB_PACKED;

/* Identity map of 0-4 GiB: PML4 -> PDPT -> 4 page directories of 2 MiB pages. */
static u64 pml4[512] __attribute__((aligned(4096)));
static u64 pdpt[512] __attribute__((aligned(4096)));
static u64 pd[4][512] __attribute__((aligned(4096)));

/* 0x08: 64-bit code (L=1, P, S, type 0xB); 0x10: data (P, S, type 0x3, writable). The accessed bit is
 * preset: the CPU would otherwise set it on the first segment load, writing into .rodata, and the
 * VMM's image in memory must stay byte for byte what was measured (tests/linux-vmm compares it). */
static const u64 gdt[3] = { 0, 0x00209B0000000000ull, 0x0000930000000000ull };
static struct idt_gate idt[32];

extern char exc_stubs[];

/* Register state that VMRUN and #VMEXIT do not switch and no VMCB field holds: the x87/SSE/AVX
 * and every other XSAVE component, XCR0, DR0-DR3. cpu_clear_guest_state resets it from this
 * area: FXSAVE layout with the reset control words (FCW 0x037F at 0, MXCSR 0x1F80 at 24, Intel
 * SDM vol. 1 §10.5.1), zero registers, and an XSAVE header (at 512) whose XSTATE_BV = 0 makes
 * XRSTOR put every requested component in its initial state (SDM vol. 1 §13.8.1); the standard
 * form still loads MXCSR from byte 24. */
static u8 fpu_reset_area[576] __attribute__((aligned(64))) = { [0] = 0x7F, [1] = 0x03, [24] = 0x80, [25] = 0x1F };
static u64 xcr0_supported;               /* CPUID 0Dh.0 EDX:EAX; 0 without XSAVE */

struct exc_frame {
	u64 vector, error, rip, cs, rflags, rsp, ss;
};

TB_NORETURN void exception_handler(const struct exc_frame *f);
void exception_handler(const struct exc_frame *f)
{
	u64 cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	con_puts("VMM: exception vector ");
	con_dec(f->vector);
	con_puts(" error ");
	con_hex(f->error);
	con_puts(" rip ");
	con_hex(f->rip);
	con_puts(" cr2 ");
	con_hex(cr2);
	con_puts("\n");
	die("unexpected exception in the VMM");
}

void load_segments(void);

void cpu_init(void)
{
	for (u64 i = 0; i < 4; i++) {
		for (u64 j = 0; j < 512; j++) {
			u64 pa = (i << 30) | (j << 21);
			/* The top GiB holds MMIO (TPM, APIC): uncached. */
			u64 cache = i == 3 ? PTE_PCD | PTE_PWT : 0;
			pd[i][j] = pa | PTE_P | PTE_RW | PTE_PS | cache;
		}
		pdpt[i] = (u64)(uptr)pd[i] | PTE_P | PTE_RW;
	}
	pml4[0] = (u64)(uptr)pdpt | PTE_P | PTE_RW;
	__asm__ volatile("mov %0, %%cr3" : : "r"((u64)(uptr)pml4) : "memory");

	struct dtr gdtr = { sizeof(gdt) - 1, (u64)(uptr)gdt };
	__asm__ volatile("lgdt %0" : : "m"(gdtr));
	load_segments();

	for (u32 v = 0; v < 32; v++) {
		u64 h = (u64)(uptr)(exc_stubs + 16 * v);
		idt[v] = (struct idt_gate){ (u16)h, 0x08, 0, 0x8E, (u16)(h >> 16), (u32)(h >> 32), 0 };
	}
	struct dtr idtr = { sizeof(idt) - 1, (u64)(uptr)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));

	/* FXRSTOR/XRSTOR/XSETBV need EM = TS = 0, OSFXSR (else XMM and MXCSR are left alone) and
	 * OSXSAVE. The VMM itself never uses x87 or SSE (-mno-sse -mno-mmx). */
	u64 cr0, cr4;
	u32 r[4];
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 & ~(CR0_EM | CR0_TS)));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cpuid(1, 0, r);
	if (r[2] & (1u << 26)) {
		cr4 |= CR4_OSXSAVE;
		cpuid(0xD, 0, r);
		xcr0_supported = (u64)r[3] << 32 | r[0];
	}
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_OSFXSR));
}

static void xsetbv(u64 v)
{
	__asm__ volatile("xsetbv" : : "c"(0), "a"((u32)v), "d"((u32)(v >> 32)));
}

/* Before the first guest (the launcher and the SLB are untrusted) and after every guest: nothing
 * a guest loaded reaches the next one (vmm/README.md "Register state between guests"). XCR0 is
 * reset here whether or not XSETBV was intercepted: QEMU 7.2's TCG executes a guest's XSETBV
 * despite the intercept. DR6 and DR7 are VMCB fields, set per guest by svm_prepare_guest; the
 * host's are restored by #VMEXIT (APM vol. 2 §15.5.2). Debug-register access is not intercepted:
 * each guest owns clean debug registers. */
void cpu_clear_guest_state(void)
{
	if (xcr0_supported != 0) {
		xsetbv(xcr0_supported);          /* every component, so XRSTOR resets them all */
		__asm__ volatile("xrstor %0" : : "m"(fpu_reset_area), "a"((u32)xcr0_supported),
				 "d"((u32)(xcr0_supported >> 32)));
		xsetbv(XCR0_X87);                /* the reset value the next guest starts with */
	} else {
		/* No XSAVE: FXRSTOR resets x87 and SSE. AMD's FXRSTOR leaves the x87 last-instruction
		 * and operand pointers alone unless an exception is pending (APM vol. 5 FXRSTOR), so
		 * an FILD of the VMM's own zero overwrites the previous guest's first. */
		static const u32 zero;
		__asm__ volatile("fnclex; emms; fildl %1; fxrstor %0" : : "m"(fpu_reset_area), "m"(zero));
	}
	__asm__ volatile("mov %0, %%dr0; mov %0, %%dr1; mov %0, %%dr2; mov %0, %%dr3" : : "r"(0ull));
}
