/* What the C guests share: the hypercall ABI (vmm/README.md "Hypercall ABI") and the one-line
 * check report ("ok   ..." or "FAIL ...") that the tests count. */
#ifndef VMM_GUEST_H
#define VMM_GUEST_H

#include <tb/types.h>
#include <tb/string.h>

#define HC_VERSION       0u
#define HC_CONSOLE_WRITE 1u
#define HC_EVLOG_READ    2u
#define HC_SHUTDOWN      3u

static inline u32 hypercall(u32 fn, u32 a1, u32 a2, u32 *ebx)
{
	__asm__ volatile("vmmcall" : "+a"(fn), "+b"(a1), "+c"(a2) : : "memory", "edx");
	if (ebx != NULL)
		*ebx = a1;
	return fn;
}

static inline void puts_guest(const char *s)
{
	hypercall(HC_CONSOLE_WRITE, (u32)(uptr)s, (u32)tb_strlen(s), NULL);
}

static inline void report(const char *what, int ok)
{
	puts_guest(ok ? "ok   " : "FAIL ");
	puts_guest(what);
	puts_guest("\n");
}

#endif
