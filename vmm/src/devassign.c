/* The `device=NAME:BB:DD.F` words of the VMM command line (vmm/README.md "DMA protection"):
 * which PCI function a guest may drive. The command line is part of the launch configuration,
 * measured into PCR 18 by the SLB, so the assignment is attested. Pure code (host-tested). */
#include "iommu.h"
#include <tb/string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Two lower-case hex digits at p, at most max. -1 if not. */
static int hex2(const char *p, int max)
{
	int a = hexval(p[0]), b = a < 0 ? -1 : hexval(p[1]);

	if (b < 0 || a * 16 + b > max)
		return -1;
	return a * 16 + b;
}

static const char *one(const char *w, size_t len, struct dev_assign *d)
{
	size_t nl = 0;
	int bus, dev, fn;

	while (nl < len && w[nl] != ':')
		nl++;
	if (nl == 0 || nl > 31 || len - nl != 8)
		return "device=: expected device=NAME:BB:DD.F (NAME [a-z0-9_-]{1,31}, hex bus, device, function)";
	for (size_t i = 0; i < nl; i++) {
		char c = w[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return "device=: guest name not [a-z0-9_-]{1,31}";
	}
	w += nl;                                     /* ":BB:DD.F" */
	bus = hex2(w + 1, 0xFF);
	dev = hex2(w + 4, 0x1F);
	fn = hexval(w[7]);
	if (w[3] != ':' || w[6] != '.' || bus < 0 || dev < 0 || fn < 0 || fn > 7)
		return "device=: PCI address not BB:DD.F (bus 00-ff, device 00-1f, function 0-7)";
	tb_memset(d, 0, sizeof(*d));
	tb_memcpy(d->name, w - nl, nl);
	d->bdf = (u16)(bus << 8 | dev << 3 | fn);
	return NULL;
}

const char *dev_assign_parse(const char *cmdline, struct dev_assign out[DEV_ASSIGN_MAX], u32 *n)
{
	const char *p = cmdline;

	*n = 0;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if ((size_t)(p - w) < 7 || tb_memcmp(w, "device=", 7) != 0)
			continue;
		if (*n == DEV_ASSIGN_MAX)
			return "device=: more than 4 assigned devices";
		const char *e = one(w + 7, (size_t)(p - w) - 7, &out[*n]);
		if (e != NULL)
			return e;
		for (u32 i = 0; i < *n; i++) {
			if (out[i].bdf == out[*n].bdf)
				return "device=: one PCI function assigned twice";
		}
		(*n)++;
	}
	return NULL;
}
