/* dma-attack: drives the PCI device the VMM assigned to it (QEMU's `edu`, 1234:11e8; its DMA engine
 * is described in QEMU docs/specs/edu.txt) to write 16 bytes into VMM memory, the DRTM event log,
 * the SLB and its own memory. The VMM tells it where its own memory is in device address space
 * (hypercall 4: 0 with the IOMMU, which translates through the guest's I/O page tables; the host
 * address without it). The other targets are raw host addresses. The host reads every target back
 * (tests/qemu/dma/dma.sh). */
#include <tb/types.h>
#include <tb/string.h>

#define HC_CONSOLE_WRITE 1u
#define HC_SHUTDOWN      3u
#define HC_DEVICE_BAR    4u

#define EDU_ID           0x00u
#define EDU_DMA_SRC      0x80u
#define EDU_DMA_DST      0x88u
#define EDU_DMA_COUNT    0x90u
#define EDU_DMA_CMD      0x98u
#define EDU_CMD_RUN      1u
#define EDU_CMD_TO_RAM   2u             /* direction: device buffer -> memory */
#define EDU_BUFFER       0x40000u       /* the device's own 4 KiB buffer */

#define SRC_GPA          0x00200000u
#define OWN_GPA          0x00300000u
#define PATTERN          "TB-DMA-ATTACK-1!"
#define LEN              16u

static const struct { const char *name; u32 addr; } targets[] = {
	{ "vmm", 0x01100028u },           /* reserved bytes of the VMM header, measured, never read */
	{ "event-log", 0x01010000u },     /* the Spec ID header of the DRTM log */
	{ "slb", 0x00400010u },           /* the SLB at the launcher's first base candidate */
	{ "own", OWN_GPA },
};

void guest_main(void);

static u32 hypercall2(u32 fn, u32 a1, u32 a2, u32 *ebx)
{
	__asm__ volatile("vmmcall" : "+a"(fn), "+b"(a1), "+c"(a2) : : "memory", "edx");
	*ebx = a1;
	return fn;
}

static u32 hypercall(u32 fn, u32 a1, u32 a2)
{
	u32 ebx;
	return hypercall2(fn, a1, a2, &ebx);
}

static void say(const char *s) { hypercall(HC_CONSOLE_WRITE, (u32)(uptr)s, (u32)tb_strlen(s)); }

static void say_hex(u32 v)
{
	char s[11] = "0x";
	for (int i = 0; i < 8; i++)
		s[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
	s[10] = '\0';
	say(s);
}

static volatile u32 *reg(u32 bar, u32 off) { return (volatile u32 *)(uptr)(bar + off); }

/* One DMA transfer; 1 once the device reports it done. */
static int dma(u32 bar, u32 src, u32 dst, u32 cmd)
{
	*reg(bar, EDU_DMA_SRC) = src;
	*reg(bar, EDU_DMA_DST) = dst;
	*reg(bar, EDU_DMA_COUNT) = LEN;
	*reg(bar, EDU_DMA_CMD) = cmd | EDU_CMD_RUN;
	for (u32 i = 0; i < 400000000u; i++) {
		if (!(*reg(bar, EDU_DMA_CMD) & EDU_CMD_RUN))
			return 1;
	}
	return 0;
}

void guest_main(void)
{
	u32 off, bar = hypercall2(HC_DEVICE_BAR, 0, 0, &off);

	if (bar == 0xFFFFFFFFu) {
		say("no device assigned\n");
		hypercall(HC_SHUTDOWN, 2, 0);
	}
	say("device BAR0 ");
	say_hex(bar);
	say(" id ");
	say_hex(*reg(bar, EDU_ID));
	say("\n");
	tb_memcpy((void *)(uptr)SRC_GPA, PATTERN, LEN);
	say("device address of own memory 0 = ");
	say_hex(off);
	say("\n");
	if (!dma(bar, SRC_GPA + off, EDU_BUFFER, 0)) {
		say("DMA from own memory did not complete\n");
		hypercall(HC_SHUTDOWN, 3, 0);
	}
	for (u32 i = 0; i < TB_ARRAY_SIZE(targets); i++) {
		u32 to = targets[i].addr + (targets[i].addr == OWN_GPA ? off : 0);
		int done = dma(bar, EDU_BUFFER, to, EDU_CMD_TO_RAM);
		say("DMA write to ");
		say(targets[i].name);
		say(" at ");
		say_hex(to);
		say(done ? " issued\n" : " did not complete\n");
	}
	say(tb_memcmp((const void *)(uptr)OWN_GPA, PATTERN, LEN) == 0 ? "own memory written: yes\n"
								     : "own memory written: no\n");
	hypercall(HC_SHUTDOWN, 0, 0);
}
