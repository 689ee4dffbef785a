"""Measurement invariance, difference tests, score tests and group paths
(``cxsurvey.stats.cb.invariance``, ``cxsurvey.stats.cb.lrt``) against lavaan 0.6-14.

Reference: ``tests/data/invariance_reference.json`` (``lavTestLRT``, ``lavTestScore``,
``lavTestWald``; see ``tests/data/r/make_invariance_reference.R``).

Tolerances: the plain (ML) differences are differences of statistics at the optimum:
1e-6 relative. The Satorra-Bentler scaled differences divide by ``(r0 c0 - r1 c1) /
(r0 - r1)``, which magnifies the first-order dependence of the scaling factors on
lavaan's estimates (accurate to about 1e-5, see test_multigroup.py): 1e-4 relative
(measured 1.3e-5). Score-test X2 and Wald statistics depend on the estimates to first
order: 1e-4 absolute for X2 (measured 2.5e-5); Wald statistics 2e-4 relative plus 1e-4
absolute (measured 4.5e-5 relative on 2.16, 3.0e-5 absolute on 0.134: the latter is the
squared difference of two close path estimates, each off by ~1e-5 in lavaan), their p
values 1e-4 absolute.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from support import DATA, load_csv, load_json

from cxsurvey.errors import InputError
from cxsurvey.stats.cb.invariance import (
    InvarianceResult,
    group_paths,
    measurement_invariance,
    score_tests,
)
from cxsurvey.stats.cb.lrt import lrt_table, scaled_difference
from cxsurvey.stats.cb.multigroup import fit_multigroup

REF = "invariance_reference.json"
BFI_MODEL = """agree =~ A1 + A2 + A3 + A4 + A5
consc =~ C1 + C2 + C3 + C4 + C5
extra =~ E1 + E2 + E3 + E4 + E5
neuro =~ N1 + N2 + N3 + N4 + N5
open =~ O1 + O2 + O3 + O4 + O5"""


def hs_model() -> str:
    return (DATA / "hs_cfa_model.txt").read_text(encoding="utf-8")


@cache
def hs_invariance(estimator: str) -> InvarianceResult:
    return measurement_invariance(load_csv("holzinger_swineford_1939.csv"), hs_model(),
                                  "school", estimator=estimator)


def _check_lrt(ours: pd.DataFrame, ref: list[dict], rel: float, rmsea: bool) -> None:
    r = pd.DataFrame(ref)
    assert list(ours["model"]) == list(r["model"])
    assert list(ours["df"]) == list(r["df"])
    np.testing.assert_allclose(ours["chisq"], r["chisq"], rtol=1e-6)
    np.testing.assert_allclose(ours["aic"], r["aic"], rtol=1e-8)
    np.testing.assert_allclose(ours["bic"], r["bic"], rtol=1e-8)
    d, rd = ours.iloc[1:], r.iloc[1:]
    np.testing.assert_array_equal(d["df_diff"], rd["df_diff"].astype(float))
    np.testing.assert_allclose(d["chisq_diff"], rd["chisq_diff"].astype(float), rtol=rel)
    np.testing.assert_allclose(d["pvalue"], rd["pvalue"].astype(float), rtol=10 * rel,
                               atol=1e-12)
    if rmsea:
        np.testing.assert_allclose(d["rmsea_diff"], rd["rmsea_diff"].astype(float),
                                   rtol=rel)
    assert ours.iloc[0][["chisq_diff", "df_diff", "pvalue"]].isna().all()


@pytest.mark.parametrize(("estimator", "rel"), [("ML", 1e-6), ("MLM", 1e-4), ("MLR", 1e-4)])
def test_lrt_matches_lavaan(estimator: str, rel: float) -> None:
    res = hs_invariance(estimator)
    _check_lrt(res.lrt, load_json(REF)[f"hs_{estimator}_lrt"], rel, estimator == "ML")
    method = "standard" if estimator == "ML" else "satorra.bentler.2001"
    assert set(res.lrt["method"]) == {method}


@pytest.mark.slow
@pytest.mark.parametrize(("estimator", "rel"), [("ML", 1e-6), ("MLM", 1e-4), ("MLR", 1e-4)])
def test_bfi_lrt_matches_lavaan(estimator: str, rel: float) -> None:
    bfi = load_csv("bfi.csv")
    res = measurement_invariance(bfi, BFI_MODEL, "gender", estimator=estimator,
                                 steps=("configural", "metric", "scalar"))
    _check_lrt(res.lrt, load_json(REF)[f"bfi_{estimator}_lrt"], rel, estimator == "ML")
    assert res.nobs == tuple(load_json(REF)["bfi_ML_configural"]["nobs"])


@pytest.mark.parametrize("estimator", ["ML", "MLR"])
def test_comparisons_are_the_reference_differences(estimator: str) -> None:
    res = hs_invariance(estimator)
    ref = load_json(REF)
    steps = ["configural", "metric", "scalar", "strict"]
    for prev, cur in zip(steps, steps[1:], strict=False):
        row = res.comparisons[res.comparisons["step"] == cur].iloc[0]
        a, b = ref[f"hs_{estimator}_{prev}"]["fit"], ref[f"hs_{estimator}_{cur}"]["fit"]
        assert row["against"] == prev
        assert row["delta_cfi"] == pytest.approx(b["cfi"] - a["cfi"], abs=1e-7)
        assert row["delta_rmsea"] == pytest.approx(b["rmsea"] - a["rmsea"], abs=1e-7)
        assert row["delta_srmr"] == pytest.approx(b["srmr"] - a["srmr"], abs=2e-6)
        if estimator != "ML":
            assert row["delta_cfi_robust"] == pytest.approx(
                b["cfi_robust"] - a["cfi_robust"], abs=1e-7)
    assert list(res.table["step"]) == steps
    assert res.table["df"].tolist() == [48, 54, 60, 69]


@pytest.mark.parametrize("step", ["metric", "scalar", "strict"])
def test_score_tests_match_lavaan(step: str) -> None:
    ours = hs_invariance("ML").score_tests[step]
    ref = pd.DataFrame(load_json(REF)[f"hs_ML_score_{step}"]["uni"])
    m = ours.merge(ref, on=["lhs", "op", "rhs"], suffixes=("", "_r"))
    assert len(m) == len(ours) == len(ref)
    assert (m["parameter"] == m["lhs_par"] + m["op_par"] + m["rhs_par"]).all()
    assert (m["par_lhs"] == m["lhs_par"]).all()
    np.testing.assert_allclose(m["X2"], m["X2_r"], atol=1e-4, rtol=0)
    np.testing.assert_allclose(m["pvalue"], m["pvalue_r"], rtol=1e-3, atol=1e-8)
    assert ours["X2"].is_monotonic_decreasing
    assert set(ours["group"]) == {"Grant-White"}


def test_score_tests_same_for_robust_estimators() -> None:
    ml = hs_invariance("ML").score_tests["scalar"]
    mlr = hs_invariance("MLR").score_tests["scalar"]
    np.testing.assert_allclose(ml["X2"], mlr["X2"], rtol=1e-9)


def test_score_tests_empty_without_constraints() -> None:
    fit = hs_invariance("ML").fits["configural"]
    assert score_tests(fit).empty


def test_partial_invariance_releases_the_largest_score_tests() -> None:
    """Releasing the two largest intercept constraints (x3, x7) gives lavaan's partial
    scalar model."""
    top = hs_invariance("ML").score_tests["scalar"].head(2)
    assert set(top["parameter"]) == {"x3~1", "x7~1"}
    fit = fit_multigroup(load_csv("holzinger_swineford_1939.csv"), hs_model(), "school",
                         equal=("loadings", "intercepts"), partial=tuple(top["parameter"]))
    ref = load_json(REF)["hs_ML_partial_scalar"]["fit"]
    assert fit.fit["chisq"] == pytest.approx(ref["chisq"], rel=1e-6)
    assert fit.fit["df"] == ref["df"]


@pytest.mark.parametrize("step", ["configural", "metric"])
def test_group_paths_wald_matches_lavaan(step: str) -> None:
    equal = () if step == "configural" else ("loadings",)
    fit = fit_multigroup(load_csv("holzinger_swineford_1939.csv"),
                         hs_model() + "textual ~ visual\nspeed ~ textual\n", "school",
                         equal=equal)
    gp = group_paths(fit)
    ref = pd.DataFrame(load_json(REF)[f"hs_paths_wald_{step}"])
    m = gp.tests.merge(ref, on=["lhs", "op", "rhs"], suffixes=("", "_r"))
    assert len(m) == 2
    np.testing.assert_allclose(m["stat"], m["stat_r"], rtol=2e-4, atol=1e-4)
    np.testing.assert_allclose(m["pvalue"], m["pvalue_r"], rtol=0, atol=1e-4)
    np.testing.assert_allclose(m["z"] ** 2, m["stat"], rtol=1e-10)
    assert (m["df"] == 1).all()
    est = gp.estimates.assign(group=[fit.groups.index(g) + 1 for g in gp.estimates["group"]])
    pref = pd.DataFrame(load_json(REF)[f"hs_paths_{step}"]["params"])
    both = est.merge(pref[pref["op"] == "~"], on=["lhs", "op", "rhs", "group"],
                     suffixes=("", "_r"))
    assert len(both) == 4
    np.testing.assert_allclose(both["est"], both["est_r"], atol=3e-5)
    np.testing.assert_allclose(both["se"], both["se_r"], rtol=1e-4)


def test_group_paths_three_groups_use_g_minus_1_df() -> None:
    hs = load_csv("holzinger_swineford_1939.csv")
    hs["school3"] = np.where(hs["x1"] > hs["x1"].median(), hs["school"], "High")
    fit = fit_multigroup(hs, hs_model() + "textual ~ visual\n", "school3")
    tests = group_paths(fit).tests
    assert len(fit.groups) == 3
    assert (tests["df"] == 2).all()
    ref = load_json(REF)["hs3_paths_wald"][0]
    assert list(fit.groups) == load_json(REF)["hs3_paths_configural"]["group_labels"]
    assert tests["stat"].iloc[0] == pytest.approx(ref["stat"], rel=2e-4)
    assert tests["pvalue"].iloc[0] == pytest.approx(ref["pvalue"], abs=1e-4)
    assert ref["df"] == 2
    # the Wald statistic by hand from the fit's vcov
    ks = fit.table[(fit.table["op"] == "~")].sort_values("group")["par"].to_numpy()
    c = np.zeros((2, fit.theta.size))
    c[0, ks[0]], c[0, ks[1]] = -1, 1
    c[1, ks[0]], c[1, ks[2]] = -1, 1
    d = c @ fit.theta
    w = d @ np.linalg.solve(c @ fit.vcov @ c.T, d)
    assert tests["stat"].iloc[0] == pytest.approx(w, rel=1e-10)
    assert np.isnan(tests["z"].iloc[0])


def test_group_paths_needs_regressions() -> None:
    with pytest.raises(InputError):
        group_paths(hs_invariance("ML").fits["configural"])


def test_scaled_difference_formula() -> None:
    """Satorra & Bentler (2001), eq. 9, with a saturated less restricted model."""
    td, m, cd = scaled_difference(10.0, 5, 1.2, 30.0, 8, 1.5)
    assert m == 3
    assert cd == pytest.approx((8 * 1.5 - 5 * 1.2) / 3)
    assert td == pytest.approx(20.0 / cd)
    td0, _, cd0 = scaled_difference(0.0, 0, float("nan"), 30.0, 8, 1.5)
    assert cd0 == pytest.approx((8 * 1.5) / 8)
    assert td0 == pytest.approx(30.0 / 1.5)


def test_lrt_refuses_mixed_fits() -> None:
    res = hs_invariance("ML")
    with pytest.raises(InputError):
        lrt_table([res.fits["configural"], hs_invariance("MLR").fits["metric"]])
    with pytest.raises(InputError):
        lrt_table([res.fits["configural"]])


def test_bad_steps_are_input_error() -> None:
    with pytest.raises(InputError):
        measurement_invariance(load_csv("holzinger_swineford_1939.csv"), hs_model(),
                               "school", steps=("configural", "scalar"))
