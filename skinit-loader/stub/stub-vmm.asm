; stub-vmm.bin: a test-only 64-bit payload with a valid TBVM header, for exercising the SLB
; without the real VMM. Entry contract (docs/launch-protocol.md "VMM entry contract"): long mode,
; identity map of 0-4 GiB, interrupts off, RDI = boot-info. It checks the boot-info magic and
; that its bss was zeroed, prints "STUB-VMM: ok launch-type=<type>" on COM1, performs the TB-DONE
; exchange on COM2 (always: it exists only for tests) and writes 0x10 to isa-debug-exit.

bits 64
LOAD    equ 0x01100000
COM1    equ 0x3F8
COM2    equ 0x2F8
org LOAD

header:
        db "TBVM"                       ; 0: magic
        dd 1                            ; 4: version
        dq LOAD                         ; 8: load address
        dq entry                        ; 16: entry point
        dq image_end - header           ; 24: image size = file size
        dq mem_end - header             ; 32: memory size (bss follows the image)
        times 24 db 0                   ; 40: reserved
entry:
        cli
        mov rsp, stack_top
        mov rbx, rdi                    ; boot-info
        cmp dword [rbx], 0x49424254     ; 'TBBI'
        jne bad_bootinfo
        ; the SLB must have zeroed memory size - image size bytes
        mov rcx, (mem_end - image_end) / 8
        mov rsi, image_end
.bss_check:
        cmp qword [rsi], 0
        jne bad_bss
        add rsi, 8
        loop .bss_check

        mov dx, COM1
        lea rsi, [rel msg_ok]
        call puts
        mov eax, [rbx + 12]             ; launch_type
        lea rsi, [rel lt_unknown]
        cmp eax, 1
        jne .not_skinit
        lea rsi, [rel lt_skinit]
.not_skinit:
        cmp eax, 2
        jne .not_emulated
        lea rsi, [rel lt_emulated]
.not_emulated:
        cmp eax, 3
        jne .not_unmeasured
        lea rsi, [rel lt_unmeasured]
.not_unmeasured:
        call puts

        ; TB-DONE evlog=0x%08x len=0x%x on COM2, then wait (bounded) for "OK\n".
        mov dx, COM2
        lea rsi, [rel msg_done]
        call puts
        mov rax, [rbx + 32]             ; evlog_addr
        call puthex8
        lea rsi, [rel msg_len]
        call puts
        mov rax, [rbx + 48]             ; evlog_used
        call puthex8
        mov al, 10
        call putc
        call wait_ok
        mov al, 0x10
        out 0xF4, al
halt:
        cli
        hlt
        jmp halt

bad_bootinfo:
        lea rsi, [rel msg_badbi]
        jmp fatal
bad_bss:
        lea rsi, [rel msg_badbss]
fatal:
        mov dx, COM1
        call puts
        mov al, 0x11
        out 0xF4, al
        jmp halt

; putc: AL to UART at DX (bounded wait for THR empty)
putc:
        push rcx
        push rax
        push rdx
        add dx, 5
        mov ecx, 100000
.wait:  in al, dx
        test al, 0x20
        jnz .ready
        loop .wait
.ready: pop rdx
        pop rax
        out dx, al
        pop rcx
        ret

; puts: NUL-terminated string at RSI to DX
puts:
        lodsb
        test al, al
        jz .end
        call putc
        jmp puts
.end:   ret

; puthex8: "0x" + 8 hex digits of EAX to DX
puthex8:
        push rbx
        mov ebx, eax
        mov al, '0'
        call putc
        mov al, 'x'
        call putc
        mov ecx, 8
.digit: rol ebx, 4
        mov eax, ebx
        and eax, 0xF
        lea rsi, [rel hexdigits]
        mov al, [rsi + rax]
        push rcx
        call putc
        pop rcx
        loop .digit
        pop rbx
        ret

; wait_ok: poll COM2 for a line, bounded; any answer (or none) ends the wait
wait_ok:
        mov r8d, 40000000
.poll:  mov dx, COM2 + 5
        in al, dx
        cmp al, 0xFF                    ; no UART
        je .done
        test al, 1
        jz .next
        mov dx, COM2
        in al, dx
        cmp al, 10
        je .done
.next:  out 0x80, al
        dec r8d
        jnz .poll
.done:  ret

msg_ok:         db "STUB-VMM: ok launch-type=", 0
lt_skinit:      db "skinit", 10, 0
lt_emulated:    db "emulated", 10, 0
lt_unmeasured:  db "unmeasured", 10, 0
lt_unknown:     db "unknown", 10, 0
msg_done:       db "TB-DONE evlog=", 0
msg_len:        db " len=", 0
msg_badbi:      db "STUB-VMM: FATAL: boot-info magic wrong", 10, 0
msg_badbss:     db "STUB-VMM: FATAL: bss not zeroed by the SLB", 10, 0
hexdigits:      db "0123456789abcdef"
        align 16
image_end:
        ; bss (not in the file): the SLB zeroes it
        absolute image_end
        resb 4096
stack_top:
mem_end:
