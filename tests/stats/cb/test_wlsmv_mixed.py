"""WLSMV with ordinal and continuous indicators (``fit_wlsmv(..., ordered=...)``) compared
with lavaan 0.6-14.

Reference: ``tests/data/mixed_reference.json`` (``tests/data/r/make_mixed_reference.R``):
``cfa()`` / ``sem()`` with ``estimator = "WLSMV"`` and ``ordered =`` all items but the ones
listed under ``meta.numeric_items``: bfi's agreeableness items (A1, A5 continuous;
listwise and pairwise), the 5-factor bfi CFA and a 3-factor SEM with a defined indirect
effect (one continuous item per factor), and the sample survey's 8-factor CFA (the first
item of each construct continuous).

Tolerances: estimates, SEs and std.all 2e-4 absolute (measured: estimates <= 1.2e-4, on
the bfi CFA's residual variance of N1, lavaan's optimiser stopping early -- the other fits
<= 1.2e-5; SEs <= 2.6e-5 relative); chi-squares, scaling factors and shifts 1e-6 relative
(measured <= 2.2e-7); CFI/TLI/RMSEA/SRMR/CRMR/WRMR 1e-5 relative or 1e-7 absolute
(measured <= 5.4e-7 relative). lavaan's robust (catML) indices are undefined with
continuous indicators, and so are ours.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import pytest
from support import load_csv, load_json

from cxsurvey.stats.cb.wlsmv import WlsmvFit, fit_wlsmv

CASES = ("small_mixed", "small_mixed_pairwise", "bfi_mixed_cfa", "bfi_mixed_sem",
         "sample_mixed_cfa")
FIT_KEYS = ("chisq", "df", "fmin", "chisq_scaled", "chisq_scaling_factor", "baseline_chisq",
            "baseline_df", "baseline_chisq_scaled",
            "cfi", "tli", "cfi_scaled", "tli_scaled", "rmsea", "rmsea_scaled",
            "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled", "srmr", "srmr_bentler",
            "crmr", "wrmr", "npar")


def _ref(key: str) -> dict:
    out: dict = load_json("mixed_reference.json")[key]
    return out


def _numeric(key: str) -> list[str]:
    out: list[str] = load_json("mixed_reference.json")["meta"]["numeric_items"][key]
    return out


@cache
def _fit(key: str) -> WlsmvFit:
    ref = _ref(key)
    data = load_csv("cx_journey_items.csv") if key.startswith("sample") else load_csv("bfi.csv")
    syntax = ref["model_syntax"]
    observed = [c for c in data.columns if c in syntax]
    ordered = [c for c in observed if c not in _numeric(key)]
    return fit_wlsmv(data, syntax, missing=ref["missing"], ordered=ordered)


def _merged(key: str) -> pd.DataFrame:
    lav = pd.DataFrame(_ref(key)["parameters"])
    lav["rhs"] = lav["rhs"].fillna("")
    ours = _fit(key).params
    m = ours.merge(lav, on=["lhs", "op", "rhs"], suffixes=("", "_lav"), how="outer",
                   indicator=True)
    return m


@pytest.mark.parametrize("key", CASES)
def test_parameters_match_lavaan(key: str) -> None:
    m = _merged(key)
    assert (m["_merge"] == "both").all(), m.loc[m["_merge"] != "both", ["lhs", "op", "rhs"]]
    assert _fit(key).n == _ref(key)["nobs"]
    np.testing.assert_allclose(m["est"], m["est_lav"].astype(float), rtol=0, atol=2e-4)
    np.testing.assert_allclose(m["std_all"], m["std.all"].astype(float), rtol=0, atol=2e-4)
    free = m["free"].astype(bool).to_numpy()
    np.testing.assert_allclose(m.loc[free, "se"], m.loc[free, "se_lav"].astype(float),
                               rtol=1e-4)
    assert m.loc[~free & (m["op"] != ":="), "se"].isna().all()


@pytest.mark.parametrize("key", CASES)
def test_fit_measures_match_lavaan(key: str) -> None:
    fit = _fit(key).fit
    fm = _ref(key)["fit_measures"]
    for name in FIT_KEYS:
        lav = fm[name.replace("_", ".") if name not in ("srmr_bentler",) else name]
        assert fit[name] == pytest.approx(float(lav), rel=1e-5, abs=1e-7), name
    ss = _ref(key)["test_statistics"]["scaled.shifted"]
    assert _fit(key).fit["chisq_shift_parameter"] == pytest.approx(ss["shift.parameter"],
                                                                   rel=1e-5)
    assert _fit(key).fit["trace_ugamma"] == pytest.approx(ss["trace.UGamma"], rel=1e-5)
    for name in ("cfi_robust", "tli_robust", "rmsea_robust"):
        assert fm[name.replace("_", ".")] is None and math.isnan(fit[name])


def test_continuous_items_have_free_intercepts_and_residual_variances() -> None:
    f = _fit("small_mixed")
    p = f.params.set_index(["lhs", "op", "rhs"])
    data = load_csv("bfi.csv")[["A1", "A2", "A3", "A4", "A5"]].dropna()
    assert p.loc[("A1", "~1", ""), "est"] == pytest.approx(data["A1"].mean(), abs=1e-12)
    assert bool(p.loc[("A1", "~~", "A1"), "free"]) and not bool(p.loc[("A2", "~~", "A2"),
                                                                         "free"])
    assert ("A1", "|", "t1") not in p.index and ("A1", "~*~", "A1") not in p.index
    assert f.continuous == ("A1", "A5")
    assert set(f.thresholds) == {"A2", "A3", "A4"}
    # the covariance matrices keep the continuous items' variances
    assert f.sample_cov is not None and f.implied_cov is not None
    assert f.sample_cov.loc["A1", "A1"] == pytest.approx(data["A1"].var(ddof=0), rel=1e-12)
    assert f.implied_cov.loc["A1", "A1"] == pytest.approx(f.sample_cov.loc["A1", "A1"],
                                                          rel=1e-8)


def test_defined_effect_of_the_sem() -> None:
    m = _merged("bfi_mixed_sem")
    row = m[m["op"] == ":="].iloc[0]
    assert row["est"] == pytest.approx(float(row["est_lav"]), abs=1e-6)
    assert row["se"] == pytest.approx(float(row["se_lav"]), rel=1e-4)


def test_every_item_ordered_is_the_ordinal_fit() -> None:
    data = load_csv("bfi.csv")
    syntax = _ref("small_mixed")["model_syntax"]
    a = fit_wlsmv(data, syntax)
    b = fit_wlsmv(data, syntax, ordered=["A1", "A2", "A3", "A4", "A5", "not_in_model"])
    assert a.fit["chisq_scaled"] == b.fit["chisq_scaled"] and b.continuous == ()
