"""Batched Cholesky with isolated failures, against numpy's own per-matrix factorisation
and eigenvalues."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose

from cxsurvey.stats.linalg import cholesky_stack


def stack(seed: int = 3, size: int = 21, m: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((size, m, m))
    x = a @ np.swapaxes(a, 1, 2) + 0.1 * np.eye(m)
    bad = np.zeros(size, dtype=bool)
    bad[[2, 9, 10, 20]] = True
    x[bad] -= 50 * np.eye(m)  # indefinite
    return x, ~bad


def test_cholesky_stack_isolates_the_indefinite_matrices():
    x, pd = stack()
    factors, ok = cholesky_stack(x)
    assert np.array_equal(ok, pd)
    assert ok.tolist() == (np.linalg.eigvalsh(x)[:, 0] > 0).tolist()
    for b in np.flatnonzero(pd):
        assert_allclose(factors[b], np.linalg.cholesky(x[b]), rtol=0, atol=0)
    assert np.array_equal(factors[~pd], np.broadcast_to(np.eye(5), (4, 5, 5)))
    every, all_ok = cholesky_stack(x[pd])
    assert all_ok.all() and np.array_equal(every, factors[pd])
