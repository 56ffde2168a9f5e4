; canary: a guest the tests sign badly on purpose (unsigned, tampered, wrong key, truncated
; manifest, rolled back). It must never run; if it did, its line would appear on the console.
bits 32
org 0x100000

	mov eax, 1
	mov ebx, msg
	mov ecx, msg_end - msg
	vmmcall
	mov eax, 3
	xor ebx, ebx
	vmmcall
	ud2

msg:	db "CANARY RAN: a refused image executed", 10
msg_end:
	times 64 db 0                   ; room for the tests' tampering
