"""Indirect, total and defined effects of the CB structural model with delta-method SEs
(``cxsurvey.stats.cb.paths.effects_table`` / ``run_cb_paths``).

lavaan reference: ``pd_ML`` and ``pd_MLR`` in tests/data/robust_reference.json (lavaan
0.6-14, PoliticalDemocracy SEM with ``dem60 ~ a*ind60``, ``dem65 ~ c*ind60 + b*dem60``,
``indirect := a*b`` and ``total := c + a*b``). The path-traced indirect effect
ind60 -> dem60 -> dem65 is lavaan's ``indirect`` and the total effect ind60 => dem65 its
``total``. Measured agreement:

* at lavaan's estimates (ML: our expected-information covariance; MLR: our robust one):
  max relative difference est 6e-15, se/z/CI 1.9e-9, p-value 4e-8 (MLR; ML 1.3e-14
  and 1.8e-12); held to 1e-8 (p-values 1e-7);
* as fitted by ``run_cb_paths`` (our optimum is ~1e-6 from lavaan's): est 1.7e-6,
  se 1.0e-6 (ML) / 4.6e-7 (MLR), p-values 2.5e-5 relative, std_all 2.9e-7 absolute;
  held to 1e-5 relative (p-values 1e-4), std_all to 1e-5 absolute.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from support import DATA, at_lavaan_estimates, load_csv, load_json

from cxsurvey.model import load_model
from cxsurvey.model.syntax import parse_syntax
from cxsurvey.stats.cb import moments
from cxsurvey.stats.cb.delta import defined_effects, definitions_from_syntax, ml_vcov
from cxsurvey.stats.cb.estimator import with_estimator
from cxsurvey.stats.cb.ml_fit import CbFit, fit_cb
from cxsurvey.stats.cb.paths import EFFECT_COLUMNS, effects_table, paths_table, run_cb_paths
from cxsurvey.stats.cb.robust import robust_fit

_COLS = (("est", "est"), ("se", "se"), ("z", "z"), ("pvalue", "pvalue"),
         ("ci_lower", "ci.lower"), ("ci_upper", "ci.upper"))
_TRACED = {"ind60 -> dem60 -> dem65": "indirect", "ind60 => dem65": "total"}


def _section(case: str) -> dict:
    return load_json("robust_reference.json")[case]


@cache
def _pd() -> CbFit:
    return fit_cb(load_csv("political_democracy.csv"), _section("pd_ML")["model_syntax"])


def _refs(case: str) -> dict[str, dict]:
    return {r["lhs"]: r for r in _section(case)["parameters"] if r["op"] == ":="}


def _worst(eff: pd.DataFrame, case: str) -> dict[str, float]:
    """Max relative difference per statistic over the traced and the defined rows."""
    refs = _refs(case)
    keys = [_TRACED.get(p) if k != "defined" else lab
            for k, p, lab in eff[["kind", "path", "label"]].itertuples(index=False)]
    assert sorted(k for k in keys if k) == sorted(2 * list(refs))
    worst: dict[str, float] = {}
    for key, (_, row) in zip(keys, eff.iterrows(), strict=True):
        for mine, theirs in _COLS:
            ref = float(refs[key][theirs])
            worst[mine] = max(worst.get(mine, 0.0), abs(float(row[mine]) - ref) / abs(ref))
    return worst


def _check(worst: dict[str, float], rel: float, p_rel: float) -> None:
    for name, value in worst.items():
        assert value < (p_rel if name == "pvalue" else rel), (name, worst)


@pytest.mark.parametrize("case", ["pd_ML", "pd_MLR"])
def test_effects_at_lavaan_estimates(case: str) -> None:
    section = _section(case)
    at = at_lavaan_estimates(_pd(), section["parameters"])
    vcov = (ml_vcov(at) if case == "pd_ML"
            else robust_fit(at, load_csv("political_democracy.csv"), "MLR").vcov)
    eff = effects_table(at, paths_table(at), definitions_from_syntax(section["model_syntax"]),
                        vcov)
    assert list(eff.columns) == EFFECT_COLUMNS
    assert list(eff["kind"]) == ["indirect", "total", "defined", "defined"]
    assert (eff["se_method"] == "delta").all()
    _check(_worst(eff, case), 1e-8, 1e-7)


@pytest.mark.parametrize("case", ["pd_ML", "pd_MLR"])
def test_run_cb_paths_effects_as_fitted(case: str) -> None:
    section = _section(case)
    spec = parse_syntax(section["model_syntax"])
    result, fit = run_cb_paths(load_csv("political_democracy.csv"), dict(spec.constructs),
                               spec, estimator=case[3:])
    assert fit is not None
    eff = result.effects
    assert list(eff.columns) == EFFECT_COLUMNS
    defined = eff[eff["kind"] == "defined"]
    assert list(defined["label"]) == ["indirect", "total"]
    assert list(defined["path"]) == ["a*b", "c + a*b"]
    assert defined["from"].isna().all() and defined["to"].isna().all()
    _check(_worst(eff, case), 1e-5, 1e-4)
    refs = _refs(case)
    for key, (_, row) in zip(["indirect", "total", "indirect", "total"], eff.iterrows(),
                             strict=True):
        assert row["std_all"] == pytest.approx(refs[key]["std.all"], abs=1e-5)


def test_effects_without_labels_match_the_labelled_model() -> None:
    data = load_csv("political_democracy.csv")
    plain = load_model(DATA / "pd_sem_model.txt").model
    labelled = parse_syntax(_section("pd_ML")["model_syntax"])
    for est in ("ML", "MLR"):
        a, _ = run_cb_paths(data, dict(plain.constructs), plain, estimator=est)
        b, _ = run_cb_paths(data, dict(labelled.constructs), labelled, estimator=est)
        assert list(a.effects["kind"]) == ["indirect", "total"]
        traced = b.effects[b.effects["kind"] != "defined"].reset_index(drop=True)
        cols = ["est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]
        np.testing.assert_allclose(a.effects[cols].to_numpy(float),
                                   traced[cols].to_numpy(float), rtol=1e-6)


def test_delta_se_of_a_product_and_a_sum_by_hand() -> None:
    fit = _pd()
    model = moments.ram_model(fit.params, fit.observed)
    v = ml_vcov(fit)
    k = {name: i for i, name in enumerate(model.free_names)}
    a, b, c = (float(model.theta[k[x]]) for x in "abc")
    va, vb, vc = v[k["a"], k["a"]], v[k["b"], k["b"]], v[k["c"], k["c"]]
    cab, cac, cbc = v[k["a"], k["b"]], v[k["a"], k["c"]], v[k["b"], k["c"]]
    se_ab = np.sqrt(b * b * va + a * a * vb + 2 * a * b * cab)
    # total = c + a b: gradient (b, a, 1) in (a, b, c)
    se_tot = np.sqrt(b * b * va + a * a * vb + vc + 2 * a * b * cab + 2 * b * cac
                     + 2 * a * cbc)
    eff = effects_table(fit, paths_table(fit)).set_index("path")
    assert eff.at["ind60 -> dem60 -> dem65", "est"] == pytest.approx(a * b, rel=1e-14)
    assert eff.at["ind60 -> dem60 -> dem65", "se"] == pytest.approx(se_ab, rel=1e-12)
    assert eff.at["ind60 => dem65", "est"] == pytest.approx(c + a * b, rel=1e-14)
    assert eff.at["ind60 => dem65", "se"] == pytest.approx(se_tot, rel=1e-12)
    # rows named by their regression give the same as the labels
    rows = defined_effects(fit, v, {"ab": "(dem60 ~ ind60) * (dem65~dem60)",
                                    "lab": "a*b", "cov": "y1 ~~ y5", "voc": "y5~~y1",
                                    "fixed": "ind60 =~ x1"}).set_index("lhs")
    assert rows.at["ab", "se"] == pytest.approx(rows.at["lab", "se"], rel=1e-15)
    assert rows.at["cov", "est"] == rows.at["voc", "est"]
    assert rows.at["cov", "se"] == pytest.approx(np.sqrt(v[k["y1 ~~ y5"], k["y1 ~~ y5"]]))
    assert rows.at["fixed", "est"] == 1.0 and rows.at["fixed", "se"] == 0.0
    with pytest.raises(ValueError, match="not a parameter of the model"):
        defined_effects(fit, v, {"x": "dem65 ~ x1"})


def test_the_estimator_sets_the_covariance_matrix_effects_use() -> None:
    data = load_csv("political_democracy.csv")
    fit = _pd()
    assert fit.vcov is None
    assert with_estimator(fit, data, "ML").vcov is None
    mlr = with_estimator(fit, data, "MLR")
    assert mlr.vcov is not None
    np.testing.assert_array_equal(mlr.vcov, robust_fit(fit, data, "MLR").vcov)
    default = effects_table(mlr, paths_table(mlr))
    explicit = effects_table(mlr, paths_table(mlr), vcov=robust_fit(fit, data, "MLR").vcov)
    pd.testing.assert_frame_equal(default, explicit)
    ml = effects_table(fit, paths_table(fit))
    assert not np.allclose(default["se"], ml["se"])


def test_a_model_without_chains_has_no_effect_rows() -> None:
    data = load_csv("political_democracy.csv")
    spec = parse_syntax("ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\n"
                        "dem60 ~ ind60\n")
    result, _ = run_cb_paths(data, dict(spec.constructs), spec)
    assert result.effects.empty and list(result.effects.columns) == EFFECT_COLUMNS


def test_bootstrap_replaces_the_delta_statistics() -> None:
    from cxsurvey.stats.cb.bootstrap import bootstrap_paths

    data = load_csv("political_democracy.csv")
    spec = parse_syntax(_section("pd_ML")["model_syntax"])
    result, fit = run_cb_paths(data, dict(spec.constructs), spec)
    boot = bootstrap_paths(data, dict(spec.constructs), spec, result, n_boot=20, seed=3,
                           jobs=1, start=fit)
    eff = boot.effects
    assert (eff["se_method"] == "bootstrap").all()
    assert list(eff["est"]) == list(result.effects["est"])
    assert not np.allclose(eff["se"], result.effects["se"])
    np.testing.assert_allclose(eff["z"], eff["est"] / eff["se"])
    # the defined rows are a*b and c + a*b: each resample gives them the traced values
    np.testing.assert_allclose(eff["se"].iloc[2:].to_numpy(), eff["se"].iloc[:2].to_numpy(),
                               rtol=1e-6)
    resid, before = boot.residual_covariances, result.residual_covariances
    assert resid is not None and before is not None and len(resid) == 6
    assert list(resid["est"]) == list(before["est"])
    assert not np.allclose(resid["se"], before["se"])
    np.testing.assert_allclose(resid["z"], resid["est"] / resid["se"])


def test_a_definition_the_fit_cannot_evaluate_is_a_warning() -> None:
    data = load_csv("political_democracy.csv")
    spec = parse_syntax(_section("pd_ML")["model_syntax"] + "bad := a*zz\n")
    result, _ = run_cb_paths(data, dict(spec.constructs), spec)
    assert list(result.effects["kind"]) == ["indirect", "total"]
    assert result.effects["se"].notna().all()
    assert any("'zz'" in w and ":=" in w for w in result.warnings)


def test_without_a_covariance_matrix_the_effects_keep_their_estimates(monkeypatch) -> None:
    import cxsurvey.stats.cb.paths as cb_paths

    def singular(fit: CbFit) -> np.ndarray:
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(cb_paths, "fit_vcov", singular)
    spec = load_model(DATA / "pd_sem_model.txt").model
    result, _ = run_cb_paths(load_csv("political_democracy.csv"), dict(spec.constructs),
                             spec)
    eff = result.effects
    assert list(eff.columns) == EFFECT_COLUMNS and len(eff) == 2
    assert eff["est"].notna().all() and eff["se"].isna().all()
    assert any("effects without standard errors" in w for w in result.warnings)
