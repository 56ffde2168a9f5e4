/* The release launcher has no test options: its command line is never searched for them and the
 * launch parameters go to the SLB as gathered. */
#include "launcher.h"

void test_options_cmdline(const char *cmdline)
{
	(void)cmdline;
}

void test_options_params(struct tb_launch_params *lp, u32 base)
{
	(void)lp;
	(void)base;
}
