/*
 * Launcher entry: multiboot v1 (QEMU -kernel) and multiboot2 (GRUB) headers, then a stack and a
 * GDT of our own before C. Untrusted and unmeasured: nothing here is part of the chain of trust.
 *
 * Entry (Multiboot 0.6.96 §3.2 / Multiboot2 §3.3): 32-bit protected mode, paging off, interrupts
 * off, EAX = 0x2BADB002 (v1) or 0x36D76289 (v2), EBX = physical address of the information
 * structure; GDTR, IDTR and the stack are undefined.
 */
	.code32
	.section .multiboot, "a"
	.balign 8
mb1_header:                                     /* Multiboot 0.6.96 §3.1.1 */
	.long	0x1BADB002                      /* magic */
	.long	0x00000003                      /* flags: page-align modules, memory information */
	.long	-(0x1BADB002 + 0x00000003)      /* checksum */
	.balign 8
mb2_header:                                     /* Multiboot2 §3.1.1 */
	.long	0xE85250D6                      /* magic */
	.long	0                               /* architecture: i386 protected mode */
	.long	mb2_header_end - mb2_header
	.long	-(0xE85250D6 + 0 + (mb2_header_end - mb2_header))
	.balign 8
	.word	1, 0                            /* information request tag */
	.long	20
	.long	1, 3, 6                         /* command line, modules, memory map */
	.balign 8
	.word	6, 0                            /* module alignment tag: page-align modules */
	.long	8
	.word	0, 0                            /* end tag */
	.long	8
mb2_header_end:

	.text
	.globl _start
_start:
	cli
	cld
	movl	$launcher_stack_top, %esp
	lgdt	launcher_gdt_desc
	ljmp	$0x08, $1f
1:	movw	$0x10, %cx
	movw	%cx, %ds
	movw	%cx, %es
	movw	%cx, %ss
	movw	%cx, %fs
	movw	%cx, %gs
	pushl	%ebx
	pushl	%eax
	call	launcher_main
2:	cli
	hlt
	jmp	2b

/*
 * void launcher_skinit(u32 base)   -- AMD64 APM vol. 2, §15.27.4: EAX = SLB base, EFER.SVME = 1.
 * Does not return: the CPU continues at the SLB entry or, if SKINIT faults, there is no IDT.
 */
	.globl launcher_skinit
launcher_skinit:
	movl	4(%esp), %eax
	.byte	0x0F, 0x01, 0xDE                /* skinit */
3:	cli
	hlt
	jmp	3b

/*
 * void launcher_emulate_exit(u32 base, u32 entry_offset, u32 family_model)
 * Reproduces the state SKINIT leaves (BRIEF "Facts measured"; APM §15.27.4) after the caller ran
 * CLGI: EFER = 0, paging off (never enabled here), CS = 0x08, SS = 0x10 flat, EAX = base,
 * EDX = family/model, ESP = base + 64 KiB, then jumps to base + entry_offset.
 */
	.globl launcher_emulate_exit
launcher_emulate_exit:
	movl	4(%esp), %esi
	movl	8(%esp), %edi
	movl	12(%esp), %ebp
	addl	%esi, %edi                      /* entry address */
	movl	$0xC0000080, %ecx               /* EFER <- 0 (clears SVME as SKINIT does) */
	xorl	%eax, %eax
	xorl	%edx, %edx
	wrmsr
	ljmp	$0x08, $4f
4:	movw	$0x10, %ax
	movw	%ax, %ss
	leal	0x10000(%esi), %esp
	movl	%esi, %eax
	movl	%ebp, %edx
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%ebp, %ebp
	jmp	*%edi

	.section .rodata
	.balign 8
launcher_gdt:
	.quad	0
	.quad	0x00CF9A000000FFFF              /* 0x08 code32 flat */
	.quad	0x00CF92000000FFFF              /* 0x10 data flat */
launcher_gdt_end:
launcher_gdt_desc:
	.word	launcher_gdt_end - launcher_gdt - 1
	.long	launcher_gdt

	.bss
	.balign 16
	.skip	16384
launcher_stack_top:

	.section .note.GNU-stack, "", @progbits
