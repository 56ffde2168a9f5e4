/* state-check: runs right after state-set and checks that none of that guest's register state
 * reached it (vmm/README.md "Register state between guests"): debug registers, XCR0, the x87,
 * SSE and MXCSR state, PKRU and the upper halves of YMM0-7 must hold their reset values. One line
 * per check, "ok   ..." or "FAIL ... (got 0x...)". The AVX check comes last: it needs XSETBV,
 * which hardware intercepts (the VMM then stops this guest) and QEMU 7.2's TCG executes. */
#include "guest.h"

#define CR0_MP       (1u << 1)
#define CR0_EM       (1u << 2)
#define CR0_TS       (1u << 3)
#define CR0_NE       (1u << 5)
#define CR4_OSFXSR   (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_OSXSAVE  (1u << 18)
#define CR4_PKE      (1u << 22)

/* FXSAVE / XSAVE standard-form offsets (Intel SDM vol. 1 §10.5.1, §13.4; AMD APM vol. 2 §11.4). */
#define FX_FCW       0
#define FX_FSW       2
#define FX_FTW       4               /* abridged tag byte: 0 = all eight registers empty */
#define FX_MXCSR     24
#define FX_ST0       32              /* eight 16-byte slots, 10 bytes used */
#define FX_XMM0      160             /* eight 16-byte registers in 32-bit mode */
#define XS_YMM_HI    576             /* AVX component: upper 128 bits of YMM0-7 */

static u8 area[1024] __attribute__((aligned(64)));

void guest_main(void);

static void cpuid(u32 leaf, u32 r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

static void check(const char *what, u32 got, u32 want)
{
	static const char digits[] = "0123456789abcdef";
	char num[11];

	if (got == want) {
		report(what, 1);
		return;
	}
	for (int i = 0; i < 8; i++)
		num[i] = digits[(got >> (28 - 4 * i)) & 0xF];
	num[8] = ')';
	num[9] = '\n';
	num[10] = '\0';
	puts_guest("FAIL ");
	puts_guest(what);
	puts_guest(" (got 0x");
	puts_guest(num);
}

/* The first nonzero 32-bit word of [off, off + len) in the save area, 0 if all are zero. */
static u32 nonzero(u32 off, u32 len, u32 stride, u32 used)
{
	for (u32 slot = off; slot < off + len; slot += stride) {
		for (u32 i = 0; i < used; i++) {
			if (area[slot + i] != 0)
				return 0x100u | area[slot + i];
		}
	}
	return 0;
}

static u32 u16_at(u32 off) { return (u32)area[off] | (u32)area[off + 1] << 8; }
static u32 u32_at(u32 off) { return u16_at(off) | u16_at(off + 2) << 16; }

void guest_main(void)
{
	u32 r[4], v, lo, hi;

	__asm__ volatile("mov %%dr0, %0" : "=r"(v));
	check("DR0 is 0", v, 0);
	__asm__ volatile("mov %%dr1, %0" : "=r"(v));
	check("DR1 is 0", v, 0);
	__asm__ volatile("mov %%dr2, %0" : "=r"(v));
	check("DR2 is 0", v, 0);
	__asm__ volatile("mov %%dr3, %0" : "=r"(v));
	check("DR3 is 0", v, 0);
	__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	check("DR6 is 0xffff0ff0", v, 0xFFFF0FF0u);
	__asm__ volatile("mov %%dr7, %0" : "=r"(v));
	check("DR7 is 0x400", v, 0x400);

	cpuid(1, r);
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	v = (v & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE;
	__asm__ volatile("mov %0, %%cr0" : : "r"(v));
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	v |= CR4_OSFXSR | CR4_OSXMMEXCPT | ((r[2] & (1u << 26)) ? CR4_OSXSAVE : 0);
	__asm__ volatile("mov %0, %%cr4" : : "r"(v));
	if (r[2] & (1u << 26)) {                 /* without XSAVE there is no XCR0 */
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		check("XCR0 is 1 (x87 only)", lo | hi, 1);
	}

	__asm__ volatile("fxsave %0" : "=m"(area));
	check("x87 control word is 0x37f", u16_at(FX_FCW), 0x37F);
	check("x87 status word is 0", u16_at(FX_FSW), 0);
	check("x87 registers all empty (abridged tag word 0)", area[FX_FTW], 0);
	check("ST0-ST7 are zero", nonzero(FX_ST0, 8 * 16, 16, 10), 0);
	check("MXCSR is 0x1f80", u32_at(FX_MXCSR), 0x1F80);
	check("XMM0-XMM7 are zero", nonzero(FX_XMM0, 8 * 16, 16, 16), 0);

	cpuid(7, r);
	if (r[2] & (1u << 3)) {
		__asm__ volatile("mov %%cr4, %0" : "=r"(v));
		__asm__ volatile("mov %0, %%cr4" : : "r"(v | CR4_PKE));
		__asm__ volatile(".byte 0x0f, 0x01, 0xee" : "=a"(v) : "c"(0) : "edx");   /* RDPKRU */
		check("PKRU is 0", v, 0);
	}

	cpuid(1, r);
	if ((r[2] & (1u << 26)) && (r[2] & (1u << 28))) {     /* XSAVE and AVX */
		tb_memset(area, 0, sizeof(area));
		__asm__ volatile("xsetbv" : : "a"(7u), "d"(0u), "c"(0u));
		__asm__ volatile("xsave %0" : "=m"(area) : "a"(7u), "d"(0u));
		check("YMM0-YMM7 upper halves are zero", nonzero(XS_YMM_HI, 8 * 16, 16, 16), 0);
	}
	hypercall(HC_SHUTDOWN, 0, 0, NULL);
}
