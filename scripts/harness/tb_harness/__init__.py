"""trustbit launch harness: swtpm, its control-channel proxy, QEMU orchestration."""
