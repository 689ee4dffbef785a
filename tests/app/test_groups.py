"""``--group COLUMN``: segments, measurement invariance, group-wise paths and PLS MICOM/MGA
in a run, end to end on the bundled sample survey.

Reference: ``tests/data/group_sample_reference.json`` (``tests/data/r/
make_group_sample_reference.R``): lavaan 0.6-14 on the sample's 33 items by Channel (App
n = 73, Web n = 84): the configural, metric, scalar and strict CFA models (ML and MLR),
``lavTestLRT`` between them, and the structural paths with equal loadings and the
``lavTestWald`` of each path's equality.

Tolerances: chi-squares, CFI/TLI/RMSEA/SRMR 1e-6 relative (measured 5e-11 ML, robust
indices 1e-6); difference tests 1e-6 (the MLR scaled difference 1e-5); path estimates
1e-4 absolute and Wald statistics 1e-3 relative (measured 5e-5: lavaan's optimiser
stops earlier on the 540-parameter two-group SEM).
"""

from __future__ import annotations

import json
import subprocess
from functools import cache

import numpy as np
import pytest
from support import DATA, SAMPLES, cxsurvey_exe, load_csv, load_json

from cxsurvey.app.pipeline import run_command
from cxsurvey.errors import InputError
from cxsurvey.gates.evaluate import evaluate
from cxsurvey.gates.resolve import apply_table
from cxsurvey.gates.rules import RULE_SETS
from cxsurvey.options import Estimator, Method, Options
from cxsurvey.report.json_report import render_json
from cxsurvey.results import Results

SAMPLE = SAMPLES / "cx_journey.xlsx"
MODEL = SAMPLES / "cx_journey.toml"
STEPS = ("configural", "metric", "scalar", "strict")


@cache
def _run(estimator: str = "ml") -> Results:
    return run_command("paths", SAMPLE, MODEL, method=Method.cb,
                       options=Options(group="Channel", estimator=estimator))


def _ref(key: str) -> dict:
    out: dict = load_json("group_sample_reference.json")[key]
    return out


@pytest.mark.parametrize(("estimator", "key"), [("ml", "invariance_ml"),
                                                ("mlr", "invariance_mlr")])
def test_invariance_of_the_sample_by_channel_matches_lavaan(estimator: str, key: str) -> None:
    inv = _run(estimator).invariance
    assert inv is not None and inv.groups == ("App", "Web") and inv.nobs == (73, 84)
    ref = _ref(key)
    table = inv.table.set_index("step")
    names = ["chisq", "df", "cfi", "tli", "rmsea", "srmr", "aic", "bic"]
    if estimator == "mlr":
        names += ["chisq_scaled", "chisq_scaling_factor", "cfi_robust", "tli_robust",
                  "rmsea_robust"]
    for step in STEPS:
        for name in names:
            assert table.loc[step, name] == pytest.approx(
                ref["fit"][step][name.replace("_", ".")], rel=1e-6), (step, name)
    comp = inv.comparisons.set_index("step")
    lrt = ref["lrt"]
    for k, step in enumerate(STEPS[1:], start=1):
        assert comp.loc[step, "df_diff"] == lrt["df_diff"][k]
        assert comp.loc[step, "chisq_diff"] == pytest.approx(lrt["chisq_diff"][k], rel=1e-5)
        assert comp.loc[step, "pvalue"] == pytest.approx(lrt["pvalue"][k], rel=1e-5)


def test_group_paths_match_lavaans_wald_tests() -> None:
    gp = _run().group_paths
    assert gp is not None and gp.fit_equal == ("loadings",)
    tests = gp.tests.set_index(["lhs", "rhs"])
    est = gp.estimates.set_index(["lhs", "rhs", "group"])
    for row in _ref("group_paths")["paths"]:
        t = tests.loc[(row["lhs"], row["rhs"])]
        assert t["stat"] == pytest.approx(row["stat"], rel=1e-3)
        assert t["pvalue"] == pytest.approx(row["pvalue"], rel=1e-3, abs=1e-6)
        for g, value in zip(("App", "Web"), row["est"], strict=True):
            assert est.loc[(row["lhs"], row["rhs"], g), "est"] == pytest.approx(value,
                                                                              abs=1e-4)


def test_the_json_has_the_contracts_keys_and_the_verdict() -> None:
    doc = json.loads(render_json(_run()))
    inv = doc["invariance"]
    assert inv["group"] == "Channel" and inv["groups"] == ["App", "Web"]
    assert [lv["model"] for lv in inv["levels"]] == list(STEPS)
    assert {"chisq", "df", "cfi", "tli", "rmsea", "srmr", "held"} <= set(inv["levels"][0])
    assert [(t["from"], t["to"]) for t in inv["tests"]] == list(zip(STEPS, STEPS[1:],
                                                                   strict=False))
    assert {"chisq_diff", "df_diff", "pvalue", "delta_cfi", "delta_rmsea"} <= set(
        inv["tests"][0])
    # the configural model misses Hu & Bentler's cut-offs on the sample (CFI .865)
    assert inv["reached"] == "none" and inv["levels"][0]["held"] is False
    assert inv["cutoffs"]["delta_cfi"] == {"value": -0.01, "direction": ">=",
                                           "citation": "Chen 2007"}
    assert doc["meta"]["group"] == {"column": "Channel", "min_group_size": 20}
    assert len(doc["group_paths"]["tests"]) == 7
    assert doc["segments"]["groups"] == [{"group": "App", "n": 73, "status": "compared"},
                                         {"group": "Web", "n": 84, "status": "compared"}]
    said = " ".join(doc["summary"])
    assert "the configural model misses the fit cut-offs" in said
    assert "No structural path differs significantly between App, Web" in said


def test_lenient_rules_let_the_sample_reach_strict_invariance() -> None:
    """With CFI >= .85 and RMSEA <= .08 the configural model holds, and every later step
    changes CFI by less than .010: strict invariance, and a min_invariance rule passes."""
    rules = apply_table(RULE_SETS["default"], {"min_cfi": 0.85, "max_rmsea": 0.08,
                                               "min_invariance": "scalar"}, "rules.toml")
    checks = evaluate(_run(), rules).checks
    level = checks[checks["name"] == "min_invariance"].iloc[0]
    assert level["value"] == 4.0 and bool(level["passed"])
    assert "strict across App, Web" in level["message"]
    deltas = checks[checks["name"].isin(["min_delta_cfi", "max_delta_rmsea"])]
    assert len(deltas) == 0  # only rules in the set are checked
    rules = apply_table(rules, {"min_delta_cfi": -0.001}, "rules.toml")
    checks = evaluate(_run(), rules).checks
    d = checks[checks["name"] == "min_delta_cfi"]
    assert list(d["construct"]) == ["metric invariance", "scalar invariance",
                                    "strict invariance"]
    assert list(d["passed"]) == [False, True, False]
    level = checks[checks["name"] == "min_invariance"].iloc[0]
    assert level["value"] == 1.0 and not bool(level["passed"])


def test_small_groups_are_left_out_and_said() -> None:
    res = run_command("cfa", SAMPLE, MODEL, options=Options(group="Gender"))
    assert res.segments is not None and res.invariance is not None
    status = dict(zip(res.segments.groups["group"], res.segments.groups["status"],
                      strict=True))
    assert status == {"Female": "compared", "Male": "compared", "Other": "too small"}
    assert res.invariance.groups == ("Female", "Male")
    assert any("fewer than 20 respondents are left out of the comparisons: Other n = 5" in s
               for s in res.summary)


@pytest.mark.parametrize(("column", "words"), [
    ("Region", "--group names 'Region', which is not a column of the survey"),
    ("Inf1", "is an item of the model"),
    ("Age", "'Age' has 44 distinct values"),
    ("RespondentID", "157 distinct values"),
])
def test_a_column_that_cannot_group_is_refused(column: str, words: str) -> None:
    with pytest.raises(InputError, match=words) as err:
        run_command("analyze", SAMPLE, MODEL, options=Options(group=column))
    assert err.value.location.file is not None


def test_a_group_column_is_matched_case_insensitively() -> None:
    res = run_command("describe", SAMPLE, MODEL, options=Options(group="channel"))
    assert res.segments is not None and res.segments.group == "Channel"
    assert res.invariance is None  # no CB model in describe


def test_wlsmv_runs_say_why_the_sample_has_no_invariance() -> None:
    """Six items of the sample leave a category empty in one channel, which lavaan
    refuses too: the run says which, and the rest of it stands."""
    res = run_command("paths", SAMPLE, MODEL, method=Method.cb,
                      options=Options(group="Channel", estimator=Estimator.wlsmv))
    assert res.invariance is None and res.segments is not None
    said = [w for w in res.warnings if "measurement invariance could not be computed" in w]
    assert said and "has no answer in category" in said[0] and "group" in said[0]
    assert any("with --estimator wlsmv they are not compared" in w for w in res.warnings)


def test_wlsmv_invariance_of_ordinal_items_in_a_run(tmp_path) -> None:
    """bfi by gender under WLSMV: Wu & Estabrook's (2016) steps, judged on the changes of
    the scaled indices (the robust ones are undefined under equality constraints)."""
    from cxsurvey.gates.invariance import judge_invariance
    from cxsurvey.stats.cb.invariance import measurement_invariance

    model = tmp_path / "bfi.toml"
    model.write_text('[data]\nscale = [1, 6]\n[model]\nsyntax = """\n'
                     'agree =~ A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3\n"""\n',
                     encoding="utf-8")
    res = run_command("cfa", DATA / "bfi.csv", model,
                      options=Options(group="gender", estimator=Estimator.wlsmv))
    inv = res.invariance
    assert inv is not None and inv.estimator == "WLSMV"
    assert list(inv.table["step"]) == ["configural", "thresholds", "metric", "scalar"]
    items = load_csv("bfi.csv")
    direct = measurement_invariance(
        items.assign(gender=items["gender"].map(lambda g: str(int(g)))),
        "agree =~ A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3\n", "gender",
        estimator="WLSMV", groups=["1", "2"])
    np.testing.assert_allclose(inv.table["chisq_scaled"], direct.table["chisq_scaled"],
                               rtol=1e-10)
    judged = judge_invariance(inv)
    steps = judged.steps.set_index("step")
    assert steps.loc["metric", "basis"] == "scaled"
    assert steps.loc["metric", "delta_cfi"] == pytest.approx(
        float(inv.comparisons.set_index("step").loc["metric", "delta_cfi_scaled"]))


def test_pls_runs_get_micom_and_mga() -> None:
    res = run_command("paths", SAMPLE, MODEL, method=Method.pls,
                      options=Options(group="Channel", bootstrap=200))
    assert res.mga is not None and res.mga.micom is not None
    assert res.mga.micom.groups == ("App", "Web")
    assert len(res.mga.mga) == 1 and len(res.mga.mga[0].paths) == 7
    doc = json.loads(render_json(res))
    assert set(doc["mga"]) == {"micom", "paths", "runs", "warnings"}
    assert doc["mga"]["paths"][0]["group_1"] == "App"
    assert np.isfinite(doc["mga"]["paths"][0]["p_perm"])


@pytest.mark.slow
def test_cli_group_option(tmp_path) -> None:
    proc = subprocess.run([*cxsurvey_exe(), "analyze", str(SAMPLE), "-m", str(MODEL),
                           "--group", "Channel", "--format", "json"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert {"segments", "invariance", "group_paths"} <= set(doc)
    bad = subprocess.run([*cxsurvey_exe(), "cfa", str(SAMPLE), "-m", str(MODEL),
                          "--group", "Region"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "Region" in bad.stderr
    gate = tmp_path / "rules.toml"
    gate.write_text('rules = "default"\nmin_invariance = "metric"\n', encoding="utf-8")
    chk = subprocess.run([*cxsurvey_exe(), "check", str(SAMPLE), "-m", str(MODEL),
                          "--group", "Channel", "--rules", str(gate), "--format", "json"],
                         capture_output=True, text=True, timeout=600)
    assert chk.returncode == 1, chk.stderr
    failed = [c for c in json.loads(chk.stdout)["checks"] if c["name"] == "min_invariance"]
    assert failed and failed[0]["passed"] is False
