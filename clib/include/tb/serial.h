/* 16550 UART, polled, 115200 8N1. port = ISA base (0x3F8 COM1, 0x2F8 COM2, 0x3E8 COM3). */
#ifndef TB_SERIAL_H
#define TB_SERIAL_H

#include <tb/types.h>

void serial_init(u16 port);
void serial_putc(u16 port, char c);          /* "\n" is sent as "\r\n" */
void serial_puts(u16 port, const char *s);
void serial_write(u16 port, const void *buf, size_t len);   /* raw bytes, no translation */
void serial_puthex(u16 port, u64 v);         /* "0x" + minimal hex digits */
void serial_puthex_width(u16 port, u64 v, unsigned digits);   /* "0x" + exactly `digits` digits */
void serial_putdec(u16 port, u64 v);
/* Non-blocking read: returns 1 and stores the byte in *c if one was waiting, 0 otherwise. */
int serial_getc_poll(u16 port, int *c);

#endif
