"""Batched linear algebra for the PLS estimator: many small SPD systems at once."""

from __future__ import annotations

import numpy as np

from cxsurvey.stats.linalg import cholesky_stack

__all__ = ["cholesky_where_pd", "solve_spd"]


def solve_spd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve many small symmetric positive definite systems ``a x = b`` at once.

    numpy's batched LAPACK solver; when one matrix of the batch is singular (it raises
    for the whole batch), Gaussian elimination without pivoting, vectorised over the
    batch, gives every other system its solution and the singular ones non-finite values.

    Parameters
    ----------
    a : ndarray, shape (B, m, m)
    b : ndarray, shape (B, m) or (B, m, r)

    Returns
    -------
    ndarray
        ``x`` with the shape of ``b``; non-finite where ``a`` is singular.

    References
    ----------
    Golub, G. H., & Van Loan, C. F. (2013). Matrix computations (4th ed., ch. 3-4:
    Gaussian elimination; no pivoting is needed for positive definite matrices). Johns
    Hopkins University Press.
    """
    vector = b.ndim == 2
    rhs = b[:, :, None] if vector else b
    try:
        x = np.linalg.solve(a, rhs)
    except np.linalg.LinAlgError:
        x = _eliminate(a, rhs)
    return x[:, :, 0] if vector else x


def _eliminate(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Batched Gaussian elimination without pivoting (exact for SPD matrices)."""
    a = np.array(a, dtype=float, copy=True)
    x = np.array(b, dtype=float, copy=True)
    m = a.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in range(m - 1):
            f = a[:, i + 1:, i] / a[:, i, i][:, None]
            a[:, i + 1:, i:] -= f[:, :, None] * a[:, i, None, i:]
            x[:, i + 1:, :] -= f[:, :, None] * x[:, i, None, :]
        for i in range(m - 1, -1, -1):
            if i < m - 1:
                x[:, i, :] -= np.einsum("bj,bjr->br", a[:, i, i + 1:], x[:, i + 1:, :])
            x[:, i, :] /= a[:, i, i][:, None]
    return x


def cholesky_where_pd(a: np.ndarray, floor: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Cholesky factors of many symmetric matrices, and which are positive definite.

    A matrix counts as positive definite when LAPACK's Cholesky factorisation succeeds
    (:func:`cxsurvey.stats.linalg.cholesky_stack`) and every pivot ``L_ii^2`` exceeds
    ``floor``.

    Parameters
    ----------
    a : ndarray, shape (B, m, m)
    floor : float
        Smallest accepted pivot. Every pivot is at least the smallest eigenvalue, so a
        matrix whose eigenvalues all exceed ``floor`` is accepted; a nearly singular one
        is rejected when the dependency shows in a pivot.

    Returns
    -------
    factors : ndarray, shape (B, m, m)
        Lower-triangular ``L`` with ``L L' = a``; NaN for the matrices not accepted.
    ok : ndarray of bool, shape (B,)

    References
    ----------
    Golub, G. H., & Van Loan, C. F. (2013). Matrix computations (4th ed., sec. 4.2: the
    Cholesky factorisation exists if and only if the matrix is positive definite).
    Johns Hopkins University Press.
    """
    factors, ok = cholesky_stack(np.asarray(a, dtype=float))
    pivots = np.diagonal(factors, axis1=1, axis2=2)
    with np.errstate(invalid="ignore"):
        ok &= np.all(pivots * pivots > floor, axis=1)
    factors[~ok] = np.nan
    return factors, ok
