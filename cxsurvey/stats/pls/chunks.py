"""Running a PLS bootstrap chunk by chunk: how many resamples a chunk holds, a worker
thread's reusable count buffer, and the runner that keeps at most ``jobs + 1`` chunks in
flight while the calling thread draws the next chunk's indices from the one random
stream (:func:`~cxsurvey.stats.pls.resample.index_chunks`)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import numpy as np

__all__ = ["CHUNK_BYTES", "CountBuffer", "chunk_rows", "run_chunks"]

CHUNK_BYTES = 1 << 24  # bytes of one chunk's indices (and of its resample counts)

T = TypeVar("T")


def chunk_rows(n: int, chunk_size: int, limit: int | None = None) -> int:
    """Resamples per chunk: ``chunk_size``, fewer when a chunk's ``(rows, n)`` index and
    count matrices would exceed ``limit`` bytes each (default :data:`CHUNK_BYTES`; large
    samples)."""
    limit = CHUNK_BYTES if limit is None else int(limit)
    return max(1, min(int(chunk_size), limit // (8 * max(n, 1))))


class CountBuffer(threading.local):
    """A worker thread's resample-count buffer, reused for every chunk it estimates."""

    counts: np.ndarray | None = None

    def counts_for(self, rows: int, n: int) -> np.ndarray:
        """A float buffer of at least ``rows * n`` elements, this thread's own."""
        if self.counts is None or self.counts.size < rows * n:
            self.counts = np.empty(rows * n)
        return self.counts


def run_chunks(tasks: Iterable[tuple[Callable[[], T], int]], jobs: int,
               progress: Callable[[int, int], None] | None = None,
               total: int = 0) -> list[T]:
    """Run the chunk tasks (in order, or on ``jobs`` threads); results in task order.

    Parameters
    ----------
    tasks : iterable of (callable, int)
        Each task and the number of samples it estimates. Consumed lazily, in order, in
        the calling thread (where a bootstrap draws each chunk's indices from its one
        random stream); at most ``jobs + 1`` tasks are pending (and one more drawn) at
        a time, which bounds the memory of a run.
    jobs : int
        Worker threads (1: run in the calling thread).
    progress : callable, optional
        ``progress(done, total)`` after each task, in task order.
    total : int
        The ``total`` reported to ``progress``.
    """
    done = 0
    results: list[T] = []
    if jobs <= 1:
        for task, size in tasks:
            results.append(task())
            done += size
            if progress is not None:
                progress(done, total)
        return results
    pending: deque[tuple[Future[T], int]] = deque()

    def collect() -> None:
        nonlocal done
        future, size = pending.popleft()
        results.append(future.result())
        done += size
        if progress is not None:
            progress(done, total)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for task, size in tasks:
            if len(pending) > jobs:
                collect()
            pending.append((pool.submit(task), size))
        while pending:
            collect()
    return results
