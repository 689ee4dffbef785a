"""Multi-group WLSMV fits of ordinal items and their invariance sequence
(``cxsurvey.stats.cb.multigroup_wlsmv``, ``measurement_invariance(estimator="WLSMV")``)
against lavaan 0.6-14 fits of the ``semTools::measEq.syntax`` (0.5-6) syntax with
``ID.cat = "Wu.Estabrook.2016"``, delta parameterization.

Reference: ``tests/data/invariance_wlsmv_reference.json`` (see
``tests/data/r/make_invariance_wlsmv_reference.R``): bfi (two factors, 10 six-point items,
gender; 867 / 1765; also with the residual covariance C4 ~~ C5, and by education: five
groups) and the bundled sample survey (three factors, 11 items, Channel; 84 / 73), steps
configural, thresholds, metric, scalar, and ``lavTestLRT`` of the steps.

Tolerances: lavaan's ``nlminb`` stops about 1e-5 from the DWLS minimum in the steps with
equality constraints (our Gauss-Newton converges to 1e-10 in the gradient), which bounds
the agreement: estimates and std.all 1e-4 absolute (measured 1.5e-5), robust SEs 1e-3
relative (measured 1.2e-5); chi-squares, scaled-shifted statistics, scaling factors,
CFI / TLI / RMSEA (plain, scaled, robust, with their intervals) and SRMR 1e-5 relative
with 1e-8 absolute for values near 0 (measured: chi-squares 3e-8, the rest 7.7e-6 at
most, the lower scaled RMSEA bound 0.0152 of the sample's scalar step); p-values 1e-5
relative plus 1e-10 absolute. Satorra (2000) difference tests 1e-4 absolute on the
statistic and its p-value (measured 9.3e-6 and 8.5e-8).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import pytest
from support import load_csv, load_json

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.stats.cb.invariance import InvarianceResult, measurement_invariance
from cxsurvey.stats.cb.lrt import lrt_table
from cxsurvey.stats.cb.multigroup_wlsmv import (
    MultiGroupWlsmvFit,
    fit_multigroup_wlsmv,
    satorra_2000,
)

REF = "invariance_wlsmv_reference.json"
STEPS = ("configural", "thresholds", "metric", "scalar")
SETS = ("bfi", "bfi_rescov", "bfi_educ", "cx")
GROUP = {"bfi": "gender", "bfi_rescov": "gender", "bfi_educ": "education", "cx": "Channel"}
FIT_KEYS = ("npar", "chisq", "df", "pvalue", "chisq_scaled", "df_scaled", "pvalue_scaled",
            "chisq_scaling_factor", "baseline_chisq", "baseline_df", "baseline_pvalue",
            "baseline_chisq_scaled", "baseline_pvalue_scaled",
            "baseline_chisq_scaling_factor", "cfi", "tli", "cfi_scaled", "tli_scaled",
            "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "rmsea_pvalue", "rmsea_scaled",
            "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled", "rmsea_pvalue_scaled",
            "cfi_robust", "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust",
            "rmsea_ci_upper_robust", "rmsea_pvalue_robust", "srmr", "wrmr", "fmin")


def ref() -> dict:
    return load_json(REF)


@cache
def dataset(name: str) -> pd.DataFrame:
    if name.startswith("bfi"):
        data = load_csv("bfi.csv")
        for v in ref()["meta"]["bfi_reversed"]:
            data[v] = 7 - data[v]
        return data
    return load_csv("cx_journey_groups.csv")


def model(name: str) -> str:
    meta = ref()["meta"]
    return str(meta.get(f"{name}_model", meta["bfi_model"]))  # bfi_educ: bfi's model


@cache
def invariance(name: str) -> InvarianceResult:
    return measurement_invariance(dataset(name), model(name), GROUP[name],
                                  estimator="WLSMV")


def merged(name: str, step: str) -> pd.DataFrame:
    fit = invariance(name).fits[step]
    theirs = pd.DataFrame(ref()[f"{name}_{step}"]["params"])
    out = fit.params.merge(theirs, on=["lhs", "op", "rhs", "group"], how="outer",
                           suffixes=("", "_r"), indicator=True)
    assert (out["_merge"] == "both").all(), out[out["_merge"] != "both"]
    return out


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("step", STEPS)
def test_estimates_and_standard_errors(name: str, step: str) -> None:
    m = merged(name, step)
    assert (m["free"] == m["free_r"]).all()
    np.testing.assert_allclose(m["est"], m["est_r"], atol=1e-4, rtol=0)
    np.testing.assert_allclose(m["std_all"], m["std_all_r"], atol=1e-4, rtol=0)
    free = m[m["free"]]
    np.testing.assert_allclose(free["se"], free["se_r"], rtol=1e-3)
    assert m.loc[~m["free"], "se"].isna().all()


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("step", STEPS)
def test_fit_measures(name: str, step: str) -> None:
    ours = invariance(name).fits[step].fit
    theirs = ref()[f"{name}_{step}"]["fit"]
    for key in FIT_KEYS:
        want = theirs.get(key)
        if want is None:  # lavaan: NA (the robust measures with equality constraints)
            assert math.isnan(ours[key]), key
            continue
        atol = 1e-10 if "pvalue" in key else 1e-8
        assert ours[key] == pytest.approx(want, rel=1e-5, abs=atol), key
    if step == "configural":
        assert math.isfinite(ours["cfi_robust"])
    else:
        assert math.isnan(ours["cfi_robust"])


@pytest.mark.parametrize("name", SETS)
def test_groups_and_cases(name: str) -> None:
    res = invariance(name)
    r = ref()[f"{name}_configural"]
    if name == "bfi_educ":  # education is read as float (it has missing values)
        assert [float(g) for g in res.groups] == [float(g) for g in r["group_labels"]]
    else:
        assert list(res.groups) == [str(g) for g in r["group_labels"]]
    assert list(res.nobs) == r["nobs"]
    fit = res.fits["configural"]
    assert sum(fit.chisq_group.values()) == pytest.approx(fit.fit["chisq"], rel=1e-12)


@pytest.mark.parametrize("name", SETS)
def test_difference_tests(name: str) -> None:
    res = invariance(name)
    theirs = ref()[f"{name}_lrt"]
    assert list(res.lrt["model"]) == theirs["model"]
    assert list(res.lrt["df"]) == theirs["df"]
    assert set(res.lrt["method"]) == {"satorra.2000"}
    assert "satorra.2000" in theirs["method"]
    np.testing.assert_allclose(res.lrt["chisq"], theirs["chisq"], rtol=1e-5)
    np.testing.assert_allclose(res.lrt["chisq_diff"][1:], theirs["chisq_diff"][1:],
                               atol=1e-4, rtol=0)
    np.testing.assert_allclose(res.lrt["df_diff"][1:], theirs["df_diff"][1:])
    np.testing.assert_allclose(res.lrt["pvalue"][1:], theirs["pvalue"][1:], atol=1e-4,
                               rtol=0)
    comp = res.comparisons.set_index("step")
    assert list(comp.index) == list(STEPS[1:])
    assert list(comp["against"]) == list(STEPS[:-1])
    np.testing.assert_allclose(comp["chisq_diff"], theirs["chisq_diff"][1:], atol=1e-4)


@pytest.mark.parametrize("name", SETS)
def test_difference_tests_without_thresholds_step(name: str) -> None:
    res = invariance(name)
    theirs = ref()[f"{name}_lrt_skip"]
    table = lrt_table([res.fits[s] for s in ("configural", "metric", "scalar")],
                      ["configural", "metric", "scalar"])
    np.testing.assert_allclose(table["chisq_diff"][1:], theirs["chisq_diff"][1:],
                               atol=1e-4, rtol=0)
    np.testing.assert_allclose(table["pvalue"][1:], theirs["pvalue"][1:], atol=1e-4,
                               rtol=0)
    fit1, fit0 = res.fits["configural"], res.fits["metric"]
    assert isinstance(fit1, MultiGroupWlsmvFit) and isinstance(fit0, MultiGroupWlsmvFit)
    direct = satorra_2000(fit1, fit0)
    assert direct["stat"] == pytest.approx(theirs["chisq_diff"][1], abs=1e-4)
    assert direct["df"] == theirs["df_diff"][1]


def test_invariance_result_layout() -> None:
    res = invariance("cx")
    assert list(res.table["step"]) == list(STEPS)
    assert res.estimator == "WLSMV"
    assert all(isinstance(f, MultiGroupWlsmvFit) for f in res.fits.values())
    for col in ("chisq_scaled", "cfi_scaled", "rmsea_scaled", "cfi_robust", "srmr",
                "chisq_shift_parameter"):
        assert col in res.table.columns
    for col in ("delta_cfi_scaled", "delta_rmsea_scaled", "delta_cfi_robust"):
        assert col in res.comparisons.columns
    fits = res.fits
    want = fits["metric"].fit["cfi_scaled"] - fits["thresholds"].fit["cfi_scaled"]
    assert res.comparisons.set_index("step").at["metric", "delta_cfi_scaled"] == want
    assert set(res.score_tests) == {"thresholds", "metric", "scalar"}
    assert all(frame.empty for frame in res.score_tests.values())


def test_steps_subset_matches_full_sequence() -> None:
    data = dataset("cx")
    res = measurement_invariance(data, model("cx"), "Channel",
                                 estimator="wlsmv", steps=("configural", "metric"))
    assert list(res.table["step"]) == ["configural", "metric"]
    full = invariance("cx")
    assert res.table.set_index("step").at["metric", "chisq"] == pytest.approx(
        full.table.set_index("step").at["metric", "chisq"], rel=1e-10)


def test_empty_category_in_a_group_is_refused_as_lavaan() -> None:
    r = ref()
    assert "Inf1" in r["cx_full_error"] and "empty in group 1" in r["cx_full_error"]
    model = """Awareness =~ Inf1 + Inf2 + Inf3 + Inf4
    Attention =~ Att1 + Att2 + Att3 + Att4 + Att5 + Att6 + Att7 + Att8"""
    with pytest.raises(AnalysisError, match=r"'Inf1'.*category 1.*group 'Web'") as err:
        measurement_invariance(dataset("cx"), model, "Channel", estimator="WLSMV")
    assert "item 'Inf3' has no answer in category 1 in group 'App'" in str(err.value)
    assert "item 'Att5'" not in str(err.value)  # empty in both groups: not a category


def test_strict_and_unknown_steps_are_refused() -> None:
    data, syntax = dataset("cx"), model("cx")
    with pytest.raises(InputError, match="strict"):
        measurement_invariance(data, syntax, "Channel", estimator="WLSMV",
                               steps=("configural", "metric", "scalar", "strict"))
    with pytest.raises(InputError, match="leading part"):
        measurement_invariance(data, syntax, "Channel", estimator="WLSMV",
                               steps=("configural", "scalar"))
    with pytest.raises(InputError, match="not a step"):
        fit_multigroup_wlsmv(data, syntax, "Channel", equal=("loadings",))


def test_unsupported_models_are_refused() -> None:
    data = dataset("cx")
    with pytest.raises(InputError, match="measurement model"):
        fit_multigroup_wlsmv(data, "F =~ Purch1 + Purch2 + Purch3\n"
                             "G =~ Lylt1 + Lylt2 + Lylt3\nG ~ F", "Channel")
    with pytest.raises(InputError, match="labels and fixed values"):
        fit_multigroup_wlsmv(data, "F =~ a*Purch1 + Purch2 + Purch3", "Channel")
    with pytest.raises(InputError, match="variance"):
        fit_multigroup_wlsmv(data, "F =~ Purch1 + Purch2 + Purch3\nPurch1 ~~ Purch1",
                             "Channel")


def test_binary_items_need_configural_or_more_categories() -> None:
    data = dataset("cx").copy()
    for v in ("Purch1", "Purch2", "Purch3"):
        data[v] = (data[v] >= 4).astype(int)
    model = "F =~ Purch1 + Purch2 + Purch3"
    with pytest.raises(InputError, match="two categories"):
        fit_multigroup_wlsmv(data, model, "Channel", equal=("thresholds",))
