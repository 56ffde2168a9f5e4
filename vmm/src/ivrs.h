/* ACPI discovery of the AMD IOMMU: RSDP -> RSDT/XSDT -> IVRS, parsed as hostile input (firmware
 * is outside the trusted chain). Pure code, no hardware access: host unit tests and a fuzz target
 * drive it (vmm/test/test_ivrs.c, vmm/test/fuzz_ivrs.c).
 *
 * ACPI 6.4 §5.2.5.3 (RSDP), §5.2.6 (system description table header), §5.2.7/§5.2.8 (RSDT/XSDT);
 * AMD I/O Virtualization Technology (IOMMU) Specification #48882 rev. 3.x, §5.2 (IVRS, IVHD,
 * IVMD, device entries). */
#ifndef VMM_IVRS_H
#define VMM_IVRS_H

#include <tb/types.h>

struct acpi_rsdp {
	char signature[8];               /* 0: "RSD PTR " */
	u8 checksum;                     /* 8: bytes 0-19 sum to 0 */
	char oem_id[6];                  /* 9 */
	u8 revision;                     /* 15: 0 = ACPI 1.0 (RSDT only), >= 2 adds the fields below */
	u32 rsdt;                        /* 16 */
	u32 length;                      /* 20: of the whole structure (revision >= 2) */
	u64 xsdt;                        /* 24 */
	u8 ext_checksum;                 /* 32: bytes 0-(length-1) sum to 0 */
	u8 reserved[3];                  /* 33 */
} TB_PACKED;
TB_STATIC_ASSERT(sizeof(struct acpi_rsdp) == 36, "RSDP size");
TB_STATIC_ASSERT(offsetof(struct acpi_rsdp, xsdt) == 24, "RSDP xsdt offset");

struct acpi_sdt_header {
	char signature[4];               /* 0 */
	u32 length;                      /* 4: whole table, header included */
	u8 revision;                     /* 8 */
	u8 checksum;                     /* 9: the whole table sums to 0 */
	char oem_id[6];                  /* 10 */
	char oem_table_id[8];            /* 16 */
	u32 oem_revision;                /* 24 */
	u32 creator_id;                  /* 28 */
	u32 creator_revision;            /* 32 */
} TB_PACKED;
TB_STATIC_ASSERT(sizeof(struct acpi_sdt_header) == 36, "SDT header size");

/* IVRS: header, IVinfo, 8 reserved bytes, then IVHD/IVMD blocks (#48882 §5.2.1). */
struct ivrs_header {
	struct acpi_sdt_header sdt;      /* 0: signature "IVRS" */
	u32 iv_info;                     /* 36 */
	u64 reserved;                    /* 40 */
} TB_PACKED;
TB_STATIC_ASSERT(sizeof(struct ivrs_header) == 48, "IVRS header size");

/* IVHD type 10h (24 bytes); types 11h and 40h append EFR image and a reserved quadword (40). */
struct ivhd_header {
	u8 type;                         /* 0: 10h, 11h, 40h */
	u8 flags;                        /* 1 */
	u16 length;                      /* 2: whole block, device entries included */
	u16 device_id;                   /* 4: the IOMMU's own PCI requester id (bus << 8 | devfn) */
	u16 cap_offset;                  /* 6: its capability block in PCI config space */
	u64 base;                        /* 8: MMIO base address */
	u16 segment;                     /* 16: PCI segment group */
	u16 iommu_info;                  /* 18 */
	u32 features;                    /* 20: type 10h feature reporting / 11h, 40h attributes */
} TB_PACKED;
TB_STATIC_ASSERT(sizeof(struct ivhd_header) == 24, "IVHD type 10h size");
TB_STATIC_ASSERT(offsetof(struct ivhd_header, base) == 8, "IVHD base offset");

#define IVHD_TYPE_10       0x10u
#define IVHD_TYPE_11       0x11u
#define IVHD_TYPE_40       0x40u
#define IVHD_LEN_10        24u
#define IVHD_LEN_11        40u      /* also 40h */
#define IVMD_LEN           32u      /* types 20h-22h */
#define IVRS_MAX_UNITS     8u
#define IVRS_MAX_LEN       0x10000u /* we copy at most 64 KiB of IVRS */
#define IOMMU_MMIO_ALIGN   0x4000u  /* base address register bits 51:14 */

struct iommu_unit {
	u64 base;                        /* MMIO base */
	u16 device_id;                   /* the IOMMU's PCI function */
	u16 cap_offset;
	u8 types;                        /* bit 0: seen as 10h, bit 1: 11h, bit 2: 40h */
};

struct ivrs_info {
	u32 nr_units;
	struct iommu_unit unit[IVRS_MAX_UNITS];
	u32 nr_ivmd;                     /* memory definitions: deliberately not honoured (all DMA denied) */
};

/* Reads physical memory for the walk: a pointer to len readable bytes at pa, or NULL if the range
 * is not readable (outside what the caller maps, or wrapping). */
typedef const u8 *(*acpi_map_fn)(void *ctx, u64 pa, u64 len);

/* Finds the RSDP (EBDA first KiB, then 0xE0000-0xFFFFF on 16-byte boundaries), walks the XSDT (or
 * the RSDT for revision 0) and locates the IVRS. Returns NULL on success with *ivrs_pa and *ivrs_len
 * set (*ivrs_len = 0: no IVRS, or no RSDP at all), else a one-line reason. Two IVRS tables, a bad
 * checksum, an unreadable or oversized table are errors. */
const char *acpi_find_ivrs(acpi_map_fn map, void *ctx, u64 *ivrs_pa, u32 *ivrs_len);

/* Parses a copy of the IVRS (len = the header's length, already checked to fit the copy).
 * Returns NULL and fills *out, or a one-line reason naming the block offset. */
const char *ivrs_parse(const u8 *tbl, u32 len, struct ivrs_info *out);

/* 1 if len bytes at p sum to 0 mod 256 (ACPI checksum rule). */
int acpi_checksum_ok(const u8 *p, u32 len);

#endif
