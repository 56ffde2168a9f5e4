/* SHA-512, FIPS 180-4: functions §4.1.3, constants §4.2.3, padding §5.1.2, initial value §5.3.5,
 * computation §6.4.2. The constants below were generated from their definition (first 64 bits of
 * the fractional parts of the cube roots of the first 80 primes, and of the square roots of the
 * first 8 primes for the initial value) with exact integer roots; the NIST vectors in
 * crypto/test check them. */
#include <tb/sha512.h>

static const u64 sha512_k[80] = {
	0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
	0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
	0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
	0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
	0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
	0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
	0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
	0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
	0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
	0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
	0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
	0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
	0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
	0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
	0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
	0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
	0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
	0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
	0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
	0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

static const u64 sha512_iv[8] = {
	0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
	0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static inline u64 ror64(u64 x, unsigned n)
{
	return (x >> n) | (x << (64 - n));
}

static inline u64 load_be64(const u8 *p)
{
	return ((u64)p[0] << 56) | ((u64)p[1] << 48) | ((u64)p[2] << 40) | ((u64)p[3] << 32) |
	       ((u64)p[4] << 24) | ((u64)p[5] << 16) | ((u64)p[6] << 8) | (u64)p[7];
}

static inline void store_be64(u8 *p, u64 v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (u8)v;
		v >>= 8;
	}
}

/* Σ0, Σ1, σ0, σ1, Ch and Maj of FIPS 180-4 §4.1.3. */
#define BSIG0(x) (ror64(x, 28) ^ ror64(x, 34) ^ ror64(x, 39))
#define BSIG1(x) (ror64(x, 14) ^ ror64(x, 18) ^ ror64(x, 41))
#define SSIG0(x) (ror64(x, 1) ^ ror64(x, 8) ^ ((x) >> 7))
#define SSIG1(x) (ror64(x, 19) ^ ror64(x, 61) ^ ((x) >> 6))
#define CH(x, y, z)  (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))

/* Processes nblocks consecutive 128-byte blocks. The message schedule is kept as a 16-word ring
 * instead of 80 words to keep the stack small (FIPS 180-4 §6.4.2 step 1, computed on the fly). */
static void sha512_blocks(u64 h[8], const u8 *p, size_t nblocks)
{
	while (nblocks--) {
		u64 w[16];
		u64 a = h[0], b = h[1], c = h[2], d = h[3];
		u64 e = h[4], f = h[5], g = h[6], hh = h[7];

		for (int t = 0; t < 80; t++) {
			u64 wt;
			if (t < 16) {
				wt = load_be64(p + 8 * t);
			} else {
				wt = SSIG1(w[(t - 2) & 15]) + w[(t - 7) & 15] +
				     SSIG0(w[(t - 15) & 15]) + w[(t - 16) & 15];
			}
			w[t & 15] = wt;
			u64 t1 = hh + BSIG1(e) + CH(e, f, g) + sha512_k[t] + wt;
			u64 t2 = BSIG0(a) + MAJ(a, b, c);
			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a; h[1] += b; h[2] += c; h[3] += d;
		h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
		p += SHA512_BLOCK_SIZE;
	}
}

void sha512_init(struct sha512_ctx *ctx)
{
	for (int i = 0; i < 8; i++)
		ctx->h[i] = sha512_iv[i];
	ctx->len = 0;
	ctx->buf_used = 0;
}

void sha512_update(struct sha512_ctx *ctx, const void *data, size_t len)
{
	const u8 *p = data;

	ctx->len += len;
	if (ctx->buf_used) {
		while (len && ctx->buf_used < SHA512_BLOCK_SIZE) {
			ctx->buf[ctx->buf_used++] = *p++;
			len--;
		}
		if (ctx->buf_used < SHA512_BLOCK_SIZE)
			return;
		sha512_blocks(ctx->h, ctx->buf, 1);
		ctx->buf_used = 0;
	}
	if (len >= SHA512_BLOCK_SIZE) {
		size_t n = len / SHA512_BLOCK_SIZE;
		sha512_blocks(ctx->h, p, n);
		p += n * SHA512_BLOCK_SIZE;
		len -= n * SHA512_BLOCK_SIZE;
	}
	while (len--)
		ctx->buf[ctx->buf_used++] = *p++;
}

void sha512_final(struct sha512_ctx *ctx, u8 out[SHA512_DIGEST_SIZE])
{
	/* §5.1.2: append 0x80, zeros, then the bit length as a 128-bit big-endian number. The high
	 * 64 bits are zero because len < 2^61 bytes. */
	u64 bits = ctx->len << 3;
	u64 bits_hi = ctx->len >> 61;
	u32 n = ctx->buf_used;

	ctx->buf[n++] = 0x80;
	if (n > SHA512_BLOCK_SIZE - 16) {
		while (n < SHA512_BLOCK_SIZE)
			ctx->buf[n++] = 0;
		sha512_blocks(ctx->h, ctx->buf, 1);
		n = 0;
	}
	while (n < SHA512_BLOCK_SIZE - 16)
		ctx->buf[n++] = 0;
	store_be64(ctx->buf + SHA512_BLOCK_SIZE - 16, bits_hi);
	store_be64(ctx->buf + SHA512_BLOCK_SIZE - 8, bits);
	sha512_blocks(ctx->h, ctx->buf, 1);

	for (int i = 0; i < 8; i++)
		store_be64(out + 8 * i, ctx->h[i]);

	/* Wipe: callers may hash secrets elsewhere in the hypervisor. volatile keeps the stores. */
	volatile u8 *v = (volatile u8 *)ctx;
	for (size_t i = 0; i < sizeof(*ctx); i++)
		v[i] = 0;
}

void sha512(const void *data, size_t len, u8 out[SHA512_DIGEST_SIZE])
{
	struct sha512_ctx ctx;

	sha512_init(&ctx);
	sha512_update(&ctx, data, len);
	sha512_final(&ctx, out);
}
