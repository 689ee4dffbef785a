"""Moment machinery (``cxsurvey.stats.cb.moments``) and robust ML (``robust``: MLM, MLR).

Checks that need no reference: the analytic Jacobian Delta and the analytic Hessian of
F_ML against central finite differences (1e-7 absolute), the expected information
``Delta' W Delta`` reproducing the ML standard errors of ``fit_cb`` (1e-9 absolute), the
Satorra-Bentler trace identity ``tr(U Gamma_NT) = df`` (1e-9), and the robust sandwich
collapsing to the ML covariance when ``Gamma`` is the normal-theory one.

lavaan comparisons: ``tests/data/robust_reference.json`` (see the section at the end for
the measured agreement and the tolerances).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from support import at_lavaan_estimates, load_csv, load_json

from cxsurvey.stats.cb import moments
from cxsurvey.stats.cb.ml_fit import CbFit, fit_cb
from cxsurvey.stats.cb.robust import RobustFit, robust_fit, robust_se, scaled_test

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


@cache
def _hs() -> tuple[CbFit, pd.DataFrame]:
    data = load_csv("holzinger_swineford_1939.csv")
    return fit_cb(data, HS_MODEL), data


@cache
def _pd() -> tuple[CbFit, pd.DataFrame]:
    ref = load_json("political_democracy_sem_reference.json")
    data = load_csv("political_democracy.csv")
    return fit_cb(data, ref["model_syntax"]), data


def _cases() -> list[tuple[CbFit, pd.DataFrame]]:
    return [_hs(), _pd()]


@pytest.mark.parametrize("case", ["hs", "pd"])
def test_implied_cov_and_jacobian_match_finite_differences(case: str) -> None:
    fit, _ = _hs() if case == "hs" else _pd()
    model = moments.ram_model(fit.params, fit.observed)
    assert np.allclose(moments.implied_cov(model), fit.implied_cov.to_numpy(), atol=1e-12)
    delta = moments.jacobian(model)
    h = 1e-6
    numeric = np.empty_like(delta)
    for k in range(model.npar):
        e = np.zeros(model.npar)
        e[k] = h
        numeric[:, k] = (moments.vech(moments.implied_cov(model, model.theta + e))
                         - moments.vech(moments.implied_cov(model, model.theta - e))) / (2 * h)
    assert np.max(np.abs(delta - numeric)) < 1e-7


@pytest.mark.parametrize("case", ["hs", "pd"])
def test_observed_information_is_the_hessian_of_fml(case: str) -> None:
    fit, _ = _hs() if case == "hs" else _pd()
    model = moments.ram_model(fit.params, fit.observed)
    s = fit.sample_cov.to_numpy()
    hess = moments.observed_information(model, s)
    h = 1e-6
    numeric = np.empty_like(hess)
    for k in range(model.npar):
        e = np.zeros(model.npar)
        e[k] = h
        numeric[:, k] = (moments.ml_gradient(model, s, model.theta + e)
                         - moments.ml_gradient(model, s, model.theta - e)) / (2 * h)
    assert np.max(np.abs(hess - numeric)) < 1e-7
    # the gradient is ~0 at the ML estimate
    assert np.max(np.abs(moments.ml_gradient(model, s))) < 1e-5


@pytest.mark.parametrize("case", ["hs", "pd"])
def test_expected_information_reproduces_ml_standard_errors(case: str) -> None:
    fit, _ = _hs() if case == "hs" else _pd()
    model = moments.ram_model(fit.params, fit.observed)
    sigma = moments.implied_cov(model)
    info = moments.expected_information(moments.jacobian(model), sigma)
    se = np.sqrt(np.diag(np.linalg.inv(info)) / fit.n)
    free = fit.params[fit.params["free"]]
    for k, rows in enumerate(model.rows):
        for r in rows:
            assert abs(se[k] - float(fit.params.loc[r, "se"])) < 1e-9
    assert len(free) == sum(len(r) for r in model.rows)


def test_hs_ml_standard_errors_match_lavaan() -> None:
    # lavaan 0.6-14 (hs_cfa_reference.json); our estimates differ from lavaan's by
    # < 1e-6, which moves the SEs by ~1e-7 relative.
    fit, _ = _hs()
    ref = load_json("hs_cfa_reference.json")
    model = moments.ram_model(fit.params, fit.observed)
    info = moments.expected_information(moments.jacobian(model), moments.implied_cov(model))
    se = np.sqrt(np.diag(np.linalg.inv(info)) / fit.n)
    by_name = dict(zip(model.free_names, se, strict=True))
    checked = 0
    for row in ref["all_parameters"]:
        if not row["se"]:
            continue
        key = f"{row['lhs']} {row['op']} {row['rhs']}"
        alt = f"{row['rhs']} {row['op']} {row['lhs']}"
        ours = by_name.get(key, by_name.get(alt))
        assert ours is not None, key
        assert ours == pytest.approx(row["se"], rel=1e-5)
        checked += 1
    assert checked == model.npar


def test_gamma_and_weight_identities() -> None:
    fit, data = _hs()
    model = moments.ram_model(fit.params, fit.observed)
    y = moments.complete_block(data, fit.observed)
    gamma = moments.gamma_adf(y)
    p = len(fit.observed)
    assert gamma.shape == (p * (p + 1) // 2,) * 2
    assert np.allclose(gamma, gamma.T)
    # Gamma of vech(S): its diagonal for a variance is the 4th central moment - s_ii^2
    d = y - y.mean(axis=0)
    assert gamma[0, 0] == pytest.approx(np.mean(d[:, 0] ** 4) - np.mean(d[:, 0] ** 2) ** 2)
    # W^-1 is the normal-theory Gamma: 2 D^+ (S kron S) D^+'
    sigma = moments.implied_cov(model)
    w = moments.normal_weight(sigma)
    dup = moments.duplication_matrix(p)
    dplus = np.linalg.pinv(dup)
    gamma_nt = 2.0 * dplus @ np.kron(sigma, sigma) @ dplus.T
    assert np.allclose(w @ gamma_nt, np.eye(w.shape[0]), atol=1e-10)
    # tr(U Gamma_NT) = p* - q = df  (Satorra & Bentler 1994)
    delta = moments.jacobian(model)
    wd = w @ delta
    u = w - wd @ np.linalg.inv(delta.T @ wd) @ wd.T
    assert float(np.trace(u @ gamma_nt)) == pytest.approx(fit.fit["df"], abs=1e-9)


def test_mlm_sandwich_collapses_to_ml_under_normal_theory_gamma() -> None:
    fit, _ = _hs()
    model = moments.ram_model(fit.params, fit.observed)
    rng = np.random.default_rng(7)
    # data drawn exactly from the implied covariance: the robust and ML covariance
    # matrices of the estimates agree up to sampling error of the 4th moments
    sigma = moments.implied_cov(model)
    y = rng.multivariate_normal(np.zeros(len(fit.observed)), sigma, size=200_000)
    v_mlm = robust_se(model, y, "MLM")
    info = moments.expected_information(moments.jacobian(model), sigma)
    v_ml = np.linalg.inv(info) / y.shape[0]
    ratio = np.sqrt(np.diag(v_mlm) / np.diag(v_ml))
    assert np.all(np.abs(ratio - 1.0) < 0.02)


def test_robust_fit_hs_values_and_table() -> None:
    fit, data = _hs()
    for est, test_name in (("MLM", "satorra.bentler"), ("mlr", "yuan.bentler.mplus")):
        res = robust_fit(fit, data, est)
        assert res.test.test == test_name
        assert res.test.df == 24
        assert res.test.chisq == pytest.approx(fit.fit["chisq"])
        assert res.test.chisq_scaled == pytest.approx(
            res.test.chisq / res.test.scaling_factor)
        assert res.baseline.df == 36
        assert res.baseline.chisq == pytest.approx(fit.fit["baseline_chisq"], rel=1e-10)
        free = res.params[res.params["free"]]
        assert free["se"].notna().all()
        assert res.params.loc[~res.params["free"], "se"].isna().all()
        assert (res.params["est"] == fit.params["est"]).all()
        z = free["est"] / free["se"]
        assert np.allclose(free["z"], z)
        assert 0.9 < res.test.scaling_factor < 1.1
    # Regression guard on our own values (NOT a lavaan reference; the lavaan comparison
    # is the reference test below): HS Satorra-Bentler and Yuan-Bentler (Mplus) tests.
    mlm = robust_fit(fit, data, "MLM").test
    mlr = robust_fit(fit, data, "MLR").test
    assert mlm.chisq_scaled == pytest.approx(80.8717963, rel=1e-6)
    assert mlm.scaling_factor == pytest.approx(1.05482413, rel=1e-6)
    assert mlr.chisq_scaled == pytest.approx(87.1316320, rel=1e-6)
    assert mlr.scaling_factor == pytest.approx(0.97904194, rel=1e-6)


def test_robust_fit_rejects_bad_input() -> None:
    fit, data = _hs()
    with pytest.raises(ValueError, match="estimator"):
        robust_fit(fit, data, "WLSMV")
    with pytest.raises(ValueError, match="complete rows"):
        robust_fit(fit, data.iloc[:-3], "MLM")
    # a fixed residual variance of an indicator is not fixed.x
    fixed_resid = fit_cb(data, HS_MODEL + "x1 ~~ 0.5*x1\n")
    assert robust_fit(fixed_resid, data, "MLM").test.df == 25
    model = moments.ram_model(fit.params, fit.observed)
    with pytest.raises(ValueError, match="estimator"):
        scaled_test(model, moments.complete_block(data, fit.observed), 1.0, 1,
                    "GLS")  # type: ignore[arg-type]


# --------------------------------------------------------------------- lavaan reference
# tests/data/robust_reference.json (tests/data/r/make_robust_reference.R, R 4.2.2,
# lavaan 0.6-14): HS CFA with MLM and MLR, PoliticalDemocracy SEM with MLR.
#
# Two comparisons per case:
# * "at lavaan's estimates": our formulas evaluated at lavaan's point estimates (and its
#   chisq) isolate the robust machinery from the optimiser. Measured max relative
#   differences: MLM 7e-15 (SEs) and 1e-15 (scaled chisq, scaling factor); MLR 4e-10
#   (SEs; lavaan differentiates its gradient numerically for the observed information)
#   and 6e-11 (tests). Held to 1e-8 relative.
# * "as fitted": our own ML estimates differ from lavaan's by ~1e-6, which moves the
#   robust SEs by up to 4.7e-6 relative (HS MLR; MLM 6.7e-7, PD MLR 2.3e-6): held to
#   1e-5 relative. Scaled chi-square and scaling factor: measured 3.3e-7 at most, held
#   to 1e-6 relative; scaled/robust CFI, TLI, RMSEA to 1e-6 relative.

_REF_CASES = {"hs_MLM": ("holzinger_swineford_1939.csv", "MLM"),
              "hs_MLR": ("holzinger_swineford_1939.csv", "MLR"),
              "pd_MLR": ("political_democracy.csv", "MLR")}
_REF_MEASURES = {"chisq_scaled": "chisq.scaled", "pvalue_scaled": "pvalue.scaled",
                 "chisq_scaling_factor": "chisq.scaling.factor",
                 "baseline_chisq_scaled": "baseline.chisq.scaled",
                 "baseline_chisq_scaling_factor": "baseline.chisq.scaling.factor",
                 "cfi_scaled": "cfi.scaled", "tli_scaled": "tli.scaled",
                 "rmsea_scaled": "rmsea.scaled", "cfi_robust": "cfi.robust",
                 "tli_robust": "tli.robust", "rmsea_robust": "rmsea.robust"}
# RMSEA CIs: bounds found by root finding (fit_indices.rmsea_ci), measured 3e-9 abs
_REF_CI = {"rmsea_ci_lower_scaled": "rmsea.ci.lower.scaled",
           "rmsea_ci_upper_scaled": "rmsea.ci.upper.scaled",
           "rmsea_ci_lower_robust": "rmsea.ci.lower.robust",
           "rmsea_ci_upper_robust": "rmsea.ci.upper.robust"}


@cache
def _ref_fit(case: str) -> tuple[dict, CbFit, pd.DataFrame]:
    section = load_json("robust_reference.json")[case]
    data = load_csv(_REF_CASES[case][0])
    return section, fit_cb(data, section["model_syntax"]), data




def _compare(res: RobustFit, section: dict, se_rel: float, test_rel: float) -> int:
    ours = {(a, o, b): se for a, o, b, se in
            res.params[["lhs", "op", "rhs", "se"]].itertuples(index=False, name=None)}
    checked = 0
    for row in section["parameters"]:
        if row["op"] not in ("=~", "~", "~~") or not row["se"]:
            continue
        key = (row["lhs"], row["op"], row["rhs"])
        se = ours.get(key, ours.get((row["rhs"], row["op"], row["lhs"])))
        assert se is not None, key
        assert se == pytest.approx(float(row["se"]), rel=se_rel), key
        checked += 1
    assert checked == len(res.free_names)
    measures = section["fit_measures"]
    for mine, theirs in _REF_MEASURES.items():
        assert res.fit[mine] == pytest.approx(float(measures[theirs]), rel=test_rel), mine
    for mine, theirs in _REF_CI.items():
        assert res.fit[mine] == pytest.approx(float(measures[theirs]), abs=1e-6), mine
    assert res.test.df == measures["df.scaled"]
    assert res.baseline.df == measures["baseline.df.scaled"]
    return checked


@pytest.mark.parametrize("case", sorted(_REF_CASES))
def test_robust_at_lavaan_estimates(case: str) -> None:
    section, fit, data = _ref_fit(case)
    assert section["se"] == ("robust.sem" if _REF_CASES[case][1] == "MLM"
                             else "robust.huber.white")
    at = at_lavaan_estimates(fit, section["parameters"], section["fit_measures"]["chisq"])
    res = robust_fit(at, data, _REF_CASES[case][1])
    _compare(res, section, se_rel=1e-8, test_rel=1e-8)
    # the full covariance matrix of the estimates
    vc = section["vcov"]
    ref = np.asarray(vc["matrix"], dtype=float)
    model = moments.ram_model(res.params, fit.observed)
    name_of: dict[str, int] = {}
    for k, rows in enumerate(model.rows):
        for r in rows:
            a, o, b, label = res.params.loc[r, ["lhs", "op", "rhs", "label"]]
            for name in (f"{a}{o}{b}", f"{b}{o}{a}", label):
                name_of.setdefault(str(name), k)
    idx = [name_of[n] for n in vc["names"]]
    ours = res.vcov[np.ix_(idx, idx)]
    assert np.max(np.abs(ours - ref)) <= 1e-8 * np.max(np.abs(ref))


@pytest.mark.parametrize("case", sorted(_REF_CASES))
def test_robust_as_fitted_matches_lavaan(case: str) -> None:
    section, fit, data = _ref_fit(case)
    res = robust_fit(fit, data, _REF_CASES[case][1])
    _compare(res, section, se_rel=1e-5, test_rel=1e-6)


def test_expected_information_at_lavaan_estimates_gives_lavaan_ml_se() -> None:
    """HS ML: sqrt(diag(inv(Delta' W Delta)) / N) at lavaan's estimates against
    lavaan's standard SEs; measured 1e-15 relative, held to 1e-10."""
    section = load_json("robust_reference.json")["hs_ML"]
    fit, _ = _hs()
    at = at_lavaan_estimates(fit, section["parameters"], section["fit_measures"]["chisq"])
    model = moments.ram_model(at.params, at.observed)
    info = moments.expected_information(moments.jacobian(model), moments.implied_cov(model))
    se = dict(zip(model.free_names, np.sqrt(np.diag(np.linalg.inv(info)) / fit.n),
                  strict=True))
    rows = [r for r in section["parameters"] if r["op"] in ("=~", "~~") and r["se"]]
    for row in rows:
        ours = se.get(f"{row['lhs']} {row['op']} {row['rhs']}",
                      se.get(f"{row['rhs']} {row['op']} {row['lhs']}"))
        assert ours == pytest.approx(float(row["se"]), rel=1e-10)
    assert len(rows) == model.npar
