/* Pure code for Linux guests: see linux.h. */
#include "linux.h"
#include <tb/string.h>

static u16 get16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }
static u32 get32(const u8 *p) { return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24; }
static void put16(u8 *p, u16 v) { p[0] = (u8)v; p[1] = (u8)(v >> 8); }
static void put32(u8 *p, u32 v) { put16(p, (u16)v); put16(p + 2, (u16)(v >> 16)); }
static void put64(u8 *p, u64 v) { put32(p, (u32)v); put32(p + 4, (u32)(v >> 32)); }

const char *linux_parse(const u8 *img, u64 len, struct linux_image *li)
{
	tb_memset(li, 0, sizeof(*li));
	if (len < LX_HEADER_MIN_END)
		return "bzImage: shorter than the setup header (offset 0x264)";
	if (get16(img + LX_BOOT_FLAG) != 0xAA55)
		return "bzImage: boot_flag at offset 0x1fe is not 0xaa55";
	if (tb_memcmp(img + LX_HEADER_MAGIC, "HdrS", 4) != 0)
		return "bzImage: header magic at offset 0x202 is not HdrS";
	li->version = get16(img + LX_VERSION);
	if (li->version < LX_MIN_VERSION)
		return "bzImage: boot protocol at offset 0x206 below 2.12 (no 64-bit entry)";
	if (img[LX_JUMP] != 0xEB)
		return "bzImage: no short jump at offset 0x200 (header length unknown)";
	li->header_end = 0x202u + img[LX_JUMP + 1];
	if (li->header_end < LX_HEADER_MIN_END || li->header_end > LX_HEADER_MAX_END)
		return "bzImage: setup header end (jump at offset 0x201) outside 0x264-0x290";
	if (li->header_end > len)
		return "bzImage: setup header runs past the end of the file";
	u32 sects = img[LX_SETUP_SECTS] ? img[LX_SETUP_SECTS] : 4u;
	li->setup_size = (sects + 1) * 512u;
	if (li->setup_size >= len)
		return "bzImage: setup_sects at offset 0x1f1 leaves no protected-mode kernel";
	li->kernel_size = len - li->setup_size;
	u64 sys = (u64)get32(img + LX_SYSSIZE) * 16;
	if (sys == 0 || sys > li->kernel_size)
		return "bzImage: syssize at offset 0x1f4 is zero or beyond the end of the file";
	if (!(img[LX_LOADFLAGS] & LX_LOADED_HIGH))
		return "bzImage: loadflags at offset 0x211 without LOADED_HIGH (not a bzImage)";
	if (!(get16(img + LX_XLOADFLAGS) & LX_XLF_KERNEL_64))
		return "bzImage: xloadflags at offset 0x236 without XLF_KERNEL_64 (no 64-bit entry)";
	if (img[LX_RELOCATABLE] == 0)
		return "bzImage: relocatable_kernel at offset 0x234 is 0";
	li->alignment = get32(img + LX_KERNEL_ALIGNMENT);
	if (li->alignment < 0x1000 || li->alignment > LX_MAX_ALIGN || (li->alignment & (li->alignment - 1)))
		return "bzImage: kernel_alignment at offset 0x230 is not a power of two in 4 KiB-1 GiB";
	li->init_size = get32(img + LX_INIT_SIZE);
	if (li->init_size < li->kernel_size || li->init_size > LX_MAX_INIT_SIZE)
		return "bzImage: init_size at offset 0x260 below the kernel size or above 512 MiB";
	li->cmdline_max = get32(img + LX_CMDLINE_SIZE);
	li->initrd_addr_max = get32(img + LX_INITRD_ADDR_MAX);
	return NULL;
}

/* Append [s, e) of `type` with every hole cut out. Holes before index 0 of h are known not to
 * overlap [s, e), so each split only looks at the holes after the one that split it. */
static int add_cut(struct e820_entry *out, u32 cap, u32 *n, u64 s, u64 e, u32 type,
		   const struct lx_range *h, u32 nh)
{
	if (s >= e)
		return 0;
	for (u32 i = 0; i < nh; i++) {
		if (h[i].start < e && s < h[i].end) {
			if (add_cut(out, cap, n, s, h[i].start, type, h + i + 1, nh - i - 1) != 0)
				return -1;
			return add_cut(out, cap, n, h[i].end, e, type, h + i + 1, nh - i - 1);
		}
	}
	if (*n == cap)
		return -1;
	out[(*n)++] = (struct e820_entry){ s, e - s, type };
	return 0;
}

#define LX_MAX_HOLES 24u
#define FOUR_GIB 0x100000000ull

u32 linux_e820(const struct tb_mem *mem, u32 nr_mem, const struct lx_range *holes, u32 nr_holes,
	       struct lx_range reserved, struct e820_entry *out, u32 cap)
{
	struct lx_range cut[LX_MAX_HOLES + 1];
	u32 n = 0, nc = 0;

	if (nr_holes > LX_MAX_HOLES || nr_mem > TB_BOOTINFO_MAX_MEM)
		return 0;
	for (u32 i = 0; i < nr_holes; i++)
		cut[nc++] = holes[i];
	if (reserved.start < reserved.end)
		cut[nc++] = reserved;
	for (u32 i = 0; i < nr_mem; i++) {
		u64 s = mem[i].addr;
		if (s >= FOUR_GIB)
			continue;                           /* nested paging covers 0-4 GiB only */
		u64 e = mem[i].size > FOUR_GIB - s ? FOUR_GIB : s + mem[i].size;
		if (add_cut(out, cap, &n, s, e, mem[i].type == TB_MEM_USABLE ? E820_RAM : E820_RESERVED,
			    cut, nc) != 0)
			return 0;
	}
	/* The reserved range itself, minus the holes. */
	if (add_cut(out, cap, &n, reserved.start, reserved.end, E820_RESERVED, holes, nr_holes) != 0)
		return 0;
	for (u32 i = 1; i < n; i++) {                   /* insertion sort by address */
		struct e820_entry x = out[i];
		u32 j = i;
		for (; j > 0 && out[j - 1].addr > x.addr; j--)
			out[j] = out[j - 1];
		out[j] = x;
	}
	return n;
}

void linux_boot_params(u8 bp[LX_BOOT_PARAMS_SIZE], const u8 *img, const struct linux_image *li,
		       u32 cmdline_gpa, u32 initrd_gpa, u32 initrd_len, const struct e820_entry *e820,
		       u32 nr_e820)
{
	tb_memset(bp, 0, LX_BOOT_PARAMS_SIZE);
	tb_memcpy(bp + LX_SETUP_SECTS, img + LX_SETUP_SECTS, li->header_end - LX_SETUP_SECTS);
	bp[LX_TYPE_OF_LOADER] = 0xFF;                   /* "undefined" loader (boot.rst) */
	bp[LX_LOADFLAGS] = LX_LOADED_HIGH;              /* no KEEP_SEGMENTS, no heap (16-bit only) */
	put32(bp + LX_CMD_LINE_PTR, cmdline_gpa);
	put32(bp + LX_RAMDISK_IMAGE, initrd_gpa);
	put32(bp + LX_RAMDISK_SIZE, initrd_len);
	if (nr_e820 > LX_E820_MAX)
		nr_e820 = LX_E820_MAX;
	bp[LX_E820_ENTRIES] = (u8)nr_e820;
	for (u32 i = 0; i < nr_e820; i++) {
		u8 *p = bp + LX_E820_TABLE + 20 * i;
		put64(p, e820[i].addr);
		put64(p + 8, e820[i].size);
		put32(p + 16, e820[i].type);
	}
}
