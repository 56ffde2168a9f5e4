; invalid-state: sets CR0.NW with CD clear, a combination the CPU refuses (#GP on MOV to CR0, AMD64
; APM vol. 2 §3.1.1) but QEMU 7.2's TCG accepts; the next VMRUN then refuses the guest state and
; exits with VMEXIT_INVALID, which QEMU writes as 0x00000000FFFFFFFF. The VMM must name it as such.
bits 32
org 0x100000

	mov eax, cr0
	or eax, 1 << 29                 ; NW
	and eax, ~(1 << 30)             ; CD clear
	mov cr0, eax
	xor eax, eax                    ; hypercall version: one exit, then VMRUN with this CR0
	vmmcall
	mov eax, 1
	mov ebx, msg
	mov ecx, msg_end - msg
	vmmcall
	mov eax, 3
	mov ebx, 1
	vmmcall
	ud2

msg:	db "still running with CR0.NW set and CD clear", 10
msg_end:
