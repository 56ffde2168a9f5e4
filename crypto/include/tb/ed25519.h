/* Ed25519 signature verification (RFC 8032 §5.1.7). Freestanding: no libc, no heap; uses about
 * 5.5 KiB of stack (gcc -O2, x86-64). Verification handles only public data, so the code is not
 * constant-time. */
#ifndef TB_ED25519_H
#define TB_ED25519_H

#include <tb/types.h>

#define ED25519_PUBLIC_KEY_SIZE 32
#define ED25519_SIGNATURE_SIZE  64

/*
 * Returns 1 if sig = R || S is a valid signature of msg[0, msg_len) under pub, 0 otherwise.
 *
 * Strict and cofactorless: checks [S]B = R + [k]A with k = SHA-512(R || A || msg) mod L, and rejects
 *  - S >= L (non-canonical scalar; RFC 8032 §5.1.7 step 1, §8.4 malleability),
 *  - encodings of A or R with y >= p, or with x = 0 and the sign bit set (non-canonical points),
 *  - encodings that are not on the curve,
 *  - a public key A of small order (8·A = identity): such a key verifies forged signatures for
 *    many messages; no honest key has small order. Wycheproof's ed25519 vectors contain no valid
 *    case with such a key.
 * A signature whose R has small order but is otherwise correct is accepted, as RFC 8032 requires.
 * The caller checks the signature length (64) before calling; sig, msg (if msg_len > 0) and pub
 * must be readable.
 */
int ed25519_verify(const u8 sig[ED25519_SIGNATURE_SIZE], const u8 *msg, size_t msg_len,
		   const u8 pub[ED25519_PUBLIC_KEY_SIZE]);

#endif
