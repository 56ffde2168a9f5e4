/* SHA-1, FIPS 180-4 §4.1.1 (functions), §4.2.1 (constants), §5.1.1 (padding), §5.3.1 (initial
 * hash value), §6.1.2 (computation, 16-word ring schedule as in §6.1.3). */
#include <tb/sha1.h>
#include <tb/md_block.h>
#include <tb/string.h>

static inline u32 rol(u32 x, unsigned n) { return (x << n) | (x >> (32 - n)); }
static inline u32 load_be32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
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
	ctx->md.len = 0;
	ctx->md.buf_used = 0;
}

void sha1_update(struct sha1_ctx *ctx, const void *data, size_t len)
{
	md_block_update(&ctx->md, ctx->h, compress, data, len);
}

void sha1_final(struct sha1_ctx *ctx, u8 out[SHA1_DIGEST_SIZE])
{
	md_block_final(&ctx->md, ctx->h, compress, out, 5);
	tb_memset(ctx, 0, sizeof(*ctx));
}

void sha1(const void *data, size_t len, u8 out[SHA1_DIGEST_SIZE])
{
	struct sha1_ctx ctx;

	sha1_init(&ctx);
	sha1_update(&ctx, data, len);
	sha1_final(&ctx, out);
}
