/*
 * SLB entry. Contract: exactly the state SKINIT leaves (AMD64 APM vol. 2, §15.27.4 "SKINIT
 * Instruction" and §15.27.6), reproduced by the launcher in an emulated launch:
 *
 *   - flat 32-bit protected mode, paging off; CS = 0x08 and SS = 0x10 are flat 4 GiB segments,
 *     but GDTR still points at the launcher's (unmeasured) table and DS/ES/FS/GS are stale:
 *     all of them are reloaded from our own GDT before any memory access through them;
 *   - EAX = SLB base (64 KiB aligned), ESP = base + 64 KiB, EDX = CPU family/model (ignored);
 *   - GIF = 0, EFER = 0 (long mode and SVME off), interrupts not accepted.
 *
 * Nothing else in any register is trusted. The code is position independent: every data
 * reference is relative to the GOT address computed from EIP, so the image runs at whatever base
 * the launcher chose, and the linker proves no relocation remains.
 *
 * SLB memory (offsets from base):
 *   0x0000  header {u16 entry, u16 measured length, 'TBSL', u16 params offset, u16 version}
 *   ....    text, rodata, data                 <- measured by SKINIT (header length)
 *   ....    bss (zeroed here)                  <- ends below 0xA000 (linker-asserted)
 *   0xA000  struct tb_launch_params            <- written by the launcher, not measured
 *   0xB000  stack (20 KiB), grows down from 0x10000 = initial ESP
 */
	.code32
	.section .text.entry, "ax"
	.globl slb_entry
slb_entry:
	cli
	cld
	movl	%eax, %ebp                      /* SKINIT's EAX, compared with our own base in C */
	call	1f
1:	popl	%ebx
	addl	$_GLOBAL_OFFSET_TABLE_ + (. - 1b), %ebx   /* EBX = GOT (i386 PIC idiom) */
	leal	__slb_start@GOTOFF(%ebx), %esi  /* ESI = base derived from EIP */
	leal	0x10000(%esi), %esp             /* our stack, whatever ESP held */

	/* Our own GDT: build the pseudo-descriptor on the stack (the base is only known now). */
	leal	slb_gdt@GOTOFF(%ebx), %eax
	pushl	%eax
	pushw	$(slb_gdt_end - slb_gdt - 1)
	lgdt	(%esp)
	addl	$6, %esp
	pushl	$0x08
	leal	2f@GOTOFF(%ebx), %eax
	pushl	%eax
	lret                                    /* reload CS from our GDT */
2:	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs

	/* Zero bss. */
	leal	__bss_start@GOTOFF(%ebx), %edi
	leal	__bss_end@GOTOFF(%ebx), %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb

	pushl	%ebp                            /* eax */
	pushl	%esi                            /* base */
	call	slb_main                        /* does not return */
3:	cli
	hlt
	jmp	3b

/*
 * void slb_enter_vmm(u32 pml4, u32 entry, u32 bootinfo)
 * AMD64 APM vol. 2, §14.6.1 "Activating Long Mode": CR4.PAE, CR3, EFER.LME, CR0.PG, then a far
 * transfer into a 64-bit code segment. EFER.SVME stays 0 (VMM entry contract). Runs from the
 * identity map, so the instruction after setting CR0.PG is fetched at the same address.
 */
	.text
	.globl slb_enter_vmm
slb_enter_vmm:
	movl	4(%esp), %eax
	movl	8(%esp), %esi                   /* entry */
	movl	12(%esp), %edi                  /* bootinfo */
	movl	%eax, %cr3
	movl	$0x20, %eax                     /* CR4: PAE only */
	movl	%eax, %cr4
	movl	$0xC0000080, %ecx               /* EFER */
	rdmsr
	orl	$0x100, %eax                    /* LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax               /* PG | PE */
	movl	%eax, %cr0
	call	1f
1:	popl	%ecx
	addl	$(2f - 1b), %ecx
	pushl	$0x18
	pushl	%ecx
	lret
	.code64
2:	movl	%edi, %edi                      /* zero-extend: upper halves are undefined */
	movl	%esi, %esi
	jmp	*%rsi

	.section .rodata
	.balign 8
/* The accessed bit is preset in every descriptor: otherwise the CPU sets it when a selector is
 * loaded, writing into the measured image, and the SLB's own hash of itself would no longer
 * equal what SKINIT measured. */
slb_gdt:
	.quad	0                               /* 0x00 null */
	.quad	0x00CF9B000000FFFF              /* 0x08 code, 32-bit, flat 4 GiB (as SKINIT's CS) */
	.quad	0x00CF93000000FFFF              /* 0x10 data, flat 4 GiB (as SKINIT's SS) */
	.quad	0x00AF9B000000FFFF              /* 0x18 code, 64-bit (L = 1) */
slb_gdt_end:

	.section .note.GNU-stack, "", @progbits
