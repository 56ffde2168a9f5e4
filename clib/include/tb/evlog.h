/* TCG crypto-agile event log writer (TCG PC Client Platform Firmware Profile Specification 1.05,
 * §10.2.1 TCG_PCClientPCREvent (first record, SHA-1 format, EV_NO_ACTION carrying
 * TCG_EfiSpecIDEvent "Spec ID Event03"), §10.2.2 TCG_PCR_EVENT2 for every later record).
 * The log carries two banks in this fixed order: SHA-1, SHA-256. */
#ifndef TB_EVLOG_H
#define TB_EVLOG_H

#include <tb/types.h>

#define EV_NO_ACTION 0x00000003u

/* Event types of docs/launch-protocol.md "Measurements". */
#define TB_EV_SKINIT_SLB     0x00000401u   /* PCR 17, data "skinit:slb" */
#define TB_EV_VMM            0x00000402u   /* PCR 17, data "vmm" */
#define TB_EV_LAUNCH_TYPE    0x00000403u   /* PCR 18, data "launch-type=..." */
#define TB_EV_LAUNCH_CONFIG  0x00000404u   /* PCR 18, data "launch-config" */
#define TB_EV_GUEST          0x00000405u   /* PCR 19, data = 128-byte guest record */

/* Size of the header record written by evlog_init: 32 + 37-byte Spec ID Event03 with 2 algorithms. */
#define TB_EVLOG_HEADER_SIZE 69u
/* Size of one TCG_PCR_EVENT2 with both banks, excluding the event data. */
#define TB_EVLOG_EVENT2_FIXED 72u   /* 4 pcr + 4 type + 4 count + (2+20) + (2+32) + 4 size */

#define EVLOG_ERR_ARGS  (-32)   /* NULL pointers, pcr > 23 */
#define EVLOG_ERR_FULL  (-33)   /* record does not fit in the remaining capacity */
#define EVLOG_ERR_FORMAT (-34)  /* evlog_open: existing bytes are not a valid log of this writer */

struct tb_evlog {
	u8 *base;
	u32 capacity;
	u32 used;
};

/* Start a new log at base (capacity cap) with the Spec ID Event03 header. */
int evlog_init(struct tb_evlog *log, void *base, u32 cap);
/* Continue an existing log of `used` bytes: walks every record (bounded) and refuses anything
 * this writer would not have produced (wrong header, algorithms, sizes, overruns). */
int evlog_open(struct tb_evlog *log, void *base, u32 cap, u32 used);
/* Append one TCG_PCR_EVENT2 with SHA-1 and SHA-256 digests. Nothing is written on error. */
int evlog_append(struct tb_evlog *log, u32 pcr, u32 type, const u8 sha1[20], const u8 sha256[32],
		 const void *data, u32 len);
const char *evlog_strerror(int err);

#endif
