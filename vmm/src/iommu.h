/* DMA protection with the AMD IOMMU (vmm/README.md "DMA protection"): the hardware structures of
 * AMD I/O Virtualization Technology (IOMMU) Specification #48882 rev. 3.x and the VMM's use of them.
 * Pure parts (IVRS, the device= words) are in ivrs.c and devassign.c. */
#ifndef VMM_IOMMU_H
#define VMM_IOMMU_H

#include <tb/types.h>
#include "policy.h"

/* MMIO registers (#48882 §3.4). */
#define IOMMU_MMIO_DEVTAB_BASE  0x0000u   /* [51:12] base, [8:0] size in 4 KiB units - 1 */
#define IOMMU_MMIO_CMDBUF_BASE  0x0008u   /* [51:12] base, [59:56] ComLen = log2(entries) */
#define IOMMU_MMIO_EVTLOG_BASE  0x0010u   /* [51:12] base, [59:56] EventLen = log2(entries) */
#define IOMMU_MMIO_CONTROL      0x0018u
#define IOMMU_MMIO_EXCL_BASE    0x0020u   /* exclusion range: bit 0 ExEn, bit 1 Allow */
#define IOMMU_MMIO_EXCL_LIMIT   0x0028u
#define IOMMU_MMIO_EFR          0x0030u   /* extended features */
#define IOMMU_MMIO_CMD_HEAD     0x2000u
#define IOMMU_MMIO_CMD_TAIL     0x2008u
#define IOMMU_MMIO_EVT_HEAD     0x2010u
#define IOMMU_MMIO_EVT_TAIL     0x2018u
#define IOMMU_MMIO_STATUS       0x2020u
#define IOMMU_MMIO_SIZE         0x4000u   /* what the VMM touches: registers up to 0x2020 */

#define IOMMU_CTRL_EN           (1ull << 0)
#define IOMMU_CTRL_EVTLOG_EN    (1ull << 2)
#define IOMMU_CTRL_CMDBUF_EN    (1ull << 12)
#define IOMMU_EFR_IA            (1ull << 6)   /* INVALIDATE_IOMMU_ALL supported */

/* Device table entry, 256 bits (#48882 §2.2.2.1). The VMM sets only the fields named here. */
struct iommu_dte {
	u64 q0;   /* 0: [0] V, [1] TV, [11:9] Mode (levels), [51:12] page table root, [61] IR, [62] IW */
	u64 q1;   /* 8: [15:0] DomainID */
	u64 q2;   /* 16: interrupt remapping: left 0 (IV = 0, see README) */
	u64 q3;   /* 24 */
} TB_PACKED;
TB_STATIC_ASSERT(sizeof(struct iommu_dte) == 32, "device table entry is 256 bits");
TB_STATIC_ASSERT(offsetof(struct iommu_dte, q1) == 8, "DTE DomainID quadword");

#define DTE_V          (1ull << 0)
#define DTE_TV         (1ull << 1)
#define DTE_MODE(n)    ((u64)(n) << 9)
#define DTE_IR         (1ull << 61)
#define DTE_IW         (1ull << 62)
#define IOMMU_DEVICES  65536u                /* one entry per 16-bit device id: 2 MiB */

/* I/O page table entry (#48882 §2.2.3): [0] PR, [11:9] NextLevel (0 = page), [51:12] address,
 * [61] IR, [62] IW. */
#define IOPTE_PR       (1ull << 0)
#define IOPTE_NEXT(n)  ((u64)(n) << 9)
#define IOPTE_IR       (1ull << 61)
#define IOPTE_IW       (1ull << 62)

/* Command buffer entry, 128 bits (#48882 §2.4): opcode in bits 63:60 of the first quadword. */
struct iommu_cmd {
	u64 q0;
	u64 q1;
} TB_PACKED;
TB_STATIC_ASSERT(sizeof(struct iommu_cmd) == 16, "command is 128 bits");

#define CMD_COMPLETION_WAIT     0x1ull   /* q0 [0] S = store q1 at q0[51:3] << 3 */
#define CMD_INVAL_DEVTAB_ENTRY  0x2ull   /* q0 [15:0] DeviceID */
#define CMD_INVAL_IOMMU_PAGES   0x3ull   /* q0 [47:32] DomainID; q1 [0] S, [63:12] address */
#define CMD_INVAL_IOMMU_ALL     0x8ull
#define CMD_OPCODE(op)          ((op) << 60)

/* Event log entry, 128 bits (#48882 §2.5): [15:0] DeviceID, event code in bits 63:60, the
 * faulting address in the second quadword. */
struct iommu_event {
	u64 q0;
	u64 q1;
} TB_PACKED;
TB_STATIC_ASSERT(sizeof(struct iommu_event) == 16, "event is 128 bits");
#define EVT_IO_PAGE_FAULT       0x2u

/* devassign.c (pure): the `device=NAME:BB:DD.F` words of the measured VMM command line. */
#define DEV_ASSIGN_MAX 4u
struct dev_assign {
	char name[32];                   /* guest name, NUL-padded */
	u16 bdf;                         /* bus << 8 | device << 3 | function */
};
/* NULL and *n set, or a one-line reason (bad syntax, more than DEV_ASSIGN_MAX, a device twice). */
const char *dev_assign_parse(const char *cmdline, struct dev_assign out[DEV_ASSIGN_MAX], u32 *n);

struct guest;
struct tb_evlog;

/* Finds and programs every IOMMU (all devices blocked), or finds none; dies on malformed
 * firmware tables or a disagreement between IVRS and PCI. Then applies the device= words. */
void dma_protect(const struct launch_config *cfg);
/* Extends PCR 18 with the dma-protection event (docs/launch-protocol.md "Measurements"). */
void dma_measure(struct tb_evlog *log);
/* A guest's assigned device: BAR pages in its nested page table (pd covers GPA 3-4 GiB, pt is a
 * spare zeroed page), I/O page tables for its memory, bus mastering on while it runs. */
void dma_map_bar(const struct guest *g, u64 *pd_high, u64 *pt);
void dma_guest_start(const struct guest *g, u32 index);
void dma_guest_end(const struct guest *g);
struct lx_range;
/* The Linux guest's devices: identity DMA to 0-4 GiB without the hidden ranges (no-op without IOMMU). */
void dma_linux_start(const struct lx_range *hidden, u32 n);
/* BAR0 GPA, or ~0 when no device is assigned; *dma_offset = what the device adds to a GPA. */
u64 dma_guest_bar(const struct guest *g, u64 *dma_offset);

#endif
