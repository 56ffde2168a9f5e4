/* The launcher: untrusted, unmeasured. It gathers the boot modules and the memory map from the
 * boot loader, places the SLB at a 64 KiB-aligned base, fills the SLB's launch parameters and
 * executes SKINIT (or, with skinit=emulate, has the harness play the CPU's measurement and then
 * reproduces SKINIT's exit state). The SLB re-checks everything it is given. */
#include "launcher.h"
#include <tb/io.h>
#include <tb/serial.h>
#include <tb/string.h>

#define COM1 0x3F8u
#define COM2 0x2F8u
#define DEBUG_EXIT_PORT 0xF4u
#define DEBUG_EXIT_LAUNCHER 0x13u

#define MB1_MAGIC 0x2BADB002u
#define MB2_MAGIC 0x36D76289u
#define MAX_BOOT_MODULES 24u
#define ROLE_SLB 100u                    /* launcher-internal: not passed on */

/* Harness reply wait: each poll is a UART status read plus a port 0x80 write (about 6 s in
 * all under QEMU TCG; the harness answers within a fraction of a second). */
#define COM2_POLLS 40000000u

TB_NORETURN void launcher_main(u32 magic, u32 info);
TB_NORETURN void launcher_skinit(u32 base);
TB_NORETURN void launcher_emulate_exit(u32 base, u32 entry_offset, u32 family_model);
extern char __launcher_start[], __launcher_end[];

struct boot_module {
	u32 start, end;
	const char *cmdline;
	u32 role;
	char name[TB_MODULE_NAME_SIZE];
};

static struct boot_module mods[MAX_BOOT_MODULES];
static u32 nr_mods;
static struct tb_mem mem[TB_LP_MAX_MEM];
static u32 nr_mem;
static const char *cmdline = "";
static struct tb_launch_params lp;

static void say(const char *s)
{
	serial_puts(COM1, "LAUNCHER: ");
	serial_puts(COM1, s);
	serial_putc(COM1, '\n');
}

TB_NORETURN void fail(const char *s)
{
	serial_puts(COM1, "LAUNCHER: error: ");
	serial_puts(COM1, s);
	serial_putc(COM1, '\n');
	outb(DEBUG_EXIT_PORT, DEBUG_EXIT_LAUNCHER);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

const char *find_word(const char *s, const char *prefix, u32 *rest_len)
{
	u32 plen = (u32)tb_strlen(prefix);

	while (*s != '\0') {
		while (is_space(*s))
			s++;
		const char *w = s;
		while (*s != '\0' && !is_space(*s))
			s++;
		if ((u32)(s - w) >= plen && tb_memcmp(w, prefix, plen) == 0) {
			*rest_len = (u32)(s - w) - plen;
			return w + plen;
		}
	}
	return NULL;
}

/* One console line per module as the launcher understood it: protocol, range, role word. */
static void say_module(const char *protocol, const struct boot_module *m)
{
	serial_puts(COM1, "LAUNCHER: ");
	serial_puts(COM1, protocol);
	serial_puts(COM1, " module ");
	serial_puthex_width(COM1, m->start, 8);
	serial_putc(COM1, '-');
	serial_puthex_width(COM1, m->end, 8);
	serial_puts(COM1, " role ");
	if (m->role == ROLE_SLB) {
		serial_puts(COM1, "slb");
	} else if (m->role == TB_ROLE_VMM) {
		serial_puts(COM1, "vmm");
	} else if (m->role == TB_ROLE_CONFIG) {
		serial_puts(COM1, "config");
	} else {
		serial_puts(COM1, m->role == TB_ROLE_GUEST ? "guest=" :
				  m->role == TB_ROLE_INITRD ? "initrd=" : "manifest=");
		serial_puts(COM1, m->name);            /* NUL-padded, at most 31 characters */
	}
	serial_putc(COM1, '\n');
}

bool word_is(const char *w, u32 len, const char *lit)
{
	return tb_strlen(lit) == len && tb_memcmp(w, lit, len) == 0;
}

static void add_module(u32 start, u32 end, const char *cl)
{
	if (nr_mods == MAX_BOOT_MODULES)
		fail("more than 24 boot modules");
	if (end <= start)
		fail("boot module with end <= start");
	mods[nr_mods].start = start;
	mods[nr_mods].end = end;
	mods[nr_mods].cmdline = cl ? cl : "";
	nr_mods++;
}

static void add_mem(u64 addr, u64 len, u32 type)
{
	if (len == 0)
		return;
	if (nr_mem == TB_LP_MAX_MEM)
		fail("memory map has more than 32 entries");
	mem[nr_mem].addr = addr;
	mem[nr_mem].size = len;
	mem[nr_mem].type = type == 1 ? TB_MEM_USABLE : TB_MEM_RESERVED;
	nr_mem++;
}

/* Multiboot 0.6.96 §3.3 boot information. */
static void parse_mb1(u32 info)
{
	const u32 *mbi = (const u32 *)(uptr)info;
	u32 flags = mbi[0];

	if (flags & (1u << 2))
		cmdline = (const char *)(uptr)mbi[4];
	if (flags & (1u << 3)) {
		const u32 *m = (const u32 *)(uptr)mbi[6];
		for (u32 i = 0; i < mbi[5]; i++, m += 4)
			add_module(m[0], m[1], (const char *)(uptr)m[2]);
	}
	if (!(flags & (1u << 6)))
		fail("multiboot: no memory map (flag 6)");
	u32 p = mbi[12], end = mbi[12] + mbi[11];
	while (p + 24 <= end) {
		u32 size = *(const u32 *)(uptr)p;
		const u8 *e = (const u8 *)(uptr)(p + 4);
		u64 addr, len;
		u32 type;
		tb_memcpy(&addr, e, 8);
		tb_memcpy(&len, e + 8, 8);
		tb_memcpy(&type, e + 16, 4);
		add_mem(addr, len, type);
		if (size < 20)
			fail("multiboot: memory map entry size below 20");
		p += size + 4;
	}
}

/* True if a NUL ends the string within [s, s + len): a tag's string must not run past its tag. */
static bool nul_within(u32 s, u32 len)
{
	for (u32 i = 0; i < len; i++) {
		if (*(const char *)(uptr)(s + i) == '\0')
			return true;
	}
	return false;
}

/* Multiboot2 §3.6 boot information: 8-byte aligned tags. The boot loader is not trusted either:
 * every tag must fit the total size, and its fixed fields and string must fit the tag. */
static void parse_mb2(u32 info)
{
	u32 total = *(const u32 *)(uptr)info;
	if (total < 8 || info + total < info)
		fail("multiboot2: total_size below 8 or beyond 4 GiB");
	u32 p = info + 8, end = info + total;
	bool have_mmap = false;

	while (p < end && end - p >= 8) {          /* p may pass end by the 8-byte rounding */
		u32 type = *(const u32 *)(uptr)p, size = *(const u32 *)(uptr)(p + 4);
		if (type == 0)
			break;
		if (size < 8 || size > end - p)
			fail("multiboot2: tag size out of bounds");
		if (type == 1) {
			if (!nul_within(p + 8, size - 8))
				fail("multiboot2: command line tag without a NUL");
			cmdline = (const char *)(uptr)(p + 8);
		} else if (type == 3) {
			const u32 *t = (const u32 *)(uptr)p;
			if (size < 16 || !nul_within(p + 16, size - 16))
				fail("multiboot2: module tag shorter than 16 bytes or its string without a NUL");
			add_module(t[2], t[3], (const char *)(uptr)(p + 16));
		} else if (type == 6) {
			if (size < 16)
				fail("multiboot2: memory map tag shorter than 16 bytes");
			u32 esize = *(const u32 *)(uptr)(p + 8);
			if (esize < 24)
				fail("multiboot2: memory map entry size below 24");
			for (u32 e = p + 16; e + esize <= p + size; e += esize) {
				u64 addr, len;
				u32 t;
				tb_memcpy(&addr, (const void *)(uptr)e, 8);
				tb_memcpy(&len, (const void *)(uptr)(e + 8), 8);
				tb_memcpy(&t, (const void *)(uptr)(e + 16), 4);
				add_mem(addr, len, t);
			}
			have_mmap = true;
		}
		p += (size + 7) & ~7u;
	}
	if (!have_mmap)
		fail("multiboot2: no memory map tag");
}

/* Role = last whitespace-separated word of the module's command line (launch protocol). */
static void classify(struct boot_module *m)
{
	const char *s = m->cmdline, *w = s, *last = NULL;
	u32 last_len = 0;

	while (*s != '\0') {
		while (is_space(*s))
			s++;
		w = s;
		while (*s != '\0' && !is_space(*s))
			s++;
		if (s > w) {
			last = w;
			last_len = (u32)(s - w);
		}
	}
	if (last == NULL)
		fail("boot module without a role word");
	if (word_is(last, last_len, "slb")) {
		m->role = ROLE_SLB;
	} else if (word_is(last, last_len, "vmm")) {
		m->role = TB_ROLE_VMM;
	} else if (word_is(last, last_len, "config")) {
		m->role = TB_ROLE_CONFIG;
	} else {
		u32 plen;
		if (last_len > 6 && tb_memcmp(last, "guest=", 6) == 0) {
			m->role = TB_ROLE_GUEST;
			plen = 6;
		} else if (last_len > 9 && tb_memcmp(last, "manifest=", 9) == 0) {
			m->role = TB_ROLE_MANIFEST;
			plen = 9;
		} else if (last_len > 7 && tb_memcmp(last, "initrd=", 7) == 0) {
			m->role = TB_ROLE_INITRD;
			plen = 7;
		} else {
			fail("boot module with an unknown role word");
		}
		if (last_len - plen >= TB_MODULE_NAME_SIZE)
			fail("module name longer than 31 characters");
		tb_memcpy(m->name, last + plen, last_len - plen);
	}
}

static void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static bool range_free(u32 base)
{
	if (base < (u32)(uptr)__launcher_end && (u32)(uptr)__launcher_start < base + TB_SLB_SIZE)
		return false;
	for (u32 i = 0; i < nr_mods; i++) {
		if (mods[i].start < base + TB_SLB_SIZE && base < mods[i].end)
			return false;
	}
	for (u32 i = 0; i < nr_mem; i++) {
		u64 a = mem[i].addr, e = mem[i].addr + mem[i].size;
		if (mem[i].type == TB_MEM_USABLE && a <= base && base + TB_SLB_SIZE <= e)
			return true;
	}
	return false;
}

/* Modules the boot loader left inside 0x00400000-0x03FFFFFF, where the SLB, boot-info, event log
 * and VMM go (docs/launch-protocol.md "Physical memory layout"), move to the top of the highest
 * usable RAM entry below 4 GiB. A Linux guest's kernel and initrd are large enough for QEMU's and
 * GRUB's placement right after the launcher to reach that window. The SLB re-checks every range. */
static void move_modules_out(void)
{
	u64 top = 0, floor = 0;

	for (u32 i = 0; i < nr_mem; i++) {
		u64 a = mem[i].addr, e = a + mem[i].size;
		if (mem[i].type != TB_MEM_USABLE || a >= 0x100000000ull)
			continue;
		if (e > 0x100000000ull)
			e = 0x100000000ull;
		if (e > top) {
			top = e;
			floor = a;
		}
	}
	if (floor < TB_VMM_END)
		floor = TB_VMM_END;
	top &= ~0xFFFull;
	for (u32 i = nr_mods; i-- > 0;) {
		struct boot_module *m = &mods[i];
		if (m->end <= TB_SLB_MIN_BASE || m->start >= TB_VMM_END)
			continue;
		u32 size = m->end - m->start;
		if (size > top - floor)
			fail("no room above 0x04000000 for a module inside 0x00400000-0x03ffffff");
		u32 dst = (u32)((top - size) & ~0xFFFull);
		if (dst < floor)
			fail("no room above 0x04000000 for a module inside 0x00400000-0x03ffffff");
		for (u32 j = 0; j < nr_mods; j++) {
			if (j != i && mods[j].start < dst + size && dst < mods[j].end)
				fail("no room above 0x04000000 for a module inside 0x00400000-0x03ffffff");
		}
		tb_memmove((void *)(uptr)dst, (const void *)(uptr)m->start, size);
		m->start = dst;
		m->end = dst + size;
		top = dst;
	}
}

/* Other processors must be in INIT before SKINIT (APM §15.27.4). Only one processor is
 * supported so far: send INIT to all others through the local APIC and carry on. */
static void init_other_cpus(void)
{
	u64 apic = rdmsr(0x1B);

	if (!(apic & (1u << 11)))
		return;                                   /* APIC disabled: no IPIs, no APs awake */
	if (apic & (1u << 10)) {
		wrmsr(0x830, 0x000C4500);                 /* x2APIC ICR: INIT, all excluding self */
		return;
	}
	uptr icr = (uptr)(apic & 0xFFFFF000u) + 0x300;
	mmio_write32(icr + 0x10, 0);
	mmio_write32(icr, 0x000C4500);                    /* INIT, level assert, all excluding self */
	for (u32 i = 0; i < 100000 && (mmio_read32(icr) & (1u << 12)); i++)
		io_delay();
}

/* COM2 request/ack of docs/launch-protocol.md "Emulated SKINIT". */
static void harness_measure(u32 base, u16 len)
{
	char line[64];
	u32 n = 0;
	int c;

	serial_puts(COM2, "TB-SKINIT base=");
	serial_puthex_width(COM2, base, 8);
	serial_puts(COM2, " len=");
	serial_puthex_width(COM2, len, 4);
	serial_putc(COM2, '\n');
	if (inb(COM2 + 5) == 0xFF) {
		say("no COM2 UART: the SLB will record an unmeasured launch");
		return;
	}
	for (u32 i = 0; i < COM2_POLLS; i++) {
		if (!serial_getc_poll(COM2, &c)) {
			io_delay();
			continue;
		}
		if (c == '\r')
			continue;
		if (c != '\n') {
			if (n < sizeof(line) - 1)
				line[n++] = (char)c;
			continue;
		}
		line[n] = '\0';
		if (n == 2 && line[0] == 'O' && line[1] == 'K') {
			say("harness measured the SLB (emulated SKINIT)");
		} else {
			serial_puts(COM1, "LAUNCHER: harness answered '");
			serial_puts(COM1, line);
			serial_puts(COM1, "': the SLB will record an unmeasured launch\n");
		}
		return;
	}
	say("no answer from the harness: the SLB will record an unmeasured launch");
}

TB_NORETURN void launcher_main(u32 magic, u32 info)
{
	u32 a, b, c, d, elen = 0;
	struct boot_module *slb = NULL;

	serial_init(COM1);
	serial_init(COM2);
	say("trustbit launcher (untrusted, unmeasured)");
	if (magic == MB1_MAGIC)
		parse_mb1(info);
	else if (magic == MB2_MAGIC)
		parse_mb2(info);
	else
		fail("not started by a multiboot loader (bad EAX magic)");

	test_options_cmdline(cmdline);
	const char *em = find_word(cmdline, "skinit=", &elen);
	bool emulate = em != NULL && word_is(em, elen, "emulate");

	/* Modules by role; exactly one SLB. Duplicates of other roles are passed on for the SLB
	 * to refuse (it must never rely on this check). */
	for (u32 i = 0; i < nr_mods; i++) {
		classify(&mods[i]);
		say_module(magic == MB1_MAGIC ? "multiboot" : "multiboot2", &mods[i]);
		if (mods[i].role == ROLE_SLB) {
			if (slb != NULL)
				fail("more than one slb module");
			slb = &mods[i];
		}
	}
	if (slb == NULL)
		fail("no slb module");
	if (nr_mods - 1 > TB_LP_MAX_MODULES)
		fail("more than 18 modules besides the SLB");
	move_modules_out();

	/* CPU: SVM (CPUID Fn8000_0001 ECX[2]) and SKINIT (ECX[12]), AMD APM vol. 3, App. E. */
	cpuid(0x80000000u, &a, &b, &c, &d);
	if (a < 0x80000001u)
		fail("CPUID leaf 0x80000001 missing");
	cpuid(0x80000001u, &a, &b, &c, &d);
	if (!(c & (1u << 2)))
		fail("CPU has no SVM (CPUID 8000_0001h ECX[2] = 0)");
	if (!emulate && !(c & (1u << 12)))
		fail("CPU has no SKINIT (CPUID 8000_0001h ECX[12] = 0); skinit=emulate is for tests only");
	if (!emulate && (rdmsr(0xC0010114) & (1u << 4)))
		fail("SVM disabled by firmware (VM_CR.SVMDIS)");

	/* The SLB image: header sanity here only to fail early; the CPU and the SLB decide. */
	u32 slb_len = slb->end - slb->start;
	const struct tb_slb_header *sh = (const struct tb_slb_header *)(uptr)slb->start;
	if (slb_len < sizeof(*sh) || slb_len > TB_LP_OFFSET || sh->magic != TB_SLB_MAGIC ||
	    sh->length < sizeof(*sh) || sh->length > slb_len || sh->entry >= sh->length ||
	    sh->lp_offset != TB_LP_OFFSET)
		fail("slb module is not a trustbit SLB image (header)");

	u32 base = 0;
	for (u32 cand = TB_SLB_MIN_BASE; cand <= TB_SLB_MAX_BASE; cand += TB_SLB_SIZE) {
		if (range_free(cand)) {
			base = cand;
			break;
		}
	}
	if (base == 0)
		fail("no free 64 KiB-aligned SLB base in 0x00400000-0x00ff0000");

	/* Parameters: the module list (without the SLB) and the memory map. */
	tb_memset(&lp, 0, sizeof(lp));
	lp.magic = TB_LP_MAGIC;
	lp.version = TB_LP_VERSION;
	lp.size = sizeof(lp);
	lp.flags = emulate ? TB_LP_FLAG_EMULATED : 0;
	for (u32 i = 0; i < nr_mods; i++) {
		if (mods[i].role == ROLE_SLB)
			continue;
		struct tb_lp_module *m = &lp.modules[lp.nr_modules++];
		m->addr = mods[i].start;
		m->size = mods[i].end - mods[i].start;
		m->role = mods[i].role;
		tb_memcpy(m->name, mods[i].name, TB_MODULE_NAME_SIZE);
	}
	lp.nr_mem = nr_mem;
	for (u32 i = 0; i < nr_mem; i++)
		lp.mem[i] = mem[i];
	test_options_params(&lp, base);

	u8 *dst = (u8 *)(uptr)base;
	tb_memcpy(dst, (const void *)(uptr)slb->start, slb_len);
	tb_memset(dst + slb_len, 0, TB_SLB_SIZE - slb_len);
	tb_memcpy(dst + TB_LP_OFFSET, &lp, sizeof(lp));
	serial_puts(COM1, "LAUNCHER: SLB at ");
	serial_puthex_width(COM1, base, 8);
	serial_puts(COM1, ", measured length ");
	serial_puthex(COM1, sh->length);
	serial_puts(COM1, emulate ? ", emulated SKINIT\n" : ", SKINIT\n");

	init_other_cpus();
	cpuid(1, &a, &b, &c, &d);
	u32 family_model = a;
	wrmsr(0xC0000080, rdmsr(0xC0000080) | (1u << 12));   /* EFER.SVME: SKINIT and CLGI need it */
	if (!emulate)
		launcher_skinit(base);
	harness_measure(base, sh->length);
	__asm__ volatile("clgi" ::: "memory");              /* GIF = 0 as SKINIT leaves it */
	launcher_emulate_exit(base, sh->entry, family_model);
}
