; ring3: drops to CPL 3 and makes two hypercalls there, console-write of an "ESCAPED" line and
; shutdown with status 99. The VMM must refuse both (EAX = 0xFFFFFFFC, vmm/README.md "Hypercall
; ABI") and let the guest go on: an INT 0x80 gate then returns to CPL 0, which checks the two
; results, reports and shuts down with status 0.
; Own GDT (0x08/0x10 ring 0, 0x1B/0x23 ring 3, 0x28 TSS), IDT with one DPL-3 gate, 32-bit TSS for
; the ring-0 stack. Paging stays off.
bits 32
org 0x100000

%define ADDR(l) ((l) - $$ + 0x100000)
HC_ERR_PERM equ 0xFFFFFFFC

	lgdt [gdtr]
	lidt [idtr]
	jmp 0x08:.cs
.cs:	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov ax, 0x28
	ltr ax
	push dword 0x23                 ; SS
	push dword stack3_top           ; ESP
	push dword 0x2                  ; EFLAGS (IF = 0, IOPL 0)
	push dword 0x1B                 ; CS
	push dword ring3                ; EIP
	iret

ring3:
	mov ax, 0x23
	mov ds, ax
	mov es, ax
	mov eax, 1
	mov ebx, escaped
	mov ecx, escaped_end - escaped
	vmmcall
	mov [result1], eax
	mov eax, 3
	mov ebx, 99
	vmmcall
	mov [result2], eax
	int 0x80                        ; back to CPL 0 (never returns)
	ud2

back_in_ring0:                          ; INT 0x80 gate: CPL 0, SS:ESP from the TSS
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ebx, refused
	mov ecx, refused_end - refused
	cmp dword [result1], HC_ERR_PERM
	jne .wrong
	cmp dword [result2], HC_ERR_PERM
	je .print
.wrong:	mov ebx, wrong
	mov ecx, wrong_end - wrong
.print:	mov eax, 1
	vmmcall
	mov eax, 3
	xor ebx, ebx
	vmmcall
	ud2

	align 8
gdt:	dq 0
	dq 0x00CF9A000000FFFF           ; 0x08 code, DPL 0
	dq 0x00CF92000000FFFF           ; 0x10 data, DPL 0
	dq 0x00CFFA000000FFFF           ; 0x18 code, DPL 3
	dq 0x00CFF2000000FFFF           ; 0x20 data, DPL 3
	dw 103, ADDR(tss) & 0xFFFF      ; 0x28 32-bit TSS, available
	db (ADDR(tss) >> 16) & 0xFF, 0x89, 0x00, ADDR(tss) >> 24
gdt_end:
gdtr:	dw gdt_end - gdt - 1
	dd gdt

idt:	times 0x80 dq 0
	dw ADDR(back_in_ring0) & 0xFFFF, 0x08   ; vector 0x80: 32-bit interrupt gate, DPL 3
	db 0, 0xEE
	dw ADDR(back_in_ring0) >> 16
idt_end:
idtr:	dw idt_end - idt - 1
	dd idt

tss:	dd 0
	dd stack0_top                   ; ESP0
	dd 0x10                         ; SS0
	times 22 dd 0
	dw 0, 104                       ; no I/O permission bitmap
result1: dd 0
result2: dd 0
escaped: db "ESCAPED: a hypercall from ring 3 was served", 10
escaped_end:
refused: db "both ring 3 hypercalls refused with 0xfffffffc", 10
refused_end:
wrong:	db "a ring 3 hypercall did not return 0xfffffffc", 10
wrong_end:
	align 16
	times 256 db 0
stack3_top:
	times 256 db 0
stack0_top:
