/* Validation of everything the launcher hands the SLB (pure code, also built for host tests). */
#ifndef SLB_VALIDATE_H
#define SLB_VALIDATE_H

#include <tb/types.h>
#include "launch_params.h"

/* What the SLB will do, derived from validated parameters (indices into lp->modules). */
struct slb_plan {
	u32 vmm;
	u32 config;
	u32 nr_extra;                               /* guests and manifests, launcher order */
	u32 extra[TB_BOOTINFO_MAX_MODULES];
};

/* Launch parameters (a private copy) for an SLB at slb_base. Returns 0, or -1 with a one-line
 * reason in err naming the field. */
int slb_validate_params(const struct tb_launch_params *lp, u64 slb_base, struct slb_plan *plan,
			char *err, u32 errcap);
/* VMM header (a private copy) against the module size. */
int slb_validate_vmm_header(const struct tb_vmm_header *h, u64 module_size, char *err, u32 errcap);
/* Launch configuration blob (a private copy), docs/launch-protocol.md "Launch configuration blob". */
int slb_validate_config(const u8 *blob, u64 len, char *err, u32 errcap);

#endif
