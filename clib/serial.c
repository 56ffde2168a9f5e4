/* Polled 16550 UART driver. Register offsets from the 16550D data sheet: 0 THR/RBR (DLL with
 * DLAB), 1 IER (DLM with DLAB), 2 FCR, 3 LCR, 4 MCR, 5 LSR. */
#include <tb/serial.h>
#include <tb/io.h>
#include <tb/string.h>

#define UART_THR 0
#define UART_RBR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20

/* Bound on waiting for the transmitter: a missing UART reads 0xFF (THR "empty") anyway, so this
 * only matters for a stuck one; dropping output is better than hanging. */
#define TX_POLL_LIMIT 100000u

void serial_init(u16 port)
{
	outb(port + UART_IER, 0x00);        /* no interrupts */
	outb(port + UART_LCR, 0x80);        /* DLAB */
	outb(port + UART_DLL, 0x01);        /* divisor 1: 115200 baud */
	outb(port + UART_DLM, 0x00);
	outb(port + UART_LCR, 0x03);        /* 8N1, DLAB off */
	outb(port + UART_FCR, 0xC7);        /* FIFO on, cleared, 14-byte threshold */
	outb(port + UART_MCR, 0x03);        /* DTR, RTS; OUT2 off (no IRQ line) */
}

static void raw_putc(u16 port, u8 c)
{
	for (u32 i = 0; i < TX_POLL_LIMIT; i++) {
		if (inb(port + UART_LSR) & LSR_THR_EMPTY)
			break;
	}
	outb(port + UART_THR, c);
}

void serial_putc(u16 port, char c)
{
	if (c == '\n')
		raw_putc(port, '\r');
	raw_putc(port, (u8)c);
}

void serial_puts(u16 port, const char *s)
{
	while (*s != '\0')
		serial_putc(port, *s++);
}

void serial_write(u16 port, const void *buf, size_t len)
{
	const u8 *p = buf;

	for (size_t i = 0; i < len; i++)
		raw_putc(port, p[i]);
}

void serial_puthex_width(u16 port, u64 v, unsigned digits)
{
	static const char hex[] = "0123456789abcdef";

	if (digits == 0 || digits > 16)
		digits = 16;
	serial_puts(port, "0x");
	for (unsigned i = digits; i > 0; i--)
		serial_putc(port, hex[(v >> ((i - 1) * 4)) & 0xF]);
}

void serial_puthex(u16 port, u64 v)
{
	unsigned digits = 1;

	while (digits < 16 && (v >> (digits * 4)) != 0)
		digits++;
	serial_puthex_width(port, v, digits);
}

void serial_putdec(u16 port, u64 v)
{
	char buf[21];

	tb_u64_to_dec(buf, v);
	serial_puts(port, buf);
}

int serial_getc_poll(u16 port, int *c)
{
	if (!(inb(port + UART_LSR) & LSR_DATA_READY))
		return 0;
	*c = inb(port + UART_RBR);
	return 1;
}
