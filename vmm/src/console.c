/* Console on COM1 (docs/launch-protocol.md "Serial ports") and the single failure path. */
#include "vmm.h"
#include <tb/serial.h>
#include <tb/io.h>
#include <tb/measure.h>

void con_puts(const char *s) { serial_puts(COM1, s); }
void con_hex(u64 v) { serial_puthex(COM1, v); }
void con_dec(u64 v) { serial_putdec(COM1, v); }

void log_line(const char *a, const char *b, const char *c)
{
	con_puts("VMM: ");
	con_puts(a);
	if (b != NULL)
		con_puts(b);
	if (c != NULL)
		con_puts(c);
	con_puts("\n");
}

/* Prints, tells QEMU's isa-debug-exit (status 35) and halts for good; on hardware the port write
 * does nothing and the halt loop keeps the machine stopped (no interrupts: IF = 0, GIF = 0). */
void die(const char *why)
{
	log_line("die: ", why, NULL);
	outb(DEBUG_EXIT_PORT, DEBUG_EXIT_DIE);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void die_err(const char *what, int err)
{
	con_puts("VMM: ");
	con_puts(what);
	con_puts(": ");
	if (err > 0) {
		con_puts("TPM response code ");
		con_hex((u64)err);
		con_puts("\n");
	} else {
		con_puts(tb_strerror(err));
		con_puts("\n");
	}
	die(what);
}
