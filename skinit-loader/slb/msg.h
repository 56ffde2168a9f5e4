/* A bounded message buffer for one-line error reasons (no printf in the SLB). */
#ifndef SLB_MSG_H
#define SLB_MSG_H

#include <tb/types.h>

struct msg {
	char *buf;
	u32 cap;   /* including the NUL */
	u32 len;
};

void msg_init(struct msg *m, char *buf, u32 cap);
void msg_str(struct msg *m, const char *s);
void msg_dec(struct msg *m, u64 v);
void msg_hex(struct msg *m, u64 v);

#endif
