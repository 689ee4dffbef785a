"""Batched linear algebra shared by the estimators."""

from __future__ import annotations

import numpy as np

__all__ = ["cholesky_stack"]


def cholesky_stack(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cholesky factors of a stack of symmetric matrices and which ones are positive
    definite (their factor exists); identity factors for the others.

    numpy factors the whole stack at once and raises when one matrix fails; the stack is
    then halved until the failing matrices are isolated, so a few indefinite matrices
    cost a few more LAPACK calls, not one per matrix.

    Parameters
    ----------
    x : ndarray, shape (B, m, m)

    Returns
    -------
    factors : ndarray, shape (B, m, m)
        Lower-triangular ``L`` with ``L L' = x``; the identity where ``x`` is not
        positive definite.
    ok : ndarray of bool, shape (B,)

    References
    ----------
    Golub, G. H., & Van Loan, C. F. (2013). Matrix computations (4th ed., sec. 4.2: the
    Cholesky factorisation exists if and only if the matrix is positive definite).
    Johns Hopkins University Press.
    """
    try:
        return np.linalg.cholesky(x), np.ones(x.shape[0], dtype=bool)
    except np.linalg.LinAlgError:
        pass
    if x.shape[0] <= 8:
        out = np.broadcast_to(np.eye(x.shape[-1]), x.shape).copy()
        ok = np.zeros(x.shape[0], dtype=bool)
        for r in range(x.shape[0]):
            try:
                out[r] = np.linalg.cholesky(x[r])
                ok[r] = True
            except np.linalg.LinAlgError:
                continue
        return out, ok
    half = x.shape[0] // 2
    (c1, ok1), (c2, ok2) = cholesky_stack(x[:half]), cholesky_stack(x[half:])
    return np.concatenate([c1, c2]), np.concatenate([ok1, ok2])
