/* VMM main flow: check the boot-info, enable SVM, decide and measure every guest, relinquish
 * locality 2, run the launched guests one after another, report to the harness, exit. */
#include "vmm.h"
#include "iommu.h"
#include <tb/io.h>
#include <tb/serial.h>
#include <tb/string.h>
#include <tb/evlog.h>
#include <tb/tis.h>
#include <tb/measure.h>

#define TPM_LOCALITY_VMM 2u
#define PCR_GUESTS       19u
#define FOUR_GIB         0x100000000ull
#define DONE_POLL_LIMIT  20000000u      /* ~20 s of port-0x80 delays for the harness's OK */

static struct tb_bootinfo bi;            /* VMM-owned copy: the original stays where the SLB wrote it */
static struct launch_config cfg;
static struct tb_evlog evlog;
static struct guest guests[TB_BOOTINFO_MAX_MODULES];
static u32 nr_guests;
static u8 mf_buf[MF_MAX_SIZE + 1];
static u64 pool_next = TB_GUEST_POOL_ADDR;

static void check_bootinfo(const struct tb_bootinfo *src)
{
	if ((uptr)src != TB_BOOTINFO_ADDR)
		die("boot-info is not at 0x01000000");
	tb_memcpy(&bi, src, sizeof(bi));
	if (bi.magic != TB_BOOTINFO_MAGIC || bi.version != TB_BOOTINFO_VERSION)
		die("boot-info: bad magic or version");
	if (bi.size != sizeof(bi))
		die("boot-info: size field does not match struct tb_bootinfo");
	if (bi.evlog_addr != TB_EVLOG_ADDR || bi.evlog_capacity != TB_EVLOG_CAPACITY ||
	    bi.evlog_used > bi.evlog_capacity)
		die("boot-info: event log fields outside the fixed layout");
	if (bi.nr_modules > TB_BOOTINFO_MAX_MODULES || bi.nr_mem > TB_BOOTINFO_MAX_MEM)
		die("boot-info: module or memory-map count too large");
	if (bi.config_size > TB_BOOTINFO_MAX_CONFIG)
		die("boot-info: config_size above 4096");
	for (u32 i = 0; i < bi.nr_modules; i++) {
		const struct tb_module *m = &bi.modules[i];
		if (m->kind != TB_MODULE_GUEST && m->kind != TB_MODULE_MANIFEST && m->kind != TB_MODULE_INITRD)
			die("boot-info: module of unknown kind");
		if (!guest_name_ok(m->name))
			die("boot-info: module name not [a-z0-9_-]{1,31}");
		if (m->addr >= FOUR_GIB || m->size > FOUR_GIB - m->addr)
			die("boot-info: module outside 0-4 GiB");
	}
	for (u32 i = 0; i < bi.nr_mem; i++) {
		if (bi.mem[i].size > ~0ull - bi.mem[i].addr)
			die("boot-info: memory-map entry wraps");
	}
}

/* The guest pool: 2 MiB-aligned runs of usable RAM from 0x04000000 up to 4 GiB (our identity
 * map), see pool_find. Bump allocation; a refused guest gives its memory back at once. */
u64 pool_alloc(u64 size, u64 align)
{
	u64 base = pool_find(&bi, pool_next, size, align, FOUR_GIB);

	if (base != 0)
		pool_next = base + size;
	return base;
}

u64 pool_mark(void)
{
	return pool_next;
}

void pool_release(u64 mark)
{
	pool_next = mark;
}

/* The first module of that kind and name, in module order. */
static const struct tb_module *find_module(u32 kind, const char *name)
{
	for (u32 i = 0; i < bi.nr_modules; i++) {
		const struct tb_module *m = &bi.modules[i];
		if (m->kind == kind && tb_memcmp(m->name, name, TB_MODULE_NAME_SIZE) == 0)
			return m;
	}
	return NULL;
}

/* The manifest copy in mf_buf (at most MF_MAX_SIZE + 1 bytes, so an oversized one still fails as
 * malformed); NULL if there is none. */
static const u8 *copy_manifest(const char *name, size_t *len)
{
	const struct tb_module *mf = find_module(TB_MODULE_MANIFEST, name);

	*len = 0;
	if (mf == NULL)
		return NULL;
	*len = mf->size < sizeof(mf_buf) ? mf->size : sizeof(mf_buf);
	tb_memcpy(mf_buf, (const void *)(uptr)mf->addr, *len);
	return mf_buf;
}

static int name_taken(const char *name)
{
	for (u32 i = 0; i < nr_guests; i++) {
		if (tb_memcmp(guests[i].name, name, TB_MODULE_NAME_SIZE) == 0)
			return 1;
	}
	return 0;
}

/* Copy (TOCTOU: the module area belongs to the untrusted launcher), verify, record, measure. */
static void decide(const struct tb_module *mod)
{
	struct guest *g = &guests[nr_guests];
	struct guest_decision d;
	u8 record[GR_LINUX_SIZE];
	const struct tb_module *initrd;
	const u8 *mf;
	size_t mf_len;

	tb_memset(&d, 0, sizeof(d));
	tb_memcpy(g->name, mod->name, TB_MODULE_NAME_SIZE);
	g->name[TB_MODULE_NAME_SIZE - 1] = '\0';
	g->state = GUEST_REFUSED;
	initrd = find_module(TB_MODULE_INITRD, g->name);
	if (name_taken(g->name)) {
		d.reason = REFUSE_DUPLICATE_NAME;
		d.detail = "another guest has the same name";
		d.is_linux = initrd != NULL;
	} else if (initrd != NULL) {
		mf = copy_manifest(g->name, &mf_len);
		linux_decide(g, mod, initrd, mf, mf_len, &cfg, &d);
		if (d.reason == REFUSE_NONE)
			g->state = GUEST_READY;
	} else if (mod->size == 0 || mod->size > GUEST_MAX_IMAGE) {
		d.reason = REFUSE_IMAGE_SIZE;
		d.detail = "image empty or larger than 3 MiB";
	} else if ((g->mem_pa = pool_alloc(GUEST_MEM_SIZE, LARGE_PAGE_SIZE)) == 0) {
		d.reason = REFUSE_NO_MEMORY;
		d.detail = "no free 4 MiB in the guest pool";
	} else {
		u8 *mem = (u8 *)(uptr)g->mem_pa;

		tb_memset(mem, 0, GUEST_MEM_SIZE);
		tb_memcpy(mem + GUEST_LOAD_GPA, (const void *)(uptr)mod->addr, mod->size);
		mf = copy_manifest(g->name, &mf_len);
		guest_verify(mem + GUEST_LOAD_GPA, mod->size, mf, mf_len, &cfg, &d);
		if (d.reason == REFUSE_NONE) {
			g->state = GUEST_READY;
			g->image_len = mod->size;
		} else {
			tb_memset(mem, 0, GUEST_MEM_SIZE);
			pool_next = g->mem_pa;               /* give the memory back */
			g->mem_pa = 0;
		}
	}
	u32 rlen = guest_record_encode(record, &d, g->name);
	int err = tb_measure(&evlog, TPM_LOCALITY_VMM, PCR_GUESTS, TB_EV_GUEST, record, rlen,
			     record, rlen);
	if (err != 0)
		die_err("measuring a guest record into PCR 19", err);
	if (d.reason == REFUSE_NONE) {
		con_puts("VMM: guest ");
		con_puts(g->name);
		con_puts(" verified: security version ");
		con_dec(d.security_version);
		con_puts(", measured into PCR 19\n");
	} else {
		con_puts("VMM: guest ");
		con_puts(g->name);
		con_puts(" refused: ");
		con_puts(refusal_name(d.reason));
		con_puts(": ");
		con_puts(d.detail);
		con_puts("\n");
	}
	nr_guests++;
}

/* docs/launch-protocol.md "End of a harness run". */
static void harness_done(void)
{
	int c, state = 0;

	serial_puts(COM2, "TB-DONE evlog=");
	serial_puthex_width(COM2, bi.evlog_addr, 8);
	serial_puts(COM2, " len=");
	serial_puthex(COM2, evlog.used);
	serial_write(COM2, "\n", 1);
	for (u32 i = 0; i < DONE_POLL_LIMIT && state < 3; i++) {
		if (!serial_getc_poll(COM2, &c)) {
			io_delay();
			continue;
		}
		if (c == '\r')
			continue;
		state = (c == "OK\n"[state]) ? state + 1 : (c == 'O');
	}
	if (state < 3)
		log_line("harness did not acknowledge TB-DONE", NULL, NULL);
}

TB_NORETURN void vmm_main(const struct tb_bootinfo *src);
void vmm_main(const struct tb_bootinfo *src)
{
	const char *err;
	int rc;

	cpu_init();
	serial_init(COM1);
	log_line("trustbit VMM starting", NULL, NULL);
	check_bootinfo(src);
	err = launch_config_parse(bi.config, bi.config_size, &cfg);
	if (err != NULL)
		die(err);
	dma_protect(&cfg);
	svm_init();
	log_line("SVM enabled, nested paging on", NULL, NULL);

	rc = evlog_open(&evlog, (void *)(uptr)bi.evlog_addr, (u32)bi.evlog_capacity, (u32)bi.evlog_used);
	if (rc != 0)
		die_err("event log from the SLB", rc);
	rc = tis_request_locality(TPM_LOCALITY_VMM);
	if (rc != 0)
		die_err("TPM locality 2", rc);
	dma_measure(&evlog);
	for (u32 i = 0; i < bi.nr_modules; i++) {
		if (bi.modules[i].kind == TB_MODULE_GUEST)
			decide(&bi.modules[i]);
	}
	((struct tb_bootinfo *)(uptr)TB_BOOTINFO_ADDR)->evlog_used = evlog.used;
	/* Guests talk to the TPM at locality 0 only; locality 2 must not stay active under them. */
	tis_relinquish_locality(TPM_LOCALITY_VMM);

	cpu_clear_guest_state();                 /* what the launcher and the SLB left */
	for (u32 i = 0; i < nr_guests; i++) {
		struct guest *g = &guests[i];
		if (g->state != GUEST_READY)
			continue;
		g->com3 = tb_memcmp(g->name, "tpm-proxy", 10) == 0;
		svm_prepare_guest(g, i);
		if (g->is_linux)
			linux_prepare(g, g->vmcb, guests, nr_guests, &bi, &evlog);
		dma_guest_start(g, i);
		svm_run_guest(g, &evlog);
		dma_guest_end(g);
		cpu_clear_guest_state();
	}
	log_line("all guests done", NULL, NULL);
	if (launch_config_has_word(&cfg, "harness"))
		harness_done();
	outb(DEBUG_EXIT_PORT, DEBUG_EXIT_OK);
	for (;;)
		__asm__ volatile("cli; hlt");
}
