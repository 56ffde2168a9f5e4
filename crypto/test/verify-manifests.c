/*
 * verify-manifests PUBKEY_RAW_HEX FILE.manifest...
 *
 * Checks image manifests (docs/launch-protocol.md "Image manifest") the way the VMM does: header
 * fields, exact length, signer key id = SHA-256(public key), and the Ed25519 signature over bytes
 * [0, 88) with this directory's ed25519_verify. Prints one line per refused file (naming the field
 * and offset) on stderr and "verified N of M manifests" on stdout; exits 0 only if all M > 0 verify.
 * A host tool for tests that feed it manifests made by other signers (`trustbit image sign`).
 */
#include <tb/ed25519.h>
#include <tb/sha256.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define HEADER_SIZE   88
#define MAX_SIG_SIZE  8192
#define OFF_MAGIC     0
#define OFF_VERSION   4
#define OFF_KIND      6
#define OFF_ALGORITHM 52
#define OFF_SIG_LEN   54
#define OFF_KEY_ID    56

static unsigned le16(const u8 *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* Returns NULL if the manifest verifies, else a one-line reason naming field and offset. */
static const char *check_manifest(const u8 *m, size_t len, const u8 pub[32], const u8 key_id[32],
				  char *why, size_t why_size)
{
	if (len < HEADER_SIZE) {
		snprintf(why, why_size, "offset %zu: truncated header (%zu bytes, need %d)", len, len,
			 HEADER_SIZE);
		return why;
	}
	if (memcmp(m + OFF_MAGIC, "TBMF", 4) != 0)
		return "offset 0: magic is not TBMF";
	if (le16(m + OFF_VERSION) != 1) {
		snprintf(why, why_size, "offset 4: format version %u, expected 1", le16(m + OFF_VERSION));
		return why;
	}
	if (le16(m + OFF_KIND) != 1 && le16(m + OFF_KIND) != 2) {
		snprintf(why, why_size, "offset 6: image kind %u, expected 1 or 2", le16(m + OFF_KIND));
		return why;
	}
	if (le16(m + OFF_ALGORITHM) != 1) {
		snprintf(why, why_size, "offset 52: algorithm %u, only 1 (Ed25519) is supported",
			 le16(m + OFF_ALGORITHM));
		return why;
	}
	if (le16(m + OFF_SIG_LEN) != ED25519_SIGNATURE_SIZE) {
		snprintf(why, why_size, "offset 54: signature length %u, Ed25519 needs 64",
			 le16(m + OFF_SIG_LEN));
		return why;
	}
	if (len != HEADER_SIZE + ED25519_SIGNATURE_SIZE) {
		snprintf(why, why_size, "offset %d: file is %zu bytes, header + signature is %d",
			 len < HEADER_SIZE + ED25519_SIGNATURE_SIZE ? HEADER_SIZE : HEADER_SIZE + 64, len,
			 HEADER_SIZE + ED25519_SIGNATURE_SIZE);
		return why;
	}
	if (memcmp(m + OFF_KEY_ID, key_id, 32) != 0)
		return "offset 56: signer key id is not SHA-256 of the given public key";
	if (ed25519_verify(m + HEADER_SIZE, m, HEADER_SIZE, pub) != 1)
		return "offset 88: Ed25519 signature over bytes [0, 88) does not verify";
	return NULL;
}

static int parse_key(const char *hex, u8 out[32])
{
	if (strlen(hex) != 64)
		return 0;
	for (int i = 0; i < 32; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF", hex[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", hex[2 * i + 1]))
			return 0;
		out[i] = (u8)v;
	}
	return 1;
}

int main(int argc, char **argv)
{
	u8 pub[32], key_id[SHA256_DIGEST_SIZE];
	/* One byte more than the largest manifest the format allows, to detect trailing bytes. */
	static u8 buf[HEADER_SIZE + MAX_SIG_SIZE + 1];
	int total = 0, good = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: verify-manifests PUBKEY_RAW_HEX FILE.manifest...\n");
		return 2;
	}
	if (!parse_key(argv[1], pub)) {
		fprintf(stderr, "verify-manifests: public key must be 64 hex digits (raw 32-byte key)\n");
		return 2;
	}
	sha256(pub, sizeof(pub), key_id);

	for (int i = 2; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		char why[160];
		total++;
		if (!f) {
			fprintf(stderr, "%s: cannot open: %s\n", argv[i], strerror(errno));
			continue;
		}
		size_t len = fread(buf, 1, sizeof(buf), f);
		int err = ferror(f);
		fclose(f);
		if (err) {
			fprintf(stderr, "%s: read error\n", argv[i]);
			continue;
		}
		const char *reason = check_manifest(buf, len, pub, key_id, why, sizeof(why));
		if (reason)
			fprintf(stderr, "%s: %s\n", argv[i], reason);
		else
			good++;
	}
	printf("verified %d of %d manifests\n", good, total);
	return good == total ? 0 : 1;
}
