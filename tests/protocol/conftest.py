"""Fixtures the protocol test files share (tests/kernelclient.py): one kernel per module
(`kernel`, and its client `kc`) and a `fresh` kernel per test."""
from kernelclient import fresh, kc, kernel  # noqa: F401  (pytest finds fixtures by name)
