"""OpenBLAS's idle threads (kernel/engine.c, executor_environment): the
executor starts with OPENBLAS_THREAD_TIMEOUT=4, so the worker OpenBLAS makes
when it loads sleeps at once instead of spinning on sched_yield for 2^28
cycles (70-100 ms of CPU in every fresh kernel, before its first cell); a
value the user chose is kept.  A cell sees the executor's environment."""
from kernelclient import ok, started

SHOW = 'printf("%s\\n", getenv("OPENBLAS_THREAD_TIMEOUT"));'


def test_the_executor_starts_with_the_shortest_blas_wait(kc):
    assert ok(kc, SHOW).text() == "4\n"


def test_a_wait_the_user_chose_is_kept():
    with started(env={"OPENBLAS_THREAD_TIMEOUT": "12"}) as (km, kc):
        assert ok(kc, SHOW).text() == "12\n"
