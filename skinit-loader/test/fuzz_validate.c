/* libFuzzer target for the SLB's validation of launcher input: launch parameters, VMM header and
 * launch configuration, all from fuzzer bytes. Invariants beyond "no crash / no OOB": an accepted
 * parameter block yields a plan whose modules are in bounds, non-empty, below 4 GiB and clear of
 * the SLB and the fixed regions. */
#include "validate.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tb_launch_params lp;
	struct slb_plan plan;
	char err[160];

	if (size < 4)
		return 0;
	u32 sel = data[0] % 3;
	data++;
	size--;
	if (sel == 0) {
		memset(&lp, 0, sizeof(lp));
		memcpy(&lp, data, size < sizeof(lp) ? size : sizeof(lp));
		u64 base = 0x400000 + (u64)(data[0] % 0xC0) * 0x10000;
		if (slb_validate_params(&lp, base, &plan, err, sizeof(err)) == 0) {
			if (lp.nr_modules > TB_LP_MAX_MODULES || plan.nr_extra > TB_BOOTINFO_MAX_MODULES)
				abort();
			for (u32 i = 0; i < lp.nr_modules; i++) {
				const struct tb_lp_module *m = &lp.modules[i];
				if (m->size == 0 || m->addr + m->size > 0x100000000ull || m->addr + m->size < m->addr)
					abort();
				if (m->addr < base + 0x10000 && base < m->addr + m->size)
					abort();
				if (m->addr < 0x04000000 && 0x01000000 < m->addr + m->size)
					abort();
			}
		}
	} else if (sel == 1) {
		struct tb_vmm_header h;
		u64 msize;
		if (size < sizeof(h) + 8)
			return 0;
		memcpy(&h, data, sizeof(h));
		memcpy(&msize, data + sizeof(h), 8);
		if (slb_validate_vmm_header(&h, msize, err, sizeof(err)) == 0 &&
		    (h.load_addr + h.mem_size > 0x04000000 || h.entry >= h.load_addr + h.image_size))
			abort();
	} else {
		u8 *copy = malloc(size);
		memcpy(copy, data, size);
		(void)slb_validate_config(copy, size, err, sizeof(err));
		free(copy);
	}
	return 0;
}
