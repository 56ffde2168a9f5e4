/* SLB internals shared between the C files and the assembly entry. */
#ifndef SLB_H
#define SLB_H

#include <tb/types.h>

#define SLB_CONSOLE 0x3F8u
#define DEBUG_EXIT_PORT 0xF4u
#define DEBUG_EXIT_SLB_DIE 0x12u

TB_NORETURN void die(const char *msg);
void say(const char *msg);

/* dma.c: every IOMMU blocks every device, or there is none (neither ACPI nor PCI shows one);
 * malformed firmware tables or an ACPI/PCI disagreement end in die(). */
void slb_dma_protect(void);

/* entry.S: switch to long mode with the page tables at pml4 and jump to entry, RDI = bootinfo. */
TB_NORETURN void slb_enter_vmm(u32 pml4, u32 entry, u32 bootinfo);

/* First C code, called by entry.S with the base computed from EIP and the EAX SKINIT left. */
TB_NORETURN void slb_main(u32 base, u32 eax);

#endif
