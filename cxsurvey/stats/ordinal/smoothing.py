"""Smoothing a non-positive-definite correlation matrix, as ``psych::cor.smooth``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = ["smooth_correlation"]


def smooth_correlation(matrix: ArrayLike | pd.DataFrame,
                       eig_tol: float = 1e-12) -> NDArray[np.float64] | pd.DataFrame:
    """Make a correlation matrix positive definite by eigenvalue smoothing.

    As ``psych::cor.smooth``: if the smallest eigenvalue is below machine epsilon, the
    eigenvalues below ``eig_tol`` are set to ``100 * eig_tol``, all eigenvalues are rescaled
    to sum to the number of variables, the matrix is rebuilt from its eigenvectors and
    rescaled to a unit diagonal (``cov2cor``). A positive-definite matrix is returned
    unchanged.

    Parameters
    ----------
    matrix : array_like or DataFrame
        A symmetric correlation matrix (e.g. polychoric, estimated pair by pair).
    eig_tol : float
        psych's ``eig.tol``.

    Returns
    -------
    ndarray or DataFrame
        The smoothed matrix (a DataFrame with the same labels if one was given).

    References
    ----------
    Revelle, W. (2022). psych: Procedures for psychological, psychometric, and personality
    research (R package version 2.2.9), ``cor.smooth``. See also Wothke, W. (1993).
    Nonpositive definite matrices in structural modeling. In K. A. Bollen & J. S. Long
    (Eds.), *Testing structural equation models* (pp. 256-293). Sage.
    """
    x = np.asarray(matrix, dtype=float)
    values, vectors = np.linalg.eigh((x + x.T) / 2.0)
    if values.min() < np.finfo(float).eps:
        values = np.where(values < eig_tol, 100.0 * eig_tol, values)
        values = values * x.shape[0] / values.sum()
        rebuilt = (vectors * values) @ vectors.T
        scale = np.sqrt(np.diag(rebuilt))
        x = rebuilt / np.outer(scale, scale)
        np.fill_diagonal(x, 1.0)
    else:
        x = x.copy()
    if isinstance(matrix, pd.DataFrame):
        return pd.DataFrame(x, index=matrix.index, columns=matrix.columns)
    return x
