/* Shared by the VMM's host unit tests: a CHECK that counts and reports every failing case (the test goes on,
 * so one run lists them all) and little-endian byte helpers for building structures byte by byte. */
#ifndef VMM_TEST_CHECK_H
#define VMM_TEST_CHECK_H
#include <stdio.h>
#include <string.h>

static int failures, checks;

#define CHECK(cond, ...) do {                                                  \
		checks++;                                                      \
		if (!(cond)) {                                                 \
			failures++;                                            \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fprintf(stderr, "\n");                                 \
		}                                                              \
	} while (0)

static inline void put16(u8 *p, u16 v) { p[0] = (u8)v; p[1] = (u8)(v >> 8); }
static inline void put32(u8 *p, u32 v) { put16(p, (u16)v); put16(p + 2, (u16)(v >> 16)); }
static inline void put64(u8 *p, u64 v) { put32(p, (u32)v); put32(p + 4, (u32)(v >> 32)); }
static inline int contains(const char *s, const char *sub) { return s != NULL && strstr(s, sub) != NULL; }

#endif
