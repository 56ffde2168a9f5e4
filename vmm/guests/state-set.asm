; state-set: loads every piece of register state a guest can leave behind without a VMCB field
; the VMM resets: DR0-DR3 (plus DR6/DR7, which are VMCB fields), x87 ST0 and control word, XMM0-7,
; MXCSR, PKRU where the CPU has protection keys, then, with XSAVE and AVX, XCR0 = 7 (x87, SSE, AVX)
; and the upper halves of YMM0-7. The tests run state-check next, which must see reset values only.
; XSETBV is intercepted; QEMU 7.2's TCG executes it anyway (vmm/README.md), hardware stops the guest.
bits 32
org 0x100000

	mov eax, 0x11110000             ; breakpoint addresses this guest never executes
	mov dr0, eax
	mov eax, 0x22220000
	mov dr1, eax
	mov eax, 0x33330000
	mov dr2, eax
	mov eax, 0x44440000
	mov dr3, eax
	mov eax, 0xFFFF4FF1             ; BS and B0 status bits
	mov dr6, eax
	mov eax, 0x000004FF             ; L0-L3, G0-G3 enabled
	mov dr7, eax

	mov eax, cr0
	and eax, ~((1 << 2) | (1 << 3)) ; EM, TS off
	or eax, (1 << 1) | (1 << 5)     ; MP, NE
	mov cr0, eax
	mov eax, 1
	cpuid
	mov ebx, (1 << 9) | (1 << 10)   ; OSFXSR, OSXMMEXCPT
	test ecx, 1 << 26               ; XSAVE
	jz .cr4
	or ebx, 1 << 18                 ; OSXSAVE
.cr4:	mov eax, cr4
	or eax, ebx
	mov cr4, eax
	fninit
	fldcw [fcw]
	fldpi                           ; ST0 = pi
	movdqu xmm0, [pattern]
	movdqu xmm1, [pattern]
	movdqu xmm2, [pattern]
	movdqu xmm3, [pattern]
	movdqu xmm4, [pattern]
	movdqu xmm5, [pattern]
	movdqu xmm6, [pattern]
	movdqu xmm7, [pattern]
	ldmxcsr [mxcsr]
	mov eax, 7
	xor ecx, ecx
	cpuid
	test ecx, 1 << 3                ; PKU
	jz .no_pku
	mov eax, cr4
	or eax, 1 << 22                 ; PKE
	mov cr4, eax
	mov eax, 0x55555554
	xor ecx, ecx
	xor edx, edx
	db 0x0F, 0x01, 0xEF             ; WRPKRU
.no_pku:
	mov eax, 1
	mov ebx, loaded
	mov ecx, loaded_end - loaded
	vmmcall

	mov eax, 1
	cpuid
	and ecx, (1 << 26) | (1 << 28)
	cmp ecx, (1 << 26) | (1 << 28)  ; XSAVE and AVX
	jne .done
	xor ecx, ecx
	xor edx, edx
	mov eax, 7                      ; XCR0 = x87 | SSE | AVX
	xsetbv
	vinsertf128 ymm0, ymm0, [pattern], 1
	vinsertf128 ymm1, ymm1, [pattern], 1
	vinsertf128 ymm2, ymm2, [pattern], 1
	vinsertf128 ymm3, ymm3, [pattern], 1
	vinsertf128 ymm4, ymm4, [pattern], 1
	vinsertf128 ymm5, ymm5, [pattern], 1
	vinsertf128 ymm6, ymm6, [pattern], 1
	vinsertf128 ymm7, ymm7, [pattern], 1
	mov eax, 1
	mov ebx, avx
	mov ecx, avx_end - avx
	vmmcall
.done:
	mov eax, 3
	xor ebx, ebx
	vmmcall
	ud2

	align 16
pattern: dq 0x5A5A5A5A5A5A5A5A, 0xA5A5A5A5A5A5A5A5
mxcsr:	dd 0x00007F80                   ; round toward zero, all exceptions masked
fcw:	dw 0x0C7F                       ; round toward zero
loaded:	db "loaded DR0-DR3, DR6, DR7, x87, XMM0-7, MXCSR, PKRU", 10
loaded_end:
avx:	db "XCR0 = 7, YMM0-7 upper halves loaded", 10
avx_end:
