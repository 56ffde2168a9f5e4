/* Port I/O and MMIO accessors (x86). */
#ifndef TB_IO_H
#define TB_IO_H

#include <tb/types.h>

static inline void outb(u16 port, u8 v)  { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)  { u8 v;  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u16 inw(u16 port) { u16 v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* MMIO: addresses are physical = virtual (paging off in the SLB, identity map in the VMM). */
static inline u8 mmio_read8(uptr addr) { return *(volatile u8 *)addr; }
static inline u32 mmio_read32(uptr addr) { return *(volatile u32 *)addr; }
static inline void mmio_write8(uptr addr, u8 v) { *(volatile u8 *)addr = v; }
static inline void mmio_write32(uptr addr, u32 v) { *(volatile u32 *)addr = v; }

/* A short delay: port 0x80 (POST code) writes take about 1 us on PC hardware. */
static inline void io_delay(void) { outb(0x80, 0); }

#endif
