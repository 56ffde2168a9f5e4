/*
 * Runs hss_verify over files of cases in the line format
 *     <id> <valid|invalid> <HSS public key hex> <message hex|-> <signature hex>
 * (test/rfc8554.txt; signatures made by Bouncy Castle and by trustbit's Java signer, written by
 * the measure module's tests) and reports every failing id together at the end. For each valid
 * case it also checks that these are rejected: every single-bit flip of the public key, a bit flip
 * in every --stride'th byte of the signature, a flip in the message, truncations of the signature to
 * every --stride'th length and to one byte short, and one appended byte. --min N fails unless the files hold at least N cases.
 */
#include <tb/lms.h>

#include "testutil.h"

static int verify(const u8 *sig, long sig_len, const u8 *msg, long msg_len, const u8 *pub, long pub_len)
{
	return hss_verify(sig, (size_t)sig_len, msg_len ? msg : NULL, (size_t)msg_len, pub, (size_t)pub_len);
}

static long mutations;

static void truncated(const char *id, long n, const u8 *sig, const u8 *msg, long msg_len, const u8 *pub,
		      long pub_len)
{
	u8 *cut = malloc((size_t)n + 1);     /* exact-size copy, so ASan sees any over-read */
	memcpy(cut, sig, (size_t)n);
	check(!verify(cut, n, msg, msg_len, pub, pub_len), "%s: accepted truncated to %ld bytes", id, n);
	free(cut);
	mutations++;
}

static void mutate(const char *id, long stride, u8 *sig, long sig_len, u8 *msg, long msg_len, u8 *pub,
		   long pub_len)
{
	for (long bit = 0; bit < pub_len * 8; bit++, mutations++) {
		pub[bit / 8] ^= (u8)(1u << (bit % 8));
		check(!verify(sig, sig_len, msg, msg_len, pub, pub_len), "%s: accepted with key bit %ld flipped", id, bit);
		pub[bit / 8] ^= (u8)(1u << (bit % 8));
	}
	for (long i = 0; i < sig_len; i += stride, mutations++) {
		sig[i] ^= (u8)(1u << (i % 8));
		check(!verify(sig, sig_len, msg, msg_len, pub, pub_len), "%s: accepted with signature byte %ld changed", id, i);
		sig[i] ^= (u8)(1u << (i % 8));
	}
	if (msg_len > 0) {
		msg[msg_len - 1] ^= 1;
		check(!verify(sig, sig_len, msg, msg_len, pub, pub_len), "%s: accepted with the message changed", id);
		msg[msg_len - 1] ^= 1;
	}
	for (long n = 0; n < sig_len; n += stride)
		truncated(id, n, sig, msg, msg_len, pub, pub_len);
	truncated(id, sig_len - 1, sig, msg, msg_len, pub, pub_len);
	u8 *longer = malloc((size_t)sig_len + 1);
	memcpy(longer, sig, (size_t)sig_len);
	longer[sig_len] = 0;
	check(!verify(longer, sig_len + 1, msg, msg_len, pub, pub_len), "%s: accepted with a trailing byte", id);
	free(longer);
}

int main(int argc, char **argv)
{
	long min = 1, stride = 1, cases = 0;
	int a = 1;

	for (; a + 1 < argc && argv[a][0] == '-'; a += 2) {
		if (strcmp(argv[a], "--min") == 0)
			min = atol(argv[a + 1]);
		else if (strcmp(argv[a], "--stride") == 0)
			stride = atol(argv[a + 1]);
		else
			return fprintf(stderr, "usage: test_lms [--min N] [--stride S] FILE...\n"), 2;
	}
	for (; a < argc; a++) {
		FILE *f = fopen(argv[a], "r");
		if (!f)
			return fprintf(stderr, "test_lms: cannot open %s\n", argv[a]), 2;
		char *line = NULL;
		size_t cap = 0;
		while (getline(&line, &cap, f) > 0) {
			char *fld[5];
			if (line[0] == '#' || split_fields(line, fld, 5) != 5)
				continue;
			u8 *pub, *msg, *sig;
			long pl = hex_decode(fld[2], &pub), ml = hex_decode(fld[3], &msg), sl = hex_decode(fld[4], &sig);
			if (pl < 0 || ml < 0 || sl < 0)
				return fprintf(stderr, "test_lms: %s: bad hex\n", fld[0]), 2;
			int want = strcmp(fld[1], "valid") == 0;
			check(verify(sig, sl, msg, ml, pub, pl) == want, "%s: expected %s", fld[0], fld[1]);
			if (want)
				mutate(fld[0], stride, sig, sl, msg, ml, pub, pl);
			cases++;
			free(pub), free(msg), free(sig);
		}
		free(line);
		fclose(f);
	}
	check(cases >= min, "only %ld cases, expected at least %ld", cases, min);
	printf("lms: %ld cases, %ld rejected mutations, %d checks, %d failures\n", cases, mutations, test_checks,
	       test_failures);
	return test_failures ? 1 : 0;
}
