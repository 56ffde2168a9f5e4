/* TPM2 marshalling: commands byte-exact against bytes written out by hand from TPM 2.0 Part 3
 * §22.2/§22.4, and responses: valid ones, then every truncation and each field broken in turn. */
#include <tb/tpm2.h>
#include "testutil.h"

static unsigned char sha1_in[20], sha256_in[32];

static const char EXTEND_PCR17[] =
	"8002 00000057 00000182"      /* tag ST_SESSIONS, size 87, TPM_CC_PCR_Extend */
	"00000011"                    /* pcrHandle 17 */
	"00000009"                    /* authorizationSize */
	"40000009 0000 00 0000"       /* TPM_RS_PW, empty nonce, attributes 0, empty hmac */
	"00000002"                    /* TPML_DIGEST_VALUES.count */
	"0004 000102030405060708090a0b0c0d0e0f10111213"
	"000b 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";

static const char READ_PCR17[] =
	"8001 0000001a 0000017e"      /* tag ST_NO_SESSIONS, size 26, TPM_CC_PCR_Read */
	"00000002"                    /* TPML_PCR_SELECTION.count */
	"0004 03 000002"              /* SHA-1, sizeofSelect 3, PCR 17 = byte 2 bit 1 */
	"000b 03 000002";             /* SHA-256 */

static const char EXTEND_OK[] =
	"8002 00000013 00000000"      /* ST_SESSIONS, 19, TPM_RC_SUCCESS */
	"00000000"                    /* parameterSize */
	"0000 01 0000";               /* nonceTPM empty, continueSession, hmac empty */

static const char READ_OK[] =
	"8001 0000005a 00000000"      /* 90 bytes */
	"00000005"                    /* pcrUpdateCounter */
	"00000002 0004 03 000002 000b 03 000002"
	"00000002"                    /* TPML_DIGEST.count */
	"0014 a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3"
	"0020 c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";

static int hex(const char *s, unsigned char *out) { return from_hex(s, out, 256); }

static void commands(void)
{
	unsigned char want[256], got[256];
	int n;

	n = hex(EXTEND_PCR17, want);
	CHECK(n == 87, "extend reference length %d", n);
	CHECK(tpm2_build_pcr_extend(got, sizeof(got), 17, sha1_in, sha256_in) == 87, "extend length");
	CHECK(memcmp(got, want, 87) == 0, "extend bytes differ");
	CHECK(tpm2_build_pcr_extend(got, 86, 17, sha1_in, sha256_in) == TPM2_ERR_ARGS, "extend cap 86");
	CHECK(tpm2_build_pcr_extend(got, sizeof(got), 24, sha1_in, sha256_in) == TPM2_ERR_ARGS, "extend pcr 24");
	CHECK(tpm2_build_pcr_extend(got, sizeof(got), 23, sha1_in, sha256_in) == 87, "extend pcr 23");

	n = hex(READ_PCR17, want);
	CHECK(n == 26, "read reference length %d", n);
	CHECK(tpm2_build_pcr_read(got, sizeof(got), 17) == 26, "read length");
	CHECK(memcmp(got, want, 26) == 0, "read bytes differ");
	CHECK(tpm2_build_pcr_read(got, 25, 17) == TPM2_ERR_ARGS, "read cap 25");
	CHECK(tpm2_build_pcr_read(got, sizeof(got), 24) == TPM2_ERR_ARGS, "read pcr 24");
	CHECK(tpm2_build_pcr_read(got, sizeof(got), 0) == 26 && got[17] == 1 && got[18] == 0 && got[19] == 0,
	      "read pcr 0 selects byte 0 bit 0");
}

static void extend_responses(void)
{
	unsigned char r[256];
	int n = hex(EXTEND_OK, r);

	CHECK(n == 19, "extend ok length %d", n);
	CHECK(tpm2_parse_pcr_extend_response(r, 19) == 0, "extend ok parses");
	for (int len = 0; len < 19; len++)
		CHECK(tpm2_parse_pcr_extend_response(r, len) < 0, "extend truncated to %d accepted", len);
	r[5] = 20;                                            /* size field 20, 19 bytes received */
	CHECK(tpm2_parse_pcr_extend_response(r, 19) == TPM2_ERR_SIZE, "extend size mismatch");
	r[19] = 0;                                            /* 20 bytes, one trailing */
	CHECK(tpm2_parse_pcr_extend_response(r, 20) == TPM2_ERR_TRAILING, "extend trailing byte");
	hex(EXTEND_OK, r);
	r[1] = 0x01;                                          /* success must carry sessions */
	CHECK(tpm2_parse_pcr_extend_response(r, 19) == TPM2_ERR_TAG, "extend ok without sessions");
	hex(EXTEND_OK, r);
	r[0] = 0xC4;                                          /* not a TPM 2.0 tag */
	CHECK(tpm2_parse_pcr_extend_response(r, 19) == TPM2_ERR_TAG, "extend bad tag");
	hex(EXTEND_OK, r);
	r[13] = 4;                                            /* parameterSize 4 */
	CHECK(tpm2_parse_pcr_extend_response(r, 19) == TPM2_ERR_FORMAT, "extend parameterSize");
	hex(EXTEND_OK, r);
	r[15] = 1;                                            /* nonce size 1 */
	CHECK(tpm2_parse_pcr_extend_response(r, 19) == TPM2_ERR_FORMAT, "extend nonce size");
	hex(EXTEND_OK, r);
	r[18] = 1;                                            /* hmac size 1 */
	CHECK(tpm2_parse_pcr_extend_response(r, 19) == TPM2_ERR_FORMAT, "extend hmac size");

	n = hex("8001 0000000a 00000907", r);                 /* TPM_RC_LOCALITY */
	CHECK(tpm2_parse_pcr_extend_response(r, (size_t)n) == 0x907, "extend rc 0x907");
	n = hex("8001 0000000c 00000907 0000", r);            /* error with a body */
	CHECK(tpm2_parse_pcr_extend_response(r, (size_t)n) == TPM2_ERR_FORMAT, "error with body");
	n = hex("8002 0000000a 00000907", r);                 /* error with sessions tag */
	CHECK(tpm2_parse_pcr_extend_response(r, (size_t)n) == TPM2_ERR_FORMAT, "error with sessions tag");
}

static void read_responses(void)
{
	unsigned char r[256], d1[20], d256[32];
	int n = hex(READ_OK, r);

	CHECK(n == 90, "read ok length %d", n);
	memset(d1, 0, 20);
	memset(d256, 0, 32);
	CHECK(tpm2_parse_pcr_read_response(r, 90, 17, d1, d256) == 0, "read ok parses");
	CHECK(d1[0] == 0xa0 && d1[19] == 0xb3 && d256[0] == 0xc0 && d256[31] == 0xdf, "read digests");
	for (int len = 0; len < 90; len++)
		CHECK(tpm2_parse_pcr_read_response(r, len, 17, d1, d256) < 0, "read truncated to %d", len);
	CHECK(tpm2_parse_pcr_read_response(r, 90, 16, d1, d256) == TPM2_ERR_FORMAT, "read other pcr");

	/* Each field broken in turn: offset, new value, expected error. */
	static const struct { int off; unsigned char v; int err; const char *what; } cases[] = {
		{ 17, 1, TPM2_ERR_FORMAT, "selection count 1" },
		{ 19, 0x05, TPM2_ERR_FORMAT, "first bank not SHA-1" },
		{ 20, 4, TPM2_ERR_FORMAT, "sizeofSelect 4" },
		{ 23, 0x00, TPM2_ERR_FORMAT, "SHA-1 bit cleared (bank missing)" },
		{ 29, 0x00, TPM2_ERR_FORMAT, "SHA-256 bit cleared" },
		{ 33, 3, TPM2_ERR_FORMAT, "digest count 3" },
		{ 35, 0x15, TPM2_ERR_FORMAT, "SHA-1 digest size 21" },
		{ 57, 0x1f, TPM2_ERR_FORMAT, "SHA-256 digest size 31" },
		{ 1, 0x02, TPM2_ERR_TAG, "sessions tag" },
		{ 5, 0x5b, TPM2_ERR_SIZE, "size field 91" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hex(READ_OK, r);
		r[cases[i].off] = cases[i].v;
		int got = tpm2_parse_pcr_read_response(r, 90, 17, d1, d256);
		CHECK(got == cases[i].err, "read case '%s': got %d want %d", cases[i].what, got, cases[i].err);
	}
	hex(READ_OK, r);
	r[5] = 0x5b;
	r[90] = 0;
	CHECK(tpm2_parse_pcr_read_response(r, 91, 17, d1, d256) == TPM2_ERR_TRAILING, "read trailing");
	n = hex("8001 0000000a 0000018b", r);
	CHECK(tpm2_parse_pcr_read_response(r, (size_t)n, 17, d1, d256) == 0x18b, "read rc passed on");
	u32 rc;
	CHECK(tpm2_parse_response_header(r, 9, &rc) == TPM2_ERR_SHORT, "header 9 bytes");
}

int main(void)
{
	for (int i = 0; i < 20; i++) sha1_in[i] = (unsigned char)i;
	for (int i = 0; i < 32; i++) sha256_in[i] = (unsigned char)(0x20 + i);
	commands();
	extend_responses();
	read_responses();
	return test_summary("test_tpm2");
}
