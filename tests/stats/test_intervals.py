"""Bootstrap summaries shared by the CB and the PLS bootstrap: SE, t, p, percentile CI."""

from __future__ import annotations

import numpy as np
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
