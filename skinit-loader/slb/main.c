/* The secure loader: validate what the launcher left, establish the launch type, load and
 * measure the VMM, record everything in the event log and boot-info, enter the VMM.
 * Runs with paging off, interrupts and GIF off, on a stack in the SLB's own 64 KiB. */
#include "slb.h"
#include "validate.h"
#include "msg.h"
#include "launch_params.h"
#include <tb/bootinfo.h>
#include <tb/evlog.h>
#include <tb/io.h>
#include <tb/measure.h>
#include <tb/serial.h>
#include <tb/sha1.h>
#include <tb/sha256.h>
#include <tb/string.h>
#include <tb/tis.h>
#include <tb/tpm2.h>

#define SLB_LOCALITY 2u

/* Private copy of the launch parameters: validated and used from here, never from the
 * launcher-written page (the copy is what was checked). */
static struct tb_launch_params params;
static char reason[160];

void say(const char *msg)
{
	serial_puts(SLB_CONSOLE, "SLB: ");
	serial_puts(SLB_CONSOLE, msg);
	serial_putc(SLB_CONSOLE, '\n');
}

TB_NORETURN void die(const char *msg)
{
	serial_puts(SLB_CONSOLE, "SLB: FATAL: ");
	serial_puts(SLB_CONSOLE, msg);
	serial_putc(SLB_CONSOLE, '\n');
	outb(DEBUG_EXIT_PORT, DEBUG_EXIT_SLB_DIE);   /* isa-debug-exit under QEMU; nothing on hardware */
	for (;;)
		__asm__ volatile("cli; hlt");
}

static TB_NORETURN void die_tpm(const char *what, int rc)
{
	struct msg m;

	msg_init(&m, reason, sizeof(reason));
	msg_str(&m, what);
	if (rc > 0) {
		msg_str(&m, ": TPM response code ");
		msg_hex(&m, (u64)rc);
	} else {
		msg_str(&m, ": ");
		msg_str(&m, tb_strerror(rc));
	}
	die(reason);
}

static void say_hex(const char *label, u64 v)
{
	serial_puts(SLB_CONSOLE, "SLB: ");
	serial_puts(SLB_CONSOLE, label);
	serial_puthex(SLB_CONSOLE, v);
	serial_putc(SLB_CONSOLE, '\n');
}

static bool cpu_has_skinit(void)
{
	u32 a = 0x80000000u, b, c, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	if (a < 0x80000001u)
		return false;
	a = 0x80000001u;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return (c >> 12) & 1;   /* CPUID Fn8000_0001 ECX[12] SKINIT (AMD APM vol. 3, App. E) */
}

/* The launch type of docs/launch-protocol.md, decided from the TPM's PCR 17 read back at
 * locality 2 against H(0^n || H(SLB[0:len])) computed here; CPUID only separates "skinit" from
 * "emulated" once PCR 17 holds the faithful value (a mismatch is "unmeasured" either way). */
static u32 launch_type(const u8 slb_sha1[20], const u8 slb_sha256[32])
{
	u8 want1[20], want256[32], got1[20], got256[32], zero[32];
	struct sha1_ctx c1;
	struct sha256_ctx c256;

	tb_memset(zero, 0, sizeof(zero));
	sha1_init(&c1);
	sha1_update(&c1, zero, 20);
	sha1_update(&c1, slb_sha1, 20);
	sha1_final(&c1, want1);
	sha256_init(&c256);
	sha256_update(&c256, zero, 32);
	sha256_update(&c256, slb_sha256, 32);
	sha256_final(&c256, want256);

	int rc = tpm2_pcr_read(SLB_LOCALITY, 17, got1, got256);
	if (rc != 0)
		die_tpm("reading PCR 17", rc);
	bool faithful = tb_memeq_ct(want1, got1, 20) & tb_memeq_ct(want256, got256, 32);
	if (!faithful)
		return TB_LAUNCH_UNMEASURED;
	return cpu_has_skinit() ? TB_LAUNCH_SKINIT : TB_LAUNCH_EMULATED;
}

static const char *launch_type_event(u32 type)
{
	switch (type) {
	case TB_LAUNCH_SKINIT: return "launch-type=skinit";
	case TB_LAUNCH_EMULATED: return "launch-type=emulated";
	default: return "launch-type=unmeasured";
	}
}

/* Copy the VMM to its load address, zero its bss; returns the checked header. */
static void load_vmm(const struct tb_lp_module *mod, struct tb_vmm_header *h)
{
	tb_memcpy(h, (const void *)(uptr)mod->addr, sizeof(*h));
	if (slb_validate_vmm_header(h, mod->size, reason, sizeof(reason)) != 0)
		die(reason);
	u8 *dst = (u8 *)(uptr)h->load_addr;
	tb_memcpy(dst, (const void *)(uptr)mod->addr, (size_t)h->image_size);
	tb_memset(dst + h->image_size, 0, (size_t)(h->mem_size - h->image_size));
	/* What is measured and run is the copy: it must carry the header that was checked. */
	if (tb_memcmp(dst, h, sizeof(*h)) != 0)
		die("vmm header changed while copying");
}

static void fill_modules(struct tb_bootinfo *bi, const struct slb_plan *plan)
{
	for (u32 k = 0; k < plan->nr_extra; k++) {
		const struct tb_lp_module *src = &params.modules[plan->extra[k]];
		struct tb_module *dst = &bi->modules[k];
		dst->addr = src->addr;
		dst->size = src->size;
		dst->kind = src->role;
		tb_memcpy(dst->name, src->name, TB_MODULE_NAME_SIZE);
	}
	bi->nr_modules = plan->nr_extra;
	for (u32 i = 0; i < params.nr_mem; i++)
		bi->mem[i] = params.mem[i];
	bi->nr_mem = params.nr_mem;
}

/* Identity map of 0-4 GiB with 2 MiB pages (AMD APM vol. 2, §5.3 long-mode page translation):
 * PML4 -> one PDPT -> four page directories. The top GiB (MMIO: TPM, APIC) is uncached. */
static u32 build_page_tables(void)
{
	u64 *pml4 = (u64 *)(uptr)TB_SLB_SCRATCH_ADDR;
	u64 *pdpt = pml4 + 512;
	u64 *pd = pdpt + 512;

	tb_memset(pml4, 0, 6 * 4096);
	pml4[0] = (u64)(uptr)pdpt | 0x3;                     /* present, writable */
	for (u32 g = 0; g < 4; g++) {
		pdpt[g] = (u64)(uptr)(pd + 512 * g) | 0x3;
		for (u32 i = 0; i < 512; i++) {
			u64 addr = ((u64)g << 30) | ((u64)i << 21);
			u64 flags = 0x83;                    /* present, writable, 2 MiB page */
			if (g == 3)
				flags |= 0x18;               /* PCD | PWT */
			pd[512 * g + i] = addr | flags;
		}
	}
	return (u32)(uptr)pml4;
}

TB_NORETURN void slb_main(u32 base, u32 eax)
{
	struct slb_plan plan;
	struct tb_vmm_header vh;
	struct tb_evlog log;
	u8 slb_sha1[20], slb_sha256[32];
	int rc;

	serial_init(SLB_CONSOLE);
	say_hex("start, base ", base);
	/* SKINIT leaves the SLB base in EAX; our own EIP-derived base must agree. */
	if (eax != base)
		die("EAX does not hold the SLB base");
	u16 measured_len = *(const u16 *)(uptr)(base + 2);

	/* 1. Launch parameters: private copy, then validation of the copy. */
	tb_memcpy(&params, (const void *)(uptr)(base + TB_LP_OFFSET), sizeof(params));
	if (slb_validate_params(&params, base, &plan, reason, sizeof(reason)) != 0)
		die(reason);
	say("launch parameters valid");

	/* 1a. DMA protection before anything outside the DEV-protected 64 KiB is written or measured:
	 *     from here on no device reaches the boot-info, the event log or the VMM. */
	slb_dma_protect();

	/* 2. Boot-info and the configuration blob (copied, then validated, then measured). */
	struct tb_bootinfo *bi = (struct tb_bootinfo *)(uptr)TB_BOOTINFO_ADDR;
	const struct tb_lp_module *cfg = &params.modules[plan.config];
	tb_memset(bi, 0, sizeof(*bi));
	tb_memcpy(bi->config, (const void *)(uptr)cfg->addr, (size_t)cfg->size);
	bi->config_size = (u32)cfg->size;
	if (slb_validate_config(bi->config, bi->config_size, reason, sizeof(reason)) != 0)
		die(reason);

	/* 3. The VMM: copy to its load address, zero bss (hashed in step 5). */
	load_vmm(&params.modules[plan.vmm], &vh);
	say_hex("VMM loaded at ", vh.load_addr);

	/* 4. TPM: give up localities the firmware or launcher may hold, take locality 2, and
	 *    decide the launch type from PCR 17. */
	tis_relinquish_locality(0);
	tis_relinquish_locality(1);
	tis_relinquish_locality(3);
	rc = tis_request_locality(SLB_LOCALITY);
	if (rc != 0)
		die_tpm("requesting TPM locality 2", rc);
	sha1((const void *)(uptr)base, measured_len, slb_sha1);
	sha256((const void *)(uptr)base, measured_len, slb_sha256);
	u32 type = launch_type(slb_sha1, slb_sha256);
	const char *type_event = launch_type_event(type);
	say(type_event);

	/* 5. Events 1-4 of the contract. Event 1 records what the CPU (or the harness) measured;
	 *    it is logged, not extended: SKINIT already did that. */
	rc = evlog_init(&log, (void *)(uptr)TB_EVLOG_ADDR, TB_EVLOG_CAPACITY);
	if (rc == 0)
		rc = evlog_append(&log, 17, TB_EV_SKINIT_SLB, slb_sha1, slb_sha256, "skinit:slb", 10);
	if (rc != 0)
		die_tpm("event log", rc);
	rc = tb_measure(&log, SLB_LOCALITY, 17, TB_EV_VMM, (const void *)(uptr)vh.load_addr,
			(size_t)vh.image_size, "vmm", 3);
	if (rc != 0)
		die_tpm("extending PCR 17 with the VMM", rc);
	rc = tb_measure(&log, SLB_LOCALITY, 18, TB_EV_LAUNCH_TYPE, type_event, tb_strlen(type_event),
			type_event, (u32)tb_strlen(type_event));
	if (rc != 0)
		die_tpm("extending PCR 18 with the launch type", rc);
	rc = tb_measure(&log, SLB_LOCALITY, 18, TB_EV_LAUNCH_CONFIG, bi->config, bi->config_size,
			"launch-config", 13);
	if (rc != 0)
		die_tpm("extending PCR 18 with the launch configuration", rc);
	say("PCR 17 and 18 extended, event log written");

	/* 6. Boot-info for the VMM. Locality 2 stays active for the VMM's PCR 19 extends. */
	bi->magic = TB_BOOTINFO_MAGIC;
	bi->version = TB_BOOTINFO_VERSION;
	bi->size = sizeof(*bi);
	bi->launch_type = type;
	bi->slb_base = base;
	bi->slb_size = TB_SLB_SIZE;
	bi->evlog_addr = TB_EVLOG_ADDR;
	bi->evlog_capacity = TB_EVLOG_CAPACITY;
	bi->evlog_used = log.used;
	bi->vmm_base = vh.load_addr;
	bi->vmm_mem_size = vh.mem_size;
	bi->console_port = SLB_CONSOLE;
	fill_modules(bi, &plan);

	say_hex("entering VMM at ", vh.entry);
	slb_enter_vmm(build_page_tables(), (u32)vh.entry, TB_BOOTINFO_ADDR);
}
