/*
 * Runs ed25519_verify over files of cases in the line format
 *     <id> <valid|invalid|acceptable> <public key hex> <message hex|-> <signature hex|-> [ignored...]
 * (rfc8032.txt, wycheproof2lines.py output, gen-openssl-sigs.sh output) and reports every failing
 * id together at the end.
 *
 * A signature that is not 64 bytes long, or a key that is not 32 bytes, counts as rejected: the
 * API takes fixed-size arrays, and its callers (the VMM's manifest check) refuse other lengths
 * before calling, as this runner does.
 *
 * --flip all   also flip every single bit of signature, key and message of each valid case;
 * --flip some  also flip one pseudo-randomly chosen bit in each of signature, key and message;
 * every flipped variant must be rejected.
 * --min N      fail unless the files hold at least N cases (guards against an empty input).
 */
#include <tb/ed25519.h>

#include "testutil.h"

enum flip_mode { FLIP_NONE, FLIP_SOME, FLIP_ALL };

static unsigned long long prng_state = 0x9e3779b97f4a7c15ULL;

static unsigned long long prng_next(void)
{
	/* xorshift64*: only to choose which bit to flip, reproducibly. */
	prng_state ^= prng_state >> 12;
	prng_state ^= prng_state << 25;
	prng_state ^= prng_state >> 27;
	return prng_state * 0x2545f4914f6cdd1dULL;
}

static int verify_case(const u8 *sig, long sig_len, const u8 *msg, long msg_len, const u8 *pub,
		       long pub_len)
{
	if (sig_len != ED25519_SIGNATURE_SIZE || pub_len != ED25519_PUBLIC_KEY_SIZE)
		return 0;
	return ed25519_verify(sig, msg_len ? msg : NULL, (size_t)msg_len, pub);
}

static long flips_checked;

/* Flips bit `bit` of buf (one of the three inputs) and checks the result is rejected. */
static void flip_and_check(const char *id, const char *what, u8 *buf, long bit, const u8 *sig,
			   long sig_len, const u8 *msg, long msg_len, const u8 *pub, long pub_len)
{
	buf[bit / 8] ^= (u8)(1u << (bit % 8));
	int got = verify_case(sig, sig_len, msg, msg_len, pub, pub_len);
	buf[bit / 8] ^= (u8)(1u << (bit % 8));
	flips_checked++;
	check(got == 0, "%s: accepted with bit %ld of the %s flipped", id, bit, what);
}

static void flips(const char *id, enum flip_mode mode, u8 *sig, long sig_len, u8 *msg,
		  long msg_len, u8 *pub, long pub_len)
{
	struct {
		const char *what;
		u8 *buf;
		long len;
	} parts[3] = { { "signature", sig, sig_len }, { "public key", pub, pub_len },
		       { "message", msg, msg_len } };

	for (int p = 0; p < 3; p++) {
		long bits = parts[p].len * 8;
		if (bits == 0)
			continue;
		if (mode == FLIP_ALL) {
			for (long b = 0; b < bits; b++)
				flip_and_check(id, parts[p].what, parts[p].buf, b, sig, sig_len, msg,
					       msg_len, pub, pub_len);
		} else {
			long b = (long)(prng_next() % (unsigned long long)bits);
			flip_and_check(id, parts[p].what, parts[p].buf, b, sig, sig_len, msg, msg_len,
				       pub, pub_len);
		}
	}
}

int main(int argc, char **argv)
{
	enum flip_mode mode = FLIP_NONE;
	long min_cases = 1, cases = 0, valid_ok = 0, invalid_ok = 0, acceptable = 0;
	int argi = 1;

	for (; argi < argc && argv[argi][0] == '-'; argi++) {
		if (!strcmp(argv[argi], "--flip") && argi + 1 < argc) {
			const char *m = argv[++argi];
			mode = !strcmp(m, "all") ? FLIP_ALL : !strcmp(m, "some") ? FLIP_SOME : FLIP_NONE;
			if (mode == FLIP_NONE) {
				fprintf(stderr, "--flip takes all or some\n");
				return 2;
			}
		} else if (!strcmp(argv[argi], "--min") && argi + 1 < argc) {
			min_cases = strtol(argv[++argi], NULL, 10);
		} else {
			fprintf(stderr, "usage: %s [--flip all|some] [--min N] FILE...\n", argv[0]);
			return 2;
		}
	}
	if (argi == argc) {
		fprintf(stderr, "usage: %s [--flip all|some] [--min N] FILE...\n", argv[0]);
		return 2;
	}

	for (; argi < argc; argi++) {
		FILE *f = fopen(argv[argi], "r");
		char *line = NULL;
		size_t cap = 0;
		long lineno = 0;

		if (!f) {
			check(0, "cannot open %s", argv[argi]);
			continue;
		}
		while (getline(&line, &cap, f) > 0) {
			char *fld[5];
			lineno++;
			if (line[0] == '#' || line[0] == '\n')
				continue;
			if (split_fields(line, fld, 5) != 5) {
				check(0, "%s:%ld: expected 5 fields", argv[argi], lineno);
				continue;
			}
			u8 *pub, *msg, *sig;
			long pub_len = hex_decode(fld[2], &pub);
			long msg_len = hex_decode(fld[3], &msg);
			long sig_len = hex_decode(fld[4], &sig);
			const char *id = fld[0], *expect = fld[1];
			if (pub_len < 0 || msg_len < 0 || sig_len < 0) {
				check(0, "%s:%ld (%s): bad hex", argv[argi], lineno, id);
			} else {
				int got = verify_case(sig, sig_len, msg, msg_len, pub, pub_len);
				cases++;
				if (!strcmp(expect, "valid")) {
					check(got == 1, "%s: valid signature rejected", id);
					valid_ok += got == 1;
					if (got == 1 && mode != FLIP_NONE)
						flips(id, mode, sig, sig_len, msg, msg_len, pub, pub_len);
				} else if (!strcmp(expect, "invalid")) {
					check(got == 0, "%s: invalid signature accepted", id);
					invalid_ok += got == 0;
				} else if (!strcmp(expect, "acceptable")) {
					acceptable++;
				} else {
					check(0, "%s: unknown expectation '%s'", id, expect);
				}
			}
			free(pub);
			free(msg);
			free(sig);
		}
		free(line);
		fclose(f);
	}
	check(cases >= min_cases, "only %ld cases read, expected at least %ld", cases, min_cases);
	printf("test_vectors: %ld cases: %ld valid verified, %ld invalid rejected, %ld acceptable "
	       "(either result), %ld bit flips rejected; %d failed checks\n",
	       cases, valid_ok, invalid_ok, acceptable, flips_checked, test_failures);
	return test_failures ? 1 : 0;
}
