/* SHA-1 (FIPS 180-4 §6.1). Used only for the TPM's SHA-1 PCR bank. */
#ifndef TB_SHA1_H
#define TB_SHA1_H

#include <tb/md_block.h>
#include <tb/types.h>

#define SHA1_DIGEST_SIZE 20
#define SHA1_BLOCK_SIZE  64

struct sha1_ctx {
	u32 h[5];
	struct md_block md;      /* buffered partial block and length */
};

void sha1_init(struct sha1_ctx *ctx);
void sha1_update(struct sha1_ctx *ctx, const void *data, size_t len);
void sha1_final(struct sha1_ctx *ctx, u8 out[SHA1_DIGEST_SIZE]);
void sha1(const void *data, size_t len, u8 out[SHA1_DIGEST_SIZE]);

#endif
