/* Host unit tests of vmm/src/policy.c: launch configuration and manifest parsing (malformed input
 * built byte by byte), guest-record encoding, hypercall range checks, guest names, the EFER write
 * rule, the VMEXIT_INVALID encodings (vmcb.h) and the verification chain. Failures are collected and reported together.
 *
 *   test_policy                                    all built-in tests
 *   test_policy verify CONFIG IMAGE MANIFEST|- REASON
 *       runs guest_verify on real files (signed by openssl or `trustbit image sign`, see
 *       signed-manifests.sh) and checks the refusal reason (0 = launch).
 *   test_policy verify-linux CONFIG KERNEL MANIFEST|- REASON INITRD
 *       the same with linux_verify for a Linux guest. */
#include "policy.h"
#include "vmcb.h"
#include <tb/sha256.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"


/* ---- manifests ---- */

/* A well-formed 152-byte manifest for a 1000-byte image (signature bytes arbitrary). */
static size_t make_manifest(u8 *m)
{
	memset(m, 0, 152);
	memcpy(m, "TBMF", 4);              /*  0 magic */
	put16(m + 4, 1);                   /*  4 version */
	put16(m + 6, MF_KIND_GUEST);       /*  6 kind */
	put64(m + 8, 1000);                /*  8 image length */
	memset(m + 16, 0xAA, 32);          /* 16 SHA-256 */
	put32(m + 48, 7);                  /* 48 security version */
	put16(m + 52, MF_ALG_ED25519);     /* 52 algorithm */
	put16(m + 54, 64);                 /* 54 signature length */
	memset(m + 56, 0xBB, 32);          /* 56 key id */
	memset(m + 88, 0xCC, 64);          /* 88 signature */
	return 152;
}

static void test_manifest(void)
{
	u8 m[8400], buf[8400];
	struct manifest mf;
	size_t n = make_manifest(m);
	const char *err;

	err = manifest_parse(m, n, &mf);
	CHECK(err == NULL, "valid manifest refused: %s", err);
	CHECK(mf.kind == MF_KIND_GUEST && mf.image_len == 1000 && mf.security_version == 7 &&
	      mf.sig_len == 64 && mf.sig == m + 88 && mf.key_id[0] == 0xBB && mf.image_sha256[31] == 0xAA,
	      "fields of the valid manifest");

	/* Every truncation fails, naming what is missing. */
	for (size_t len = 0; len < n; len++) {
		err = manifest_parse(m, len, &mf);
		CHECK(err != NULL, "truncated to %zu bytes accepted", len);
		CHECK(contains(err, len < 88 ? "shorter than the 88-byte" : "signature truncated"),
		      "truncated to %zu: %s", len, err);
	}
	/* Trailing bytes. */
	memcpy(buf, m, n);
	buf[n] = 0;
	CHECK(contains(manifest_parse(buf, n + 1, &mf), "trailing"), "one trailing byte accepted");
	/* Magic: every byte. */
	for (int i = 0; i < 4; i++) {
		memcpy(buf, m, n);
		buf[i] ^= 0x20;
		CHECK(contains(manifest_parse(buf, n, &mf), "magic at offset 0"), "magic byte %d", i);
	}
	/* Version, kind, algorithm, signature length. */
	static const u16 bad_versions[] = { 0, 2, 0x100, 0xFFFF };
	for (size_t i = 0; i < 4; i++) {
		memcpy(buf, m, n);
		put16(buf + 4, bad_versions[i]);
		CHECK(contains(manifest_parse(buf, n, &mf), "version at offset 4"), "version %u", bad_versions[i]);
	}
	static const u16 bad_kinds[] = { 0, 4, 0x200, 0xFFFF };
	for (size_t i = 0; i < 4; i++) {
		memcpy(buf, m, n);
		put16(buf + 6, bad_kinds[i]);
		CHECK(contains(manifest_parse(buf, n, &mf), "kind at offset 6"), "kind %u", bad_kinds[i]);
	}
	memcpy(buf, m, n);
	put16(buf + 6, MF_KIND_VMM);
	CHECK(manifest_parse(buf, n, &mf) == NULL && mf.kind == MF_KIND_VMM, "kind vmm parses (refused later)");
	static const u16 bad_algs[] = { 0, 3, 4, 0x100 };
	for (size_t i = 0; i < 4; i++) {
		memcpy(buf, m, n);
		put16(buf + 52, bad_algs[i]);
		CHECK(contains(manifest_parse(buf, n, &mf), "algorithm at offset 52"), "alg %u", bad_algs[i]);
	}
	static const u16 bad_sig_lens[] = { 0, 1, 63, 65, 128, 8192 };
	for (size_t i = 0; i < 6; i++) {
		memset(buf, 0, sizeof(buf));
		memcpy(buf, m, 88);
		put16(buf + 54, bad_sig_lens[i]);
		err = manifest_parse(buf, 88 + bad_sig_lens[i], &mf);
		CHECK(contains(err, "offset 54"), "sig length %u: %s", bad_sig_lens[i], err);
	}
	memcpy(buf, m, 88);
	put16(buf + 54, 8193);
	CHECK(contains(manifest_parse(buf, 88 + 8193, &mf), "above 8192"), "sig length 8193");
	/* LMS: any length 1..8192 parses (hss_verify checks it against the parameter set); 0 does not. */
	static const u16 lms_lens[] = { 0, 1, 2508, 8192, 8193 };
	for (size_t i = 0; i < 5; i++) {
		memset(buf, 0, sizeof(buf));
		memcpy(buf, m, 88);
		put16(buf + 52, MF_ALG_LMS);
		put16(buf + 54, lms_lens[i]);
		err = manifest_parse(buf, 88 + lms_lens[i], &mf);
		CHECK((err == NULL) == (lms_lens[i] >= 1 && lms_lens[i] <= 8192), "LMS sig length %u: %s", lms_lens[i], err);
	}
	/* Semantic fields never make the parse fail. */
	for (size_t off = 8; off < n; off++) {
		if (off >= 52 && off < 56)
			continue;
		memcpy(buf, m, n);
		buf[off] ^= 0xFF;
		CHECK(manifest_parse(buf, n, &mf) == NULL, "byte %zu flipped refused by the parser", off);
	}
}

/* ---- launch configuration ---- */

static size_t make_config(u8 *c, u32 nsigners, const char *cmdline)
{
	size_t off = 8, l = strlen(cmdline);

	memcpy(c, "TBLC", 4);
	put16(c + 4, 1);
	put16(c + 6, (u16)nsigners);
	for (u32 i = 0; i < nsigners; i++, off += 40) {
		memset(c + off, (int)(0x10 + i), 32);   /* public key */
		put32(c + off + 32, 100 + i);           /* minimum security version */
		put32(c + off + 36, 0);                 /* reserved */
	}
	put16(c + off, (u16)l);
	memcpy(c + off + 2, cmdline, l);
	return off + 2 + l;
}

static void test_launch_config(void)
{
	static u8 c[8192], buf[8192];
	static struct launch_config cfg;
	size_t n = make_config(c, 2, "console harness");
	const char *err = launch_config_parse(c, n, &cfg);
	u8 id[32];

	CHECK(err == NULL, "valid config refused: %s", err);
	sha256(c + 48, 32, id);
	CHECK(cfg.nr_signers == 2 && cfg.signers[1].min_security_version == 101 &&
	      memcmp(cfg.signers[1].key_id, id, 32) == 0 && strcmp(cfg.cmdline, "console harness") == 0,
	      "fields of the valid config");
	CHECK(launch_config_has_word(&cfg, "harness") && launch_config_has_word(&cfg, "console") &&
	      !launch_config_has_word(&cfg, "harn") && !launch_config_has_word(&cfg, ""),
	      "command-line words");
	for (size_t len = 0; len < n; len++)
		CHECK(launch_config_parse(c, len, &cfg) != NULL, "config truncated to %zu accepted", len);
	memcpy(buf, c, n);
	CHECK(contains(launch_config_parse(buf, n + 1, &cfg), "trailing"), "trailing byte accepted");
	buf[0] = 'X';
	CHECK(contains(launch_config_parse(buf, n, &cfg), "magic"), "bad magic accepted");
	memcpy(buf, c, n);
	put16(buf + 4, 3);
	CHECK(contains(launch_config_parse(buf, n, &cfg), "version"), "version 3 accepted");
	n = make_config(buf, 0, "");
	CHECK(contains(launch_config_parse(buf, n, &cfg), "signer count"), "0 signers accepted");
	n = make_config(buf, 17, "");
	CHECK(contains(launch_config_parse(buf, n, &cfg), "signer count"), "17 signers accepted");
	n = make_config(buf, 16, "");
	CHECK(launch_config_parse(buf, n, &cfg) == NULL && cfg.nr_signers == 16, "16 signers refused");
	n = make_config(buf, 1, "x");
	put32(buf + 8 + 36, 1);
	CHECK(contains(launch_config_parse(buf, n, &cfg), "reserved"), "nonzero reserved accepted");
	n = make_config(buf, 1, "a\tb");
	CHECK(contains(launch_config_parse(buf, n, &cfg), "printable"), "tab in command line accepted");
	char longline[1026];
	memset(longline, 'a', 1025);
	longline[1025] = '\0';
	n = make_config(buf, 1, longline);
	CHECK(contains(launch_config_parse(buf, n, &cfg), "above 1024"), "1025-byte command line accepted");
	longline[1024] = '\0';
	n = make_config(buf, 1, longline);
	CHECK(launch_config_parse(buf, n, &cfg) == NULL && cfg.cmdline_len == 1024, "1024-byte line refused");
}

/* Version 2: an Ed25519 signer and an HSS/LMS signer (60-byte key). */
static size_t make_config_v2(u8 *c)
{
	memcpy(c, "TBLC", 4);
	put16(c + 4, 2);
	put16(c + 6, 2);
	put16(c + 8, MF_ALG_ED25519);        /*  8 key type */
	put16(c + 10, 32);                   /* 10 key length */
	put32(c + 12, 3);                    /* 12 minimum security version */
	memset(c + 16, 0x41, 32);            /* 16 Ed25519 key */
	put16(c + 48, MF_ALG_LMS);           /* 48 key type */
	put16(c + 50, 60);                   /* 50 key length */
	put32(c + 52, 4);                    /* 52 minimum security version */
	memset(c + 56, 0x42, 60);            /* 56 HSS/LMS key */
	put16(c + 116, 0);                   /* 116 command-line length */
	return 118;
}

static void test_launch_config_v2(void)
{
	static u8 c[256], buf[256];
	static struct launch_config cfg;
	size_t n = make_config_v2(c);
	const char *err = launch_config_parse(c, n, &cfg);
	u8 id[32];

	sha256(c + 56, 60, id);
	CHECK(err == NULL, "valid version-2 config refused: %s", err);
	CHECK(cfg.nr_signers == 2 && cfg.signers[0].alg == MF_ALG_ED25519 && cfg.signers[0].pub_len == 32 &&
	      cfg.signers[1].alg == MF_ALG_LMS && cfg.signers[1].pub_len == 60 &&
	      cfg.signers[1].min_security_version == 4 && memcmp(cfg.signers[1].key_id, id, 32) == 0,
	      "fields of the version-2 config");
	for (size_t len = 0; len < n; len++)
		CHECK(launch_config_parse(c, len, &cfg) != NULL, "v2 config truncated to %zu accepted", len);
	memcpy(buf, c, n);
	put16(buf + 48, 3);
	CHECK(contains(launch_config_parse(buf, n, &cfg), "key type"), "key type 3 accepted");
	memcpy(buf, c, n);
	put16(buf + 50, 56);
	CHECK(contains(launch_config_parse(buf, n, &cfg), "key length"), "LMS key length 56 accepted");
	memcpy(buf, c, n);
	put16(buf + 10, 60);
	CHECK(contains(launch_config_parse(buf, n, &cfg), "key length"), "Ed25519 key length 60 accepted");
}

/* ---- guest record ---- */

static void test_record(void)
{
	struct guest_decision d;
	u8 r[GR_LINUX_SIZE], want[GR_LINUX_SIZE];

	memset(&d, 0, sizeof(d));
	d.reason = REFUSE_ROLLBACK;
	memset(d.image_sha256, 0x11, 32);
	memset(d.key_id, 0x22, 32);
	d.security_version = 0x01020304;
	guest_record_encode(r, &d, "esc-vmrun");

	memset(want, 0, sizeof(want));
	memcpy(want, "TBGR", 4);                          /*  0 magic */
	want[4] = 1;                                      /*  4 version */
	want[8] = 2;                                      /*  8 decision: refused */
	want[12] = 8;                                     /* 12 reason: rollback */
	memset(want + 16, 0x11, 32);                      /* 16 image SHA-256 */
	memset(want + 48, 0x22, 32);                      /* 48 key id */
	want[80] = 4; want[81] = 3; want[82] = 2; want[83] = 1;   /* 80 security version */
	memcpy(want + 96, "esc-vmrun", 9);                /* 96 name, NUL-padded */
	CHECK(guest_record_encode(r, &d, "esc-vmrun") == GR_SIZE && memcmp(r, want, GR_SIZE) == 0,
	      "refused record layout");

	d.reason = REFUSE_NONE;
	guest_record_encode(r, &d, "abcdefghijklmnopqrstuvwxyz01234");   /* 31 characters */
	CHECK(r[8] == 1 && r[12] == 0 && memcmp(r + 96, "abcdefghijklmnopqrstuvwxyz01234", 31) == 0 &&
	      r[127] == 0, "launched record, longest name");

	/* Version 2 (Linux): the same 128 bytes with version 2, then initrd and command-line digests. */
	d.is_linux = 1;
	memset(d.initrd_sha256, 0x33, 32);
	memset(d.cmdline_sha256, 0x44, 32);
	CHECK(guest_record_encode(r, &d, "lx") == GR_LINUX_SIZE, "linux record size");
	memset(want, 0, sizeof(want));
	memcpy(want, "TBGR", 4);                          /*   0 magic */
	want[4] = 2;                                      /*   4 version 2 */
	want[8] = 1;                                      /*   8 decision: launched */
	memset(want + 16, 0x11, 32);                      /*  16 kernel SHA-256 */
	memset(want + 48, 0x22, 32);                      /*  48 key id */
	want[80] = 4; want[81] = 3; want[82] = 2; want[83] = 1;   /* 80 security version */
	memcpy(want + 96, "lx", 2);                       /*  96 name */
	memset(want + 128, 0x33, 32);                     /* 128 initrd SHA-256 */
	memset(want + 160, 0x44, 32);                     /* 160 command-line SHA-256 */
	CHECK(memcmp(r, want, GR_LINUX_SIZE) == 0, "linux record layout");
}

/* ---- Linux manifests (kind 3) ---- */

/* A well-formed kind-3 manifest: kernel 5000 bytes, initrd 3000 bytes, command line `cl`. */
static size_t make_linux_manifest(u8 *m, const char *cl)
{
	size_t l = strlen(cl);

	make_manifest(m);
	put16(m + 6, MF_KIND_LINUX);       /*   6 kind linux */
	put64(m + 8, 5000);                /*   8 kernel length */
	put64(m + 88, 3000);               /*  88 initrd length */
	memset(m + 96, 0xDD, 32);          /*  96 initrd SHA-256 */
	put16(m + 128, (u16)l);            /* 128 command-line length */
	memcpy(m + 130, cl, l);            /* 130 command line */
	memset(m + 130 + l, 0xCC, 64);     /* signature */
	return 130 + l + 64;
}

static void test_linux_manifest(void)
{
	u8 m[8400], buf[8400];
	struct manifest mf;
	size_t n = make_linux_manifest(m, "console=ttyS0 quiet");
	const char *err = manifest_parse(m, n, &mf);

	CHECK(err == NULL, "valid linux manifest refused: %s", err);
	CHECK(mf.kind == MF_KIND_LINUX && mf.initrd_len == 3000 && mf.initrd_sha256[0] == 0xDD &&
	      mf.cmdline_len == 19 && memcmp(mf.cmdline, "console=ttyS0 quiet", 19) == 0 &&
	      mf.signed_len == 149 && mf.sig == m + 149, "fields of the linux manifest");
	for (size_t len = 0; len < n; len++)
		CHECK(manifest_parse(m, len, &mf) != NULL, "linux manifest truncated to %zu accepted", len);
	CHECK(contains(manifest_parse(m, 129, &mf), "linux part truncated"), "cut in the linux part");
	CHECK(contains(manifest_parse(m, 140, &mf), "command line truncated"), "cut in the command line");
	CHECK(contains(manifest_parse(m, 149, &mf), "signature truncated"), "cut before the signature");
	memcpy(buf, m, n);
	buf[n] = 0;
	CHECK(contains(manifest_parse(buf, n + 1, &mf), "trailing"), "trailing byte after a linux manifest");
	memcpy(buf, m, n);
	buf[135] = '\t';
	CHECK(contains(manifest_parse(buf, n, &mf), "printable"), "tab in the command line accepted");
	buf[135] = 0x7F;
	CHECK(contains(manifest_parse(buf, n, &mf), "printable"), "DEL in the command line accepted");
	memcpy(buf, m, n);
	put16(buf + 128, 1025);
	CHECK(contains(manifest_parse(buf, n, &mf), "above 1024"), "1025-byte command line accepted");
	/* The longest command line and an empty one parse. */
	char longest[1025];
	memset(longest, 'a', 1024);
	longest[1024] = '\0';
	n = make_linux_manifest(m, longest);
	CHECK(manifest_parse(m, n, &mf) == NULL && mf.cmdline_len == 1024, "1024-byte command line refused");
	n = make_linux_manifest(m, "");
	CHECK(manifest_parse(m, n, &mf) == NULL && mf.signed_len == 130, "empty command line refused");
}

/* ---- hypercall ranges, names ---- */

static void test_ranges(void)
{
	const u64 mem = 0x400000, max = ~0ull;
	struct { u64 gpa, len; int ok; } cases[] = {
		{ 0, mem, 1 }, { 0, 0, 1 }, { mem, 0, 1 }, { mem - 1, 1, 1 }, { 0x100000, 4096, 1 },
		{ 1, mem, 0 }, { mem, 1, 0 }, { mem + 1, 0, 0 }, { mem - 1, 2, 0 }, { 0, mem + 1, 0 },
		{ 0xFFFFF000, 0x2000, 0 }, { max, 2, 0 }, { max - 1, 2, 0 }, { 2, max, 0 },
		{ max, 0, 0 }, { 0x100000, max - 0xFFFFF, 0 }, { 0xFED40000, 16, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(guest_range_ok(mem, cases[i].gpa, cases[i].len) == cases[i].ok,
		      "range gpa 0x%llx len 0x%llx", (unsigned long long)cases[i].gpa,
		      (unsigned long long)cases[i].len);

	char name[32];
	struct { const char *s; int ok; } names[] = {
		{ "hello", 1 }, { "tpm-proxy", 1 }, { "a_b-9", 1 }, { "abcdefghijklmnopqrstuvwxyz01234", 1 },
		{ "", 0 }, { "Hello", 0 }, { "a b", 0 }, { "a/b", 0 }, { "a.b", 0 },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(name, 0, sizeof(name));
		memcpy(name, names[i].s, strlen(names[i].s));
		CHECK(guest_name_ok(name) == names[i].ok, "name '%s'", names[i].s);
	}
	memset(name, 'a', 32);                 /* no NUL inside the field */
	CHECK(!guest_name_ok(name), "32-character name without NUL accepted");
}

/* ---- guest pool ---- */

static void test_pool(void)
{
	static struct tb_bootinfo bi;
	const u64 mib = 0x100000, g4 = 0x100000000ull, pool = 0x04000000;

	memset(&bi, 0, sizeof(bi));
	bi.nr_mem = 1;
	bi.mem[0] = (struct tb_mem){ mib, 0x20000000, TB_MEM_USABLE, 0 };
	CHECK(pool_find(&bi, pool, 4 * mib, 2 * mib, g4) == pool, "plain usable RAM");
	CHECK(pool_find(&bi, pool + 1, 4 * mib, 2 * mib, g4) == pool + 2 * mib, "unaligned start rounds up");
	CHECK(pool_find(&bi, 0x20000000, 4 * mib, 2 * mib, g4) == 0, "beyond the usable entry");
	CHECK(pool_find(&bi, pool, 4 * mib, 3 * mib, g4) == 0, "alignment not a power of two");
	CHECK(pool_find(&bi, pool, 0, 2 * mib, g4) == 0, "size 0");
	CHECK(pool_find(&bi, g4 - 2 * mib, 4 * mib, 2 * mib, g4) == 0, "range would cross the limit");
	CHECK(pool_find(&bi, ~0ull - mib, 4 * mib, 2 * mib, ~0ull) == 0, "start near 2^64 does not wrap");

	bi.nr_modules = 1;                             /* a module inside the first candidate */
	bi.modules[0] = (struct tb_module){ pool + mib, 0x1000, TB_MODULE_GUEST, 0, "a" };
	CHECK(pool_find(&bi, pool, 4 * mib, 2 * mib, g4) == pool + 2 * mib, "skips a module");
	bi.modules[0].addr = ~0ull - 0xFFF;            /* a module whose end wraps: fail closed */
	bi.modules[0].size = 0x2000;
	CHECK(pool_find(&bi, pool, 4 * mib, 2 * mib, g4) == 0, "wrapping module");
	bi.nr_modules = 0;

	bi.nr_mem = 2;                                 /* a reserved hole inside usable RAM */
	bi.mem[1] = (struct tb_mem){ pool + 3 * mib, 0x1000, TB_MEM_RESERVED, 0 };
	CHECK(pool_find(&bi, pool, 4 * mib, 2 * mib, g4) == pool + 4 * mib, "skips a reserved entry");
	bi.mem[0] = (struct tb_mem){ pool, 3 * mib, TB_MEM_USABLE, 0 };      /* two adjacent entries */
	bi.mem[1] = (struct tb_mem){ pool + 3 * mib, 0x10000000, TB_MEM_USABLE, 0 };
	CHECK(pool_find(&bi, pool, 4 * mib, 2 * mib, g4) == pool + 4 * mib, "range must lie in one entry");
	bi.mem[1] = (struct tb_mem){ ~0ull - 0xFFF, 0x2000, TB_MEM_USABLE, 0 };
	CHECK(pool_find(&bi, pool, 2 * mib, 2 * mib, g4) == 0, "wrapping memory-map entry");
}

/* ---- verification chain without valid signatures (the signed cases: signed-manifests.sh) ---- */

static void test_verify_unsigned(void)
{
	static u8 img[1000], m[152];
	static struct launch_config cfg;
	struct guest_decision d;
	u8 cfgbuf[64];
	size_t n = make_config(cfgbuf, 1, "");

	CHECK(launch_config_parse(cfgbuf, n, &cfg) == NULL, "config");
	memset(img, 0x5A, sizeof(img));
	make_manifest(m);
	sha256(img, sizeof(img), m + 16);
	memcpy(m + 56, cfg.signers[0].key_id, 32);

	guest_verify(img, sizeof(img), NULL, 0, &cfg, &d);
	u8 h[32];
	sha256(img, sizeof(img), h);
	CHECK(d.reason == REFUSE_NO_MANIFEST && memcmp(d.image_sha256, h, 32) == 0 &&
	      d.security_version == 0 && d.key_id[0] == 0, "no manifest: reason %u", d.reason);
	guest_verify(img, sizeof(img), m, 151, &cfg, &d);
	CHECK(d.reason == REFUSE_MANIFEST_MALFORMED && d.key_id[0] == 0 && d.security_version == 0,
	      "malformed: reason %u, key id and version stay zero", d.reason);
	put16(m + 6, MF_KIND_VMM);
	guest_verify(img, sizeof(img), m, 152, &cfg, &d);
	CHECK(d.reason == REFUSE_WRONG_KIND && d.security_version == 7 &&
	      memcmp(d.key_id, cfg.signers[0].key_id, 32) == 0, "wrong kind: reason %u", d.reason);
	put16(m + 6, MF_KIND_GUEST);
	guest_verify(img, sizeof(img) - 1, m, 152, &cfg, &d);
	CHECK(d.reason == REFUSE_LENGTH_MISMATCH, "length: reason %u", d.reason);
	img[500] ^= 1;
	guest_verify(img, sizeof(img), m, 152, &cfg, &d);
	CHECK(d.reason == REFUSE_DIGEST_MISMATCH, "digest: reason %u", d.reason);
	img[500] ^= 1;
	m[56] ^= 1;
	guest_verify(img, sizeof(img), m, 152, &cfg, &d);
	CHECK(d.reason == REFUSE_UNKNOWN_SIGNER, "signer: reason %u", d.reason);
	m[56] ^= 1;
	guest_verify(img, sizeof(img), m, 152, &cfg, &d);
	CHECK(d.reason == REFUSE_BAD_SIGNATURE, "garbage signature: reason %u", d.reason);
}

/* ---- file mode ---- */

static u8 *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	static u8 empty[1];
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	u8 *p = n > 0 ? malloc((size_t)n) : empty;
	if (n > 0 && fread(p, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(2);
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* argv: CONFIG IMAGE MANIFEST|- REASON, or with `initrd` set CONFIG KERNEL MANIFEST|- REASON and
 * the initrd file (linux_verify). */
static int verify_files(char **argv, const char *initrd)
{
	static struct launch_config cfg;
	struct guest_decision d;
	size_t clen, ilen, mlen = 0, rlen = 0;
	u8 *c = read_file(argv[0], &clen), *img = read_file(argv[1], &ilen), *m = NULL, *rd = NULL;
	const char *err = launch_config_parse(c, clen, &cfg);

	if (err != NULL) {
		fprintf(stderr, "FAIL %s: %s\n", argv[0], err);
		return 1;
	}
	if (strcmp(argv[2], "-") != 0)
		m = read_file(argv[2], &mlen);
	if (initrd != NULL) {
		rd = read_file(initrd, &rlen);
		linux_verify(img, ilen, rd, rlen, m, mlen, &cfg, &d);
		if (rlen > 0)
			free(rd);
	} else {
		guest_verify(img, ilen, m, mlen, &cfg, &d);
	}
	if (clen > 0)
		free(c);
	if (ilen > 0)
		free(img);
	if (m != NULL && mlen > 0)
		free(m);
	unsigned want = (unsigned)strtoul(argv[3], NULL, 0);
	if (d.reason != want) {
		fprintf(stderr, "FAIL verify %s %s: reason %u (%s: %s), expected %u\n", argv[1], argv[2],
			d.reason, refusal_name(d.reason), d.detail, want);
		return 1;
	}
	printf("ok   verify %s: %s\n", argv[2], refusal_name(d.reason));
	return 0;
}

/* EFER writes (APM vol. 2 §3.1.7): what the CPU refuses with #GP is refused, the rest accepted. */
static void test_efer(void)
{
	const u64 w = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE, wnx = EFER_SCE | EFER_LME | EFER_LMA;
	const u64 pg = CR0_PG | 0x11, nopg = 0x11, lma = EFER_SVME | EFER_LME | EFER_LMA;
	struct { u64 cur, cr0, val, writable; const char *why; } cases[] = {
		{ EFER_SVME, nopg, 0, w, NULL },
		{ EFER_SVME, nopg, EFER_LME | EFER_SCE | EFER_NXE, w, NULL },       /* LME before paging */
		{ EFER_SVME | EFER_LME, pg, EFER_LME | EFER_NXE, w, NULL },         /* LME unchanged */
		{ lma, pg | (1ull << 5), EFER_LME | EFER_LMA | EFER_SCE, w, NULL },  /* long mode, SCE */
		{ EFER_SVME, pg, EFER_SCE, w, NULL },                               /* 32-bit paging */
		{ lma, pg, EFER_LME, w, NULL },            /* LMA written 0: kept by the caller */
		{ EFER_SVME, pg, EFER_LME, w, "LME changed while paging is on" },
		{ lma, pg, EFER_LMA, w, "LME changed while paging is on" },
		{ EFER_SVME, nopg, EFER_SVME, w, "SVME" },
		{ EFER_SVME, pg, EFER_SVME | EFER_LME, w, "SVME" },
		{ EFER_SVME, nopg, 1ull << 1, w, "reserved bits" },
		{ EFER_SVME, nopg, 1ull << 9, w, "reserved bits" },
		{ EFER_SVME, nopg, 1ull << 13, w, "reserved bits" },                /* LMSLE */
		{ EFER_SVME, nopg, 1ull << 14, w, "reserved bits" },                /* FFXSR */
		{ EFER_SVME, nopg, 1ull << 63, w, "reserved bits" },
		{ EFER_SVME, nopg, EFER_NXE, wnx, "reserved bits" },                /* no NX */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = efer_write_refusal(cases[i].cur, cases[i].cr0, cases[i].val, cases[i].writable);
		CHECK(cases[i].why == NULL ? why == NULL : contains(why, cases[i].why),
		      "EFER case %zu: write 0x%llx over 0x%llx, CR0 0x%llx: %s", i,
		      (unsigned long long)cases[i].val, (unsigned long long)cases[i].cur,
		      (unsigned long long)cases[i].cr0, why ? why : "accepted");
	}
	CHECK(vmexit_is_invalid(~0ull), "VMEXIT_INVALID as hardware writes it (-1)");
	CHECK(vmexit_is_invalid(0xFFFFFFFFull), "VMEXIT_INVALID as QEMU writes it (32-bit -1)");
	CHECK(!vmexit_is_invalid(0xFFFFFFFEull) && !vmexit_is_invalid(~1ull) && !vmexit_is_invalid(0x81) &&
	      !vmexit_is_invalid(0x400) && !vmexit_is_invalid(0x1FFFFFFFFull), "other exit codes are not VMEXIT_INVALID");
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "verify") == 0)
		return verify_files(argv + 2, NULL);
	if (argc == 7 && strcmp(argv[1], "verify-linux") == 0)
		return verify_files(argv + 2, argv[6]);
	test_manifest();
	test_launch_config();
	test_launch_config_v2();
	test_record();
	test_linux_manifest();
	test_ranges();
	test_efer();
	test_pool();
	test_verify_unsigned();
	printf("test_policy: %d checks, %d failures\n", checks, failures);
	return failures != 0;
}
