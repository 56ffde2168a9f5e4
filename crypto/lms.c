/* HSS/LMS verification, RFC 8554 §4.6 (LM-OTS), §5.4.2 (LMS), §6.3 (HSS). All integers on the wire
 * are big-endian (u32str). */
#include <tb/lms.h>
#include <tb/sha256.h>
#include <tb/string.h>

#define N 32u                               /* n = m = 32: the SHA-256 parameter sets only */
#define D_PBLC 0x8080u
#define D_MESG 0x8181u
#define D_LEAF 0x8282u
#define D_INTR 0x8383u

/* RFC 8554 §4.1 Table 1: LMOTS_SHA256_N32_W1..W8 are types 1..4. */
struct ots_param { u32 w, p, ls; };
static const struct ots_param OTS[5] = {
	{0, 0, 0}, {1, 265, 7}, {2, 133, 6}, {4, 67, 4}, {8, 34, 0},
};

/* RFC 8554 §5.1 Table 2: LMS_SHA256_M32_H5..H25 are types 5..9. */
static u32 lms_height(u32 type) { return type >= 5 && type <= 9 ? 5 * (type - 4) : 0; }

static u32 be32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }
static void put_be32(u8 *p, u32 v) { p[0] = (u8)(v >> 24); p[1] = (u8)(v >> 16); p[2] = (u8)(v >> 8); p[3] = (u8)v; }
static void put_be16(u8 *p, u32 v) { p[0] = (u8)(v >> 8); p[1] = (u8)v; }

/* coef(S, i, w) of §3.1.3. */
static u32 coef(const u8 *s, u32 i, u32 w)
{
	return (s[i * w / 8] >> (8 - (w * (i % (8 / w)) + w))) & ((1u << w) - 1);
}

/* Size of an LM-OTS signature (§4.5) of this type, or 0 for an unknown type. */
static size_t ots_sig_size(u32 type) { return type >= 1 && type <= 4 ? 4 + N + (size_t)OTS[type].p * N : 0; }

/* Algorithm 4b (§4.6): the candidate LM-OTS public key Kc from an LM-OTS signature (type already
 * checked against the key's). */
static void ots_candidate(const u8 *ots_sig, const u8 I[16], u32 q, const u8 *msg, size_t msg_len, u8 kc[N])
{
	const struct ots_param *par = &OTS[be32(ots_sig)];
	const u8 *c = ots_sig + 4, *y = ots_sig + 4 + N;
	struct sha256_ctx ctx, kctx;
	u8 hdr[16 + 4 + 2 + 1], qbuf[N + 2], tmp[N];

	tb_memcpy(hdr, I, 16);
	put_be32(hdr + 16, q);
	put_be16(hdr + 20, D_MESG);
	sha256_init(&ctx);
	sha256_update(&ctx, hdr, 22);
	sha256_update(&ctx, c, N);
	sha256_update(&ctx, msg, msg_len);
	sha256_final(&ctx, qbuf);
	u32 sum = 0, top = (1u << par->w) - 1;                    /* Cksm (§4.4) */
	for (u32 i = 0; i < N * 8 / par->w; i++)
		sum += top - coef(qbuf, i, par->w);
	put_be16(qbuf + N, sum << par->ls);

	put_be16(hdr + 20, D_PBLC);
	sha256_init(&kctx);
	sha256_update(&kctx, hdr, 22);
	for (u32 i = 0; i < par->p; i++) {
		tb_memcpy(tmp, y + (size_t)i * N, N);
		put_be16(hdr + 20, i);
		for (u32 j = coef(qbuf, i, par->w); j < top; j++) {
			hdr[22] = (u8)j;
			sha256_init(&ctx);
			sha256_update(&ctx, hdr, 23);
			sha256_update(&ctx, tmp, N);
			sha256_final(&ctx, tmp);
		}
		sha256_update(&kctx, tmp, N);
	}
	sha256_final(&kctx, kc);
}

/* Size of an LMS signature (§5.4) starting at sig with at most avail bytes, or 0 if malformed. */
static size_t lms_sig_size(const u8 *sig, size_t avail)
{
	if (avail < 8)
		return 0;
	size_t ots = ots_sig_size(be32(sig + 4));
	if (ots == 0 || avail - 4 < ots + 4)
		return 0;
	u32 h = lms_height(be32(sig + 4 + ots));
	if (h == 0 || avail - 8 - ots < (size_t)h * N)
		return 0;
	return 8 + ots + (size_t)h * N;
}

/* Algorithm 6 (§5.4.2): 1 if sig (exactly sig_len bytes, sized by lms_sig_size) verifies msg under
 * the 56-byte LMS public key pub. */
static int lms_verify(const u8 *sig, size_t sig_len, const u8 *msg, size_t msg_len, const u8 *pub)
{
	u32 type = be32(pub), ots_type = be32(pub + 4), h = lms_height(type);
	const u8 *I = pub + 8;
	size_t ots = ots_sig_size(ots_type);
	u32 q = be32(sig);
	u8 hdr[16 + 4 + 2], node[N];
	struct sha256_ctx ctx;

	if (h == 0 || ots == 0 || sig_len != 8 + ots + (size_t)h * N || be32(sig + 4) != ots_type ||
	    be32(sig + 4 + ots) != type || (q >> h) != 0)   /* h ≤ 25: q < 2^h */
		return 0;
	ots_candidate(sig + 4, I, q, msg, msg_len, node);
	const u8 *path = sig + 8 + ots;
	u32 r = (1u << h) + q;
	tb_memcpy(hdr, I, 16);
	put_be32(hdr + 16, r);
	put_be16(hdr + 20, D_LEAF);
	sha256_init(&ctx);
	sha256_update(&ctx, hdr, 22);
	sha256_update(&ctx, node, N);
	sha256_final(&ctx, node);
	for (u32 i = 0; r > 1; i++, r >>= 1) {
		put_be32(hdr + 16, r >> 1);
		put_be16(hdr + 20, D_INTR);
		sha256_init(&ctx);
		sha256_update(&ctx, hdr, 22);
		sha256_update(&ctx, (r & 1) ? path + (size_t)i * N : node, N);
		sha256_update(&ctx, (r & 1) ? node : path + (size_t)i * N, N);
		sha256_final(&ctx, node);
	}
	return tb_memeq_ct(node, pub + 24, N);
}

/* An LMS public key (§5.3) of a known SHA-256 parameter set. */
static int lms_pub_ok(const u8 *pub) { return lms_height(be32(pub)) != 0 && ots_sig_size(be32(pub + 4)) != 0; }

int hss_verify(const u8 *sig, size_t sig_len, const u8 *msg, size_t msg_len, const u8 *pub, size_t pub_len)
{
	if (pub_len != HSS_PUBLIC_KEY_SIZE || sig_len < 4)
		return 0;
	u32 levels = be32(pub);
	if (levels < 1 || levels > HSS_MAX_LEVELS || be32(sig) != levels - 1 || !lms_pub_ok(pub + 4))
		return 0;
	const u8 *key = pub + 4;
	size_t off = 4;
	/* §6.3: each of the L-1 signed public keys must verify under its parent before it is used. */
	for (u32 i = 0; i < levels; i++) {
		size_t n = lms_sig_size(sig + off, sig_len - off);
		if (n == 0)
			return 0;
		const u8 *s = sig + off;
		off += n;
		if (i == levels - 1)
			return off == sig_len && lms_verify(s, n, msg, msg_len, key);
		if (sig_len - off < 56 || !lms_pub_ok(sig + off) || !lms_verify(s, n, sig + off, 56, key))
			return 0;
		key = sig + off;
		off += 56;
	}
	return 0;
}
