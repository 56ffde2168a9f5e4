/* ACPI walk to the IVRS and the IVRS parser (ivrs.h). Every length comes from firmware: each is
 * checked against what is left before it is used, the walk's counts are capped, and a table that
 * is not exactly well-formed is an error, because continuing without the IOMMU that a broken
 * table describes would leave DMA open. */
#include "ivrs.h"
#include <tb/string.h>

#define EBDA_SEG_PTR     0x40Eu
#define BIOS_AREA        0xE0000u
#define BIOS_AREA_LEN    0x20000u
#define SDT_MAX_LEN      (36u + 8u * 256u)   /* RSDT/XSDT: at most 256 entries */
#define RSDP_V2_LEN      36u

static char msg[96];

static u16 rd16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }
static u32 rd32(const u8 *p) { return (u32)rd16(p) | (u32)rd16(p + 2) << 16; }
static u64 rd64(const u8 *p) { return (u64)rd32(p) | (u64)rd32(p + 4) << 32; }

/* "a0x<v>b" in the static message buffer (one error is reported at a time). */
static const char *err(const char *a, u64 v, const char *b)
{
	size_t n = 0;
	char hex[17];
	int d = 0;

	for (; *a != '\0' && n < sizeof(msg) - 20; a++)
		msg[n++] = *a;
	msg[n++] = '0';
	msg[n++] = 'x';
	do {
		hex[d++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v != 0);
	while (d > 0)
		msg[n++] = hex[--d];
	for (; *b != '\0' && n < sizeof(msg) - 1; b++)
		msg[n++] = *b;
	msg[n] = '\0';
	return msg;
}

int acpi_checksum_ok(const u8 *p, u32 len)
{
	u8 sum = 0;

	for (u32 i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	return sum == 0;
}

/* Physical address of the first RSDP candidate (signature and 20-byte checksum) in the area, or 0. */
static u64 find_rsdp_in(acpi_map_fn map, void *ctx, u64 start, u64 len)
{
	const u8 *area = map(ctx, start, len);

	if (area == NULL)
		return 0;
	for (u64 off = 0; off + 20 <= len; off += 16) {
		if (tb_memcmp(area + off, "RSD PTR ", 8) == 0 && acpi_checksum_ok(area + off, 20))
			return start + off;
	}
	return 0;
}

/* The header of the table at pa, checked: readable, length within [min, max], checksum. */
static const char *map_table(acpi_map_fn map, void *ctx, u64 pa, u32 min, u32 max, const u8 **out,
			     u32 *len)
{
	const u8 *h = map(ctx, pa, sizeof(struct acpi_sdt_header));

	if (h == NULL)
		return err("ACPI: table header at ", pa, " unreadable");
	*len = rd32(h + 4);
	if (*len < min || *len > max)
		return err("ACPI: table at ", pa, ": length field outside the allowed range");
	*out = map(ctx, pa, *len);
	if (*out == NULL)
		return err("ACPI: table at ", pa, ": length runs into unreadable memory");
	if (!acpi_checksum_ok(*out, *len))
		return err("ACPI: table at ", pa, ": bad checksum");
	return NULL;
}

const char *acpi_find_ivrs(acpi_map_fn map, void *ctx, u64 *ivrs_pa, u32 *ivrs_len)
{
	const u8 *rsdp, *ebda_ptr, *sdt, *ent;
	u64 rsdp_pa = 0, root, found_pa = 0;
	u32 root_len, width, found_len = 0, len;
	const char *e;

	*ivrs_pa = 0;
	*ivrs_len = 0;
	ebda_ptr = map(ctx, EBDA_SEG_PTR, 2);
	if (ebda_ptr != NULL && rd16(ebda_ptr) != 0)
		rsdp_pa = find_rsdp_in(map, ctx, (u64)rd16(ebda_ptr) << 4, 1024);
	if (rsdp_pa == 0)
		rsdp_pa = find_rsdp_in(map, ctx, BIOS_AREA, BIOS_AREA_LEN);
	if (rsdp_pa == 0)
		return NULL;                         /* no ACPI: the caller decides with PCI */
	rsdp = map(ctx, rsdp_pa, 20);
	if (rsdp == NULL)
		return "ACPI: RSDP unreadable";
	if (rsdp[15] >= 2) {
		u32 rlen;
		rsdp = map(ctx, rsdp_pa, 24);
		if (rsdp == NULL)
			return "ACPI: RSDP length field unreadable";
		rlen = rd32(rsdp + 20);
		if (rlen < RSDP_V2_LEN || rlen > 4096)
			return err("ACPI: RSDP at ", rsdp_pa, ": length field outside 36-4096");
		rsdp = map(ctx, rsdp_pa, rlen);
		if (rsdp == NULL || !acpi_checksum_ok(rsdp, rlen))
			return err("ACPI: RSDP at ", rsdp_pa, ": extended part unreadable or bad checksum");
		root = rd64(rsdp + 24);
		width = 8;
		if (root == 0) {
			root = rd32(rsdp + 16);
			width = 4;
		}
	} else {
		root = rd32(rsdp + 16);
		width = 4;
	}
	e = map_table(map, ctx, root, sizeof(struct acpi_sdt_header), SDT_MAX_LEN, &sdt, &root_len);
	if (e != NULL)
		return e;
	if (tb_memcmp(sdt, width == 8 ? "XSDT" : "RSDT", 4) != 0)
		return err("ACPI: root table at ", root, " has the wrong signature");
	if ((root_len - sizeof(struct acpi_sdt_header)) % width != 0)
		return err("ACPI: root table at ", root, ": length is not a whole number of entries");
	for (u32 off = sizeof(struct acpi_sdt_header); off < root_len; off += width) {
		u64 pa = width == 8 ? rd64(sdt + off) : rd32(sdt + off);
		ent = map(ctx, pa, 4);
		if (ent == NULL)
			return err("ACPI: root table entry points to unreadable memory at ", pa, "");
		if (tb_memcmp(ent, "IVRS", 4) != 0)
			continue;
		if (found_len != 0)
			return "ACPI: more than one IVRS table";
		/* Only the SDT header here: ivrs_parse names a table too short for the IVRS header. */
		e = map_table(map, ctx, pa, sizeof(struct acpi_sdt_header), IVRS_MAX_LEN, &ent, &len);
		if (e != NULL)
			return e;
		found_pa = pa;
		found_len = len;
	}
	*ivrs_pa = found_pa;
	*ivrs_len = found_len;
	return NULL;
}

/* Device entries of one IVHD (#48882 §5.2.2.x): types 0-63 are 4 bytes, 64-127 8 bytes, F0h
 * (ACPI HID) 22 bytes plus its UID length; other variable types are unknown and refused. A range
 * start must be followed by its end with end >= start. */
static const char *ivhd_entries(const u8 *b, u32 hdr, u32 blen, u32 boff)
{
	int open = 0;
	u16 start = 0;

	for (u32 off = hdr; off < blen;) {
		u8 t = b[off];
		u32 elen;

		if (t < 0x80)
			elen = 4u << (t >> 6);
		else if (t == 0xF0) {
			if (off + 22 > blen)
				return err("IVRS: IVHD at ", boff, ": ACPI HID entry overlaps the block end");
			elen = 22u + b[off + 21];
		} else {
			return err("IVRS: IVHD at ", boff, ": unknown variable-length device entry");
		}
		if (elen > blen - off)
			return err("IVRS: IVHD at ", boff, ": device entry overlaps the block end");
		switch (t) {
		case 0x03: case 0x43: case 0x47:     /* start of range (plain, alias, extended) */
			if (open)
				return err("IVRS: IVHD at ", boff, ": nested range start");
			open = 1;
			start = rd16(b + off + 1);
			break;
		case 0x04:                           /* end of range */
			if (!open)
				return err("IVRS: IVHD at ", boff, ": range end without a start");
			if (rd16(b + off + 1) < start)
				return err("IVRS: IVHD at ", boff, ": range end below its start");
			open = 0;
			break;
		default:
			break;
		}
		off += elen;
	}
	if (open)
		return err("IVRS: IVHD at ", boff, ": range start without an end");
	return NULL;
}

static const char *add_unit(struct ivrs_info *out, const u8 *b, u32 boff)
{
	u64 base = rd64(b + 8);
	u16 devid = rd16(b + 4);
	u8 bit = b[0] == IVHD_TYPE_10 ? 1 : b[0] == IVHD_TYPE_11 ? 2 : 4;

	if (rd16(b + 16) != 0)
		return err("IVRS: IVHD at ", boff, ": PCI segment other than 0 is not supported");
	if (base == 0 || base % IOMMU_MMIO_ALIGN != 0)
		return err("IVRS: IVHD at ", boff, ": IOMMU base address zero or not 16 KiB aligned");
	for (u32 i = 0; i < out->nr_units; i++) {
		struct iommu_unit *u = &out->unit[i];
		if (u->base != base)
			continue;
		/* Types 10h/11h/40h describe the same IOMMU for different readers: same base and
		 * device id. One type twice, or another device id at the same base, is a lie. */
		if (u->device_id != devid)
			return err("IVRS: IVHD at ", boff, ": another device id for an IOMMU already listed");
		if (u->types & bit)
			return err("IVRS: IVHD at ", boff, ": overlaps an earlier IVHD of the same type and base");
		u->types |= bit;
		return NULL;
	}
	if (out->nr_units == IVRS_MAX_UNITS)
		return err("IVRS: IVHD at ", boff, ": more IOMMUs than supported");
	out->unit[out->nr_units++] = (struct iommu_unit){ base, devid, rd16(b + 6), bit };
	return NULL;
}

const char *ivrs_parse(const u8 *tbl, u32 len, struct ivrs_info *out)
{
	const char *e;

	tb_memset(out, 0, sizeof(*out));
	if (len < sizeof(struct ivrs_header))
		return err("IVRS: truncated: length ", len, " is below the 48-byte header");
	if (tb_memcmp(tbl, "IVRS", 4) != 0 || rd32(tbl + 4) != len)
		return "IVRS: signature or length field does not match the table";
	for (u32 off = sizeof(struct ivrs_header); off < len;) {
		const u8 *b = tbl + off;
		u32 blen, min;

		if (len - off < 4)
			return err("IVRS: truncated block header at offset ", off, "");
		blen = rd16(b + 2);
		switch (b[0]) {
		case IVHD_TYPE_10:
			min = IVHD_LEN_10;
			break;
		case IVHD_TYPE_11: case IVHD_TYPE_40:
			min = IVHD_LEN_11;
			break;
		case 0x20: case 0x21: case 0x22:
			min = IVMD_LEN;
			break;
		default:
			min = 4;                     /* unknown type: skipped by its length */
			break;
		}
		if (blen < min)
			return err("IVRS: block at offset ", off, ": length below its type's header (overlaps the next block)");
		if (blen > len - off)
			return err("IVRS: block at offset ", off, ": length runs past the table end");
		if (min == IVMD_LEN && blen != IVMD_LEN)
			return err("IVRS: IVMD at offset ", off, ": length is not 32");
		if (min == IVMD_LEN) {
			out->nr_ivmd++;
		} else if (min > 4) {
			e = ivhd_entries(b, min, blen, off);
			if (e == NULL)
				e = add_unit(out, b, off);
			if (e != NULL)
				return e;
		}
		off += blen;
	}
	if (out->nr_units == 0)
		return "IVRS: no IOMMU (IVHD block) listed";
	return NULL;
}
