"""Defined parameters with delta-method inference (``cxsurvey.stats.cb.delta``).

lavaan reference: the ``:=`` rows (``indirect := a*b``, ``total := c + a*b``) of
``pd_ML`` and ``pd_MLR`` in tests/data/robust_reference.json (lavaan 0.6-14,
PoliticalDemocracy SEM). Measured agreement:

* at lavaan's estimates with lavaan's own MLR covariance matrix (``pd_MLR.vcov``): the
  delta method alone, max relative difference 6e-15 (est, se, z, CI), 7e-12 (p-value);
  held to 1e-12 (p-value 1e-10);
* at lavaan's estimates with our covariance matrices: ML (expected information) 6e-15
  est, 9e-16 se, 2e-12 p-value; MLR 1.9e-9 se and z, 4e-8 p-value (lavaan's observed
  information is numerical, see test_robust.py); held to 1e-8 relative (p-values 1e-7);
* as fitted (our estimates, ~1e-6 from lavaan's): est 1.7e-6, se 1.0e-6 (ML) and
  4.6e-7 (MLR), CI bounds 3.1e-6, p-values 2.5e-5 relative at most; held to 1e-5
  relative (p-values 1e-4).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from support import at_lavaan_estimates, load_csv, load_json

from cxsurvey.stats.cb import moments
from cxsurvey.stats.cb.delta import (
    DEFINED_COLUMNS,
    defined_effects,
    definitions_from_syntax,
    ml_vcov,
)
from cxsurvey.stats.cb.ml_fit import CbFit, fit_cb
from cxsurvey.stats.cb.robust import robust_fit

_COLS = (("est", "est"), ("se", "se"), ("z", "z"), ("pvalue", "pvalue"),
         ("ci_lower", "ci.lower"), ("ci_upper", "ci.upper"))


@cache
def _pd() -> tuple[CbFit, pd.DataFrame]:
    syntax = load_json("robust_reference.json")["pd_ML"]["model_syntax"]
    data = load_csv("political_democracy.csv")
    return fit_cb(data, syntax), data


def _syntax() -> str:
    return str(load_json("robust_reference.json")["pd_ML"]["model_syntax"])




def _rel_diffs(out: pd.DataFrame, section: dict) -> dict[str, float]:
    refs = [r for r in section["parameters"] if r["op"] == ":="]
    assert list(out["lhs"]) == [r["lhs"] for r in refs]
    assert list(out["rhs"]) == [r["rhs"] for r in refs]
    worst: dict[str, float] = {}
    for (_, row), ref in zip(out.iterrows(), refs, strict=True):
        for mine, theirs in _COLS:
            rel = abs(float(row[mine]) - float(ref[theirs])) / abs(float(ref[theirs]))
            worst[mine] = max(worst.get(mine, 0.0), rel)
    return worst


def _check(worst: dict[str, float], rel: float, p_rel: float) -> None:
    for name, value in worst.items():
        assert value < (p_rel if name == "pvalue" else rel), (name, worst)


@pytest.mark.parametrize("case", ["pd_ML", "pd_MLR"])
def test_defined_effects_at_lavaan_estimates(case: str) -> None:
    section = load_json("robust_reference.json")[case]
    fit, data = _pd()
    at = at_lavaan_estimates(fit, section["parameters"])
    vcov = ml_vcov(at) if case == "pd_ML" else robust_fit(at, data, "MLR").vcov
    out = defined_effects(at, vcov, _syntax())
    _check(_rel_diffs(out, section), 1e-8, 1e-7)


def test_defined_effects_with_lavaan_vcov() -> None:
    section = load_json("robust_reference.json")["pd_MLR"]
    fit, _ = _pd()
    at = at_lavaan_estimates(fit, section["parameters"])
    model = moments.ram_model(at.params, at.observed)
    name_of: dict[str, int] = {}
    for k, rows in enumerate(model.rows):
        for r in rows:
            a, o, b, label = at.params.loc[r, ["lhs", "op", "rhs", "label"]]
            for name in (f"{a}{o}{b}", f"{b}{o}{a}", label):
                name_of.setdefault(str(name), k)
    ref = np.asarray(section["vcov"]["matrix"], dtype=float)
    idx = [name_of[n] for n in section["vcov"]["names"]]
    vcov = np.empty_like(ref)
    vcov[np.ix_(idx, idx)] = ref
    out = defined_effects(at, vcov, _syntax())
    _check(_rel_diffs(out, section), 1e-12, 1e-10)


@pytest.mark.parametrize("case", ["pd_ML", "pd_MLR"])
def test_defined_effects_as_fitted(case: str) -> None:
    section = load_json("robust_reference.json")[case]
    fit, data = _pd()
    vcov = None if case == "pd_ML" else robust_fit(fit, data, "MLR").vcov
    out = defined_effects(fit, vcov, _syntax())
    assert list(out.columns) == DEFINED_COLUMNS
    _check(_rel_diffs(out, section), 1e-5, 1e-4)


def test_gradient_is_exact_and_definitions_chain() -> None:
    fit, _ = _pd()
    v = ml_vcov(fit)
    model = moments.ram_model(fit.params, fit.observed)
    k = {name: i for i, name in enumerate(model.free_names)}
    a, b, c = (model.theta[k[x]] for x in "abc")
    # est and se of a*b by hand (Sobel 1982): g = (b, a)
    g = np.zeros(model.npar)
    g[k["a"]], g[k["b"]] = b, a
    out = defined_effects(fit, v, {"ab": "a*b", "ratio": "ab / (c + ab)",
                                   "sq": "(a - 2)^2", "neg": "-a ** 2 + 1.5"})
    row = out.set_index("lhs")
    assert row.at["ab", "est"] == pytest.approx(a * b, rel=1e-14)
    assert row.at["ab", "se"] == pytest.approx(float(np.sqrt(g @ v @ g)), rel=1e-12)
    assert row.at["ratio", "est"] == pytest.approx(a * b / (c + a * b), rel=1e-14)
    # central differences of the ratio against the dual-number gradient
    def ratio(t: np.ndarray) -> float:
        return float(t[k["a"]] * t[k["b"]] / (t[k["c"]] + t[k["a"]] * t[k["b"]]))
    num = np.zeros(model.npar)
    for name in "abc":
        e = np.zeros(model.npar)
        e[k[name]] = 1e-6
        num[k[name]] = (ratio(model.theta + e) - ratio(model.theta - e)) / 2e-6
    assert row.at["ratio", "se"] == pytest.approx(float(np.sqrt(num @ v @ num)), rel=1e-7)
    assert row.at["sq", "est"] == pytest.approx((a - 2) ** 2)
    assert row.at["neg", "est"] == pytest.approx(1.5 - a * a)
    assert list(row["rhs"]) == ["a*b", "ab/(c+ab)", "(a-2)^2", "-a**2+1.5"]
    # z, p-value and CI are the Wald quantities
    assert row.at["ab", "z"] == pytest.approx(row.at["ab", "est"] / row.at["ab", "se"])
    assert row.at["ab", "ci_upper"] - row.at["ab", "est"] == pytest.approx(
        1.959963984540054 * row.at["ab", "se"])


def test_definitions_from_syntax_and_errors() -> None:
    fit, _ = _pd()
    assert definitions_from_syntax(_syntax()) == [("indirect", "a*b"),
                                                  ("total", "c + a*b")]
    assert defined_effects(fit).empty
    with pytest.raises(ValueError, match="not a parameter label"):
        defined_effects(fit, None, {"x": "a*zz"})
    with pytest.raises(ValueError, match="uses something other"):
        defined_effects(fit, None, {"x": "__import__('os')"})
    with pytest.raises(ValueError, match="uses something other"):
        defined_effects(fit, None, {"x": "a.real"})
    with pytest.raises(ValueError, match="exponents"):
        defined_effects(fit, None, {"x": "a^b"})
    with pytest.raises(ValueError, match="cannot read"):
        defined_effects(fit, None, {"x": "a*"})
    with pytest.raises(ValueError, match="shape"):
        defined_effects(fit, np.eye(2), {"x": "a"})
