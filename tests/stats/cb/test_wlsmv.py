"""WLSMV CFA/SEM of ordinal items (``fit_wlsmv``) compared with lavaan 0.6-14.

Reference: ``tests/data/ordinal_reference.json`` (``tests/data/r/make_ordinal_reference.R``):
``cfa()`` / ``sem()`` with ``ordered = TRUE, estimator = "WLSMV"`` on the sample survey's
33 five-point items (157 rows, 8 factors) and on psych's bfi (2436 complete rows, items
reverse-keyed as the R script does, and as stored for the fits with negative loadings,
listwise and with ``missing = "pairwise"`` on all 2800 rows).

Tolerances: estimates, SEs and std.all 1e-4 absolute (measured: estimates <= 1.1e-5, the
difference being lavaan's optimizer tolerance -- our F is the smaller one; SEs <= 1e-6),
chi-squares and the test details 1e-6 relative (measured <= 5e-8), CFI/TLI/RMSEA/SRMR
1e-6 relative or 1e-7 absolute (measured <= 3e-7 relative; the scaled RMSEA of the
sample SEM, 0.0102, differs by 1.5e-8); robust RMSEA/CFI/TLI and the robust RMSEA CI and
p-value 1e-4 relative (measured <= 2e-6; the robust RMSEA p-value of the sample SEM 2e-5).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from support import load_csv, load_json

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.stats.cb.wlsmv import WlsmvFit, fit_wlsmv

BFI_REVERSED = ("A1", "C4", "C5", "E1", "E2", "O2", "O5")
FITS = ("sample_wlsmv_cfa", "bfi_keyed_wlsmv_cfa", "bfi_wlsmv_cfa", "bfi_wlsmv_cfa_pairwise",
        "bfi_wlsmv_sem", "sample_wlsmv_sem")


def _reference(key: str) -> dict:
    ref: dict = load_json("ordinal_reference.json")[key]
    return ref


def _data(key: str) -> pd.DataFrame:
    if key.startswith("sample"):
        return load_csv("cx_journey_items.csv")
    bfi = load_csv("bfi.csv")
    if key.startswith("bfi_wlsmv_cfa"):  # items as stored: negative loadings
        return bfi
    for v in BFI_REVERSED:
        bfi[v] = 7 - bfi[v]
    return bfi


@cache
def _fit(key: str) -> WlsmvFit:
    missing = "pairwise" if key.endswith("_pairwise") else "listwise"
    return fit_wlsmv(_data(key), _reference(key)["model_syntax"], missing=missing)


def _merged(key: str) -> pd.DataFrame:
    ref = pd.DataFrame(_reference(key)["parameters"])
    return _fit(key).params.merge(ref, on=["lhs", "op", "rhs"], how="outer",
                                  suffixes=("", "_lav"), indicator=True)


@pytest.mark.parametrize("key", FITS)
def test_parameter_table_has_lavaans_rows_in_lavaans_order(key: str) -> None:
    ref = pd.DataFrame(_reference(key)["parameters"])
    params = _fit(key).params
    assert list(zip(params["lhs"], params["op"], params["rhs"], strict=True)) == \
        list(zip(ref["lhs"], ref["op"], ref["rhs"], strict=True))
    assert list(params["label"]) == list(ref["label"])


@pytest.mark.parametrize("key", FITS)
def test_estimates_and_std_all_match_lavaan(key: str) -> None:
    m = _merged(key)
    assert (m["_merge"] == "both").all()
    np.testing.assert_allclose(m["est"], m["est_lav"].astype(float), rtol=0, atol=1e-4)
    np.testing.assert_allclose(m["std_all"], m["std.all"].astype(float), rtol=0, atol=1e-4)


@pytest.mark.parametrize("key", FITS)
def test_robust_standard_errors_match_lavaan(key: str) -> None:
    m = _merged(key)
    free = m["free"] | (m["op"] == ":=")
    np.testing.assert_allclose(m.loc[free, "se"], m.loc[free, "se_lav"].astype(float),
                               rtol=0, atol=1e-4)
    np.testing.assert_allclose(m.loc[free, "z"], m.loc[free, "z_lav"].astype(float),
                               rtol=1e-3, atol=1e-3)
    # fixed rows carry no standard error (lavaan prints 0)
    assert m.loc[~free, "se"].isna().all()


def test_thresholds_are_the_sample_thresholds() -> None:
    fit = _fit("sample_wlsmv_cfa")
    th = fit.params[fit.params["op"] == "|"]
    ref = _reference("sample_wlsmv_cfa")["sampstat"]["thresholds"]
    assert list(th["lhs"].unique()) == list(fit.observed)
    for item, values in ref.items():
        np.testing.assert_allclose(th.loc[th["lhs"] == item, "est"], values, atol=1e-10)
    # unused lowest category: three thresholds, as lavaan
    assert (th["lhs"] == "Att5").sum() == 3


@pytest.mark.parametrize("key", FITS)
def test_test_statistics_match_lavaan(key: str) -> None:
    fit = _fit(key).fit
    std = _reference(key)["test_statistics"]["standard"]
    ss = _reference(key)["test_statistics"]["scaled.shifted"]
    base = _reference(key)["baseline_test_statistics"]["scaled.shifted"]
    assert fit["df"] == std["df"]
    assert fit["chisq"] == pytest.approx(std["stat"], rel=1e-6)
    assert fit["chisq_scaled"] == pytest.approx(ss["stat"], rel=1e-6)
    assert fit["chisq_scaling_factor"] == pytest.approx(ss["scaling.factor"], rel=1e-6)
    assert fit["chisq_shift_parameter"] == pytest.approx(ss["shift.parameter"], rel=1e-6)
    assert fit["trace_ugamma"] == pytest.approx(ss["trace.UGamma"], rel=1e-6)
    assert fit["trace_ugamma2"] == pytest.approx(ss["trace.UGamma2"], rel=1e-6)
    assert fit["pvalue_scaled"] == pytest.approx(ss["pvalue"], rel=1e-5, abs=1e-12)
    assert fit["baseline_chisq_scaled"] == pytest.approx(base["stat"], rel=1e-6)
    assert fit["baseline_chisq_shift_parameter"] == pytest.approx(base["shift.parameter"],
                                                                  rel=1e-6)


@pytest.mark.parametrize("key", FITS)
def test_fit_measures_match_lavaan(key: str) -> None:
    fit = _fit(key).fit
    ref = _reference(key)["fit_measures"]
    names = ["npar", "fmin", "chisq", "df", "pvalue", "chisq_scaled", "df_scaled",
             "pvalue_scaled", "chisq_scaling_factor", "baseline_chisq", "baseline_df",
             "baseline_pvalue", "baseline_chisq_scaled", "baseline_df_scaled",
             "baseline_pvalue_scaled", "baseline_chisq_scaling_factor", "cfi", "tli",
             "cfi_scaled", "tli_scaled", "rmsea", "rmsea_scaled", "rmsea_robust",
             "cfi_robust", "tli_robust", "srmr", "srmr_bentler", "crmr", "wrmr"]
    names += [f"rmsea_{what}{kind}" for kind in ("", "_scaled", "_robust")
              for what in ("ci_lower", "ci_upper", "pvalue")]
    for name in names:
        expected = ref[name.replace("_", ".").replace("srmr.bentler", "srmr_bentler")]
        tol = 1e-4 if name.endswith("_robust") else 1e-6
        assert fit[name] == pytest.approx(expected, rel=tol, abs=1e-7), name


def test_vcov_is_symmetric_and_covers_every_free_parameter() -> None:
    fit = _fit("bfi_keyed_wlsmv_cfa")
    v = fit.vcov.to_numpy()
    assert v.shape == (160, 160)
    np.testing.assert_allclose(v, v.T, atol=1e-15)
    assert fit.converged
    assert fit.n == 2436
    np.testing.assert_allclose(np.diag(fit.implied_cor), 1.0)


@pytest.mark.parametrize("key", FITS)
def test_warns_when_lavaan_warns_about_the_vcov(key: str) -> None:
    lavaan_warns = any("vcov" in w for w in _reference(key)["warnings"])
    ours = any("not positive definite" in w for w in _fit(key).warnings)
    assert ours == lavaan_warns


def test_residual_variances_are_one_minus_communality() -> None:
    p = _fit("sample_wlsmv_cfa").params
    load = p[p["op"] == "=~"].set_index("rhs")["std_all"]
    res = p[(p["op"] == "~~") & (p["lhs"] == p["rhs"]) & p["lhs"].isin(load.index)]
    np.testing.assert_allclose(res["est"].to_numpy(),
                               1.0 - load.loc[res["lhs"]].to_numpy() ** 2, atol=1e-12)
    assert not res["free"].any()


def test_rejects_observed_variables_that_are_not_indicators() -> None:
    data = _data("sample_wlsmv_cfa")
    with pytest.raises(InputError, match="indicator"):
        fit_wlsmv(data, "f =~ Inf1 + Inf2 + Inf3\nf ~ Att1\n")


def test_rejects_unknown_columns() -> None:
    data = _data("sample_wlsmv_cfa")
    with pytest.raises(InputError, match="not found"):
        fit_wlsmv(data, "f =~ Inf1 + Inf2 + Nope\n")


def test_an_item_with_one_category_is_an_analysis_error() -> None:
    data = _data("sample_wlsmv_cfa")
    data["Inf2"] = 3
    with pytest.raises(AnalysisError, match="polychoric"):
        fit_wlsmv(data, "f =~ Inf1 + Inf2 + Inf3 + Inf4\n")


def test_equality_constraints_and_residual_covariances() -> None:
    data = _data("sample_wlsmv_cfa")
    fit = fit_wlsmv(data, "A =~ Inf1 + l*Inf2 + l*Inf3 + Inf4\nB =~ Att1 + Att2 + Att3 + Att4\n"
                          "Inf2 ~~ Inf3\nB ~ A\n")
    p = fit.params
    load = p[(p["op"] == "=~") & (p["label"] == "l")]
    assert load["est"].nunique() == 1 and load["se"].nunique() == 1
    # 28 correlations; 9 structural parameters (5 loadings, the label counting once, a
    # residual covariance, a regression, two variances) and 32 thresholds
    assert fit.fit["df"] == 28 - 9 and fit.fit["npar"] == 9 + 32
    res = p[(p["lhs"] == "Inf2") & (p["op"] == "~~") & (p["rhs"] == "Inf3")].iloc[0]
    assert res["free"] and np.isfinite(res["se"])
    fitted = fit.implied_cor.loc["Inf2", "Inf3"]
    l2 = float(load["est"].iloc[0])
    var_a = float(p[(p["lhs"] == "A") & (p["op"] == "~~") & (p["rhs"] == "A")]["est"].iloc[0])
    assert fitted == pytest.approx(l2 * l2 * var_a + res["est"], abs=1e-12)


def test_freed_first_loading_with_unit_factor_variance() -> None:
    fit = fit_wlsmv(_data("sample_wlsmv_cfa"), "A =~ NA*Inf1 + Inf2 + Inf3 + Inf4\nA ~~ 1*A\n")
    load = fit.params[fit.params["op"] == "=~"]
    assert load["free"].all() and (load["label"] == "").all()
    np.testing.assert_allclose(load["std_all"], load["est"], atol=1e-12)


def test_rejects_item_variances() -> None:
    with pytest.raises(InputError, match="1 - communality"):
        fit_wlsmv(_data("sample_wlsmv_cfa"), "A =~ Inf1 + Inf2 + Inf3 + Inf4\nInf1 ~~ Inf1\n")


def test_saturated_model() -> None:
    fit = fit_wlsmv(_data("sample_wlsmv_cfa"), "A =~ Inf1 + Inf2 + Inf3\n").fit
    assert fit["df"] == 0 and fit["chisq"] == pytest.approx(0.0, abs=1e-12)
    assert fit["cfi"] == 1.0 and fit["tli"] == 1.0 and fit["rmsea"] == 0.0
    assert np.isnan(fit["chisq_scaled"]) and np.isnan(fit["cfi_scaled"])


def test_rejects_text_answers() -> None:
    data = _data("sample_wlsmv_cfa").astype(object)
    data.loc[3, "Inf2"] = "agree"
    with pytest.raises(InputError, match="non-numeric"):
        fit_wlsmv(data, "f =~ Inf1 + Inf2 + Inf3\n")
