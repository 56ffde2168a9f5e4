#include "msg.h"
#include <tb/string.h>

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
	char buf[21];

	tb_u64_to_dec(buf, v);
	msg_str(m, buf);
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
