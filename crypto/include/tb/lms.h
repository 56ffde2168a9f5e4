/* HSS/LMS hash-based signature verification (RFC 8554) for the NIST SP 800-208 SHA-256/192-bit-free
 * parameter sets: LMS_SHA256_M32_H5/H10/H15/H20/H25 with LMOTS_SHA256_N32_W1/W2/W4/W8. Freestanding:
 * no libc, no heap, SHA-256 from clib, under 1 KiB of stack. Verification handles only public data. */
#ifndef TB_LMS_H
#define TB_LMS_H

#include <tb/types.h>

#define HSS_MAX_LEVELS     8u
/* u32 L, u32 LMS type, u32 LM-OTS type, I[16], T[1][32] (RFC 8554 §6.1 hss_public_key). */
#define HSS_PUBLIC_KEY_SIZE 60u

/*
 * Returns 1 if sig is a valid HSS signature (RFC 8554 §6.3, Algorithm 7) of msg[0, msg_len) under the
 * HSS public key pub[0, pub_len), 0 otherwise. Every length inside sig is checked against sig_len;
 * parameter sets outside the table above, L outside 1..8, a signature's L-1 differing from the
 * key's, and trailing bytes are rejected.
 */
int hss_verify(const u8 *sig, size_t sig_len, const u8 *msg, size_t msg_len, const u8 *pub, size_t pub_len);

#endif
