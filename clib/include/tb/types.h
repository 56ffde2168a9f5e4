/* Basic freestanding types shared by the SLB (32-bit), the VMM (64-bit) and host tests. */
#ifndef TB_TYPES_H
#define TB_TYPES_H

#include <stddef.h>   /* size_t, NULL, offsetof: provided by the compiler, also freestanding */
#include <stdint.h>
#include <stdbool.h>

typedef uint8_t  u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t   s8;
typedef int16_t  s16;
typedef int32_t  s32;
typedef int64_t  s64;
typedef uintptr_t uptr;

#define TB_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#define TB_PACKED   __attribute__((packed))
#define TB_NORETURN __attribute__((noreturn))
#define TB_UNUSED   __attribute__((unused))

#define TB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
