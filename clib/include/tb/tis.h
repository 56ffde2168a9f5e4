/* TPM TIS / FIFO interface, TCG PC Client Platform TPM Profile (PTP) Specification for TPM 2.0,
 * §6.3 (FIFO interface) and §6.5.2 (register space). Locality n registers at 0xFED40000 + 0x1000*n.
 * Every wait is bounded; every function returns 0 or a negative TIS_ERR_* value. */
#ifndef TB_TIS_H
#define TB_TIS_H

#include <tb/types.h>

#define TIS_BASE            0xFED40000u
#define TIS_LOCALITY_STRIDE 0x1000u
#define TIS_MAX_LOCALITY    4u

/* Register offsets within a locality (PTP §6.5.2, Table 19/20). */
#define TIS_REG_ACCESS      0x00u   /* 8 bit */
#define TIS_REG_INT_ENABLE  0x08u
#define TIS_REG_STS         0x18u   /* 8 bit status + 16 bit burstCount at 0x19 */
#define TIS_REG_BURST_COUNT 0x19u
#define TIS_REG_DATA_FIFO   0x24u
#define TIS_REG_DID_VID     0xF00u

/* TPM_ACCESS_x bits (PTP §6.5.2.4). */
#define TIS_ACCESS_VALID            0x80u
#define TIS_ACCESS_ACTIVE_LOCALITY  0x20u
#define TIS_ACCESS_BEEN_SEIZED      0x10u
#define TIS_ACCESS_SEIZE            0x08u
#define TIS_ACCESS_PENDING_REQUEST  0x04u
#define TIS_ACCESS_REQUEST_USE      0x02u
#define TIS_ACCESS_ESTABLISHMENT    0x01u

/* TPM_STS_x bits (PTP §6.5.2.7). */
#define TIS_STS_VALID         0x80u
#define TIS_STS_COMMAND_READY 0x40u
#define TIS_STS_GO            0x20u
#define TIS_STS_DATA_AVAIL    0x10u
#define TIS_STS_EXPECT        0x08u
#define TIS_STS_RESPONSE_RETRY 0x02u

/* Transport errors (negative, distinct from TPM response codes which are >= 0). */
#define TIS_ERR_LOCALITY   (-1)   /* locality number out of range */
#define TIS_ERR_NO_TPM     (-2)   /* ACCESS register not valid / all ones */
#define TIS_ERR_TIMEOUT    (-3)   /* a bounded wait ran out */
#define TIS_ERR_NOT_ACTIVE (-4)   /* locality not (or no longer) active */
#define TIS_ERR_PROTOCOL   (-5)   /* TPM status contradicts the FIFO protocol */
#define TIS_ERR_ARGS       (-6)   /* bad buffer or length */
#define TIS_ERR_RESP_SIZE  (-7)   /* response header size invalid or larger than the buffer */

/* Polling bounds: each poll costs about 1 us (port 0x80 delay) plus the MMIO read. */
#define TIS_POLL_LOCALITY  200000u   /* ~0.2 s to get a locality */
#define TIS_POLL_COMMAND   5000000u  /* ~5 s for a command to complete */

/* Relinquish locality loc (write activeLocality = 1). Harmless if not active. */
void tis_relinquish_locality(unsigned loc);
/* Request locality loc and wait (bounded) until it is active. */
int tis_request_locality(unsigned loc);
/* Send one command at locality loc (which must be active) and read the whole response.
 * *resp_len receives the response size taken from the response header (checked against cap). */
int tis_transmit(unsigned loc, const u8 *cmd, size_t len, u8 *resp, size_t cap, size_t *resp_len);
/* One-line description of a TIS_ERR_* value. */
const char *tis_strerror(int err);

#endif
