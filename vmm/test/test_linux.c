/* Host unit tests of vmm/src/linux.c: the bzImage setup-header parser on a synthetic header built
 * field by field (every field's boundary, every truncation) and on real kernels given on the
 * command line, the guest e820 map, and the zero page.
 *
 *   test_linux [BZIMAGE...]     built-in tests, then each real kernel must parse */
#include "linux.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static u32 get32(const u8 *p) { return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24; }
static u64 get64(const u8 *p) { return (u64)get32(p) | (u64)get32(p + 4) << 32; }

#define IMG_LEN (5 * 512 + 0x2000)    /* 4 setup sectors + boot sector, 8 KiB of "kernel" */

/* A minimal valid bzImage: the fields linux_parse reads, as Debian's 6.1 kernel sets them. */
static void make_image(u8 *img)
{
	memset(img, 0, IMG_LEN);
	img[LX_SETUP_SECTS] = 4;                    /* 0x1f1 setup_sects */
	put32(img + LX_SYSSIZE, 0x2000 / 16);       /* 0x1f4 syssize */
	put16(img + LX_BOOT_FLAG, 0xAA55);          /* 0x1fe boot_flag */
	img[LX_JUMP] = 0xEB;                        /* 0x200 jmp short */
	img[LX_JUMP + 1] = 0x6A;                    /* 0x201 -> header ends at 0x26c */
	memcpy(img + LX_HEADER_MAGIC, "HdrS", 4);   /* 0x202 */
	put16(img + LX_VERSION, 0x020F);            /* 0x206 protocol 2.15 */
	img[LX_LOADFLAGS] = LX_LOADED_HIGH;         /* 0x211 */
	put32(img + LX_INITRD_ADDR_MAX, 0x7FFFFFFF);   /* 0x22c */
	put32(img + LX_KERNEL_ALIGNMENT, 0x200000); /* 0x230 */
	img[LX_RELOCATABLE] = 1;                    /* 0x234 */
	put16(img + LX_XLOADFLAGS, 0x7F);           /* 0x236 */
	put32(img + LX_CMDLINE_SIZE, 2047);         /* 0x238 */
	put32(img + LX_INIT_SIZE, 0x100000);        /* 0x260 */
	img[0x26B] = 0x5A;                          /* last header byte: copied to the zero page */
	img[0x26C] = 0xA5;                          /* first byte after the header: not copied */
}

static void test_parse(void)
{
	static u8 img[IMG_LEN], buf[IMG_LEN];
	struct linux_image li;
	const char *err;

	make_image(img);
	err = linux_parse(img, IMG_LEN, &li);
	CHECK(err == NULL, "valid image refused: %s", err);
	CHECK(li.setup_size == 2560 && li.kernel_size == 0x2000 && li.header_end == 0x26C &&
	      li.alignment == 0x200000 && li.init_size == 0x100000 && li.cmdline_max == 2047 &&
	      li.version == 0x20F, "fields of the valid image");

	/* Every truncation below the protected-mode kernel's first byte fails. */
	for (u64 len = 0; len <= li.setup_size; len++)
		CHECK(linux_parse(img, len, &li) != NULL, "truncated to %llu accepted", (unsigned long long)len);

	struct { u32 off; u32 size; u32 value; const char *msg; } bad[] = {
		{ LX_BOOT_FLAG, 2, 0xAA56, "boot_flag" },
		{ LX_HEADER_MAGIC, 1, 'h', "magic" },
		{ LX_HEADER_MAGIC + 3, 1, 's', "magic" },
		{ LX_VERSION, 2, 0x020B, "below 2.12" },
		{ LX_VERSION, 2, 0x0000, "below 2.12" },
		{ LX_JUMP, 1, 0xE9, "short jump" },
		{ LX_JUMP + 1, 1, 0x61, "outside 0x264-0x290" },        /* header would end at 0x263 */
		{ LX_JUMP + 1, 1, 0x8F, "outside 0x264-0x290" },        /* 0x291 */
		{ LX_JUMP + 1, 1, 0xFF, "outside 0x264-0x290" },
		{ LX_SETUP_SECTS, 1, 255, "leaves no protected-mode kernel" },   /* 256 * 512 > file */
		{ LX_SYSSIZE, 4, 0, "syssize" },
		{ LX_SYSSIZE, 4, 0x2000 / 16 + 1, "syssize" },
		{ LX_SYSSIZE, 4, 0xFFFFFFFF, "syssize" },                 /* * 16 needs 36 bits */
		{ LX_LOADFLAGS, 1, 0, "LOADED_HIGH" },
		{ LX_XLOADFLAGS, 2, 0x7E, "XLF_KERNEL_64" },
		{ LX_RELOCATABLE, 1, 0, "relocatable" },
		{ LX_KERNEL_ALIGNMENT, 4, 0, "kernel_alignment" },
		{ LX_KERNEL_ALIGNMENT, 4, 0x800, "kernel_alignment" },
		{ LX_KERNEL_ALIGNMENT, 4, 0x300000, "kernel_alignment" },
		{ LX_KERNEL_ALIGNMENT, 4, 0x80000000, "kernel_alignment" },
		{ LX_INIT_SIZE, 4, 0x1FFF, "init_size" },                 /* below the kernel's 8 KiB */
		{ LX_INIT_SIZE, 4, 0x20000001, "init_size" },
		{ LX_INIT_SIZE, 4, 0xFFFFFFFF, "init_size" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(buf, img, IMG_LEN);
		for (u32 b = 0; b < bad[i].size; b++)
			buf[bad[i].off + b] = (u8)(bad[i].value >> (8 * b));
		err = linux_parse(buf, IMG_LEN, &li);
		CHECK(contains(err, bad[i].msg), "case %zu (offset 0x%x = 0x%x): %s", i, bad[i].off,
		      bad[i].value, err ? err : "accepted");
	}
	/* Boundaries that pass: header ends at exactly 0x264 and 0x290, alignment 4 KiB and 1 GiB,
	 * init_size = kernel size and = 512 MiB, setup_sects 0 meaning 4, syssize = the whole rest. */
	struct { u32 off; u32 size; u32 value; } good[] = {
		{ LX_JUMP + 1, 1, 0x62 }, { LX_JUMP + 1, 1, 0x8E }, { LX_KERNEL_ALIGNMENT, 4, 0x1000 },
		{ LX_KERNEL_ALIGNMENT, 4, 0x40000000 }, { LX_INIT_SIZE, 4, 0x2000 },
		{ LX_INIT_SIZE, 4, 0x20000000 }, { LX_SETUP_SECTS, 1, 0 }, { LX_VERSION, 2, 0x020C },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memcpy(buf, img, IMG_LEN);
		for (u32 b = 0; b < good[i].size; b++)
			buf[good[i].off + b] = (u8)(good[i].value >> (8 * b));
		err = linux_parse(buf, IMG_LEN, &li);
		CHECK(err == NULL, "boundary case %zu (offset 0x%x = 0x%x) refused: %s", i, good[i].off,
		      good[i].value, err);
	}
	/* The header may not run past a file that ends inside it. */
	memcpy(buf, img, IMG_LEN);
	buf[LX_SETUP_SECTS] = 0;
	CHECK(linux_parse(buf, 0x268, &li) != NULL, "file ending inside the header accepted");
}

static void test_boot_params(void)
{
	static u8 img[IMG_LEN], bp[LX_BOOT_PARAMS_SIZE];
	struct linux_image li;
	struct e820_entry e[2] = { { 0, 0x9F000, E820_RAM }, { 0x100000, 0x300000, E820_RAM } };

	make_image(img);
	CHECK(linux_parse(img, IMG_LEN, &li) == NULL, "image for the zero page");
	memset(bp, 0x77, sizeof(bp));
	linux_boot_params(bp, img, &li, 0x4001000, 0x4A00000, 0x10F00, e, 2);
	CHECK(bp[0] == 0 && bp[0x1F0] == 0 && bp[0x26C] == 0 && bp[0xFFF] == 0, "zero page not zeroed");
	CHECK(memcmp(bp + 0x202, "HdrS", 4) == 0 && bp[0x26B] == 0x5A && bp[0x1F1] == 4,
	      "setup header not copied");
	CHECK(bp[LX_TYPE_OF_LOADER] == 0xFF && bp[LX_LOADFLAGS] == LX_LOADED_HIGH, "loader fields");
	CHECK(get32(bp + LX_CMD_LINE_PTR) == 0x4001000 && get32(bp + LX_RAMDISK_IMAGE) == 0x4A00000 &&
	      get32(bp + LX_RAMDISK_SIZE) == 0x10F00, "command line / initrd fields");
	CHECK(bp[LX_E820_ENTRIES] == 2 && get64(bp + LX_E820_TABLE + 20) == 0x100000 &&
	      get64(bp + LX_E820_TABLE + 28) == 0x300000 && get32(bp + LX_E820_TABLE + 36) == E820_RAM,
	      "e820 table");
}

static int e820_eq(const struct e820_entry *e, u32 n, const struct e820_entry *want, u32 wn)
{
	if (n != wn)
		return 0;
	for (u32 i = 0; i < n; i++) {
		if (e[i].addr != want[i].addr || e[i].size != want[i].size || e[i].type != want[i].type)
			return 0;
	}
	return 1;
}

static void test_e820(void)
{
	/* QEMU pc with 1536 MiB: low RAM, BIOS hole reserved, RAM from 1 MiB, BIOS ROM, and a
	 * usable entry above 4 GiB that nested paging does not cover. */
	struct tb_mem mem[] = {
		{ 0, 0x9FC00, TB_MEM_USABLE, 0 },
		{ 0x9FC00, 0x400, TB_MEM_RESERVED, 0 },
		{ 0x100000, 0x5FEE0000, TB_MEM_USABLE, 0 },
		{ 0xFFFC0000, 0x40000, TB_MEM_RESERVED, 0 },
		{ 0x100000000ull, 0x40000000, TB_MEM_USABLE, 0 },
	};
	struct lx_range holes[] = { { 0x400000, 0x4000000 }, { 0x4400000, 0x4800000 } };
	struct lx_range log = { 0x4810000, 0x4830000 };
	struct e820_entry out[16];
	const struct e820_entry want[] = {
		{ 0, 0x9FC00, E820_RAM },
		{ 0x9FC00, 0x400, E820_RESERVED },
		{ 0x100000, 0x300000, E820_RAM },                  /* up to the hidden window */
		{ 0x4000000, 0x400000, E820_RAM },                 /* between window and a guest */
		{ 0x4800000, 0x10000, E820_RAM },                  /* up to the log copy */
		{ 0x4810000, 0x20000, E820_RESERVED },             /* the log copy */
		{ 0x4830000, 0x5FFE0000 - 0x4830000, E820_RAM },
		{ 0xFFFC0000, 0x40000, E820_RESERVED },
	};
	u32 n = linux_e820(mem, 5, holes, 2, log, out, 16);
	CHECK(e820_eq(out, n, want, 8), "e820 for QEMU pc (%u entries)", n);
	for (u32 i = 0; i < n; i++) {
		for (u32 h = 0; h < 2; h++)
			CHECK(out[i].addr + out[i].size <= holes[h].start || out[i].addr >= holes[h].end,
			      "entry %u overlaps hole %u", i, h);
	}
	/* Not enough room: 0, never a partial map. */
	CHECK(linux_e820(mem, 5, holes, 2, log, out, 7) == 0, "7 entries fit into 7");
	/* A hole covering an entry completely removes it. */
	struct tb_mem one[] = { { 0x400000, 0x3C00000, TB_MEM_USABLE, 0 } };
	n = linux_e820(one, 1, holes, 1, (struct lx_range){ 0, 0 }, out, 16);
	CHECK(n == 0, "an entry inside the hidden window survives (%u)", n);
	/* An entry ending at 2^64 - 1 and one reaching past 4 GiB are cut at 4 GiB. */
	struct tb_mem big[] = { { 0xC0000000, 0xFFFFFFFFFFFFFFFFull - 0xC0000000, TB_MEM_RESERVED, 0 } };
	n = linux_e820(big, 1, holes, 0, (struct lx_range){ 0, 0 }, out, 16);
	CHECK(n == 1 && out[0].addr == 0xC0000000 && out[0].size == 0x40000000, "cut at 4 GiB");
	/* Too many holes or memory entries: refused. */
	CHECK(linux_e820(mem, TB_BOOTINFO_MAX_MEM + 1, holes, 2, log, out, 16) == 0, "33 entries");
	CHECK(linux_e820(mem, 5, holes, 25, log, out, 16) == 0, "25 holes");
}

static u8 *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	u8 *buf;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
		perror(path);
		exit(2);
	}
	*len = (size_t)ftell(f);
	rewind(f);
	buf = malloc(*len ? *len : 1);
	if (buf == NULL || fread(buf, 1, *len, f) != *len) {
		perror(path);
		exit(2);
	}
	fclose(f);
	return buf;
}

/* A real kernel parses, and the same file cut one byte short of what syssize declares does not. */
static void test_real(const char *path)
{
	size_t len;
	u8 *img = read_file(path, &len);
	struct linux_image li;
	const char *err = linux_parse(img, len, &li);

	CHECK(err == NULL, "%s refused: %s", path, err);
	if (err == NULL) {
		printf("  %s: protocol %x.%02x, setup %u bytes, kernel %llu bytes, init_size 0x%x, "
		       "alignment 0x%x, cmdline_size %u\n", path, li.version >> 8, li.version & 0xFF,
		       li.setup_size, (unsigned long long)li.kernel_size, li.init_size, li.alignment,
		       li.cmdline_max);
		u64 sys = (u64)get32(img + LX_SYSSIZE) * 16;
		CHECK(linux_parse(img, li.setup_size + sys - 1, &li) != NULL,
		      "%s cut one byte short of syssize accepted", path);
	}
	free(img);
}

int main(int argc, char **argv)
{
	test_parse();
	test_boot_params();
	test_e820();
	for (int i = 1; i < argc; i++)
		test_real(argv[i]);
	printf("test_linux: %d checks, %d failures\n", checks, failures);
	return failures != 0;
}
