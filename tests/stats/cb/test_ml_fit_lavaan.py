"""Covariance-based CFA/SEM (``fit_cb``) compared with lavaan 0.6-14.

References (tests/data, R 4.2.2 + lavaan 0.6-14; no R needed to run these tests):

* ``hs_cfa_reference.json``: HolzingerSwineford1939 3-factor CFA (copy of
  /work/shared/reference; see its README).
* ``political_democracy_sem_reference.json``: Bollen's PoliticalDemocracy SEM with six
  residual covariances.
* ``cbsem_extra_reference.json`` (``tests/data/r/make_cbsem_extra_reference.R``):
  observed covariates with lavaan's fixed.x, a freed first loading with a fixed factor
  variance and a label shared with a first loading, and an exact Heywood case
  (``heywood_cfa.csv``).

Tolerances (estimates and std.all 1e-3, SEs 1%
relative, chi-square 0.1% relative, CFI/TLI/RMSEA/SRMR/RMSEA CI 1e-3, AIC/BIC 0.1,
R^2 1e-3); the estimates are also held to 1e-4, which semopy's default solver tolerance
misses (its drift on HS is ~1e-3). Measured: max |est diff| 8e-7 (HS) and 7e-6 (PD).
"""

from __future__ import annotations

import logging
import subprocess
import sys
from functools import cache

import numpy as np
import pandas as pd
import pytest
from support import (
    load_csv,
    load_json,
)

from cxsurvey.errors import EXIT_ANALYSIS, EXIT_INPUT, AnalysisError, InputError
from cxsurvey.stats.cb.ml_fit import CbFit, fit_cb
from cxsurvey.stats.cb.prepare import prepare_model

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"

# our fit key -> lavaan fitMeasures name, absolute tolerance (None: relative 0.1%)
FIT_KEYS = {
    "npar": ("npar", 0), "n": ("ntotal", 0), "df": ("df", 0),
    "chisq": ("chisq", None), "baseline_chisq": ("baseline.chisq", None),
    "baseline_df": ("baseline.df", 0), "pvalue": ("pvalue", 1e-4),
    "cfi": ("cfi", 1e-3), "tli": ("tli", 1e-3), "nfi": ("nfi", 1e-3),
    "rmsea": ("rmsea", 1e-3), "rmsea_ci_lower": ("rmsea.ci.lower", 1e-3),
    "rmsea_ci_upper": ("rmsea.ci.upper", 1e-3), "rmsea_pvalue": ("rmsea.pvalue", 1e-3),
    "srmr": ("srmr", 1e-3), "gfi": ("gfi", 1e-3), "agfi": ("agfi", 1e-3),
    "logl": ("logl", 0.05), "unrestricted_logl": ("unrestricted.logl", 0.05),
    "aic": ("aic", 0.1), "bic": ("bic", 0.1), "bic2": ("bic2", 0.1),
}


def _json(name: str) -> dict:
    return load_json(name)


def _csv(name: str, index_col: int | None = None) -> pd.DataFrame:
    return load_csv(name, index_col)


@cache
def _fit(case: str) -> CbFit:
    ref, data = _case(case)
    return fit_cb(data, ref["model_syntax"])


def _case(case: str) -> tuple[dict, pd.DataFrame]:
    if case == "hs":
        return _json("hs_cfa_reference.json"), _csv("holzinger_swineford_1939.csv")
    if case == "pd":
        return (_json("political_democracy_sem_reference.json"),
                _csv("political_democracy.csv"))
    extra = _json("cbsem_extra_reference.json")[case]
    data = {"pd_fixed_x": "political_democracy.csv", "hs_std_lv": "holzinger_swineford_1939.csv",
            "heywood": "heywood_cfa.csv"}[case]
    return extra, _csv(data)


def _key(lhs: str, op: str, rhs: str) -> tuple[str, ...]:
    return (op, *sorted((lhs, rhs))) if op == "~~" else (op, lhs, rhs)


def _pairs(case: str) -> list[tuple[dict, dict]]:
    """(lavaan row, our row) for every lavaan parameter."""
    ref, _ = _case(case)
    ours = {_key(r["lhs"], r["op"], r["rhs"]): r for r in _fit(case).params.to_dict("records")}
    out = []
    for row in ref["all_parameters"]:
        key = _key(row["lhs"], row["op"], row["rhs"])
        assert key in ours, f"{key} missing from our parameter table"
        out.append((row, ours[key]))
    return out


ALL_CASES = ["hs", "pd", "pd_fixed_x", "hs_std_lv", "heywood"]


@pytest.mark.parametrize("case", ALL_CASES)
def test_same_parameters_as_lavaan(case: str) -> None:
    ref, _ = _case(case)
    ours = {_key(*r) for r in _fit(case).params[["lhs", "op", "rhs"]].itertuples(index=False)}
    theirs = {_key(r["lhs"], r["op"], r["rhs"]) for r in ref["all_parameters"]}
    assert ours == theirs


@pytest.mark.parametrize("case", ALL_CASES)
def test_estimates_and_std_all(case: str) -> None:
    est = np.array([[ref["est"], ours["est"]] for ref, ours in _pairs(case)])
    std = np.array([[ref["std.all"], ours["std_all"]] for ref, ours in _pairs(case)])
    assert np.max(np.abs(est[:, 0] - est[:, 1])) < 1e-4  # tolerance elsewhere: 1e-3
    assert np.max(np.abs(std[:, 0] - std[:, 1])) < 1e-3


@pytest.mark.parametrize("case", ALL_CASES)
def test_standard_errors_z_and_p(case: str) -> None:
    for ref, ours in _pairs(case):
        if ref["z"] is None:  # fixed parameter: lavaan prints se 0, we give NaN
            assert not ours["free"]
            assert all(np.isnan(ours[k]) for k in ("se", "z", "pvalue", "ci_lower",
                                                   "ci_upper"))
            assert ours["est"] == pytest.approx(ref["est"], abs=1e-12)
            continue
        name = f"{ref['lhs']} {ref['op']} {ref['rhs']}"
        assert ours["free"], name
        assert ours["se"] == pytest.approx(ref["se"], rel=0.01), name
        assert ours["z"] == pytest.approx(ref["z"], rel=0.01, abs=1e-3), name
        assert ours["pvalue"] == pytest.approx(ref["pvalue"], abs=1e-3), name
        assert ours["ci_lower"] == pytest.approx(ref["ci.lower"], abs=2e-3), name
        assert ours["ci_upper"] == pytest.approx(ref["ci.upper"], abs=2e-3), name


@pytest.mark.parametrize("case", ALL_CASES)
def test_fit_measures(case: str) -> None:
    ref, _ = _case(case)
    fm = ref["fit_measures_main"]
    fit = _fit(case).fit
    for ours, (theirs, tol) in FIT_KEYS.items():
        if theirs not in fm:
            continue
        if tol is None:
            assert fit[ours] == pytest.approx(fm[theirs], rel=1e-3, abs=1e-6), ours
        else:
            assert fit[ours] == pytest.approx(fm[theirs], abs=tol), ours


@pytest.mark.parametrize("case", ALL_CASES)
def test_r2(case: str) -> None:
    ref, _ = _case(case)
    r2 = _fit(case).r2
    ours = dict(zip(r2["variable"], r2["r2"], strict=True))
    assert set(ours) == set(ref["r2"])
    for var, value in ref["r2"].items():
        if value is None:  # lavaan: NA for a negative residual variance
            assert np.isnan(ours[var]), var
        else:
            assert ours[var] == pytest.approx(value, abs=1e-3), var
    assert set(r2.loc[r2["latent"], "variable"]) == set(ref["r2"]) & set(_fit(case).latent)


@pytest.mark.parametrize("case", ["hs", "pd"])
def test_latent_correlations(case: str) -> None:
    ref, _ = _case(case)
    cor = _fit(case).latent_cor
    want = pd.DataFrame(ref["latent_correlation_matrix"]).loc[cor.index, cor.columns]
    assert np.max(np.abs(cor.to_numpy() - want.to_numpy())) < 1e-3


def test_hs_layout_follows_lavaan() -> None:
    fit = _fit("hs")
    p = fit.params
    assert list(p.columns) == ["lhs", "op", "rhs", "label", "free", "est", "se", "z",
                               "pvalue", "ci_lower", "ci_upper", "std_all"]
    for col in ("est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"):
        assert p[col].dtype == float, col  # never semopy's '-' strings
    ref = _json("hs_cfa_reference.json")["all_parameters"]
    assert [tuple(r) for r in p[["lhs", "op", "rhs"]].itertuples(index=False)] == \
        [(r["lhs"], r["op"], r["rhs"]) for r in ref]
    # first loading of each factor fixed to 1 (lavaan's marker rule)
    first = p[(p["op"] == "=~") & ~p["free"]]
    assert list(first["rhs"]) == ["x1", "x4", "x7"]
    assert (first["est"] == 1.0).all()
    assert fit.converged and fit.warnings == ()
    assert fit.n == 301  # 'grade' has a missing value but is not in the model
    assert fit.observed == tuple(f"x{i}" for i in range(1, 10))
    assert fit.latent == ("visual", "textual", "speed")
    assert fit.implied_cov.shape == (9, 9) and fit.latent_cov.shape == (3, 3)
    assert list(fit.loadings["rhs"]) == [f"x{i}" for i in range(1, 10)]


def test_pd_residual_covariances_are_residual_correlations() -> None:
    ref = _json("political_democracy_sem_reference.json")
    p = _fit("pd").params
    for row in ref["residual_covariances"]:
        ours = p[(p["op"] == "~~") & (p["lhs"] == row["lhs"]) & (p["rhs"] == row["rhs"])]
        assert len(ours) == 1
        est = ours.iloc[0]
        var = {v: p[(p["op"] == "~~") & (p["lhs"] == v) & (p["rhs"] == v)].iloc[0]["est"]
               for v in (row["lhs"], row["rhs"])}
        assert est["std_all"] == pytest.approx(
            est["est"] / np.sqrt(var[row["lhs"]] * var[row["rhs"]]), rel=1e-12)
        assert est["std_all"] == pytest.approx(row["std.all"], abs=1e-3)
    regs = _fit("pd").regressions
    assert [tuple(r) for r in regs[["lhs", "rhs"]].itertuples(index=False)] == \
        [("dem60", "ind60"), ("dem65", "ind60"), ("dem65", "dem60")]


def test_fixed_x_covariates_are_fixed_at_sample_values() -> None:
    fit = _fit("pd_fixed_x")
    p = fit.params
    xs = p[(p["op"] == "~~") & p["lhs"].isin(["x1", "x2"]) & p["rhs"].isin(["x1", "x2"])]
    assert len(xs) == 3 and not xs["free"].any()
    s = fit.sample_cov
    for row in xs.itertuples(index=False):
        assert row.est == pytest.approx(s.loc[row.lhs, row.rhs], rel=1e-12)


def test_refit_is_fresh_and_reproducible() -> None:
    ref, data = _case("hs")
    a = fit_cb(data, ref["model_syntax"])
    b = fit_cb(data, ref["model_syntax"])
    pd.testing.assert_frame_equal(a.params, b.params)
    assert a.fit == b.fit


def test_warm_start_reaches_the_same_optimum() -> None:
    ref, data = _case("pd")
    cold = _fit("pd")
    resample = data.sample(frac=1.0, replace=True, random_state=3).reset_index(drop=True)
    a = fit_cb(resample, ref["model_syntax"])
    b = fit_cb(resample, ref["model_syntax"], start=cold)
    assert b.iterations < a.iterations
    assert np.max(np.abs(a.params["est"] - b.params["est"])) < 1e-4
    assert b.fit["chisq"] == pytest.approx(a.fit["chisq"], rel=1e-6)


def test_default_solver_tolerance_would_drift() -> None:
    """With semopy's default ftol (1e-6) the HS estimates drift ~1e-3 from lavaan: the
    tight default is what brings them within 1e-6."""
    ref, data = _case("hs")
    loose = fit_cb(data, ref["model_syntax"], ftol=1e-6)
    tight = _fit("hs")
    drift = np.max(np.abs(loose.params["est"] - tight.params["est"]))
    assert drift > 1e-5


def test_listwise_deletion_on_model_variables_only() -> None:
    data = _csv("holzinger_swineford_1939.csv").copy()
    data.loc[[0, 5, 7], "x3"] = np.nan
    data.loc[[5, 11], "x8"] = np.nan
    data["unused"] = np.nan
    fit = fit_cb(data, HS_MODEL)
    assert fit.n == 301 - 4 and fit.fit["n"] == 297


@pytest.mark.slow
def test_import_is_cheap() -> None:
    code = ("import sys, cxsurvey.stats.cb.ml_fit, cxsurvey.stats.cb.fit_indices; "
            "print('semopy' in sys.modules, 'scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False", "False"]


# --- problems: Heywood cases are warnings --------------------------------------------------

def test_heywood_case_is_a_warning() -> None:
    fit = _fit("heywood")
    p = fit.params
    theta = p[(p["op"] == "~~") & (p["lhs"] == "a1") & (p["rhs"] == "a1")].iloc[0]
    assert theta["est"] == pytest.approx(-0.21, abs=1e-4)  # the population value
    loading = p[(p["op"] == "=~") & (p["rhs"] == "a1")].iloc[0]
    assert loading["std_all"] == pytest.approx(1.1, abs=1e-4)
    assert fit.converged
    text = " | ".join(fit.warnings)
    assert "Heywood case: negative variance estimate for residual of a1" in text
    assert "standardized loading of a1 on A is 1.100" in text
    assert len(fit.warnings) == 2


def test_negative_latent_variance_is_a_warning() -> None:
    # a fixed negative loading forces visual's variance below zero
    fit = fit_cb(_csv("holzinger_swineford_1939.csv"),
                 "visual =~ x1 + -5*x2 + x3\ntextual =~ x4 + x5 + x6")
    text = " | ".join(fit.warnings)
    assert "negative variance estimate for latent variable visual" in text
    assert "latent variables is not positive definite" in text


# --- problems: errors with exit code 3 ----------------------------------------------------

def _analysis_error(data: pd.DataFrame, model: str, **kw: object) -> AnalysisError:
    with pytest.raises(AnalysisError) as info:
        fit_cb(data, model, **kw)
    assert info.value.exit_code == EXIT_ANALYSIS == 3
    assert info.value.hint
    return info.value


def test_under_identified_negative_df() -> None:
    err = _analysis_error(_csv("holzinger_swineford_1939.csv"), "F =~ x1 + x2")
    assert "not identified" in str(err) and "df = -1" in str(err)
    assert "three items" in str(err)


def test_under_identified_two_item_factor_without_correlation() -> None:
    # df = 5 >= 0, but F1's two items cannot identify its loading and variance
    err = _analysis_error(_csv("holzinger_swineford_1939.csv"),
                          "F1 =~ x1 + x2\nF2 =~ x4 + x5 + x6\nF1 ~~ 0*F2")
    text = str(err)
    assert "not identified" in text and "'F1 =~ x2'" in text and "'F1 ~~ F1'" in text
    assert "'F2" not in text


def test_two_item_factor_correlated_with_another_is_identified() -> None:
    fit = fit_cb(_csv("holzinger_swineford_1939.csv"),
                 "F1 =~ x1 + x2\nF2 =~ x4 + x5 + x6")
    assert fit.converged and fit.fit["df"] == 4


def test_single_item_factor_is_under_identified() -> None:
    err = _analysis_error(_csv("holzinger_swineford_1939.csv"),
                          "F1 =~ x1\nF2 =~ x4 + x5 + x6")
    assert "'x1 ~~ x1'" in str(err) and "x ~~ 0*x" in str(err)


def test_no_convergence() -> None:
    err = _analysis_error(_csv("holzinger_swineford_1939.csv"), HS_MODEL, maxiter=3)
    assert "did not converge" in str(err) and "Iteration limit" in str(err)


def test_no_convergence_not_strict_returns_flagged_fit() -> None:
    fit = fit_cb(_csv("holzinger_swineford_1939.csv"), HS_MODEL, maxiter=3, strict=False)
    assert not fit.converged
    assert any("did not converge" in w for w in fit.warnings)


def test_too_few_complete_cases() -> None:
    data = _csv("holzinger_swineford_1939.csv").copy()
    data.loc[100:, "x9"] = np.nan
    assert fit_cb(data, HS_MODEL).n == 100
    data.loc[21:, "x9"] = np.nan
    err = _analysis_error(data, HS_MODEL)
    assert "too few complete cases: 21 rows for 21 free parameters" in str(err)
    assert "280 of 301 rows have a missing answer" in str(err)


def test_item_without_variance() -> None:
    data = _csv("holzinger_swineford_1939.csv").assign(x10=3.0)
    err = _analysis_error(data, "F =~ x1 + x2 + x3 + x10")
    assert "no variance in 'x10'" in str(err)


def test_duplicate_item_makes_sample_covariance_singular() -> None:
    data = _csv("holzinger_swineford_1939.csv")
    data = data.assign(x10=data["x1"] + data["x2"])
    err = _analysis_error(data, "visual =~ x1 + x2 + x3 + x10\ntextual =~ x4 + x5 + x6")
    assert "singular" in str(err) and "'x10'" in str(err)


def test_fixed_covariance_with_infeasible_start_still_converges() -> None:
    # semopy starts factor variances at 0.05, so cov = -0.5 is an impossible start;
    # lavaan 0.6-14 converges to chisq 160.163 (df 9)
    fit = fit_cb(_csv("holzinger_swineford_1939.csv"),
                 "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~~ -0.5*textual")
    assert fit.fit["chisq"] == pytest.approx(160.163, abs=1e-3) and fit.fit["df"] == 9


# --- input errors: exit code 2 ------------------------------------------------------------

@pytest.mark.parametrize(("model", "message"), [
    ("F =~ x1 + x2 + nosuch", "'nosuch', not found in the data"),
    ("F <~ x1 + x2 + x3", "composite constructs"),
    ("F =~ x1 + a*x2 + b*x3\na == b", "constraint"),
    ("F =~ x1 + c(a)*x2 + x3", "modifier"),
])
def test_input_errors(model: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        fit_cb(_csv("holzinger_swineford_1939.csv"), model)
    assert info.value.exit_code == EXIT_INPUT
    assert message in str(info.value)


def test_non_numeric_answers_are_an_input_error() -> None:
    data = _csv("holzinger_swineford_1939.csv").astype({"x2": object})
    data.loc[4, "x2"] = "agree"
    with pytest.raises(InputError, match="non-numeric values in 'x2'"):
        fit_cb(data, HS_MODEL)


# --- syntax translation -------------------------------------------------------------------

def test_prepare_model_applies_lavaan_marker_rule() -> None:
    prep = prepare_model("F =~ a*x1 + a*x2 + x3 + start(0.5)*x4\nG =~ NA*y1 + y2\n"
                         "G ~~ 1*G\nF ~ 1 + G\nind := a*2\n")
    lines = prep.syntax.splitlines()
    assert lines[0] == "F =~ 1.0*x1 + 1.0*x2 + x3 + x4"
    assert lines[1] == "G =~ _cx_G_y1*y1 + _cx_G_y2*y2"
    assert lines[2] == "G ~~ 1.0*G"
    assert lines[3] == "F ~ G"
    assert prep.freed == ("G",)
    assert prep.observed == ("x1", "x2", "x3", "x4", "y1", "y2")
    assert any("intercept" in n for n in prep.notes)
    assert any("defined parameter" in n for n in prep.notes)


# --- semopy stays quiet -------------------------------------------------------------------

def test_semopy_logging_is_captured_not_printed(capfd: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    # freeing visual's first loading without fixing its variance: semopy logs
    # "No fixed loadings for visual." and the model is not identified
    with pytest.raises(AnalysisError, match="not identified"):
        fit_cb(_csv("holzinger_swineford_1939.csv"),
               "visual =~ NA*x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n")
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert (list(root.handlers), root.level) == before


def test_semopy_log_warnings_are_returned() -> None:
    from cxsurvey.stats.cb.semopy_adapter import fit_semopy

    data = _csv("holzinger_swineford_1939.csv")[[f"x{i}" for i in range(1, 7)]]
    syntax = "visual =~ a*x1 + b*x2 + c*x3\ntextual =~ 1.0*x4 + x5 + x6\nvisual ~~ 1.0*visual\n"
    res = fit_semopy(data, syntax, {("visual", f"x{i}") for i in (1, 2, 3)}
                     | {("textual", f"x{i}") for i in (4, 5, 6)})
    assert res.converged
    assert "No fixed loadings for visual." in res.warnings
    assert res.params["se"].dtype == float
    assert res.params.loc[~res.params["free"], "se"].isna().all()
