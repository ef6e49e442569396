"""Fixtures every cell-engine test file shares (tests/kernelclient.py): one kernel per module
(`kernel`, and its client `kc`) for tests that leave the session as they found it, and a
`fresh` kernel per test for those that change it (a reset, a limit, a prelude)."""
from kernelclient import fresh, kc, kernel  # noqa: F401  (pytest finds fixtures by name)
