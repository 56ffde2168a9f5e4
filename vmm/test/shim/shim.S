/*
 * Test-only boot shim: a multiboot v1 kernel that stands in for launcher + SLB so the VMM can be
 * booted under scripts/launch before/without the real chain. It is NOT part of the launch chain and
 * measures nothing (boot-info launch_type = 3, unmeasured). shim.c builds the boot-info; this file
 * enters long mode with an identity map of 0-4 GiB and jumps to the VMM entry with RDI = boot-info,
 * as docs/launch-protocol.md "VMM entry contract" requires.
 */
	.section .multiboot, "a"
	.align 4
	.long 0x1BADB002                /* magic */
	.long 0x00000003                /* flags: page-aligned modules, memory info */
	.long -(0x1BADB002 + 0x00000003)

	.text
	.code32
	.globl _start
_start:
	cli
	cld
	mov $shim_stack_top, %esp
	push %ebx                       /* multiboot info */
	push %eax                       /* multiboot magic */
	call shim_main                  /* returns the VMM entry point (low 32 bits) */
	mov %eax, %edi                  /* entry (below 4 GiB) */

	/* Page tables at 0x01030000 (the SLB scratch area): PML4, PDPT, 4 PDs of 2 MiB pages. */
	mov $0x01030000, %ebx
	mov %ebx, %esi
	xor %eax, %eax
	mov $(6 * 4096 / 4), %ecx
	push %edi
	mov %ebx, %edi
	rep stosl
	pop %edi
	lea 0x1003(%ebx), %eax
	mov %eax, (%ebx)                /* PML4[0] -> PDPT */
	xor %ecx, %ecx
1:	lea 0x2003(%ebx,%ecx,1), %eax   /* PDPT[i] -> PD i (ecx = i * 4096) */
	mov %ecx, %edx
	shr $9, %edx                    /* i * 8 */
	mov %eax, 0x1000(%ebx,%edx,1)
	add $4096, %ecx
	cmp $(4 * 4096), %ecx
	jb 1b
	xor %ecx, %ecx                  /* 2048 PD entries: 2 MiB pages, P | RW | PS */
2:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax
	mov %eax, 0x2000(%ebx,%ecx,8)
	mov %ecx, %eax
	shr $11, %eax
	mov %eax, 0x2004(%ebx,%ecx,8)   /* high bits: 0 for 0-4 GiB */
	inc %ecx
	cmp $2048, %ecx
	jb 2b

	mov %cr4, %eax
	or $0x20, %eax                  /* PAE */
	mov %eax, %cr4
	mov %ebx, %cr3
	mov $0xC0000080, %ecx
	rdmsr
	or $0x100, %eax                 /* EFER.LME */
	wrmsr
	lgdt gdt_desc
	mov %cr0, %eax
	or $0x80000001, %eax            /* PG | PE */
	mov %eax, %cr0
	ljmp $0x08, $long_mode

	.code64
long_mode:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %edi, %eax
	mov $0x01000000, %edi           /* RDI = boot-info */
	jmp *%rax

	.data
	.align 8
gdt:	.quad 0
	.quad 0x00209A0000000000        /* 0x08: 64-bit code */
	.quad 0x0000920000000000        /* 0x10: data */
gdt_desc:
	.word gdt_desc - gdt - 1
	.long gdt

	.bss
	.align 16
	.skip 16384
shim_stack_top:

	.section .note.GNU-stack, "", @progbits
