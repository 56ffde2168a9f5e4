/* The SLB's DMA protection (skinit-loader/README.md "DMA protection"): before the VMM is copied and
 * measured, every IOMMU gets a device table in which every device id is valid with no read or write
 * permission, so no device can change the VMM, the boot-info or the event log after the SLB measured
 * them. The VMM later replaces these tables with its own (vmm/README.md "DMA protection").
 * Finding the IOMMUs is the VMM's code (vmm/src/iommu_find.c, ivrs.c), compiled for the SLB.
 * AMD I/O Virtualization Technology (IOMMU) Specification #48882 rev. 3.x: §2.2.2 device table
 * entry, §2.4 commands, §3.4 MMIO registers. */
#include "slb.h"
#include "iommu_find.h"
#include <tb/bootinfo.h>
#include <tb/io.h>
#include <tb/string.h>

/* MMIO registers (#48882 §3.4) */
#define REG_DEVTAB       0x0000u   /* [51:12] base, [8:0] size in 4 KiB pages - 1 */
#define REG_CMDBUF       0x0008u   /* [51:12] base, [59:56] log2(entries) */
#define REG_CONTROL      0x0018u   /* [0] IommuEn, [12] CmdBufEn */
#define REG_EXCL_BASE    0x0020u   /* exclusion range: it would let devices bypass translation */
#define REG_EXCL_LIMIT   0x0028u
#define REG_EFR          0x0030u   /* [6] INVALIDATE_IOMMU_ALL supported */
#define REG_CMD_HEAD     0x2000u
#define REG_CMD_TAIL     0x2008u
#define CTRL_ON          (1u << 0 | 1u << 12)
#define EFR_IA           (1u << 6)

#define DEVTAB_BYTES     0x200000u /* 65,536 entries of 32 bytes: every device id of segment 0 */
#define DTE_V_TV         0x3u      /* q0 [0] V, [1] TV; mode 0, IR = IW = 0: no access at all */
#define CMD_RING         4096u     /* 256 commands, the smallest ring (ComLen 8) */
#define OP_COMPLETION    (0x1u << 28)   /* opcodes in bits 63:60, i.e. 31:28 of the high word */
#define OP_INVAL_DTE     (0x2u << 28)
#define OP_INVAL_ALL     (0x8u << 28)
#define WAIT_LIMIT       10000000u

/* An 8 KiB copy of the IVRS inside the DEV-protected 64 KiB: no device can change it while it is
 * parsed. Real tables are a few hundred bytes; a larger one stops the launch. */
static u8 ivrs_copy[8192];
static struct ivrs_info info;
TB_STATIC_ASSERT(TB_SLB_IOMMU_CMD + IVRS_MAX_UNITS * CMD_RING <= TB_SLB_IOMMU_WAIT, "command buffers fit");

/* 64-bit registers as two 32-bit accesses, low half first (#48882 §3.4 allows 32-bit access). */
static void wr(uptr base, u32 reg, u32 lo, u32 hi)
{
	mmio_write32(base + reg, lo);
	mmio_write32(base + reg + 4, hi);
}

/* Commands are 128 bits: q0 low and high, q1 low and high (#48882 §2.4). Returns the new tail. */
static u32 submit(uptr base, u32 *ring, u32 tail, u32 q0lo, u32 q0hi, u32 q1lo)
{
	u32 *c = ring + tail / 4;

	c[0] = q0lo;
	c[1] = q0hi;
	c[2] = q1lo;
	c[3] = 0;
	tail = (tail + 16) % CMD_RING;
	__asm__ volatile("" : : : "memory");     /* x86 keeps stores in order; the compiler must too */
	wr(base, REG_CMD_TAIL, tail, 0);
	return tail;
}

/* COMPLETION_WAIT with a store: every earlier command has taken effect once the value lands. */
static u32 complete(uptr base, u32 *ring, u32 tail)
{
	volatile u32 *store = (volatile u32 *)(uptr)TB_SLB_IOMMU_WAIT;

	*store = 0;
	tail = submit(base, ring, tail, TB_SLB_IOMMU_WAIT | 1, OP_COMPLETION, 1);
	for (u32 i = 0; *store != 1; i++) {
		if (i == WAIT_LIMIT)
			die("DMA protection: IOMMU did not complete COMPLETION_WAIT");
		io_delay();
	}
	return tail;
}

/* #48882 §3.4: translation off, our device table and command buffer, no exclusion range, then
 * IOMMU and command buffer on, and everything cached from earlier tables dropped. */
static void deny_all(uptr base, u32 *ring)
{
	u32 tail = 0;

	wr(base, REG_CONTROL, 0, 0);
	wr(base, REG_EXCL_BASE, 0, 0);
	wr(base, REG_EXCL_LIMIT, 0, 0);
	wr(base, REG_DEVTAB, TB_SLB_DEVTAB_ADDR | (DEVTAB_BYTES / 4096 - 1), 0);
	wr(base, REG_CMDBUF, (u32)(uptr)ring, 8u << 24);
	wr(base, REG_CMD_HEAD, 0, 0);
	wr(base, REG_CMD_TAIL, 0, 0);
	wr(base, REG_CONTROL, CTRL_ON, 0);
	if ((mmio_read32(base + REG_CONTROL) & CTRL_ON) != CTRL_ON ||
	    (mmio_read32(base + REG_DEVTAB) & ~0xFFFu) != TB_SLB_DEVTAB_ADDR)
		die("DMA protection: the IOMMU did not take the device table or enable");
	if (mmio_read32(base + REG_EFR) & EFR_IA) {
		tail = submit(base, ring, tail, 0, OP_INVAL_ALL, 0);
	} else {
		for (u32 d = 0; d < DEVTAB_BYTES / 32; d++) {
			tail = submit(base, ring, tail, d, OP_INVAL_DTE, 0);
			if (d % 128 == 127)
				tail = complete(base, ring, tail);
		}
	}
	complete(base, ring, tail);
}

void slb_dma_protect(void)
{
	u32 *devtab = (u32 *)(uptr)TB_SLB_DEVTAB_ADDR;
	const char *e = iommu_find(&info, ivrs_copy, sizeof(ivrs_copy));

	if (e != NULL)
		die(e);
	if (info.nr_units == 0) {
		say("no IOMMU found (no IVRS, no PCI class 0806h): devices are not kept out");
		return;
	}
	tb_memset(devtab, 0, DEVTAB_BYTES);
	for (u32 d = 0; d < DEVTAB_BYTES / 4; d += 8)
		devtab[d] = DTE_V_TV;
	for (u32 u = 0; u < info.nr_units; u++) {
		u32 *ring = (u32 *)(uptr)(TB_SLB_IOMMU_CMD + u * CMD_RING);
		tb_memset(ring, 0, CMD_RING);
		deny_all((uptr)info.unit[u].base, ring);
	}
	say("IOMMU: every device id blocked");
}
