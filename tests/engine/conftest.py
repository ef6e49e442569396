"""Fixtures every cell-engine test file shares: one kernel per module (`kernel`, and its
client `kc`) for tests that leave the session as they found it, and a `fresh` kernel per
test for those that change it (a reset, a limit, a prelude)."""
import pytest

from cells import start, stop


@pytest.fixture(scope="module")
def kernel():
    km, kc = start()
    yield km, kc
    stop(km, kc)


@pytest.fixture
def kc(kernel):
    return kernel[1]


@pytest.fixture
def fresh():
    km, kc = start()
    yield km, kc
    stop(km, kc)
