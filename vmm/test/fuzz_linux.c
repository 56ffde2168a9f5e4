/* libFuzzer target for the VMM's bzImage setup-header parser and the zero page built from it:
 * linux_parse on the input as a kernel file; when it accepts, linux_boot_params must copy only
 * header bytes that exist (ASan) and every accepted size must be consistent with the file. The
 * first 16 bytes also drive linux_e820 (four holes cut from a fixed memory map). */
#include "linux.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u8 bp[LX_BOOT_PARAMS_SIZE];
	struct linux_image li;
	u8 *img = malloc(size ? size : 1);

	memcpy(img, data, size);
	if (linux_parse(img, size, &li) == NULL) {
		if (li.setup_size >= size || li.kernel_size != size - li.setup_size || li.header_end > size ||
		    li.init_size < li.kernel_size)
			abort();
		linux_boot_params(bp, img, &li, 0x1000, 0x2000, 0x3000, NULL, 0);
	}
	if (size >= 16) {
		struct tb_mem mem[3] = { { 0, 0x9FC00, TB_MEM_USABLE, 0 }, { 0x100000, 0x7FF00000, TB_MEM_USABLE, 0 },
					 { 0xFFFC0000, 0x40000, TB_MEM_RESERVED, 0 } };
		struct lx_range holes[4];
		struct e820_entry out[16];
		for (int i = 0; i < 4; i++) {
			u64 s = (u64)data[4 * i] << 24 | (u64)data[4 * i + 1] << 16;
			holes[i] = (struct lx_range){ s, s + ((u64)data[4 * i + 2] << 20) + data[4 * i + 3] };
		}
		u32 n = linux_e820(mem, 3, holes, 4, (struct lx_range){ 0x4010000, 0x4030000 }, out, 16);
		for (u32 i = 0; i < n; i++) {
			for (int h = 0; h < 4; h++) {
				if (out[i].size == 0 || (out[i].addr < holes[h].end && holes[h].start < out[i].addr + out[i].size))
					abort();
			}
		}
	}
	free(img);
	return 0;
}
