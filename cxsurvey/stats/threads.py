"""BLAS thread limits for the small matrix work of the model fits.

The covariance-based fits multiply and invert matrices of a few dozen rows. A
multi-threaded OpenBLAS only adds overhead there, and when several processes fit at
once (bootstrap workers, ``batch`` workers) its spinning threads fight over the cores:
each refit became ~3x slower with 2 workers. threadpoolctl sets the limits; without it
the functions do nothing and the results are the same, only maybe slower.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

__all__ = ["one_blas_thread", "single_threaded_blas"]

_CONTROLLER: Any = None


def single_threaded_blas() -> None:
    """Limit BLAS to one thread for the rest of the process.

    Meant as the ``initializer`` of worker processes
    (:class:`concurrent.futures.ProcessPoolExecutor`), so that workers do not compete
    for the cores with their own BLAS threads.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return
    threadpool_limits(1)


def one_blas_thread() -> AbstractContextManager[Any]:
    """A context in which BLAS uses one thread (the previous limits are restored after).

    For a single fit in a process that may otherwise use threaded BLAS: on a loaded
    machine the spinning threads make a 20 ms fit take seconds.
    """
    global _CONTROLLER
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return nullcontext()
    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    limited: AbstractContextManager[Any] = _CONTROLLER.limit(limits=1, user_api="blas")
    return limited
