/* Block buffering and padding shared by SHA-1 and SHA-256 (FIPS 180-4 §5.1.1: 64-byte blocks, append
 * 0x80, zeros to 56 mod 64, then the 64-bit big-endian message length in bits). Each hash keeps its
 * own chaining value and compression function; this header holds the part that is the same. Static
 * inline so that the compression function, a constant at each call site, is called directly. */
#ifndef TB_MD_BLOCK_H
#define TB_MD_BLOCK_H

#include <tb/string.h>
#include <tb/types.h>

#define MD_BLOCK_SIZE 64

struct md_block {
	u64 len;                 /* total bytes hashed */
	u8 buf[MD_BLOCK_SIZE];
	u32 buf_used;
};

typedef void (*md_compress_fn)(u32 *h, const u8 block[MD_BLOCK_SIZE]);

static inline void md_block_update(struct md_block *m, u32 *h, md_compress_fn compress,
				   const void *data, size_t len)
{
	const u8 *p = data;

	m->len += len;
	if (m->buf_used > 0) {
		size_t take = MD_BLOCK_SIZE - m->buf_used;
		if (take > len)
			take = len;
		tb_memcpy(m->buf + m->buf_used, p, take);
		m->buf_used += (u32)take;
		p += take;
		len -= take;
		if (m->buf_used < MD_BLOCK_SIZE)
			return;
		compress(h, m->buf);
		m->buf_used = 0;
	}
	while (len >= MD_BLOCK_SIZE) {
		compress(h, p);
		p += MD_BLOCK_SIZE;
		len -= MD_BLOCK_SIZE;
	}
	if (len > 0) {
		tb_memcpy(m->buf, p, len);
		m->buf_used = (u32)len;
	}
}

static inline void md_store_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

/* Pads, compresses the last block(s), writes n_words of the chaining value big-endian to out. */
static inline void md_block_final(struct md_block *m, u32 *h, md_compress_fn compress, u8 *out,
				  unsigned n_words)
{
	u64 bits = m->len << 3;
	u32 n = m->buf_used;

	m->buf[n++] = 0x80;
	if (n > 56) {
		tb_memset(m->buf + n, 0, MD_BLOCK_SIZE - n);
		compress(h, m->buf);
		n = 0;
	}
	tb_memset(m->buf + n, 0, 56 - n);
	md_store_be32(m->buf + 56, (u32)(bits >> 32));
	md_store_be32(m->buf + 60, (u32)bits);
	compress(h, m->buf);
	for (unsigned i = 0; i < n_words; i++)
		md_store_be32(out + 4 * i, h[i]);
}

#endif
