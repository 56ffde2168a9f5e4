/* tb_mem* helpers, including overlapping moves and the constant-time compare. */
#include <tb/string.h>
#include "testutil.h"

int main(void)
{
	unsigned char a[64], b[64], ref[64];

	for (int i = 0; i < 64; i++) a[i] = (unsigned char)i;
	tb_memset(b, 0xAB, sizeof(b));
	for (int i = 0; i < 64; i++) CHECK(b[i] == 0xAB, "memset byte %d", i);
	CHECK(tb_memcpy(b, a, 64) == b, "memcpy returns dst");
	CHECK(memcmp(a, b, 64) == 0, "memcpy copies");
	for (size_t off = 0; off < 16; off++) {
		for (int i = 0; i < 64; i++) a[i] = ref[i] = (unsigned char)i;
		memmove(ref + off, ref, 40);
		tb_memmove(a + off, a, 40);
		CHECK(memcmp(a, ref, 64) == 0, "memmove up by %zu", off);
		for (int i = 0; i < 64; i++) a[i] = ref[i] = (unsigned char)i;
		memmove(ref, ref + off, 40);
		tb_memmove(a, a + off, 40);
		CHECK(memcmp(a, ref, 64) == 0, "memmove down by %zu", off);
	}
	CHECK(tb_memcmp("abc", "abd", 3) < 0 && tb_memcmp("abd", "abc", 3) > 0, "memcmp order");
	CHECK(tb_memcmp("abc", "abc", 3) == 0 && tb_memcmp("", "x", 0) == 0, "memcmp equal");
	CHECK(tb_memeq_ct("abcd", "abcd", 4) == 1, "memeq equal");
	CHECK(tb_memeq_ct("abcd", "abce", 4) == 0 && tb_memeq_ct("xbcd", "abcd", 4) == 0, "memeq differs");
	CHECK(tb_strlen("") == 0 && tb_strlen("hello") == 5, "strlen");
	CHECK(tb_strnlen("hello", 3) == 3 && tb_strnlen("hi", 8) == 2, "strnlen");
	char dec[21];
	static const struct { unsigned long long v; const char *s; } decs[] = {
		{ 0, "0" }, { 9, "9" }, { 10, "10" }, { 4096, "4096" }, { 1000000, "1000000" },
		{ 4294967295ull, "4294967295" }, { 4294967296ull, "4294967296" },
		{ 18446744073709551615ull, "18446744073709551615" }, { 10000000000000000000ull, "10000000000000000000" },
	};
	for (size_t i = 0; i < sizeof(decs) / sizeof(decs[0]); i++) {
		unsigned n = tb_u64_to_dec(dec, decs[i].v);
		CHECK(strcmp(dec, decs[i].s) == 0 && n == strlen(decs[i].s), "u64_to_dec %llu gave %s", decs[i].v, dec);
	}
	for (unsigned long long v = 1; v < 100000; v = v * 3 + 1) {
		char ref[32];
		snprintf(ref, sizeof(ref), "%llu", v);
		tb_u64_to_dec(dec, v);
		CHECK(strcmp(dec, ref) == 0, "u64_to_dec %llu gave %s", v, dec);
	}
	return test_summary("test_string");
}
