/* Shared declarations of the VMM proper (hardware side). */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <tb/types.h>
#include <tb/bootinfo.h>
#include "policy.h"

#define COM1 0x3F8
#define COM2 0x2F8
#define COM3 0x3E8
#define DEBUG_EXIT_PORT 0xF4
#define DEBUG_EXIT_OK   0x10
#define DEBUG_EXIT_DIE  0x11

#define GUEST_MEM_SIZE   0x00400000ull    /* 4 MiB of guest-physical RAM at GPA 0 */
#define GUEST_LOAD_GPA   0x00100000ull    /* image loaded here, entry point = first byte */
#define GUEST_MAX_IMAGE  (GUEST_MEM_SIZE - GUEST_LOAD_GPA)
#define GUEST_TPM0_GPA   0xFED40000ull    /* TPM TIS locality 0, mapped 1:1 for every guest */
#define PAGE_SIZE        0x1000ull
#define LARGE_PAGE_SIZE  0x200000ull

#define EFER_SCE        (1ull << 0)
#define EFER_LME        (1ull << 8)
#define EFER_LMA        (1ull << 10)
#define EFER_NXE        (1ull << 11)
#define EFER_SVME       (1ull << 12)

/* Guest general-purpose registers VMRUN does not save (offsets used by head.S). */
struct guest_regs {
	u64 rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};
TB_STATIC_ASSERT(offsetof(struct guest_regs, r15) == 104, "guest_regs layout is shared with head.S");

enum guest_state { GUEST_REFUSED, GUEST_READY, GUEST_DONE };

struct guest {
	char name[32];
	enum guest_state state;
	u64 mem_pa;                      /* host-physical base of its 4 MiB */
	u64 image_len;
	int com3;                        /* may use COM3 (the tpm-proxy guest) */
	int is_linux;                    /* loaded by linux_decide; memory: see linux_vm.c */
	struct guest_regs regs;
	struct vmcb *vmcb;
	u64 *npt;                        /* 6 pages: PML4, PDPT, PD 0-1 GiB, PD 3-4 GiB, PT TPM, PT device */
};

struct vmcb;
struct tb_evlog;

/* console.c */
void con_puts(const char *s);                 /* raw text on COM1 */
void con_hex(u64 v);
void con_dec(u64 v);
void log_line(const char *a, const char *b, const char *c);   /* "VMM: " a b c "\n" */
TB_NORETURN void die(const char *why);
TB_NORETURN void die_err(const char *what, int err);          /* "what: <tb_strerror>" */

/* cpu.c */
void cpu_init(void);
void cpu_clear_guest_state(void);        /* x87/SSE/XSAVE state, XCR0 = 1, DR0-DR3 = 0 */

/* main.c: the guest pool (bump allocation from 0x04000000) */
u64 pool_alloc(u64 size, u64 align);          /* 0 if there is no room */
u64 pool_mark(void);
void pool_release(u64 mark);                  /* give back everything allocated after mark */

/* linux_vm.c */
void linux_decide(struct guest *g, const struct tb_module *kmod, const struct tb_module *imod,
		  const u8 *mf, size_t mf_len, const struct launch_config *cfg, struct guest_decision *d);
void linux_prepare(struct guest *g, struct vmcb *v, const struct guest *all, u32 nr,
		   const struct tb_bootinfo *bi, const struct tb_evlog *log);
void linux_exit_msr(struct guest *g, struct vmcb *v);   /* never stops the guest */
const char *linux_exit_npf(struct guest *g, struct vmcb *v);
const char *linux_exit_io(struct guest *g, struct vmcb *v);

/* svm.c */
void svm_init(void);
void svm_prepare_guest(struct guest *g, u32 index);
void svm_run_guest(struct guest *g, const struct tb_evlog *log);

/* head.S */
void svm_run(u64 vmcb_pa, struct guest_regs *regs, u64 host_save_pa);

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static inline void cpuid(u32 leaf, u32 sub, u32 r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

#endif
