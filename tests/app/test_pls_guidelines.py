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
