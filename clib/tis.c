/* TPM TIS FIFO transport. TCG PC Client Platform TPM Profile (PTP) Specification for TPM 2.0,
 * rev. 1.05: §6.3.2 localities and ACCESS handshake, §6.5.2.7 TPM_STS, §6.3.3.2 command
 * transmission (commandReady -> write FIFO honouring burstCount, checking stsValid/Expect -> tpmGo
 * -> dataAvail -> read) . Every loop is bounded; every status read is checked. */
#include <tb/tis.h>
#include <tb/io.h>

static uptr reg(unsigned loc, u32 off)
{
	return (uptr)TIS_BASE + (uptr)loc * TIS_LOCALITY_STRIDE + off;
}

static u8 read_access(unsigned loc) { return mmio_read8(reg(loc, TIS_REG_ACCESS)); }
static u8 read_sts(unsigned loc) { return mmio_read8(reg(loc, TIS_REG_STS)); }
static void write_sts(unsigned loc, u8 v) { mmio_write8(reg(loc, TIS_REG_STS), v); }

static u32 burst_count(unsigned loc)
{
	return (u32)mmio_read8(reg(loc, TIS_REG_BURST_COUNT)) |
	       ((u32)mmio_read8(reg(loc, TIS_REG_BURST_COUNT + 1)) << 8);
}

static bool locality_active(unsigned loc)
{
	u8 a = read_access(loc);
	/* 0xFF: nothing decodes the address. */
	return a != 0xFF && (a & (TIS_ACCESS_VALID | TIS_ACCESS_ACTIVE_LOCALITY)) ==
				    (TIS_ACCESS_VALID | TIS_ACCESS_ACTIVE_LOCALITY);
}

void tis_relinquish_locality(unsigned loc)
{
	if (loc > TIS_MAX_LOCALITY)
		return;
	/* Writing 1 to activeLocality gives the locality up (PTP §6.5.2.4). */
	mmio_write8(reg(loc, TIS_REG_ACCESS), TIS_ACCESS_ACTIVE_LOCALITY);
}

int tis_request_locality(unsigned loc)
{
	if (loc > TIS_MAX_LOCALITY)
		return TIS_ERR_LOCALITY;
	u8 a = read_access(loc);
	if (a == 0xFF || !(a & TIS_ACCESS_VALID))
		return TIS_ERR_NO_TPM;
	if (locality_active(loc))
		return 0;
	mmio_write8(reg(loc, TIS_REG_ACCESS), TIS_ACCESS_REQUEST_USE);
	for (u32 i = 0; i < TIS_POLL_LOCALITY; i++) {
		if (locality_active(loc))
			return 0;
		io_delay();
	}
	return TIS_ERR_TIMEOUT;
}

/* Wait until (STS & mask) == value. stsValid qualifies only Expect and dataAvail (PTP
 * §6.5.2.7), so it is required exactly when one of those is tested (QEMU's tpm-tis, for one,
 * shows commandReady without stsValid). */
static int wait_sts(unsigned loc, u8 mask, u8 value, u32 polls)
{
	u8 need_valid = (mask & (TIS_STS_EXPECT | TIS_STS_DATA_AVAIL)) ? TIS_STS_VALID : 0;

	for (u32 i = 0; i < polls; i++) {
		u8 s = read_sts(loc);
		if (s != 0xFF && (s & need_valid) == need_valid && (s & mask) == value)
			return 0;
		io_delay();
	}
	return TIS_ERR_TIMEOUT;
}

static int wait_burst(unsigned loc, u32 *burst)
{
	for (u32 i = 0; i < TIS_POLL_LOCALITY; i++) {
		u32 b = burst_count(loc);
		if (b != 0 && b != 0xFFFF) {
			*burst = b;
			return 0;
		}
		io_delay();
	}
	return TIS_ERR_TIMEOUT;
}

/* Read n bytes from the FIFO honouring burstCount. */
static int read_fifo(unsigned loc, u8 *out, size_t n)
{
	size_t done = 0;

	while (done < n) {
		u32 burst;
		int err = wait_sts(loc, TIS_STS_DATA_AVAIL, TIS_STS_DATA_AVAIL, TIS_POLL_LOCALITY);
		if (err)
			return TIS_ERR_PROTOCOL;   /* the TPM said it had more data, then ran dry */
		if ((err = wait_burst(loc, &burst)) != 0)
			return err;
		while (burst > 0 && done < n) {
			out[done++] = mmio_read8(reg(loc, TIS_REG_DATA_FIFO));
			burst--;
		}
	}
	return 0;
}

static int send_command(unsigned loc, const u8 *cmd, size_t len)
{
	size_t done = 0;
	int err;

	/* All bytes but the last: the TPM must keep expecting more (Expect = 1). */
	while (done < len - 1) {
		u32 burst;
		if ((err = wait_burst(loc, &burst)) != 0)
			return err;
		while (burst > 0 && done < len - 1) {
			mmio_write8(reg(loc, TIS_REG_DATA_FIFO), cmd[done++]);
			burst--;
		}
		if ((err = wait_sts(loc, TIS_STS_EXPECT, TIS_STS_EXPECT, TIS_POLL_LOCALITY)) != 0)
			return TIS_ERR_PROTOCOL;
	}
	/* Last byte: afterwards the TPM must no longer expect data. */
	u32 burst;
	if ((err = wait_burst(loc, &burst)) != 0)
		return err;
	mmio_write8(reg(loc, TIS_REG_DATA_FIFO), cmd[done]);
	if ((err = wait_sts(loc, TIS_STS_EXPECT, 0, TIS_POLL_LOCALITY)) != 0)
		return TIS_ERR_PROTOCOL;
	return 0;
}

int tis_transmit(unsigned loc, const u8 *cmd, size_t len, u8 *resp, size_t cap, size_t *resp_len)
{
	int err;

	if (loc > TIS_MAX_LOCALITY)
		return TIS_ERR_LOCALITY;
	if (cmd == NULL || resp == NULL || resp_len == NULL || len < 10 || cap < 10)
		return TIS_ERR_ARGS;
	*resp_len = 0;
	if (!locality_active(loc))
		return TIS_ERR_NOT_ACTIVE;

	/* Idle -> Ready (commandReady), PTP §6.3.3.2 / Table 22. */
	write_sts(loc, TIS_STS_COMMAND_READY);
	if ((err = wait_sts(loc, TIS_STS_COMMAND_READY, TIS_STS_COMMAND_READY, TIS_POLL_LOCALITY)) != 0)
		return err;
	if ((err = send_command(loc, cmd, len)) != 0)
		goto abort;
	write_sts(loc, TIS_STS_GO);
	if ((err = wait_sts(loc, TIS_STS_DATA_AVAIL, TIS_STS_DATA_AVAIL, TIS_POLL_COMMAND)) != 0)
		goto abort;

	/* Header first: its size field (bytes 2..5, BE) says how much follows. */
	if ((err = read_fifo(loc, resp, 10)) != 0)
		goto abort;
	u32 size = ((u32)resp[2] << 24) | ((u32)resp[3] << 16) | ((u32)resp[4] << 8) | resp[5];
	if (size < 10 || size > cap) {
		err = TIS_ERR_RESP_SIZE;
		goto abort;
	}
	if ((err = read_fifo(loc, resp + 10, size - 10)) != 0)
		goto abort;
	/* Everything read: dataAvail must now be clear. */
	if (wait_sts(loc, TIS_STS_DATA_AVAIL, 0, TIS_POLL_LOCALITY) != 0) {
		err = TIS_ERR_PROTOCOL;
		goto abort;
	}
	if (!locality_active(loc)) {
		/* Seized by a higher locality meanwhile: the response cannot be trusted. */
		err = TIS_ERR_NOT_ACTIVE;
		goto abort;
	}
	write_sts(loc, TIS_STS_COMMAND_READY);     /* back to idle */
	*resp_len = size;
	return 0;

abort:
	/* commandReady aborts a command in any state (PTP Table 22). */
	write_sts(loc, TIS_STS_COMMAND_READY);
	return err;
}
