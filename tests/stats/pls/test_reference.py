"""PLS-SEM estimates and quality criteria against R seminr, ADANCO 2.2.1 and plspm.

References (copies of /work/shared/reference/pls, provenance in tests/data/pls/README.md):

- ``ecsi_mobi_seminr_reference.json``: R seminr 2.5.0.9000, full ECSI model on mobi,
  path weighting, SmartPLS defaults (the primary reference);
- ``mobi_extra_models_seminr_reference.json``: R seminr, Mode B Value (M1), mean
  replacement / na.omit (M10), corp_rep with -99 mean-replaced;
- ``satisfaction_adanco_reference.json``: ADANCO 2.2.1, satisfaction data, centroid
  scheme (Mode A weights, alpha, rho_A, HTMT; all-Mode-B composite model);
- ``satisfaction_standardized_plspm_python_crosscheck.json``: plspm-python 0.5.7 on
  z-scored data with tol 1e-10 (not independent of plspm; covers the factorial scheme).

Tolerance: 1e-6 for every statistic. Measured maximum deviations
(numpy 2.4, pandas 3.1): seminr 7.6e-15 (all statistics), ADANCO 4.3e-8 (Mode B weights;
ADANCO stops at its own 1e-6-scaled criterion), plspm cross-check 4.0e-9.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from support import DATA, load_csv, load_json

from cxsurvey.stats.pls.fit import PlsFit, fit_pls

TOL = 1e-6
PLS = DATA / "pls"


def _json(name: str) -> dict:
    return load_json("pls/" + name)


def _csv(name: str, index_col: int | None = None) -> pd.DataFrame:
    return load_csv("pls/" + name, index_col)


def _arrow(key: str) -> tuple[str, str]:
    a, b = key.split(" -> ")
    return a, b


def _assert_close(pairs: list[tuple[float, float]], what: str, tol: float = TOL) -> None:
    got = np.array([g for g, _ in pairs], dtype=float)
    want = np.array([w for _, w in pairs], dtype=float)
    assert len(pairs) > 0, what
    worst = float(np.max(np.abs(got - want)))
    assert worst <= tol, f"{what}: max |diff| = {worst:.3g} > {tol:g}"


def _measurement(table: pd.DataFrame, ref: dict) -> list[tuple[float, float]]:
    est = table.set_index(["construct", "item"])["est"]
    return [(est[(c, i)], v) for c, items in ref.items() for i, v in items.items()]


def _by_path(table: pd.DataFrame, ref: dict, column: str = "est") -> list[tuple[float, float]]:
    est = table.set_index(["from", "to"])[column]
    return [(est[_arrow(k)], v) for k, v in ref.items()]


def _pairs(table: pd.DataFrame, ref: dict, sep: str = " | ") -> list[tuple[float, float]]:
    values = {frozenset((a, b)) if a != b else (a,): v
              for a, b, v in table[["a", "b", "value"]].itertuples(index=False)}
    out = []
    for k, v in ref.items():
        a, b = k.split(sep)
        out.append((values[frozenset((a, b)) if a != b else (a,)], v))
    return out


# ---------------------------------------------------------------------------------------
# ECSI on mobi (R seminr)
# ---------------------------------------------------------------------------------------

@cache
def _ecsi() -> tuple[PlsFit, dict]:
    ref = _json("ecsi_mobi_seminr_reference.json")
    constructs = {c: tuple(v["indicators"]) for c, v in ref["model"]["constructs"].items()}
    paths = [_arrow(p) for p in ref["model"]["paths"]]
    return fit_pls(_csv("mobi.csv"), constructs, paths), ref


def test_ecsi_algorithm_settings_and_convergence():
    fit, ref = _ecsi()
    assert fit.scheme == "path" and fit.max_iter == 300 and fit.tol == 1e-7
    assert fit.converged
    assert fit.iterations == ref["model"]["iterations_used"] == 6
    assert fit.n == fit.n_rows == 250 and fit.n_replaced == 0 and fit.n_dropped == 0
    assert fit.modes == dict.fromkeys(fit.constructs, "A")


def test_ecsi_weights_loadings_paths():
    fit, ref = _ecsi()
    est = ref["estimates"]
    _assert_close(_measurement(fit.weights, est["outer_weights"]), "outer weights")
    _assert_close(_measurement(fit.loadings, est["outer_loadings"]), "outer loadings")
    _assert_close(_by_path(fit.paths, est["path_coefficients"]), "path coefficients")
    assert len(fit.paths) == 12
    assert list(fit.paths.columns) == ["from", "to", "est"]


def test_ecsi_r2_and_adjusted_r2():
    fit, ref = _ecsi()
    r2 = fit.r2.set_index("construct")
    est = ref["estimates"]
    _assert_close([(r2.loc[c, "r2"], v) for c, v in est["r_squared"].items()], "R^2")
    _assert_close([(r2.loc[c, "r2_adj"], v) for c, v in est["r_squared_adj"].items()],
                  "adjusted R^2")
    assert set(r2.index) == set(est["r_squared"])


def test_ecsi_total_and_indirect_effects():
    fit, ref = _ecsi()
    est = ref["estimates"]
    _assert_close(_by_path(fit.total_effects, est["total_effects"], "total"), "total effects")
    _assert_close(_by_path(fit.total_effects, est["total_indirect_effects"], "total_indirect"),
                  "total indirect effects")
    assert len(fit.total_effects) == len(est["total_effects"]) == 21
    # pairs without a chain of two arrows have no indirect effect
    indirect = fit.total_effects.set_index(["from", "to"])["total_indirect"]
    direct_only = set(indirect.index) - {_arrow(k) for k in est["total_indirect_effects"]}
    assert all(indirect[k] == 0.0 for k in direct_only)
    # the specific indirect effects add up to the total indirect effects
    spec = fit.specific_indirect_effects.groupby(["from", "to"])["est"].sum()
    _assert_close([(spec[_arrow(k)], v) for k, v in est["total_indirect_effects"].items()],
                  "sum of specific indirect effects")


def test_ecsi_f_squared_and_vifs():
    fit, ref = _ecsi()
    q = ref["quality"]
    _assert_close(_by_path(fit.f2, q["f_squared"], "f2"), "f^2")
    vif = fit.item_vif.set_index(["construct", "item"])["vif"]
    _assert_close([(vif[(c, i)], v) for c, items in q["item_vif"].items()
                   for i, v in items.items()], "item VIF")
    inner = fit.inner_vif.set_index(["to", "from"])["vif"]
    pairs = []
    for outcome, preds in q["antecedent_vif"].items():
        for pred, v in preds.items():
            if v is None:  # seminr: NA for a single predictor
                assert np.isnan(inner[(outcome, pred)])
            else:
                pairs.append((inner[(outcome, pred)], v))
    _assert_close(pairs, "inner (antecedent) VIF")


def test_ecsi_reliability():
    fit, ref = _ecsi()
    q = ref["quality"]
    rel = fit.reliability.set_index("construct")
    for column, key in [("alpha", "cronbach_alpha"), ("rho_a", "rho_A"),
                        ("rho_c", "rho_C_composite_reliability"), ("ave", "AVE")]:
        _assert_close([(rel.loc[c, column], v) for c, v in q[key].items()], column)
    assert rel.loc["Complaints", ["alpha", "rho_a", "rho_c", "ave"]].tolist() == [1, 1, 1, 1]
    assert rel.loc["Quality", "n_items"] == 7 and rel.loc["Quality", "mode"] == "A"


def test_ecsi_htmt_and_fornell_larcker():
    fit, ref = _ecsi()
    q = ref["quality"]
    _assert_close(_pairs(fit.htmt, q["htmt"]), "HTMT (|r|)")
    assert len(fit.htmt) == 21
    _assert_close(_pairs(fit.fornell_larcker,
                         q["fornell_larcker_diag_sqrtAVE_offdiag_construct_corr"]),
                  "Fornell-Larcker")
    assert len(fit.fornell_larcker) == 28


def test_ecsi_cross_loadings_and_scores():
    fit, ref = _ecsi()
    q, est = ref["quality"], ref["estimates"]
    _assert_close([(fit.cross_loadings.loc[i, c], v) for i, row in q["cross_loadings"].items()
                   for c, v in row.items()], "cross-loadings")
    _assert_close([(fit.scores.iloc[int(r) - 1][c], v)
                   for r, row in est["construct_scores_first5_rows"].items()
                   for c, v in row.items()], "construct scores (first 5 rows)")
    _assert_close([(fit.scores[c].abs().mean(), v)
                   for c, v in est["construct_scores_mean_abs"].items()], "mean |score|")
    np.testing.assert_allclose(fit.scores.std(ddof=1), 1.0, atol=1e-12)


# ---------------------------------------------------------------------------------------
# Extra seminr models: Mode B, missing data, corp_rep
# ---------------------------------------------------------------------------------------

def _extra(name: str, missing: str = "listwise") -> tuple[PlsFit, dict]:
    model = _json("mobi_extra_models_seminr_reference.json")["models"][name]
    data = _csv("mobi.csv").astype(float)
    for item, rows in model.get("induced_missing_cells_1based_rows", {}).items():
        for row in rows:
            data.loc[row - 1, item] = np.nan
    modes = {c: m[0] for c, m in model["modes"].items()}
    fit = fit_pls(data, {c: tuple(v) for c, v in model["blocks"].items()},
                  [_arrow(p) for p in model["paths"]], modes=modes, missing=missing)
    return fit, model


def _assert_outer_and_inner(fit: PlsFit, model: dict) -> None:
    _assert_close(_measurement(fit.weights, model["outer_weights"]), "outer weights")
    _assert_close(_measurement(fit.loadings, model["outer_loadings"]), "outer loadings")
    _assert_close(_by_path(fit.paths, model["path_coefficients"]), "path coefficients")
    r2 = fit.r2.set_index("construct")
    _assert_close([(r2.loc[c, "r2"], v) for c, v in model["r_squared"].items()], "R^2")
    _assert_close([(r2.loc[c, "r2_adj"], v) for c, v in model["r_squared_adj"].items()],
                  "adjusted R^2")
    assert fit.converged and fit.iterations == model["iterations"]


def test_m1_mode_b_value():
    fit, model = _extra("M1_basic_composite")
    assert fit.modes["Value"] == "B" and fit.modes["Image"] == "A"
    _assert_outer_and_inner(fit, model)
    rel = fit.reliability.set_index("construct")
    for column, key in [("alpha", "alpha"), ("rho_a", "rhoA"), ("rho_c", "rhoC"),
                        ("ave", "AVE")]:
        _assert_close([(rel.loc[c, column], v[key]) for c, v in model["reliability"].items()],
                      column)
    assert rel.loc["Value", "rho_a"] == 1.0  # seminr: rho_A of a Mode B construct is 1
    _assert_close(_pairs(fit.htmt, model["htmt"]), "HTMT")
    _assert_close(_by_path(fit.f2, model["f_squared"], "f2"), "f^2")


def test_m10_mean_replacement():
    fit, model = _extra("M10_missing_meanrepl", missing="mean")
    _assert_outer_and_inner(fit, model)
    assert fit.n == model["n_used"] == 250
    assert fit.n_replaced == 5 and fit.n_dropped == 0
    assert fit.replaced == {"IMAG1": 2, "CUEX2": 1, "PERV1": 2}
    assert any("replaced" in w for w in fit.warnings)


def test_m10_listwise_deletion():
    fit, model = _extra("M10_missing_naomit", missing="listwise")
    _assert_outer_and_inner(fit, model)
    assert fit.n == model["n_used"] == 246
    assert fit.n_dropped == 4 and fit.n_replaced == 0 and fit.n_rows == 250
    assert len(fit.scores) == 246 and 2 not in fit.scores.index  # row 3 (1-based) dropped


def test_corp_rep_minus_99_mean_replacement():
    ref = _json("mobi_extra_models_seminr_reference.json")["corp_rep_simple_model"]
    data = _csv("corp_rep_data.csv").replace(-99, np.nan)
    blocks = {c: tuple(v) for c, v in ref["blocks"].items()}
    fit = fit_pls(data, blocks, [_arrow(p) for p in ref["paths"]], missing="mean")
    _assert_close(_by_path(fit.paths, ref["path_coefficients"]), "corp_rep paths")
    items = [i for b in blocks.values() for i in b]
    assert fit.n_replaced == int(data[items].isna().sum().sum()) > 0
    assert fit.n == 344


# ---------------------------------------------------------------------------------------
# Satisfaction data, centroid scheme (ADANCO 2.2.1)
# ---------------------------------------------------------------------------------------

def _satisfaction(**kwargs) -> PlsFit:
    model = _json("satisfaction_adanco_reference.json")["model"]
    return fit_pls(_csv("satisfaction.csv", index_col=0),
                   {c: tuple(v) for c, v in model["blocks"].items()},
                   [_arrow(p) for p in model["paths"]], **kwargs)


def test_adanco_mode_a_weights_alpha_rho_a_htmt():
    # ADANCO and seminr both scale scores to unit sample variance, so the documented
    # weight scaling is the identity here (plspm's weights would need sqrt((n-1)/n)).
    ref = _json("satisfaction_adanco_reference.json")["common_factor_model_PLSc"]
    fit = _satisfaction(scheme="centroid")
    assert fit.converged
    _assert_close(_measurement(fit.weights, ref["outer_weights"]), "Mode A weights")
    rel = fit.reliability.set_index("construct")
    _assert_close([(rel.loc[c, "alpha"], v)
                   for c, v in ref["reliability"]["cronbach_alpha"].items()], "alpha")
    _assert_close([(rel.loc[c, "rho_a"], v) for c, v in ref["reliability"]["rho_A"].items()],
                  "rho_A")
    _assert_close(_pairs(fit.htmt, ref["htmt"]), "HTMT")


def test_adanco_composite_mode_b_model():
    ref = _json("satisfaction_adanco_reference.json")["composite_model_modeB"]
    blocks = _json("satisfaction_adanco_reference.json")["model"]["blocks"]
    fit = _satisfaction(scheme="centroid", modes=dict.fromkeys(blocks, "B"))
    assert fit.converged
    _assert_close(_measurement(fit.weights, ref["outer_weights"]), "Mode B weights")
    _assert_close(_measurement(fit.loadings, ref["outer_loadings"]), "Mode B loadings")
    _assert_close(_by_path(fit.paths, ref["path_coefficients"]), "paths")
    r2 = fit.r2.set_index("construct")
    _assert_close([(r2.loc[c, "r2"], v) for c, v in ref["r_squared"].items()], "R^2")
    _assert_close([(r2.loc[c, "r2_adj"], v) for c, v in ref["r_squared_adj"].items()],
                  "adjusted R^2")
    effects = ref["effects"]
    _assert_close(_by_path(fit.total_effects, {k: e["Total effect"]
                                               for k, e in effects.items()}, "total"),
                  "total effects")
    _assert_close(_by_path(fit.total_effects, {k: e["Indirect effects"]
                                               for k, e in effects.items()
                                               if "Indirect effects" in e},
                           "total_indirect"), "indirect effects")
    # ADANCO's f^2 keeps the construct scores (no re-estimation without the path)
    _assert_close(_by_path(fit.f2, {k: e["Cohen's f2"] for k, e in effects.items()
                                    if "Cohen's f2" in e}, "f2_scores"), "f^2 (scores)")
    corr = fit.construct_correlations
    _assert_close([(corr.loc[a, b], v) for a, row in ref["construct_correlations"].items()
                   for b, v in row.items()], "construct correlations", tol=TOL)


# ---------------------------------------------------------------------------------------
# Satisfaction data, three schemes (plspm-python cross-check, not independent)
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["path", "factorial", "centroid"])
def test_schemes_against_plspm_crosscheck(scheme):
    ref = _json("satisfaction_standardized_plspm_python_crosscheck.json")["results"]
    ref = ref[scheme.upper()]
    fit = _satisfaction(scheme=scheme)
    assert fit.converged and fit.scheme == scheme
    _assert_close(_measurement(fit.weights, ref["outer_weights_rescaled"]), "weights")
    _assert_close(_measurement(fit.loadings, ref["outer_loadings"]), "loadings")
    _assert_close(_by_path(fit.paths, ref["path_coefficients"]), "paths")
    r2 = fit.r2.set_index("construct")
    _assert_close([(r2.loc[c, "r2"], v) for c, v in ref["r_squared"].items()], "R^2")
    rel = fit.reliability.set_index("construct")
    for column, key in [("alpha", "cronbach_alpha"), ("rho_a", "rho_A"),
                        ("rho_c", "rho_C_composite_reliability"), ("ave", "AVE")]:
        _assert_close([(rel.loc[c, column], v) for c, v in ref[key].items()], column)
    _assert_close(_pairs(fit.htmt, ref["htmt"]), "HTMT")
