/* TPM 2.0 command marshalling (TPM 2.0 Library Specification, Part 3 "Commands", rev. 1.59:
 * §22.2 TPM2_PCR_Extend, §22.4 TPM2_PCR_Read; structures in Part 2). All integers on the wire are
 * big-endian. The build/parse functions are pure (host-testable); the wrappers use tb/tis.h. */
#ifndef TB_TPM2_H
#define TB_TPM2_H

#include <tb/types.h>

#define TPM2_ST_NO_SESSIONS   0x8001u
#define TPM2_ST_SESSIONS      0x8002u
#define TPM2_CC_PCR_EXTEND    0x00000182u
#define TPM2_CC_PCR_READ      0x0000017Eu
#define TPM2_RS_PW            0x40000009u   /* password authorization session handle */
#define TPM2_ALG_SHA1         0x0004u
#define TPM2_ALG_SHA256       0x000Bu
#define TPM2_RC_SUCCESS       0x000u
#define TPM2_RC_LOCALITY      0x907u

#define TPM2_MAX_PCR          23u
#define TPM2_HEADER_SIZE      10u
#define TPM2_PCR_EXTEND_CMD_SIZE 87u   /* 10 + 4 + 4 + 9 + 4 + (2+20) + (2+32) */
#define TPM2_PCR_READ_CMD_SIZE   26u   /* 10 + 4 + 2*(2+1+3) */
#define TPM2_MAX_RESPONSE     4096u

/* Marshalling/parse errors (negative; TIS_ERR_* are -1..-15, these -16..-31). */
#define TPM2_ERR_ARGS        (-16)  /* bad PCR index or buffer too small */
#define TPM2_ERR_SHORT       (-17)  /* response shorter than a field it must contain */
#define TPM2_ERR_SIZE        (-18)  /* header size field disagrees with the bytes received */
#define TPM2_ERR_TAG         (-19)  /* unexpected response tag */
#define TPM2_ERR_FORMAT      (-20)  /* structure content not what was requested */
#define TPM2_ERR_TRAILING    (-21)  /* bytes left over after the last field */

/* Build TPM2_PCR_Extend(pcr, {SHA-1: sha1, SHA-256: sha256}) with an empty-password TPM_RS_PW
 * session. Returns the command length (87) or TPM2_ERR_ARGS. */
int tpm2_build_pcr_extend(u8 *buf, size_t cap, unsigned pcr, const u8 sha1[20], const u8 sha256[32]);
/* Build TPM2_PCR_Read selecting `pcr` in the SHA-1 and SHA-256 banks. Returns 26 or TPM2_ERR_ARGS. */
int tpm2_build_pcr_read(u8 *buf, size_t cap, unsigned pcr);

/* Check a response header: len bytes received, tag, size == len. On success stores the response
 * code in *rc and returns 0; otherwise a negative TPM2_ERR_*. */
int tpm2_parse_response_header(const u8 *resp, size_t len, u32 *rc);
/* Parse the TPM2_PCR_Extend response: returns the TPM rc (0 = success) or a negative TPM2_ERR_*. */
int tpm2_parse_pcr_extend_response(const u8 *resp, size_t len);
/* Parse the TPM2_PCR_Read response for the selection built by tpm2_build_pcr_read: returns the TPM
 * rc (0 = success, digests stored) or a negative TPM2_ERR_* (e.g. the TPM returned another
 * selection or digest count). */
int tpm2_parse_pcr_read_response(const u8 *resp, size_t len, unsigned pcr, u8 sha1[20], u8 sha256[32]);

/* Transport wrappers: the locality must already be active (tis_request_locality).
 * Return the TPM rc (0 ok, >0 TPM error) or a negative TIS_ERR_* / TPM2_ERR_*. */
int tpm2_pcr_extend(unsigned loc, unsigned pcr, const u8 sha1[20], const u8 sha256[32]);
int tpm2_pcr_read(unsigned loc, unsigned pcr, u8 sha1[20], u8 sha256[32]);

/* Description of a negative TIS_ERR_* or TPM2_ERR_* value. */
const char *tpm2_strerror(int err);

#endif
