/* probe: checks, from inside a guest, what the VMM promises about the environment and the
 * hypercall ABI (vmm/README.md), and that the TPM refuses locality-0 extends of PCRs 17-19 (the
 * only locality a guest can reach). Prints one line per check, "ok   ..." or "FAIL ...". */
#include "guest.h"
#include <tb/tis.h>
#include <tb/tpm2.h>

static u8 evlog[128 * 1024];
static char big[5000];

void guest_main(void);

static void cpuid(u32 leaf, u32 r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

void guest_main(void)
{
	u32 r[4], lo, hi, need = 0;

	cpuid(1, r);
	report("CPUID reports a hypervisor", (r[2] >> 31) & 1);
	cpuid(0x40000000u, r);
	report("CPUID 0x40000000 is TrustbitVMM",
	       r[1] == 0x73757254u && r[2] == 0x74696274u && r[3] == 0x004D4D56u);
	cpuid(0x80000001u, r);
	report("CPUID hides SVM", !(r[2] & (1u << 2)));
	report("CPUID hides SKINIT", !(r[2] & (1u << 12)));
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xC0000080u));
	report("EFER reads without SVME", !(lo & (1u << 12)));

	report("hypercall version is 1", hypercall(HC_VERSION, 0, 0, NULL) == 1);
	report("unknown hypercall returns 0xFFFFFFFF", hypercall(99, 0, 0, NULL) == 0xFFFFFFFFu);
	report("console-write over 4096 bytes returns 0xFFFFFFFE",
	       hypercall(HC_CONSOLE_WRITE, (u32)(uptr)big, sizeof(big), NULL) == 0xFFFFFFFEu);
	report("evlog-read into 16 bytes returns 0xFFFFFFFD and the size",
	       hypercall(HC_EVLOG_READ, (u32)(uptr)evlog, 16, &need) == 0xFFFFFFFDu && need > 16);
	u32 n = hypercall(HC_EVLOG_READ, (u32)(uptr)evlog, sizeof(evlog), NULL);
	/* First record: PCR, type, SHA-1 digest, size (32 bytes), then "Spec ID Event03". */
	report("evlog-read copies the whole log, Spec ID Event03 first",
	       n == need && tb_memcmp(evlog + 32, "Spec ID Event03", 15) == 0);

	if (tis_request_locality(0) != 0) {
		report("TPM locality 0 available", 0);
	} else {
		static const u8 zero[32];
		for (unsigned pcr = 17; pcr <= 19; pcr++) {
			int rc = tpm2_pcr_extend(0, pcr, zero, zero);
			report(pcr == 17 ? "TPM refuses a PCR 17 extend at locality 0 (0x907)" :
			       pcr == 18 ? "TPM refuses a PCR 18 extend at locality 0 (0x907)" :
					   "TPM refuses a PCR 19 extend at locality 0 (0x907)",
			       rc == (int)TPM2_RC_LOCALITY);
		}
		tis_relinquish_locality(0);
	}
	hypercall(HC_SHUTDOWN, 0, 0, NULL);
}
