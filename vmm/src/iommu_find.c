/* iommu_find.h: ACPI and PCI agree on the IOMMUs, or the launch stops. Built into the VMM and the SLB. */
#include "iommu_find.h"
#include <tb/io.h>
#include <tb/string.h>

#define PCI_CLASS_IOMMU     0x0806u
#define PCI_CAP_ID_SECURE   0x0Fu
/* A firmware pointer into 0xFEC00000-4 GiB (I/O APIC, HPET, TPM, IOMMU, local APIC, flash) is refused:
 * reads there can have side effects (a TPM FIFO read consumes a byte), and tables are in RAM. */
#define ACPI_READ_LIMIT     0xFEC00000ull

u32 pci_read(u16 bdf, u8 off)
{
	outl(0xCF8, 0x80000000u | (u32)bdf << 8 | (off & 0xFCu));
	return inl(0xCFC);
}

void pci_write(u16 bdf, u8 off, u32 v)
{
	outl(0xCF8, 0x80000000u | (u32)bdf << 8 | (off & 0xFCu));
	outl(0xCFC, v);
}

/* ACPI reads: only below the chipset window, never wrapping. */
static const u8 *phys_map(void *ctx, u64 pa, u64 len)
{
	(void)ctx;
	if (pa >= ACPI_READ_LIMIT || len > ACPI_READ_LIMIT - pa)
		return NULL;
	return (const u8 *)(uptr)pa;
}

/* "DMA protection: PCI function BB:DD.F is an IOMMU (class 0806h) missing from the ACPI IVRS", built
 * in bss: the SLB never writes its measured bytes (initialised data included). */
static const char *missing(u16 bdf)
{
	static const char text[] = "DMA protection: PCI function BB:DD.F is an IOMMU (class 0806h) missing from the ACPI IVRS";
	static const char hex[] = "0123456789abcdef";
	static char m[sizeof(text)];
	char *p = m + 29;

	tb_memcpy(m, text, sizeof(text));
	p[0] = hex[bdf >> 12];
	p[1] = hex[(bdf >> 8) & 15];
	p[3] = hex[(bdf >> 7) & 1];
	p[4] = hex[(bdf >> 3) & 15];
	p[6] = (char)('0' + (bdf & 7));
	return m;
}

/* One present PCI function: if its class is 0806h it must be an IVRS unit with a secure device
 * capability where the IVRS says; marks that unit seen. */
static const char *check_function(const struct ivrs_info *info, u16 bdf, u32 *seen)
{
	u32 i = 0;

	if (pci_read(bdf, 8) >> 16 != PCI_CLASS_IOMMU)
		return NULL;
	while (i < info->nr_units && info->unit[i].device_id != bdf)
		i++;
	if (i == info->nr_units)
		return missing(bdf);
	u8 cap = (u8)info->unit[i].cap_offset;
	if (cap < 0x40 || (pci_read(bdf, cap) & 0xFFu) != PCI_CAP_ID_SECURE)
		return "DMA protection: IVRS capability offset does not name the IOMMU's capability";
	*seen |= 1u << i;
	return NULL;
}

/* Functions 1-7 are looked at only behind a multi-function function 0 (header type bit 7, PCI 3.0
 * §6.2.1): a single-function device may mirror function 0 there. */
static const char *pci_cross_check(const struct ivrs_info *info)
{
	u32 seen = 0;
	const char *e = NULL;

	for (u32 dev = 0; dev < 0x10000u && e == NULL; dev += 8) {
		if ((pci_read((u16)dev, 0) & 0xFFFFu) == 0xFFFFu)
			continue;
		e = check_function(info, (u16)dev, &seen);
		if (!(pci_read((u16)dev, 0x0C) & 0x00800000u))
			continue;
		for (u32 fn = 1; fn < 8 && e == NULL; fn++) {
			if ((pci_read((u16)(dev | fn), 0) & 0xFFFFu) != 0xFFFFu)
				e = check_function(info, (u16)(dev | fn), &seen);
		}
	}
	if (e == NULL && seen != (1u << info->nr_units) - 1)
		e = "DMA protection: the IVRS lists an IOMMU that PCI does not show (class 0806h)";
	return e;
}

const char *iommu_find(struct ivrs_info *info, u8 *copy, u32 cap)
{
	u64 pa;
	u32 len;
	const char *e;

	tb_memset(info, 0, sizeof(*info));
	e = acpi_find_ivrs(phys_map, NULL, &pa, &len);
	if (e == NULL && len > cap)
		e = "DMA protection: the IVRS is larger than this loader's copy of it";
	if (e == NULL && len != 0) {
		tb_memcpy(copy, (const void *)(uptr)pa, len);        /* parse a copy (TOCTOU) */
		e = ivrs_parse(copy, len, info);
	}
	for (u32 u = 0; e == NULL && u < info->nr_units; u++) {
		if (info->unit[u].base < IOMMU_WINDOW_LOW || info->unit[u].base > IOMMU_WINDOW_END)
			e = "DMA protection: IOMMU registers outside the 3-4 GiB window the VMM maps uncached";
	}
	return e != NULL ? e : pci_cross_check(info);   /* also catches an IOMMU with no IVRS at all */
}
