/* TPM2 command wrappers over the TIS transport. */
#include <tb/tpm2.h>
#include <tb/tis.h>

int tpm2_pcr_extend(unsigned loc, unsigned pcr, const u8 sha1[20], const u8 sha256[32])
{
	u8 cmd[TPM2_PCR_EXTEND_CMD_SIZE];
	u8 resp[64];
	size_t resp_len = 0;
	int n = tpm2_build_pcr_extend(cmd, sizeof(cmd), pcr, sha1, sha256);

	if (n < 0)
		return n;
	int err = tis_transmit(loc, cmd, (size_t)n, resp, sizeof(resp), &resp_len);
	if (err)
		return err;
	return tpm2_parse_pcr_extend_response(resp, resp_len);
}

int tpm2_pcr_read(unsigned loc, unsigned pcr, u8 sha1[20], u8 sha256[32])
{
	u8 cmd[TPM2_PCR_READ_CMD_SIZE];
	u8 resp[128];
	size_t resp_len = 0;
	int n = tpm2_build_pcr_read(cmd, sizeof(cmd), pcr);

	if (n < 0)
		return n;
	int err = tis_transmit(loc, cmd, (size_t)n, resp, sizeof(resp), &resp_len);
	if (err)
		return err;
	return tpm2_parse_pcr_read_response(resp, resp_len, pcr, sha1, sha256);
}
