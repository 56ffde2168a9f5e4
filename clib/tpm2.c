/* TPM 2.0 command marshalling and response parsing (pure functions, no I/O).
 * TPM 2.0 Library Specification rev. 1.59, Part 1 §18 (command/response structure), Part 2
 * (TPML_DIGEST_VALUES §10.9.7, TPMS_PCR_SELECTION §10.6.2, TPML_PCR_SELECTION §10.9.8, TPML_DIGEST
 * §10.9.2), Part 3 §22.2 (TPM2_PCR_Extend) and §22.4 (TPM2_PCR_Read). Big-endian on the wire. */
#include <tb/tpm2.h>
#include <tb/string.h>

static void put16(u8 *p, u16 v) { p[0] = (u8)(v >> 8); p[1] = (u8)v; }
static void put32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24); p[1] = (u8)(v >> 16); p[2] = (u8)(v >> 8); p[3] = (u8)v;
}

/* A bounded reader over an untrusted response: every get checks what remains first. */
struct reader {
	const u8 *p;
	size_t left;
};

static int get8(struct reader *r, u8 *v)
{
	if (r->left < 1)
		return TPM2_ERR_SHORT;
	*v = r->p[0];
	r->p += 1;
	r->left -= 1;
	return 0;
}

static int get16(struct reader *r, u16 *v)
{
	if (r->left < 2)
		return TPM2_ERR_SHORT;
	*v = (u16)((r->p[0] << 8) | r->p[1]);
	r->p += 2;
	r->left -= 2;
	return 0;
}

static int get32(struct reader *r, u32 *v)
{
	if (r->left < 4)
		return TPM2_ERR_SHORT;
	*v = ((u32)r->p[0] << 24) | ((u32)r->p[1] << 16) | ((u32)r->p[2] << 8) | r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int get_bytes(struct reader *r, u8 *out, size_t n)
{
	if (r->left < n)
		return TPM2_ERR_SHORT;
	tb_memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

/* TPMS_PCR_SELECTION for one PCR: sizeofSelect 3 (PCR 0-23), bit pcr%8 of byte pcr/8. */
static void put_selection(u8 *p, u16 alg, unsigned pcr)
{
	put16(p, alg);
	p[2] = 3;
	p[3] = p[4] = p[5] = 0;
	p[3 + pcr / 8] = (u8)(1u << (pcr % 8));
}

int tpm2_build_pcr_extend(u8 *buf, size_t cap, unsigned pcr, const u8 sha1[20], const u8 sha256[32])
{
	if (buf == NULL || sha1 == NULL || sha256 == NULL || pcr > TPM2_MAX_PCR ||
	    cap < TPM2_PCR_EXTEND_CMD_SIZE)
		return TPM2_ERR_ARGS;
	u8 *p = buf;
	put16(p + 0, TPM2_ST_SESSIONS);            /* tag */
	put32(p + 2, TPM2_PCR_EXTEND_CMD_SIZE);    /* commandSize */
	put32(p + 6, TPM2_CC_PCR_EXTEND);          /* commandCode */
	put32(p + 10, pcr);                        /* @pcrHandle (TPMI_DH_PCR) */
	put32(p + 14, 9);                          /* authorizationSize */
	put32(p + 18, TPM2_RS_PW);                 /* TPMS_AUTH_COMMAND.sessionHandle */
	put16(p + 22, 0);                          /*   nonce: empty TPM2B */
	p[24] = 0;                                 /*   sessionAttributes */
	put16(p + 25, 0);                          /*   hmac: empty password */
	put32(p + 27, 2);                          /* TPML_DIGEST_VALUES.count */
	put16(p + 31, TPM2_ALG_SHA1);              /*   TPMT_HA.hashAlg */
	tb_memcpy(p + 33, sha1, 20);
	put16(p + 53, TPM2_ALG_SHA256);
	tb_memcpy(p + 55, sha256, 32);
	return TPM2_PCR_EXTEND_CMD_SIZE;           /* 55 + 32 = 87 */
}

int tpm2_build_pcr_read(u8 *buf, size_t cap, unsigned pcr)
{
	if (buf == NULL || pcr > TPM2_MAX_PCR || cap < TPM2_PCR_READ_CMD_SIZE)
		return TPM2_ERR_ARGS;
	put16(buf + 0, TPM2_ST_NO_SESSIONS);
	put32(buf + 2, TPM2_PCR_READ_CMD_SIZE);
	put32(buf + 6, TPM2_CC_PCR_READ);
	put32(buf + 10, 2);                        /* TPML_PCR_SELECTION.count */
	put_selection(buf + 14, TPM2_ALG_SHA1, pcr);
	put_selection(buf + 20, TPM2_ALG_SHA256, pcr);
	return TPM2_PCR_READ_CMD_SIZE;
}

int tpm2_parse_response_header(const u8 *resp, size_t len, u32 *rc)
{
	struct reader r = { resp, len };
	u16 tag;
	u32 size;

	if (resp == NULL || rc == NULL)
		return TPM2_ERR_ARGS;
	if (get16(&r, &tag) || get32(&r, &size) || get32(&r, rc))
		return TPM2_ERR_SHORT;
	if (tag != TPM2_ST_NO_SESSIONS && tag != TPM2_ST_SESSIONS)
		return TPM2_ERR_TAG;
	if (size != len)
		return TPM2_ERR_SIZE;
	/* Part 1 §18.8: an error response carries no parameters and uses TPM_ST_NO_SESSIONS. */
	if (*rc != TPM2_RC_SUCCESS && (size != TPM2_HEADER_SIZE || tag != TPM2_ST_NO_SESSIONS))
		return TPM2_ERR_FORMAT;
	return 0;
}

int tpm2_parse_pcr_extend_response(const u8 *resp, size_t len)
{
	u32 rc, param_size;
	u16 nonce_size, hmac_size, tag;
	u8 attrs;
	int err = tpm2_parse_response_header(resp, len, &rc);

	if (err)
		return err;
	if (rc != TPM2_RC_SUCCESS)
		return (int)(rc & 0x7FFFFFFF);
	/* Success: tag ST_SESSIONS, parameterSize (0: no response parameters), TPMS_AUTH_RESPONSE
	 * for the password session: empty nonce, attributes, empty hmac (Part 1 §18.9). */
	struct reader r = { resp, len };
	r.p += TPM2_HEADER_SIZE;
	r.left -= TPM2_HEADER_SIZE;
	tag = (u16)((resp[0] << 8) | resp[1]);
	if (tag != TPM2_ST_SESSIONS)
		return TPM2_ERR_TAG;
	if (get32(&r, &param_size) || get16(&r, &nonce_size))
		return TPM2_ERR_SHORT;
	if (param_size != 0 || nonce_size != 0)
		return TPM2_ERR_FORMAT;
	if (get8(&r, &attrs) || get16(&r, &hmac_size))
		return TPM2_ERR_SHORT;
	if (hmac_size != 0)
		return TPM2_ERR_FORMAT;
	if (r.left != 0)
		return TPM2_ERR_TRAILING;
	return 0;
}

static int expect_selection(struct reader *r, u16 alg, unsigned pcr)
{
	u8 want[6], got[6];

	put_selection(want, alg, pcr);
	if (get_bytes(r, got, sizeof(got)))
		return TPM2_ERR_SHORT;
	return tb_memcmp(want, got, sizeof(got)) == 0 ? 0 : TPM2_ERR_FORMAT;
}

static int get_digest(struct reader *r, u8 *out, u16 want_size)
{
	u16 size;

	if (get16(r, &size))
		return TPM2_ERR_SHORT;
	if (size != want_size)
		return TPM2_ERR_FORMAT;
	return get_bytes(r, out, size);
}

int tpm2_parse_pcr_read_response(const u8 *resp, size_t len, unsigned pcr, u8 sha1[20], u8 sha256[32])
{
	u32 rc, update_counter, count;
	u8 d1[20], d256[32];
	int err;

	if (sha1 == NULL || sha256 == NULL || pcr > TPM2_MAX_PCR)
		return TPM2_ERR_ARGS;
	err = tpm2_parse_response_header(resp, len, &rc);
	if (err)
		return err;
	if (rc != TPM2_RC_SUCCESS)
		return (int)(rc & 0x7FFFFFFF);
	if (resp[0] != 0x80 || resp[1] != 0x01)
		return TPM2_ERR_TAG;
	struct reader r = { resp + TPM2_HEADER_SIZE, len - TPM2_HEADER_SIZE };
	if (get32(&r, &update_counter) || get32(&r, &count))
		return TPM2_ERR_SHORT;
	/* pcrSelectionOut must be exactly what was asked for: a TPM without one of the banks
	 * clears the bit, which must not pass as "read". */
	if (count != 2)
		return TPM2_ERR_FORMAT;
	if ((err = expect_selection(&r, TPM2_ALG_SHA1, pcr)) != 0 ||
	    (err = expect_selection(&r, TPM2_ALG_SHA256, pcr)) != 0)
		return err;
	if (get32(&r, &count))
		return TPM2_ERR_SHORT;
	if (count != 2)
		return TPM2_ERR_FORMAT;
	if ((err = get_digest(&r, d1, 20)) != 0 || (err = get_digest(&r, d256, 32)) != 0)
		return err;
	if (r.left != 0)
		return TPM2_ERR_TRAILING;
	tb_memcpy(sha1, d1, 20);
	tb_memcpy(sha256, d256, 32);
	return 0;
}
