/* The Linux guest: verification and loading (after the chain passes), its identity-mapped
 * guest-physical space, the 64-bit boot-protocol entry state and the exits only it has.
 * vmm/README.md "Linux guests"; boot protocol: kernel Documentation/x86/boot.rst; nested paging:
 * AMD64 APM vol. 2 §15.25; MSR and I/O permission maps §15.10-15.11. */
#include "vmm.h"
#include "vmcb.h"
#include "linux.h"
#include "iommu.h"
#include <tb/io.h>
#include <tb/string.h>
#include <tb/evlog.h>

#define FOUR_GIB          0x100000000ull
#define LX_MAX_KERNEL     0x04000000ull          /* 64 MiB bzImage */
#define LX_MAX_INITRD     0x20000000ull          /* 512 MiB initramfs */
#define LX_HIDDEN_START   TB_SLB_MIN_BASE        /* SLB window, boot-info, event log, VMM */
#define LX_HIDDEN_END     TB_VMM_END
#define LX_TPM_LOC1       (GUEST_TPM0_GPA + PAGE_SIZE)
#define LX_TPM_LOC_END    (GUEST_TPM0_GPA + 5 * PAGE_SIZE)

/* The boot block: one 2 MiB pool allocation (usable RAM for the guest except the log copy). */
#define BB_BOOT_PARAMS    0x0000u
#define BB_CMDLINE        0x1000u
#define BB_GDT            0x2000u
#define BB_PML4           0x3000u
#define BB_PDPT           0x4000u
#define BB_PD             0x5000u                /* 4 pages: 0-4 GiB in 2 MiB pages */
#define BB_STACK_TOP      0xF000u
#define BB_LOG            0x10000u               /* event-log copy, an e820 reserved range */
#define BB_CMDLINE_MAX    0x1000u

#define NPT_P   (1ull << 0)
#define NPT_RW  (1ull << 1)
#define NPT_US  (1ull << 2)
#define NPT_PWT (1ull << 3)
#define NPT_PCD (1ull << 4)
#define NPT_PS  (1ull << 7)

#define MSR_EFER        0xC0000080u
#define MSR_VM_CR       0xC0010114u
#define VM_CR_LOCKED_DISABLED 0x18u              /* LOCK | SVMDIS: "SVM is off here" */
#define MAX_WRITE_LOGS  16u

static struct {
	int used;                                /* one Linux guest per launch */
	u64 block, stage, stage_len, load, initrd, initrd_len;
	struct linux_image li;
	u32 cmdline_len;
	char cmdline[MF_LINUX_MAX_CMDLINE];
	u32 write_logs;
} lx;

/* Nested tables: identity 0-4 GiB; the hidden window and other guests' memory map to one
 * read-only page of 0xFF (pt_ff), as do TPM localities 1-4 (pt_tpm). */
static u64 npt_pml4[512] __attribute__((aligned(4096)));
static u64 npt_pdpt[512] __attribute__((aligned(4096)));
static u64 npt_pd[4][512] __attribute__((aligned(4096)));
static u64 npt_pt_ff[512] __attribute__((aligned(4096)));
static u64 npt_pt_tpm[512] __attribute__((aligned(4096)));
static u8 ff_page[4096] __attribute__((aligned(4096)));
static u8 sink_page[4096] __attribute__((aligned(4096)));
/* Only the SVM/SMM MSRs are intercepted (APM §15.11: two bits per MSR, read then write). */
static u8 msrpm[2 * 4096] __attribute__((aligned(4096)));
/* Only isa-debug-exit (0xF4-0xF7) and COM2 (the harness channel, 0x2F8-0x2FF) are intercepted. */
static u8 iopm[3 * 4096] __attribute__((aligned(4096)));

static u64 round_up(u64 v, u64 a) { return (v + a - 1) & ~(a - 1); }

/* Copy kernel and initrd into pool memory (the launcher's copies stay untouched: TOCTOU),
 * verify, then parse and place the kernel. Fills d; on refusal nothing stays allocated. */
void linux_decide(struct guest *g, const struct tb_module *kmod, const struct tb_module *imod,
		  const u8 *mf, size_t mf_len, const struct launch_config *cfg, struct guest_decision *d)
{
	u64 start = pool_mark();
	const char *err;

	tb_memset(d, 0, sizeof(*d));
	d->is_linux = 1;
	if (kmod->size == 0 || kmod->size > LX_MAX_KERNEL || imod->size == 0 || imod->size > LX_MAX_INITRD) {
		d->reason = REFUSE_IMAGE_SIZE;
		d->detail = "kernel empty or above 64 MiB, or initrd empty or above 512 MiB";
		return;
	}
	if (lx.used) {
		d->reason = REFUSE_NO_MEMORY;
		d->detail = "only one Linux guest per launch";
		return;
	}
	lx.block = pool_alloc(LARGE_PAGE_SIZE, LARGE_PAGE_SIZE);
	lx.stage = lx.block ? pool_alloc(round_up(kmod->size, LARGE_PAGE_SIZE), LARGE_PAGE_SIZE) : 0;
	lx.initrd = lx.stage ? pool_alloc(round_up(imod->size, PAGE_SIZE), LARGE_PAGE_SIZE) : 0;
	if (lx.initrd == 0) {
		pool_release(start);
		d->reason = REFUSE_NO_MEMORY;
		d->detail = "no room in the guest pool for kernel and initrd";
		return;
	}
	lx.stage_len = kmod->size;
	lx.initrd_len = imod->size;
	tb_memcpy((void *)(uptr)lx.stage, (const void *)(uptr)kmod->addr, kmod->size);
	tb_memcpy((void *)(uptr)lx.initrd, (const void *)(uptr)imod->addr, imod->size);
	linux_verify((const u8 *)(uptr)lx.stage, kmod->size, (const u8 *)(uptr)lx.initrd, imod->size,
		     mf, mf_len, cfg, d);
	if (d->reason == REFUSE_NONE) {
		struct manifest m;
		manifest_parse(mf, mf_len, &m);          /* parsed before: cannot fail */
		err = linux_parse((const u8 *)(uptr)lx.stage, kmod->size, &lx.li);
		if (err == NULL && m.cmdline_len + 48 > lx.li.cmdline_max)
			err = "command line longer than the kernel's cmdline_size";
		if (err == NULL && lx.initrd + lx.initrd_len - 1 > lx.li.initrd_addr_max)
			err = "initrd would lie above the kernel's initrd_addr_max";
		if (err == NULL) {
			lx.load = pool_alloc(round_up(lx.li.init_size, LARGE_PAGE_SIZE), lx.li.alignment);
			if (lx.load == 0)
				err = "no room for the kernel's init_size in the guest pool";
		}
		if (err != NULL) {
			d->reason = REFUSE_BAD_KERNEL;
			d->detail = err;
		} else {
			tb_memcpy(lx.cmdline, m.cmdline, m.cmdline_len);
			lx.cmdline_len = m.cmdline_len;
			tb_memcpy((void *)(uptr)lx.load, (const u8 *)(uptr)lx.stage + lx.li.setup_size,
				  lx.li.kernel_size);
		}
	}
	if (d->reason != REFUSE_NONE) {
		tb_memset((void *)(uptr)lx.block, 0, LARGE_PAGE_SIZE);
		tb_memset((void *)(uptr)lx.stage, 0, lx.stage_len);
		tb_memset((void *)(uptr)lx.initrd, 0, lx.initrd_len);
		if (lx.load != 0)
			tb_memset((void *)(uptr)lx.load, 0, lx.li.kernel_size);
		pool_release(start);
		tb_memset(&lx, 0, sizeof(lx));
		return;
	}
	lx.used = 1;
	g->is_linux = 1;
}

static void put_hex(char *p, u32 *n, u64 v)
{
	static const char hex[] = "0123456789abcdef";
	int started = 0;

	p[(*n)++] = '0';
	p[(*n)++] = 'x';
	for (int s = 60; s >= 0; s -= 4) {
		u32 nib = (u32)(v >> s) & 15u;
		if (nib != 0 || started || s == 0) {
			p[(*n)++] = hex[nib];
			started = 1;
		}
	}
}

static void build_npt(const struct guest *all, u32 nr)
{
	const u64 tbl = NPT_P | NPT_RW | NPT_US;

	tb_memset(ff_page, 0xFF, sizeof(ff_page));
	tb_memset(sink_page, 0xFF, sizeof(sink_page));
	for (u32 k = 0; k < 512; k++)
		npt_pt_ff[k] = (u64)(uptr)ff_page | NPT_P | NPT_US;          /* read-only */
	npt_pml4[0] = (u64)(uptr)npt_pdpt | tbl;
	for (u64 i = 0; i < 4; i++) {
		npt_pdpt[i] = (u64)(uptr)npt_pd[i] | tbl;
		for (u64 j = 0; j < 512; j++) {
			u64 pa = i << 30 | j << 21;
			npt_pd[i][j] = pa | tbl | NPT_PS | (i == 3 ? NPT_PCD | NPT_PWT : 0);
			if (pa >= LX_HIDDEN_START && pa < LX_HIDDEN_END)
				npt_pd[i][j] = (u64)(uptr)npt_pt_ff | tbl;
		}
	}
	/* Other guests' memory (4 MiB, 2 MiB-aligned) is hidden too. */
	for (u32 i = 0; i < nr; i++) {
		if (all[i].is_linux || all[i].mem_pa == 0)
			continue;
		for (u64 off = 0; off < GUEST_MEM_SIZE; off += LARGE_PAGE_SIZE) {
			u64 pa = all[i].mem_pa + off;
			npt_pd[pa >> 30][(pa >> 21) & 511] = (u64)(uptr)npt_pt_ff | tbl;
		}
	}
	u64 tpm_2m = GUEST_TPM0_GPA & ~(LARGE_PAGE_SIZE - 1);
	for (u64 k = 0; k < 512; k++) {
		u64 pa = tpm_2m + k * PAGE_SIZE;
		npt_pt_tpm[k] = pa >= LX_TPM_LOC1 && pa < LX_TPM_LOC_END ?
			(u64)(uptr)ff_page | NPT_P | NPT_US : pa | tbl | NPT_PCD | NPT_PWT;
	}
	npt_pd[3][(tpm_2m >> 21) & 511] = (u64)(uptr)npt_pt_tpm | tbl;
}

static void set_bit2(u32 msr, int bitpos)
{
	u32 base;

	if (msr < 0x2000u)
		base = 0;
	else if (msr >= 0xC0000000u && msr < 0xC0002000u)
		base = 0x800 * 8, msr -= 0xC0000000u;
	else
		base = 0x1000 * 8, msr -= 0xC0010000u;
	u32 bit = base + msr * 2 + (u32)bitpos;
	msrpm[bit / 8] |= (u8)(1u << (bit % 8));
}

static void build_permission_maps(void)
{
	/* EFER, VM_CR, IGNNE, SMM_CTL, VM_HSAVE_PA, SVM_KEY, SMM_BASE/ADDR/MASK (APM §15.30, §10.2). */
	static const u32 intercepted[] = { MSR_EFER, 0xC0010111u, 0xC0010112u, 0xC0010113u,
		MSR_VM_CR, 0xC0010115u, 0xC0010116u, 0xC0010117u, 0xC0010118u };

	tb_memset(msrpm, 0, sizeof(msrpm));
	for (u32 i = 0; i < TB_ARRAY_SIZE(intercepted); i++) {
		set_bit2(intercepted[i], 0);
		set_bit2(intercepted[i], 1);
	}
	tb_memset(iopm, 0, sizeof(iopm));
	iopm[DEBUG_EXIT_PORT / 8] |= 0x0F << (DEBUG_EXIT_PORT % 8);
	iopm[COM2 / 8] = 0xFF;
}

/* Everything the 64-bit entry needs, written now that the event log is final: e820, command line
 * (the signed one plus " trustbit.drtm_log=ADDR,LEN"), the log copy, page tables, GDT, zero page,
 * nested tables, and the VMCB state (boot.rst "64-bit BOOT PROTOCOL"). */
void linux_prepare(struct guest *g, struct vmcb *v, const struct guest *all, u32 nr,
		   const struct tb_bootinfo *bi, const struct tb_evlog *log)
{
	u8 *bb = (u8 *)(uptr)lx.block;
	struct lx_range holes[TB_BOOTINFO_MAX_MODULES + 1];
	struct e820_entry e820[LX_E820_MAX];
	u32 nh = 0, n = 0;

	holes[nh++] = (struct lx_range){ LX_HIDDEN_START, LX_HIDDEN_END };
	for (u32 i = 0; i < nr; i++) {
		if (!all[i].is_linux && all[i].mem_pa != 0)
			holes[nh++] = (struct lx_range){ all[i].mem_pa, all[i].mem_pa + GUEST_MEM_SIZE };
	}
	u64 log_gpa = lx.block + BB_LOG;
	u32 ne = linux_e820(bi->mem, bi->nr_mem, holes, nh,
			    (struct lx_range){ log_gpa, log_gpa + TB_EVLOG_CAPACITY }, e820, LX_E820_MAX);
	if (ne == 0)
		die("Linux guest: more than 128 e820 entries");
	tb_memcpy(bb + BB_LOG, log->base, log->used);

	char *cl = (char *)bb + BB_CMDLINE;
	tb_memcpy(cl, lx.cmdline, lx.cmdline_len);
	n = lx.cmdline_len;
	tb_memcpy(cl + n, " trustbit.drtm_log=", 19);
	n += 19;
	put_hex(cl, &n, log_gpa);
	cl[n++] = ',';
	put_hex(cl, &n, log->used);
	cl[n] = '\0';

	u64 *pml4 = (u64 *)(bb + BB_PML4), *pdpt = (u64 *)(bb + BB_PDPT), *pd = (u64 *)(bb + BB_PD);
	for (u64 i = 0; i < 4 * 512; i++)
		pd[i] = i << 21 | 0x83;                          /* P, RW, PS */
	for (u64 i = 0; i < 4; i++)
		pdpt[i] = (lx.block + BB_PD + i * PAGE_SIZE) | 0x03;
	pml4[0] = (lx.block + BB_PDPT) | 0x03;
	u64 *gdt = (u64 *)(bb + BB_GDT);
	gdt[2] = 0x00AF9A000000FFFFull;                          /* 0x10: __BOOT_CS, 64-bit */
	gdt[3] = 0x00CF92000000FFFFull;                          /* 0x18: __BOOT_DS */

	linux_boot_params(bb + BB_BOOT_PARAMS, (const u8 *)(uptr)lx.stage, &lx.li,
			  (u32)(lx.block + BB_CMDLINE), (u32)lx.initrd, (u32)lx.initrd_len, e820, ne);
	build_npt(all, nr);
	dma_linux_start(holes, nh);
	build_permission_maps();

	/* Intercepts: the SVM instructions, VMMCALL, CPUID, the MSRs and ports above, INIT,
	 * shutdown, INVD. Interrupts, NMIs, HLT, MWAIT, WBINVD and XSETBV belong to the guest. */
	v->intercept_misc1 = INTERCEPT_INIT | INTERCEPT_CPUID | INTERCEPT_RSM | INTERCEPT_INVD |
		INTERCEPT_INVLPGA | INTERCEPT_IOIO | INTERCEPT_MSR | INTERCEPT_TASKSWITCH |
		INTERCEPT_SHUTDOWN;
	v->intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_VMLOAD |
		INTERCEPT_VMSAVE | INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT;
	v->iopm_base_pa = (u64)(uptr)iopm;
	v->msrpm_base_pa = (u64)(uptr)msrpm;
	v->vintr = 0;                    /* the guest's IF masks physical interrupts */
	v->n_cr3 = (u64)(uptr)npt_pml4;
	g->npt = npt_pml4;

	v->cs = (struct vmcb_seg){ 0x10, SEG_ATTR_CODE64, 0xFFFFFFFF, 0 };
	v->ds = v->es = v->ss = v->fs = v->gs = (struct vmcb_seg){ 0x18, SEG_ATTR_DATA32, 0xFFFFFFFF, 0 };
	v->gdtr = (struct vmcb_seg){ 0, 0, 0x1F, lx.block + BB_GDT };
	v->efer = EFER_LME | EFER_LMA | EFER_SVME;
	v->cr0 = 0x80000011;             /* PG, ET, PE */
	v->cr4 = 0x20;                   /* PAE */
	v->cr3 = lx.block + BB_PML4;
	v->rip = lx.load + LX_ENTRY_64;
	v->rsp = lx.block + BB_STACK_TOP;
	g->regs.rsi = lx.block + BB_BOOT_PARAMS;
	con_puts("VMM: Linux guest: kernel at ");
	con_hex(lx.load);
	con_puts(", initrd at ");
	con_hex(lx.initrd);
	con_puts(", ");
	con_dec(ne);
	con_puts(" e820 entries, command line: ");
	con_puts(cl);
	con_puts("\n");
}

static void inject_gp(struct vmcb *v)
{
	v->eventinj = 13u | 3u << 8 | 1u << 11 | 1u << 31;    /* #GP, exception, error code 0, valid */
}

/* Every MSR but EFER (svm.c) that exits: VM_CR reads as "SVM locked off", the rest raise #GP as on
 * a CPU without them. Never stops the guest. */
void linux_exit_msr(struct guest *g, struct vmcb *v)
{
	u32 msr = (u32)g->regs.rcx;

	if (msr == MSR_VM_CR && v->exitinfo1 == 0) {
		v->rax = VM_CR_LOCKED_DISABLED;
		g->regs.rdx = 0;
		v->rip += 2;
	} else {
		inject_gp(v);
	}
}

/* Writes to the 0xFF pages (hidden memory, TPM localities 1-4) never reach their target: the page
 * is re-pointed to a discard page that the write lands in, and the attempt is logged. Any other
 * nested page fault stops the guest. */
const char *linux_exit_npf(struct guest *g, struct vmcb *v)
{
	u64 gpa = v->exitinfo2;
	u64 *pte = NULL;

	(void)g;
	if (!(v->exitinfo1 & 2))
		return "nested page fault at guest-physical ";
	if (gpa >= LX_TPM_LOC1 && gpa < LX_TPM_LOC_END)
		pte = &npt_pt_tpm[(gpa >> 12) & 511];
	else if (gpa < FOUR_GIB && (npt_pd[gpa >> 30][(gpa >> 21) & 511] & ~0xFFFull) == (u64)(uptr)npt_pt_ff)
		pte = &npt_pt_ff[(gpa >> 12) & 511];
	if (pte == NULL)
		return "nested page fault at guest-physical ";
	if (lx.write_logs++ < MAX_WRITE_LOGS) {
		con_puts("VMM: guest ");
		con_puts(g->name);
		con_puts(gpa >= LX_TPM_LOC1 && gpa < LX_TPM_LOC_END ? ": write to TPM locality " :
			 ": write to hidden memory ");
		con_hex(gpa);
		con_puts(" refused (discarded)\n");
	}
	*pte = (u64)(uptr)sink_page | NPT_P | NPT_RW | NPT_US;
	v->tlb_control = TLB_FLUSH_ALL;
	return NULL;
}

/* isa-debug-exit and COM2 belong to the VMM and the harness: reads see no device (all ones),
 * writes are dropped. String forms stop the guest. EXITINFO1 (APM §15.10.2): bit 0 IN, bit 2
 * string, bits 4-6 operand size; EXITINFO2 the next RIP. */
const char *linux_exit_io(struct guest *g, struct vmcb *v)
{
	(void)g;
	if (v->exitinfo1 & 4)
		return "string I/O to a VMM port ";
	if (v->exitinfo1 & 0x10)
		v->rax |= 0xFF;
	else if (v->exitinfo1 & 0x20)
		v->rax |= 0xFFFF;
	else if (v->exitinfo1 & 1)
		v->rax = 0xFFFFFFFF;                     /* 32-bit IN zero-extends */
	v->rip = v->exitinfo2;
	return NULL;
}
