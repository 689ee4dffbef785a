"""``--estimator wlsmv``: the CB models of ordinal items by lavaan's WLSMV, end to end.

Reference: ``tests/data/ordinal_reference.json`` key ``sample_wlsmv_cfa`` (lavaan 0.6-14,
``cfa(model, data, ordered = TRUE, estimator = "WLSMV")`` on the bundled sample survey's
33 items, 157 rows). Tolerances: loadings and their SEs 1e-4 absolute, the scaled
chi-square and scaled CFI 1e-5 relative.
"""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support import SAMPLES, cxsurvey_exe, load_csv, load_json

from cxsurvey.app.pipeline import _cb_missing, run, run_command
from cxsurvey.cli.params import ordered_items
from cxsurvey.errors import InputError
from cxsurvey.gates.fit import judged_fit
from cxsurvey.gates.rules import RULE_SETS
from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.options import Estimator, Method, Missing, Options, SeMethod
from cxsurvey.report.json_report import to_document
from cxsurvey.report.tables_models import cfa_tables, fit_table
from cxsurvey.results import Results
from cxsurvey.stats.cb.estimator import fit_model
from cxsurvey.stats.cb.wlsmv import fit_wlsmv

SAMPLE = SAMPLES / "cx_journey.xlsx"
MODEL = SAMPLES / "cx_journey.toml"


@cache
def _cfa_run() -> Results:
    return run_command("cfa", SAMPLE, MODEL, options=Options(estimator=Estimator.wlsmv))


def _reference() -> dict:
    ref: dict = load_json("ordinal_reference.json")["sample_wlsmv_cfa"]
    return ref


def test_cfa_matches_lavaans_wlsmv_on_the_sample() -> None:
    res = _cfa_run()
    assert res.cfa is not None and res.cfa.estimator == "WLSMV"
    ref = pd.DataFrame(_reference()["parameters"])
    ref = ref[ref["op"] == "=~"].rename(columns={"lhs": "construct", "rhs": "item"})
    m = res.cfa.loadings.merge(ref, on=["construct", "item"], suffixes=("", "_lav"))
    assert len(m) == 33
    np.testing.assert_allclose(m["est"], m["est_lav"].astype(float), rtol=0, atol=1e-4)
    free = m["se"].notna()
    assert free.sum() == 33 - 8  # the first loading of each factor is fixed
    np.testing.assert_allclose(m.loc[free, "se"], m.loc[free, "se_lav"].astype(float),
                               rtol=0, atol=1e-4)
    fm = _reference()["fit_measures"]
    assert res.cfa.fit["chisq_scaled"] == pytest.approx(fm["chisq.scaled"], rel=1e-5)
    assert res.cfa.fit["cfi_scaled"] == pytest.approx(fm["cfi.scaled"], rel=1e-5)
    assert res.cfa.fit["n"] == 157


def test_omega_is_categorical_omega_as_semtools() -> None:
    """Under WLSMV the CFA's omega is semTools' compRelSEM(fit, ord.scale = TRUE): the
    reliability of the summed category scores (Green & Yang 2009)."""
    ref = _reference()["reliability"]["compRelSEM_ord_scale_true"]
    rel = _cfa_run().cfa.reliability.set_index("construct")["omega"]  # type: ignore[union-attr]
    for construct, value in ref.items():
        assert rel[construct] == pytest.approx(value, abs=1e-5), construct


def test_cfa_thresholds_are_lavaans() -> None:
    th = _cfa_run().cfa.thresholds  # type: ignore[union-attr]
    assert th is not None and list(th.columns) == ["item", "threshold", "est", "se"]
    ref = _reference()["sampstat"]["thresholds"]
    for item, values in ref.items():
        np.testing.assert_allclose(th.loc[th["item"] == item, "est"], values, atol=1e-8)
    assert list(th.loc[th["item"] == "Inf1", "threshold"]) == ["t1", "t2", "t3", "t4"]
    assert th["se"].notna().all()


def test_json_has_the_wlsmv_keys() -> None:
    doc = json.loads(json.dumps(to_document(_cfa_run()), allow_nan=False))
    assert doc["meta"]["estimator"] == "WLSMV"
    rows = doc["cfa"]["thresholds"]
    assert rows and set(rows[0]) == {"item", "threshold", "est", "se"}
    fit = doc["cfa"]["fit"]
    for key in ("chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor",
                "cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust", "tli_robust",
                "rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust"):
        assert isinstance(fit[key], (int, float)), key
    assert fit["aic"] is None and fit["bic"] is None  # no likelihood
    # modification indices are those of the ML likelihood: none under WLSMV
    assert "modification_indices" not in doc


def test_fit_is_judged_on_the_robust_indices_and_named() -> None:
    res = _cfa_run()
    fit = res.cfa.fit  # type: ignore[union-attr]
    j = judged_fit(fit, "cfi", "WLSMV")
    assert j.key == "cfi_robust" and j.label == "CFI (robust, WLSMV)"
    assert judged_fit({"cfi": 0.9, "cfi_scaled": 0.95}, "cfi", "wlsmv").key == "cfi_scaled"
    table = fit_table("cfa_fit", "CFA model fit", fit, Verdicts(RULE_SETS["default"]),
                      "WLSMV")
    assert table.title == "CFA model fit (WLSMV)"
    shown = list(table.frame["index"])
    assert {"Chi-square (scaled)", "Shift parameter", "CFI (robust)"} <= set(shown)
    assert any("scaled-shifted" in n and "polychoric" in n for n in table.notes)
    keys = [t.key for t in cfa_tables(res)]
    assert "cfa_thresholds" in keys and "cfa_modindices" not in keys
    th = next(t for t in cfa_tables(res) if t.key == "cfa_thresholds")
    assert list(th.frame.columns[:5]) == ["item", "t1", "t2", "t3", "t4"]
    assert any(s.startswith("CFA fit (WLSMV)") for s in res.summary)


def test_structural_effects_use_the_robust_covariance_matrix() -> None:
    sv = run_command("paths", SAMPLE, MODEL, method=Method.cb,
                     options=Options(estimator=Estimator.wlsmv))
    assert sv.paths and sv.paths[0].estimator == "WLSMV"
    eff = sv.paths[0].effects
    row = eff[(eff["kind"] == "indirect") & (eff["path"] == "Awareness -> Attention -> "
                                                            "Assessment")].iloc[0]
    sem = load_json("ordinal_reference.json")["sample_wlsmv_sem"]["model_syntax"]
    syntax = (sem.replace("Attention  ~ Awareness", "Attention  ~ a*Awareness")
              .replace("Assessment ~ Attention", "Assessment ~ b*Attention") + "ind := a*b\n")
    assert syntax.count("*") == 3
    ref = fit_wlsmv(load_csv("cx_journey_items.csv"), syntax).params
    ind = ref[ref["op"] == ":="].iloc[0]
    assert row["est"] == pytest.approx(ind["est"], abs=1e-6)
    assert row["se"] == pytest.approx(ind["se"], rel=1e-4)
    assert row["se_method"] == "delta"


def test_fit_model_keeps_a_ram_ready_parameter_table() -> None:
    data = load_csv("cx_journey_items.csv")
    fit = fit_model(data, "F =~ Inf1 + Inf2 + Inf3 + Inf4", "wlsmv")
    assert set(fit.params["op"]) == {"=~", "~~"}
    assert fit.thresholds is not None and len(fit.thresholds) == 16
    assert fit.vcov is not None and fit.vcov.shape == (4, 4)
    np.testing.assert_allclose(np.diag(fit.implied_cov.to_numpy()), 1.0)
    # indicator R^2 = 1 - residual variance of the latent response
    resvar = fit.params[(fit.params["op"] == "~~") & (fit.params["lhs"] == "Inf1")
                        & (fit.params["rhs"] == "Inf1")]["est"].iloc[0]
    r2 = fit.r2.set_index("variable")["r2"]
    assert r2["Inf1"] == pytest.approx(1 - resvar)


def test_paths_with_wlsmv_from_python() -> None:
    res = run(SAMPLE, MODEL, ["paths"], Options(estimator="WLSMV"))
    assert res.meta["estimator"] == "WLSMV"
    assert res.paths[0].fit.get("cfi_robust") is not None
    assert res.paths[0].modification_indices is None


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"missing": "fiml"}, "--missing fiml"),
    ({"se": "bootstrap", "bootstrap": 100}, "--se bootstrap"),
])
def test_options_refuse_what_wlsmv_cannot_do(kwargs: dict, words: str) -> None:
    with pytest.raises(InputError, match=words):
        Options(estimator="wlsmv", **kwargs)


def test_options_accept_wlsmv_in_any_case_and_map_pairwise() -> None:
    opts = Options(estimator="WLSMV", missing="pairwise")
    assert opts.estimator is Estimator.wlsmv and opts.estimator.lavaan == "WLSMV"
    assert opts.estimator.robust
    assert _cb_missing(opts) == "pairwise"
    assert _cb_missing(Options(missing=Missing.pairwise)) == "listwise"  # ML: unchanged
    # PLS alone never runs a CB model: nothing to refuse
    assert Options(estimator="wlsmv", missing="fiml", method="none").method is Method.none
    assert Options(estimator="wlsmv", se=SeMethod.bootstrap, method="pls").se \
        is SeMethod.bootstrap


def test_ordered_option_is_parsed_and_checked() -> None:
    assert ordered_items(None) == ()
    assert ordered_items("ALL") == ("all",)
    assert ordered_items(" Inf1, Inf2 ,") == ("Inf1", "Inf2")
    with pytest.raises(InputError, match="empty"):
        ordered_items(" , ")
    with pytest.raises(InputError, match="--ordered needs --estimator wlsmv"):
        Options(ordered=("all",))
    assert Options(estimator="wlsmv", ordered=("all",)).ordered == ("all",)
    assert "ordered" not in Options(estimator="wlsmv", ordered=("all",)).as_dict()


def test_an_ordered_name_that_is_not_a_model_item_is_refused() -> None:
    with pytest.raises(InputError, match="'Nope', not an item of the model"):
        run_command("cfa", SAMPLE, MODEL,
                    options=Options(estimator=Estimator.wlsmv, ordered=("Inf1", "Nope")))


def test_a_subset_of_ordered_items_makes_the_others_continuous() -> None:
    """``--ordered`` listing some items: the first item of each construct is continuous,
    as lavaan's ``cfa(..., ordered = <the others>, estimator = "WLSMV")``
    (tests/data/mixed_reference.json, key ``sample_mixed_cfa``): loadings and SEs 1e-4,
    the scaled chi-square 1e-5 relative; omega is undefined for the constructs that mix
    both kinds, as in semTools."""
    ref = load_json("mixed_reference.json")
    numeric = set(ref["meta"]["numeric_items"]["sample_mixed_cfa"])
    items = [i for i in _reference()["sampstat"]["thresholds"] if i not in numeric]
    res = run_command("cfa", SAMPLE, MODEL,
                      options=Options(estimator=Estimator.wlsmv, ordered=tuple(items)))
    assert res.cfa is not None
    lav = pd.DataFrame(ref["sample_mixed_cfa"]["parameters"])
    lav = lav[lav["op"] == "=~"].rename(columns={"lhs": "construct", "rhs": "item"})
    m = res.cfa.loadings.merge(lav, on=["construct", "item"], suffixes=("", "_lav"))
    assert len(m) == 33
    np.testing.assert_allclose(m["est"], m["est_lav"].astype(float), rtol=0, atol=1e-4)
    free = m["se"].notna()
    np.testing.assert_allclose(m.loc[free, "se"], m.loc[free, "se_lav"].astype(float),
                               rtol=0, atol=1e-4)
    assert res.cfa.fit["chisq_scaled"] == pytest.approx(
        ref["sample_mixed_cfa"]["fit_measures"]["chisq.scaled"], rel=1e-5)
    assert set(res.cfa.thresholds["item"]) == set(items)
    assert res.cfa.reliability["omega"].isna().all()
    assert any("omega is not computed for Awareness" in w for w in res.cfa.warnings)
    doc = to_document(res)
    assert doc["meta"]["ordered"] == items


def test_every_item_listed_as_ordered_is_the_same_run() -> None:
    items = list(_reference()["sampstat"]["thresholds"])
    res = run_command("cfa", SAMPLE, MODEL,
                      options=Options(estimator=Estimator.wlsmv, ordered=tuple(items)))
    assert res.cfa is not None
    assert res.cfa.fit["chisq_scaled"] == _cfa_run().cfa.fit["chisq_scaled"]  # type: ignore[union-attr]


@pytest.mark.slow
def test_cli_cfa_wlsmv_as_subprocess(tmp_path: Path) -> None:
    proc = subprocess.run([*cxsurvey_exe(), "cfa", str(SAMPLE), "--model", str(MODEL),
                           "--estimator", "WLSMV", "--ordered", "all", "--format", "json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["meta"]["estimator"] == "WLSMV"
    assert doc["cfa"]["fit"]["chisq_scaled"] == pytest.approx(
        _reference()["fit_measures"]["chisq.scaled"], rel=1e-5)
    assert len(doc["cfa"]["thresholds"]) == sum(
        len(v) for v in _reference()["sampstat"]["thresholds"].values())
    bad = subprocess.run([*cxsurvey_exe(), "cfa", str(SAMPLE), "--model", str(MODEL),
                          "--estimator", "wlsmv", "--missing", "fiml"],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_the_polychoric_steps_warnings_reach_the_run() -> None:
    """Zero cells in the bivariate tables (527 of the sample's 528 pairs) and empty
    categories are said."""
    said = [w for w in _cfa_run().warnings if "polychoric:" in w]
    assert any("527 of 528 pairs with empty cells" in w for w in said)
    # the declared 1-5 scale names the points nobody chose (lavaan drops those categories)
    for item in ("Att5", "Evalu1", "Evalu2"):
        assert any(f"{item}: no responses at scale point(s) 1" in w for w in said), item
