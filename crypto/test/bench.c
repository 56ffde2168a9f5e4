/*
 * bench verify SECONDS          Ed25519 verifications per second (single thread) of RFC 8032
 *                               TEST 3 (2-byte message), each result checked.
 * bench lms FILE SECONDS        HSS/LMS verifications per second of the first case of FILE (the
 *                               test_lms line format), each result checked.
 * bench sha512 FILE ROUNDS      SHA-512 MB/s over FILE read into memory, hashed ROUNDS times; also
 *                               prints the digest so the caller can compare it with sha512sum.
 */
#include <tb/ed25519.h>
#include <tb/lms.h>
#include <tb/sha512.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void unhex(u8 *out, const char *hex)
{
	for (size_t i = 0; hex[2 * i]; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static int bench_verify(double seconds)
{
	u8 pub[32], sig[64], msg[2];
	unhex(pub, "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025");
	unhex(sig, "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
		   "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a");
	unhex(msg, "af82");

	long n = 0;
	double start = now(), t;
	do {
		for (int i = 0; i < 100; i++) {
			if (ed25519_verify(sig, msg, sizeof(msg), pub) != 1) {
				fprintf(stderr, "bench: verification failed\n");
				return 1;
			}
		}
		n += 100;
		t = now() - start;
	} while (t < seconds);
	printf("verify/s %.0f\n", n / t);
	return 0;
}

static int bench_lms(const char *path, double seconds)
{
	static char line[65536];
	static u8 pub[64], msg[4096], sig[16384];
	char id[128], valid[16], hp[256], hm[8192], hs[32768];
	FILE *f = fopen(path, "r");
	do {
		if (!f || !fgets(line, sizeof(line), f))
			line[0] = 0;
	} while (line[0] == '#');
	if (sscanf(line, "%127s %15s %255s %8191s %32767s", id, valid, hp, hm, hs) != 5) {
		fprintf(stderr, "bench: no case in %s\n", path);
		return 1;
	}
	fclose(f);
	size_t pl = strlen(hp) / 2, ml = strcmp(hm, "-") == 0 ? 0 : strlen(hm) / 2, sl = strlen(hs) / 2;
	unhex(pub, hp);
	if (ml)
		unhex(msg, hm);
	unhex(sig, hs);
	long n = 0;
	double start = now(), t;
	do {
		for (int i = 0; i < 10; i++) {
			if (hss_verify(sig, sl, msg, ml, pub, pl) != 1) {
				fprintf(stderr, "bench: LMS verification failed\n");
				return 1;
			}
		}
		n += 10;
		t = now() - start;
	} while (t < seconds);
	printf("lms-verify/s %.0f signature-bytes %zu case %s\n", n / t, sl, id);
	return 0;
}

static int bench_sha512(const char *path, int rounds)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	u8 *buf = malloc((size_t)size);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "bench: cannot read %s\n", path);
		return 1;
	}
	fclose(f);

	u8 d[SHA512_DIGEST_SIZE];
	double start = now();
	for (int r = 0; r < rounds; r++)
		sha512(buf, (size_t)size, d);
	double t = now() - start;
	printf("sha512 MB/s %.0f digest ", (double)size * rounds / t / 1e6);
	for (int i = 0; i < 64; i++)
		printf("%02x", d[i]);
	printf("\n");
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "verify"))
		return bench_verify(atof(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "lms"))
		return bench_lms(argv[2], atof(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "sha512"))
		return bench_sha512(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: bench verify SECONDS | bench lms FILE SECONDS | bench sha512 FILE ROUNDS\n");
	return 2;
}
