/* Pure decision code of the VMM: parsing of the launch configuration and of image manifests, the
 * guest verification chain, guest-record encoding and hypercall argument checks. No hardware
 * access, so the same files are compiled into the host unit tests (vmm/test). Formats:
 * docs/launch-protocol.md "Launch configuration blob", "Image manifest", "Measurements". */
#ifndef VMM_POLICY_H
#define VMM_POLICY_H

#include <tb/types.h>
#include <tb/bootinfo.h>

#define LC_MAX_SIGNERS      16u
#define LC_MAX_CMDLINE      1024u
#define LC_SIGNER_SIZE      40u     /* version 1: Ed25519 key, min SV, reserved */
#define LC_SIGNER_HDR_V2    8u      /* version 2: u16 key type, u16 key length, u32 min SV, then the key */
#define LC_MAX_KEY          60u     /* an HSS/LMS public key (RFC 8554 §6.1, L = 1) */

#define MF_FIXED_SIZE       88u     /* signed part of vmm/guest manifests: bytes [0, 88) */
#define MF_LINUX_FIXED      130u    /* linux manifests: + initrd length, SHA-256, cmdline length */
#define MF_LINUX_MAX_CMDLINE 1024u
#define MF_MAX_SIG          8192u
#define MF_MAX_SIZE         (MF_LINUX_FIXED + MF_LINUX_MAX_CMDLINE + MF_MAX_SIG)
#define MF_KIND_VMM         1u
#define MF_KIND_GUEST       2u
#define MF_KIND_LINUX       3u
#define MF_ALG_ED25519      1u
#define MF_ALG_LMS          2u      /* HSS/LMS, RFC 8554, SHA-256 parameter sets */

#define GR_SIZE             128u    /* record version 1: flat guests */
#define GR_LINUX_SIZE       192u    /* record version 2: Linux guests (+ initrd, command line) */
#define GR_LAUNCHED         1u
#define GR_REFUSED          2u

/* Refusal reasons, recorded in the guest record (offset 12). Listed in vmm/README.md. */
enum refusal {
	REFUSE_NONE = 0,
	REFUSE_NO_MANIFEST = 1,
	REFUSE_MANIFEST_MALFORMED = 2,
	REFUSE_WRONG_KIND = 3,
	REFUSE_LENGTH_MISMATCH = 4,
	REFUSE_DIGEST_MISMATCH = 5,
	REFUSE_UNKNOWN_SIGNER = 6,
	REFUSE_BAD_SIGNATURE = 7,
	REFUSE_ROLLBACK = 8,
	REFUSE_IMAGE_SIZE = 9,
	REFUSE_NO_MEMORY = 10,
	REFUSE_DUPLICATE_NAME = 11,
	REFUSE_BAD_KERNEL = 12,          /* Linux: verified, but the bzImage cannot be loaded */
};

struct lc_signer {
	u16 alg;                         /* MF_ALG_ED25519 or MF_ALG_LMS: the only algorithm accepted from it */
	u16 pub_len;                     /* 32 or 60 */
	u8 pub[LC_MAX_KEY];
	u8 key_id[32];                   /* SHA-256(pub), computed at parse time */
	u32 min_security_version;
};

struct launch_config {
	u32 nr_signers;
	struct lc_signer signers[LC_MAX_SIGNERS];
	u32 cmdline_len;
	char cmdline[LC_MAX_CMDLINE + 1];   /* NUL-terminated copy */
};

struct manifest {
	u16 version;
	u16 kind;
	u64 image_len;
	u8 image_sha256[32];
	u32 security_version;
	u16 alg;
	u16 sig_len;
	u8 key_id[32];
	const u8 *sig;                   /* points into the parsed buffer */
	u32 signed_len;                  /* bytes [0, signed_len) are signed: 88, or 130 + L */
	/* kind linux only: */
	u64 initrd_len;
	u8 initrd_sha256[32];
	u32 cmdline_len;
	const u8 *cmdline;               /* points into the parsed buffer, printable ASCII, no NUL */
};

struct guest_decision {
	u32 reason;                      /* enum refusal; REFUSE_NONE = launch */
	const char *detail;              /* one line for the console */
	u8 image_sha256[32];             /* zero if not hashed */
	u8 key_id[32];                   /* zero unless the manifest parsed */
	u32 security_version;            /* zero unless the manifest parsed */
	int is_linux;                    /* record version 2 with the two digests below */
	u8 initrd_sha256[32];            /* zero if not hashed */
	u8 cmdline_sha256[32];           /* zero unless the manifest parsed */
};

/* Each parser returns NULL on success or a one-line message naming the field and offset. */
const char *launch_config_parse(const u8 *buf, size_t len, struct launch_config *cfg);
const char *manifest_parse(const u8 *buf, size_t len, struct manifest *m);

/* 1 if the command line holds `word` as a whole space-separated word. */
int launch_config_has_word(const struct launch_config *cfg, const char *word);

/* The verification chain for one guest (vmm/README.md "Verification order"). img/mf are
 * VMM-owned copies; mf == NULL means the guest has no manifest. Fills every field of *d. */
void guest_verify(const u8 *img, u64 img_len, const u8 *mf, size_t mf_len,
		  const struct launch_config *cfg, struct guest_decision *d);

/* The chain for a Linux guest: as guest_verify, for a manifest of kind linux that binds the
 * kernel (img), the initrd and the command line. */
void linux_verify(const u8 *img, u64 img_len, const u8 *initrd, u64 initrd_len, const u8 *mf,
		  size_t mf_len, const struct launch_config *cfg, struct guest_decision *d);

/* Encode the guest record (docs/launch-protocol.md "Guest record"): 128 bytes (version 1), or 192
 * (version 2) for a Linux guest. Returns the size. */
u32 guest_record_encode(u8 out[GR_LINUX_SIZE], const struct guest_decision *d, const char *name);

/* 1 if [gpa, gpa + len) lies inside guest RAM [0, mem_size), without overflow. len 0 is valid
 * only for a gpa inside or at the end of guest RAM. */
int guest_range_ok(u64 mem_size, u64 gpa, u64 len);

/* Lowest base >= from, aligned to align (a power of two), with [base, base + size) below limit,
 * inside one usable memory-map entry of bi, overlapping no other entry type and no module
 * (a module may still hold another guest's image or manifest). 0 if there is none. */
u64 pool_find(const struct tb_bootinfo *bi, u64 from, u64 size, u64 align, u64 limit);

/* EFER bits (AMD64 APM vol. 2 §3.1.7) and the CR0 bit the write rule needs. */
#define EFER_SCE  (1ull << 0)
#define EFER_LME  (1ull << 8)
#define EFER_LMA  (1ull << 10)
#define EFER_NXE  (1ull << 11)
#define EFER_SVME (1ull << 12)
#define CR0_PG    (1ull << 31)

/* A guest's WRMSR to EFER, checked as the CPU checks it (APM vol. 2 §3.1.7, §14.6.1): NULL if the
 * write is allowed, else the reason. cur is the guest's EFER (with the VMM's SVME), cr0 its CR0,
 * writable the bits this CPU implements for the guest (SCE, LME, LMA, and NXE with NX). Setting
 * SVME, a bit outside writable, or changing LME while paging is on is refused. LMA is read-only:
 * the caller keeps the current value whatever is written. */
const char *efer_write_refusal(u64 cur, u64 cr0, u64 val, u64 writable);

/* 1 if name matches [a-z0-9_-]{1,31} followed by a NUL within the 32-byte field. */
int guest_name_ok(const char name[32]);

const char *refusal_name(u32 reason);

#endif
