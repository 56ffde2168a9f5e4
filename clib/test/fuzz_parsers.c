/* libFuzzer target for clib's parsers of untrusted bytes: TPM2 response parsers (as if the TPM
 * or the bus were hostile) and evlog_open (a log handed over in memory). Invariants: no crash,
 * no out-of-bounds access (ASan), and success only for exactly-sized, well-formed input. */
#include <tb/tpm2.h>
#include <tb/evlog.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 d1[20], d256[32];
	u32 rc;
	/* Copies of exactly `size` bytes so ASan sees any over-read. */
	u8 *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);

	if (tpm2_parse_response_header(buf, size, &rc) == 0 && size < 10)
		abort();
	if (tpm2_parse_pcr_extend_response(buf, size) == 0 && size != 19)
		abort();
	if (tpm2_parse_pcr_read_response(buf, size, 17, d1, d256) == 0 && size != 90)
		abort();
	struct tb_evlog log;
	if (size <= 0xFFFFFFFFu && evlog_open(&log, buf, (u32)size, (u32)size) == 0) {
		if (log.used != size || size < TB_EVLOG_HEADER_SIZE)
			abort();
	}
	free(buf);
	return 0;
}
