/* Minimal test helpers: failures are counted and reported together, the run exits non-zero. */
#ifndef TB_TESTUTIL_H
#define TB_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
static int test_checks;

#define CHECK(cond, ...) do {                                                  \
		test_checks++;                                                 \
		if (!(cond)) {                                                 \
			test_failures++;                                       \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fprintf(stderr, "\n");                                 \
		}                                                              \
	} while (0)

static inline void to_hex(const unsigned char *p, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = h[p[i] >> 4];
		out[2 * i + 1] = h[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Parse hex (whitespace ignored) into out; returns byte count or -1. */
static inline int from_hex(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *s; s++) {
		int v;
		if (*s == ' ' || *s == '\n' || *s == '\t') continue;
		if (*s >= '0' && *s <= '9') v = *s - '0';
		else if (*s >= 'a' && *s <= 'f') v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F') v = *s - 'A' + 10;
		else return -1;
		if (hi < 0) { hi = v; continue; }
		if (n >= cap) return -1;
		out[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (int)n : -1;
}

static inline int test_summary(const char *name)
{
	if (test_failures) {
		fprintf(stderr, "%s: %d of %d checks FAILED\n", name, test_failures, test_checks);
		return 1;
	}
	printf("%s: %d checks passed\n", name, test_checks);
	return 0;
}

#endif
