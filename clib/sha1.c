/* SHA-1, FIPS 180-4 §4.1.1 (functions), §4.2.1 (constants), §5.1.1 (padding), §5.3.1 (initial
 * hash value), §6.1.2 (computation, 16-word ring schedule as in §6.1.3). */
#include <tb/sha1.h>
#include <tb/string.h>

static inline u32 rol(u32 x, unsigned n) { return (x << n) | (x >> (32 - n)); }
static inline u32 load_be32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
}
static inline void store_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24); p[1] = (u8)(v >> 16); p[2] = (u8)(v >> 8); p[3] = (u8)v;
}

static void compress(u32 h[5], const u8 *block)
{
	u32 w[16];
	u32 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (unsigned t = 0; t < 16; t++)
		w[t] = load_be32(block + 4 * t);
	for (unsigned t = 0; t < 80; t++) {
		u32 f, k;
		if (t >= 16) {
			w[t & 15] = rol(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15], 1);
		}
		if (t < 20) {
			f = (b & c) | (~b & d);               /* Ch */
			k = 0x5a827999;
		} else if (t < 40) {
			f = b ^ c ^ d;                        /* Parity */
			k = 0x6ed9eba1;
		} else if (t < 60) {
			f = (b & c) | (b & d) | (c & d);      /* Maj */
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		u32 tmp = rol(a, 5) + f + e + k + w[t & 15];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = tmp;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

void sha1_init(struct sha1_ctx *ctx)
{
	ctx->h[0] = 0x67452301;
	ctx->h[1] = 0xefcdab89;
	ctx->h[2] = 0x98badcfe;
	ctx->h[3] = 0x10325476;
	ctx->h[4] = 0xc3d2e1f0;
	ctx->len = 0;
	ctx->buf_used = 0;
}

void sha1_update(struct sha1_ctx *ctx, const void *data, size_t len)
{
	const u8 *p = data;

	ctx->len += len;
	if (ctx->buf_used > 0) {
		size_t take = SHA1_BLOCK_SIZE - ctx->buf_used;
		if (take > len)
			take = len;
		tb_memcpy(ctx->buf + ctx->buf_used, p, take);
		ctx->buf_used += (u32)take;
		p += take;
		len -= take;
		if (ctx->buf_used < SHA1_BLOCK_SIZE)
			return;
		compress(ctx->h, ctx->buf);
		ctx->buf_used = 0;
	}
	while (len >= SHA1_BLOCK_SIZE) {
		compress(ctx->h, p);
		p += SHA1_BLOCK_SIZE;
		len -= SHA1_BLOCK_SIZE;
	}
	if (len > 0) {
		tb_memcpy(ctx->buf, p, len);
		ctx->buf_used = (u32)len;
	}
}

void sha1_final(struct sha1_ctx *ctx, u8 out[SHA1_DIGEST_SIZE])
{
	u64 bits = ctx->len << 3;
	u32 n = ctx->buf_used;

	ctx->buf[n++] = 0x80;
	if (n > 56) {
		tb_memset(ctx->buf + n, 0, SHA1_BLOCK_SIZE - n);
		compress(ctx->h, ctx->buf);
		n = 0;
	}
	tb_memset(ctx->buf + n, 0, 56 - n);
	store_be32(ctx->buf + 56, (u32)(bits >> 32));
	store_be32(ctx->buf + 60, (u32)bits);
	compress(ctx->h, ctx->buf);
	for (unsigned i = 0; i < 5; i++)
		store_be32(out + 4 * i, ctx->h[i]);
	tb_memset(ctx, 0, sizeof(*ctx));
}

void sha1(const void *data, size_t len, u8 out[SHA1_DIGEST_SIZE])
{
	struct sha1_ctx ctx;

	sha1_init(&ctx);
	sha1_update(&ctx, data, len);
	sha1_final(&ctx, out);
}
