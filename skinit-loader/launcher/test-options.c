/* Test options of the test launcher only (docs/launch-protocol.md "Test options"): one `tbtest=`
 * word makes the launcher exit at once (boot-time baseline) or hand the SLB a deliberately bad
 * vmm module, so that the tests can show the SLB refuses it. Never linked into the release
 * launcher (Makefile: build/launcher.elf must not contain the word). */
#include "launcher.h"
#include <tb/serial.h>
#include <tb/string.h>

#define COM1 0x3F8u

static const char *tc;
static u32 tc_len;

void test_options_cmdline(const char *cmdline)
{
	tc = find_word(cmdline, "tbtest=", &tc_len);
	if (tc == NULL)
		return;
	serial_puts(COM1, "launcher: tbtest=");
	serial_write(COM1, tc, tc_len);
	serial_putc(COM1, '\n');
	if (word_is(tc, tc_len, "exit"))
		fail("tbtest=exit");
	if (!word_is(tc, tc_len, "overlap") && !word_is(tc, tc_len, "overflow") &&
	    !word_is(tc, tc_len, "zero-length") && !word_is(tc, tc_len, "no-vmm"))
		fail("unknown tbtest case");
}

void test_options_params(struct tb_launch_params *lp, u32 base)
{
	struct tb_lp_module *vmm = NULL;
	u32 vi = 0;

	if (tc == NULL)
		return;
	for (u32 i = 0; i < lp->nr_modules; i++) {
		if (lp->modules[i].role == TB_ROLE_VMM) {
			vmm = &lp->modules[i];
			vi = i;
		}
	}
	if (vmm == NULL)
		fail("tbtest: no vmm module to alter");
	if (word_is(tc, tc_len, "overlap")) {
		vmm->addr = base;
	} else if (word_is(tc, tc_len, "overflow")) {
		vmm->addr = 0xFFFFF000u;
		vmm->size = 0x2000;
	} else if (word_is(tc, tc_len, "zero-length")) {
		vmm->size = 0;
	} else if (word_is(tc, tc_len, "no-vmm")) {
		for (u32 i = vi; i + 1 < lp->nr_modules; i++)
			lp->modules[i] = lp->modules[i + 1];
		lp->nr_modules--;
		tb_memset(&lp->modules[lp->nr_modules], 0, sizeof(lp->modules[0]));
	}
}
