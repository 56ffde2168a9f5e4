/* Hash, extend, log. */
#include <tb/measure.h>
#include <tb/sha1.h>
#include <tb/sha256.h>
#include <tb/tpm2.h>

int tb_measure(struct tb_evlog *log, unsigned loc, u32 pcr, u32 type,
	       const void *measured, size_t len, const void *evdata, u32 evlen)
{
	u8 d1[SHA1_DIGEST_SIZE], d256[SHA256_DIGEST_SIZE];
	int rc;

	if (log == NULL || log->used > log->capacity || (measured == NULL && len != 0))
		return EVLOG_ERR_ARGS;
	/* Room first: an extend without its log entry would make the log unreplayable. */
	u32 room = log->capacity - log->used;
	if (room < TB_EVLOG_EVENT2_FIXED || evlen > room - TB_EVLOG_EVENT2_FIXED)
		return MEASURE_ERR_LOG_FULL;
	sha1(measured, len, d1);
	sha256(measured, len, d256);
	rc = tpm2_pcr_extend(loc, pcr, d1, d256);
	if (rc != 0)
		return rc;
	return evlog_append(log, pcr, type, d1, d256, evdata, evlen);
}
