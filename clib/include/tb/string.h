/* Memory and string helpers. The freestanding build also defines memcpy/memset/memcmp/memmove
 * because gcc may emit calls to them for struct copies and initialisers even with -ffreestanding. */
#ifndef TB_STRING_H
#define TB_STRING_H

#include <tb/types.h>

void *tb_memcpy(void *dst, const void *src, size_t n);
void *tb_memmove(void *dst, const void *src, size_t n);
void *tb_memset(void *dst, int c, size_t n);
int tb_memcmp(const void *a, const void *b, size_t n);
size_t tb_strlen(const char *s);
/* Bounded length: number of bytes before the first NUL, at most max. */
size_t tb_strnlen(const char *s, size_t max);
/* Decimal digits of v into buf (NUL-terminated, at most 20 digits); returns the digit count.
 * No division: -m32 freestanding code has no 64-bit division helper. */
unsigned tb_u64_to_dec(char buf[21], u64 v);
/* Constant-time equality (time depends only on n): 1 if equal, 0 otherwise. For digests/secrets. */
int tb_memeq_ct(const void *a, const void *b, size_t n);

#endif
