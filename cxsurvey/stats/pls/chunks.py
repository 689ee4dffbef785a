"""Running a PLS bootstrap chunk by chunk: how many resamples a chunk holds, a worker
thread's reusable count buffer, the resamples as chunks of their moments (given, or drawn
from the one random stream), and the runner that keeps at most ``jobs + 1`` chunks in
flight while the calling thread draws the next chunk's indices
(:func:`~cxsurvey.stats.pls.resample.index_chunks`)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import TypeVar

import numpy as np

from cxsurvey.stats.pls.resample import (
    ResampleMoments,
    index_chunks,
    resample_counts,
    resample_moments,
    shared_cross_products,
)

__all__ = ["CHUNK_BYTES", "CountBuffer", "MomentSource", "chunk_rows", "moment_chunks",
           "run_chunks"]

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


MomentSource = Callable[[], ResampleMoments]
"""Forms one chunk's resample moments when called (in the worker thread that runs it)."""


def _drawn(z: np.ndarray, cross: np.ndarray | None, indices: np.ndarray,
           buffer: CountBuffer) -> ResampleMoments:
    n = z.shape[0]
    counts = resample_counts(indices, n, buffer.counts_for(indices.shape[0], n))
    return resample_moments(z, counts, cross)


def moment_chunks(z: np.ndarray, chunk_size: int, *, moments: ResampleMoments | None = None,
                  n_boot: int | None = None, seed: int | None = None,
                  indices: np.ndarray | None = None
                  ) -> tuple[Iterator[tuple[MomentSource, int]], int]:
    """The resamples of a bootstrap, chunk by chunk, and their number.

    Each chunk comes as a callable that forms its :class:`ResampleMoments` and the
    chunk's size. With ``moments`` (a PLS bootstrap's, kept with ``keep_moments``),
    slices of ``chunk_size`` resamples; otherwise the indices of ``n_boot`` resamples
    drawn with ``seed`` (or ``indices``), chunk by chunk in order from the one stream
    (:func:`~cxsurvey.stats.pls.resample.index_chunks`; fewer per chunk for large
    samples, :func:`chunk_rows`), whose counts and products are formed by the callable.
    """
    step = max(1, int(chunk_size))
    if moments is not None:
        total = len(moments)
        return ((partial(moments.rows, s, s + step), min(step, total - s))
                for s in range(0, total, step)), total
    n = z.shape[0]
    total = int(n_boot or 0) if indices is None else int(np.shape(indices)[0])
    cross, buffer = shared_cross_products(z), CountBuffer()
    chunks = index_chunks(n, 0 if n_boot is None else n_boot, seed, indices,
                          chunk_rows(n, step))
    return ((partial(_drawn, z, cross, idx, buffer), idx.shape[0]) for idx in chunks), total


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
