/* DMA protection (vmm/README.md "DMA protection"): find the AMD IOMMUs as ACPI describes them
 * (IVRS, checked against PCI class 0806h), point every one at a device table in which every
 * device id is valid and has no read or write permission (the approach of TrenchBoot's
 * secure-kernel-loader), and open, for a guest that was assigned a device on the measured command
 * line, exactly that guest's 4 MiB through I/O page tables while it runs.
 * AMD I/O Virtualization Technology (IOMMU) Specification #48882 rev. 3.x: §2.2 device table and
 * I/O page tables, §2.4 commands, §2.5 event log, §3.4 MMIO registers. */
#include "vmm.h"
#include "iommu.h"
#include "iommu_find.h"
#include "linux.h"
#include <tb/io.h>
#include <tb/string.h>
#include <tb/evlog.h>
#include <tb/measure.h>

#define PCR_LAUNCH          18u
#define TB_EV_DMA           0x00000406u
#define DMA_EVENT_IOMMU     "dma-protection=iommu default=deny guests=own-memory"
#define DMA_EVENT_NONE      "dma-protection=none"
#define RING_ENTRIES_LOG2   8u                   /* 256 commands / events: 4 KiB each */
#define RING_BYTES          (16u << RING_ENTRIES_LOG2)
#define WAIT_LIMIT          10000000u
#define MMIO_WINDOW_LOW     IOMMU_WINDOW_LOW     /* the VMM maps 3-4 GiB uncached */
#define FOUR_GIB            0x100000000ull
#define TPM_2M_REGION       0xFEC00000ull        /* the 2 MiB holding TPM locality 0 (own PT) */
#define IOPT_PAGES          4u                   /* L3, L2, two L1: GPA [0, 4 MiB) in 4 KiB pages */

struct unit_rings {
	struct iommu_cmd cmd[1u << RING_ENTRIES_LOG2];
	struct iommu_event evt[1u << RING_ENTRIES_LOG2];
};

/* The device table is the one the SLB enabled (TB_SLB_DEVTAB_ADDR, the top 2 MiB of the VMM range):
 * taking it over needs no moment with translation off. The rest is in VMM memory. No device may reach
 * either: the tables protect themselves. */
static struct iommu_dte *const devtab = (struct iommu_dte *)(uptr)TB_SLB_DEVTAB_ADDR;
#define DEVTAB_BYTES   (IOMMU_DEVICES * sizeof(struct iommu_dte))
static struct unit_rings rings[IVRS_MAX_UNITS] __attribute__((aligned(4096)));
static u64 iopt[DEV_ASSIGN_MAX][IOPT_PAGES][512] __attribute__((aligned(4096)));
static volatile u64 wait_store __attribute__((aligned(8)));
static u8 ivrs_copy[IVRS_MAX_LEN];

static struct ivrs_info info;
static u32 cmd_tail[IVRS_MAX_UNITS];
static int protected;

static struct assigned {
	struct dev_assign a;
	u64 bar, bar_size;
} assigned[DEV_ASSIGN_MAX];
static u32 nr_assigned;

static u64 rd(u32 unit, u32 reg) { return *(volatile u64 *)(uptr)(info.unit[unit].base + reg); }
static void wr(u32 unit, u32 reg, u64 v) { *(volatile u64 *)(uptr)(info.unit[unit].base + reg) = v; }

static void put_bdf(u16 bdf)
{
	static const char hex[] = "0123456789abcdef";
	char s[8] = { hex[bdf >> 12], hex[(bdf >> 8) & 15], ':', hex[(bdf >> 7) & 1],
		      hex[(bdf >> 3) & 15], '.', (char)('0' + (bdf & 7)), '\0' };
	con_puts(s);
}

/* ---- commands ---- */
static void submit(u32 unit, u64 q0, u64 q1)
{
	struct iommu_cmd *c = &rings[unit].cmd[cmd_tail[unit] / 16];

	c->q0 = q0;
	c->q1 = q1;
	cmd_tail[unit] = (cmd_tail[unit] + 16) % RING_BYTES;
	__asm__ volatile("mfence" : : : "memory");
	wr(unit, IOMMU_MMIO_CMD_TAIL, cmd_tail[unit]);
}

/* COMPLETION_WAIT with a store: every earlier command has taken effect once the value lands. */
static void complete(u32 unit)
{
	static u64 seq;

	seq++;
	submit(unit, CMD_OPCODE(CMD_COMPLETION_WAIT) | (u64)(uptr)&wait_store | 1, seq);
	for (u32 i = 0; wait_store != seq; i++) {
		if (i == WAIT_LIMIT)
			die("DMA protection: IOMMU did not complete COMPLETION_WAIT");
		io_delay();
	}
}

static void invalidate_device(u16 bdf, u16 domain)
{
	for (u32 u = 0; u < info.nr_units; u++) {
		submit(u, CMD_OPCODE(CMD_INVAL_DEVTAB_ENTRY) | bdf, 0);
		/* S = 1 with every address bit set below 63: all pages of the domain. */
		submit(u, CMD_OPCODE(CMD_INVAL_IOMMU_PAGES) | (u64)domain << 32, 0x7FFFFFFFFFFFF000ull | 1);
		complete(u);
	}
}

/* Prints what the event log holds since the last look, then empties it. */
static void drain_events(void)
{
	for (u32 u = 0; u < info.nr_units; u++) {
		u32 head = (u32)rd(u, IOMMU_MMIO_EVT_HEAD) % RING_BYTES;
		u32 tail = (u32)rd(u, IOMMU_MMIO_EVT_TAIL) % RING_BYTES;

		for (u32 n = 0; head != tail; head = (head + 16) % RING_BYTES, n++) {
			const struct iommu_event *e = &rings[u].evt[head / 16];
			u32 code = (u32)(e->q0 >> 60);
			if (n >= 8)
				continue;                /* count them all, print the first eight */
			con_puts(code == EVT_IO_PAGE_FAULT ? "VMM: IOMMU blocked DMA (IO_PAGE_FAULT) by device "
							   : "VMM: IOMMU event by device ");
			put_bdf((u16)e->q0);
			con_puts(" at ");
			con_hex(e->q1);
			if (code != EVT_IO_PAGE_FAULT) {
				con_puts(", event code ");
				con_dec(code);
			}
			con_puts("\n");
		}
		wr(u, IOMMU_MMIO_EVT_HEAD, tail);
	}
}

/* Drop every cached device-table entry and translation of one IOMMU. */
static void invalidate_all(u32 u)
{
	if (rd(u, IOMMU_MMIO_EFR) & IOMMU_EFR_IA) {
		submit(u, CMD_OPCODE(CMD_INVAL_IOMMU_ALL), 0);
	} else {
		for (u32 d = 0; d < IOMMU_DEVICES; d++) {
			submit(u, CMD_OPCODE(CMD_INVAL_DEVTAB_ENTRY) | d, 0);
			if (d % 128 == 127)
				complete(u);
		}
	}
	complete(u);
}

/* #48882 §3.4: the device table base may change only while the IOMMU is disabled, the command buffer
 * and event log bases only while those are. An IOMMU the SLB enabled already translates through this
 * device table (every device id blocked): it stays enabled and only gets the VMM's command buffer and
 * event log. Otherwise (firmware's tables, or no SLB) translation is off for the few writes that
 * install ours. The exclusion range is closed (it would let devices bypass translation), and
 * everything cached from earlier tables dropped. */
static void program_unit(u32 u)
{
	const u64 devtab_reg = (u64)(uptr)devtab | (DEVTAB_BYTES / 4096 - 1);
	int keep = (rd(u, IOMMU_MMIO_CONTROL) & IOMMU_CTRL_EN) && rd(u, IOMMU_MMIO_DEVTAB_BASE) == devtab_reg;

	wr(u, IOMMU_MMIO_CONTROL, keep ? IOMMU_CTRL_EN : 0);
	wr(u, IOMMU_MMIO_EXCL_BASE, 0);
	wr(u, IOMMU_MMIO_EXCL_LIMIT, 0);
	if (!keep)
		wr(u, IOMMU_MMIO_DEVTAB_BASE, devtab_reg);
	wr(u, IOMMU_MMIO_CMDBUF_BASE, (u64)(uptr)rings[u].cmd | (u64)RING_ENTRIES_LOG2 << 56);
	wr(u, IOMMU_MMIO_EVTLOG_BASE, (u64)(uptr)rings[u].evt | (u64)RING_ENTRIES_LOG2 << 56);
	wr(u, IOMMU_MMIO_CMD_HEAD, 0);
	wr(u, IOMMU_MMIO_CMD_TAIL, 0);
	wr(u, IOMMU_MMIO_EVT_HEAD, 0);
	wr(u, IOMMU_MMIO_EVT_TAIL, 0);
	cmd_tail[u] = 0;
	wr(u, IOMMU_MMIO_CONTROL, IOMMU_CTRL_EN | IOMMU_CTRL_EVTLOG_EN | IOMMU_CTRL_CMDBUF_EN);
	if (rd(u, IOMMU_MMIO_CONTROL) & IOMMU_CTRL_EN)
		invalidate_all(u);
	if ((rd(u, IOMMU_MMIO_CONTROL) & (IOMMU_CTRL_EN | IOMMU_CTRL_CMDBUF_EN)) !=
	    (IOMMU_CTRL_EN | IOMMU_CTRL_CMDBUF_EN) || rd(u, IOMMU_MMIO_DEVTAB_BASE) != devtab_reg)
		die("DMA protection: the IOMMU did not take the device table or enable");
	if (keep)
		log_line("IOMMU left enabled by the SLB: device table kept, translation never off", NULL, NULL);
}

/* BAR0 of an assigned function: a 32-bit memory BAR of at most 2 MiB in the VMM's uncached
 * 3-4 GiB window, outside the TPM's 2 MiB and every IOMMU's registers. */
static void probe_bar(struct assigned *d)
{
	u16 bdf = d->a.bdf;
	u32 cmd = pci_read(bdf, 4), bar = pci_read(bdf, 0x10), mask;

	if ((pci_read(bdf, 0) & 0xFFFFu) == 0xFFFFu)
		die("DMA protection: an assigned device= PCI function does not exist");
	if (bar & 0x7)
		die("DMA protection: assigned device's BAR0 is not a 32-bit memory BAR");
	pci_write(bdf, 4, cmd & ~0x6u);                  /* decode off while sizing */
	pci_write(bdf, 0x10, 0xFFFFFFFFu);
	mask = pci_read(bdf, 0x10) & ~0xFu;
	pci_write(bdf, 0x10, bar);
	pci_write(bdf, 4, (cmd & ~0x4u) | 0x2u);         /* memory decode on, bus master off */
	d->bar = bar & ~0xFull;
	d->bar_size = (u64)(~mask) + 1;
	if (mask == 0 || d->bar_size > LARGE_PAGE_SIZE || d->bar % d->bar_size != 0 ||
	    d->bar < MMIO_WINDOW_LOW || d->bar + d->bar_size > FOUR_GIB ||
	    (d->bar & ~(LARGE_PAGE_SIZE - 1)) == TPM_2M_REGION)
		die("DMA protection: assigned device's BAR0 outside the allowed MMIO window");
	for (u32 u = 0; u < info.nr_units; u++) {
		if (d->bar < info.unit[u].base + 0x80000 && info.unit[u].base < d->bar + d->bar_size)
			die("DMA protection: assigned device's BAR0 overlaps IOMMU registers");
	}
}

void dma_protect(const struct launch_config *cfg)
{
	struct dev_assign words[DEV_ASSIGN_MAX];
	u32 n;
	const char *e = iommu_find(&info, ivrs_copy, sizeof(ivrs_copy));

	if (e != NULL)
		die(e);
	for (u32 d = 0; d < IOMMU_DEVICES; d++)
		devtab[d] = (struct iommu_dte){ DTE_V | DTE_TV, 0, 0, 0 };
	for (u32 u = 0; u < info.nr_units; u++) {
		program_unit(u);
		con_puts("VMM: IOMMU ");
		put_bdf(info.unit[u].device_id);
		con_puts(" at ");
		con_hex(info.unit[u].base);
		con_puts(": every device id blocked\n");
	}
	protected = info.nr_units > 0;
	if (!protected)
		log_line("no IOMMU found (no IVRS, no PCI class 0806h): devices are not kept out", NULL, NULL);
	drain_events();

	e = dev_assign_parse(cfg->cmdline, words, &n);
	if (e != NULL)
		die(e);
	nr_assigned = n;
	for (u32 i = 0; i < nr_assigned; i++) {
		assigned[i].a = words[i];
		probe_bar(&assigned[i]);
		con_puts("VMM: device ");
		put_bdf(assigned[i].a.bdf);
		con_puts(" assigned to guest ");
		con_puts(assigned[i].a.name);
		con_puts(", BAR0 ");
		con_hex(assigned[i].bar);
		con_puts("\n");
	}
}

void dma_measure(struct tb_evlog *log)
{
	const char *t = protected ? DMA_EVENT_IOMMU : DMA_EVENT_NONE;
	size_t n = tb_strlen(t);
	int err = tb_measure(log, 2, PCR_LAUNCH, TB_EV_DMA, (const u8 *)t, n, (const u8 *)t, n);

	if (err != 0)
		die_err("measuring the DMA protection into PCR 18", err);
	log_line("recorded in PCR 18: ", t, NULL);
}

static struct assigned *find(const struct guest *g, u32 *idx)
{
	for (u32 i = 0; i < nr_assigned; i++) {
		if (tb_memcmp(assigned[i].a.name, g->name, sizeof(assigned[i].a.name)) == 0) {
			if (idx != NULL)
				*idx = i;
			return &assigned[i];
		}
	}
	return NULL;
}

u64 dma_guest_bar(const struct guest *g, u64 *dma_offset)
{
	const struct assigned *d = find(g, NULL);

	/* With the IOMMU the device sees guest-physical addresses; without it, host-physical ones. */
	*dma_offset = protected ? 0 : g->mem_pa;
	return d != NULL ? d->bar : ~0ull;
}

void dma_map_bar(const struct guest *g, u64 *pd_high, u64 *pt)
{
	const struct assigned *d = find(g, NULL);
	const u64 flags = 0x7;                           /* P, RW, U (nested walks are user) */

	if (d == NULL)
		return;
	pd_high[(d->bar >> 21) & 511] = (u64)(uptr)pt | flags;
	for (u64 off = 0; off < d->bar_size; off += PAGE_SIZE)
		pt[((d->bar + off) >> 12) & 511] = (d->bar + off) | flags | (1ull << 4);   /* PCD */
}

/* I/O page tables, mode 3 (39-bit), 4 KiB pages: device address [0, 4 MiB) -> the guest's memory.
 * An absent entry keeps PR = 0 but names a lower level: hardware ignores every other bit of a
 * non-present entry, and QEMU's model then reports the fault in the event log instead of
 * dropping the access silently. */
static u64 build_iopt(const struct guest *g, u32 slot)
{
	u64 *l3 = iopt[slot][0], *l2 = iopt[slot][1], *l1 = iopt[slot][2];
	const u64 perm = IOPTE_PR | IOPTE_IR | IOPTE_IW;

	for (u32 i = 0; i < 512; i++) {
		l3[i] = IOPTE_NEXT(2);
		l2[i] = IOPTE_NEXT(1);
	}
	l3[0] = (u64)(uptr)l2 | IOPTE_NEXT(2) | perm;
	for (u64 i = 0; i < GUEST_MEM_SIZE / LARGE_PAGE_SIZE; i++)
		l2[i] = (u64)(uptr)(l1 + 512 * i) | IOPTE_NEXT(1) | perm;
	for (u64 i = 0; i < GUEST_MEM_SIZE / PAGE_SIZE; i++)
		l1[i] = (g->mem_pa + i * PAGE_SIZE) | IOPTE_NEXT(0) | perm;
	return (u64)(uptr)l3;
}

void dma_guest_start(const struct guest *g, u32 index)
{
	u32 slot;
	struct assigned *d = find(g, &slot);

	if (d == NULL)
		return;
	if (protected) {
		u64 root = build_iopt(g, slot);
		devtab[d->a.bdf] = (struct iommu_dte){
			DTE_V | DTE_TV | DTE_MODE(3) | root | DTE_IR | DTE_IW, (u64)(index + 1), 0, 0 };
		invalidate_device(d->a.bdf, (u16)(index + 1));
	}
	pci_write(d->a.bdf, 4, pci_read(d->a.bdf, 4) | 0x6u);   /* memory decode, bus master */
}

/* The Linux guest (vmm/README.md "Linux guests") gives its devices host-physical addresses (its
 * guest-physical space is the identity): every device id translates through one I/O page table that,
 * like its nested tables, maps 0-4 GiB in 2 MiB pages (level-2 entries with next level 0) except the
 * hidden ranges, which stay absent. */
static u64 lx_iopt[5][512] __attribute__((aligned(4096)));
#define LINUX_DOMAIN (TB_BOOTINFO_MAX_MODULES + 1u)

void dma_linux_start(const struct lx_range *hidden, u32 n)
{
	const u64 perm = IOPTE_PR | IOPTE_IR | IOPTE_IW;
	u64 *l3 = lx_iopt[0];

	if (!protected)
		return;
	for (u32 i = 0; i < 512; i++)
		l3[i] = IOPTE_NEXT(2);
	for (u64 i = 0; i < 4; i++) {
		l3[i] = (u64)(uptr)lx_iopt[1 + i] | IOPTE_NEXT(2) | perm;
		for (u64 j = 0; j < 512; j++) {
			u64 pa = i << 30 | j << 21;
			int hide = 0;
			for (u32 h = 0; h < n; h++)
				hide |= pa >= hidden[h].start && pa < hidden[h].end;
			lx_iopt[1 + i][j] = hide ? IOPTE_NEXT(1) : pa | IOPTE_NEXT(0) | perm;
		}
	}
	for (u32 d = 0; d < IOMMU_DEVICES; d++)
		devtab[d] = (struct iommu_dte){
			DTE_V | DTE_TV | DTE_MODE(3) | (u64)(uptr)l3 | DTE_IR | DTE_IW, LINUX_DOMAIN, 0, 0 };
	for (u32 u = 0; u < info.nr_units; u++)
		invalidate_all(u);
}

void dma_guest_end(const struct guest *g)
{
	u32 slot;
	struct assigned *d = find(g, &slot);

	if (d == NULL)
		return;
	pci_write(d->a.bdf, 4, pci_read(d->a.bdf, 4) & ~0x4u);  /* bus master off */
	if (protected) {
		u16 domain = (u16)(devtab[d->a.bdf].q1 & 0xFFFF);
		devtab[d->a.bdf] = (struct iommu_dte){ DTE_V | DTE_TV, 0, 0, 0 };
		invalidate_device(d->a.bdf, domain);
		drain_events();
	}
}
