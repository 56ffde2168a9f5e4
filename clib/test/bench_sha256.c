/* SHA-256 throughput of tb's sha256() over a file (read into memory first; only hashing is
 * timed). Prints "<MB/s> <digest>". Used by bench.sh beside sha256sum on the same file. */
#include <tb/sha256.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench_sha256 FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0) {
		perror(argv[1]);
		return 1;
	}
	long n = ftell(f);
	rewind(f);
	unsigned char *buf = malloc((size_t)n), d[32];
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror("read");
		return 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sha256(buf, (size_t)n, d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.0f ", (double)n / 1e6 / s);
	for (int i = 0; i < 32; i++)
		printf("%02x", d[i]);
	printf("\n");
	free(buf);
	return 0;
}
