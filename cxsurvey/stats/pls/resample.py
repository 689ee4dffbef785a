"""Resampling for the PLS bootstrap: the resample indices and the item correlation
matrices of bootstrap resamples and jackknife (leave-one-out) samples.

A resample enters the PLS algorithm only through its item correlation matrix. The
correlation matrices of a whole chunk of resamples come from one matrix product
(resample counts times the items' cross-products, of which only the upper triangle is
formed, since ``z_i z_j = z_j z_i``).

The resample indices can be drawn chunk by chunk (:func:`index_chunks`) from the same
random stream as the one-shot ``(n_boot, n)`` matrix of :func:`draw_indices`, so that a
bootstrap never holds more than a few chunks of indices in memory.

The sums behind those correlations (:class:`ResampleMoments`: per resample the item
sums, the packed sums of cross-products and the size) are small, ``p (p + 3) / 2 + 1``
numbers per resample whatever n, and determine the correlations of the same resamples of
any linear transform ``Z T`` of the items: ``sum z T = (sum z) T`` and ``sum T' z z' T =
T' (sum z z') T``. A bootstrap that keeps them lets a later analysis of the same
resamples (the Bollen-Stine bootstrap of the model fit, consistent PLS) skip the
``n``-row products.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from cxsurvey.stats.pls.data import ZERO_VARIANCE

__all__ = ["CROSS_BYTES", "ResampleMoments", "cross_products", "draw_indices",
           "index_chunks", "jackknife_correlations", "resample_correlations",
           "resample_counts", "resample_moments", "shared_cross_products",
           "unpack_symmetric"]

_LOOP_COUNTS = 2048  # from this many rows on, resample counts are made row by row
CROSS_BYTES = 1 << 28  # the row cross-products are formed once up to this size
_BLOCK_BYTES = 1 << 23  # else, per block of rows of about this size, each time needed


def _check_indices(indices: np.ndarray, n: int) -> np.ndarray:
    indices = np.asarray(indices)
    if indices.ndim != 2 or indices.shape[0] < 2:
        raise ValueError("indices must be a 2-D (n_boot, n) matrix with at least 2 rows")
    if not np.issubdtype(indices.dtype, np.integer):
        raise ValueError("indices must hold integer row positions")
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        raise ValueError(f"indices must be 0-based row positions in [0, {n - 1}] of the "
                         f"{n} rows used; got values in [{indices.min()}, "
                         f"{indices.max()}] (R's 1-based indices need 1 subtracted)")
    return indices.astype(np.int64, copy=False)


def _check_n_boot(n_boot: int) -> int:
    if int(n_boot) < 2:
        raise ValueError(f"n_boot must be at least 2; got {n_boot!r}")
    return int(n_boot)


def draw_indices(n: int, n_boot: int, seed: int | None = None,
                 indices: np.ndarray | None = None) -> np.ndarray:
    """The ``(n_boot, n)`` matrix of 0-based resample row positions.

    Drawn with numpy's PCG64 generator seeded with ``seed``
    (``Generator.integers(0, n, size=(n_boot, n))``), or ``indices`` checked, so a run
    does not depend on chunking or on the number of worker threads.
    :func:`index_chunks` yields the same matrix chunk by chunk.

    Raises
    ------
    ValueError
        For fewer than 2 resamples or an ``indices`` matrix that is not 2-D, not integer
        or out of range.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap (ch. 6).
    Chapman & Hall. O'Neill, M. E. (2014). PCG: A family of simple fast space-efficient
    statistically good algorithms for random number generation (HMC-CS-2014-0905).
    Harvey Mudd College.
    """
    if indices is None:
        rng = np.random.Generator(np.random.PCG64(seed))
        return rng.integers(0, n, size=(_check_n_boot(n_boot), n), dtype=np.int64)
    return _check_indices(indices, n)


def index_chunks(n: int, n_boot: int, seed: int | None = None,
                 indices: np.ndarray | None = None,
                 step: int = 1000) -> Iterator[np.ndarray]:
    """The rows of :func:`draw_indices`, ``step`` resamples at a time, in order.

    With ``indices`` the chunks are its (checked) row blocks. Otherwise each chunk is
    drawn when it is needed, by ``Generator.integers(0, n, size=(rows, n))`` on one PCG64
    generator seeded with ``seed``, so only one chunk of indices is in memory (int32 for
    ``n < 2**31``: the same numbers as the default int64).

    Notes
    -----
    The chunks are the rows of the one-shot ``integers(0, n, size=(n_boot, n))`` draw:
    numpy fills an integer array element by element in C order, each element taking
    what it needs from the bit generator's stream (Lemire's rejection method on 32-bit
    outputs for ``n <= 2**32``, of which PCG64 keeps the unused half of a 64-bit word in
    its own state for the next call), so successive calls continue the stream where the
    previous one stopped, for any chunk length, even or odd.
    ``tests/stats/pls/test_resample.py`` checks this for odd and even ``n`` and chunks.

    Raises
    ------
    ValueError
        As :func:`draw_indices`; also for a ``step`` below 1.

    References
    ----------
    Lemire, D. (2019). Fast random integer generation in an interval. ACM Transactions on
    Modeling and Computer Simulation, 29(1), 3. O'Neill, M. E. (2014). PCG: A family of
    simple fast space-efficient statistically good algorithms for random number
    generation (HMC-CS-2014-0905). Harvey Mudd College.
    """
    if int(step) < 1:
        raise ValueError(f"step must be positive; got {step!r}")
    step = int(step)
    if indices is not None:
        checked = _check_indices(indices, n)
        return (checked[s:s + step] for s in range(0, checked.shape[0], step))
    total = _check_n_boot(n_boot)
    rng = np.random.Generator(np.random.PCG64(seed))
    # int32 draws are the same numbers as int64 ones below 2**31 (numpy draws both with
    # the 32-bit bounded method), in half the memory
    dtype = np.int32 if n < 2 ** 31 else np.int64
    return (rng.integers(0, n, size=(min(step, total - s), n), dtype=dtype)
            for s in range(0, total, step))


def resample_counts(indices: np.ndarray, n: int, out: np.ndarray | None = None) -> np.ndarray:
    """How often each of the ``n`` rows appears in each resample: shape (B, n), float.

    ``out`` (shape at least (B, n), float, C-contiguous) is filled and returned in place
    of a new array, so a worker can reuse one buffer for all its chunks.
    """
    indices = np.asarray(indices)
    b = indices.shape[0]
    out = np.empty((b, n)) if out is None else out.reshape(-1)[:b * n].reshape(b, n)
    if n >= _LOOP_COUNTS:
        # one row at a time: the counts of a row stay in cache
        for r in range(b):
            out[r] = np.bincount(indices[r], minlength=n)
    else:
        flat = (indices + (np.arange(b) * n)[:, None]).ravel()
        out[...] = np.bincount(flat, minlength=b * n).reshape(b, n)
    return out


def cross_products(z: np.ndarray) -> np.ndarray:
    """Row cross-products ``z_i z_i'``, upper triangle only (with the diagonal, in the
    row-major order of ``numpy.triu_indices``): shape (n, p (p + 1) / 2)."""
    n, p = z.shape
    out = np.empty((n, p * (p + 1) // 2))
    at = 0
    for i in range(p):  # row i of the upper triangle: z_i z_j for j >= i
        np.multiply(z[:, i:i + 1], z[:, i:], out=out[:, at:at + p - i])
        at += p - i
    return out


def shared_cross_products(z: np.ndarray) -> np.ndarray | None:
    """:func:`cross_products` of ``z`` when they fit in :data:`CROSS_BYTES` (256 MiB:
    about 120,000 rows of 33 items, or 6,600 rows of 100), to be formed once and shared
    by every chunk of a bootstrap; None for a larger (wide and long) survey, whose
    chunks then form them block by block of rows (:func:`resample_moments`), which
    bounds the memory at the cost of forming them once per chunk."""
    n, p = z.shape
    return cross_products(z) if n * (p * (p + 1) // 2) * 8 <= CROSS_BYTES else None


def _weighted_cross_sums(z: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``counts @ cross_products(z)`` formed block by block of rows (bounded memory)."""
    n, p = z.shape
    width = p * (p + 1) // 2
    rows = max(1, _BLOCK_BYTES // (8 * width))
    out = np.zeros((counts.shape[0], width))
    for start in range(0, n, rows):
        block = slice(start, min(start + rows, n))
        out += counts[:, block] @ cross_products(z[block])
    return out


def unpack_symmetric(packed: np.ndarray, p: int) -> np.ndarray:
    """Symmetric (B, p, p) matrices from their packed upper triangles (B, p (p + 1) / 2),
    in the order of :func:`cross_products`."""
    rows, cols = np.triu_indices(p)
    out = np.empty((packed.shape[0], p, p))
    out[:, rows, cols] = packed
    out[:, cols, rows] = packed
    return out


def _moments_to_corr(s1: np.ndarray, s2: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Correlation matrices from sums, sums of cross-products and sizes; NaN matrices for
    samples in which an item has (numerically) zero variance. ``s2`` (a fresh array of
    the caller's) becomes the result."""
    mean = s1 / m[:, None]
    # cov = (s2 - m mean mean') / (m - 1), in place
    outer = np.multiply((m[:, None] * mean)[:, :, None], mean[:, None, :])
    cov = np.subtract(s2, outer, out=s2)
    cov /= (m - 1)[:, None, None]
    var = np.einsum("bpp->bp", cov)
    bad = np.any(var <= ZERO_VARIANCE, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.sqrt(np.where(var > 0, var, np.nan))
        corr = np.divide(cov, np.multiply(d[:, :, None], d[:, None, :], out=outer), out=cov)
    idx = np.arange(corr.shape[1])
    corr[:, idx, idx] = 1.0
    corr[bad] = np.nan
    return corr


@dataclass(frozen=True)
class ResampleMoments:
    """The sums that determine the item correlation matrices of bootstrap resamples.

    Attributes
    ----------
    s1 : ndarray, shape (B, p)
        Per resample, the sum of each standardised item over its rows (with repeats).
    s2 : ndarray, shape (B, p (p + 1) / 2)
        The sums of the row cross-products ``z_i z_j``, packed upper triangle in the
        order of :func:`cross_products`.
    m : ndarray, shape (B,)
        Rows per resample.
    n : int
        Rows resampled (the sample).
    items : tuple of str
        The items, in column order (empty when not named).
    seed : int or None
        Seed of the resample indices, when drawn from one.
    """

    s1: np.ndarray
    s2: np.ndarray
    m: np.ndarray
    n: int
    items: tuple[str, ...] = ()
    seed: int | None = None

    def __len__(self) -> int:
        return int(self.s1.shape[0])

    @property
    def p(self) -> int:
        """Number of items."""
        return int(self.s1.shape[1])

    @property
    def nbytes(self) -> int:
        return int(self.s1.nbytes + self.s2.nbytes + self.m.nbytes)

    def check_matches(self, n: int, items: Sequence[str]) -> None:
        """Raise ValueError unless these are resamples of ``n`` rows of ``items``."""
        if self.n != n or self.p != len(items) or (
                self.items and tuple(self.items) != tuple(items)):
            raise ValueError("moments must come from a bootstrap of the same items and "
                             f"rows ({len(items)} items, {n} rows); got {self.p} items, "
                             f"{self.n} rows")

    def rows(self, start: int, stop: int) -> ResampleMoments:
        """Resamples ``start:stop``."""
        return replace(self, s1=self.s1[start:stop], s2=self.s2[start:stop],
                       m=self.m[start:stop])

    @classmethod
    def concat(cls, parts: Sequence[ResampleMoments], items: Sequence[str] = (),
               seed: int | None = None) -> ResampleMoments:
        """The resamples of ``parts``, in order."""
        return cls(s1=np.concatenate([x.s1 for x in parts]),
                   s2=np.concatenate([x.s2 for x in parts]),
                   m=np.concatenate([x.m for x in parts]), n=parts[0].n,
                   items=tuple(items), seed=seed)

    def correlations(self, transform: np.ndarray | None = None) -> np.ndarray:
        """Item correlation matrices of the resamples, shape (B, p, p), of the items or
        of ``Z @ transform`` (a (p, p) matrix); NaN for a resample in which an item (a
        transformed item) is constant.

        References
        ----------
        Bollen, K. A., & Stine, R. A. (1992). Bootstrapping goodness-of-fit measures in
        structural equation models. Sociological Methods & Research, 21(2), 205-229
        (resampling the transformed data ``Z S^-1/2 Sigma^1/2``).
        """
        s2 = unpack_symmetric(self.s2, self.p)
        if transform is None:
            return _moments_to_corr(self.s1, s2, self.m)
        t = np.asarray(transform, dtype=float)
        return _moments_to_corr(self.s1 @ t, t.T @ s2 @ t, self.m)


def resample_moments(z: np.ndarray, counts: np.ndarray,
                     cross: np.ndarray | None = None) -> ResampleMoments:
    """:class:`ResampleMoments` of weighted resamples.

    Parameters
    ----------
    z : ndarray, shape (n, p)
        Standardised items of the sample.
    counts : ndarray, shape (B, n)
        How often each row appears in each resample.
    cross : ndarray, shape (n, p (p + 1) / 2), optional
        Precomputed :func:`cross_products` of ``z`` (:func:`shared_cross_products`);
        without them they are formed block by block of rows, never all at once.
    """
    counts = np.asarray(counts, dtype=float)
    s2 = _weighted_cross_sums(z, counts) if cross is None else counts @ cross
    return ResampleMoments(s1=counts @ z, s2=s2, m=counts.sum(axis=1), n=int(z.shape[0]))


def resample_correlations(z: np.ndarray, counts: np.ndarray,
                          cross: np.ndarray | None = None) -> np.ndarray:
    """Item correlation matrices of weighted resamples.

    Parameters
    ----------
    z : ndarray, shape (n, p)
        Standardised items of the sample.
    counts : ndarray, shape (B, n)
        How often each row appears in each resample.
    cross : ndarray, shape (n, p (p + 1) / 2) or (n, p * p), optional
        Precomputed row cross-products (:func:`cross_products`, or the full ``p * p``
        products ``z_ij z_ik`` in row-major order).

    Returns
    -------
    ndarray, shape (B, p, p)
        NaN for a resample in which an item is constant.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap (ch. 6: the
    nonparametric bootstrap as resampling counts). Chapman & Hall.
    """
    p = z.shape[1]
    if cross is not None and cross.shape[1] == p * p and p > 1:
        counts = np.asarray(counts, dtype=float)
        return _moments_to_corr(counts @ z, (counts @ cross).reshape(-1, p, p),
                                counts.sum(axis=1))
    return resample_moments(z, counts, cross).correlations()


def jackknife_correlations(z: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Item correlation matrices of the leave-one-out samples (``rows`` left out).

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap (ch. 11, the
    jackknife; ch. 14.3, its use for the BCa acceleration). Chapman & Hall.
    """
    n = z.shape[0]
    rows = np.arange(n) if rows is None else np.asarray(rows)
    zi = z[rows]
    s1 = z.sum(axis=0)[None, :] - zi
    outer = np.multiply(zi[:, :, None], zi[:, None, :])
    s2 = np.subtract((z.T @ z)[None], outer, out=outer)
    return _moments_to_corr(s1, s2, np.full(len(rows), n - 1.0))
