/* SHA-256 (FIPS 180-4 §6.2). */
#ifndef TB_SHA256_H
#define TB_SHA256_H

#include <tb/md_block.h>
#include <tb/types.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE  64

struct sha256_ctx {
	u32 h[8];
	struct md_block md;      /* buffered partial block and length */
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
void sha256_final(struct sha256_ctx *ctx, u8 out[SHA256_DIGEST_SIZE]);
void sha256(const void *data, size_t len, u8 out[SHA256_DIGEST_SIZE]);

#endif
