"""Mixed ordinal and continuous statistics (``mixed_statistics``, ``polyserial``) against
lavaan 0.6-14 and polycor.

Reference: ``tests/data/mixed_reference.json`` (``tests/data/r/make_mixed_reference.R``):
``cfa(..., ordered = c("A2", "A3", "A4"), estimator = "WLSMV")`` on bfi's A1..A5 (A1 and A5
continuous; listwise, 2709 rows, and pairwise, 2800 rows): ``wls.obs`` and the full
``gamma``; ``lavCor`` on A1..A5, C1..C5 (A1, A5, C1 continuous, 2632 rows): the matrix of
polychoric, polyserial and Pearson correlations; ``polycor::polyserial(ML = FALSE)`` as an
independent two-step estimate.

Tolerances: the statistics 1e-6 absolute (measured <= 5e-8: lavaan's ``nlminb`` stops
about 1e-8 from the maximum), Gamma 1e-6 relative to its largest entry (measured 2e-8);
polycor's rho 2e-4 (it standardises with divisor N - 1 and stops earlier: measured 6e-5),
its thresholds 1e-8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import load_csv, load_json

from cxsurvey.stats.ordinal import polychoric_acov
from cxsurvey.stats.ordinal.mixed import mixed_statistics
from cxsurvey.stats.ordinal.polyserial import (
    normal_correlation,
    polyserial_correlation,
)
from cxsurvey.stats.ordinal.thresholds import code_categories, item_thresholds

A_ITEMS = ["A1", "A2", "A3", "A4", "A5"]


def _ref(key: str) -> dict:
    out: dict = load_json("mixed_reference.json")[key]
    return out


@pytest.mark.parametrize(("key", "missing"), [("small_mixed", "listwise"),
                                              ("small_mixed_pairwise", "pairwise")])
def test_statistics_and_gamma_match_lavaan(key: str, missing: str) -> None:
    ref = _ref(key)
    st = mixed_statistics(load_csv("bfi.csv"), A_ITEMS, ["A2", "A3", "A4"],
                          missing=missing)  # type: ignore[arg-type]
    assert st.n == ref["nobs"]
    assert list(st.names) == ref["wls_obs"]["names"]
    assert_allclose(st.estimates, ref["wls_obs"]["values"], rtol=0, atol=1e-6)
    gamma = np.asarray(ref["gamma"]["matrix"], dtype=float)
    assert ref["gamma"]["names"] == list(st.names)
    assert np.max(np.abs(st.gamma - gamma)) <= 1e-6 * np.max(np.abs(gamma))
    assert_allclose(st.wls_weights, ref["wls_v_diagonal"], rtol=1e-6)
    # the mean slot holds minus the mean; the variances have divisor N
    a1 = load_csv("bfi.csv")[A_ITEMS]
    a1 = (a1.dropna() if missing == "listwise" else a1)["A1"].dropna()
    assert st.estimates[0] == pytest.approx(-a1.mean(), abs=1e-12)
    assert st.variances["A1"] == pytest.approx(a1.var(ddof=0), rel=1e-12)


def test_lavcor_matrix_of_polychoric_polyserial_and_pearson() -> None:
    ref = _ref("lavcor_mixed")
    names = ref["cor"]["names"]
    data = load_csv("bfi.csv")[names].dropna()
    st = mixed_statistics(data, names, [v for v in names if v not in ref["numeric_items"]])
    assert st.n == ref["nobs"] == 2632
    lav = np.asarray(ref["cor"]["matrix"], dtype=float)
    assert_allclose(st.correlation.to_numpy(), lav, rtol=0, atol=1e-6)
    # two continuous items without missing answers: Pearson's r
    assert st.correlation.loc["A1", "C1"] == pytest.approx(
        float(np.corrcoef(data["A1"], data["C1"])[0, 1]), abs=1e-14)
    cov = st.covariance
    assert cov.loc["A1", "A1"] == pytest.approx(data["A1"].var(ddof=0), rel=1e-12)
    assert cov.loc["A2", "A2"] == 1.0


@pytest.mark.parametrize("pair", ["A1_A2", "A5_A3", "C1_C2"])
def test_two_step_polyserial_agrees_with_polycor(pair: str) -> None:
    ref = _ref("lavcor_mixed")["polycor"][pair]
    data = load_csv("bfi.csv")[_ref("lavcor_mixed")["cor"]["names"]].dropna()
    x = data[ref["x"]].to_numpy(dtype=float)
    codes = code_categories(data[ref["y"]].to_numpy())[0]
    th = item_thresholds(data[ref["y"]].to_numpy()).thresholds
    assert_allclose(th, ref["thresholds"], rtol=0, atol=1e-8)
    rho, ok = polyserial_correlation(x, codes, np.asarray(th), float(x.mean()),
                                     float(x.var()))
    assert ok
    assert rho == pytest.approx(ref["rho"], abs=2e-4)


def test_polyserial_recovers_a_known_correlation() -> None:
    """Simulated bivariate normal with rho = 0.6, the second variable cut at known
    thresholds: the two-step estimate is within sampling error (n = 20,000)."""
    rng = np.random.default_rng(7)
    z = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=20_000)
    cuts = np.array([-1.0, 0.0, 0.8])
    y = np.searchsorted(cuts, z[:, 1])
    x = 3.0 + 2.0 * z[:, 0]
    th = item_thresholds(y).thresholds
    rho, ok = polyserial_correlation(x, y.astype(np.int64), np.asarray(th), float(x.mean()),
                                     float(x.var()))
    assert ok and rho == pytest.approx(0.6, abs=0.02)


def test_normal_correlation_with_missing_answers_is_the_ml_estimate() -> None:
    """With missing answers the two-step estimate maximises the bivariate normal
    likelihood with the step-1 means and variances fixed: the score is zero there and
    the estimate differs from the pairwise Pearson r."""
    rng = np.random.default_rng(3)
    z = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=400)
    x1, x2 = z[:, 0].copy(), z[:, 1].copy()
    x1[:60] = np.nan
    x2[-40:] = np.nan
    m1, v1 = np.nanmean(x1), np.nanvar(x1)
    m2, v2 = np.nanmean(x2), np.nanvar(x2)
    rho, ok = normal_correlation(x1, x2, m1, v1, m2, v2)
    both = np.isfinite(x1) & np.isfinite(x2)
    z1, z2 = (x1[both] - m1) / np.sqrt(v1), (x2[both] - m2) / np.sqrt(v2)
    r = 1 - rho ** 2
    score = np.sum((rho + z1 * z2 - (z1 ** 2 - 2 * rho * z1 * z2 + z2 ** 2) * rho / r) / r)
    assert ok and abs(score) < 1e-4
    assert rho != pytest.approx(float(np.corrcoef(x1[both], x2[both])[0, 1]), abs=1e-6)


def test_all_ordinal_is_the_polychoric_gamma() -> None:
    data = load_csv("bfi.csv")[A_ITEMS].dropna()
    st = mixed_statistics(data, A_ITEMS, A_ITEMS)
    poly = polychoric_acov(data, A_ITEMS)
    assert st.names == poly.names
    assert_allclose(st.estimates, poly.estimates, rtol=0, atol=1e-14)
    assert_allclose(st.gamma, poly.gamma, rtol=1e-10, atol=1e-12)


def test_bad_inputs() -> None:
    data = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 1], "b": [2.0] * 6, "c": [1, 2, 1, 2, 1, 2]})
    with pytest.raises(ValueError, match="b has no variance"):
        mixed_statistics(data, ["a", "b", "c"], ["c"])
    with pytest.raises(ValueError, match="missing"):
        mixed_statistics(data, ["a", "c"], ["c"], missing="fiml")  # type: ignore[arg-type]
