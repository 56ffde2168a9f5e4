/* Launch parameters: written by the (untrusted) launcher into the SLB's 64 KiB, outside the measured
 * length, read by the SLB as hostile input. docs/launch-protocol.md "SLB launch parameters". */
#ifndef TB_LAUNCH_PARAMS_H
#define TB_LAUNCH_PARAMS_H

#include <tb/types.h>
#include <tb/bootinfo.h>

#define TB_LP_MAGIC        0x504C4254u   /* 'TBLP' little-endian */
#define TB_LP_VERSION      1u
#define TB_LP_OFFSET       0xA000u       /* from the SLB base; the SLB image (incl. bss) ends below */
#define TB_LP_END          0xB000u       /* parameters end; 0xB000..0x10000 is the SLB stack */
#define TB_LP_MAX_MODULES  18u           /* vmm + config + 16 guests/manifests */
#define TB_LP_MAX_MEM      TB_BOOTINFO_MAX_MEM

#define TB_LP_FLAG_EMULATED 0x1u         /* the launcher used skinit=emulate (diagnostic only) */
#define TB_LP_FLAGS_KNOWN   TB_LP_FLAG_EMULATED

/* Module roles; guest and manifest equal the tb_bootinfo module kinds. */
#define TB_ROLE_VMM      1u
#define TB_ROLE_CONFIG   2u
#define TB_ROLE_GUEST    TB_MODULE_GUEST      /* 3 */
#define TB_ROLE_MANIFEST TB_MODULE_MANIFEST   /* 4 */
#define TB_ROLE_INITRD   TB_MODULE_INITRD     /* 5 */

struct tb_lp_module {
	u64 addr;                        /*  0: physical, where the boot loader left it */
	u64 size;                        /*  8 */
	u32 role;                        /* 16: TB_ROLE_* */
	u32 reserved;                    /* 20: zero */
	char name[TB_MODULE_NAME_SIZE];  /* 24: guest/manifest NAME, NUL-padded; zero for vmm/config */
};                                       /* 56 */

struct tb_launch_params {
	u32 magic;                       /*    0: TB_LP_MAGIC */
	u32 version;                     /*    4: 1 */
	u32 size;                        /*    8: sizeof(struct tb_launch_params) */
	u32 flags;                       /*   12: TB_LP_FLAG_*; unknown bits are refused */
	u32 nr_modules;                  /*   16: 1..TB_LP_MAX_MODULES */
	u32 nr_mem;                      /*   20: 1..TB_LP_MAX_MEM */
	struct tb_lp_module modules[TB_LP_MAX_MODULES];   /*   24 */
	struct tb_mem mem[TB_LP_MAX_MEM];                 /* 1032: from the boot loader's map */
};                                                         /* 1800 */

TB_STATIC_ASSERT(sizeof(struct tb_lp_module) == 56, "tb_lp_module size");
TB_STATIC_ASSERT(offsetof(struct tb_launch_params, modules) == 24, "modules");
TB_STATIC_ASSERT(offsetof(struct tb_launch_params, mem) == 1032, "mem");
TB_STATIC_ASSERT(sizeof(struct tb_launch_params) == 1800, "tb_launch_params size");
TB_STATIC_ASSERT(TB_LP_OFFSET + sizeof(struct tb_launch_params) <= TB_LP_END, "params fit");

/* SLB image header (AMD64 APM vol. 2, §15.27.6 "Secure Loader Block"): the CPU reads the two
 * words, hashes bytes [0, length) and jumps to base + entry. The rest of the header is ours. */
struct tb_slb_header {
	u16 entry;                       /* 0: entry offset */
	u16 length;                      /* 2: measured length, includes this header */
	u32 magic;                       /* 4: 'TBSL' */
	u16 lp_offset;                   /* 8: TB_LP_OFFSET, for the launcher */
	u16 version;                     /* 10: 1 */
};
TB_STATIC_ASSERT(sizeof(struct tb_slb_header) == 12, "slb header");
#define TB_SLB_MAGIC 0x4C534254u         /* 'TBSL' */

/* VMM image header (docs/launch-protocol.md "VMM image header"). */
struct tb_vmm_header {
	u8 magic[4];                     /*  0: "TBVM" */
	u32 version;                     /*  4: 1 */
	u64 load_addr;                   /*  8 */
	u64 entry;                       /* 16 */
	u64 image_size;                  /* 24: = file size */
	u64 mem_size;                    /* 32: >= image_size */
	u8 reserved[24];                 /* 40: zero */
} TB_PACKED;                             /* 64 */
TB_STATIC_ASSERT(sizeof(struct tb_vmm_header) == 64, "vmm header");

#endif
