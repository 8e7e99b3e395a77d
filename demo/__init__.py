"""The offline demo, and the runner that puts the real bot in front of the sandbox (also used by
tests and benchmarks)."""
