/* Included first (-include) in 32-bit position-independent builds: every symbol is local to the
 * image, so gcc uses @GOTOFF / PC-relative references and the linker emits no relocations. */
#pragma GCC visibility push(hidden)
