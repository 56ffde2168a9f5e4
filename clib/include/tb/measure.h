/* Measure = hash in both banks, extend the PCR, append to the event log (in that order: a log
 * entry is only written once the TPM accepted the extend). */
#ifndef TB_MEASURE_H
#define TB_MEASURE_H

#include <tb/types.h>
#include <tb/evlog.h>

#define MEASURE_ERR_LOG_FULL (-48)   /* checked before extending, so PCR and log stay in step */

/* Digest `measured` (len bytes) with SHA-1 and SHA-256, extend `pcr` at locality `loc` (must be
 * active) and log the event with `evdata`. Returns 0, a TPM rc (> 0) or a negative error
 * (TIS_ERR_*, TPM2_ERR_*, EVLOG_ERR_*, MEASURE_ERR_*). */
int tb_measure(struct tb_evlog *log, unsigned loc, u32 pcr, u32 type,
	       const void *measured, size_t len, const void *evdata, u32 evlen);
/* Describe any negative error of the TPM/log stack. */
const char *tb_strerror(int err);

#endif
