/* tpm-proxy: relays framed TPM commands between the host agent on COM3 and the TPM at locality 0,
 * and serves the event log obtained from the VMM (framing: docs/launch-protocol.md
 * "tpm-proxy framing"). Runs until the host sends a shutdown frame (type 0x04), which it acknowledges. */
#include <tb/types.h>
#include <tb/serial.h>
#include <tb/io.h>
#include <tb/string.h>
#include <tb/tis.h>
#include <tb/tpm2.h>

#define COM3 0x3E8
#define FRAME_MAX 65536u
#define T_TPM      0x01
#define T_EVLOG    0x02
#define T_PING     0x03
#define T_SHUTDOWN 0x04
#define T_ERROR    0x7F

#define HC_CONSOLE_WRITE 1u
#define HC_EVLOG_READ    2u
#define HC_SHUTDOWN      3u
#define HC_ERR_MIN       0xFFFFFFF0u

static u8 payload[FRAME_MAX];
static u8 response[TPM2_MAX_RESPONSE];
static u8 evlog[128 * 1024];

void guest_main(void);

static u32 hypercall(u32 fn, u32 a1, u32 a2)
{
	__asm__ volatile("vmmcall" : "+a"(fn), "+b"(a1), "+c"(a2) : : "memory", "edx");
	return fn;
}

static void console(const char *s)
{
	hypercall(HC_CONSOLE_WRITE, (u32)(uptr)s, (u32)tb_strlen(s));
}

static u8 get_byte(void)
{
	int c;

	while (!serial_getc_poll(COM3, &c))
		;
	return (u8)c;
}

static void send_frame(u8 type, const void *p, u32 len)
{
	u8 h[5] = { type, (u8)(len >> 24), (u8)(len >> 16), (u8)(len >> 8), (u8)len };

	serial_write(COM3, h, sizeof(h));
	serial_write(COM3, p, len);
}

static void send_error(const char *why)
{
	send_frame(T_ERROR, why, (u32)tb_strlen(why));
}

static void handle(u8 type, u32 len)
{
	size_t rlen;
	u32 n;
	int rc;

	switch (type) {
	case T_TPM:
		rc = tis_transmit(0, payload, len, response, sizeof(response), &rlen);
		if (rc != 0)
			send_error(tis_strerror(rc));
		else
			send_frame(T_TPM, response, (u32)rlen);
		break;
	case T_EVLOG:
		n = hypercall(HC_EVLOG_READ, (u32)(uptr)evlog, sizeof(evlog));
		if (n >= HC_ERR_MIN)
			send_error("event log larger than the proxy's buffer");
		else if (n > FRAME_MAX)
			send_error("event log larger than one frame (65536 bytes)");
		else
			send_frame(T_EVLOG, evlog, n);
		break;
	case T_PING:
		send_frame(T_PING, "tpm-proxy 1", 11);
		break;
	default:
		send_error("unknown frame type");
		break;
	}
}

/* 115200 8N1 without touching the FIFO control register: enabling or resetting the FIFO would
 * drop bytes the host sent before this guest started (they wait in the UART and the host's
 * socket), so the host may send its first frame at any time. */
static void com3_setup(void)
{
	outb(COM3 + 3, 0x80);           /* LCR: DLAB */
	outb(COM3 + 0, 0x01);           /* divisor 1 */
	outb(COM3 + 1, 0x00);
	outb(COM3 + 3, 0x03);           /* LCR: 8N1 */
	outb(COM3 + 1, 0x00);           /* IER: no interrupts */
}

void guest_main(void)
{
	com3_setup();
	int rc = tis_request_locality(0);
	console(rc == 0 ? "TPM locality 0 ready, serving COM3\n"
			: "TPM locality 0 unavailable; TPM frames will fail\n");
	for (;;) {
		u8 type = get_byte();
		u32 len = 0;
		for (int i = 0; i < 4; i++)
			len = len << 8 | get_byte();
		if (len > FRAME_MAX) {
			/* The stream cannot be resynchronised after a bad length: stop. */
			send_error("frame length above 65536");
			console("bad frame length, shutting down\n");
			hypercall(HC_SHUTDOWN, 2, 0);
		}
		for (u32 i = 0; i < len; i++)
			payload[i] = get_byte();
		if ((type == T_EVLOG || type == T_PING || type == T_SHUTDOWN) && len != 0) {
			send_error("frame type takes no payload");
			continue;
		}
		if (type == T_SHUTDOWN) {
			/* The empty answer tells the host the frame arrived whole; it may then disconnect. */
			send_frame(T_SHUTDOWN, payload, 0);
			console("shutdown frame received\n");
			hypercall(HC_SHUTDOWN, 0, 0);
		}
		handle(type, len);
	}
}
