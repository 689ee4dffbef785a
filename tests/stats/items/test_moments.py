"""Skewness G1 and excess kurtosis G2 against scipy.stats (``bias=False``, the
Joanes & Gill 1998 estimators SPSS prints), to 1e-12 relative; the standard errors
against the three decimals SPSS prints at n = 157."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from cxsurvey.stats.items.moments import kurtosis, skewness


@pytest.mark.parametrize("n", [4, 5, 30, 157, 5000])
def test_g1_g2_equal_scipy_bias_corrected(n):
    rng = np.random.default_rng(n)
    for x in (rng.integers(1, 6, size=n).astype(float), rng.gamma(2.0, size=n),
              rng.standard_normal(n) ** 3):
        if np.ptp(x) == 0:
            continue
        assert_allclose(skewness(x)[0], stats.skew(x, bias=False), rtol=1e-12, atol=1e-14)
        assert_allclose(kurtosis(x)[0], stats.kurtosis(x, fisher=True, bias=False),
                        rtol=1e-12, atol=1e-14)


def test_standard_errors_and_degenerate_input():
    x = np.arange(157, dtype=float)
    assert round(skewness(x)[1], 3) == 0.194  # SPSS prints .194 at n = 157
    assert round(kurtosis(x)[1], 3) == 0.385  # and .385
    assert all(np.isnan(skewness(np.ones(10))))
    assert all(np.isnan(kurtosis(np.array([1.0, 2.0, 3.0]))))
    assert all(np.isnan(skewness(np.array([1.0, 2.0]))))
