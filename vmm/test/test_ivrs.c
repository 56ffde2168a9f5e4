/* Host unit tests of vmm/src/ivrs.c (the ACPI walk to the IVRS and the IVRS parser) and of
 * vmm/src/devassign.c (the device= words). Firmware tables are built byte by byte in a fake
 * physical memory: truncated, overlapping and lying-length tables, bad checksums, duplicates.
 * Failures are collected and reported together. */
#include "ivrs.h"
#include "iommu.h"
#include "../../clib/test/testutil.h"

#define MEM_SIZE   0x200000u
#define RSDP_AT    0xF0000u
#define ROOT_AT    0x100000u
#define IVRS_AT    0x101000u
#define OTHER_AT   0x102000u
#define IVRS2_AT   0x103000u

static u8 mem[MEM_SIZE];

static void put16(u8 *p, u16 v) { p[0] = (u8)v; p[1] = (u8)(v >> 8); }
static void put32(u8 *p, u32 v) { put16(p, (u16)v); put16(p + 2, (u16)(v >> 16)); }
static void put64(u8 *p, u64 v) { put32(p, (u32)v); put32(p + 4, (u32)(v >> 32)); }
static int contains(const char *s, const char *sub) { return s != NULL && strstr(s, sub) != NULL; }

static const u8 *map(void *ctx, u64 pa, u64 len)
{
	(void)ctx;
	if (pa > MEM_SIZE || len > MEM_SIZE - pa)
		return NULL;
	return mem + pa;
}

static void fix_checksum(u8 *p, u32 len, u32 at)
{
	u8 sum = 0;
	p[at] = 0;
	for (u32 i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	p[at] = (u8)-sum;
}

static void sdt(u8 *t, const char *sig, u32 len)
{
	memcpy(t, sig, 4);                 /*  0 signature */
	put32(t + 4, len);                 /*  4 length */
	t[8] = 1;                          /*  8 revision */
	memcpy(t + 10, "TBTEST", 6);       /* 10 OEM id */
}

/* An IVHD at p: type, length, device id, capability offset 0x40, base; then the device entries
 * QEMU writes (start of range 0000, end of range ffff). Returns its length. */
static u32 ivhd(u8 *p, u8 type, u16 devid, u64 base)
{
	u32 hdr = type == IVHD_TYPE_10 ? IVHD_LEN_10 : IVHD_LEN_11;
	u32 len = hdr + 8;

	memset(p, 0, len);
	p[0] = type;                       /*  0 type */
	p[1] = 0xB0;                       /*  1 flags */
	put16(p + 2, (u16)len);            /*  2 length */
	put16(p + 4, devid);               /*  4 device id */
	put16(p + 6, 0x40);                /*  6 capability offset */
	put64(p + 8, base);                /*  8 base */
	p[hdr] = 0x03;                     /* start of range, device 0000 */
	p[hdr + 4] = 0x04;                 /* end of range, device ffff */
	put16(p + hdr + 5, 0xFFFF);
	return len;
}

/* A QEMU-like IVRS in buf: header, IVHD 10h and IVHD 11h for one IOMMU at 0xfed80000. */
static u32 make_ivrs(u8 *buf)
{
	u32 len = 48;

	memset(buf, 0, 256);
	len += ivhd(buf + len, IVHD_TYPE_10, 0x0008, 0xFED80000ull);
	len += ivhd(buf + len, IVHD_TYPE_11, 0x0008, 0xFED80000ull);
	sdt(buf, "IVRS", len);
	put32(buf + 36, 0x00203041);       /* 36 IVinfo */
	fix_checksum(buf, len, 9);
	return len;
}

/* RSDP (revision 2) -> XSDT -> [FACP-like table, IVRS] in mem. */
static void make_acpi(int revision)
{
	memset(mem, 0, sizeof(mem));
	u8 *r = mem + RSDP_AT;
	memcpy(r, "RSD PTR ", 8);          /*  0 signature */
	memcpy(r + 9, "TBTEST", 6);        /*  9 OEM id */
	r[15] = (u8)revision;              /* 15 revision */
	put32(r + 16, ROOT_AT + 0x800);    /* 16 RSDT */
	put32(r + 20, 36);                 /* 20 length */
	put64(r + 24, ROOT_AT);            /* 24 XSDT */
	fix_checksum(r, 20, 8);
	fix_checksum(r, 36, 32);

	u8 *x = mem + ROOT_AT;             /* XSDT: two 8-byte entries */
	sdt(x, "XSDT", 36 + 16);
	put64(x + 36, OTHER_AT);
	put64(x + 44, IVRS_AT);
	fix_checksum(x, 52, 9);
	u8 *rs = mem + ROOT_AT + 0x800;    /* RSDT: two 4-byte entries */
	sdt(rs, "RSDT", 36 + 8);
	put32(rs + 36, OTHER_AT);
	put32(rs + 40, IVRS_AT);
	fix_checksum(rs, 44, 9);
	sdt(mem + OTHER_AT, "FACP", 36);
	fix_checksum(mem + OTHER_AT, 36, 9);
	make_ivrs(mem + IVRS_AT);
}

static void refix_root(void)
{
	fix_checksum(mem + ROOT_AT, 52, 9);
}

static void test_walk(void)
{
	u64 pa;
	u32 len;
	const char *e;

	make_acpi(2);
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(e == NULL && pa == IVRS_AT && len == 48 + 32 + 48, "XSDT walk: %s pa %llx len %u", e,
	      (unsigned long long)pa, len);

	make_acpi(0);                      /* ACPI 1.0: the RSDT */
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(e == NULL && pa == IVRS_AT, "RSDT walk: %s", e);

	memset(mem, 0, sizeof(mem));       /* no ACPI at all */
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(e == NULL && len == 0, "no RSDP: %s", e);

	make_acpi(2);                      /* RSDP checksum wrong: not an RSDP */
	mem[RSDP_AT + 8] ^= 1;
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(e == NULL && len == 0, "bad RSDP checksum is no RSDP: %s", e);

	make_acpi(2);                      /* RSDP found through the EBDA pointer */
	memmove(mem + 0x9FC00, mem + RSDP_AT, 36);
	memset(mem + RSDP_AT, 0, 36);
	put16(mem + 0x40E, 0x9FC0);
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(e == NULL && pa == IVRS_AT, "EBDA RSDP: %s", e);

	make_acpi(2);                      /* extended checksum wrong */
	mem[RSDP_AT + 32] ^= 1;
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(contains(e, "extended part"), "bad extended checksum: %s", e);

	make_acpi(2);                      /* RSDP length lies */
	put32(mem + RSDP_AT + 20, 5000);
	fix_checksum(mem + RSDP_AT, 20, 8);
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(contains(e, "RSDP") && contains(e, "length"), "RSDP length 5000: %s", e);

	make_acpi(2);                      /* XSDT checksum wrong */
	mem[ROOT_AT + 40] ^= 1;
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(contains(e, "bad checksum"), "bad XSDT checksum: %s", e);

	make_acpi(2);                      /* XSDT length runs past memory */
	put64(mem + RSDP_AT + 24, MEM_SIZE - 40);
	fix_checksum(mem + RSDP_AT, 36, 32);
	memcpy(mem + MEM_SIZE - 40, mem + ROOT_AT, 40);
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(contains(e, "unreadable"), "XSDT past the end of memory: %s", e);

	make_acpi(2);                      /* XSDT length not a whole number of entries */
	put32(mem + ROOT_AT + 4, 36 + 12);
	fix_checksum(mem + ROOT_AT, 48, 9);
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(contains(e, "whole number"), "XSDT length 48: %s", e);

	make_acpi(2);                      /* XSDT length below its header */
	put32(mem + ROOT_AT + 4, 20);
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(contains(e, "length field"), "XSDT length 20: %s", e);

	make_acpi(2);                      /* an entry points outside memory */
	put64(mem + ROOT_AT + 36, 0xFFFFFFFFFFFFFFF0ull);
	refix_root();
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(contains(e, "unreadable memory"), "wild entry: %s", e);

	make_acpi(2);                      /* the root table is not an XSDT */
	memcpy(mem + ROOT_AT, "XSDX", 4);
	refix_root();
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(contains(e, "wrong signature"), "XSDX: %s", e);

	make_acpi(2);                      /* two IVRS tables */
	make_ivrs(mem + IVRS2_AT);
	put64(mem + ROOT_AT + 36, IVRS2_AT);
	refix_root();
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(contains(e, "more than one IVRS"), "two IVRS: %s", e);

	make_acpi(2);                      /* the IVRS's checksum */
	mem[IVRS_AT + 60] ^= 0x10;
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(contains(e, "bad checksum"), "bad IVRS checksum: %s", e);

	make_acpi(2);                      /* IVRS length lies: beyond memory */
	memmove(mem + MEM_SIZE - 128, mem + IVRS_AT, 128);
	put64(mem + ROOT_AT + 44, MEM_SIZE - 128);
	refix_root();
	put32(mem + MEM_SIZE - 128 + 4, 4096);
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(contains(e, "unreadable"), "IVRS past the end of memory: %s", e);

	make_acpi(2);                      /* IVRS length above 64 KiB */
	put32(mem + IVRS_AT + 4, IVRS_MAX_LEN + 1);
	e = acpi_find_ivrs(map, NULL, &pa, &len);
	CHECK(contains(e, "length field"), "IVRS of 64 KiB + 1: %s", e);
}

/* Parses a modified copy of a good table, fixing its length field to len. */
static const char *parse(u8 *t, u32 len, struct ivrs_info *info)
{
	put32(t + 4, len);
	return ivrs_parse(t, len, info);
}

static void test_parse(void)
{
	u8 t[1024], good[256];
	struct ivrs_info info;
	u32 len = make_ivrs(good), l;
	const char *e;

	memcpy(t, good, len);
	e = ivrs_parse(t, len, &info);
	CHECK(e == NULL && info.nr_units == 1 && info.unit[0].base == 0xFED80000ull &&
	      info.unit[0].device_id == 8 && info.unit[0].cap_offset == 0x40 && info.unit[0].types == 3,
	      "QEMU-like IVRS: %s units %u", e, info.nr_units);

	/* Every truncation: an error, except right after a whole IVHD (one unit either way). */
	for (u32 n = 0; n < len; n++) {
		memcpy(t, good, len);
		e = parse(t, n, &info);
		int boundary = n == 48 + 32;
		CHECK(boundary ? e == NULL && info.nr_units == 1 : e != NULL, "truncated to %u: %s", n, e);
	}
	memcpy(t, good, len);
	e = ivrs_parse(t, len - 1, &info);
	CHECK(contains(e, "length field"), "length field differs from the copy: %s", e);
	memcpy(t, good, len);
	memcpy(t, "IVRX", 4);
	CHECK(ivrs_parse(t, len, &info) != NULL, "wrong signature accepted");

	/* Lying lengths. */
	memcpy(t, good, len);
	put16(t + 48 + 2, 200);
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "runs past the table end") && contains(e, "0x30"), "IVHD length past the end: %s", e);
	memcpy(t, good, len);
	put16(t + 48 + 2, 20);             /* below the 24-byte header: overlaps what follows */
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "overlaps the next block"), "IVHD length 20: %s", e);
	memcpy(t, good, len);
	put16(t + 48 + 2, 0);
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "overlaps the next block"), "IVHD length 0: %s", e);
	memcpy(t, good, len);
	put16(t + 80 + 2, 32);             /* type 11h with the type 10h length */
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "overlaps the next block"), "IVHD 11h of 32 bytes: %s", e);
	memcpy(t, good, len);
	put16(t + 48 + 2, 30);             /* ends inside the end-of-range entry */
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "overlaps the block end"), "entry crossing the IVHD end: %s", e);

	/* Device entries. */
	memcpy(t, good, len);
	t[48 + 28] = 0x02;                 /* the end becomes a select: range start without an end */
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "range start without an end"), "open range: %s", e);
	memcpy(t, good, len);
	t[48 + 24] = 0x02;                 /* the start becomes a select: end without a start */
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "range end without a start"), "lone range end: %s", e);
	memcpy(t, good, len);
	put16(t + 48 + 25, 0x0100);
	put16(t + 48 + 29, 0x00FF);
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "below its start"), "reversed range: %s", e);
	memcpy(t, good, len);
	t[48 + 28] = 0x03;                 /* start, start */
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "nested range start"), "nested start: %s", e);
	memcpy(t, good, len);
	t[48 + 28] = 0x80;                 /* unknown variable-length entry */
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "unknown variable-length"), "entry type 0x80: %s", e);
	memcpy(t, good, len);
	t[48 + 28] = 0xF0;                 /* ACPI HID entry needs 22 bytes, 4 remain */
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "ACPI HID entry overlaps"), "short HID entry: %s", e);
	{                                  /* a well-formed HID entry with a 2-byte UID */
		u32 n = 48;
		memset(t, 0, sizeof(t));
		n += ivhd(t + n, IVHD_TYPE_10, 8, 0xFED80000ull);
		memset(t + n, 0, 24);
		t[n] = 0xF0;
		t[n + 21] = 2;
		put16(t + 48 + 2, (u16)(32 + 24));
		n += 24;
		sdt(t, "IVRS", n);
		e = ivrs_parse(t, n, &info);
		CHECK(e == NULL && info.nr_units == 1, "HID entry with UID: %s", e);
		t[n - 24 + 21] = 3;        /* UID one byte longer than the block */
		e = ivrs_parse(t, n, &info);
		CHECK(contains(e, "overlaps the block end"), "HID UID past the end: %s", e);
	}

	/* Units: duplicates, other ids at one base, bases, segments, counts. */
	memcpy(t, good, len);
	t[80] = IVHD_TYPE_10;              /* 10h twice for one IOMMU (and the second 40 bytes long) */
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "overlaps an earlier IVHD"), "10h twice: %s", e);
	memcpy(t, good, len);
	put16(t + 80 + 4, 0x0010);
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "another device id"), "other device id at the same base: %s", e);
	memcpy(t, good, len);
	put64(t + 80 + 8, 0xFED84000ull);  /* a second IOMMU */
	e = ivrs_parse(t, len, &info);
	CHECK(e == NULL && info.nr_units == 2 && info.unit[1].base == 0xFED84000ull, "two IOMMUs: %s", e);
	memcpy(t, good, len);
	put64(t + 48 + 8, 0);
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "base address zero"), "base 0: %s", e);
	memcpy(t, good, len);
	put64(t + 48 + 8, 0xFED81000ull);
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "not 16 KiB aligned"), "unaligned base: %s", e);
	memcpy(t, good, len);
	put16(t + 48 + 16, 1);
	e = ivrs_parse(t, len, &info);
	CHECK(contains(e, "segment"), "segment 1: %s", e);
	{
		u32 n = 48;
		memset(t, 0, sizeof(t));
		for (u32 i = 0; i < IVRS_MAX_UNITS + 1; i++)
			n += ivhd(t + n, IVHD_TYPE_10, (u16)(8 + i), 0xFE000000ull + 0x4000ull * i);
		sdt(t, "IVRS", n);
		e = ivrs_parse(t, n, &info);
		CHECK(contains(e, "more IOMMUs than supported"), "9 IOMMUs: %s", e);
	}

	/* IVMD blocks, unknown blocks, no IVHD. */
	memcpy(t, good, len);
	memset(t + len, 0, 32);
	t[len] = 0x21;
	put16(t + len + 2, 32);
	e = parse(t, len + 32, &info);
	CHECK(e == NULL && info.nr_ivmd == 1 && info.nr_units == 1, "IVMD counted: %s", e);
	put16(t + len + 2, 36);
	memset(t + len + 32, 0, 4);
	e = parse(t, len + 36, &info);
	CHECK(contains(e, "length is not 32"), "IVMD of 36 bytes: %s", e);
	memcpy(t, good, len);
	memset(t + len, 0, 8);
	t[len] = 0x7E;
	put16(t + len + 2, 8);
	e = parse(t, len + 8, &info);
	CHECK(e == NULL && info.nr_units == 1, "unknown block skipped: %s", e);
	put16(t + len + 2, 3);
	e = parse(t, len + 8, &info);
	CHECK(contains(e, "overlaps the next block"), "unknown block of 3 bytes: %s", e);
	memcpy(t, good, 48);
	l = 48;
	e = parse(t, l, &info);
	CHECK(contains(e, "no IOMMU"), "header only: %s", e);
	memcpy(t, good, len);
	t[len] = 0x10;                     /* 2 trailing bytes: a block header cannot fit */
	e = parse(t, len + 2, &info);
	CHECK(contains(e, "truncated block header"), "2 trailing bytes: %s", e);
}

static void test_devassign(void)
{
	struct dev_assign d[DEV_ASSIGN_MAX];
	u32 n;
	const char *e;

	e = dev_assign_parse("harness device=dma-attack:00:04.0 x", d, &n);
	CHECK(e == NULL && n == 1 && strcmp(d[0].name, "dma-attack") == 0 && d[0].bdf == 0x0020, "one device: %s", e);
	e = dev_assign_parse("device=a:ff:1f.7 device=b_2:01:00.1", d, &n);
	CHECK(e == NULL && n == 2 && d[0].bdf == 0xFFFF && d[1].bdf == 0x0101 && strcmp(d[1].name, "b_2") == 0,
	      "two devices: %s", e);
	e = dev_assign_parse("", d, &n);
	CHECK(e == NULL && n == 0, "empty command line: %s", e);
	e = dev_assign_parse("devices=a:00:04.0 xdevice=a:00:04.0", d, &n);
	CHECK(e == NULL && n == 0, "other words: %s", e);
	static const char *bad[] = {
		"device=", "device=a", "device=a:00:04", "device=a:00:04.0.", "device=:00:04.0",
		"device=A:00:04.0", "device=a:00:20.0", "device=a:00:04.8", "device=a:0g:04.0",
		"device=a:00:0F.0", "device=a:00-04.0", "device=a:00:04:0", "device=a b:00:04.0",
		"device=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:00:04.0",
	};
	for (u32 i = 0; i < TB_ARRAY_SIZE(bad); i++) {
		e = dev_assign_parse(bad[i], d, &n);
		CHECK(contains(e, "device=:"), "'%s' accepted", bad[i]);
	}
	e = dev_assign_parse("device=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:00:04.0", d, &n);
	CHECK(e == NULL && n == 1 && strlen(d[0].name) == 31, "31-character name: %s", e);
	e = dev_assign_parse("device=a:00:04.0 device=b:00:04.0", d, &n);
	CHECK(contains(e, "assigned twice"), "one function twice: %s", e);
	e = dev_assign_parse("device=a:00:01.0 device=a:00:02.0 device=a:00:03.0 device=a:00:04.0 device=a:00:05.0",
			     d, &n);
	CHECK(contains(e, "more than 4"), "five devices: %s", e);
}

int main(void)
{
	test_walk();
	test_parse();
	test_devassign();
	if (test_failures) {
		fprintf(stderr, "test_ivrs: %d of %d checks FAILED\n", test_failures, test_checks);
		return 1;
	}
	printf("test_ivrs: all %d checks passed\n", test_checks);
	return 0;
}
