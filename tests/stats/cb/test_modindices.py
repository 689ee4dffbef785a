"""Modification indices (``cxsurvey.stats.cb.modindices``) against lavaan's modindices().

Reference: ``hs_modindices`` in tests/data/robust_reference.json (lavaan 0.6-14,
``modindices(cfa(HS model, estimator = "ML"))`` sorted by mi decreasing; 54 rows).

Measured agreement (see the tests for the tolerances held):

* at lavaan's estimates (``hs_ML`` parameters substituted), which isolates the formulas
  from the optimiser: max relative difference mi 5.1e-13, epc 2.5e-13, sepc.all
  2.6e-13; held to 1e-10 relative;
* as fitted (our ML estimates, ~1e-6 from lavaan's): max absolute difference mi 5.9e-5
  (on mi = 36.4, i.e. 1.6e-6 relative), epc 1.1e-6, sepc.all 2.4e-6; the largest
  relative differences (7.8e-5 mi, 3.9e-5 epc and sepc.all) are on indices below
  0.01, where they are below 1e-6 absolute. Held: every value within 1e-4 relative
  or 1e-6 absolute.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from support import at_lavaan_estimates, load_csv, load_json

from cxsurvey.stats.cb.ml_fit import CbFit, fit_cb
from cxsurvey.stats.cb.modindices import (
    MI_COLUMNS,
    candidate_parameters,
    extended_model,
    modification_indices,
)

_STATS = (("mi", "mi"), ("epc", "epc"), ("sepc_all", "sepc.all"))


@cache
def _hs() -> tuple[dict, CbFit, pd.DataFrame]:
    ref = load_json("robust_reference.json")["hs_modindices"]
    data = load_csv("holzinger_swineford_1939.csv")
    return ref, fit_cb(data, ref["model_syntax"]), data


def _key(lhs: str, op: str, rhs: str) -> tuple[str, str, str]:
    return (min(lhs, rhs), op, max(lhs, rhs)) if op == "~~" else (lhs, op, rhs)


def _diffs(ours: pd.DataFrame, rows: list[dict]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per statistic: our value minus lavaan's, and lavaan's, row by row; asserts that
    both tables have the same rows."""
    mine = {_key(a, o, b): r for (a, o, b), r in zip(
        ours[["lhs", "op", "rhs"]].itertuples(index=False, name=None),
        ours.to_dict("records"), strict=True)}
    theirs = {_key(r["lhs"], r["op"], r["rhs"]): r for r in rows}
    assert set(mine) == set(theirs)
    assert len(mine) == len(ours) == len(rows)
    return {name: (np.array([mine[k][name] - theirs[k][ref_name] for k in theirs]),
                   np.array([theirs[k][ref_name] for k in theirs]))
            for name, ref_name in _STATS}


def test_hs_modindices_as_fitted_match_lavaan() -> None:
    ref, fit, data = _hs()
    mi = modification_indices(fit, data)
    assert list(mi.columns) == MI_COLUMNS
    for name, (diff, theirs) in _diffs(mi, ref["rows"]).items():
        ok = (np.abs(diff) <= 1e-4 * np.abs(theirs)) | (np.abs(diff) <= 1e-6)
        assert ok.all(), (name, diff[~ok], theirs[~ok])
    # lavaan's order (largest mi first; no ties in this table)
    assert [_key(a, o, b) for a, o, b in mi[["lhs", "op", "rhs"]].itertuples(
        index=False, name=None)] == [_key(r["lhs"], r["op"], r["rhs"]) for r in ref["rows"]]
    assert mi["mi"].is_monotonic_decreasing




def test_hs_modindices_at_lavaan_estimates() -> None:
    """Our formulas at lavaan's estimates (hs_ML): measured max relative difference
    5e-13 (mi, epc, sepc.all); held to 1e-10 relative."""
    ref, fit, _ = _hs()
    section = load_json("robust_reference.json")["hs_ML"]
    assert section["model_syntax"].split() == ref["model_syntax"].split()
    mi = modification_indices(at_lavaan_estimates(fit, section["parameters"]))
    for name, (diff, theirs) in _diffs(mi, ref["rows"]).items():
        assert np.max(np.abs(diff / theirs)) < 1e-10, name


def test_candidate_set_hs() -> None:
    _, fit, _ = _hs()
    cands = candidate_parameters(fit.params, fit.observed, fit.latent)
    # 3 x 9 loadings, 45 observed (co)variances, 6 latent (co)variances, no regressions
    assert len(cands) == 27 + 45 + 6
    model, table, is_extra = extended_model(fit)
    assert model.npar == int(fit.params["free"].sum()) + 3 + 18 + 36
    assert is_extra.sum() == 3 + 18 + 36  # the 3 marker loadings, then the new ones
    assert table["extra"].sum() == is_extra.sum()


def test_modindices_sem_and_fixed_parameters() -> None:
    ref = load_json("political_democracy_sem_reference.json")
    data = load_csv("political_democracy.csv")
    fit = fit_cb(data, ref["model_syntax"])
    mi = modification_indices(fit, data)
    assert len(mi) > 0 and np.isfinite(mi[["mi", "epc"]].to_numpy()).all()
    assert (mi["mi"] >= 0).all()
    present = {_key(a, o, b) for a, o, b in fit.params[["lhs", "op", "rhs"]].itertuples(
        index=False, name=None)}
    free = {_key(a, o, b) for a, o, b, f in fit.params[["lhs", "op", "rhs", "free"]]
            .itertuples(index=False, name=None) if f}
    rows = {_key(a, o, b) for a, o, b in mi[["lhs", "op", "rhs"]].itertuples(
        index=False, name=None)}
    assert not rows & free
    # marker loadings are not identified when freed: no index, as in lavaan
    markers = {k for k in present - free if k[1] == "=~"}
    assert markers and not rows & markers
    # a fixed residual variance set free gets an index
    _, hs_fit, hs_data = _hs()
    fixed = fit_cb(hs_data, hs_fit_syntax() + "x1 ~~ 0.5*x1\n")
    out = modification_indices(fixed, hs_data)
    row = out[(out["lhs"] == "x1") & (out["op"] == "~~") & (out["rhs"] == "x1")]
    assert len(row) == 1 and row["mi"].iloc[0] > 0
    assert np.sign(row["sepc_all"].iloc[0]) == np.sign(row["epc"].iloc[0])


def hs_fit_syntax() -> str:
    return str(load_json("robust_reference.json")["hs_modindices"]["model_syntax"])


def test_epc_is_a_newton_step_and_mi_a_likelihood_gain() -> None:
    """Freeing the top candidate: the chi-square drops by about the MI, and the new
    estimate is near the EPC (score-test approximations, not identities)."""
    ref, fit, data = _hs()
    mi = modification_indices(fit, data)
    top = mi.iloc[0]
    assert (top["lhs"], top["op"], top["rhs"]) == ("visual", "=~", "x9")
    freed = fit_cb(data, hs_fit_syntax() + "visual =~ x9\n")
    drop = fit.fit["chisq"] - freed.fit["chisq"]
    assert drop == pytest.approx(top["mi"], rel=0.25)
    est = freed.params[(freed.params["lhs"] == "visual") & (freed.params["rhs"] == "x9")]
    assert float(est["est"].iloc[0]) == pytest.approx(top["epc"], rel=0.25)


def test_modindices_rejects_bad_input() -> None:
    _, fit, data = _hs()
    with pytest.raises(ValueError, match="complete rows"):
        modification_indices(fit, data.iloc[:-3])
    extra = load_json("cbsem_extra_reference.json")["pd_fixed_x"]
    pd_data = load_csv("political_democracy.csv")
    with pytest.raises(ValueError, match="fixed.x"):
        modification_indices(fit_cb(pd_data, extra["model_syntax"]), pd_data)


@cache
def _pd() -> tuple[dict, CbFit, pd.DataFrame]:
    ref = load_json("robust_reference.json")
    data = load_csv("political_democracy.csv")
    return ref, fit_cb(data, ref["pd_modindices"]["model_syntax"]), data


def test_pd_sem_modindices_match_lavaan() -> None:
    """PoliticalDemocracy SEM (labels, six residual covariances, := lines): every one of
    lavaan's 71 rows. As fitted, measured max absolute difference mi 1.3e-4 (on mi = 2.69,
    5e-5 relative), epc 2.6e-5, sepc.all 2.2e-5; the largest relative ones (1.1e-3 mi,
    5.3e-4 epc) are on dem60 =~ y8 (mi 0.0004, epc -0.012), below 1e-5 absolute. Held:
    1e-4 relative or 1e-5 absolute. At lavaan's estimates (pd_ML): max relative 2.4e-12,
    held to 1e-10, in lavaan's order."""
    ref, fit, data = _pd()
    rows = ref["pd_modindices"]["rows"]
    assert ref["pd_ML"]["model_syntax"] == ref["pd_modindices"]["model_syntax"]
    for name, (diff, theirs) in _diffs(modification_indices(fit, data), rows).items():
        ok = (np.abs(diff) <= 1e-4 * np.abs(theirs)) | (np.abs(diff) <= 1e-5)
        assert ok.all(), (name, diff[~ok], theirs[~ok])
    exact = modification_indices(at_lavaan_estimates(fit, ref["pd_ML"]["parameters"]))
    for name, (diff, theirs) in _diffs(exact, rows).items():
        assert np.max(np.abs(diff / theirs)) < 1e-10, name
    assert [_key(a, o, b) for a, o, b in exact[["lhs", "op", "rhs"]].itertuples(
        index=False, name=None)] == [_key(r["lhs"], r["op"], r["rhs"]) for r in rows]
    # the regressions among the structural variables that are not yet in the model
    # (dem60 ~ dem65, ind60 ~ dem60, ...) are not identified when freed: no index, as in
    # lavaan
    assert set(exact["op"]) == {"=~", "~~"}
