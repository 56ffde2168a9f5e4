/* Entry of C guests. Contract (vmm/README.md "Guest environment"): 32-bit protected mode,
 * paging off, flat CS/DS/ES/SS, EIP = 0x100000, ESP = top of guest memory, IF = 0, memory
 * outside the image zeroed (so bss is zero). guest_main returning means failure: shutdown(1). */
	.section .text.start, "ax"
	.code32
	.globl _start
_start:
	cld
	call guest_main
	mov $3, %eax
	mov $1, %ebx
	vmmcall
1:	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
