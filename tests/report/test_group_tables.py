"""The tables and charts of the customer-group comparisons (``--group``): measurement
invariance, group paths, segments, MICOM and PLS-MGA, and the group-means chart.

References: lavaan 0.6-14 (tests/data/invariance_reference.json, made by
tests/data/r/make_invariance_reference.R), base R (tests/data/segments_reference.json and
tests/data/group_means_reference.json, made by make_segments_reference.R and
make_group_means_reference.R). Tolerances are stated at each comparison.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl.xml.functions import tostring
from rich.console import Console

from cxsurvey.gates.invariance import judge_invariance
from cxsurvey.gates.rules import RULE_SETS
from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.report.console import render_console
from cxsurvey.report.excel.workbook import build_workbook
from cxsurvey.report.group_chart import group_means, mean_interval
from cxsurvey.report.group_tables import CONSOLE_SCORE_TESTS, group_tables
from cxsurvey.report.html.group_chart import group_means_chart
from cxsurvey.report.html.page import render_html
from cxsurvey.report.tables import build_tables
from cxsurvey.stats.cb.invariance import GroupPaths, group_paths, measurement_invariance
from cxsurvey.stats.pls.groups import PlsGroups
from cxsurvey.stats.pls.mga import pls_mga
from cxsurvey.stats.pls.micom import micom
from cxsurvey.stats.segments import compare_segments

DATA = Path(__file__).resolve().parents[1] / "data"
CONSTRUCTS = {"Awareness": [f"Inf{i}" for i in range(1, 5)],
              "Attention": [f"Att{i}" for i in range(1, 9)],
              "Assessment": [f"Evalu{i}" for i in range(1, 4)],
              "Decision": [f"Decis{i}" for i in range(1, 7)],
              "Purchase": [f"Purch{i}" for i in range(1, 4)],
              "Use": [f"Use{i}" for i in range(1, 4)],
              "Result": [f"Rslt{i}" for i in range(1, 4)],
              "Loyalty": [f"Lylt{i}" for i in range(1, 4)]}
ITEMS = [i for its in CONSTRUCTS.values() for i in its]
CHAIN = list(zip(list(CONSTRUCTS)[:-1], list(CONSTRUCTS)[1:], strict=True))


def _tables(res) -> dict:
    return {t.key: t for t in build_tables(res)}


def _ref(name: str) -> dict:
    return json.loads((DATA / name).read_text())


@pytest.fixture(scope="module")
def journey() -> pd.DataFrame:
    return pd.read_csv(DATA / "cx_journey_groups.csv")


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(DATA / "holzinger_swineford_1939.csv")


@pytest.fixture(scope="module")
def hs_ml(hs):
    return measurement_invariance(hs, (DATA / "hs_cfa_model.txt").read_text(), "school")


@pytest.fixture(scope="module")
def hs_mlr(hs):
    return measurement_invariance(hs, (DATA / "hs_cfa_model.txt").read_text(), "school",
                                  estimator="MLR")


def _with(results, **fields):
    meta = {**results.meta, "group": {"column": fields.pop("column", "Channel"),
                                      "min_group_size": 20}}
    return dataclasses.replace(results, meta=meta, **fields)


# ------------------------------------------------------------------ invariance


def test_invariance_table_matches_lavaan_and_the_judgement(results, hs_ml):
    res = _with(results, invariance=hs_ml, column="school")
    t = _tables(res)
    inv = t["invariance"]
    assert inv.title == "Measurement invariance (school: Pasteur, Grant-White)"
    ref = _ref("invariance_reference.json")
    frame = inv.frame.set_index("step")
    for step in ("configural", "metric", "scalar", "strict"):
        fit = ref[f"hs_ML_{step}"]["fit"]
        for key in ("chisq", "cfi", "tli", "rmsea", "srmr"):
            assert frame.loc[step, key] == pytest.approx(fit[key], abs=1e-4), (step, key)
        assert int(frame.loc[step, "df"]) == fit["df"]
    lrt = {r["model"]: r for r in ref["hs_ML_lrt"]}
    for step in ("metric", "scalar", "strict"):
        assert frame.loc[step, "chisq_diff"] == pytest.approx(lrt[step]["chisq_diff"],
                                                              rel=1e-3)
        assert frame.loc[step, "df_diff"] == lrt[step]["df_diff"]
        assert frame.loc[step, "pvalue"] == pytest.approx(lrt[step]["pvalue"], rel=1e-2,
                                                          abs=1e-9)
        delta = ref[f"hs_ML_{step}"]["fit"]["cfi"] - ref[
            {"metric": "hs_ML_configural", "scalar": "hs_ML_metric",
             "strict": "hs_ML_scalar"}[step]]["fit"]["cfi"]
        assert frame.loc[step, "delta_cfi"] == pytest.approx(delta, abs=1e-4)
    # held and flags come from judge_invariance with the run's rules
    j = judge_invariance(hs_ml, res.verdicts.rules)
    held = {r["step"]: r["held"] for r in j.steps.to_dict("records")}
    assert list(inv.frame["held"]) == ["yes" if held[s] else "no" for s in inv.frame["step"]]
    for i, shown in enumerate(inv.frame["held"]):
        assert ((i, "held") in inv.flags) == (shown == "no")
    scalar = list(inv.frame["step"]).index("scalar")
    assert (scalar, "delta_cfi") in inv.flags  # CFI drops by more than .010 at scalar
    assert "Chen 2007" in " ".join(inv.notes)
    assert "likelihood-ratio difference" in " ".join(inv.notes)


def test_invariance_verdict_sentence_names_the_level(results, hs_ml):
    rules = RULE_SETS["default"]
    # The configural HS model misses CFI .95 under the default rules: no level holds.
    res = _with(results, invariance=hs_ml, column="school")
    verdict = _tables(res)["invariance"].notes[0]
    assert verdict.startswith("No level of measurement invariance holds across Pasteur and "
                              "Grant-White: the configural model misses the fit cut-offs")
    # With a configural model that fits, the level is the last step of the unbroken run
    # of steps that hold: metric (HS's scalar step drops CFI by more than .010).
    table = hs_ml.table.copy()
    table.loc[table["step"] == "configural", ["cfi", "rmsea"]] = [0.99, 0.02]
    good = dataclasses.replace(hs_ml, table=table)
    res = dataclasses.replace(_with(results, invariance=good, column="school"),
                              verdicts=Verdicts(rules))
    inv = _tables(res)["invariance"]
    j = judge_invariance(good, rules)
    assert j.reached == "metric"
    assert inv.notes[0].startswith("Metric invariance holds across Pasteur and Grant-White: "
                                   "equal loadings")
    assert "; scalar invariance does not (delta CFI" in inv.notes[0]


def test_score_tests_of_the_first_failing_step_largest_first(results, hs_ml):
    res = _with(results, invariance=hs_ml, column="school")
    t = _tables(res)
    st = t["invariance_score_tests"]
    assert "scalar step" in st.title
    ref = pd.DataFrame(_ref("invariance_reference.json")["hs_ML_score_scalar"]["uni"])
    ref = ref.sort_values("X2", ascending=False).reset_index(drop=True)
    assert len(st.frame) == len(ref)
    np.testing.assert_allclose(st.frame["X2"], ref["X2"], rtol=1e-3, atol=1e-4)
    assert list(st.frame["constraint"]) == [f"{a} == {b}" for a, b in
                                            zip(ref["lhs"], ref["rhs"], strict=True)]
    assert list(st.frame["par_rhs"]) == list(ref["rhs_par"])
    assert all(np.diff(st.frame["X2"].to_numpy()) <= 0)
    sig = {i for i, p in enumerate(st.frame["pvalue"]) if p < 0.05}
    assert {i for i, _ in st.flags} == sig


def test_robust_invariance_shows_scaled_chi2_and_robust_indices(results, hs_mlr):
    res = _with(results, invariance=hs_mlr, column="school")
    inv = _tables(res)["invariance"]
    labels = {c.key: c.label for c in inv.columns}
    assert labels["chisq"] == "Chi2 (Yuan-Bentler, MLR)"
    assert labels["cfi"] == "CFI (robust, MLR)"
    assert labels["chisq_diff"] == "Delta chi2 (scaled)"
    assert labels["delta_cfi"] == "Delta robust CFI"
    ref = _ref("invariance_reference.json")
    frame = inv.frame.set_index("step")
    for step in ("configural", "metric", "scalar", "strict"):
        fit = ref[f"hs_MLR_{step}"]["fit"]
        assert frame.loc[step, "chisq"] == pytest.approx(fit["chisq_scaled"], rel=1e-4)
        assert frame.loc[step, "cfi"] == pytest.approx(fit["cfi_robust"], abs=1e-4)
        assert frame.loc[step, "rmsea"] == pytest.approx(fit["rmsea_robust"], abs=1e-4)
    lrt = {r["model"]: r for r in ref["hs_MLR_lrt"]}
    assert frame.loc["scalar", "chisq_diff"] == pytest.approx(lrt["scalar"]["chisq_diff"],
                                                              rel=1e-3)
    assert frame.loc["metric", "delta_cfi"] == pytest.approx(
        ref["hs_MLR_metric"]["fit"]["cfi_robust"]
        - ref["hs_MLR_configural"]["fit"]["cfi_robust"], abs=1e-4)
    assert "Satorra-Bentler (2001) scaled difference" in " ".join(inv.notes)


def test_no_group_tables_without_group(results):
    assert group_tables(results) == []
    assert not [t for t in build_tables(results) if t.key.startswith(
        ("invariance", "segment", "group_paths", "micom", "pls_mga"))]


# ------------------------------------------------------------------ group paths


def test_group_paths_side_by_side_with_wald_tests(results, hs):
    from cxsurvey.stats.cb.multigroup import fit_multigroup

    syntax = (DATA / "hs_cfa_model.txt").read_text() + "textual ~ visual\nspeed ~ textual\n"
    gp = group_paths(fit_multigroup(hs, syntax, "school", equal=("loadings",)))
    res = _with(results, group_paths=gp, column="school")
    t = _tables(res)["group_paths"]
    ref = {(r["lhs"], r["rhs"]): r for r in
           _ref("invariance_reference.json")["hs_paths_wald_metric"]}
    assert [c.label for c in t.console_columns][:4] == ["From", "To", "Beta Pasteur",
                                                        "Beta Grant-White"]
    for row in t.frame.to_dict("records"):
        r = ref[(row["to"], row["from"])]
        assert row["stat"] == pytest.approx(r["stat"], rel=1e-3)
        assert row["pvalue"] == pytest.approx(r["pvalue"], rel=1e-3)
        assert row["z"] ** 2 == pytest.approx(row["stat"], rel=1e-9)
        est = gp.estimates[(gp.estimates["lhs"] == row["to"])
                           & (gp.estimates["rhs"] == row["from"])].set_index("group")
        assert row["std_0"] == est.loc["Pasteur", "std_all"]
        assert row["std_1"] == est.loc["Grant-White", "std_all"]
        assert row["differs"] == ("yes" if r["pvalue"] < 0.05 else "no")
    assert "equal loadings" in t.notes[0]


def test_group_paths_three_groups_have_no_z(results):
    est = pd.DataFrame({"lhs": ["B"] * 3, "op": ["~"] * 3, "rhs": ["A"] * 3,
                        "group": ["x", "y", "z"], "est": [0.1, 0.2, 0.3],
                        "se": [0.1] * 3, "z": [1.0, 2.0, 3.0], "pvalue": [0.3, 0.04, 0.01],
                        "ci_lower": [0.0] * 3, "ci_upper": [0.5] * 3,
                        "std_all": [0.15, 0.25, 0.35]})
    tests = pd.DataFrame({"lhs": ["B"], "op": ["~"], "rhs": ["A"], "stat": [7.5], "df": [2],
                          "pvalue": [0.0235], "diff": [math.nan], "z": [math.nan]})
    gp = GroupPaths(estimates=est, tests=tests, groups=("x", "y", "z"), fit_equal=())
    t = _tables(_with(results, group_paths=gp))["group_paths"]
    keys = [c.key for c in t.columns]
    assert "z" not in keys and "diff" not in keys
    assert list(t.frame.loc[0, ["std_0", "std_1", "std_2"]]) == [0.15, 0.25, 0.35]
    assert t.frame.loc[0, "differs"] == "yes"


# ------------------------------------------------------------------ segments


@pytest.fixture(scope="module")
def segments(journey):
    return compare_segments(journey, "Channel", items=ITEMS, constructs=CONSTRUCTS,
                            scales={i: (1, 5) for i in ITEMS})


def test_segment_tables_match_r(results, segments):
    t = _tables(_with(results, segments=segments))
    ref = _ref("segments_reference.json")["channel"]
    tests = t["segment_tests"].frame
    assert set(tests["variable"]) == set(CONSTRUCTS)
    for row in tests.to_dict("records"):
        r = ref[row["variable"]]
        if row["test"] == "welch_t":
            assert row["statistic"] == pytest.approx(r["t"], rel=1e-6)
            assert row["df"] == pytest.approx(r["df"], rel=1e-6)
            assert row["p_holm"] == pytest.approx(r["p_holm"], rel=1e-6)
            assert row["effect_size"] == pytest.approx(r["hedges_g"], rel=1e-6)
            assert [row["effect_ci_lower"], row["effect_ci_upper"]] == pytest.approx(
                r["g_ci"], rel=1e-6)
            assert row["test_label"] == "Welch's t" and row["effect_label"] == "Hedges' g"
        else:
            assert row["statistic"] == pytest.approx(r["W"], rel=1e-9)
            assert row["p_holm"] == pytest.approx(r["mw_p_holm"], rel=1e-6)
        assert row["differs"] == ("yes" if row["p_holm"] < 0.05 else "no")
    scores = t["segment_scores"].frame.set_index("variable")
    labels = {c.key: c.label for c in t["segment_scores"].columns}
    assert labels["mean_0"] == "Mean App" and labels["top2_box_1"] == "Top-2 % Web"
    for con in CONSTRUCTS:
        for k, g in enumerate(("App", "Web")):
            d = ref[con]["desc"][g]
            assert scores.loc[con, f"mean_{k}"] == pytest.approx(d["mean"], rel=1e-9)
            assert scores.loc[con, f"sd_{k}"] == pytest.approx(d["sd"], rel=1e-9)
            assert scores.loc[con, f"top2_box_{k}"] == pytest.approx(d["top2"], rel=1e-9)
    assert len(t["segment_item_tests"].frame) == 2 * len(ITEMS)
    assert "df2" not in {c.key for c in t["segment_tests"].columns}


def test_segments_three_groups_and_a_small_one(results, journey):
    sg = compare_segments(journey, "Gender", items=ITEMS, constructs=CONSTRUCTS,
                          scales={i: (1, 5) for i in ITEMS})
    t = _tables(_with(results, segments=sg, column="Gender"))
    groups = t["segment_groups"]
    small = [i for i, s in enumerate(groups.frame["status"]) if s == "too small"]
    assert small and {(i, "status") for i in small} == set(groups.flags)
    assert "fewer than 20 respondents" in groups.notes[0]
    # Other (n = 5) is too small: two compared groups, Welch's t
    assert set(t["segment_tests"].frame["test"]) == {"welch_t", "mann_whitney"}
    sg3 = compare_segments(journey, "Gender", items=ITEMS, constructs=CONSTRUCTS,
                           min_group_size=2)
    t3 = _tables(_with(results, segments=sg3, column="Gender"))["segment_tests"]
    assert "df2" in {c.key for c in t3.columns}
    ref = _ref("segments_reference.json")["gender3"]
    row = t3.frame[(t3.frame["variable"] == "Awareness")
                   & (t3.frame["test"] == "welch_anova")].iloc[0]
    assert row["statistic"] == pytest.approx(ref["Awareness"]["F"], rel=1e-6)
    assert row["df2"] == pytest.approx(ref["Awareness"]["df2"], rel=1e-6)
    assert row["test_label"] == "Welch's F" and row["effect_label"] == "omega2"


def test_segment_metrics_per_group(results, journey):
    sg = compare_segments(journey, "Channel", items=ITEMS, constructs=CONSTRUCTS,
                          scales={i: (1, 5) for i in ITEMS}, metrics_spec={"csat": "Rslt1"})
    m = _tables(_with(results, segments=sg))["segment_metrics"]
    assert list(m.frame["group"]) == ["App", "Web"]
    for g in ("App", "Web"):
        x = journey.loc[journey["Channel"] == g, "Rslt1"]
        assert m.frame.set_index("group").loc[g, "value"] == pytest.approx(
            100 * (x >= 4).mean(), rel=1e-12)
    assert m.frame["metric"].iloc[0] == "CSAT (top-2 box)"


# ------------------------------------------------------------------ MICOM / MGA


@pytest.fixture(scope="module")
def pls_groups(journey):
    data = journey[[*ITEMS, "Channel"]]
    mc = micom(data, "Channel", CONSTRUCTS, CHAIN, n_perm=99, seed=3)
    run = pls_mga(data, "Channel", CONSTRUCTS, CHAIN, n_boot=99, n_perm=99, seed=3)
    return PlsGroups(micom=mc, mga=(run,))


def test_micom_table_joins_the_steps(results, pls_groups):
    t = _tables(_with(results, mga=pls_groups))
    m = t["micom"]
    mc = pls_groups.micom
    assert len(m.frame) == len(mc.compositional) == len(CONSTRUCTS)
    frame = m.frame.set_index("construct")
    for r in mc.compositional.itertuples():
        assert frame.loc[r.construct, "c"] == r.c
        assert frame.loc[r.construct, "invariant_shown"] == ("yes" if r.invariant else "no")
    for r in mc.means.itertuples():
        assert frame.loc[r.construct, "mean_diff"] == r.diff
        assert frame.loc[r.construct, "mean_within_shown"] == ("yes" if r.within else "no")
    for r in mc.variances.itertuples():
        assert frame.loc[r.construct, "var_diff"] == r.diff
    flagged = {k for _, k in m.flags}
    assert flagged <= {"invariant_shown", "mean_within_shown", "var_within_shown"}
    assert len(m.flags) == int((~mc.compositional["invariant"]).sum()
                               + (~mc.means["within"]).sum() + (~mc.variances["within"]).sum())
    assert m.frame["pair"].iloc[0] == "App vs Web"
    assert "measurement invariance" in m.notes[0].lower()
    assert len(t["micom_configural"].frame) == 2 * len(ITEMS)


def test_micom_flags_a_failed_composition(results, pls_groups):
    mc = pls_groups.micom
    comp = mc.compositional.copy()
    comp.loc[0, "invariant"] = False
    pg = dataclasses.replace(pls_groups, micom=dataclasses.replace(mc, compositional=comp))
    m = _tables(_with(results, mga=pg))["micom"]
    assert (0, "invariant_shown") in m.flags
    assert m.notes[0].startswith(f"Compositional invariance not established for "
                                 f"{comp.loc[0, 'construct']}")


def test_mga_table(results, pls_groups):
    t = _tables(_with(results, mga=pls_groups))["pls_mga"]
    run = pls_groups.mga[0]
    labels = [c.label for c in t.console_columns]
    assert labels[:5] == ["From", "To", "Beta App", "Beta Web", "Diff."]
    assert {"Henseler p", "Permutation p", "Welch p", "Permutation Holm p"} <= set(labels)
    np.testing.assert_array_equal(t.frame["diff"], run.paths["est_g1"] - run.paths["est_g2"])
    assert list(t.frame["differs"]) == ["yes" if p < 0.05 else "no"
                                        for p in run.paths["p_perm_holm"]]
    assert "99 resamples per group" in t.notes[1]


# ------------------------------------------------------------------ console


def _console(res, full=False) -> str:
    buf = io.StringIO()
    render_console(res, Console(file=buf, width=200, color_system=None), overview=True,
                   full=full)
    return buf.getvalue()


def test_console_shows_the_key_group_tables(results, hs_ml, segments, pls_groups):
    res = _with(results, invariance=hs_ml, segments=segments, mga=pls_groups,
                column="school")
    out = _console(res)
    assert "Measurement invariance (school: Pasteur, Grant-White)" in out
    assert "No level of measurement invariance holds" in out
    assert "Construct score differences (Channel)" in out
    assert "MICOM: measurement invariance of composites" in out
    assert "PLS multi-group analysis" in out
    assert "Item score differences (Channel)" not in out.split("more tables with --full")[0]
    st = _tables(res)["invariance_score_tests"]
    shown = out.split("Partial invariance candidates")[1].split("Construct score")[0]
    assert len(st.frame) > CONSOLE_SCORE_TESTS
    assert f"The {CONSOLE_SCORE_TESTS} largest of {len(st.frame)}" in shown
    rows = re.findall(r"^\s*\w+\s+(?:=~|~1|~~)\s.*Grant-White", shown, flags=re.M)
    assert len(rows) == CONSOLE_SCORE_TESTS
    full = _console(res, full=True)
    assert "Item score differences (Channel)" in full


# ------------------------------------------------------------------ chart


def test_group_means_intervals_match_r(results, journey):
    ref = _ref("group_means_reference.json")
    for column in ("Channel", "Gender"):
        sg = compare_segments(journey, column, items=ITEMS, constructs=CONSTRUCTS,
                              min_group_size=2)
        frame = group_means(_with(results, segments=sg, column=column))
        assert len(frame) == len(CONSTRUCTS) * len(ref[column]["Awareness"])
        for r in frame.itertuples():
            want = ref[column][r.construct][r.group]
            assert r.n == want["n"]
            assert r.mean == pytest.approx(want["mean"], rel=1e-12)
            assert [r.ci_lower, r.ci_upper] == pytest.approx(want["ci"], rel=1e-10)


def test_mean_interval_edge_cases():
    assert all(math.isnan(x) for x in mean_interval(3.0, 1.0, 1))
    assert mean_interval(3.0, 0.0, 5) == (3.0, 3.0)


def test_html_chart_and_tables(results, segments, hs_ml):
    res = _with(results, segments=segments, invariance=hs_ml, column="Channel")
    page = render_html(res)
    assert 'id="group-means"' in page and "Construct scores by Channel" in page
    svg = re.search(r'<svg class="group-means-chart".*?</svg>', page, flags=re.S).group(0)
    root = ET.fromstring(svg)
    dots = [e for e in root.iter("circle") if e.get("data-group")]
    frame = group_means(res)
    assert len(dots) == len(frame) == 2 * len(CONSTRUCTS)
    for dot, r in zip(dots, frame.itertuples(), strict=True):
        assert dot.get("data-group") == r.group
        assert float(dot.get("data-mean")) == pytest.approx(r.mean, abs=1e-4)
        assert float(dot.get("data-lower")) == pytest.approx(r.ci_lower, abs=1e-4)
    assert 'data-key="invariance"' in page and 'data-key="segment_tests"' in page
    assert group_means_chart(frame.iloc[0:0]) == ""
    assert 'id="group-means"' not in render_html(results)


def test_excel_group_means_sheet_and_chart(results, segments):
    res = _with(results, segments=segments)
    wb = build_workbook(res)
    assert "Group means" in wb.sheetnames
    ws = wb["Group means"]
    frame = group_means(res)
    first = frame[frame["construct"] == "Awareness"].set_index("group")
    assert ws["A3"].value == "Awareness"
    assert ws["B3"].value == pytest.approx(first.loc["App", "mean"])
    assert ws["C3"].value == pytest.approx(first.loc["App", "ci_lower"])
    assert ws["F3"].value == pytest.approx(first.loc["App", "ci_upper"]
                                           - first.loc["App", "mean"])
    (chart,) = ws._charts
    assert len(chart.series) == 2
    bars = chart.series[0].errBars
    assert bars.errValType == "cust"
    assert bars.plus.numRef.f == "'Group means'!$F$3:$F$10"
    assert bars.minus.numRef.f == "'Group means'!$G$3:$G$10"
    text = tostring(bars.to_tree()).decode()  # Excel needs plus before minus
    assert text.index("<plus") < text.index("<minus")
    assert "Construct score differences" in wb.sheetnames
    assert "Group means" not in build_workbook(results).sheetnames


# ------------------------------------------------------------------ end to end


@pytest.mark.slow
def test_pipeline_runs_give_the_group_tables():
    from cxsurvey.app.pipeline import run_command
    from cxsurvey.options import Options

    root = Path(__file__).resolve().parents[2] / "sample_surveys"
    res = run_command("analyze", root / "cx_journey.xlsx", root / "cx_journey.toml",
                      options=Options(group="Channel"))
    keys = {t.key for t in build_tables(res)}
    assert {"segment_groups", "segment_scores", "segment_tests"} <= keys
    if res.invariance is not None:
        assert "invariance" in keys
    if res.group_paths is not None:
        assert "group_paths" in keys
    pls = run_command("analyze", root / "cx_journey.xlsx", root / "cx_journey.toml",
                      method="pls", options=Options(group="Channel", bootstrap=200))
    keys = {t.key for t in build_tables(pls)}
    if pls.mga is not None:
        assert {"micom", "pls_mga"} <= keys
