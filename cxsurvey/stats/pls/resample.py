"""Resampling for the PLS bootstrap: the index matrix and the item correlation matrices
of bootstrap resamples and jackknife (leave-one-out) samples.

A resample enters the PLS algorithm only through its item correlation matrix. The
correlation matrices of a whole chunk of resamples come from one matrix product
(resample counts times the item cross-products).
"""

from __future__ import annotations

import numpy as np

from cxsurvey.stats.pls.data import ZERO_VARIANCE

__all__ = ["cross_products", "draw_indices", "jackknife_correlations", "resample_correlations",
           "resample_counts"]


def draw_indices(n: int, n_boot: int, seed: int | None = None,
                 indices: np.ndarray | None = None) -> np.ndarray:
    """The ``(n_boot, n)`` matrix of 0-based resample row positions.

    Drawn with numpy's PCG64 generator seeded with ``seed``
    (``Generator.integers(0, n, size=(n_boot, n))``), or ``indices`` checked, so a run
    does not depend on chunking or on the number of worker threads.

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
        if int(n_boot) < 2:
            raise ValueError(f"n_boot must be at least 2; got {n_boot!r}")
        rng = np.random.Generator(np.random.PCG64(seed))
        return rng.integers(0, n, size=(int(n_boot), n)).astype(np.int64)
    indices = np.asarray(indices)
    if indices.ndim != 2 or indices.shape[0] < 2:
        raise ValueError("indices must be a 2-D (n_boot, n) matrix with at least 2 rows")
    if not np.issubdtype(indices.dtype, np.integer):
        raise ValueError("indices must hold integer row positions")
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        raise ValueError(f"indices must be 0-based row positions in [0, {n - 1}] of the "
                         f"{n} rows used; got values in [{indices.min()}, "
                         f"{indices.max()}] (R's 1-based indices need 1 subtracted)")
    return indices.astype(np.int64)


def resample_counts(indices: np.ndarray, n: int) -> np.ndarray:
    """How often each of the ``n`` rows appears in each resample: shape (B, n)."""
    b = indices.shape[0]
    flat = (indices + (np.arange(b) * n)[:, None]).ravel()
    return np.bincount(flat, minlength=b * n).reshape(b, n).astype(float)


def cross_products(z: np.ndarray) -> np.ndarray:
    """Row cross-products ``z_i z_i'``, flattened: shape (n, p * p)."""
    n, p = z.shape
    return (z[:, :, None] * z[:, None, :]).reshape(n, p * p)


def _moments_to_corr(s1: np.ndarray, s2: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Correlation matrices from sums, sums of cross-products and sizes; NaN matrices for
    samples in which an item has (numerically) zero variance."""
    mean = s1 / m[:, None]
    cov = (s2 - m[:, None, None] * mean[:, :, None] * mean[:, None, :]) / (m - 1)[:, None, None]
    var = np.einsum("bpp->bp", cov)
    bad = np.any(var <= ZERO_VARIANCE, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.sqrt(np.where(var > 0, var, np.nan))
        corr = cov / (d[:, :, None] * d[:, None, :])
    idx = np.arange(corr.shape[1])
    corr[:, idx, idx] = 1.0
    corr[bad] = np.nan
    return corr


def resample_correlations(z: np.ndarray, counts: np.ndarray,
                          cross: np.ndarray | None = None) -> np.ndarray:
    """Item correlation matrices of weighted resamples.

    Parameters
    ----------
    z : ndarray, shape (n, p)
        Standardised items of the sample.
    counts : ndarray, shape (B, n)
        How often each row appears in each resample.
    cross : ndarray, shape (n, p * p), optional
        Precomputed row cross-products (:func:`cross_products`).

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
    if cross is None:
        cross = cross_products(z)
    counts = np.asarray(counts, dtype=float)
    s1 = counts @ z
    s2 = (counts @ cross).reshape(-1, p, p)
    return _moments_to_corr(s1, s2, counts.sum(axis=1))


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
    s2 = (z.T @ z)[None] - zi[:, :, None] * zi[:, None, :]
    return _moments_to_corr(s1, s2, np.full(len(rows), n - 1.0))
