/* Helpers shared by the host-side crypto tests: hex decoding, line splitting, failure collection. */
#ifndef CRYPTO_TESTUTIL_H
#define CRYPTO_TESTUTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes hex ("-" means empty) into a malloc'd buffer; returns the length or -1 on bad hex. */
static inline long hex_decode(const char *hex, unsigned char **out)
{
	size_t n = strcmp(hex, "-") == 0 ? 0 : strlen(hex);

	*out = malloc(n / 2 + 1);
	if (!*out || n % 2)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		(*out)[i] = (unsigned char)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

static inline void hex_encode(char *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = 0;
}

/* Splits line in place on spaces/tabs/newline; returns the number of fields (at most max). */
static inline int split_fields(char *line, char **fields, int max)
{
	int n = 0;
	char *save = NULL;

	for (char *tok = strtok_r(line, " \t\r\n", &save); tok && n < max;
	     tok = strtok_r(NULL, " \t\r\n", &save))
		fields[n++] = tok;
	return n;
}

/* Failures are collected and reported together at the end (one line each). */
static int test_failures;
static int test_checks;

static void check(int cond, const char *fmt, ...)
{
	test_checks++;
	if (cond)
		return;
	test_failures++;
	va_list ap;
	va_start(ap, fmt);
	fputs("FAIL ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

#endif
