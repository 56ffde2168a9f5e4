/* Memory helpers. rep movsb/stosb: short, and fast on CPUs with ERMS (and under QEMU TCG). */
#include <tb/string.h>

void *tb_memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *tb_memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (d <= s || d >= s + n)
		return tb_memcpy(dst, src, n);
	/* Overlap with dst above src: copy from the end. */
	while (n > 0) {
		n--;
		d[n] = s[n];
	}
	return dst;
}

void *tb_memset(void *dst, int c, size_t n)
{
	void *d = dst;
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int tb_memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

size_t tb_strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

size_t tb_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

int tb_memeq_ct(const void *a, const void *b, size_t n)
{
	const volatile u8 *x = a, *y = b;
	u8 diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

unsigned tb_u64_to_dec(char buf[21], u64 v)
{
	static const u64 pow10[20] = {
		10000000000000000000ull, 1000000000000000000ull, 100000000000000000ull,
		10000000000000000ull, 1000000000000000ull, 100000000000000ull, 10000000000000ull,
		1000000000000ull, 100000000000ull, 10000000000ull, 1000000000ull, 100000000ull,
		10000000ull, 1000000ull, 100000ull, 10000ull, 1000ull, 100ull, 10ull, 1ull,
	};
	unsigned n = 0;

	/* Repeated subtraction: at most 9 per digit. */
	for (unsigned i = 0; i < 20; i++) {
		char d = '0';
		while (v >= pow10[i]) {
			v -= pow10[i];
			d++;
		}
		if (d != '0' || n > 0 || i == 19)
			buf[n++] = d;
	}
	buf[n] = '\0';
	return n;
}
