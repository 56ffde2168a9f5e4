; hello: the smallest well-behaved guest. Prints one line through the console hypercall and shuts
; down (hypercall ABI: vmm/README.md). Entry: 32-bit protected mode, paging off, EIP = 0x100000.
bits 32
org 0x100000

	mov eax, 1                      ; console-write(EBX = buffer, ECX = length)
	mov ebx, msg
	mov ecx, msg_end - msg
	vmmcall
	mov eax, 3                      ; shutdown(EBX = status)
	xor ebx, ebx
	vmmcall
	ud2                             ; never reached: the VMM does not resume a shut-down guest

msg:	db "hello from guest", 10
msg_end:
