/*
 * Ed25519 signature verification, RFC 8032 §5.1 (curve edwards25519, RFC 7748 §4.1).
 *
 * Not constant-time, on purpose: verification only handles public values (key, message,
 * signature), so branches and table indices that depend on them leak nothing secret. Do not reuse
 * these routines for signing or key generation.
 *
 * Field GF(p), p = 2^255 - 19: five unsigned 51-bit limbs, value = sum v[i] * 2^(51 i), products
 * in unsigned __int128. Invariant: every fe produced by a function here has limbs < 2^51 + 2^12
 * ("loosely reduced"); fe_mul and fe_sq accept such inputs (column sums stay below 2^109, so every
 * carry fits in 64 bits), and fe_sub relies on the bound. Canonical form (0 <= value < p) exists only in byte encodings.
 *
 * Points: extended twisted Edwards coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, x y = T/Z, for the
 * curve -x^2 + y^2 = 1 + d x^2 y^2 (RFC 8032 §5.1.4). The addition and doubling formulas there are
 * complete (d is not a square), so no special cases for the identity or equal inputs exist.
 *
 * Verification computes R' = [S]B + [k](-A) with one interleaved double-and-add over width-5
 * signed sliding windows (wNAF) of S and k, then compares the encoding of R' with the R bytes of
 * the signature. Comparing encodings rejects every non-canonical or off-curve R without decoding
 * it, because the encoding of R' is always canonical.
 */
#include <tb/ed25519.h>
#include <tb/sha512.h>

typedef unsigned __int128 u128;

typedef struct {
	u64 v[5];
} fe;

#define MASK51 ((1ULL << 51) - 1)

/* Constants, generated from their definitions with exact integer arithmetic; crypto/test checks
 * each one against its definition using the field routines below. */
/* d = -121665 / 121666 (RFC 8032 §5.1). */
static const fe fe_d = { { 0x34dca135978a3ULL, 0x1a8283b156ebdULL, 0x5e7a26001c029ULL,
			   0x739c663a03cbbULL, 0x52036cee2b6ffULL } };
/* 2 d, used by the cached point form. */
static const fe fe_d2 = { { 0x69b9426b2f159ULL, 0x35050762add7aULL, 0x3cf44c0038052ULL,
			    0x6738cc7407977ULL, 0x2406d9dc56dffULL } };
/* sqrt(-1) = 2^((p-1)/4) (RFC 8032 §5.1.3 step 3). */
static const fe fe_sqrtm1 = { { 0x61b274a0ea0b0ULL, 0x0d5a5fc8f189dULL, 0x7ef5e9cbd0c60ULL,
				0x78595a6804c9eULL, 0x2b8324804fc1dULL } };
/* Base point B (RFC 8032 §5.1): y = 4/5, x even; T = x y. */
static const fe fe_bx = { { 0x62d608f25d51aULL, 0x412a4b4f6592aULL, 0x75b7171a4b31dULL,
			    0x1ff60527118feULL, 0x216936d3cd6e5ULL } };
static const fe fe_by = { { 0x6666666666658ULL, 0x4ccccccccccccULL, 0x1999999999999ULL,
			    0x3333333333333ULL, 0x6666666666666ULL } };
static const fe fe_bt = { { 0x68ab3a5b7dda3ULL, 0x00eea2a5eadbbULL, 0x2af8df483c27eULL,
			    0x332b375274732ULL, 0x67875f0fd78b7ULL } };

/* Group order L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1), 64-bit limbs. */
static const u64 sc_l[4] = { 0x5812631a5cf5d3edULL, 0x14def9dea2f79cd6ULL, 0, 0x1000000000000000ULL };

/* ---------------------------------------------------------------- field arithmetic mod p */

static inline void fe_copy(fe *r, const fe *a)
{
	for (int i = 0; i < 5; i++)
		r->v[i] = a->v[i];
}

static inline void fe_set_small(fe *r, u64 n)
{
	r->v[0] = n;
	r->v[1] = r->v[2] = r->v[3] = r->v[4] = 0;
}

/* Carries each limb into the next; the carry out of limb 4 (weight 2^255 = 19 mod p) wraps to
 * limb 0. Inputs below 2^54 per limb give limbs < 2^51 + 2^8 (limb 0) and < 2^51 (others). */
static inline void fe_carry(fe *r)
{
	u64 c;

	c = r->v[0] >> 51; r->v[0] &= MASK51; r->v[1] += c;
	c = r->v[1] >> 51; r->v[1] &= MASK51; r->v[2] += c;
	c = r->v[2] >> 51; r->v[2] &= MASK51; r->v[3] += c;
	c = r->v[3] >> 51; r->v[3] &= MASK51; r->v[4] += c;
	c = r->v[4] >> 51; r->v[4] &= MASK51; r->v[0] += 19 * c;
}

static inline void fe_add(fe *r, const fe *a, const fe *b)
{
	for (int i = 0; i < 5; i++)
		r->v[i] = a->v[i] + b->v[i];
	fe_carry(r);
}

/* a - b computed as a + 2p - b so no limb goes negative: 2p has limbs 2^52 - 38, 2^52 - 2, ...,
 * each larger than any loosely reduced limb of b. */
static inline void fe_sub(fe *r, const fe *a, const fe *b)
{
	r->v[0] = a->v[0] + 0xfffffffffffdaULL - b->v[0];
	r->v[1] = a->v[1] + 0xffffffffffffeULL - b->v[1];
	r->v[2] = a->v[2] + 0xffffffffffffeULL - b->v[2];
	r->v[3] = a->v[3] + 0xffffffffffffeULL - b->v[3];
	r->v[4] = a->v[4] + 0xffffffffffffeULL - b->v[4];
	fe_carry(r);
}

static inline void fe_neg(fe *r, const fe *a)
{
	fe zero;

	fe_set_small(&zero, 0);
	fe_sub(r, &zero, a);
}

/* Carries five 128-bit column sums into a loosely reduced fe. */
static inline void fe_carry_wide(fe *r, u128 t0, u128 t1, u128 t2, u128 t3, u128 t4)
{
	t1 += (u64)(t0 >> 51);
	t2 += (u64)(t1 >> 51);
	t3 += (u64)(t2 >> 51);
	t4 += (u64)(t3 >> 51);
	u128 w = (u128)((u64)t0 & MASK51) + (u128)(u64)(t4 >> 51) * 19;
	r->v[0] = (u64)w & MASK51;
	r->v[1] = ((u64)t1 & MASK51) + (u64)(w >> 51);
	r->v[2] = (u64)t2 & MASK51;
	r->v[3] = (u64)t3 & MASK51;
	r->v[4] = (u64)t4 & MASK51;
}

/* Schoolbook product; a limb product at weight 2^(51 (i+j)) with i+j >= 5 folds back times 19. */
static void fe_mul(fe *r, const fe *a, const fe *b)
{
	u64 a0 = a->v[0], a1 = a->v[1], a2 = a->v[2], a3 = a->v[3], a4 = a->v[4];
	u64 b0 = b->v[0], b1 = b->v[1], b2 = b->v[2], b3 = b->v[3], b4 = b->v[4];
	u64 b1_19 = 19 * b1, b2_19 = 19 * b2, b3_19 = 19 * b3, b4_19 = 19 * b4;

	u128 t0 = (u128)a0 * b0 + (u128)a1 * b4_19 + (u128)a2 * b3_19 + (u128)a3 * b2_19 +
		  (u128)a4 * b1_19;
	u128 t1 = (u128)a0 * b1 + (u128)a1 * b0 + (u128)a2 * b4_19 + (u128)a3 * b3_19 +
		  (u128)a4 * b2_19;
	u128 t2 = (u128)a0 * b2 + (u128)a1 * b1 + (u128)a2 * b0 + (u128)a3 * b4_19 +
		  (u128)a4 * b3_19;
	u128 t3 = (u128)a0 * b3 + (u128)a1 * b2 + (u128)a2 * b1 + (u128)a3 * b0 +
		  (u128)a4 * b4_19;
	u128 t4 = (u128)a0 * b4 + (u128)a1 * b3 + (u128)a2 * b2 + (u128)a3 * b1 +
		  (u128)a4 * b0;
	fe_carry_wide(r, t0, t1, t2, t3, t4);
}

static void fe_sq(fe *r, const fe *a)
{
	u64 a0 = a->v[0], a1 = a->v[1], a2 = a->v[2], a3 = a->v[3], a4 = a->v[4];
	u64 a0_2 = 2 * a0, a1_2 = 2 * a1;
	u64 a3_19 = 19 * a3, a4_19 = 19 * a4;

	u128 t0 = (u128)a0 * a0 + (u128)(2 * a1) * a4_19 + (u128)(2 * a2) * a3_19;
	u128 t1 = (u128)a0_2 * a1 + (u128)(2 * a2) * a4_19 + (u128)a3 * a3_19;
	u128 t2 = (u128)a0_2 * a2 + (u128)a1 * a1 + (u128)(2 * a3) * a4_19;
	u128 t3 = (u128)a0_2 * a3 + (u128)a1_2 * a2 + (u128)a4 * a4_19;
	u128 t4 = (u128)a0_2 * a4 + (u128)a1_2 * a3 + (u128)a2 * a2;
	fe_carry_wide(r, t0, t1, t2, t3, t4);
}

/* r = a^(2^n), n >= 1. */
static void fe_sq_n(fe *r, const fe *a, int n)
{
	fe_sq(r, a);
	while (--n > 0)
		fe_sq(r, r);
}

/* r = a^(2^250 - 1), with z11 = a^11 on return; shared by inversion and square root. */
static void fe_pow2_250_1(fe *r, fe *z11, const fe *a)
{
	fe t0, t1, t2, t3;

	fe_sq(&t0, a);               /* a^2 */
	fe_sq_n(&t1, &t0, 2);        /* a^8 */
	fe_mul(&t1, &t1, a);         /* a^9 */
	fe_mul(z11, &t0, &t1);       /* a^11 */
	fe_sq(&t0, z11);             /* a^22 */
	fe_mul(&t0, &t0, &t1);       /* a^31 = a^(2^5 - 1) */
	fe_sq_n(&t1, &t0, 5);
	fe_mul(&t0, &t1, &t0);       /* a^(2^10 - 1) */
	fe_sq_n(&t1, &t0, 10);
	fe_mul(&t1, &t1, &t0);       /* a^(2^20 - 1) */
	fe_sq_n(&t2, &t1, 20);
	fe_mul(&t1, &t2, &t1);       /* a^(2^40 - 1) */
	fe_sq_n(&t1, &t1, 10);
	fe_mul(&t0, &t1, &t0);       /* a^(2^50 - 1) */
	fe_sq_n(&t1, &t0, 50);
	fe_mul(&t1, &t1, &t0);       /* a^(2^100 - 1) */
	fe_sq_n(&t2, &t1, 100);
	fe_mul(&t2, &t2, &t1);       /* a^(2^200 - 1) */
	fe_sq_n(&t3, &t2, 50);
	fe_mul(r, &t3, &t0);         /* a^(2^250 - 1) */
}

/* r = 1/a = a^(p - 2) = a^((2^250 - 1) 2^5 + 11) (Fermat); 0 maps to 0. */
static void fe_invert(fe *r, const fe *a)
{
	fe t, z11;

	fe_pow2_250_1(&t, &z11, a);
	fe_sq_n(&t, &t, 5);
	fe_mul(r, &t, &z11);
}

/* r = a^((p - 5) / 8) = a^(2^252 - 3) = a^((2^250 - 1) 4 + 1), for the square root. */
static void fe_pow22523(fe *r, const fe *a)
{
	fe t, z11;

	fe_pow2_250_1(&t, &z11, a);
	fe_sq_n(&t, &t, 2);
	fe_mul(r, &t, a);
}

static inline u64 load_le64(const u8 *p)
{
	u64 v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline void store_le64(u8 *p, u64 v)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (u8)v;
		v >>= 8;
	}
}

/* Loads the low 255 bits of s (bit 255 is the caller's business). */
static void fe_frombytes(fe *r, const u8 s[32])
{
	u64 w0 = load_le64(s), w1 = load_le64(s + 8), w2 = load_le64(s + 16), w3 = load_le64(s + 24);

	r->v[0] = w0 & MASK51;
	r->v[1] = ((w0 >> 51) | (w1 << 13)) & MASK51;
	r->v[2] = ((w1 >> 38) | (w2 << 26)) & MASK51;
	r->v[3] = ((w2 >> 25) | (w3 << 39)) & MASK51;
	r->v[4] = (w3 >> 12) & MASK51;
}

/* Canonical little-endian encoding of a mod p (bit 255 clear). */
static void fe_tobytes(u8 s[32], const fe *a)
{
	fe t;

	fe_copy(&t, a);
	/* Two carry passes leave every limb below 2^51: the second pass can only wrap a carry out of
	 * limb 4 if limbs 1..4 were all ones, and then limb 0 ends up tiny. */
	fe_carry(&t);
	fe_carry(&t);
	/* Now 0 <= t < 2^255. t >= p exactly when t + 19 carries out of bit 255. */
	u64 q = (t.v[0] + 19) >> 51;
	q = (t.v[1] + q) >> 51;
	q = (t.v[2] + q) >> 51;
	q = (t.v[3] + q) >> 51;
	q = (t.v[4] + q) >> 51;
	/* Subtract q p = q 2^255 - 19 q: add 19 q, carry without wrapping, drop bit 255. */
	t.v[0] += 19 * q;
	t.v[1] += t.v[0] >> 51; t.v[0] &= MASK51;
	t.v[2] += t.v[1] >> 51; t.v[1] &= MASK51;
	t.v[3] += t.v[2] >> 51; t.v[2] &= MASK51;
	t.v[4] += t.v[3] >> 51; t.v[3] &= MASK51;
	t.v[4] &= MASK51;

	store_le64(s, t.v[0] | (t.v[1] << 51));
	store_le64(s + 8, (t.v[1] >> 13) | (t.v[2] << 38));
	store_le64(s + 16, (t.v[2] >> 26) | (t.v[3] << 25));
	store_le64(s + 24, (t.v[3] >> 39) | (t.v[4] << 12));
}

static int bytes_equal(const u8 *a, const u8 *b, size_t n)
{
	u8 diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

static int fe_iszero(const fe *a)
{
	u8 s[32];
	u8 acc = 0;

	fe_tobytes(s, a);
	for (int i = 0; i < 32; i++)
		acc |= s[i];
	return acc == 0;
}

static int fe_equal(const fe *a, const fe *b)
{
	fe t;

	fe_sub(&t, a, b);
	return fe_iszero(&t);
}

/* "Negative" in RFC 8032 §5.1.2: the least significant bit of the canonical value. */
static int fe_isodd(const fe *a)
{
	u8 s[32];

	fe_tobytes(s, a);
	return s[0] & 1;
}

/* 1 if the 255-bit number in s (bit 255 ignored) is < p = 2^255 - 19. */
static int fe_bytes_canonical(const u8 s[32])
{
	if ((s[31] & 0x7f) != 0x7f)
		return 1;
	for (int i = 30; i >= 1; i--)
		if (s[i] != 0xff)
			return 1;
	return s[0] < 0xed;
}

/* ---------------------------------------------------------------- points */

typedef struct {
	fe X, Y, Z, T;
} ge_p3;

/* A point prepared as the second operand of an addition (Hisil–Wong–Carter–Dawson). */
typedef struct {
	fe YplusX, YminusX, Z2, T2d;   /* Y + X, Y - X, 2 Z, 2 d T */
} ge_cached;

static void ge_identity(ge_p3 *r)
{
	fe_set_small(&r->X, 0);
	fe_set_small(&r->Y, 1);
	fe_set_small(&r->Z, 1);
	fe_set_small(&r->T, 0);
}

static void ge_to_cached(ge_cached *r, const ge_p3 *p)
{
	fe_add(&r->YplusX, &p->Y, &p->X);
	fe_sub(&r->YminusX, &p->Y, &p->X);
	fe_add(&r->Z2, &p->Z, &p->Z);
	fe_mul(&r->T2d, &p->T, &fe_d2);
}

/* r = p + q (sub = 0) or p - q (sub = 1), RFC 8032 §5.1.4 addition. r may alias p. T of the result
 * is computed only if with_t, since a following doubling does not read it. */
static void ge_add(ge_p3 *r, const ge_p3 *p, const ge_cached *q, int sub, int with_t)
{
	fe a, b, c, d, e, f, g, h;

	fe_sub(&a, &p->Y, &p->X);
	fe_add(&b, &p->Y, &p->X);
	/* -q swaps Y + X with Y - X and negates T. */
	fe_mul(&a, &a, sub ? &q->YplusX : &q->YminusX);
	fe_mul(&b, &b, sub ? &q->YminusX : &q->YplusX);
	fe_mul(&c, &p->T, &q->T2d);
	fe_mul(&d, &p->Z, &q->Z2);
	fe_sub(&e, &b, &a);
	fe_add(&h, &b, &a);
	if (sub) {
		fe_add(&f, &d, &c);
		fe_sub(&g, &d, &c);
	} else {
		fe_sub(&f, &d, &c);
		fe_add(&g, &d, &c);
	}
	fe_mul(&r->X, &e, &f);
	fe_mul(&r->Y, &g, &h);
	fe_mul(&r->Z, &f, &g);
	if (with_t)
		fe_mul(&r->T, &e, &h);
}

/* r = 2 p, RFC 8032 §5.1.4 doubling (reads X, Y, Z only). r may alias p. */
static void ge_dbl(ge_p3 *r, const ge_p3 *p, int with_t)
{
	fe a, b, c, e, f, g, h, t;

	fe_sq(&a, &p->X);
	fe_sq(&b, &p->Y);
	fe_sq(&c, &p->Z);
	fe_add(&c, &c, &c);
	fe_add(&h, &a, &b);
	fe_add(&t, &p->X, &p->Y);
	fe_sq(&t, &t);
	fe_sub(&e, &h, &t);
	fe_sub(&g, &a, &b);
	fe_add(&f, &c, &g);
	fe_mul(&r->X, &e, &f);
	fe_mul(&r->Y, &g, &h);
	fe_mul(&r->Z, &f, &g);
	if (with_t)
		fe_mul(&r->T, &e, &h);
}

/* Decodes a point, RFC 8032 §5.1.3. Returns 0 for y >= p, for a y with no x on the curve, and
 * for x = 0 with the sign bit set. */
static int ge_frombytes(ge_p3 *r, const u8 s[32])
{
	fe u, v, v3, vx2, t;
	int sign = s[31] >> 7;

	if (!fe_bytes_canonical(s))
		return 0;
	fe_frombytes(&r->Y, s);
	fe_set_small(&r->Z, 1);

	/* x^2 = u / v with u = y^2 - 1, v = d y^2 + 1. */
	fe_sq(&u, &r->Y);
	fe_mul(&v, &u, &fe_d);
	fe_sub(&u, &u, &r->Z);
	fe_add(&v, &v, &r->Z);

	/* Candidate x = u v^3 (u v^7)^((p-5)/8) (step 3). */
	fe_sq(&v3, &v);
	fe_mul(&v3, &v3, &v);        /* v^3 */
	fe_sq(&t, &v3);
	fe_mul(&t, &t, &v);          /* v^7 */
	fe_mul(&t, &t, &u);          /* u v^7 */
	fe_pow22523(&t, &t);
	fe_mul(&t, &t, &v3);
	fe_mul(&r->X, &t, &u);

	/* Step 3 cases: v x^2 = u: x is a root; v x^2 = -u: x sqrt(-1) is; otherwise no root. */
	fe_sq(&vx2, &r->X);
	fe_mul(&vx2, &vx2, &v);
	if (!fe_equal(&vx2, &u)) {
		fe_neg(&t, &u);
		if (!fe_equal(&vx2, &t))
			return 0;
		fe_mul(&r->X, &r->X, &fe_sqrtm1);
	}

	/* Step 4: x = 0 has only one encoding. */
	if (sign && fe_iszero(&r->X))
		return 0;
	if (fe_isodd(&r->X) != sign)
		fe_neg(&r->X, &r->X);
	fe_mul(&r->T, &r->X, &r->Y);
	return 1;
}

static void ge_tobytes(u8 s[32], const ge_p3 *p)
{
	fe zinv, x, y;

	fe_invert(&zinv, &p->Z);
	fe_mul(&x, &p->X, &zinv);
	fe_mul(&y, &p->Y, &zinv);
	fe_tobytes(s, &y);
	s[31] |= (u8)(fe_isodd(&x) << 7);
}

/* 1 if [8] p is the identity, i.e. p lies in the torsion subgroup of order dividing 8. */
static int ge_has_small_order(const ge_p3 *p)
{
	ge_p3 q;

	ge_dbl(&q, p, 0);
	ge_dbl(&q, &q, 0);
	ge_dbl(&q, &q, 0);
	return fe_iszero(&q.X) && fe_equal(&q.Y, &q.Z);
}

/* ---------------------------------------------------------------- scalars mod L */

static void sc_load(u64 r[4], const u8 s[32])
{
	for (int i = 0; i < 4; i++)
		r[i] = load_le64(s + 8 * i);
}

/* 1 if the 256-bit little-endian s is < L (RFC 8032 §5.1.7 step 1). */
static int sc_is_canonical(const u8 s[32])
{
	u64 v[4];

	sc_load(v, s);
	for (int i = 3; i >= 0; i--) {
		if (v[i] < sc_l[i])
			return 1;
		if (v[i] > sc_l[i])
			return 0;
	}
	return 0;   /* equal to L */
}

/*
 * r = h mod L for a 512-bit little-endian h (the SHA-512 output, RFC 8032 §5.1.7 step 2).
 * Horner's rule one byte at a time from the top: r <- 256 r + byte, then subtract q L with
 * q = floor(t / 2^252). Since L > 2^252, q is never below the true quotient and exceeds it by at
 * most one (t < 2^261, so q L - t < 2^9 (L - 2^252) < 2^134 < L); one conditional add of L fixes it.
 */
static void sc_reduce512(u64 r[4], const u8 h[64])
{
	u64 t[5] = { 0, 0, 0, 0, 0 };

	for (int i = 63; i >= 0; i--) {
		/* t = 256 t + h[i]; t < L < 2^253 before, < 2^261 after. */
		t[4] = (t[3] >> 56);
		t[3] = (t[3] << 8) | (t[2] >> 56);
		t[2] = (t[2] << 8) | (t[1] >> 56);
		t[1] = (t[1] << 8) | (t[0] >> 56);
		t[0] = (t[0] << 8) | h[i];

		u64 q = (t[4] << 4) | (t[3] >> 60);   /* t >> 252, < 2^9 */

		/* t -= q L, tracking the borrow across limbs; the result fits in 5 limbs with a
		 * possible borrow out meaning "negative". */
		u64 borrow = 0;
		u64 mul_carry = 0;
		for (int j = 0; j < 5; j++) {
			u128 prod = (u128)q * (j < 4 ? sc_l[j] : 0) + mul_carry;
			mul_carry = (u64)(prod >> 64);
			u64 sub = (u64)prod;
			u128 diff = (u128)t[j] - sub - borrow;
			t[j] = (u64)diff;
			borrow = (u64)(diff >> 64) & 1;
		}
		if (borrow) {
			/* Went below zero by less than L: add L back; the carry out cancels the borrow. */
			u64 carry = 0;
			for (int j = 0; j < 5; j++) {
				u128 sum = (u128)t[j] + (j < 4 ? sc_l[j] : 0) + carry;
				t[j] = (u64)sum;
				carry = (u64)(sum >> 64);
			}
		}
	}
	for (int i = 0; i < 4; i++)
		r[i] = t[i];
}

/*
 * Width-5 non-adjacent form of a 256-bit scalar: naf[i] in {0, ±1, ±3, ..., ±15}, with
 * sum naf[i] 2^i equal to the scalar, and at least four zeros after each non-zero digit.
 * The scalar (< 2^253 here) is consumed; 257 digits cover the carry of the top window.
 */
#define NAF_LEN 257

static void sc_wnaf(s8 naf[NAF_LEN], const u64 s[4])
{
	u64 k[5] = { s[0], s[1], s[2], s[3], 0 };

	for (int i = 0; i < NAF_LEN; i++) {
		s8 digit = 0;
		if (k[0] & 1) {
			int w = (int)(k[0] & 31);
			if (w >= 16)
				w -= 32;
			digit = (s8)w;
			if (w > 0) {
				/* k -= w; k is odd and k mod 32 = w, so no borrow leaves limb 0. */
				k[0] -= (u64)w;
			} else {
				/* k += -w, with carry. */
				u64 add = (u64)(-w);
				for (int j = 0; j < 5 && add; j++) {
					k[j] += add;
					add = k[j] < add;
				}
			}
		}
		naf[i] = digit;
		for (int j = 0; j < 4; j++)
			k[j] = (k[j] >> 1) | (k[j + 1] << 63);
		k[4] >>= 1;
	}
}

/* table[i] = (2 i + 1) p for i = 0..7, in cached form. */
static void ge_odd_multiples(ge_cached table[8], const ge_p3 *p)
{
	ge_p3 p2, acc;
	ge_cached p2c;

	ge_dbl(&p2, p, 1);
	ge_to_cached(&p2c, &p2);
	ge_to_cached(&table[0], p);
	fe_copy(&acc.X, &p->X);
	fe_copy(&acc.Y, &p->Y);
	fe_copy(&acc.Z, &p->Z);
	fe_copy(&acc.T, &p->T);
	for (int i = 1; i < 8; i++) {
		ge_add(&acc, &acc, &p2c, 0, 1);
		ge_to_cached(&table[i], &acc);
	}
}

static void ge_add_digit(ge_p3 *r, const ge_cached table[8], s8 digit, int with_t)
{
	if (digit > 0)
		ge_add(r, r, &table[digit / 2], 0, with_t);
	else
		ge_add(r, r, &table[(-digit) / 2], 1, with_t);
}

/* r = [a] P + [b] B, variable time (inputs are public). */
static void ge_double_scalarmult_vartime(ge_p3 *r, const u64 a[4], const ge_p3 *p, const u64 b[4])
{
	ge_cached ptab[8], btab[8];
	ge_p3 base;
	s8 anaf[NAF_LEN], bnaf[NAF_LEN];
	int i;

	fe_copy(&base.X, &fe_bx);
	fe_copy(&base.Y, &fe_by);
	fe_set_small(&base.Z, 1);
	fe_copy(&base.T, &fe_bt);

	sc_wnaf(anaf, a);
	sc_wnaf(bnaf, b);
	ge_odd_multiples(ptab, p);
	ge_odd_multiples(btab, &base);

	ge_identity(r);
	for (i = NAF_LEN - 1; i >= 0 && anaf[i] == 0 && bnaf[i] == 0; i--)
		;
	for (; i >= 0; i--) {
		int both = anaf[i] != 0 && bnaf[i] != 0;
		ge_dbl(r, r, anaf[i] != 0 || bnaf[i] != 0);
		if (anaf[i] != 0)
			ge_add_digit(r, ptab, anaf[i], both);
		if (bnaf[i] != 0)
			ge_add_digit(r, btab, bnaf[i], 0);
	}
}

/* ---------------------------------------------------------------- verification */

int ed25519_verify(const u8 sig[ED25519_SIGNATURE_SIZE], const u8 *msg, size_t msg_len,
		   const u8 pub[ED25519_PUBLIC_KEY_SIZE])
{
	const u8 *r_bytes = sig;
	const u8 *s_bytes = sig + 32;
	ge_p3 a, check;
	u64 s[4], k[4];
	u8 h[SHA512_DIGEST_SIZE];
	u8 r_check[32];
	struct sha512_ctx ctx;

	/* Step 1: S must be canonical (rejects the S + L malleability of RFC 8032 §8.4). */
	if (!sc_is_canonical(s_bytes))
		return 0;
	/* Step 1: A must decode; non-canonical encodings fail in ge_frombytes. */
	if (!ge_frombytes(&a, pub))
		return 0;
	/* Policy beyond RFC 8032: refuse public keys of small order (see tb/ed25519.h). */
	if (ge_has_small_order(&a))
		return 0;

	/* Step 2: k = SHA-512(dom2(F, C) || R || A || PH(M)) mod L; dom2 is empty for Ed25519. */
	sha512_init(&ctx);
	sha512_update(&ctx, r_bytes, 32);
	sha512_update(&ctx, pub, 32);
	sha512_update(&ctx, msg, msg_len);
	sha512_final(&ctx, h);
	sc_reduce512(k, h);
	sc_load(s, s_bytes);

	/* Step 3, cofactorless: R' = [S] B - [k] A must equal R; compare canonical encodings. */
	fe_neg(&a.X, &a.X);
	fe_neg(&a.T, &a.T);
	ge_double_scalarmult_vartime(&check, k, &a, s);
	ge_tobytes(r_check, &check);
	return bytes_equal(r_check, r_bytes, 32);
}
