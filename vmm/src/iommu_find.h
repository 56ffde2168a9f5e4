/* Finding the AMD IOMMUs on the machine: the ACPI IVRS (ivrs.c) checked against PCI class 0806h.
 * One source for the SLB (32-bit, paging off, before it loads the VMM) and the VMM (64-bit, identity
 * map), so both decide "IOMMU", "no IOMMU" or "stop the launch" alike (vmm/README.md "DMA protection").
 * AMD I/O Virtualization Technology (IOMMU) Specification #48882 rev. 3.x, §3.1 (PCI capability). */
#ifndef VMM_IOMMU_FIND_H
#define VMM_IOMMU_FIND_H

#include "ivrs.h"

/* The IOMMU registers must lie in 0xC0000000-0xFFF7FFFF: the VMM maps 3-4 GiB uncached. */
#define IOMMU_WINDOW_LOW   0xC0000000ull
#define IOMMU_WINDOW_END   (0x100000000ull - 0x80000u)

/* Walks ACPI to the IVRS, copies it into copy (capacity cap bytes) and parses the copy into *info,
 * then checks every unit's register window and that PCI agrees: every class 0806h function is an
 * IVRS unit with a secure-device capability where the IVRS says, and every unit is such a function.
 * Returns NULL (info->nr_units = 0: neither ACPI nor PCI shows an IOMMU) or a one-line reason. */
const char *iommu_find(struct ivrs_info *info, u8 *copy, u32 cap);

/* PCI configuration mechanism #1 (ports 0xCF8/0xCFC), bus 0-255 of segment 0. */
u32 pci_read(u16 bdf, u8 off);
void pci_write(u16 bdf, u8 off, u32 v);

#endif
