"""Residual covariances (``~~`` between two observed variables) of the CFA
(``CfaResult.residual_covariances``, ``cxsurvey.stats.cb.cfa.residual_covariances``).

lavaan reference: the six residual covariances (``y1 ~~ y5``, ``y2 ~~ y4 + y6``,
``y3 ~~ y7``, ``y4 ~~ y8``, ``y6 ~~ y8``) of ``pd_ML`` and ``pd_MLR`` in
tests/data/robust_reference.json (lavaan 0.6-14). That model is the PoliticalDemocracy
SEM; its structural part (three latent variables, three paths) is saturated, so the CFA
of the same measurement model with freely correlated factors is an equivalent model:
same chi-square, same residual covariances, SEs and standardised values.

Measured agreement as fitted by ``run_cfa`` (max absolute difference): est 1.0e-5
(7.4e-6 relative), se 1.2e-6 (ML) and 3.1e-6 (MLR), z 1.3e-5, std_all 1.4e-6, p-value
2.0e-6. The estimates cannot come closer: lavaan's own are ~7e-6 from the exact ML
optimum (a Newton step from lavaan's estimates moves them by 6.8e-6, from ours by
1.0e-6). Held to 1e-5 relative (est, se, z), std_all 1e-5 and p-value 1e-5 absolute.
At lavaan's estimates the SEs agree to 2.5e-15 (ML) and 4.4e-10 (MLR) relative; held
to 1e-8. The structural model's table (``PathsResult.residual_covariances``, lavaan's
very model): est 2.5e-6, se 4.2e-7 (ML) and 8.0e-7 (MLR), z 3.2e-6, std_all 4.3e-7;
held to the same tolerances.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pytest
from support import at_lavaan_estimates, load_csv, load_json

from cxsurvey.model.syntax import parse_syntax
from cxsurvey.stats.cb import moments
from cxsurvey.stats.cb.cfa import residual_covariances, run_cfa
from cxsurvey.stats.cb.delta import ml_vcov
from cxsurvey.stats.cb.ml_fit import fit_cb
from cxsurvey.stats.cb.results import RESIDUAL_COV_COLUMNS, CfaResult
from cxsurvey.stats.cb.robust import robust_fit

_PAIRS = [("y1", "y5"), ("y2", "y4"), ("y2", "y6"), ("y3", "y7"), ("y4", "y8"),
          ("y6", "y8")]


def _section(case: str) -> dict:
    return load_json("robust_reference.json")[case]


def _refs(case: str) -> dict[tuple[str, str], dict]:
    return {(r["lhs"], r["rhs"]): r for r in _section(case)["parameters"]
            if r["op"] == "~~" and (r["lhs"], r["rhs"]) in _PAIRS}


@cache
def _cfa(estimator: str) -> CfaResult:
    spec = parse_syntax(_section("pd_ML")["model_syntax"])
    return run_cfa(load_csv("political_democracy.csv"), dict(spec.constructs), spec,
                   estimator=estimator)


@pytest.mark.parametrize("case", ["pd_ML", "pd_MLR"])
def test_cfa_residual_covariances_match_lavaan(case: str) -> None:
    res = _cfa(case[3:])
    table = res.residual_covariances
    assert list(table.columns) == RESIDUAL_COV_COLUMNS
    assert list(zip(table["lhs"], table["rhs"], strict=True)) == _PAIRS
    refs = _refs(case)
    for row in table.itertuples(index=False):
        ref = refs[(row.lhs, row.rhs)]
        assert row.est == pytest.approx(ref["est"], rel=1e-5)
        assert row.se == pytest.approx(ref["se"], rel=1e-5)
        assert row.z == pytest.approx(ref["z"], rel=1e-5)
        assert row.pvalue == pytest.approx(ref["pvalue"], abs=1e-5)
        assert row.std_all == pytest.approx(ref["std.all"], abs=1e-5)
        assert row.ci_lower == pytest.approx(ref["ci.lower"], abs=2e-5)
        assert row.ci_upper == pytest.approx(ref["ci.upper"], abs=2e-5)


@pytest.mark.parametrize("case", ["pd_ML", "pd_MLR"])
def test_residual_covariance_se_at_lavaan_estimates(case: str) -> None:
    section = _section(case)
    data = load_csv("political_democracy.csv")
    at = at_lavaan_estimates(fit_cb(data, section["model_syntax"]), section["parameters"])
    if case == "pd_MLR":
        at = dataclasses.replace(at, params=robust_fit(at, data, "MLR").params)
        se = residual_covariances(at)["se"].to_numpy(float)
    else:
        model = moments.ram_model(at.params, at.observed)
        sd = np.sqrt(np.diag(ml_vcov(at)))
        k = {name: i for i, name in enumerate(model.free_names)}
        se = np.array([sd[k[f"{a} ~~ {b}"]] for a, b in _PAIRS])
    refs = _refs(case)
    table = residual_covariances(at)
    np.testing.assert_allclose(table["est"], [refs[p]["est"] for p in _PAIRS], rtol=1e-14)
    np.testing.assert_allclose(se, [refs[p]["se"] for p in _PAIRS], rtol=1e-8)


def test_a_cfa_without_correlated_residuals_has_an_empty_table() -> None:
    spec = parse_syntax("ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\n")
    res = run_cfa(load_csv("political_democracy.csv"), dict(spec.constructs), spec)
    assert res.residual_covariances.empty
    assert list(res.residual_covariances.columns) == RESIDUAL_COV_COLUMNS


@pytest.mark.parametrize("case", ["pd_ML", "pd_MLR"])
def test_structural_residual_covariances_match_lavaan(case: str) -> None:
    from cxsurvey.stats.cb.paths import run_cb_paths

    spec = parse_syntax(_section(case)["model_syntax"])
    result, _ = run_cb_paths(load_csv("political_democracy.csv"), dict(spec.constructs),
                             spec, estimator=case[3:])
    table = result.residual_covariances
    assert table is not None and list(table.columns) == RESIDUAL_COV_COLUMNS
    assert list(zip(table["lhs"], table["rhs"], strict=True)) == _PAIRS
    refs = _refs(case)
    for row in table.itertuples(index=False):
        ref = refs[(row.lhs, row.rhs)]
        assert row.est == pytest.approx(ref["est"], rel=1e-5)
        assert row.se == pytest.approx(ref["se"], rel=1e-5)
        assert row.z == pytest.approx(ref["z"], rel=1e-5)
        assert row.std_all == pytest.approx(ref["std.all"], abs=1e-5)
