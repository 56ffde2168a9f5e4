/* Boot-info handed from the SLB to the VMM (docs/launch-protocol.md "Boot-info").
 * Written by the SLB at TB_BOOTINFO_ADDR; the VMM receives its address in RDI. */
#ifndef TB_BOOTINFO_H
#define TB_BOOTINFO_H

#include <tb/types.h>

#define TB_BOOTINFO_MAGIC   0x49424254u   /* 'TBBI' little-endian */
#define TB_BOOTINFO_VERSION 1u

#define TB_LAUNCH_SKINIT     1u
#define TB_LAUNCH_EMULATED   2u
#define TB_LAUNCH_UNMEASURED 3u

#define TB_MODULE_GUEST    3u
#define TB_MODULE_MANIFEST 4u
#define TB_MODULE_INITRD   5u    /* the initramfs of Linux guest NAME */

#define TB_MEM_USABLE   1u
#define TB_MEM_RESERVED 2u

#define TB_BOOTINFO_MAX_CONFIG  4096u
#define TB_BOOTINFO_MAX_MODULES 16u
#define TB_BOOTINFO_MAX_MEM     32u
#define TB_MODULE_NAME_SIZE     32u   /* NUL-terminated, so at most 31 characters */

/* Fixed physical layout (docs/launch-protocol.md "Physical memory layout"). */
#define TB_SLB_SIZE          0x00010000u
#define TB_SLB_MIN_BASE      0x00400000u
#define TB_SLB_MAX_BASE      0x00FF0000u
#define TB_BOOTINFO_ADDR     0x01000000u
#define TB_BOOTINFO_END      0x01010000u
#define TB_EVLOG_ADDR        0x01010000u
#define TB_EVLOG_CAPACITY    0x00020000u
#define TB_SLB_SCRATCH_ADDR  0x01030000u
#define TB_SLB_SCRATCH_END   0x01100000u
#define TB_VMM_MIN_ADDR      0x01100000u
#define TB_VMM_END           0x04000000u   /* exclusive */
/* The SLB's deny-all IOMMU set-up (skinit-loader/README.md "DMA protection"): a 2 MiB device table
 * in the top of the VMM range, so the VMM image and bss end below it; one 4 KiB command buffer per
 * IOMMU (at most 8) and the COMPLETION_WAIT store in the SLB scratch area after the page tables. */
#define TB_SLB_DEVTAB_ADDR   0x03E00000u
#define TB_VMM_MEM_END       TB_SLB_DEVTAB_ADDR
#define TB_SLB_IOMMU_CMD     0x01036000u
#define TB_SLB_IOMMU_WAIT    0x0103E000u
#define TB_GUEST_POOL_ADDR   0x04000000u

struct tb_module {
	u64 addr;                        /*  0 */
	u64 size;                        /*  8 */
	u32 kind;                        /* 16: TB_MODULE_GUEST / TB_MODULE_MANIFEST */
	u32 reserved;                    /* 20 */
	char name[TB_MODULE_NAME_SIZE];  /* 24 */
};                                       /* 56 */

struct tb_mem {
	u64 addr;                        /*  0 */
	u64 size;                        /*  8 */
	u32 type;                        /* 16: TB_MEM_USABLE / TB_MEM_RESERVED */
	u32 reserved;                    /* 20 */
};                                       /* 24 */

struct tb_bootinfo {
	u32 magic;                       /*    0 */
	u32 version;                     /*    4 */
	u32 size;                        /*    8: sizeof(struct tb_bootinfo) */
	u32 launch_type;                 /*   12: TB_LAUNCH_* */
	u64 slb_base;                    /*   16 */
	u64 slb_size;                    /*   24: 65536 */
	u64 evlog_addr;                  /*   32 */
	u64 evlog_capacity;              /*   40 */
	u64 evlog_used;                  /*   48 */
	u64 vmm_base;                    /*   56 */
	u64 vmm_mem_size;                /*   64 */
	u16 console_port;                /*   72: 0x3F8 */
	u16 reserved;                    /*   74 */
	u32 nr_modules;                  /*   76 */
	u32 nr_mem;                      /*   80 */
	u32 config_size;                 /*   84 */
	u8 config[TB_BOOTINFO_MAX_CONFIG];                /*   88 */
	struct tb_module modules[TB_BOOTINFO_MAX_MODULES]; /* 4184 */
	struct tb_mem mem[TB_BOOTINFO_MAX_MEM];            /* 5080 */
};                                                          /* 5848 */

TB_STATIC_ASSERT(sizeof(struct tb_module) == 56, "tb_module size");
TB_STATIC_ASSERT(offsetof(struct tb_module, name) == 24, "tb_module.name");
TB_STATIC_ASSERT(sizeof(struct tb_mem) == 24, "tb_mem size");
TB_STATIC_ASSERT(offsetof(struct tb_bootinfo, slb_base) == 16, "slb_base");
TB_STATIC_ASSERT(offsetof(struct tb_bootinfo, evlog_addr) == 32, "evlog_addr");
TB_STATIC_ASSERT(offsetof(struct tb_bootinfo, vmm_base) == 56, "vmm_base");
TB_STATIC_ASSERT(offsetof(struct tb_bootinfo, console_port) == 72, "console_port");
TB_STATIC_ASSERT(offsetof(struct tb_bootinfo, nr_modules) == 76, "nr_modules");
TB_STATIC_ASSERT(offsetof(struct tb_bootinfo, config_size) == 84, "config_size");
TB_STATIC_ASSERT(offsetof(struct tb_bootinfo, config) == 88, "config");
TB_STATIC_ASSERT(offsetof(struct tb_bootinfo, modules) == 4184, "modules");
TB_STATIC_ASSERT(offsetof(struct tb_bootinfo, mem) == 5080, "mem");
TB_STATIC_ASSERT(sizeof(struct tb_bootinfo) == 5848, "tb_bootinfo size");
TB_STATIC_ASSERT(sizeof(struct tb_bootinfo) <= TB_BOOTINFO_END - TB_BOOTINFO_ADDR, "fits its pages");

#endif
