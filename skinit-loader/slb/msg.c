#include "msg.h"

void msg_init(struct msg *m, char *buf, u32 cap)
{
	m->buf = buf;
	m->cap = cap;
	m->len = 0;
	if (cap > 0)
		buf[0] = '\0';
}

static void put(struct msg *m, char c)
{
	if (m->cap == 0 || m->len + 1 >= m->cap)
		return;   /* truncate silently: the reason is still a prefix */
	m->buf[m->len++] = c;
	m->buf[m->len] = '\0';
}

void msg_str(struct msg *m, const char *s)
{
	while (*s != '\0')
		put(m, *s++);
}

void msg_dec(struct msg *m, u64 v)
{
	char tmp[20];
	u32 n = 0;

	/* Repeated subtraction of powers of ten: no 64-bit division helper exists in -m32. */
	static const u64 pow10[] = {
		10000000000000000000ull, 1000000000000000000ull, 100000000000000000ull,
		10000000000000000ull, 1000000000000000ull, 100000000000000ull, 10000000000000ull,
		1000000000000ull, 100000000000ull, 10000000000ull, 1000000000ull, 100000000ull,
		10000000ull, 1000000ull, 100000ull, 10000ull, 1000ull, 100ull, 10ull, 1ull,
	};
	for (u32 i = 0; i < 20; i++) {
		char d = '0';
		while (v >= pow10[i]) {
			v -= pow10[i];
			d++;
		}
		if (d != '0' || n > 0 || i == 19)
			tmp[n++] = d;
	}
	for (u32 i = 0; i < n; i++)
		put(m, tmp[i]);
}

void msg_hex(struct msg *m, u64 v)
{
	static const char hex[] = "0123456789abcdef";
	unsigned digits = 1;

	while (digits < 16 && (v >> (digits * 4)) != 0)
		digits++;
	put(m, '0');
	put(m, 'x');
	for (unsigned i = digits; i > 0; i--)
		put(m, hex[(v >> ((i - 1) * 4)) & 0xF]);
}
