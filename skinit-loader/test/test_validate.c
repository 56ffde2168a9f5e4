/* Host tests of the SLB's validation of launcher input: a valid baseline, then one field broken
 * per case (with the rule it breaks), boundary cases on both sides, and the reason text checked
 * for the word that names the problem. */
#include "validate.h"
#include <stdio.h>
#include <string.h>

static int failures, checks;
static char err[160];

#define BASE 0x00400000u

static struct tb_launch_params lp;
static struct slb_plan plan;

static void set_module(u32 i, u64 addr, u64 size, u32 role, const char *name)
{
	memset(&lp.modules[i], 0, sizeof(lp.modules[i]));
	lp.modules[i].addr = addr;
	lp.modules[i].size = size;
	lp.modules[i].role = role;
	if (name)
		strncpy(lp.modules[i].name, name, sizeof(lp.modules[i].name));
}

/* QEMU-like map for 512 MiB: low RAM, a hole, RAM from 1 MiB, the BIOS ROM reserved. */
static void baseline(void)
{
	memset(&lp, 0, sizeof(lp));
	lp.magic = TB_LP_MAGIC;
	lp.version = 1;
	lp.size = sizeof(lp);
	lp.flags = TB_LP_FLAG_EMULATED;
	lp.nr_mem = 3;
	lp.mem[0] = (struct tb_mem){ 0, 0x9fc00, TB_MEM_USABLE, 0 };
	lp.mem[1] = (struct tb_mem){ 0x100000, 0x1ff00000, TB_MEM_USABLE, 0 };
	lp.mem[2] = (struct tb_mem){ 0xfffc0000, 0x40000, TB_MEM_RESERVED, 0 };
	lp.nr_modules = 4;
	set_module(0, 0x200000, 0x1000, TB_ROLE_VMM, NULL);
	set_module(1, 0x210000, 50, TB_ROLE_CONFIG, NULL);
	set_module(2, 0x300000, 0x1000, TB_ROLE_GUEST, "alpha");
	set_module(3, 0x310000, 200, TB_ROLE_MANIFEST, "alpha");
}

static void expect(const char *id, u64 base, const char *want)
{
	int rc = slb_validate_params(&lp, base, &plan, err, sizeof(err));
	checks++;
	if (want == NULL ? rc != 0 : (rc == 0 || strstr(err, want) == NULL)) {
		failures++;
		fprintf(stderr, "FAIL params %s: rc %d, reason '%s', want %s\n", id, rc,
			rc ? err : "", want ? want : "accept");
	}
}

#define REJECT(id, mutation, want) do { baseline(); mutation; expect(id, BASE, want); } while (0)
#define ACCEPT(id, mutation) do { baseline(); mutation; expect(id, BASE, NULL); } while (0)

static void params_tests(void)
{
	ACCEPT("baseline", (void)0);
	checks++;
	if (plan.vmm != 0 || plan.config != 1 || plan.nr_extra != 2 || plan.extra[0] != 2 || plan.extra[1] != 3) {
		failures++;
		fprintf(stderr, "FAIL plan of the baseline\n");
	}
	/* SLB base */
	baseline(); expect("base misaligned", BASE + 0x1000, "64 KiB aligned");
	baseline(); expect("base below range", 0x3f0000, "64 KiB aligned");
	baseline(); expect("base above range", 0x1000000, "64 KiB aligned");
	baseline(); expect("base at top of range", 0xff0000, NULL);
	/* header */
	REJECT("magic", lp.magic ^= 1, "magic");
	REJECT("version", lp.version = 2, "version");
	REJECT("size", lp.size -= 1, "size");
	REJECT("unknown flag", lp.flags |= 2, "flags");
	REJECT("19 modules", lp.nr_modules = 19, "too many modules");
	REJECT("nr_mem 0", lp.nr_mem = 0, "nr_mem");
	REJECT("nr_mem 33", lp.nr_mem = 33, "nr_mem");
	/* memory map */
	REJECT("mem zero size", lp.mem[1].size = 0, "memory map entry 1");
	REJECT("mem wraps 64 bits", (lp.mem[2].addr = 0xfffffffffffff000ull, lp.mem[2].size = 0x2000), "memory map entry 2");
	REJECT("mem type 7", lp.mem[0].type = 7, "memory map entry 0");
	REJECT("mem reserved field", lp.mem[0].reserved = 1, "memory map entry 0");
	REJECT("RAM ends inside the VMM range", lp.mem[1].size = 0x3000000 - 0x100000, "not usable RAM");
	ACCEPT("RAM ends exactly at 0x04000000", lp.mem[1].size = 0x4000000 - 0x100000);
	REJECT("reserved entry over the SLB", (lp.nr_mem = 4, lp.mem[3] = (struct tb_mem){ 0x40f000, 0x1000, TB_MEM_RESERVED, 0 }), "SLB region");
	ACCEPT("RAM in two adjacent entries", (lp.mem[1].size = 0xf00000, lp.nr_mem = 4,
		lp.mem[3] = (struct tb_mem){ 0x1000000, 0x1f000000, TB_MEM_USABLE, 0 }));
	/* module fields */
	REJECT("role 9", lp.modules[2].role = 9, "unknown role");
	REJECT("role 0", lp.modules[2].role = 0, "unknown role");
	REJECT("module reserved", lp.modules[2].reserved = 1, "reserved field");
	REJECT("empty guest name", memset(lp.modules[2].name, 0, 32), "bad name");
	REJECT("uppercase name", lp.modules[2].name[0] = 'A', "bad name");
	REJECT("name with '/'", lp.modules[2].name[1] = '/', "bad name");
	REJECT("32-char name", memset(lp.modules[2].name, 'a', 32), "bad name");
	ACCEPT("31-char name", (memset(lp.modules[2].name, 'a', 31), memset(lp.modules[3].name, 'a', 31)));
	REJECT("bytes after the NUL", lp.modules[2].name[10] = 'x', "bad name");
	REJECT("vmm with a name", lp.modules[0].name[0] = 'v', "name must be empty");
	/* lengths and addresses */
	REJECT("zero length", lp.modules[0].size = 0, "zero length");
	REJECT("end wraps 32 bits", (lp.modules[0].addr = 0xfffff000u, lp.modules[0].size = 0x2000), "overflow");
	REJECT("address at 4 GiB", lp.modules[0].addr = 0x100000000ull, "overflow");
	REJECT("end wraps 64 bits", (lp.modules[0].addr = 0xffffffffffffffffull, lp.modules[0].size = 2), "overflow");
	REJECT("huge size", lp.modules[0].size = 0xffffffffffffffffull, "overflow");
	REJECT("at the SLB base", lp.modules[0].addr = BASE, "overlaps the SLB");
	REJECT("into the SLB from below", lp.modules[0].addr = BASE - 0xfff, "overlaps the SLB");
	ACCEPT("ends exactly at the SLB", lp.modules[0].addr = BASE - 0x1000);
	REJECT("last SLB byte", (lp.modules[0].addr = BASE + 0xffff, lp.modules[0].size = 1), "overlaps the SLB");
	ACCEPT("starts exactly after the SLB", lp.modules[0].addr = BASE + 0x10000);
	REJECT("boot-info", lp.modules[0].addr = 0xfff001, "boot-info");
	REJECT("event log", lp.modules[0].addr = 0x1020000, "event log");
	REJECT("page tables", lp.modules[0].addr = 0x1030000, "page tables");
	REJECT("VMM range, last page", lp.modules[0].addr = 0x3fff000, "VMM range");
	ACCEPT("guest pool", lp.modules[0].addr = 0x4000000);
	REJECT("crosses the low-RAM hole", lp.modules[0].addr = 0x9f000, "usable RAM");
	REJECT("beyond RAM", lp.modules[0].addr = 0x30000000, "usable RAM");
	REJECT("in reserved ROM", lp.modules[0].addr = 0xfffc0000, "usable RAM");
	REJECT("overlaps another module", lp.modules[2].addr = 0x210010, "overlaps module 1");
	/* roles */
	REJECT("two vmm", lp.modules[2].role = TB_ROLE_VMM, "");
	REJECT("two vmm (reason)", (lp.modules[2].role = TB_ROLE_VMM, memset(lp.modules[2].name, 0, 32)), "duplicate");
	REJECT("two config", (lp.modules[2].role = TB_ROLE_CONFIG, memset(lp.modules[2].name, 0, 32)), "duplicate");
	REJECT("two guests named alpha", (lp.nr_modules = 5, set_module(4, 0x320000, 1, TB_ROLE_GUEST, "alpha")), "duplicate");
	REJECT("missing vmm", (lp.modules[0] = lp.modules[3], lp.nr_modules = 3), "missing vmm");
	REJECT("missing config", (lp.modules[1] = lp.modules[3], lp.nr_modules = 3), "missing config");
	REJECT("config 4097 bytes", lp.modules[1].size = 4097, "config module length");
	ACCEPT("config 4096 bytes", lp.modules[1].size = 4096);
	REJECT("manifest without guest", strcpy(lp.modules[3].name, "beta"), "manifest without");
	ACCEPT("initrd of a guest", (lp.nr_modules = 5, set_module(4, 0x320000, 0x1000, TB_ROLE_INITRD, "alpha")));
	REJECT("initrd without guest", (lp.nr_modules = 5, set_module(4, 0x320000, 0x1000, TB_ROLE_INITRD, "beta")), "initrd without");
	REJECT("two initrds named alpha", (lp.nr_modules = 6, set_module(4, 0x320000, 1, TB_ROLE_INITRD, "alpha"),
					   set_module(5, 0x330000, 1, TB_ROLE_INITRD, "alpha")), "duplicate");
	REJECT("initrd with a bad name", (lp.nr_modules = 5, set_module(4, 0x320000, 1, TB_ROLE_INITRD, "Alpha")), "bad name");
	REJECT("role 6", (lp.nr_modules = 5, set_module(4, 0x320000, 1, 6, "alpha")), "unknown role");
	{
		baseline();
		lp.nr_modules = 18;
		for (u32 i = 2; i < 18; i++) {
			char name[8];
			snprintf(name, sizeof(name), "g%u", i);
			set_module(i, 0x300000 + 0x1000 * i, 0x100, TB_ROLE_GUEST, name);
		}
		expect("16 guests", BASE, NULL);
		lp.modules[1].role = TB_ROLE_GUEST;           /* 17 guests, no config */
		strcpy(lp.modules[1].name, "g1");
		expect("17 guests", BASE, "too many guest");
	}
}

static struct tb_vmm_header vh;

static void vmm_baseline(void)
{
	memset(&vh, 0, sizeof(vh));
	memcpy(vh.magic, "TBVM", 4);
	vh.version = 1;
	vh.load_addr = 0x1100000;
	vh.entry = 0x1100040;
	vh.image_size = 0x3000;
	vh.mem_size = 0x8000;
}

static void vmm_expect(const char *id, u64 module_size, const char *want)
{
	int rc = slb_validate_vmm_header(&vh, module_size, err, sizeof(err));
	checks++;
	if (want == NULL ? rc != 0 : (rc == 0 || strstr(err, want) == NULL)) {
		failures++;
		fprintf(stderr, "FAIL vmm %s: rc %d, reason '%s', want %s\n", id, rc, rc ? err : "", want ? want : "accept");
	}
}

#define VREJECT(id, mutation, want) do { vmm_baseline(); mutation; vmm_expect(id, vh.image_size, want); } while (0)
#define VACCEPT(id, mutation) do { vmm_baseline(); mutation; vmm_expect(id, vh.image_size, NULL); } while (0)

static void vmm_tests(void)
{
	VACCEPT("baseline", (void)0);
	vmm_baseline(); vmm_expect("module shorter than header", 63, "below the 64-byte header");
	vmm_baseline(); vmm_expect("module size differs", 0x3001, "image size");
	VREJECT("magic", vh.magic[3] = 'X', "magic");
	VREJECT("version", vh.version = 2, "version");
	VREJECT("load not aligned", vh.load_addr += 0x800, "aligned");
	VREJECT("mem below image", vh.mem_size = 0x2fff, "memory size");
	VACCEPT("mem equal image", vh.mem_size = 0x3000);
	VREJECT("load below range", (vh.load_addr = 0x10ff000, vh.entry = 0x10ff040), "outside 0x01100000");
	VACCEPT("ends exactly at 0x03e00000 (the SLB device table)", (vh.load_addr = 0x3df8000, vh.entry = 0x3df8040));
	VREJECT("runs into the SLB device table", (vh.load_addr = 0x3df9000, vh.entry = 0x3df9040), "outside 0x01100000");
	VREJECT("ends one page late", (vh.load_addr = 0x3ff9000, vh.entry = 0x3ff9040), "outside 0x01100000");
	VREJECT("load wraps", (vh.load_addr = 0xfffffffffffff000ull, vh.entry = 0), "outside 0x01100000");
	VREJECT("huge mem size", vh.mem_size = 0xffffffffffffff00ull, "outside 0x01100000");
	VREJECT("entry in header", vh.entry = 0x110003f, "entry point");
	VACCEPT("entry on last byte", vh.entry = 0x1102fff);
	VREJECT("entry after image", vh.entry = 0x1103000, "entry point");
	VREJECT("reserved byte", vh.reserved[23] = 1, "reserved");
}

static unsigned char cfg[4200];
static size_t cfg_len;

/* TBLC v1: N signers, a command line of L printable bytes. */
static void cfg_baseline(unsigned n, unsigned l)
{
	memset(cfg, 0, sizeof(cfg));
	memcpy(cfg, "TBLC", 4);
	cfg[4] = 1;
	cfg[6] = (unsigned char)n;
	for (unsigned i = 0; i < n; i++) {
		memset(cfg + 8 + 40 * i, 0x11 * (i + 1), 32);   /* key */
		cfg[8 + 40 * i + 32] = 3;                        /* minimum security version */
	}
	cfg[8 + 40 * n] = (unsigned char)l;
	cfg[9 + 40 * n] = (unsigned char)(l >> 8);
	memset(cfg + 10 + 40 * n, 'x', l);
	cfg_len = 10 + 40 * n + l;
}

static void cfg_expect(const char *id, const char *want)
{
	int rc = slb_validate_config(cfg, cfg_len, err, sizeof(err));
	checks++;
	if (want == NULL ? rc != 0 : (rc == 0 || strstr(err, want) == NULL)) {
		failures++;
		fprintf(stderr, "FAIL config %s: rc %d, reason '%s', want %s\n", id, rc, rc ? err : "", want ? want : "accept");
	}
}

/* TBLC v2: an Ed25519 signer (type 1, 32 bytes) and an HSS/LMS signer (type 2, 60 bytes), 7-byte line. */
static void cfg_v2(void)
{
	memset(cfg, 0, sizeof(cfg));
	memcpy(cfg, "TBLC", 4);
	cfg[4] = 2;
	cfg[6] = 2;
	cfg[8] = 1, cfg[10] = 32;             /*  8 type 1, length 32; 12 min SV; 16 key */
	cfg[48] = 2, cfg[50] = 60;            /* 48 type 2, length 60; 52 min SV; 56 key */
	cfg[116] = 7;                         /* 116 command-line length */
	memset(cfg + 118, 'x', 7);
	cfg_len = 125;
}

#define CV2(id, mutation, want) do { cfg_v2(); mutation; cfg_expect(id, want); } while (0)

#define CREJECT(id, n, l, mutation, want) do { cfg_baseline(n, l); mutation; cfg_expect(id, want); } while (0)

static void config_tests(void)
{
	CREJECT("baseline", 1, 7, (void)0, NULL);
	CREJECT("16 signers, 1024-byte command line", 16, 1024, (void)0, NULL);
	CREJECT("empty command line", 1, 0, (void)0, NULL);
	CREJECT("magic", 1, 7, cfg[0] = 'X', "magic");
	CREJECT("version 3", 1, 7, cfg[4] = 3, "version");
	CREJECT("v1 read as v2", 1, 7, cfg[4] = 2, "signer 0: key type and length");
	CV2("v2 Ed25519 + LMS", (void)0, NULL);
	CV2("v2 LMS key length 56", cfg[50] = 56, "signer 1: key type and length");
	CV2("v2 key type 3", cfg[48] = 3, "signer 1: key type and length");
	CV2("v2 Ed25519 length 60", cfg[10] = 60, "signer 0: key type and length");
	CV2("v2 truncated in the LMS key", cfg_len = 100, "truncated");
	CV2("v2 truncated in a signer header", cfg_len = 52, "truncated");
	CV2("v2 trailing byte", cfg_len++, "fields end at");
	CREJECT("0 signers", 1, 7, cfg[6] = 0, "signer count");
	CREJECT("17 signers", 1, 7, cfg[6] = 17, "signer count");
	CREJECT("signer reserved", 2, 7, cfg[8 + 40 + 36] = 1, "signer 1: reserved");
	CREJECT("command line 1025", 16, 1024, (cfg[8 + 640] = 0x01, cfg[9 + 640] = 0x04, cfg_len++), "above 1024");
	CREJECT("trailing byte", 1, 7, cfg_len++, "fields end at");
	CREJECT("one byte short", 1, 7, cfg_len--, "fields end at");
	CREJECT("truncated in signers", 2, 0, cfg_len = 50, "truncated");
	CREJECT("shorter than header", 1, 7, cfg_len = 7, "shorter");
	CREJECT("longer than 4096", 16, 1024, cfg_len = 4097, "4096");
	CREJECT("control char", 1, 7, cfg[50 + 3] = '\n', "offset 53");
	CREJECT("DEL", 1, 7, cfg[50] = 0x7f, "non-printable");
}

int main(void)
{
	params_tests();
	vmm_tests();
	config_tests();
	if (failures) {
		fprintf(stderr, "test_validate: %d of %d checks FAILED\n", failures, checks);
		return 1;
	}
	printf("test_validate: %d checks passed\n", checks);
	return 0;
}
