/* SHA-512 (FIPS 180-4 §6.4). Freestanding: no libc, no heap. */
#ifndef TB_SHA512_H
#define TB_SHA512_H

#include <tb/types.h>

#define SHA512_DIGEST_SIZE 64
#define SHA512_BLOCK_SIZE  128

struct sha512_ctx {
	u64 h[8];
	u64 len;                 /* total bytes hashed (inputs are far below 2^61 bytes) */
	u8 buf[SHA512_BLOCK_SIZE];
	u32 buf_used;
};

void sha512_init(struct sha512_ctx *ctx);
void sha512_update(struct sha512_ctx *ctx, const void *data, size_t len);
/* Writes the digest and wipes the context; call sha512_init before reusing it. */
void sha512_final(struct sha512_ctx *ctx, u8 out[SHA512_DIGEST_SIZE]);
void sha512(const void *data, size_t len, u8 out[SHA512_DIGEST_SIZE]);

#endif
