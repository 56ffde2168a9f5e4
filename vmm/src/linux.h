/* Pure code for Linux guests: the bzImage setup header (kernel Documentation/x86/boot.rst, boot
 * protocol 2.12+), the zero page (struct boot_params) the 64-bit entry expects, and the guest's
 * e820 map. No hardware access: compiled into the host unit tests too (vmm/test/test_linux.c).
 * Every input is hostile: the image is parsed only after its signature chain passed, but the parser
 * still checks every field and size against the file. */
#ifndef VMM_LINUX_H
#define VMM_LINUX_H

#include <tb/types.h>
#include <tb/bootinfo.h>

/* Offsets in the bzImage file and in struct boot_params (boot.rst "THE REAL-MODE KERNEL HEADER",
 * "DETAILS OF HEADER FIELDS"; arch/x86/include/uapi/asm/bootparam.h). The setup header sits at
 * the same offset in both. */
#define LX_SETUP_SECTS      0x1F1   /* u8: 512-byte setup sectors after the boot sector (0 = 4) */
#define LX_SYSSIZE          0x1F4   /* u32: protected-mode code size in 16-byte units */
#define LX_BOOT_FLAG        0x1FE   /* u16: 0xAA55 */
#define LX_JUMP             0x200   /* u8 0xEB, u8 offset: the header ends at 0x202 + offset */
#define LX_HEADER_MAGIC     0x202   /* "HdrS" */
#define LX_VERSION          0x206   /* u16: boot protocol version */
#define LX_TYPE_OF_LOADER   0x210   /* u8 */
#define LX_LOADFLAGS        0x211   /* u8: bit 0 LOADED_HIGH */
#define LX_CODE32_START     0x214   /* u32 */
#define LX_RAMDISK_IMAGE    0x218   /* u32 */
#define LX_RAMDISK_SIZE     0x21C   /* u32 */
#define LX_CMD_LINE_PTR     0x228   /* u32 */
#define LX_INITRD_ADDR_MAX  0x22C   /* u32: highest address the initrd may occupy */
#define LX_KERNEL_ALIGNMENT 0x230   /* u32 */
#define LX_RELOCATABLE      0x234   /* u8 */
#define LX_XLOADFLAGS       0x236   /* u16: bit 0 XLF_KERNEL_64 (entry at load address + 0x200) */
#define LX_CMDLINE_SIZE     0x238   /* u32: longest command line, without the NUL */
#define LX_INIT_SIZE        0x260   /* u32: linear memory the kernel needs from its load address */
#define LX_HEADER_MIN_END   0x264   /* init_size is the last field we read */
#define LX_HEADER_MAX_END   0x290   /* boot_params: hdr ends before edd_mbr_sig_buffer */
#define LX_E820_ENTRIES     0x1E8   /* boot_params: u8 */
#define LX_E820_TABLE       0x2D0   /* boot_params: 128 x struct boot_e820_entry (20 bytes) */
#define LX_E820_MAX         128u
#define LX_BOOT_PARAMS_SIZE 4096u

#define LX_MIN_VERSION      0x020Cu /* 2.12: xloadflags, 64-bit entry */
#define LX_LOADED_HIGH      0x01u
#define LX_XLF_KERNEL_64    0x01u
#define LX_ENTRY_64         0x200u  /* startup_64 = load address + 0x200 */
#define LX_MAX_ALIGN        0x40000000u   /* 1 GiB: anything larger is refused */
#define LX_MAX_INIT_SIZE    0x20000000u   /* 512 MiB */

#define E820_RAM      1u
#define E820_RESERVED 2u

struct linux_image {
	u16 version;
	u32 setup_size;                  /* (setup_sects + 1) * 512: where the 64-bit kernel starts */
	u64 kernel_size;                 /* file length - setup_size */
	u32 header_end;                  /* the setup header is file bytes [0x1F1, header_end) */
	u32 alignment;                   /* kernel_alignment: a power of two, 4 KiB ... 1 GiB */
	u32 init_size;                   /* >= kernel_size */
	u32 cmdline_max;                 /* cmdline_size */
	u32 initrd_addr_max;
};

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
};

struct lx_range {                        /* [start, end) */
	u64 start;
	u64 end;
};

/* NULL on success, else one line naming the field and its offset. */
const char *linux_parse(const u8 *img, u64 len, struct linux_image *li);

/* The guest's e820 map: every entry of the boot-info memory map (usable -> RAM, else reserved),
 * cut to [0, 4 GiB) and with every hole removed, plus `reserved` as one reserved entry (also cut out
 * of everything else), sorted by address. Returns the number of entries, 0 if more than cap. */
u32 linux_e820(const struct tb_mem *mem, u32 nr_mem, const struct lx_range *holes, u32 nr_holes,
	       struct lx_range reserved, struct e820_entry *out, u32 cap);

/* The zero page for the 64-bit entry: zeroed, the image's setup header copied, then loader type,
 * command line, initrd and e820 filled in (boot.rst "64-bit BOOT PROTOCOL"). Addresses are
 * guest-physical below 4 GiB. */
void linux_boot_params(u8 bp[LX_BOOT_PARAMS_SIZE], const u8 *img, const struct linux_image *li,
		       u32 cmdline_gpa, u32 initrd_gpa, u32 initrd_len, const struct e820_entry *e820,
		       u32 nr_e820);

#endif
