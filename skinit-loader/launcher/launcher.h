/* What the launcher's main.c shares with its test-options object. The release launcher links
 * no-test-options.c, the test launcher (build/launcher-test.elf, tests only) test-options.c
 * (docs/launch-protocol.md "Test options"). */
#ifndef LAUNCHER_LAUNCHER_H
#define LAUNCHER_LAUNCHER_H

#include "launch_params.h"

TB_NORETURN void fail(const char *s);              /* "LAUNCHER: error: s", exit status 39 */
/* The whitespace-separated word of s starting with prefix: the rest of it, its length in
 * *rest_len; NULL if there is none. */
const char *find_word(const char *s, const char *prefix, u32 *rest_len);
bool word_is(const char *w, u32 len, const char *lit);

/* Called once the command line is known, before any module is touched. */
void test_options_cmdline(const char *cmdline);
/* Called with the launch parameters filled, before they are copied next to the SLB at base. */
void test_options_params(struct tb_launch_params *lp, u32 base);

#endif
