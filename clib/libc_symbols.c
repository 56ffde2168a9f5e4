/* gcc may emit calls to memcpy/memset/memcmp/memmove for struct copies and initialisers even in
 * freestanding code (gcc manual, "Standards": these four must be provided). Freestanding builds
 * only; host tests use the C library's. */
#include <tb/string.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dst, const void *src, size_t n) { return tb_memcpy(dst, src, n); }
void *memmove(void *dst, const void *src, size_t n) { return tb_memmove(dst, src, n); }
void *memset(void *dst, int c, size_t n) { return tb_memset(dst, c, n); }
int memcmp(const void *a, const void *b, size_t n) { return tb_memcmp(a, b, n); }
