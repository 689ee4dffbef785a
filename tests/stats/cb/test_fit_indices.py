"""Fit-index formulas checked against lavaan 0.6-14 without fitting anything.

The scalar indices (RMSEA and its CI, p of close fit, CFI, TLI, NFI, AIC, BIC) are
recomputed from lavaan's own chi-square, df, N, baseline and log-likelihood. The matrix
ones (chi-square, baseline chi-square, log-likelihoods, SRMR, GFI/AGFI) use the sample
covariance matrix of the CSV and the model-implied matrix built from lavaan's parameter
estimates (RAM notation: Sigma = F (I - A)^-1 S (I - A)^-T F'), so semopy is not involved.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import pytest
from support import (
    DATA,  # noqa: E402
    load_json,
)

from cxsurvey.stats.cb import fit_indices as fi


def _json(name: str) -> dict:
    return load_json(name)


def _ref(case: str) -> dict:
    if case == "hs":
        return _json("hs_cfa_reference.json")
    if case == "pd":
        return _json("political_democracy_sem_reference.json")
    return _json("cbsem_extra_reference.json")[case]


CSV = {"hs": "holzinger_swineford_1939.csv", "pd": "political_democracy.csv",
       "pd_fixed_x": "political_democracy.csv", "hs_std_lv": "holzinger_swineford_1939.csv",
       "heywood": "heywood_cfa.csv"}
CASES = list(CSV)


def _implied(params: list[dict]) -> tuple[list[str], np.ndarray]:
    """Observed variable names (order of appearance) and lavaan's implied covariance."""
    latent = {r["lhs"] for r in params if r["op"] == "=~"}
    names: list[str] = []
    for r in params:
        for v in (r["lhs"], r["rhs"]):
            if r["op"] in ("=~", "~", "~~") and v not in names:
                names.append(v)
    k = len(names)
    pos = {v: i for i, v in enumerate(names)}
    a = np.zeros((k, k))
    s = np.zeros((k, k))
    for r in params:
        i, j = pos[r["lhs"]], pos[r["rhs"]]
        if r["op"] == "=~":
            a[j, i] = r["est"]
        elif r["op"] == "~":
            a[i, j] = r["est"]
        elif r["op"] == "~~":
            s[i, j] = s[j, i] = r["est"]
    inv = np.linalg.inv(np.eye(k) - a)
    full = inv @ s @ inv.T
    obs = [v for v in names if v not in latent]
    idx = [pos[v] for v in obs]
    return obs, full[np.ix_(idx, idx)]


@cache
def _matrices(case: str) -> tuple[np.ndarray, np.ndarray, int, list[int]]:
    ref = _ref(case)
    obs, sigma = _implied(ref["all_parameters"])
    data = pd.read_csv(DATA / CSV[case])[obs].dropna()
    s = np.cov(data.to_numpy(dtype=float), rowvar=False, bias=True)
    fixed_x = [obs.index(v) for v in ("x1", "x2")] if case == "pd_fixed_x" else []
    return s, sigma, len(data), fixed_x


def _fm(case: str) -> dict:
    return _ref(case)["fit_measures_main"]


# --- from S and the implied Sigma ---------------------------------------------------------

@pytest.mark.parametrize("case", CASES)
def test_chisq_and_baseline_from_matrices(case: str) -> None:
    s, sigma, n, fixed_x = _matrices(case)
    fm = _fm(case)
    df = fi.n_moments(s.shape[0], len(fixed_x)) - int(fm["npar"])
    assert df == fm["df"]
    chisq, pvalue = fi.chisq_test(s, sigma, n, df)
    assert chisq == pytest.approx(fm["chisq"], rel=1e-5, abs=1e-6)
    assert pvalue == pytest.approx(fm["pvalue"], abs=1e-6)
    chisq0, df0 = fi.baseline_chisq(s, n, fixed_x)
    assert df0 == fm["baseline.df"]
    assert chisq0 == pytest.approx(fm["baseline.chisq"], rel=1e-9)


@pytest.mark.parametrize("case", CASES)
def test_loglik_srmr_gfi_from_matrices(case: str) -> None:
    s, sigma, n, fixed_x = _matrices(case)
    fm = _fm(case)
    assert fi.loglik(s, sigma, n, fixed_x) == pytest.approx(fm["logl"], abs=1e-4)
    assert fi.loglik_saturated(s, n, fixed_x) == pytest.approx(fm["unrestricted.logl"],
                                                               abs=1e-6)
    assert fi.srmr_bentler(s, sigma) == pytest.approx(fm["srmr"], abs=1e-6)
    g = fi.gfi(s, sigma, fixed_x)
    assert g == pytest.approx(fm["gfi"], abs=1e-6)
    assert fi.agfi(g, fm["df"], s.shape[0]) == pytest.approx(fm["agfi"], abs=1e-6)


@pytest.mark.parametrize("case", CASES)
def test_fit_measures_bundle(case: str) -> None:
    s, sigma, n, fixed_x = _matrices(case)
    fm = _fm(case)
    got = fi.fit_measures(s, sigma, n, int(fm["npar"]), fixed_x)
    for ours, theirs in [("chisq", "chisq"), ("cfi", "cfi"), ("tli", "tli"),
                         ("rmsea", "rmsea"), ("rmsea_ci_lower", "rmsea.ci.lower"),
                         ("rmsea_ci_upper", "rmsea.ci.upper"), ("srmr", "srmr"),
                         ("aic", "aic"), ("bic", "bic"), ("bic2", "bic2")]:
        assert got[ours] == pytest.approx(fm[theirs], rel=1e-5, abs=1e-5), ours
    assert (got["n"], got["npar"], got["df"]) == (fm["ntotal"], fm["npar"], fm["df"])


# --- scalar formulas from lavaan's own chi-square, df, N ----------------------------------

@pytest.mark.parametrize("case", CASES)
def test_rmsea_and_ci_from_chisq(case: str) -> None:
    fm = _fm(case)
    x2, df, n = fm["chisq"], fm["df"], fm["ntotal"]
    assert fi.rmsea(x2, df, n) == pytest.approx(fm["rmsea"], abs=1e-12)
    lo, hi = fi.rmsea_ci(x2, df, n)
    # lavaan solves with uniroot's default tolerance (~1e-4 on lambda): bounds agree ~1e-8
    assert lo == pytest.approx(fm["rmsea.ci.lower"], abs=1e-7)
    assert hi == pytest.approx(fm["rmsea.ci.upper"], abs=1e-7)
    assert fi.rmsea_pvalue(x2, df, n) == pytest.approx(fm["rmsea.pvalue"], abs=1e-10)


def test_rmsea_divides_by_n_not_n_minus_1() -> None:
    fm = _fm("hs")
    expected = math.sqrt((fm["chisq"] - fm["df"]) / (fm["df"] * fm["ntotal"]))
    assert fi.rmsea(fm["chisq"], fm["df"], fm["ntotal"]) == pytest.approx(expected)
    semopy_style = math.sqrt((fm["chisq"] / fm["df"] - 1) / (fm["ntotal"] - 1))
    assert abs(semopy_style - fm["rmsea"]) > 1e-4


def test_rmsea_ci_lower_bound_zero_branch() -> None:
    fm = _fm("pd")  # chisq 38.1 on 35 df: P(chi2_35 <= 38.1) < 0.95, so lower = 0
    lo, hi = fi.rmsea_ci(fm["chisq"], fm["df"], fm["ntotal"])
    assert lo == 0.0 and fm["rmsea.ci.lower"] == 0
    assert hi == pytest.approx(fm["rmsea.ci.upper"], abs=1e-7)


@pytest.mark.parametrize("case", CASES)
def test_incremental_indices_from_chisq(case: str) -> None:
    fm = _fm(case)
    args = (fm["chisq"], fm["df"], fm["baseline.chisq"], fm["baseline.df"])
    assert fi.cfi(*args) == pytest.approx(fm["cfi"], abs=1e-12)
    assert fi.tli(*args) == pytest.approx(fm["tli"], abs=1e-12)
    assert fi.nfi(fm["chisq"], fm["baseline.chisq"]) == pytest.approx(fm["nfi"], abs=1e-9)


@pytest.mark.parametrize("case", CASES)
def test_information_criteria_from_loglik(case: str) -> None:
    fm = _fm(case)
    aic, bic, bic2 = fi.information_criteria(fm["logl"], int(fm["npar"]), fm["ntotal"])
    assert aic == pytest.approx(fm["aic"], abs=1e-8)
    assert bic == pytest.approx(fm["bic"], abs=1e-8)
    assert bic2 == pytest.approx(fm["bic2"], abs=1e-8)


# --- edge cases (lavaan's conventions) ----------------------------------------------------

def test_saturated_model_conventions() -> None:
    assert fi.rmsea(0.0, 0, 100) == 0.0
    assert fi.rmsea_ci(0.0, 0, 100) == (0.0, 0.0)
    assert math.isnan(fi.rmsea_pvalue(0.0, 0, 100))
    assert fi.tli(0.0, 0, 500.0, 10) == 1.0
    assert fi.cfi(0.0, 0, 500.0, 10) == 1.0
    assert fi.agfi(1.0, 0, 5) == 1.0


def test_better_than_expected_fit() -> None:
    # chisq below df: CFI 1, RMSEA 0, TLI above 1 (not truncated, as lavaan)
    assert fi.cfi(10.0, 20, 500.0, 28) == 1.0
    assert fi.rmsea(10.0, 20, 300) == 0.0
    assert fi.tli(10.0, 20, 500.0, 28) > 1.0
    lo, hi = fi.rmsea_ci(10.0, 20, 300)
    assert lo == 0.0 and hi == 0.0  # P(chi2_20 <= 10) < 0.05: upper bound 0 too


def test_perfect_fit_matrices() -> None:
    s = np.array([[2.0, 0.6, 0.3], [0.6, 1.0, 0.2], [0.3, 0.2, 1.5]])
    assert fi.ml_discrepancy(s, s) == pytest.approx(0.0, abs=1e-14)
    assert fi.srmr_bentler(s, s) == 0.0
    assert fi.gfi(s, s) == pytest.approx(1.0)
    n = 50
    assert fi.loglik(s, s, n) == pytest.approx(fi.loglik_saturated(s, n))


def test_not_positive_definite_sigma_gives_nan() -> None:
    s = np.eye(2)
    sigma = np.array([[1.0, 2.0], [2.0, 1.0]])
    assert math.isnan(fi.ml_discrepancy(s, sigma))
