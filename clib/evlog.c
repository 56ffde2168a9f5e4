/* TCG crypto-agile event log writer. TCG PC Client Platform Firmware Profile Specification,
 * Family 2.0, Level 00 Rev. 1.05: §10.2.1 TCG_PCClientPCREvent (SHA-1 format header record),
 * §10.4.5.1 TCG_EfiSpecIDEvent ("Spec ID Event03"), §10.2.2 TCG_PCR_EVENT2. Little-endian. */
#include <tb/evlog.h>
#include <tb/tpm2.h>
#include <tb/string.h>

/* TCG_EfiSpecIDEvent with two algorithms (SHA-1, SHA-256) and no vendor info. */
struct spec_id_event {
	char signature[16];          /*  0: "Spec ID Event03\0" */
	u32 platform_class;          /* 16: 0 = client */
	u8 spec_version_minor;       /* 20: 0 */
	u8 spec_version_major;       /* 21: 2 */
	u8 spec_errata;              /* 22: 0 */
	u8 uintn_size;               /* 23: 2 = UINT64 */
	u32 number_of_algorithms;    /* 24: 2 */
	struct {
		u16 alg_id;          /* 28 / 32 */
		u16 digest_size;     /* 30 / 34 */
	} TB_PACKED digest_sizes[2];
	u8 vendor_info_size;         /* 36: 0 */
} TB_PACKED;                         /* 37 */
TB_STATIC_ASSERT(sizeof(struct spec_id_event) == 37, "TCG_EfiSpecIDEvent size");

/* TCG_PCClientPCREvent: the header record, in the old SHA-1-only layout. */
struct pcclient_pcr_event {
	u32 pcr_index;               /*  0: 0 */
	u32 event_type;              /*  4: EV_NO_ACTION */
	u8 digest[20];               /*  8: zero */
	u32 event_data_size;         /* 28: sizeof(struct spec_id_event) */
	struct spec_id_event event;  /* 32 */
} TB_PACKED;                         /* 69 */
TB_STATIC_ASSERT(sizeof(struct pcclient_pcr_event) == TB_EVLOG_HEADER_SIZE, "header size");

/* TCG_PCR_EVENT2 with TPML_DIGEST_VALUES of exactly {SHA-1, SHA-256}; event data follows. */
struct pcr_event2_fixed {
	u32 pcr_index;               /*  0 */
	u32 event_type;              /*  4 */
	u32 digest_count;            /*  8: 2 */
	u16 sha1_alg;                /* 12: TPM_ALG_SHA1 */
	u8 sha1[20];                 /* 14 */
	u16 sha256_alg;              /* 34: TPM_ALG_SHA256 */
	u8 sha256[32];               /* 36 */
	u32 event_size;              /* 68 */
} TB_PACKED;                         /* 72 */
TB_STATIC_ASSERT(sizeof(struct pcr_event2_fixed) == TB_EVLOG_EVENT2_FIXED, "event2 size");

static void build_header(struct pcclient_pcr_event *h)
{
	static const char sig[16] = "Spec ID Event03";

	tb_memset(h, 0, sizeof(*h));
	h->event_type = EV_NO_ACTION;
	h->event_data_size = sizeof(struct spec_id_event);
	tb_memcpy(h->event.signature, sig, sizeof(sig));
	h->event.spec_version_major = 2;
	h->event.uintn_size = 2;
	h->event.number_of_algorithms = 2;
	h->event.digest_sizes[0].alg_id = TPM2_ALG_SHA1;
	h->event.digest_sizes[0].digest_size = 20;
	h->event.digest_sizes[1].alg_id = TPM2_ALG_SHA256;
	h->event.digest_sizes[1].digest_size = 32;
}

int evlog_init(struct tb_evlog *log, void *base, u32 cap)
{
	struct pcclient_pcr_event h;

	if (log == NULL || base == NULL)
		return EVLOG_ERR_ARGS;
	if (cap < TB_EVLOG_HEADER_SIZE)
		return EVLOG_ERR_FULL;
	build_header(&h);
	tb_memcpy(base, &h, sizeof(h));
	log->base = base;
	log->capacity = cap;
	log->used = sizeof(h);
	return 0;
}

int evlog_open(struct tb_evlog *log, void *base, u32 cap, u32 used)
{
	struct pcclient_pcr_event h;
	const u8 *p = base;
	u32 off;

	if (log == NULL || base == NULL)
		return EVLOG_ERR_ARGS;
	if (used > cap || used < TB_EVLOG_HEADER_SIZE)
		return EVLOG_ERR_FORMAT;
	build_header(&h);
	if (tb_memcmp(p, &h, sizeof(h)) != 0)
		return EVLOG_ERR_FORMAT;
	/* Walk every record: each step consumes at least 72 bytes, so this ends. */
	off = TB_EVLOG_HEADER_SIZE;
	while (off < used) {
		struct pcr_event2_fixed e;
		if (used - off < sizeof(e))
			return EVLOG_ERR_FORMAT;
		tb_memcpy(&e, p + off, sizeof(e));
		off += sizeof(e);
		if (e.pcr_index > TPM2_MAX_PCR || e.digest_count != 2 || e.sha1_alg != TPM2_ALG_SHA1 ||
		    e.sha256_alg != TPM2_ALG_SHA256 || e.event_size > used - off)
			return EVLOG_ERR_FORMAT;
		off += e.event_size;
	}
	log->base = base;
	log->capacity = cap;
	log->used = used;
	return 0;
}

int evlog_append(struct tb_evlog *log, u32 pcr, u32 type, const u8 sha1[20], const u8 sha256[32],
		 const void *data, u32 len)
{
	struct pcr_event2_fixed e;

	if (log == NULL || log->base == NULL || sha1 == NULL || sha256 == NULL ||
	    (data == NULL && len != 0) || pcr > TPM2_MAX_PCR || log->used > log->capacity)
		return EVLOG_ERR_ARGS;
	u32 room = log->capacity - log->used;
	if (room < sizeof(e) || len > room - sizeof(e))
		return EVLOG_ERR_FULL;
	e.pcr_index = pcr;
	e.event_type = type;
	e.digest_count = 2;
	e.sha1_alg = TPM2_ALG_SHA1;
	tb_memcpy(e.sha1, sha1, 20);
	e.sha256_alg = TPM2_ALG_SHA256;
	tb_memcpy(e.sha256, sha256, 32);
	e.event_size = len;
	tb_memcpy(log->base + log->used, &e, sizeof(e));
	if (len != 0)
		tb_memcpy(log->base + log->used + sizeof(e), data, len);
	log->used += (u32)sizeof(e) + len;
	return 0;
}
