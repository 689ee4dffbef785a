"""The positive-definiteness screen of the PLS model fit: NaN factors where a matrix is
not positive definite, and a pivot floor that flags an exactly singular correlation
matrix (numpy's eigenvalues as the reference)."""

from __future__ import annotations

import numpy as np

from cxsurvey.stats.pls.linalg import cholesky_where_pd


def test_cholesky_where_pd_floor_and_nan_factors():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((21, 5, 5))
    x = a @ np.swapaxes(a, 1, 2) + 0.1 * np.eye(5)
    x[[2, 9, 10, 20]] -= 50 * np.eye(5)
    pd = np.linalg.eigvalsh(x)[:, 0] > 0
    factors, ok = cholesky_where_pd(x)
    assert np.array_equal(ok, pd) and np.isnan(factors[~pd]).all()
    assert np.allclose(factors[pd] @ np.swapaxes(factors[pd], 1, 2), x[pd])
    # a correlation matrix with an exact linear dependency: its last pivot is rounding
    rng = np.random.default_rng(1)
    z = rng.standard_normal((40, 3))
    z = np.column_stack([z, z[:, 0] + z[:, 1]])
    singular = np.corrcoef(z, rowvar=False)
    _, flagged = cholesky_where_pd(singular[None], floor=1e-12)
    assert not flagged[0]
    _, fine = cholesky_where_pd(np.corrcoef(z[:, :3], rowvar=False)[None], floor=1e-12)
    assert fine[0]
