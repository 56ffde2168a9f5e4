/*
 * VMM image header, entry point, exception stubs and the VMRUN trampoline.
 *
 * Entry contract (docs/launch-protocol.md "VMM entry contract"), from the SLB:
 *   64-bit long mode, paging on with an identity map of 0-4 GiB, CS a 64-bit code segment,
 *   interrupts disabled, GIF = 0 (as left by SKINIT), EFER.SVME = 0,
 *   RDI = physical address of struct tb_bootinfo, no stack promised.
 * We clear the direction flag, zero our bss (the SLB already did; cheap insurance), switch to our
 * own stack and call vmm_main(bootinfo), which never returns.
 */
#define GR_RBX 0
#define GR_RCX 8
#define GR_RDX 16
#define GR_RSI 24
#define GR_RDI 32
#define GR_RBP 40
#define GR_R8  48
#define GR_R9  56
#define GR_R10 64
#define GR_R11 72
#define GR_R12 80
#define GR_R13 88
#define GR_R14 96
#define GR_R15 104

	.section .header, "a"
	.globl vmm_header
vmm_header:                             /* docs/launch-protocol.md "VMM image header" */
	.ascii "TBVM"                   /*  0 magic */
	.long 1                         /*  4 header version */
	.quad __vmm_start               /*  8 load address */
	.quad vmm_entry                 /* 16 entry point */
	.quad __image_size            /* 24 image size = file size */
	.quad __mem_size              /* 32 memory size */
	.fill 24, 1, 0                  /* 40 reserved */

	.text
	.code64
	.globl vmm_entry
vmm_entry:
	cli
	cld
	mov %rdi, %r12                  /* boot-info pointer survives the bss clear */
	lea __bss_start(%rip), %rdi
	lea __mem_end(%rip), %rcx
	sub %rdi, %rcx
	xor %eax, %eax
	rep stosb
	lea vmm_stack_top(%rip), %rsp
	mov %r12, %rdi
	call vmm_main
1:	hlt
	jmp 1b

/* void load_segments(void): after lgdt, reload CS (0x08) with a far return and the data
 * segments with 0x10. */
	.globl load_segments
load_segments:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	pop %rax                        /* return address */
	push $0x08
	push %rax
	lretq

/*
 * Exception stubs: every vector pushes (error code or 0) and its number, then the common path
 * passes the frame to exception_handler(), which prints and dies. Stack at the C call:
 *   [rsp+0]  vector   [rsp+8] error code   [rsp+16] RIP   [rsp+24] CS   [rsp+32] RFLAGS ...
 */
.macro EXC_NOERR n
	.align 16
	push $0
	push $\n
	jmp exc_common
.endm
.macro EXC_ERR n
	.align 16
	push $\n
	jmp exc_common
.endm
	.align 16
	.globl exc_stubs
exc_stubs:                              /* 32 stubs, 16 bytes apart */
	EXC_NOERR 0;  EXC_NOERR 1;  EXC_NOERR 2;  EXC_NOERR 3
	EXC_NOERR 4;  EXC_NOERR 5;  EXC_NOERR 6;  EXC_NOERR 7
	EXC_ERR 8;    EXC_NOERR 9;  EXC_ERR 10;   EXC_ERR 11
	EXC_ERR 12;   EXC_ERR 13;   EXC_ERR 14;   EXC_NOERR 15
	EXC_NOERR 16; EXC_ERR 17;   EXC_NOERR 18; EXC_NOERR 19
	EXC_NOERR 20; EXC_ERR 21;   EXC_NOERR 22; EXC_NOERR 23
	EXC_NOERR 24; EXC_NOERR 25; EXC_NOERR 26; EXC_NOERR 27
	EXC_NOERR 28; EXC_ERR 29;   EXC_ERR 30;   EXC_NOERR 31
exc_common:
	mov %rsp, %rdi
	and $-16, %rsp
	call exception_handler          /* noreturn */
1:	hlt
	jmp 1b

/*
 * void svm_run(u64 vmcb_pa, struct guest_regs *regs, u64 host_save_pa)
 * Runs the guest until the next #VMEXIT. VMRUN itself saves and restores only the host's RAX,
 * RSP and RIP (APM vol. 2 §15.5.1): every other general-purpose register is loaded here from
 * *regs before VMRUN and stored back after it, and the host's callee-saved registers are kept on
 * the stack. VMLOAD/VMSAVE move the state VMRUN does not touch (FS, GS, TR, LDTR, KernelGsBase,
 * STAR family, SYSENTER MSRs; APM §15.5.2): the guest's from/to its VMCB, the host's from
 * host_save_pa (filled once by svm_init with VMSAVE).
 * Stack while the guest runs: [rsp] regs, [rsp+8] host_save_pa, then rbp rbx r12-r15.
 */
	.globl svm_run
svm_run:
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	push %rbp
	push %rdx
	push %rsi
	mov %rdi, %rax
	mov GR_RBX(%rsi), %rbx
	mov GR_RCX(%rsi), %rcx
	mov GR_RDX(%rsi), %rdx
	mov GR_RDI(%rsi), %rdi
	mov GR_RBP(%rsi), %rbp
	mov GR_R8(%rsi), %r8
	mov GR_R9(%rsi), %r9
	mov GR_R10(%rsi), %r10
	mov GR_R11(%rsi), %r11
	mov GR_R12(%rsi), %r12
	mov GR_R13(%rsi), %r13
	mov GR_R14(%rsi), %r14
	mov GR_R15(%rsi), %r15
	mov GR_RSI(%rsi), %rsi
	vmload %rax
	vmrun %rax
	vmsave %rax
	push %rsi                       /* guest RSI; regs pointer now at [rsp+8] */
	mov 8(%rsp), %rsi
	mov %rbx, GR_RBX(%rsi)
	mov %rcx, GR_RCX(%rsi)
	mov %rdx, GR_RDX(%rsi)
	mov %rdi, GR_RDI(%rsi)
	mov %rbp, GR_RBP(%rsi)
	mov %r8, GR_R8(%rsi)
	mov %r9, GR_R9(%rsi)
	mov %r10, GR_R10(%rsi)
	mov %r11, GR_R11(%rsi)
	mov %r12, GR_R12(%rsi)
	mov %r13, GR_R13(%rsi)
	mov %r14, GR_R14(%rsi)
	mov %r15, GR_R15(%rsi)
	pop %rax
	mov %rax, GR_RSI(%rsi)
	pop %rsi
	pop %rax                        /* host_save_pa */
	vmload %rax
	pop %rbp
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	ret

	.bss
	.align 4096
vmm_stack:
	.skip 32768
vmm_stack_top:

	.section .note.GNU-stack, "", @progbits
