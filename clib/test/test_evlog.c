/* Event log writer: layout, capacity limits, evlog_open on good and damaged logs. With a path
 * argument the chain's four launch events are written there for check_evlog.sh (tpm2_eventlog). */
#include <tb/evlog.h>
#include <tb/sha1.h>
#include <tb/sha256.h>
#include "testutil.h"

static unsigned char buf[4096];

static int add(struct tb_evlog *log, unsigned pcr, unsigned type, const char *measured, const char *data)
{
	unsigned char d1[20], d256[32];
	sha1(measured, strlen(measured), d1);
	sha256(measured, strlen(measured), d256);
	return evlog_append(log, pcr, type, d1, d256, data, (unsigned)strlen(data));
}

static void layout(void)
{
	struct tb_evlog log;
	static const unsigned char spec_id[] = "Spec ID Event03";

	CHECK(evlog_init(&log, buf, sizeof(buf)) == 0, "init");
	CHECK(log.used == TB_EVLOG_HEADER_SIZE && log.used == 69, "header size %u", log.used);
	CHECK(buf[4] == 3 && buf[28] == 37, "EV_NO_ACTION, event size 37");
	CHECK(memcmp(buf + 32, spec_id, 16) == 0, "signature with NUL");
	CHECK(buf[53] == 2 && buf[56] == 2, "uintnSize 2, two algorithms");
	CHECK(buf[60] == 4 && buf[62] == 20 && buf[64] == 0x0b && buf[66] == 32, "algorithm table");
	CHECK(add(&log, 17, TB_EV_VMM, "vmm-image", "vmm") == 0, "append");
	CHECK(log.used == 69 + 72 + 3, "record size");
	const unsigned char *e = buf + 69;
	CHECK(e[0] == 17 && e[4] == 0x02 && e[5] == 0x04 && e[8] == 2, "pcr, type, count");
	CHECK(e[12] == 4 && e[34] == 0x0b && e[68] == 3 && memcmp(e + 72, "vmm", 3) == 0, "algs, size, data");
}

static void limits(void)
{
	struct tb_evlog log;
	unsigned char d1[20] = { 0 }, d256[32] = { 0 };

	CHECK(evlog_init(&log, buf, 68) == EVLOG_ERR_FULL, "capacity below header");
	CHECK(evlog_init(&log, buf, 69 + 72 + 5) == 0, "exact capacity");
	CHECK(evlog_append(&log, 17, 1, d1, d256, "123456", 6) == EVLOG_ERR_FULL, "one byte over");
	CHECK(log.used == 69, "nothing written on error");
	CHECK(evlog_append(&log, 17, 1, d1, d256, "12345", 5) == 0, "exactly full");
	CHECK(evlog_append(&log, 17, 1, d1, d256, NULL, 0) == EVLOG_ERR_FULL, "full");
	CHECK(evlog_init(&log, buf, sizeof(buf)) == 0, "reinit");
	CHECK(evlog_append(&log, 24, 1, d1, d256, NULL, 0) == EVLOG_ERR_ARGS, "pcr 24");
	CHECK(evlog_append(&log, 17, 1, d1, d256, NULL, 4) == EVLOG_ERR_ARGS, "NULL data with length");
	CHECK(evlog_append(&log, 17, 1, d1, d256, "x", 0xFFFFFFFFu) == EVLOG_ERR_FULL, "huge length");
}

static void reopen(void)
{
	struct tb_evlog log, again;

	evlog_init(&log, buf, sizeof(buf));
	add(&log, 17, TB_EV_VMM, "a", "vmm");
	add(&log, 18, TB_EV_LAUNCH_TYPE, "b", "launch-type=emulated");
	CHECK(evlog_open(&again, buf, sizeof(buf), log.used) == 0, "open good log");
	CHECK(add(&again, 19, TB_EV_GUEST, "c", "guest") == 0, "append after open");
	CHECK(evlog_open(&again, buf, sizeof(buf), again.used) == 0, "open again");
	CHECK(evlog_open(&again, buf, sizeof(buf), again.used - 1) == EVLOG_ERR_FORMAT, "short by one");
	CHECK(evlog_open(&again, buf, sizeof(buf), again.used + 1) == EVLOG_ERR_FORMAT, "long by one");
	CHECK(evlog_open(&again, buf, 100, log.used) == EVLOG_ERR_FORMAT, "used above capacity");
	CHECK(evlog_open(&again, buf, sizeof(buf), 68) == EVLOG_ERR_FORMAT, "no header");
	CHECK(evlog_open(&again, buf, sizeof(buf), 69) == 0, "header only");
	buf[69 + 68] = 0xFF;                                  /* first record's event size huge */
	CHECK(evlog_open(&again, buf, sizeof(buf), log.used) == EVLOG_ERR_FORMAT, "event size overrun");
	buf[69 + 68] = 3;
	buf[69 + 12] = 0x0b;                                  /* first bank not SHA-1 */
	CHECK(evlog_open(&again, buf, sizeof(buf), log.used) == EVLOG_ERR_FORMAT, "bank order");
	buf[69 + 12] = 0x04;
	buf[69] = 24;                                         /* PCR 24 */
	CHECK(evlog_open(&again, buf, sizeof(buf), log.used) == EVLOG_ERR_FORMAT, "pcr 24");
	buf[69] = 17;
	buf[40] ^= 1;                                         /* signature damaged */
	CHECK(evlog_open(&again, buf, sizeof(buf), log.used) == EVLOG_ERR_FORMAT, "signature");
}

static int write_chain_log(const char *path)
{
	struct tb_evlog log;
	static const char config[] = "TBLC-example-config";

	evlog_init(&log, buf, sizeof(buf));
	/* Digests of the measured content; the event data is the contract's ASCII description. */
	if (add(&log, 17, TB_EV_SKINIT_SLB, "slb-bytes", "skinit:slb") ||
	    add(&log, 17, TB_EV_VMM, "vmm-bytes", "vmm") ||
	    add(&log, 18, TB_EV_LAUNCH_TYPE, "launch-type=emulated", "launch-type=emulated") ||
	    add(&log, 18, TB_EV_LAUNCH_CONFIG, config, "launch-config"))
		return 1;
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, log.used, f) != log.used)
		return 1;
	return fclose(f) != 0;
}

int main(int argc, char **argv)
{
	if (argc == 2)
		return write_chain_log(argv[1]);
	layout();
	limits();
	reopen();
	return test_summary("test_evlog");
}
