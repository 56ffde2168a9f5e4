/* Pure decision code: see policy.h. Every input here is hostile: the launch configuration was
 * measured but comes from the untrusted launcher, manifests and images come straight from it. */
#include "policy.h"
#include <tb/sha256.h>
#include <tb/string.h>
#include <tb/ed25519.h>
#include <tb/lms.h>

static u16 get16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }
static u32 get32(const u8 *p) { return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24; }
static u64 get64(const u8 *p) { return (u64)get32(p) | (u64)get32(p + 4) << 32; }
static void put32(u8 *p, u32 v) { p[0] = (u8)v; p[1] = (u8)(v >> 8); p[2] = (u8)(v >> 16); p[3] = (u8)(v >> 24); }

/* Launch configuration (docs/launch-protocol.md): "TBLC", u16 version, u16 N, N signers, u16 L,
 * L bytes command line; nothing may follow. Version 1 signer: 32-byte Ed25519 key, u32 min SV,
 * u32 reserved 0. Version 2 signer: u16 key type (manifest algorithm), u16 key length (32 for
 * Ed25519, 60 for HSS/LMS), u32 min SV, the key. */
const char *launch_config_parse(const u8 *buf, size_t len, struct launch_config *cfg)
{
	tb_memset(cfg, 0, sizeof(*cfg));
	if (len < 8)
		return "launch config: truncated header (offset 0, need 8 bytes)";
	if (tb_memcmp(buf, "TBLC", 4) != 0)
		return "launch config: magic at offset 0 is not TBLC";
	u32 version = get16(buf + 4);
	if (version != 1 && version != 2)
		return "launch config: version at offset 4 is neither 1 nor 2";
	u32 n = get16(buf + 6);
	if (n < 1 || n > LC_MAX_SIGNERS)
		return "launch config: signer count at offset 6 not in 1..16";
	size_t off = 8;
	for (u32 i = 0; i < n; i++) {
		struct lc_signer *s = &cfg->signers[i];
		if (version == 1) {
			if (len - off < LC_SIGNER_SIZE)
				return "launch config: signer list truncated (offset 8)";
			s->alg = MF_ALG_ED25519;
			s->pub_len = 32;
			tb_memcpy(s->pub, buf + off, 32);
			s->min_security_version = get32(buf + off + 32);
			if (get32(buf + off + 36) != 0)
				return "launch config: signer reserved field (offset 8+40i+36) not zero";
			off += LC_SIGNER_SIZE;
		} else {
			if (len - off < LC_SIGNER_HDR_V2)
				return "launch config: signer list truncated (offset 8)";
			s->alg = get16(buf + off);
			s->pub_len = get16(buf + off + 2);
			s->min_security_version = get32(buf + off + 4);
			if (s->alg != MF_ALG_ED25519 && s->alg != MF_ALG_LMS)
				return "launch config: signer key type is neither 1 (Ed25519) nor 2 (HSS/LMS)";
			if (s->pub_len != (s->alg == MF_ALG_ED25519 ? 32 : HSS_PUBLIC_KEY_SIZE))
				return "launch config: signer key length does not match its key type";
			off += LC_SIGNER_HDR_V2;
			if (len - off < s->pub_len)
				return "launch config: signer list truncated (offset 8)";
			tb_memcpy(s->pub, buf + off, s->pub_len);
			off += s->pub_len;
		}
		sha256(s->pub, s->pub_len, s->key_id);
	}
	cfg->nr_signers = n;
	if (len - off < 2)
		return "launch config: command-line length truncated";
	u32 l = get16(buf + off);
	off += 2;
	if (l > LC_MAX_CMDLINE)
		return "launch config: command-line length above 1024";
	if (len - off < l)
		return "launch config: command line truncated";
	if (len - off > l)
		return "launch config: trailing bytes after the command line";
	for (u32 i = 0; i < l; i++) {
		u8 c = buf[off + i];
		if (c < 0x20 || c > 0x7E)
			return "launch config: command line is not printable ASCII";
		cfg->cmdline[i] = (char)c;
	}
	cfg->cmdline[l] = '\0';
	cfg->cmdline_len = l;
	return NULL;
}

int launch_config_has_word(const struct launch_config *cfg, const char *word)
{
	size_t wl = tb_strlen(word);
	const char *p = cfg->cmdline;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		const char *start = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if ((size_t)(p - start) == wl && wl > 0 && tb_memcmp(start, word, wl) == 0)
			return 1;
	}
	return 0;
}

/* Image manifest (docs/launch-protocol.md "Image manifest"): 88 fixed bytes then the signature. */
const char *manifest_parse(const u8 *buf, size_t len, struct manifest *m)
{
	tb_memset(m, 0, sizeof(*m));
	if (len < MF_FIXED_SIZE)
		return "manifest: truncated (shorter than the 88-byte fixed part)";
	if (tb_memcmp(buf, "TBMF", 4) != 0)
		return "manifest: magic at offset 0 is not TBMF";
	m->version = get16(buf + 4);
	if (m->version != 1)
		return "manifest: format version at offset 4 is not 1";
	m->kind = get16(buf + 6);
	if (m->kind != MF_KIND_VMM && m->kind != MF_KIND_GUEST && m->kind != MF_KIND_LINUX)
		return "manifest: unknown image kind at offset 6";
	m->image_len = get64(buf + 8);
	tb_memcpy(m->image_sha256, buf + 16, 32);
	m->security_version = get32(buf + 48);
	m->alg = get16(buf + 52);
	if (m->alg != MF_ALG_ED25519 && m->alg != MF_ALG_LMS)
		return "manifest: unsupported signature algorithm at offset 52";
	m->sig_len = get16(buf + 54);
	if (m->sig_len > MF_MAX_SIG)
		return "manifest: signature length at offset 54 above 8192";
	if (m->alg == MF_ALG_ED25519 && m->sig_len != ED25519_SIGNATURE_SIZE)
		return "manifest: Ed25519 signature length at offset 54 is not 64";
	if (m->sig_len == 0)
		return "manifest: LMS signature length at offset 54 is 0";
	tb_memcpy(m->key_id, buf + 56, 32);
	m->signed_len = MF_FIXED_SIZE;
	if (m->kind == MF_KIND_LINUX) {
		if (len < MF_LINUX_FIXED)
			return "manifest: linux part truncated (offset 88, need 130 bytes)";
		m->initrd_len = get64(buf + 88);
		tb_memcpy(m->initrd_sha256, buf + 96, 32);
		m->cmdline_len = get16(buf + 128);
		if (m->cmdline_len > MF_LINUX_MAX_CMDLINE)
			return "manifest: command-line length at offset 128 above 1024";
		if (len - MF_LINUX_FIXED < m->cmdline_len)
			return "manifest: command line truncated (offset 130)";
		m->cmdline = buf + MF_LINUX_FIXED;
		for (u32 i = 0; i < m->cmdline_len; i++) {
			if (m->cmdline[i] < 0x20 || m->cmdline[i] > 0x7E)
				return "manifest: command line (offset 130) is not printable ASCII";
		}
		m->signed_len = MF_LINUX_FIXED + m->cmdline_len;
	}
	if (len - m->signed_len < m->sig_len)
		return m->kind == MF_KIND_LINUX ? "manifest: signature truncated (after the command line)"
						: "manifest: signature truncated (offset 88)";
	if (len - m->signed_len > m->sig_len)
		return "manifest: trailing bytes after the signature";
	m->sig = buf + m->signed_len;
	return NULL;
}

/* The steps after hashing; returns the refusal reason and sets *detail. For a Linux guest
 * (d->is_linux) the manifest must be of kind linux and bind initrd_len bytes hashed into
 * d->initrd_sha256; the kernel is checked before the initrd at each step. */
static u32 verify_chain(const u8 *mf, size_t mf_len, u64 img_len, u64 initrd_len,
			const struct launch_config *cfg, struct guest_decision *d, const char **detail)
{
	struct manifest m;
	const struct lc_signer *signer = NULL;
	u32 want_kind = d->is_linux ? MF_KIND_LINUX : MF_KIND_GUEST;

	if (mf == NULL)
		return *detail = "no manifest", REFUSE_NO_MANIFEST;
	*detail = manifest_parse(mf, mf_len, &m);
	if (*detail != NULL)
		return REFUSE_MANIFEST_MALFORMED;
	tb_memcpy(d->key_id, m.key_id, 32);
	d->security_version = m.security_version;
	if (d->is_linux && m.kind == MF_KIND_LINUX)
		sha256(m.cmdline, m.cmdline_len, d->cmdline_sha256);
	if (m.kind != want_kind)
		return *detail = d->is_linux ? "manifest kind is not linux" : "manifest kind is not guest",
		       REFUSE_WRONG_KIND;
	if (m.image_len != img_len)
		return *detail = "image length differs from the manifest", REFUSE_LENGTH_MISMATCH;
	if (d->is_linux && m.initrd_len != initrd_len)
		return *detail = "initrd length differs from the manifest", REFUSE_LENGTH_MISMATCH;
	if (!tb_memeq_ct(m.image_sha256, d->image_sha256, 32))
		return *detail = "image SHA-256 differs from the manifest", REFUSE_DIGEST_MISMATCH;
	if (d->is_linux && !tb_memeq_ct(m.initrd_sha256, d->initrd_sha256, 32))
		return *detail = "initrd SHA-256 differs from the manifest", REFUSE_DIGEST_MISMATCH;
	for (u32 i = 0; i < cfg->nr_signers && signer == NULL; i++) {
		if (tb_memeq_ct(cfg->signers[i].key_id, m.key_id, 32))
			signer = &cfg->signers[i];
	}
	if (signer == NULL)
		return *detail = "signer key id not in the launch configuration", REFUSE_UNKNOWN_SIGNER;
	if (m.alg != signer->alg)
		return *detail = "manifest algorithm differs from the signer's key type", REFUSE_BAD_SIGNATURE;
	if (m.alg == MF_ALG_ED25519 && ed25519_verify(m.sig, mf, m.signed_len, signer->pub) != 1)
		return *detail = "Ed25519 signature does not verify", REFUSE_BAD_SIGNATURE;
	if (m.alg == MF_ALG_LMS && hss_verify(m.sig, m.sig_len, mf, m.signed_len, signer->pub, signer->pub_len) != 1)
		return *detail = "LMS signature does not verify", REFUSE_BAD_SIGNATURE;
	if (m.security_version < signer->min_security_version)
		return *detail = "security version below the signer's minimum", REFUSE_ROLLBACK;
	return *detail = "verified", REFUSE_NONE;
}

/* Verification order (vmm/README.md): hash the image, parse the manifest, kind, length, digest,
 * signer key id in the trusted set, algorithm of that signer, Ed25519 or LMS signature, security version against the signer's
 * minimum. The first failing step decides the refusal reason. */
void guest_verify(const u8 *img, u64 img_len, const u8 *mf, size_t mf_len,
		  const struct launch_config *cfg, struct guest_decision *d)
{
	tb_memset(d, 0, sizeof(*d));
	sha256(img, (size_t)img_len, d->image_sha256);
	d->reason = verify_chain(mf, mf_len, img_len, 0, cfg, d, &d->detail);
}

void linux_verify(const u8 *img, u64 img_len, const u8 *initrd, u64 initrd_len, const u8 *mf,
		  size_t mf_len, const struct launch_config *cfg, struct guest_decision *d)
{
	tb_memset(d, 0, sizeof(*d));
	d->is_linux = 1;
	sha256(img, (size_t)img_len, d->image_sha256);
	sha256(initrd, (size_t)initrd_len, d->initrd_sha256);
	d->reason = verify_chain(mf, mf_len, img_len, initrd_len, cfg, d, &d->detail);
}

u32 guest_record_encode(u8 out[GR_LINUX_SIZE], const struct guest_decision *d, const char *name)
{
	u32 size = d->is_linux ? GR_LINUX_SIZE : GR_SIZE;

	tb_memset(out, 0, size);
	tb_memcpy(out, "TBGR", 4);                                  /*  0 magic */
	put32(out + 4, d->is_linux ? 2 : 1);                        /*  4 version */
	put32(out + 8, d->reason == REFUSE_NONE ? GR_LAUNCHED : GR_REFUSED);   /* 8 decision */
	put32(out + 12, d->reason);                                 /* 12 reason */
	tb_memcpy(out + 16, d->image_sha256, 32);                   /* 16 image SHA-256 */
	tb_memcpy(out + 48, d->key_id, 32);                         /* 48 signer key id */
	put32(out + 80, d->security_version);                       /* 80 security version */
	/* 84..95 reserved, zero */
	tb_memcpy(out + 96, name, tb_strnlen(name, 31));            /* 96 name, NUL-padded */
	if (d->is_linux) {
		tb_memcpy(out + 128, d->initrd_sha256, 32);         /* 128 initrd SHA-256 */
		tb_memcpy(out + 160, d->cmdline_sha256, 32);        /* 160 command-line SHA-256 */
	}
	return size;
}

int guest_range_ok(u64 mem_size, u64 gpa, u64 len)
{
	return len <= mem_size && gpa <= mem_size - len;
}

const char *efer_write_refusal(u64 cur, u64 cr0, u64 val, u64 writable)
{
	if (val & EFER_SVME)
		return "attempt to set EFER.SVME";
	if (val & ~writable)
		return "WRMSR EFER refused: reserved bits set";
	if ((cr0 & CR0_PG) && ((val ^ cur) & EFER_LME))
		return "WRMSR EFER refused: LME changed while paging is on";
	return NULL;
}

static int overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	/* Both ranges are known not to wrap: callers check addr + size against 2^64 first. */
	return alen != 0 && blen != 0 && a < b + blen && b < a + alen;
}

static int pool_range_ok(const struct tb_bootinfo *bi, u64 base, u64 size)
{
	int usable = 0;

	for (u32 i = 0; i < bi->nr_mem && i < TB_BOOTINFO_MAX_MEM; i++) {
		const struct tb_mem *e = &bi->mem[i];
		if (e->size > ~0ull - e->addr)
			return 0;
		if (e->type == TB_MEM_USABLE && base >= e->addr && base + size <= e->addr + e->size)
			usable = 1;
		else if (e->type != TB_MEM_USABLE && overlap(base, size, e->addr, e->size))
			return 0;
	}
	for (u32 i = 0; usable && i < bi->nr_modules && i < TB_BOOTINFO_MAX_MODULES; i++) {
		const struct tb_module *m = &bi->modules[i];
		if (m->size > ~0ull - m->addr || overlap(base, size, m->addr, m->size))
			return 0;
	}
	return usable;
}

u64 pool_find(const struct tb_bootinfo *bi, u64 from, u64 size, u64 align, u64 limit)
{
	if (size == 0 || size > limit || align == 0 || (align & (align - 1)) != 0 || from > limit)
		return 0;
	u64 base = (from + align - 1) & ~(align - 1);
	for (; base >= from && base <= limit - size; base += align) {
		if (pool_range_ok(bi, base, size))
			return base;
	}
	return 0;
}

int guest_name_ok(const char name[32])
{
	size_t n = tb_strnlen(name, 32);

	if (n == 0 || n > 31)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

const char *refusal_name(u32 reason)
{
	static const char *const names[] = {
		"none", "no-manifest", "manifest-malformed", "wrong-kind", "length-mismatch",
		"digest-mismatch", "unknown-signer", "bad-signature", "rollback", "image-size",
		"no-memory", "duplicate-name", "bad-kernel",
	};
	return reason < TB_ARRAY_SIZE(names) ? names[reason] : "unknown";
}
