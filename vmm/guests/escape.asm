; escape: one isolation attack per image, chosen at build time with -DMODE=n (Makefile). Each
; image announces its attempt, makes it, and - only if the VMM failed to stop it - prints
; "ESCAPED" and shuts down. The tests assert that every attempt ends in
; "VMM: guest NAME stopped: ..." and that "ESCAPED" never appears.
;   1 write VMM memory          (GPA 0x01100000: the VMM's load address)
;   2 read the SLB area         (every 64 KiB SLB base candidate 0x00FF0000 down to 0x00400000)
;   3 request TPM locality 2    (ACCESS register at 0xFED42000, then extend would follow)
;   4 execute VMRUN
;   5 set EFER.SVME             (RDMSR/WRMSR 0xC0000080)
;   6 touch memory beyond the guest's 4 MiB (GPA 0x00400000)
;   7 hypercall with a wild pointer (console-write of 0x2000 bytes at 0xFFFFF000)
;   8 execute SKINIT
;   9 set EFER.LME while paging is on (32-bit paging, one 4 MiB page): hardware raises #GP
bits 32
org 0x100000

	mov eax, 1
	mov ebx, hello
	mov ecx, hello_end - hello
	vmmcall
%if MODE == 1
	mov dword [0x01100000], 0xdeadbeef
%elif MODE == 2
	mov esi, 0x00FF0000
.next:	mov eax, [esi]
	sub esi, 0x10000
	cmp esi, 0x00400000
	jae .next
%elif MODE == 3
	mov byte [0xFED42000], 0x02     ; TPM_ACCESS_2.requestUse
%elif MODE == 4
	xor eax, eax
	db 0x0F, 0x01, 0xD8              ; VMRUN (EAX = VMCB address 0)
%elif MODE == 5
	mov ecx, 0xC0000080
	rdmsr
	or eax, 1 << 12
	wrmsr
%elif MODE == 6
	mov eax, [0x00400000]
%elif MODE == 7
	mov eax, 1
	mov ebx, 0xFFFFF000
	mov ecx, 0x2000
	vmmcall
%elif MODE == 8
	xor eax, eax
	db 0x0F, 0x01, 0xDE              ; SKINIT (EAX = SLB address 0)
%elif MODE == 9
	mov dword [0x00200000], 0x00000083     ; page directory: PDE 0 = 0-4 MiB, P RW PS
	mov eax, cr4
	or eax, 1 << 4                  ; PSE
	mov cr4, eax
	mov eax, 0x00200000
	mov cr3, eax
	mov eax, cr0
	or eax, 1 << 31                 ; PG
	mov cr0, eax
	mov ecx, 0xC0000080
	rdmsr
	or eax, 1 << 8                  ; LME
	wrmsr
%else
%error "unknown MODE"
%endif
	mov eax, 1
	mov ebx, escaped
	mov ecx, escaped_end - escaped
	vmmcall
	mov eax, 3
	mov ebx, 1
	vmmcall
	ud2

hello:	db "escape attempt ", MODE + '0', 10
hello_end:
escaped: db "ESCAPED: the attempt was not stopped", 10
escaped_end:
