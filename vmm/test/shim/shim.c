/* Test-only boot shim (see shim.S): copies the VMM to its load address and writes the boot-info
 * the SLB would write, from the multiboot modules ("path role" command lines,
 * docs/launch-protocol.md "Multiboot modules"). No measurement, no checks beyond what keeps the
 * shim itself from crashing: the VMM's own checks are what the tests exercise. */
#include <tb/types.h>
#include <tb/string.h>
#include <tb/serial.h>
#include <tb/bootinfo.h>
#include <tb/evlog.h>
#include <tb/tis.h>
#include <tb/io.h>

struct mb_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4], mmap_length, mmap_addr;
};
struct mb_module { u32 start, end, string, reserved; };
struct mb_mmap { u32 size; u64 addr, len; u32 type; } TB_PACKED;

u32 shim_main(u32 magic, const struct mb_info *mbi);

static TB_NORETURN void fail(const char *why)
{
	serial_puts(0x3F8, "shim: ");
	serial_puts(0x3F8, why);
	serial_puts(0x3F8, "\n");
	outb(0xF4, 0x13);
	for (;;)
		__asm__ volatile("hlt");
}

/* The role is the last space-separated word of the module command line. */
static const char *role_of(const char *s)
{
	const char *last = s;
	for (; *s != '\0'; s++) {
		if (*s == ' ' && s[1] != '\0' && s[1] != ' ')
			last = s + 1;
	}
	return last;
}

static int starts(const char *s, const char *p)
{
	return tb_memcmp(s, p, tb_strlen(p)) == 0;
}

u32 shim_main(u32 magic, const struct mb_info *mbi)
{
	struct tb_bootinfo *bi = (struct tb_bootinfo *)TB_BOOTINFO_ADDR;
	struct tb_evlog log;
	u32 entry = 0;

	serial_init(0x3F8);
	serial_puts(0x3F8, "shim: test boot shim (no SKINIT, nothing measured)\n");
	if (magic != 0x2BADB002u || !(mbi->flags & (1u << 3)) || !(mbi->flags & (1u << 6)))
		fail("no multiboot modules or memory map");
	tb_memset(bi, 0, sizeof(*bi));
	bi->magic = TB_BOOTINFO_MAGIC;
	bi->version = TB_BOOTINFO_VERSION;
	bi->size = sizeof(*bi);
	bi->launch_type = TB_LAUNCH_UNMEASURED;
	bi->slb_size = TB_SLB_SIZE;
	bi->console_port = 0x3F8;
	if (evlog_init(&log, (void *)TB_EVLOG_ADDR, TB_EVLOG_CAPACITY) != 0)
		fail("evlog_init");
	bi->evlog_addr = TB_EVLOG_ADDR;
	bi->evlog_capacity = TB_EVLOG_CAPACITY;
	bi->evlog_used = log.used;

	const struct mb_module *mods = (const struct mb_module *)mbi->mods_addr;
	for (u32 i = 0; i < mbi->mods_count; i++) {
		const char *role = role_of((const char *)mods[i].string);
		const u8 *data = (const u8 *)mods[i].start;
		u32 size = mods[i].end - mods[i].start;
		if (starts(role, "vmm")) {
			u64 load = *(const u64 *)(data + 8), mem = *(const u64 *)(data + 32);
			tb_memcpy((void *)(uptr)load, data, size);
			tb_memset((u8 *)(uptr)load + size, 0, (size_t)(mem - size));
			entry = (u32)*(const u64 *)(data + 16);
			bi->vmm_base = load;
			bi->vmm_mem_size = mem;
		} else if (starts(role, "config")) {
			if (size > TB_BOOTINFO_MAX_CONFIG)
				fail("config too large");
			tb_memcpy(bi->config, data, size);
			bi->config_size = size;
		} else if (starts(role, "guest=") || starts(role, "manifest=")) {
			if (bi->nr_modules == TB_BOOTINFO_MAX_MODULES)
				fail("too many modules");
			struct tb_module *m = &bi->modules[bi->nr_modules++];
			int guest = starts(role, "guest=");
			const char *name = role + (guest ? 6 : 9);
			m->addr = mods[i].start;
			m->size = size;
			m->kind = guest ? TB_MODULE_GUEST : TB_MODULE_MANIFEST;
			tb_memcpy(m->name, name, tb_strnlen(name, TB_MODULE_NAME_SIZE - 1));
		}
	}
	if (entry == 0)
		fail("no vmm module");

	for (u32 off = 0; off + 4 <= mbi->mmap_length && bi->nr_mem < TB_BOOTINFO_MAX_MEM;) {
		const struct mb_mmap *e = (const struct mb_mmap *)(mbi->mmap_addr + off);
		struct tb_mem *m = &bi->mem[bi->nr_mem++];
		m->addr = e->addr;
		m->size = e->len;
		m->type = e->type == 1 ? TB_MEM_USABLE : TB_MEM_RESERVED;
		off += e->size + 4;
	}
	/* SeaBIOS leaves locality 0 active; the VMM asks for locality 2. */
	tis_relinquish_locality(0);
	serial_puts(0x3F8, "shim: entering the VMM\n");
	return entry;
}
