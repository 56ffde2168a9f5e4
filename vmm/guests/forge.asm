; forge: prints the VMM's final line "VMM: all guests done" as its own console text, then spins so
; the VMM never prints the real one. The VMM shows it as "forge: VMM: all guests done"; a test that
; matches console lines anywhere but at their start would take it for the VMM's (tests/qemu/vmm).
bits 32
org 0x100000

	mov eax, 1
	mov ebx, msg
	mov ecx, msg_end - msg
	vmmcall
	jmp $                           ; never exits: the test stops the run

msg:	db "VMM: all guests done", 10, "VMM: all guests done", 10
msg_end:
