/*
 * libFuzzer target for ed25519_verify. Input layout: signature (64) || public key (32) || message
 * (rest); shorter inputs are zero-padded, so every byte string is a case. Must never crash, read
 * out of bounds or hit undefined behaviour (ASan + UBSan), and must return only 0 or 1. An
 * accepted signature must also carry a canonical S (< L), which the fuzzer checks independently.
 */
#include <tb/ed25519.h>

#include <stdlib.h>
#include <string.h>

/* L, little-endian (RFC 8032 §5.1). */
static const u8 group_order[32] = {
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
};

static int below_order(const u8 s[32])
{
	for (int i = 31; i >= 0; i--) {
		if (s[i] != group_order[i])
			return s[i] < group_order[i];
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 head[96] = { 0 };
	size_t n = size < sizeof(head) ? size : sizeof(head);

	memcpy(head, data, n);
	size_t msg_len = size - n;
	/* A separate heap copy of exactly msg_len bytes, so ASan sees any over-read. */
	u8 *msg = malloc(msg_len ? msg_len : 1);
	if (!msg)
		return 0;
	if (msg_len)
		memcpy(msg, data + n, msg_len);

	int r = ed25519_verify(head, msg_len ? msg : NULL, msg_len, head + 64);
	if (r != 0 && r != 1)
		abort();
	if (r == 1 && !below_order(head + 32))
		abort();
	free(msg);
	return 0;
}
