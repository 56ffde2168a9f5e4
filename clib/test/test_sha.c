/* SHA-1 / SHA-256 tests: FIPS 180-4 example vectors (NIST "Cryptographic Standards and Guidelines:
 * Examples with Intermediate Values"), every length 0..130 against sha1sum/sha256sum run now on the
 * same bytes, every split point of incremental updates, and 1 MiB. */
#include <tb/sha1.h>
#include <tb/sha256.h>
#include <unistd.h>
#include "testutil.h"

struct vector {
	const char *id;
	const char *msg;
	size_t repeat;
	const char *sha1;
	const char *sha256;
};

static const struct vector vectors[] = {
	{ "empty", "", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "448-bit", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "896-bit", "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 1,
	  "a49b2446a02c645bf419f995b67091253a04a259",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ "million-a", "a", 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
	  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

static void run_vector(const struct vector *v)
{
	struct sha1_ctx c1;
	struct sha256_ctx c256;
	unsigned char d1[20], d256[32];
	char h1[41], h256[65];
	size_t len = strlen(v->msg);

	sha1_init(&c1);
	sha256_init(&c256);
	for (size_t i = 0; i < v->repeat; i++) {
		sha1_update(&c1, v->msg, len);
		sha256_update(&c256, v->msg, len);
	}
	sha1_final(&c1, d1);
	sha256_final(&c256, d256);
	to_hex(d1, 20, h1);
	to_hex(d256, 32, h256);
	CHECK(strcmp(h1, v->sha1) == 0, "vector %s sha1 %s", v->id, h1);
	CHECK(strcmp(h256, v->sha256) == 0, "vector %s sha256 %s", v->id, h256);
}

/* Reference digest from the system tool on a file holding exactly these bytes. */
static int tool_digest(const char *tool, const unsigned char *msg, size_t len, char *hex, size_t hexlen)
{
	char path[] = "/tmp/tb-sha-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) return -1;
	if (len && write(fd, msg, len) != (ssize_t)len) { close(fd); unlink(path); return -1; }
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "%s %s", tool, path);
	FILE *f = popen(cmd, "r");
	int ok = f && fread(hex, 1, hexlen, f) == hexlen;
	if (f) pclose(f);
	unlink(path);
	hex[hexlen] = '\0';
	return ok ? 0 : -1;
}

static void fill(unsigned char *buf, size_t len, unsigned seed)
{
	unsigned x = seed * 2654435761u + 1;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
}

static void lengths_against_tools(void)
{
	unsigned char msg[131], d1[20], d256[32];
	char h1[41], h256[65], r1[41], r256[65];

	for (size_t len = 0; len <= 130; len++) {
		fill(msg, len, (unsigned)len);
		sha1(msg, len, d1);
		sha256(msg, len, d256);
		to_hex(d1, 20, h1);
		to_hex(d256, 32, h256);
		CHECK(tool_digest("sha1sum", msg, len, r1, 40) == 0, "sha1sum failed at len %zu", len);
		CHECK(tool_digest("sha256sum", msg, len, r256, 64) == 0, "sha256sum failed at len %zu", len);
		CHECK(strcmp(h1, r1) == 0, "len %zu sha1 %s, sha1sum %s", len, h1, r1);
		CHECK(strcmp(h256, r256) == 0, "len %zu sha256 %s, sha256sum %s", len, h256, r256);
	}
}

static void split_points(void)
{
	unsigned char msg[200], one1[20], one256[32], d1[20], d256[32];

	fill(msg, sizeof(msg), 99);
	sha1(msg, sizeof(msg), one1);
	sha256(msg, sizeof(msg), one256);
	for (size_t a = 0; a <= sizeof(msg); a++) {
		size_t b = a + (sizeof(msg) - a) / 3;
		struct sha1_ctx c1;
		struct sha256_ctx c256;
		sha1_init(&c1);
		sha256_init(&c256);
		sha1_update(&c1, msg, a);
		sha256_update(&c256, msg, a);
		sha1_update(&c1, msg + a, b - a);
		sha256_update(&c256, msg + a, b - a);
		sha1_update(&c1, msg + b, sizeof(msg) - b);
		sha256_update(&c256, msg + b, sizeof(msg) - b);
		sha1_final(&c1, d1);
		sha256_final(&c256, d256);
		CHECK(memcmp(d1, one1, 20) == 0, "sha1 split at %zu/%zu differs", a, b);
		CHECK(memcmp(d256, one256, 32) == 0, "sha256 split at %zu/%zu differs", a, b);
	}
}

static void one_mib(void)
{
	size_t len = 1 << 20;
	unsigned char *msg = malloc(len), d1[20], d256[32];
	char h1[41], h256[65], r1[41], r256[65];

	fill(msg, len, 7);
	sha1(msg, len, d1);
	sha256(msg, len, d256);
	to_hex(d1, 20, h1);
	to_hex(d256, 32, h256);
	CHECK(tool_digest("sha1sum", msg, len, r1, 40) == 0, "sha1sum 1 MiB");
	CHECK(tool_digest("sha256sum", msg, len, r256, 64) == 0, "sha256sum 1 MiB");
	CHECK(strcmp(h1, r1) == 0, "1 MiB sha1 %s vs %s", h1, r1);
	CHECK(strcmp(h256, r256) == 0, "1 MiB sha256 %s vs %s", h256, r256);
	free(msg);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		run_vector(&vectors[i]);
	lengths_against_tools();
	split_points();
	one_mib();
	return test_summary("test_sha");
}
