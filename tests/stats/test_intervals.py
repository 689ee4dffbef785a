"""Bootstrap summaries shared by the CB and the PLS bootstrap: SE, t, p, percentile CI."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from cxsurvey.stats.intervals import summarise_draws


def test_normal_and_t_p_values_and_percentiles_against_scipy_and_numpy() -> None:
    rng = np.random.default_rng(7)
    draws = rng.normal([0.3, -0.1, 0.02], [0.05, 0.08, 0.04], size=(400, 3))
    est = np.array([0.31, -0.12, 0.03])
    se = draws.std(axis=0, ddof=1)
    normal = summarise_draws(est, draws, pvalue="normal")
    student = summarise_draws(est, draws)
    assert_allclose(normal["se"], se, rtol=1e-14)
    assert_allclose(normal["t"], est / se, rtol=1e-14)
    # lavaan's se = "bootstrap": z against the standard normal; SmartPLS: t with B - 1 df
    assert_allclose(normal["pvalue"], 2 * stats.norm.sf(np.abs(est / se)), rtol=1e-12)
    assert_allclose(student["pvalue"], 2 * stats.t.sf(np.abs(est / se), df=399), rtol=1e-12)
    assert (student["pvalue"] > normal["pvalue"]).all()
    assert_allclose(normal["ci_lower"], np.percentile(draws, 2.5, axis=0), rtol=1e-14)
    assert_allclose(normal["ci_upper"], np.percentile(draws, 97.5, axis=0), rtol=1e-14)
    assert_allclose(normal["boot_mean"], draws.mean(axis=0), rtol=1e-14)


def test_a_constant_statistic_has_no_test() -> None:
    table = summarise_draws(np.array([1.0]), np.ones((50, 1)), pvalue="normal")
    assert np.isnan(table["t"][0]) and np.isnan(table["pvalue"][0])


def _exact_acceleration(values: np.ndarray) -> float:
    """``sum(d^3) / (6 (sum d^2)^1.5)`` in exact rational arithmetic (d: the jackknife
    mean minus each estimate), the finite values only."""
    x = [Fraction(float(v)) for v in values if np.isfinite(v)]
    mean = sum(x, Fraction(0)) / len(x)
    d = [mean - v for v in x]
    s2 = sum((t * t for t in d), Fraction(0))
    s3 = sum((t ** 3 for t in d), Fraction(0))
    return 0.0 if s2 == 0 else float(s3) / (6.0 * float(s2) ** 1.5)


def test_jackknife_sums_in_chunks_give_the_exact_acceleration():
    """The BCa acceleration from power sums about the full-sample estimate, added chunk
    by chunk (Efron & Tibshirani 1993, eq. 14.15), against exact rational arithmetic:
    to 1e-12 relative, where the textbook two-pass in floating point (jackknife mean
    minus each estimate) loses up to 1e-9 to cancellation; NaN entries left out."""
    from cxsurvey.stats.intervals import JackknifeSums

    rng = np.random.default_rng(12)
    n = 997
    est = np.array([0.41, -1.3, 7.0, 0.0])
    jack = est + rng.gamma(2.0, size=(n, 4)) * np.array([1e-3, 1e-4, 1e-2, 1e-3]) / n
    jack[5, 1] = np.nan
    jack[:, 3] = 0.25  # constant column: a = 0
    exact = np.array([_exact_acceleration(jack[:, c]) for c in range(4)])
    chunks = [JackknifeSums.of(jack[s:s + 100], est) for s in range(0, n, 100)]
    total = chunks[0]
    for part in chunks[1:]:
        total = total + part
    assert len(total) == n and total.count.tolist() == [n, n - 1, n, n]
    assert_allclose(total.acceleration(), exact, rtol=1e-12, atol=1e-15)
    assert_allclose(JackknifeSums.of(jack).acceleration(), exact, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="shifts"):
        _ = total + JackknifeSums.of(jack)
