/* libFuzzer target for the VMM's parsers of firmware tables and of the device= words: ivrs_parse
 * on the input as an IVRS (its length field set to the input's size so the fuzzer reaches the
 * blocks), acpi_find_ivrs with the input as the BIOS area and everything above it, and
 * dev_assign_parse on the input as a command line. Invariants: no crash, no out-of-bounds access
 * (ASan), and every unit found is 16 KiB aligned and nonzero. */
#include "ivrs.h"
#include "iommu.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const u8 *fuzz_mem;
static size_t fuzz_len;

/* The input appears at physical 0xE0000 (the RSDP search area) and nothing else is readable. */
static const u8 *map(void *ctx, u64 pa, u64 len)
{
	(void)ctx;
	if (pa < 0xE0000u || pa - 0xE0000u > fuzz_len || len > fuzz_len - (pa - 0xE0000u))
		return NULL;
	return fuzz_mem + (pa - 0xE0000u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ivrs_info info;
	u8 *buf = malloc(size ? size : 1);
	u64 pa;
	u32 len;

	memcpy(buf, data, size);
	if (size >= 8 && size <= IVRS_MAX_LEN) {
		buf[4] = (u8)size;
		buf[5] = (u8)(size >> 8);
		buf[6] = buf[7] = 0;
		if (ivrs_parse(buf, (u32)size, &info) == NULL) {
			if (info.nr_units == 0 || info.nr_units > IVRS_MAX_UNITS)
				abort();
			for (u32 i = 0; i < info.nr_units; i++) {
				if (info.unit[i].base == 0 || info.unit[i].base % IOMMU_MMIO_ALIGN != 0)
					abort();
			}
		}
	}
	memcpy(buf, data, size);
	fuzz_mem = buf;
	fuzz_len = size;
	if (acpi_find_ivrs(map, NULL, &pa, &len) == NULL && len != 0 && map(NULL, pa, len) == NULL)
		abort();

	char *cmd = malloc(size + 1);
	struct dev_assign d[DEV_ASSIGN_MAX];
	u32 n;
	memcpy(cmd, data, size);
	cmd[size] = '\0';
	if (dev_assign_parse(cmd, d, &n) == NULL && n > DEV_ASSIGN_MAX)
		abort();
	free(cmd);
	free(buf);
	return 0;
}
