/* Our own GDT, IDT and identity page tables (the SLB's live in its scratch area, which we do not
 * trust to stay put). AMD64 APM vol. 2: §4.8 long-mode segment descriptors, §5.3 4-level paging
 * with 2 MiB pages, §8.2 and §8.9 interrupt descriptor table. */
#include "vmm.h"

#define PTE_P   (1ull << 0)
#define PTE_RW  (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS  (1ull << 7)

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
}
