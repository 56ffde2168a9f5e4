/* SHA-512 known answers: FIPS 180-4 example messages (NIST CSRC "Cryptographic Standards and
 * Guidelines: Example Values", SHA-512), then every length 0..260 against digests that
 * gen-sha512-lengths.py computes with Python's hashlib at test time, each hashed one-shot and with
 * several update split patterns.
 * Usage: test_sha512 LENGTHS_FILE */
#include <tb/sha512.h>

#include "testutil.h"

static void digest_hex(char out[129], const void *msg, size_t len)
{
	u8 d[SHA512_DIGEST_SIZE];

	sha512(msg, len, d);
	hex_encode(out, d, sizeof(d));
}

/* Hashes msg with updates of the sizes given cyclically by steps[] (0 ends the pattern). */
static void digest_hex_split(char out[129], const u8 *msg, size_t len, const size_t *steps)
{
	struct sha512_ctx ctx;
	u8 d[SHA512_DIGEST_SIZE];
	size_t off = 0;
	int s = 0;

	sha512_init(&ctx);
	while (off < len) {
		size_t n = steps[s];
		if (steps[++s] == 0)
			s = 0;
		if (n > len - off)
			n = len - off;
		sha512_update(&ctx, msg + off, n);
		sha512_update(&ctx, msg + off, 0);  /* empty updates change nothing */
		off += n;
	}
	sha512_final(&ctx, d);
	hex_encode(out, d, sizeof(d));
}

static void known_answers(void)
{
	static const struct {
		const char *name, *msg, *digest;
	} kat[] = {
		{ "empty", "",
		  "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
		  "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
		{ "abc", "abc",
		  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
		  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
		{ "two-block 896-bit",
		  "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
		  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
		  "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
	};
	char got[129];

	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		digest_hex(got, kat[i].msg, strlen(kat[i].msg));
		check(strcmp(got, kat[i].digest) == 0, "sha512 KAT %s: got %s", kat[i].name, got);
	}

	/* One million 'a', hashed in 1000-byte updates. */
	static u8 block[1000];
	struct sha512_ctx ctx;
	u8 d[SHA512_DIGEST_SIZE];
	memset(block, 'a', sizeof(block));
	sha512_init(&ctx);
	for (int i = 0; i < 1000; i++)
		sha512_update(&ctx, block, sizeof(block));
	sha512_final(&ctx, d);
	hex_encode(got, d, sizeof(d));
	check(strcmp(got, "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
			  "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b") == 0,
	      "sha512 KAT one million 'a': got %s", got);
}

static int lengths(const char *path)
{
	static const size_t one[] = { 1, 0 };
	static const size_t odd[] = { 7, 13, 127, 129, 0 };
	static const size_t blocks[] = { 128, 3, 0 };
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int count = 0;

	if (!f) {
		check(0, "cannot open %s", path);
		return 0;
	}
	while (getline(&line, &cap, f) > 0) {
		char *fld[2];
		if (split_fields(line, fld, 2) != 2)
			continue;
		size_t n = strtoul(fld[0], NULL, 10);
		u8 *msg = malloc(n + 1);
		for (size_t i = 0; i < n; i++)
			msg[i] = (u8)(i * 131 + n);
		char got[129];
		digest_hex(got, msg, n);
		check(strcmp(got, fld[1]) == 0, "sha512 length %zu one-shot: got %s", n, got);
		digest_hex_split(got, msg, n, one);
		check(strcmp(got, fld[1]) == 0, "sha512 length %zu byte-wise: got %s", n, got);
		digest_hex_split(got, msg, n, odd);
		check(strcmp(got, fld[1]) == 0, "sha512 length %zu 7/13/127/129 splits: got %s", n, got);
		digest_hex_split(got, msg, n, blocks);
		check(strcmp(got, fld[1]) == 0, "sha512 length %zu 128/3 splits: got %s", n, got);
		free(msg);
		count++;
	}
	free(line);
	fclose(f);
	return count;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s LENGTHS_FILE\n", argv[0]);
		return 2;
	}
	known_answers();
	int n = lengths(argv[1]);
	check(n == 261, "expected 261 reference lengths (0..260), read %d", n);
	printf("test_sha512: %d checks, %d failed (%d reference lengths)\n", test_checks, test_failures, n);
	return test_failures ? 1 : 0;
}
