"""The display tables and the IPMA chart of the PLS guideline analyses: PLSpredict with its
verdict and CVPAT, the PLS model fit, the importance-performance map and the PLSc marks.

The tables compute no statistic: their cells must be the numbers of
:class:`~cxsurvey.stats.pls.guidelines.PlsGuidelines` (tested against R/SmartPLS in
tests/stats/pls), their verdicts those of the gates. The verdict tests use counts whose
verdict is worked out by hand from Shmueli et al.'s (2019) rule, not by calling the gate.
"""

from __future__ import annotations

import dataclasses
import io
import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from openpyxl.chart import ScatterChart
from rich.console import Console
from support import SAMPLES

from cxsurvey.app.pipeline import run_command
from cxsurvey.gates import rules as gate_rules
from cxsurvey.gates.pls_guidelines import ipma_priorities
from cxsurvey.gates.predictive import predictive_power
from cxsurvey.gates.rules import RULE_SETS, Rule, RuleKey
from cxsurvey.gates.thresholds import Threshold
from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.options import Options
from cxsurvey.report.console import render_console
from cxsurvey.report.excel.workbook import build_workbook
from cxsurvey.report.html.ipma_chart import _labels, ipma_chart
from cxsurvey.report.html.page import render_html
from cxsurvey.report.ipma_chart import ipma_map, nice_range
from cxsurvey.report.pls_guideline_tables import (
    PLSC_MARKED,
    PLSC_NOTE,
    ipma_tables,
    model_fit_table,
    pls_guideline_tables,
    predict_tables,
)
from cxsurvey.report.tables import build_tables
from cxsurvey.stats.pls.predict import PredictionCounts


def _run(consistent: bool):
    return run_command("paths", SAMPLES / "cx_journey.xlsx", SAMPLES / "cx_journey.toml",
                       method="pls", options=Options(bootstrap=50, consistent=consistent))


@pytest.fixture(scope="module")
def pls():
    return _run(False)


@pytest.fixture(scope="module")
def plsc():
    return _run(True)


def _by_key(res):
    return {t.key: t for t in build_tables(res)}


# ------------------------------------------------------------------ PLSpredict


def test_predict_tables_show_the_run_and_the_gates_verdicts(pls):
    tables = _by_key(pls)
    guide = pls.pls.guidelines
    assert [r.technique for r in guide.predict] == ["direct", "earliest"]
    for run in guide.predict:
        items = tables[f"pls_predict_{run.technique}"]
        assert items.title == f"PLSpredict ({run.technique} antecedents)"
        for key in ("rmse_pls", "mae_pls", "rmse_lm", "mae_lm", "q2_predict"):
            np.testing.assert_allclose(items.frame[key], run.items[key], rtol=0, atol=0)
        # the metric compared is on the console; both are in the files
        console = {c.key for c in items.console_columns}
        other = "mae" if run.metric == "rmse" else "rmse"
        assert {f"{run.metric}_pls", f"{run.metric}_lm"} <= console
        assert not {f"{other}_pls", f"{other}_lm"} & console
        assert {"rmse_pls", "mae_pls", "rmse_lm", "mae_lm"} <= {
            c.key for c in items.file_columns}
        pls_err, lm_err = run.items[f"{run.metric}_pls"], run.items[f"{run.metric}_lm"]
        assert list(items.frame["pls_lower_text"]) == [
            "yes" if a < b else "no" for a, b in zip(pls_err, lm_err, strict=True)]
        expected = {(i, "q2_predict") for i, q in enumerate(run.items["q2_predict"]) if q <= 0}
        expected |= {(i, "pls_lower_text") for i, (a, b) in enumerate(
            zip(pls_err, lm_err, strict=True)) if a >= b}
        assert items.flags == expected
        verdict = tables[f"pls_predict_verdict_{run.technique}"].frame
        rows = verdict.set_index("construct")
        for con, counts in run.construct_counts.items():
            assert rows.loc[con, "power"] == predictive_power(counts)
            assert rows.loc[con, "n_pls_higher"] == counts.n_pls_higher
            assert rows.loc[con, "q2_predict"] == pytest.approx(
                float(run.constructs.set_index("construct").loc[con, "q2_predict"]))
        assert rows.loc["All endogenous indicators", "power"] == predictive_power(run.counts)
        cv = tables[f"pls_cvpat_{run.technique}"]
        np.testing.assert_allclose(cv.frame["pvalue"], run.cvpat["pvalue"])
        assert cv.flags == {(i, "pvalue") for i, p in enumerate(run.cvpat["pvalue"])
                            if p >= 0.05}
    # the earliest-antecedent run of the sample picks MAE (most errors skewed)
    early = guide.predict[1]
    note = " ".join(tables["pls_predict_earliest"].notes)
    assert early.metric == "mae" and "Metric: MAE, because" in note
    assert f"{early.n_skewed} of {len(early.items)}" in note
    assert "10 folds x 10 repetitions (seed 1)" in note


def _with_counts(run, counts: dict[str, PredictionCounts], metric: str, n_skewed: int):
    cons = pd.DataFrame({"construct": list(counts), "q2_predict": 0.1, "rmse": 1.0,
                         "mae": 0.8})
    return dataclasses.replace(run, construct_counts=counts, constructs=cons, metric=metric,
                               n_skewed=n_skewed)


def test_verdicts_follow_shmueli_et_al_by_hand(pls):
    run = pls.pls.guidelines.predict[0]
    c = PredictionCounts
    counts = {  # expected verdicts worked out from Shmueli et al. (2019, p. 2330)
        "AllWorse": (c("mae", 3, 0, 3, 3), "none"),
        "NoQ2": (c("mae", 3, 3, 0, 0), "none"),
        "Majority": (c("mae", 3, 1, 2, 3), "low"),
        "Half": (c("mae", 4, 2, 2, 4), "medium"),
        "Minority": (c("mae", 5, 4, 1, 5), "medium"),
        "NoneWorse": (c("mae", 3, 3, 0, 1), "high"),
    }
    fake = _with_counts(run, {k: v[0] for k, v in counts.items()}, "mae", len(run.items))
    tables = {t.key: t for t in predict_tables(fake, Verdicts())}
    verdict = tables["pls_predict_verdict_direct"]
    shown = dict(zip(verdict.frame["construct"], verdict.frame["power"], strict=True))
    assert {k: shown[k] for k in counts} == {k: v[1] for k, v in counts.items()}
    assert verdict.flags == {(0, "power"), (1, "power")}  # "none" only
    assert any("Shmueli et al. 2019" in n and "majority" in n for n in verdict.notes)
    assert any("Metric: MAE" in n for n in verdict.notes)
    low_skew = _with_counts(run, {"A": counts["Half"][0]}, "rmse", 2)
    note = " ".join(predict_tables(low_skew, Verdicts())[1].notes)
    assert f"Metric: RMSE (2 of {len(run.items)} indicators" in note
    # a single construct: no "all indicators" row
    assert "All endogenous indicators" not in set(
        predict_tables(low_skew, Verdicts())[1].frame["construct"])


# ------------------------------------------------------------------ model fit


def test_model_fit_table_in_smartpls_layout(pls):
    fit = pls.pls.guidelines.model_fit
    t = _by_key(pls)["pls_model_fit"]
    assert t.title == "Model fit (PLS)"
    assert list(zip(t.frame["model_label"], t.frame["measure"], strict=True)) == [
        (m, s) for m in ("Saturated", "Estimated") for s in ("SRMR", "d_ULS", "d_G")]
    for key in ("value", "boot_mean", "hi95", "hi99"):
        np.testing.assert_allclose(t.frame[key], fit.table[key])
    assert t.flags == frozenset()  # the default rules have no PLS fit rule
    notes = " ".join(t.notes)
    assert "Composite model (PLS)" in notes
    assert f"{fit.n_used['estimated']} of {fit.n_boot} usable for the estimated" in notes
    assert "Dijkstra & Henseler 2015" in notes and "Henseler et al. 2014" in notes
    assert "Not judged by the default rules" in notes


def test_exact_fit_readings_and_flags_only_from_a_pls_rule(pls, monkeypatch):
    fit = pls.pls.guidelines.model_fit
    table = pd.DataFrame({
        "model": ["saturated"] * 3 + ["estimated"] * 3,
        "measure": ["SRMR", "d_ULS", "d_G"] * 2,
        "value": [0.05, 2.0, 0.7, 0.09, 3.0, np.nan],
        "boot_mean": [0.04, 1.5, 0.6, 0.05, 2.0, 0.5],
        "hi95": [0.06, 1.9, 0.8, 0.07, 2.8, 0.9],
        "hi99": [0.07, 2.1, 0.9, 0.08, 3.2, 1.0]})
    fake = dataclasses.replace(fit, table=table)
    t = model_fit_table(fake, Verdicts())
    assert list(t.frame["exact_fit"]) == [
        "not rejected", "rejected at 5%, not at 1%", "not rejected", "rejected at 1%",
        "rejected at 5%, not at 1%", ""]
    # the CFA's SRMR rule (default set, <= .08) does not judge a PLS model
    assert t.flags == frozenset()
    key = RuleKey("max_pls_srmr", "srmr", "SRMR", "<=", "pls", "SRMR of a PLS model")
    monkeypatch.setitem(gate_rules.RULE_KEYS, key.key, key)
    ruled = dataclasses.replace(RULE_SETS["default"], rules=RULE_SETS["default"].rules + (
        Rule("max_pls_srmr", Threshold("SRMR", 0.06, "<=", "Henseler et al. 2014")),))
    t = model_fit_table(fake, Verdicts(ruled))
    assert t.flags == {(3, "value")}  # SRMR .09 > .06; .05 passes; d_ULS never judged
    assert "* = criterion not met: SRMR <= 0.06 (Henseler et al. 2014)." in t.notes


# ------------------------------------------------------------------ IPMA


def test_ipma_tables(pls):
    m = pls.pls.guidelines.ipma
    tables = _by_key(pls)
    t = tables["ipma"]
    assert t.title == f"Importance-performance map (target {m.target})"
    for key in ("importance", "performance", "total_effect"):
        np.testing.assert_allclose(t.frame[key], m.constructs[key])
    first = ipma_priorities(m.constructs)
    assert first  # the sample has priorities: Use and Result
    assert [c for c, p in zip(t.frame["construct"], t.frame["priority"], strict=True)
            if p == "yes"] == [c for c in m.constructs["construct"] if c in first]
    assert f"performance {m.target_performance:.1f} of 100" in t.notes[0]
    assert "Ringle & Sarstedt 2016" in t.notes[1]
    ind = tables["ipma_indicators"]
    np.testing.assert_allclose(ind.frame["importance"], m.indicators["importance"])
    assert len(ipma_tables(m, consistent=True)[0].notes) == 3


# ------------------------------------------------------------------ PLSc


def test_plsc_tables_are_marked(pls, plsc):
    assert plsc.pls.info["consistent"]
    tables = _by_key(plsc)
    for key in PLSC_MARKED:
        assert "(PLSc)" in tables[key].title
        assert tables[key].notes[0].startswith(f"Consistent PLS: {PLSC_NOTE}.")
    assert tables["paths_pls"].title == "Structural paths (PLSc)"
    assert tables["pls_reliability"].title == "Reliability and validity (PLSc)"
    assert "(PLSc)" not in tables["pls_htmt"].title  # HTMT stays PLS's
    assert "Common-factor model (PLSc)" in tables["pls_model_fit"].notes[0]
    assert any("not PLSc" in n for n in tables["ipma"].notes)
    plain = _by_key(pls)
    assert not any("PLSc" in t.title or any(PLSC_NOTE in n for n in t.notes)
                   for t in plain.values())


# ------------------------------------------------------------------ console


def test_console_key_tables_and_full(pls):
    def shown(full: bool) -> str:
        out = io.StringIO()
        render_console(pls, Console(file=out, width=160, color_system=None), overview=True,
                       full=full)
        return out.getvalue()

    short = shown(False)
    for title in ("PLSpredict verdict (direct antecedents)", "Model fit (PLS)",
                  "Importance-performance map (target Loyalty)"):
        assert f"\n{title}\n" in short
    for title in ("PLSpredict (direct antecedents)", "CVPAT (direct antecedents)",
                  "PLSpredict (earliest antecedents)", "IPMA indicators (Loyalty)"):
        assert f"\n{title}\n" not in short
        assert f"\n{title}\n" in shown(True)


def test_no_guideline_output_without_pls(results):
    assert pls_guideline_tables(results) == []
    assert ipma_map(results) is None
    assert 'id="ipma"' not in render_html(results)
    assert "IPMA" not in build_workbook(results).sheetnames


# ------------------------------------------------------------------ chart


def test_nice_range():
    assert nice_range(0.008, 0.4995) == (0.0, 0.5, 0.1)
    assert nice_range(0.01, 0.23) == (0.0, 0.25, 0.05)
    assert nice_range(-0.04, 0.3) == (-0.1, 0.3, 0.1)
    assert nice_range(0.0, 0.0) == (0.0, 0.2, 0.2)


def test_html_ipma_chart(pls):
    data = ipma_map(pls)
    m = pls.pls.guidelines.ipma
    assert data.mean_importance == pytest.approx(m.constructs["importance"].mean())
    assert data.mean_performance == pytest.approx(m.constructs["performance"].mean())
    page = render_html(pls)
    assert '<section id="ipma">' in page
    svg = page[page.index('<svg class="ipma-chart"'):]
    svg = svg[:svg.index("</svg>") + 6]
    root = ET.fromstring(svg)
    dots = {e.get("data-importance"): e for e in root.iter("circle")}
    assert len(dots) == len(m.constructs)
    xs, ys = [], []
    for r in m.constructs.itertuples():
        dot = dots[f"{r.importance:.4f}"]
        assert float(dot.get("data-performance")) == pytest.approx(r.performance, abs=1e-4)
        assert dot.get("data-priority") == ("yes" if r.construct in ipma_priorities(
            m.constructs) else "no")
        xs.append((r.importance, float(dot.get("cx"))))
        ys.append((r.performance, float(dot.get("cy"))))
    # x linear in importance, y linear in performance with 0 and 100 at the plot's edges
    (i0, x0), (i1, x1) = min(xs), max(xs)
    for imp, x in xs:
        assert x == pytest.approx(x0 + (x1 - x0) * (imp - i0) / (i1 - i0), abs=0.15)
    assert all(y == pytest.approx(34 + 320 * (1 - p / 100), abs=0.1) for p, y in ys)
    lines = {e.get("class"): e for e in root.iter("line") if e.get("stroke-dasharray")}
    assert float(lines["mean-importance"].get("data-value")) == pytest.approx(
        data.mean_importance, abs=1e-4)
    assert float(lines["mean-performance"].get("data-value")) == pytest.approx(
        data.mean_performance, abs=1e-4)
    labels = [e.text for e in root.iter("text")]
    assert all(c in labels for c in m.constructs["construct"])
    assert ipma_chart(dataclasses.replace(data, points=data.points.iloc[0:0])) == ""


def test_labels_do_not_overlap():
    points = [(100.0 + 3 * k, 120.0, f"Construct {k}") for k in range(6)]
    placed = _labels(points)
    boxes = []
    for (_, _, name), (x, y, anchor) in zip(points, placed, strict=True):
        width = len(name) * 11 * 0.58
        left = x if anchor == "start" else x - width
        boxes.append((left, y - 10, left + width, y + 2))
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            p, q = boxes[a], boxes[b]
            assert not (p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3])


def test_excel_ipma_sheet_and_scatter_chart(pls):
    wb = build_workbook(pls)
    assert "IPMA" in wb.sheetnames
    ws = wb["IPMA"]
    m = pls.pls.guidelines.ipma
    n = len(m.constructs)
    for i, r in enumerate(m.constructs.itertuples(), start=3):
        assert ws.cell(row=i, column=1).value == r.construct
        assert ws.cell(row=i, column=2).value == pytest.approx(r.importance)
        assert ws.cell(row=i, column=3).value == pytest.approx(r.performance)
    (chart,) = ws._charts
    assert isinstance(chart, ScatterChart)
    assert len(chart.series) == n + 2
    first = chart.series[0]
    assert first.xVal.numRef.f == "'IPMA'!$B$3" and first.yVal.numRef.f == "'IPMA'!$C$3"
    assert first.tx.strRef.f == "'IPMA'!$A$3" and first.dLbls.showSerName
    mean_x = chart.series[n]
    assert mean_x.graphicalProperties.line.prstDash == "dash"
    start = int(re.search(r"\$(\d+):", mean_x.xVal.numRef.f).group(1))
    assert ws.cell(row=start, column=2).value == pytest.approx(
        m.constructs["importance"].mean())
    assert [ws.cell(row=start + k, column=3).value for k in (0, 1)] == [0.0, 100.0]
    mean_y = chart.series[n + 1]
    row = int(re.search(r"\$(\d+):", mean_y.yVal.numRef.f).group(1))
    assert ws.cell(row=row, column=3).value == pytest.approx(
        m.constructs["performance"].mean())
    assert (chart.y_axis.scaling.min, chart.y_axis.scaling.max) == (0, 100)
    assert not math.isnan(chart.x_axis.scaling.max)
