/* Launch parameter, VMM header and launch configuration validation. Everything here is hostile
 * input: every address/length is checked for overflow before it is used in a comparison, and the
 * first failed rule is reported with the field it concerns. */
#include "validate.h"
#include "msg.h"
#include <tb/string.h>

#define FOUR_GIB 0x100000000ull

/* Regions no module may touch (docs/launch-protocol.md "Physical memory layout"). Names are
 * arrays, not pointers: a pointer in data would need a relocation the SLB cannot have. */
static const struct {
	u32 start, end;
	char name[16];
} fixed_regions[] = {
	{ TB_BOOTINFO_ADDR, TB_BOOTINFO_END, "boot-info" },
	{ TB_EVLOG_ADDR, TB_EVLOG_ADDR + TB_EVLOG_CAPACITY, "event log" },
	{ TB_SLB_SCRATCH_ADDR, TB_SLB_SCRATCH_END, "SLB page tables" },
	{ TB_VMM_MIN_ADDR, TB_VMM_END, "VMM range" },
};

static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	/* Callers guarantee a + alen and b + blen do not wrap. */
	return a < b + blen && b < a + alen;
}

/* [addr, addr+size) lies inside the union of usable entries and touches no other entry. */
static bool usable_ram(const struct tb_launch_params *lp, u64 addr, u64 size)
{
	u64 cur = addr, end = addr + size;

	for (u32 i = 0; i < lp->nr_mem; i++) {
		const struct tb_mem *m = &lp->mem[i];
		if (m->type != TB_MEM_USABLE && overlaps(addr, size, m->addr, m->size))
			return false;
	}
	/* Each pass advances cur past one usable entry or fails: at most nr_mem passes. */
	for (u32 pass = 0; pass <= lp->nr_mem && cur < end; pass++) {
		bool advanced = false;
		for (u32 i = 0; i < lp->nr_mem; i++) {
			const struct tb_mem *m = &lp->mem[i];
			if (m->type == TB_MEM_USABLE && m->addr <= cur && cur < m->addr + m->size) {
				cur = m->addr + m->size;
				advanced = true;
				break;
			}
		}
		if (!advanced)
			return false;
	}
	return cur >= end;
}

static const char *role_name(u32 role)
{
	switch (role) {
	case TB_ROLE_VMM: return "vmm";
	case TB_ROLE_CONFIG: return "config";
	case TB_ROLE_GUEST: return "guest";
	case TB_ROLE_MANIFEST: return "manifest";
	case TB_ROLE_INITRD: return "initrd";
	default: return "unknown role";
	}
}

/* NAME: [a-z0-9_-]{1,31}, NUL-padded to 32 bytes. */
static bool valid_name(const char name[TB_MODULE_NAME_SIZE])
{
	u32 n = 0;

	while (n < TB_MODULE_NAME_SIZE && name[n] != '\0') {
		char c = name[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
		n++;
	}
	if (n == 0 || n == TB_MODULE_NAME_SIZE)
		return false;
	for (u32 i = n; i < TB_MODULE_NAME_SIZE; i++) {
		if (name[i] != '\0')
			return false;
	}
	return true;
}

static bool all_zero(const void *p, u32 n)
{
	const u8 *b = p;

	for (u32 i = 0; i < n; i++) {
		if (b[i] != 0)
			return false;
	}
	return true;
}

static int fail_module(struct msg *m, u32 i, const struct tb_lp_module *mod, const char *what)
{
	msg_str(m, "launch params: module ");
	msg_dec(m, i);
	msg_str(m, " (");
	msg_str(m, role_name(mod->role));
	if (mod->role >= TB_ROLE_GUEST && mod->role <= TB_ROLE_INITRD) {
		msg_str(m, "=");
		char name[TB_MODULE_NAME_SIZE + 1];
		tb_memcpy(name, mod->name, TB_MODULE_NAME_SIZE);
		name[TB_MODULE_NAME_SIZE] = '\0';
		msg_str(m, valid_name(mod->name) ? name : "?");
	}
	msg_str(m, "): ");
	msg_str(m, what);
	return -1;
}

static int fail(struct msg *m, const char *what)
{
	msg_str(m, what);
	return -1;
}

static int check_memory_map(const struct tb_launch_params *lp, u64 slb_base, struct msg *m)
{
	if (lp->nr_mem == 0 || lp->nr_mem > TB_LP_MAX_MEM)
		return fail(m, "launch params: nr_mem out of range 1..32");
	for (u32 i = 0; i < lp->nr_mem; i++) {
		const struct tb_mem *e = &lp->mem[i];
		if (e->size == 0 || e->addr + e->size < e->addr ||
		    (e->type != TB_MEM_USABLE && e->type != TB_MEM_RESERVED) || e->reserved != 0) {
			msg_str(m, "launch params: memory map entry ");
			msg_dec(m, i);
			return fail(m, ": zero length, overflow, unknown type or reserved field set");
		}
	}
	if (!usable_ram(lp, slb_base, TB_SLB_SIZE))
		return fail(m, "launch params: SLB region is not usable RAM in the memory map");
	if (!usable_ram(lp, TB_BOOTINFO_ADDR, TB_VMM_END - TB_BOOTINFO_ADDR))
		return fail(m, "launch params: 0x01000000-0x03ffffff (boot-info, event log, VMM) is not usable RAM");
	return 0;
}

static int check_module(const struct tb_launch_params *lp, u32 i, u64 slb_base, struct msg *m)
{
	const struct tb_lp_module *mod = &lp->modules[i];

	if (mod->role < TB_ROLE_VMM || mod->role > TB_ROLE_INITRD)
		return fail_module(m, i, mod, "unknown role");
	if (mod->reserved != 0)
		return fail_module(m, i, mod, "reserved field not zero");
	if (mod->role >= TB_ROLE_GUEST) {
		if (!valid_name(mod->name))
			return fail_module(m, i, mod, "bad name (want [a-z0-9_-]{1,31}, NUL-padded)");
	} else if (!all_zero(mod->name, TB_MODULE_NAME_SIZE)) {
		return fail_module(m, i, mod, "name must be empty for this role");
	}
	if (mod->size == 0)
		return fail_module(m, i, mod, "zero length");
	if (mod->addr >= FOUR_GIB || mod->size > FOUR_GIB - mod->addr)
		return fail_module(m, i, mod, "address + length overflow (beyond 4 GiB)");
	if (overlaps(mod->addr, mod->size, slb_base, TB_SLB_SIZE))
		return fail_module(m, i, mod, "overlaps the SLB");
	for (u32 r = 0; r < TB_ARRAY_SIZE(fixed_regions); r++) {
		if (overlaps(mod->addr, mod->size, fixed_regions[r].start,
			     fixed_regions[r].end - fixed_regions[r].start)) {
			fail_module(m, i, mod, "overlaps the ");
			return fail(m, fixed_regions[r].name);
		}
	}
	if (!usable_ram(lp, mod->addr, mod->size))
		return fail_module(m, i, mod, "not inside usable RAM of the memory map");
	for (u32 j = 0; j < i; j++) {
		const struct tb_lp_module *o = &lp->modules[j];
		if (overlaps(mod->addr, mod->size, o->addr, o->size)) {
			fail_module(m, i, mod, "overlaps module ");
			msg_dec(m, j);
			return -1;
		}
		if (mod->role == o->role && (mod->role == TB_ROLE_VMM || mod->role == TB_ROLE_CONFIG))
			return fail_module(m, i, mod, "duplicate module");
		if (mod->role == o->role && tb_memcmp(mod->name, o->name, TB_MODULE_NAME_SIZE) == 0 &&
		    mod->role >= TB_ROLE_GUEST)
			return fail_module(m, i, mod, "duplicate module");
	}
	return 0;
}

int slb_validate_params(const struct tb_launch_params *lp, u64 slb_base, struct slb_plan *plan,
			char *err, u32 errcap)
{
	struct msg m;
	bool have_vmm = false, have_config = false;

	msg_init(&m, err, errcap);
	if (slb_base % TB_SLB_SIZE != 0 || slb_base < TB_SLB_MIN_BASE || slb_base > TB_SLB_MAX_BASE)
		return fail(&m, "SLB base not 64 KiB aligned in 0x00400000-0x00ff0000");
	if (lp->magic != TB_LP_MAGIC)
		return fail(&m, "launch params: bad magic (want TBLP)");
	if (lp->version != TB_LP_VERSION)
		return fail(&m, "launch params: unsupported version");
	if (lp->size != sizeof(*lp))
		return fail(&m, "launch params: size field wrong");
	if (lp->flags & ~TB_LP_FLAGS_KNOWN)
		return fail(&m, "launch params: unknown flags set");
	if (lp->nr_modules > TB_LP_MAX_MODULES)
		return fail(&m, "launch params: too many modules (max 18)");
	if (check_memory_map(lp, slb_base, &m) != 0)
		return -1;

	plan->nr_extra = 0;
	for (u32 i = 0; i < lp->nr_modules; i++) {
		const struct tb_lp_module *mod = &lp->modules[i];
		if (check_module(lp, i, slb_base, &m) != 0)
			return -1;
		if (mod->role == TB_ROLE_VMM) {
			plan->vmm = i;
			have_vmm = true;
		} else if (mod->role == TB_ROLE_CONFIG) {
			plan->config = i;
			have_config = true;
		} else {
			if (plan->nr_extra == TB_BOOTINFO_MAX_MODULES)
				return fail_module(&m, i, mod, "too many guest/manifest/initrd modules (max 16)");
			plan->extra[plan->nr_extra++] = i;
		}
	}
	if (!have_vmm)
		return fail(&m, "launch params: missing vmm module");
	if (!have_config)
		return fail(&m, "launch params: missing config module");
	if (lp->modules[plan->config].size > TB_BOOTINFO_MAX_CONFIG)
		return fail(&m, "launch params: config module length above 4096");
	/* Every manifest and initrd belongs to a guest given in the same launch. */
	for (u32 k = 0; k < plan->nr_extra; k++) {
		const struct tb_lp_module *man = &lp->modules[plan->extra[k]];
		bool found = false;
		if (man->role != TB_ROLE_MANIFEST && man->role != TB_ROLE_INITRD)
			continue;
		for (u32 g = 0; g < plan->nr_extra && !found; g++) {
			const struct tb_lp_module *gm = &lp->modules[plan->extra[g]];
			found = gm->role == TB_ROLE_GUEST &&
				tb_memcmp(gm->name, man->name, TB_MODULE_NAME_SIZE) == 0;
		}
		if (!found)
			return fail_module(&m, plan->extra[k], man, man->role == TB_ROLE_INITRD ?
					   "initrd without a guest of that name" :
					   "manifest without a guest of that name");
	}
	return 0;
}

int slb_validate_vmm_header(const struct tb_vmm_header *h, u64 module_size, char *err, u32 errcap)
{
	struct msg m;

	msg_init(&m, err, errcap);
	if (module_size < sizeof(*h))
		return fail(&m, "vmm header: module length below the 64-byte header");
	if (tb_memcmp(h->magic, "TBVM", 4) != 0)
		return fail(&m, "vmm header: bad magic at offset 0 (want TBVM)");
	if (h->version != 1)
		return fail(&m, "vmm header: unsupported version at offset 4");
	if (h->load_addr % 4096 != 0)
		return fail(&m, "vmm header: load address at offset 8 not 4 KiB aligned");
	if (h->image_size != module_size)
		return fail(&m, "vmm header: image size at offset 24 differs from the module length");
	if (h->mem_size < h->image_size)
		return fail(&m, "vmm header: memory size at offset 32 below image size");
	/* load + mem_size overflow-safe: both bounded by TB_VMM_MEM_END first. The SLB's IOMMU device
	 * table follows (TB_SLB_DEVTAB_ADDR), and it is written before the VMM is copied. */
	if (h->load_addr < TB_VMM_MIN_ADDR || h->load_addr >= TB_VMM_MEM_END ||
	    h->mem_size > TB_VMM_MEM_END - h->load_addr)
		return fail(&m, "vmm header: load address + memory size outside 0x01100000-0x03dfffff");
	if (h->entry < h->load_addr + sizeof(*h) || h->entry >= h->load_addr + h->image_size)
		return fail(&m, "vmm header: entry point at offset 16 outside the image");
	if (!all_zero(h->reserved, sizeof(h->reserved)))
		return fail(&m, "vmm header: reserved bytes 40..63 not zero");
	return 0;
}

static u16 le16(const u8 *p) { return (u16)(p[0] | (p[1] << 8)); }
static u32 le32(const u8 *p) { return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24); }

int slb_validate_config(const u8 *blob, u64 len, char *err, u32 errcap)
{
	struct msg m;

	msg_init(&m, err, errcap);
	if (len > TB_BOOTINFO_MAX_CONFIG)
		return fail(&m, "launch config: longer than 4096 bytes");
	if (len < 8)
		return fail(&m, "launch config: shorter than its 8-byte header");
	if (tb_memcmp(blob, "TBLC", 4) != 0)
		return fail(&m, "launch config: bad magic at offset 0 (want TBLC)");
	u32 version = le16(blob + 4);
	if (version != 1 && version != 2)
		return fail(&m, "launch config: unsupported version at offset 4");
	u32 n = le16(blob + 6);
	if (n < 1 || n > 16)
		return fail(&m, "launch config: signer count at offset 6 not in 1..16");
	/* Version 1: 40-byte Ed25519 signers. Version 2: u16 key type, u16 key length K (1 and 32
	 * Ed25519, 2 and 60 HSS/LMS), u32 minimum security version, K bytes. */
	u32 off = 8;
	for (u32 i = 0; i < n; i++) {
		if (len < (u64)off + (version == 1 ? 40 : 8))
			return fail(&m, "launch config: truncated in the signer list");
		u32 type = le16(blob + off), k = le16(blob + off + 2);
		int bad = version == 1 ? le32(blob + off + 36) != 0 : !((type == 1 && k == 32) || (type == 2 && k == 60));
		if (bad) {
			msg_str(&m, "launch config: signer ");
			msg_dec(&m, i);
			return fail(&m, version == 1 ? ": reserved field not zero" : ": key type and length do not match");
		}
		off += version == 1 ? 40 : 8 + k;
	}
	if (len < (u64)off + 2)
		return fail(&m, "launch config: truncated in the signer list");
	u32 l = le16(blob + off);
	if (l > 1024)
		return fail(&m, "launch config: VMM command-line length above 1024");
	if (len != (u64)off + 2 + l) {
		msg_str(&m, "launch config: length ");
		msg_dec(&m, len);
		msg_str(&m, " but the fields end at ");
		msg_dec(&m, (u64)off + 2 + l);
		return -1;
	}
	for (u32 i = 0; i < l; i++) {
		u8 c = blob[off + 2 + i];
		if (c < 0x20 || c > 0x7E) {
			msg_str(&m, "launch config: non-printable byte in the command line at offset ");
			msg_dec(&m, off + 2 + i);
			return -1;
		}
	}
	return 0;
}
