/* SVM: enabling (AMD64 APM vol. 2 §15.4), guest set-up with nested paging (§15.25), the run loop
 * and #VMEXIT handling (§15.6, §15.9-15.13), and the hypercall ABI (vmm/README.md). */
#include "vmm.h"
#include "vmcb.h"
#include "iommu.h"
#include <tb/io.h>
#include <tb/string.h>
#include <tb/evlog.h>
#include <tb/serial.h>

#define MSR_EFER        0xC0000080u
#define MSR_VM_CR       0xC0010114u
#define MSR_VM_HSAVE_PA 0xC0010117u
#define VM_CR_SVMDIS    (1ull << 4)

#define NPT_P   (1ull << 0)
#define NPT_RW  (1ull << 1)
#define NPT_US  (1ull << 2)   /* nested walks are user accesses (APM §15.25.5): required */
#define NPT_PS  (1ull << 7)

#define HC_VERSION       0u
#define HC_CONSOLE_WRITE 1u
#define HC_EVLOG_READ    2u
#define HC_SHUTDOWN      3u
#define HC_DEVICE_BAR    4u
#define HC_ABI_VERSION   1u
#define HC_OK            0u
#define HC_ERR_UNKNOWN   0xFFFFFFFFu
#define HC_ERR_LENGTH    0xFFFFFFFEu
#define HC_ERR_TOO_SMALL 0xFFFFFFFDu
#define HC_ERR_PERM      0xFFFFFFFCu
#define HC_CONSOLE_MAX   4096u

static u8 hsave[4096] __attribute__((aligned(4096)));          /* VM_HSAVE_PA area */
static struct vmcb host_save __attribute__((aligned(4096)));   /* host VMLOAD/VMSAVE state */
/* I/O permission maps (APM §15.10.1): 12 KiB, one bit per port, 1 = intercept. */
static u8 iopm_deny[3 * 4096] __attribute__((aligned(4096)));
static u8 iopm_com3[3 * 4096] __attribute__((aligned(4096)));
/* MSR permission map (APM §15.11): 8 KiB, all ones = every RDMSR/WRMSR exits. */
static u8 msrpm[2 * 4096] __attribute__((aligned(4096)));
static struct vmcb vmcbs[TB_BOOTINFO_MAX_MODULES] __attribute__((aligned(4096)));
static u64 npts[TB_BOOTINFO_MAX_MODULES][6][512] __attribute__((aligned(4096)));
static u32 nr_asids;
static u64 efer_writable;                /* EFER bits a guest may write (handle_msr) */

void svm_init(void)
{
	u32 r[4];

	cpuid(0x80000001u, 0, r);
	if (!(r[2] & (1u << 2)))
		die("CPU has no SVM (CPUID 8000_0001h ECX bit 2)");
	cpuid(0x8000000Au, 0, r);
	if (!(r[3] & 1u))
		die("CPU has no nested paging (CPUID 8000_000Ah EDX bit 0)");
	nr_asids = r[1];
	if (nr_asids < 2)
		die("CPU reports fewer than 2 ASIDs");
	cpuid(0x80000001u, 0, r);
	efer_writable = EFER_SCE | EFER_LME | EFER_LMA | ((r[3] & (1u << 20)) ? EFER_NXE : 0);
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		die("SVM disabled by firmware (VM_CR.SVMDIS)");
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, (u64)(uptr)hsave);

	tb_memset(iopm_deny, 0xFF, sizeof(iopm_deny));
	tb_memset(iopm_com3, 0xFF, sizeof(iopm_com3));
	/* The tpm-proxy guest drives COM3 itself and uses port 0x80 (POST code, write-only) as the
	 * TIS library's 1 us delay; nothing else is ever passed through. */
	iopm_com3[COM3 / 8] = 0x00;                  /* 0x3E8-0x3EF: one whole byte */
	iopm_com3[0x80 / 8] &= (u8)~(1u << (0x80 % 8));
	tb_memset(msrpm, 0xFF, sizeof(msrpm));

	/* Capture the host's FS/GS/TR/LDTR and syscall MSRs once: svm_run restores them after
	 * every #VMEXIT. */
	__asm__ volatile("vmsave %0" : : "a"((u64)(uptr)&host_save) : "memory");
}

static void seg(struct vmcb_seg *s, u16 sel, u16 attrib, u32 limit)
{
	s->selector = sel;
	s->attrib = attrib;
	s->limit = limit;
	s->base = 0;
}

/* Nested page tables: GPA [0, 4 MiB) -> the guest's own memory in 2 MiB pages, and the one
 * 4 KiB page of TPM locality 0 at its real address. Nothing else exists for the guest: the VMM,
 * the SLB, boot-info, the event log and TPM localities 1-4 fault with a nested page fault. */
static void build_npt(struct guest *g)
{
	u64 *pml4 = g->npt, *pdpt = g->npt + 512, *pd_low = g->npt + 1024;
	u64 *pd_high = g->npt + 1536, *pt_tpm = g->npt + 2048;
	const u64 tbl = NPT_P | NPT_RW | NPT_US;

	tb_memset(g->npt, 0, 6 * 4096);
	pml4[0] = (u64)(uptr)pdpt | tbl;
	pdpt[0] = (u64)(uptr)pd_low | tbl;
	pdpt[GUEST_TPM0_GPA >> 30] = (u64)(uptr)pd_high | tbl;
	for (u64 off = 0; off < GUEST_MEM_SIZE; off += LARGE_PAGE_SIZE)
		pd_low[off >> 21] = (g->mem_pa + off) | tbl | NPT_PS;
	pd_high[(GUEST_TPM0_GPA >> 21) & 511] = (u64)(uptr)pt_tpm | tbl;
	pt_tpm[(GUEST_TPM0_GPA >> 12) & 511] = GUEST_TPM0_GPA | tbl;
	dma_map_bar(g, pd_high, g->npt + 2560);     /* an assigned device's registers, if any */
}

/* Guest start state: 32-bit protected mode, paging off, flat segments, EIP = 1 MiB, ESP at the
 * top of its memory, interrupts off (vmm/README.md "Guest environment"). */
void svm_prepare_guest(struct guest *g, u32 index)
{
	struct vmcb *v = &vmcbs[index];

	g->vmcb = v;
	g->npt = &npts[index][0][0];
	if (!g->is_linux)                /* linux_prepare builds the Linux guest's own */
		build_npt(g);
	tb_memset(v, 0, sizeof(*v));
	tb_memset(&g->regs, 0, sizeof(g->regs));

	v->intercept_misc1 = INTERCEPT_NMI | INTERCEPT_SMI | INTERCEPT_INIT | INTERCEPT_CPUID |
		INTERCEPT_RSM | INTERCEPT_INVD | INTERCEPT_HLT | INTERCEPT_INVLPGA | INTERCEPT_IOIO |
		INTERCEPT_MSR | INTERCEPT_TASKSWITCH | INTERCEPT_SHUTDOWN;
	v->intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_VMLOAD |
		INTERCEPT_VMSAVE | INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT |
		INTERCEPT_ICEBP | INTERCEPT_WBINVD | INTERCEPT_MONITOR | INTERCEPT_MWAIT |
		INTERCEPT_MWAIT_COND | INTERCEPT_XSETBV;
	v->iopm_base_pa = (u64)(uptr)(g->com3 ? iopm_com3 : iopm_deny);
	v->msrpm_base_pa = (u64)(uptr)msrpm;
	/* ASID 0 belongs to the host. Guests run one after another, so ASIDs may repeat; the TLB
	 * is flushed on every guest's first VMRUN anyway. */
	v->guest_asid = 1 + index % (nr_asids - 1);
	v->tlb_control = TLB_FLUSH_ALL;
	v->vintr = VINTR_MASKING;        /* physical interrupts stay masked by the host's IF = 0 */
	v->np_control = NP_ENABLE;
	v->n_cr3 = (u64)(uptr)g->npt;

	seg(&v->cs, 0x08, SEG_ATTR_CODE32, 0xFFFFFFFF);
	seg(&v->ds, 0x10, SEG_ATTR_DATA32, 0xFFFFFFFF);
	seg(&v->es, 0x10, SEG_ATTR_DATA32, 0xFFFFFFFF);
	seg(&v->ss, 0x10, SEG_ATTR_DATA32, 0xFFFFFFFF);
	seg(&v->fs, 0x10, SEG_ATTR_DATA32, 0xFFFFFFFF);
	seg(&v->gs, 0x10, SEG_ATTR_DATA32, 0xFFFFFFFF);
	seg(&v->gdtr, 0, 0, 0);
	seg(&v->idtr, 0, 0, 0);
	seg(&v->ldtr, 0, SEG_ATTR_LDT, 0);
	seg(&v->tr, 0, SEG_ATTR_TSS32_BUSY, 0x67);
	v->cpl = 0;
	v->efer = EFER_SVME;             /* required by VMRUN (APM §15.5.1); hidden from the guest */
	v->cr0 = 0x11;                   /* PE, ET */
	v->cr4 = 0;
	v->cr3 = 0;
	v->dr6 = 0xFFFF0FF0;
	v->dr7 = 0x400;
	v->rflags = 0x2;
	v->rip = GUEST_LOAD_GPA;
	v->rsp = GUEST_MEM_SIZE - 16;
	v->rax = 0;
	v->g_pat = 0x0007040600070406ull;
}

/* ---- exit handling ---- */

enum { RUN_CONTINUE, RUN_STOP, RUN_FINISHED };

struct exit_ctx {
	struct guest *g;
	struct vmcb *v;
	const struct tb_evlog *log;
	const char *why;                 /* stop reason */
	u64 arg;                         /* printed after the reason, if nonzero flagged */
	int has_arg;
	int line_start;                  /* console: next guest byte starts a line */
};

static int stop(struct exit_ctx *c, const char *why, u64 arg, int has_arg)
{
	c->why = why;
	c->arg = arg;
	c->has_arg = has_arg;
	return RUN_STOP;
}

/* In 32-bit modes the upper register halves are not architecturally visible to the guest. */
static u64 arg_reg(const struct vmcb *v, u64 r)
{
	return (v->efer & EFER_LMA) ? r : (u32)r;
}

static void emulate_cpuid(struct exit_ctx *c)
{
	struct vmcb *v = c->v;
	u32 leaf = (u32)v->rax, r[4];

	if (leaf >= 0x40000000u && leaf <= 0x400000FFu) {
		/* Hypervisor leaf: max leaf and the vendor signature "TrustbitVMM\0". */
		r[0] = 0x40000000u;
		r[1] = 0x73757254u;      /* "Trus" */
		r[2] = 0x74696274u;      /* "tbit" */
		r[3] = 0x004D4D56u;      /* "VMM\0" */
	} else {
		cpuid(leaf, (u32)c->g->regs.rcx, r);
		if (leaf == 1) {
			r[2] |= 1u << 31;        /* hypervisor present */
			r[2] &= ~(1u << 5);      /* no VMX */
		} else if (leaf == 0x80000001u) {
			r[2] &= ~((1u << 2) | (1u << 12));   /* no SVM, no SKINIT */
		} else if (leaf == 0x8000000Au) {
			r[0] = r[1] = r[2] = r[3] = 0;       /* no SVM features */
		}
	}
	v->rax = r[0];
	c->g->regs.rbx = r[1];
	c->g->regs.rcx = r[2];
	c->g->regs.rdx = r[3];
	v->rip += 2;                     /* 0F A2 */
}

static int handle_msr(struct exit_ctx *c)
{
	struct vmcb *v = c->v;
	struct guest_regs *r = &c->g->regs;
	u32 msr = (u32)r->rcx;

	if (msr != MSR_EFER && c->g->is_linux) {
		linux_exit_msr(c->g, v);
		return RUN_CONTINUE;
	}
	if (msr != MSR_EFER)
		return stop(c, c->v->exitinfo1 ? "WRMSR to MSR " : "RDMSR of MSR ", msr, 1);
	if (v->exitinfo1 == 0) {                 /* RDMSR: the guest never sees SVME */
		u64 val = v->efer & ~EFER_SVME;
		v->rax = (u32)val;
		r->rdx = (u32)(val >> 32);
	} else {
		u64 val = (u64)(u32)r->rdx << 32 | (u32)v->rax;
		/* A write the CPU would answer with #GP stops the guest, with the reason logged. */
		const char *why = efer_write_refusal(v->efer, v->cr0, val, efer_writable);
		if (why != NULL)
			return stop(c, why, 0, 0);
		/* LMA is read-only: keep the current value (APM §3.1.7). */
		v->efer = (val & ~EFER_LMA) | (v->efer & EFER_LMA) | EFER_SVME;
	}
	v->rip += 2;                             /* 0F 32 / 0F 30 */
	return RUN_CONTINUE;
}

/* Guest console text: printable ASCII only, every line prefixed with the guest's name so a
 * guest cannot forge "VMM: " lines. */
static void guest_console(struct exit_ctx *c, const u8 *p, u64 len)
{
	for (u64 i = 0; i < len; i++) {
		u8 ch = p[i];
		if (c->line_start) {
			con_puts(c->g->name);
			con_puts(": ");
			c->line_start = 0;
		}
		if (ch == '\n') {
			c->line_start = 1;
		} else if (ch < 0x20 || ch > 0x7E) {
			ch = '.';
		}
		serial_putc(COM1, (char)ch);
	}
}

static int handle_vmmcall(struct exit_ctx *c)
{
	struct vmcb *v = c->v;
	struct guest_regs *r = &c->g->regs;
	u64 fn = arg_reg(v, v->rax), a1 = arg_reg(v, r->rbx), a2 = arg_reg(v, r->rcx);
	u8 *mem = (u8 *)(uptr)c->g->mem_pa;

	v->rip += 3;                             /* 0F 01 D9 */
	/* Only the guest's kernel may call: from CPL > 0 (ring 3, virtual-8086 mode) no function is
	 * served and the caller goes on with EAX = HC_ERR_PERM, as KVM answers -KVM_EPERM. */
	if (v->cpl != 0) {
		v->rax = HC_ERR_PERM;
		return RUN_CONTINUE;
	}
	if (c->g->is_linux)                      /* the hypercall ABI is for the flat guests */
		fn = ~0ull;
	switch (fn) {
	case HC_VERSION:
		v->rax = HC_ABI_VERSION;
		return RUN_CONTINUE;
	case HC_CONSOLE_WRITE:
		if (!guest_range_ok(GUEST_MEM_SIZE, a1, a2))
			return stop(c, "hypercall console-write: buffer outside guest memory at ", a1, 1);
		if (a2 > HC_CONSOLE_MAX) {
			v->rax = HC_ERR_LENGTH;
			return RUN_CONTINUE;
		}
		guest_console(c, mem + a1, a2);
		v->rax = HC_OK;
		return RUN_CONTINUE;
	case HC_EVLOG_READ:
		if (!guest_range_ok(GUEST_MEM_SIZE, a1, a2))
			return stop(c, "hypercall evlog-read: buffer outside guest memory at ", a1, 1);
		if (a2 < c->log->used) {
			v->rax = HC_ERR_TOO_SMALL;
			r->rbx = c->log->used;
			return RUN_CONTINUE;
		}
		tb_memcpy(mem + a1, c->log->base, c->log->used);
		v->rax = c->log->used;
		return RUN_CONTINUE;
	case HC_SHUTDOWN:
		c->arg = a1;
		return RUN_FINISHED;
	case HC_DEVICE_BAR:
		v->rax = (u32)dma_guest_bar(c->g, &r->rbx);
		return RUN_CONTINUE;
	default:
		v->rax = HC_ERR_UNKNOWN;
		return RUN_CONTINUE;
	}
}

static int handle_exit(struct exit_ctx *c)
{
	struct vmcb *v = c->v;
	const char *why;

	if (c->g->is_linux && v->exitcode == VMEXIT_IOIO) {
		why = linux_exit_io(c->g, v);
		return why == NULL ? RUN_CONTINUE : stop(c, why, v->exitinfo1 >> 16, 1);
	}
	if (c->g->is_linux && v->exitcode == VMEXIT_NPF) {
		why = linux_exit_npf(c->g, v);
		return why == NULL ? RUN_CONTINUE : stop(c, why, v->exitinfo2, 1);
	}

	if (vmexit_is_invalid(v->exitcode))
		return stop(c, "VMRUN refused the guest state (VMEXIT_INVALID)", 0, 0);
	switch (v->exitcode) {
	case VMEXIT_VMMCALL:
		return handle_vmmcall(c);
	case VMEXIT_CPUID:
		emulate_cpuid(c);
		return RUN_CONTINUE;
	case VMEXIT_MSR:
		return handle_msr(c);
	case VMEXIT_HLT:
		return stop(c, "HLT (no interrupts are ever delivered)", 0, 0);
	case VMEXIT_IOIO:
		/* Ports the guest may use never exit (IOPM). EXITINFO1 (APM §15.10.2): bits 31:16
		 * port, bit 0 IN; EXITINFO2 the next RIP. A write to the POST-code port 0x80 is the
		 * TIS library's delay and is dropped; every other access ends the guest. */
		if (v->exitinfo1 >> 16 == 0x80 && !(v->exitinfo1 & 1)) {
			v->rip = v->exitinfo2;
			return RUN_CONTINUE;
		}
		return stop(c, "I/O port access to port ", v->exitinfo1 >> 16, 1);
	case VMEXIT_NPF:
		return stop(c, "nested page fault at guest-physical ", v->exitinfo2, 1);
	case VMEXIT_SHUTDOWN:
		return stop(c, "shutdown (triple fault)", 0, 0);
	case VMEXIT_VMRUN:
		return stop(c, "VMRUN executed", 0, 0);
	case VMEXIT_SKINIT:
		return stop(c, "SKINIT executed", 0, 0);
	default:
		return stop(c, "unexpected #VMEXIT code ", v->exitcode, 1);
	}
}

void svm_run_guest(struct guest *g, const struct tb_evlog *log)
{
	struct exit_ctx c = { g, g->vmcb, log, NULL, 0, 0, 1 };
	int rc;

	log_line("guest ", g->name, " running");
	do {
		svm_run((u64)(uptr)g->vmcb, &g->regs, (u64)(uptr)&host_save);
		g->vmcb->tlb_control = 0;
		rc = handle_exit(&c);
	} while (rc == RUN_CONTINUE);
	if (!c.line_start)
		con_puts("\n");
	con_puts("VMM: guest ");
	con_puts(g->name);
	if (rc == RUN_FINISHED) {
		con_puts(" shut down, status ");
		con_dec(c.arg);
	} else {
		con_puts(" stopped: ");
		con_puts(c.why);
		if (c.has_arg)
			con_hex(c.arg);
		con_puts(" (rip ");
		con_hex(g->vmcb->rip);
		con_puts(")");
	}
	con_puts("\n");
	g->state = GUEST_DONE;
}
