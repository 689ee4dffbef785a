"""Full-information ML (``cxsurvey.stats.cb.fiml``, ``missing_h1``) against lavaan 0.6-14.

References: ``tests/data/robust_reference.json`` keys ``bfi_fiml_ML`` and
``bfi_fiml_MLR`` (``psych::bfi``, 25 items, 2,800 rows, 87 missing-data patterns; five-
factor CFA with ``missing = "ml"``), made by ``tests/data/r/make_robust_reference.R``.

Measured agreement (as fitted): unrestricted and model log-likelihoods 1e-12 relative,
chi-square, CFI, TLI, RMSEA (CI) 1e-10 relative; FIML-corrected robust CFI/TLI/RMSEA
(Zhang & Savalei) 3e-10; scaled chi-square (MLR) 2e-7 relative, estimates 2e-5 absolute
(lavaan's optimiser stops earlier than ours: our log-likelihood is higher by 2e-7), SEs
7e-6. At lavaan's own estimates (``optimise=False``) the SEs agree to 1e-8 and the
scaled statistic to 1e-9 relative, which is what the tight tests check.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pandas as pd
import pytest
from support import load_csv, load_json

from cxsurvey.errors import InputError
from cxsurvey.stats.cb import missing_h1, moments
from cxsurvey.stats.cb.fiml import FimlResult, fiml_fit, fit_fiml, tilde_data
from cxsurvey.stats.cb.ml_fit import fit_cb
from cxsurvey.stats.missing import missing_data

ITEMS = [f"{c}{i}" for c in "ACENO" for i in range(1, 6)]


@cache
def _bfi() -> pd.DataFrame:
    return load_csv("bfi.csv")


def _ref(estimator: str) -> dict:
    return load_json("robust_reference.json")[f"bfi_fiml_{estimator}"]


@cache
def _fitted(estimator: str) -> FimlResult:
    return fit_fiml(_bfi(), _ref("ML")["model_syntax"], estimator)


@cache
def _start():  # type: ignore[no-untyped-def]
    """The parameter table: an ML fit to complete pseudo-data with the EM moments."""
    pat = missing_h1.missing_patterns(_bfi()[ITEMS].to_numpy(float))
    mu, sigma, _ = missing_h1.em_h1(pat)
    return fit_cb(pd.DataFrame(tilde_data(pat, mu, sigma), columns=ITEMS),
                  _ref("ML")["model_syntax"])


@cache
def _at_lavaan(estimator: str) -> FimlResult:
    """Everything evaluated at lavaan's estimates (loadings, variances, intercepts)."""
    ref = _ref(estimator)
    start = _start()
    est = {}
    for row in ref["parameters"]:
        est[(row["lhs"], row["op"], row["rhs"])] = float(row["est"])
        est[(row["rhs"], row["op"], row["lhs"])] = float(row["est"])
    params = start.params.assign(est=[est[k] for k in zip(
        start.params["lhs"], start.params["op"], start.params["rhs"], strict=True)])
    nu = np.array([est[(v, "~1", "")] for v in start.observed])
    return fiml_fit(dataclasses.replace(start, params=params), _bfi(), estimator,
                    intercepts=nu, optimise=False)


def _merged(res: FimlResult, estimator: str) -> pd.DataFrame:
    ref = pd.DataFrame(_ref(estimator)["parameters"])
    return ref.merge(res.fit.params, on=["lhs", "op", "rhs"], suffixes=("_ref", ""))


# ---- the unrestricted model ------------------------------------------------------------


def test_em_reaches_lavaans_unrestricted_loglik_and_a_zero_gradient() -> None:
    pat = missing_h1.missing_patterns(_bfi()[ITEMS].to_numpy(float))
    assert (pat.n, pat.n_patterns, pat.n_empty) == (2800, _ref("ML")["npatterns"], 0)
    mu, sigma, _ = missing_h1.em_h1(pat)
    ref = _ref("ML")["fit_measures"]["unrestricted.logl"]
    assert missing_h1.loglik(pat, mu, sigma) == pytest.approx(ref, rel=1e-12)
    mu2, sigma2, _ = missing_h1.em_h1(pat, max_iter=5000, tol=1e-12)
    _, g_mu, g_s = missing_h1.loglik_gradient(pat, mu2, sigma2)
    assert max(np.abs(g_mu).max(), np.abs(g_s).max()) < 1e-8


def _small_patterns() -> missing_h1.MissingPatterns:
    rng = np.random.default_rng(5)
    y = rng.multivariate_normal([1, 2, 3, 4], np.eye(4) + 0.5, size=60)
    y[rng.random(y.shape) < 0.2] = np.nan
    return missing_h1.missing_patterns(y)


def test_h1_information_is_minus_the_hessian_of_the_loglik() -> None:
    pat = _small_patterns()
    mu, sigma, _ = missing_h1.em_h1(pat, tol=1e-12, max_iter=5000)
    rows, cols = missing_h1.vech_pairs(4)

    def grad(v: np.ndarray) -> np.ndarray:
        s = np.zeros((4, 4))
        s[rows, cols] = v[4:]
        s[cols, rows] = v[4:]
        _, g_mu, g_s = missing_h1.loglik_gradient(pat, v[:4], s)
        return np.concatenate([g_mu, g_s[rows, cols] * np.where(rows != cols, 2, 1)])

    v0 = np.concatenate([mu, sigma[rows, cols]]) + 0.01  # away from the optimum too
    mu0 = v0[:4]
    s0 = np.zeros((4, 4))
    s0[rows, cols] = v0[4:]
    s0[cols, rows] = v0[4:]
    h = 1e-6
    numeric = np.column_stack([(grad(v0 + h * e) - grad(v0 - h * e)) / (2 * h)
                               for e in np.eye(v0.size)])
    analytic = missing_h1.h1_observed_information(pat, mu0, s0)
    assert np.max(np.abs(analytic + numeric / pat.n)) < 1e-7
    # the complete-data weight matrix is the Sigma block of the complete-data case
    assert np.allclose(0.5 * missing_h1._dup_sandwich(np.linalg.inv(s0), np.linalg.inv(s0),
                                                      rows, cols),
                       moments.normal_weight(s0), atol=1e-14)


def test_casewise_scores_sum_to_the_gradient() -> None:
    pat = _small_patterns()
    mu = np.nanmean(pat.y, axis=0)
    sigma = np.eye(4) * 1.3 + 0.4
    total = sum(missing_h1.h1_scores(pat, mu, sigma, g).sum(axis=0)
                for g in range(pat.n_patterns))
    _, g_mu, g_s = missing_h1.loglik_gradient(pat, mu, sigma)
    rows, cols = missing_h1.vech_pairs(4)
    expected = np.concatenate([g_mu, g_s[rows, cols] * np.where(rows != cols, 2, 1)])
    assert np.allclose(total, expected, atol=1e-10)


def test_tilde_data_have_the_em_moments_exactly() -> None:
    pat = _small_patterns()
    mu, sigma, _ = missing_h1.em_h1(pat)
    y = tilde_data(pat, mu, sigma)
    assert y.shape == pat.y.shape and not np.isnan(y).any()
    assert np.allclose(y.mean(axis=0), mu, atol=1e-12)
    assert np.allclose(np.cov(y, rowvar=False, bias=True), sigma, atol=1e-12)


def test_pullback_is_the_jacobian_transposed_times_a_gradient() -> None:
    """``pullback`` (used by the optimiser) equals ``Delta' g`` from the explicit
    Jacobian, for a SEM with regressions and labels (PoliticalDemocracy)."""
    from cxsurvey.stats.cb.fiml import _MeanModel

    ref = load_json("robust_reference.json")["pd_ML"]
    fit = fit_cb(load_csv("political_democracy.csv"), ref["model_syntax"])
    model = _MeanModel(moments.ram_model(fit.params, fit.observed))
    rng = np.random.default_rng(1)
    p = model.p
    x = np.concatenate([model.ram.theta, rng.normal(size=p)])
    g_mu = rng.normal(size=p)
    g_s = rng.normal(size=(p, p))
    g_s = g_s + g_s.T
    rows, cols = missing_h1.vech_pairs(p)
    g = np.concatenate([g_mu, g_s[rows, cols] * np.where(rows != cols, 2.0, 1.0)])
    expected = model.jacobian(x).T @ g
    assert np.allclose(model.pullback(x, g_mu, g_s), expected, rtol=1e-12, atol=1e-10)


# ---- the model, against lavaan ---------------------------------------------------------

FIT_KEYS = ["chisq", "df", "npar", "baseline.chisq", "baseline.df", "cfi", "tli", "rmsea",
            "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "aic", "bic", "logl",
            "unrestricted.logl", "cfi.robust", "tli.robust", "rmsea.robust",
            "rmsea.ci.lower.robust", "rmsea.ci.upper.robust"]
SCALED_KEYS = ["chisq.scaled", "chisq.scaling.factor", "cfi.scaled", "tli.scaled",
               "rmsea.scaled"]


@pytest.mark.parametrize("estimator", ["ML", "MLR"])
def test_fit_measures_at_lavaans_estimates(estimator: str) -> None:
    ref = _ref(estimator)["fit_measures"]
    ours = _at_lavaan(estimator).fit.fit
    keys = FIT_KEYS + (SCALED_KEYS if estimator == "MLR" else [])
    for key in keys:
        # the baseline's scaling factor rests on lavaan's optimiser for the independence
        # model (its trace differs by 1e-7 relative from the closed-form optimum)
        rel = 1e-6 if key in ("cfi.scaled", "tli.scaled") else 1e-8
        assert ours[key.replace(".", "_")] == pytest.approx(ref[key], rel=rel, abs=1e-10), key


@pytest.mark.parametrize("estimator", ["ML", "MLR"])
def test_standard_errors_at_lavaans_estimates(estimator: str) -> None:
    res = _at_lavaan(estimator)
    m = _merged(res, estimator)
    free = m[m["se_ref"] > 0]
    assert len(free) == 60
    assert np.max(np.abs(free["se"] - free["se_ref"])) < 1e-8
    assert np.max(np.abs(m["std_all"] - m["std.all"])) < 1e-10
    ref = pd.DataFrame(_ref(estimator)["parameters"])
    ints = ref[ref["op"] == "~1"].merge(res.intercepts, left_on="lhs", right_on="item",
                                        suffixes=("_ref", ""))
    assert len(ints) == 25
    assert np.max(np.abs(ints["se"] - ints["se_ref"])) < 1e-8
    # vcov is the free parameters' block, in ram_model order
    model = moments.ram_model(res.fit.params, res.fit.observed)
    assert res.fit.vcov is not None and res.fit.vcov.shape == (model.npar, model.npar)


@pytest.mark.slow
@pytest.mark.parametrize("estimator", ["ML", "MLR"])
def test_as_fitted_agrees_with_lavaan(estimator: str) -> None:
    res = _fitted(estimator)
    assert res.fit.converged and res.fit.n == 2800 and res.n_patterns == 87
    ref = _ref(estimator)["fit_measures"]
    for key in FIT_KEYS + (SCALED_KEYS if estimator == "MLR" else []):
        assert res.fit.fit[key.replace(".", "_")] == pytest.approx(ref[key], rel=1e-6), key
    m = _merged(res, estimator)
    assert np.max(np.abs(m["est"] - m["est_ref"])) < 1e-4
    assert np.nanmax(np.abs(m["se"] - m["se_ref"])) < 2e-5
    # the optimum is ours: the log-likelihood is at least lavaan's
    assert res.fit.fit["logl"] >= ref["logl"] - 1e-9


def test_listwise_complete_data_fiml_equals_ml_estimates() -> None:
    """With complete data FIML is ML with a saturated mean structure: same estimates,
    same chi-square (lavaan gives the same)."""
    data = load_csv("holzinger_swineford_1939.csv")
    syntax = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
    ml = fit_cb(data, syntax)
    res = fit_fiml(data, syntax)
    assert res.fit.fit["chisq"] == pytest.approx(ml.fit["chisq"], rel=1e-7)
    assert np.max(np.abs(res.fit.params["est"] - ml.params["est"])) < 1e-5
    assert np.allclose(res.intercepts["est"], data[[f"x{i}" for i in range(1, 10)]].mean(),
                       atol=1e-6)
    assert res.fit.fit["npar"] == ml.fit["npar"] + 9


def test_an_item_nobody_answered_is_named() -> None:
    from cxsurvey.errors import AnalysisError

    data = _bfi().copy()
    data["O5"] = np.nan
    with pytest.raises(AnalysisError, match="too few answers .* 'O5' \\(0\\)"):
        fit_fiml(data, _ref("ML")["model_syntax"])


def test_mlm_with_fiml_is_a_user_error() -> None:
    with pytest.raises(InputError, match="MLM needs complete data"):
        fit_fiml(_bfi(), _ref("ML")["model_syntax"], "MLM")


def test_coverage_matches_lavaan() -> None:
    ref = _ref("ML")["coverage"]
    md = missing_data(_bfi(), ITEMS)
    cover = md.coverage.loc[ref["names"], ref["names"]].to_numpy()
    assert np.max(np.abs(cover - np.array(ref["matrix"], dtype=float))) < 1e-12
    assert md.n_patterns == _ref("ML")["npatterns"]
    assert (md.n_used, md.n_rows) == (2800, 2800)
    assert md.n_complete == load_json("robust_reference.json")["bfi_listwise_ML"]["nobs"]
    assert md.patterns["n"].sum() == 2800 and md.patterns["n"].is_monotonic_decreasing
    first = md.patterns.iloc[0]
    assert first["pattern"] == "1" * 25 and first["missing"] == ""


def test_modification_indices_at_lavaans_estimates() -> None:
    """lavaan's ``modindices()`` of the FIML fit (expected information under the
    observed patterns): every one of its 400 rows, at lavaan's own estimates."""
    from cxsurvey.stats.cb.fiml import fiml_modification_indices

    ref = pd.DataFrame(load_json("robust_reference.json")["bfi_fiml_modindices"]["rows"])
    ours = fiml_modification_indices(_at_lavaan("ML").fit, _bfi())
    m = ref.merge(ours, on=["lhs", "op", "rhs"], suffixes=("_ref", ""))
    assert len(m) == len(ref) == len(ours) == 400
    assert np.max(np.abs(m["mi"] - m["mi_ref"]) / np.maximum(1.0, m["mi_ref"])) < 1e-6
    assert np.max(np.abs(m["epc"] - m["epc_ref"])) < 1e-6
    assert np.nanmax(np.abs(m["sepc_all"] - m["sepc.all"])) < 1e-6
    assert ours["mi"].is_monotonic_decreasing
