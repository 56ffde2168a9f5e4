/* One-line descriptions of every negative error code of the TPM / event log stack. */
#include <tb/tis.h>
#include <tb/tpm2.h>
#include <tb/evlog.h>
#include <tb/measure.h>

const char *tis_strerror(int err)
{
	switch (err) {
	case TIS_ERR_LOCALITY: return "TIS: locality out of range";
	case TIS_ERR_NO_TPM: return "TIS: no TPM at 0xFED40000";
	case TIS_ERR_TIMEOUT: return "TIS: timeout";
	case TIS_ERR_NOT_ACTIVE: return "TIS: locality not active";
	case TIS_ERR_PROTOCOL: return "TIS: FIFO protocol violation";
	case TIS_ERR_ARGS: return "TIS: bad buffer or length";
	case TIS_ERR_RESP_SIZE: return "TIS: response size invalid";
	default: return "unknown error";
	}
}

const char *tpm2_strerror(int err)
{
	switch (err) {
	case TPM2_ERR_ARGS: return "TPM2: bad command arguments";
	case TPM2_ERR_SHORT: return "TPM2: response truncated";
	case TPM2_ERR_SIZE: return "TPM2: response size field mismatch";
	case TPM2_ERR_TAG: return "TPM2: response tag unexpected";
	case TPM2_ERR_FORMAT: return "TPM2: response content unexpected";
	case TPM2_ERR_TRAILING: return "TPM2: response has trailing bytes";
	default: return tis_strerror(err);
	}
}

const char *evlog_strerror(int err)
{
	switch (err) {
	case EVLOG_ERR_ARGS: return "event log: bad arguments";
	case EVLOG_ERR_FULL: return "event log: full";
	case EVLOG_ERR_FORMAT: return "event log: existing log malformed";
	default: return tpm2_strerror(err);
	}
}

const char *tb_strerror(int err)
{
	if (err == MEASURE_ERR_LOG_FULL)
		return "measure: event log has no room for the event";
	return evlog_strerror(err);
}
