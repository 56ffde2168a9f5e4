/* Sends clib's TPM2_PCR_Read / TPM2_PCR_Extend bytes to a real TPM (swtpm, raw TCP command port,
 * locality 0) and parses the real responses with clib's parsers. Run by check_swtpm.sh, which
 * starts swtpm and cross-checks PCR 16 with tpm2_pcrread afterwards.
 * Usage: tpm2_swtpm PORT   -> prints the new PCR 16 SHA-256 value on success. */
#include <tb/tpm2.h>
#include <tb/sha1.h>
#include <tb/sha256.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include "testutil.h"

static int sock;

static size_t transact(const unsigned char *cmd, size_t len, unsigned char *resp, size_t cap)
{
	size_t got = 0, want = 10;

	if (write(sock, cmd, len) != (ssize_t)len) {
		perror("write");
		exit(1);
	}
	while (got < want) {
		ssize_t n = read(sock, resp + got, cap - got);
		if (n <= 0) {
			perror("read");
			exit(1);
		}
		got += (size_t)n;
		if (got >= 6) {
			want = (size_t)resp[2] << 24 | (size_t)resp[3] << 16 | (size_t)resp[4] << 8 | resp[5];
			if (want > cap || want < 10) {
				fprintf(stderr, "response size %zu\n", want);
				exit(1);
			}
		}
	}
	return got;
}

static int pcr_read(unsigned pcr, unsigned char d1[20], unsigned char d256[32])
{
	unsigned char cmd[64], resp[512];
	int n = tpm2_build_pcr_read(cmd, sizeof(cmd), pcr);
	size_t r = transact(cmd, (size_t)n, resp, sizeof(resp));
	return tpm2_parse_pcr_read_response(resp, r, pcr, d1, d256);
}

static int pcr_extend(unsigned pcr, const unsigned char d1[20], const unsigned char d256[32])
{
	unsigned char cmd[128], resp[512];
	int n = tpm2_build_pcr_extend(cmd, sizeof(cmd), pcr, d1, d256);
	size_t r = transact(cmd, (size_t)n, resp, sizeof(resp));
	return tpm2_parse_pcr_extend_response(resp, r);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned char before1[20], before256[32], after1[20], after256[32], m1[20], m256[32];
	unsigned char want1[20], want256[32], ff[32];
	char hex[65];

	if (argc != 2)
		return 2;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sock = socket(AF_INET, SOCK_STREAM, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("connect");
		return 1;
	}
	sha1("trustbit", 8, m1);
	sha256("trustbit", 8, m256);

	CHECK(pcr_read(16, before1, before256) == 0, "PCR_Read 16");
	CHECK(pcr_extend(16, m1, m256) == 0, "PCR_Extend 16 at locality 0");
	CHECK(pcr_read(16, after1, after256) == 0, "PCR_Read 16 after extend");
	/* Expected: H(old || measurement) per bank. */
	struct sha1_ctx c1;
	struct sha256_ctx c256;
	sha1_init(&c1); sha1_update(&c1, before1, 20); sha1_update(&c1, m1, 20); sha1_final(&c1, want1);
	sha256_init(&c256); sha256_update(&c256, before256, 32); sha256_update(&c256, m256, 32); sha256_final(&c256, want256);
	CHECK(memcmp(after1, want1, 20) == 0, "PCR 16 SHA-1 after extend");
	CHECK(memcmp(after256, want256, 32) == 0, "PCR 16 SHA-256 after extend");

	/* PCR 17 is not extendable from locality 0: the TPM's rc must come through unchanged. */
	int rc = pcr_extend(17, m1, m256);
	CHECK(rc == TPM2_RC_LOCALITY, "PCR_Extend 17 at locality 0 returned %d, want 0x907", rc);
	memset(ff, 0xff, sizeof(ff));
	CHECK(pcr_read(17, after1, after256) == 0, "PCR_Read 17");
	CHECK(memcmp(after1, ff, 20) == 0 && memcmp(after256, ff, 32) == 0, "PCR 17 still all 0xFF");
	close(sock);

	if (test_failures)
		return test_summary("tpm2_swtpm");
	to_hex(want256, 32, hex);
	printf("%s\n", hex);
	return 0;
}
