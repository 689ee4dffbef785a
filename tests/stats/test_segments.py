"""Segment comparisons against R (t.test, wilcox.test, oneway.test, kruskal.test, p.adjust).

Reference: tests/data/segments_reference.json from tests/data/r/make_segments_reference.R
on tests/data/cx_journey_groups.csv (the sample survey's items with Channel and Gender).
Tolerance: 1e-6 absolute on statistics, df, p-values and effect sizes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsurvey.errors import InputError
from cxsurvey.stats.metrics import cx_metrics
from cxsurvey.stats.segments import (
    DEFAULT_MIN_GROUP_SIZE,
    compare_segments,
    epsilon_squared,
    hedges_g,
    omega_squared,
)

DATA = Path(__file__).resolve().parents[1] / "data"
TOL = 1e-6
CONSTRUCTS = {
    "Awareness": ("Inf1", "Inf2", "Inf3", "Inf4"),
    "Attention": tuple(f"Att{i}" for i in range(1, 9)),
    "Assessment": ("Evalu1", "Evalu2", "Evalu3"),
    "Decision": tuple(f"Decis{i}" for i in range(1, 7)),
    "Purchase": ("Purch1", "Purch2", "Purch3"),
    "Use": ("Use1", "Use2", "Use3"),
    "Result": ("Rslt1", "Rslt2", "Rslt3"),
    "Loyalty": ("Lylt1", "Lylt2", "Lylt3"),
}
ITEMS = [i for its in CONSTRUCTS.values() for i in its]
SCALES = {i: (1, 5) for i in ITEMS}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(DATA / "cx_journey_groups.csv")


@pytest.fixture(scope="module")
def ref() -> dict:
    with open(DATA / "segments_reference.json") as fh:
        return json.load(fh)


def _num(v: object) -> float:
    return math.nan if v in ("NaN", "NA", None) else float(v)  # type: ignore[arg-type]


def _close(ours: float, theirs: object) -> None:
    r = _num(theirs)
    if math.isnan(r):
        assert math.isnan(ours)
    else:
        assert ours == pytest.approx(r, abs=TOL)


def _row(tests: pd.DataFrame, var: str, test: str) -> pd.Series:
    hit = tests[(tests["variable"] == var) & (tests["test"] == test)]
    assert len(hit) == 1
    return hit.iloc[0]


def _run(data: pd.DataFrame, group: str, **kw: object):
    return compare_segments(data, group, items=ITEMS, constructs=CONSTRUCTS,
                            scales=SCALES, **kw)  # type: ignore[arg-type]


def _check_two(res, ref_case: dict) -> None:
    for var, r in ref_case.items():
        t = _row(res.tests, var, "welch_t")
        u = _row(res.tests, var, "mann_whitney")
        assert t["kind"] == ("construct" if var in CONSTRUCTS else "item")
        g1, g2 = r["groups"]
        assert t["contrast"] == f"{g1} - {g2}"
        assert [t[f"n_{g1}"], t[f"n_{g2}"]] == r["n"]
        for ours, theirs in [(t["statistic"], r["t"]), (t["df"], r["df"]),
                             (t["p"], r["p"]), (t["p_holm"], r["p_holm"]),
                             (t["effect_size"], r["hedges_g"]),
                             (t["effect_ci_lower"], r["g_ci"][0]),
                             (t["effect_ci_upper"], r["g_ci"][1]),
                             (u["statistic"], r["W"]), (u["p"], r["mw_p"]),
                             (u["p_holm"], r["mw_p_holm"]), (u["effect_size"], r["rbc"])]:
            _close(float(ours), theirs)
        for g in (g1, g2):
            d = res.descriptives[(res.descriptives["group"] == g)
                                 & (res.descriptives["variable"] == var)].iloc[0]
            for key in ("mean", "sd", "median"):
                _close(float(d[key]), r["desc"][g][key])
            _close(float(d["top2_box"]), r["desc"][g]["top2"])


def test_two_channels_match_r(data: pd.DataFrame, ref: dict) -> None:
    res = _run(data, "Channel")
    assert res.groups.to_dict("list") == {"group": ["App", "Web"], "n": [73, 84],
                                          "status": ["compared", "compared"]}
    assert res.warnings == ()
    assert len(res.tests) == 2 * (len(CONSTRUCTS) + len(ITEMS))
    assert set(res.tests["effect"]) == {"hedges_g", "rank_biserial"}
    _check_two(res, ref["channel"])


def test_default_threshold_leaves_out_the_small_group(data: pd.DataFrame,
                                                      ref: dict) -> None:
    assert DEFAULT_MIN_GROUP_SIZE == 20
    res = _run(data, "Gender")
    assert res.groups.to_dict("list") == {"group": ["Female", "Male", "Other"],
                                          "n": [80, 72, 5],
                                          "status": ["compared", "compared", "too small"]}
    assert res.min_group_size == 20
    assert any("fewer than 20" in w and "Other (n=5)" in w for w in res.warnings)
    assert set(res.descriptives["group"]) == {"Female", "Male"}
    assert "n_Other" not in res.tests.columns
    _check_two(res, ref["gender2"])


def test_three_genders_match_r(data: pd.DataFrame, ref: dict) -> None:
    res = _run(data, "Gender", min_group_size=5)
    assert list(res.groups["status"]) == ["compared"] * 3
    for var, r in ref["gender3"].items():
        f = _row(res.tests, var, "welch_anova")
        h = _row(res.tests, var, "kruskal_wallis")
        assert [f["n_Female"], f["n_Male"], f["n_Other"]] == r["n"]
        assert f["effect"] == "omega_squared" and h["effect"] == "epsilon_squared"
        for ours, theirs in [(f["statistic"], r["F"]), (f["df2"], r["df2"]),
                             (f["p"], r["p"]), (f["p_holm"], r["p_holm"]),
                             (f["effect_size"], r["omega2"]),
                             (h["statistic"], r["H"]), (h["df"], r["H_df"]),
                             (h["p"], r["kw_p"]), (h["p_holm"], r["kw_p_holm"]),
                             (h["effect_size"], r["epsilon2"])]:
            _close(float(ours), theirs)
        if not math.isnan(_num(r["F"])):
            assert f["df"] == r["df1"]
    # "Other" answered Result's items all alike: Welch's ANOVA is undefined there (R: NaN)
    undefined = {v for v, r in ref["gender3"].items() if math.isnan(_num(r["F"]))}
    assert undefined == {"Result", "Att7", "Rslt1", "Rslt2", "Rslt3"}
    named = {w.split(" (")[0] for w in res.warnings}
    assert named == undefined


def test_two_channels_with_the_omnibus_tests_match_r(data: pd.DataFrame, ref: dict) -> None:
    """``omnibus=True``: with two groups also R's oneway.test (Welch's F = t^2) and
    kruskal.test, on the sample by Channel."""
    res = _run(data, "Channel", omnibus=True)
    assert set(res.tests["test"]) == {"welch_t", "mann_whitney", "welch_anova",
                                      "kruskal_wallis"}
    _check_two(res, ref["channel"])
    for var, r in ref["channel_omnibus"].items():
        f = _row(res.tests, var, "welch_anova")
        h = _row(res.tests, var, "kruskal_wallis")
        for ours, theirs in [(f["statistic"], r["F"]), (f["df2"], r["df2"]),
                             (f["p"], r["p"]), (f["p_holm"], r["p_holm"]),
                             (f["effect_size"], r["omega2"]), (h["statistic"], r["H"]),
                             (h["p"], r["kw_p"]), (h["p_holm"], r["kw_p_holm"]),
                             (h["effect_size"], r["epsilon2"])]:
            _close(float(ours), theirs)
        t = _row(res.tests, var, "welch_t")
        assert float(f["statistic"]) == pytest.approx(float(t["statistic"]) ** 2, rel=1e-10)


@pytest.mark.slow  # importing pingouin takes about 2 s
def test_agrees_with_pingouin(data: pd.DataFrame) -> None:
    import pingouin as pg  # a test dependency (pyproject's [test] extra): never skipped
    res2 = _run(data, "Channel")
    res3 = _run(data, "Gender", min_group_size=5)
    for var in ("Loyalty", "Inf2"):
        score = data[list(CONSTRUCTS.get(var, (var,)))].mean(axis=1)
        x, y = score[data["Channel"] == "App"], score[data["Channel"] == "Web"]
        tt = pg.ttest(x, y, correction=True)
        t = _row(res2.tests, var, "welch_t")
        assert t["statistic"] == pytest.approx(float(tt["T"].iloc[0]), abs=1e-10)
        assert t["p"] == pytest.approx(float(tt.filter(like="p").iloc[0, 0]), abs=1e-10)
        g = pg.compute_effsize(x, y, eftype="hedges")
        assert t["effect_size"] == pytest.approx(g, abs=1e-10)
        ci = pg.compute_esci(g, len(x), len(y), eftype="hedges", decimals=12)
        assert [t["effect_ci_lower"], t["effect_ci_upper"]] == pytest.approx(ci, abs=1e-9)
        mw = pg.mwu(x, y, method="asymptotic")
        u = _row(res2.tests, var, "mann_whitney")
        assert u["statistic"] == pytest.approx(float(mw["U_val"].iloc[0]))
        assert u["p"] == pytest.approx(float(mw["p_val"].iloc[0]), abs=1e-10)
        assert u["effect_size"] == pytest.approx(float(mw["RBC"].iloc[0]), abs=1e-10)
        long = pd.DataFrame({"y": score, "g": data["Gender"]})
        wa = pg.welch_anova(data=long, dv="y", between="g")
        f = _row(res3.tests, var, "welch_anova")
        assert f["statistic"] == pytest.approx(float(wa["F"].iloc[0]), abs=1e-10)
        assert f["df2"] == pytest.approx(float(wa["ddof2"].iloc[0]), abs=1e-10)
        kw = pg.kruskal(data=long, dv="y", between="g")
        h = _row(res3.tests, var, "kruskal_wallis")
        assert h["statistic"] == pytest.approx(float(kw["H"].iloc[0]), abs=1e-10)


def test_metrics_per_group_are_the_groups_cx_metrics(data: pd.DataFrame) -> None:
    spec = {"csat": "Lylt1", "ces": "Use1"}
    res = _run(data, "Channel", metrics_spec=spec)
    for g in ("App", "Web"):
        ours = res.metrics[res.metrics["group"] == g].drop(columns="group")
        theirs = cx_metrics(data[data["Channel"] == g], spec, SCALES).table
        pd.testing.assert_frame_equal(ours.reset_index(drop=True), theirs)
    assert _run(data, "Channel").metrics.empty


def test_missing_groups_blank_labels_and_categorical_order(data: pd.DataFrame) -> None:
    d = data.copy()
    d["Channel"] = d["Channel"].astype(object)
    d.loc[[0, 1, 2], "Channel"] = np.nan
    d.loc[3, "Channel"] = "  "
    res = _run(d, "Channel")
    assert res.n_missing_group == 4
    assert list(res.groups["group"]) == ["App", "Web"]
    nullable = compare_segments(d, d["Channel"].astype("string"), items=ITEMS,
                                constructs=CONSTRUCTS)
    assert nullable.n_missing_group == 4
    pd.testing.assert_frame_equal(nullable.tests, res.tests)
    d.loc[3, "Channel"] = np.nan
    d["Channel"] = pd.Categorical(d["Channel"], categories=["Web", "App"])
    res = _run(d, "Channel")
    assert res.n_missing_group == 4
    assert list(res.groups["group"]) == ["Web", "App"]
    assert int(res.groups["n"].sum()) == 157 - 4
    assert res.warnings[0].startswith("4 rows without a Channel value")
    t = _row(res.tests, "Loyalty", "welch_t")
    assert t["contrast"] == "Web - App" and t["n_total"] == 153


def test_group_as_series_and_construct_score_per_construct(data: pd.DataFrame) -> None:
    d = data.drop(columns=["Channel", "Gender"]).astype(float)
    d.loc[0, "Inf1"] = np.nan  # only Awareness loses row 0
    res = compare_segments(d, data["Channel"], items=["Inf1"], constructs=CONSTRUCTS,
                           scales=SCALES)
    assert res.group == "Channel"
    desc = res.descriptives.set_index(["group", "variable"])
    web = data["Channel"] == "Web"
    assert desc.loc[("Web", "Awareness"), "n"] == 83
    assert desc.loc[("Web", "Loyalty"), "n"] == 84
    expect = d.loc[web, list(CONSTRUCTS["Awareness"])].dropna().mean(axis=1)
    assert desc.loc[("Web", "Awareness"), "mean"] == pytest.approx(expect.mean())
    assert desc.loc[("Web", "Awareness"), "top2_box"] == pytest.approx(
        100 * (expect >= 4).mean())
    # a duplicated row index is harmless: values are taken by position
    dup = compare_segments(d.set_axis([0] * len(d)), data["Channel"].rename("Channel"),
                           items=["Inf1"], constructs=CONSTRUCTS, scales=SCALES)
    pd.testing.assert_frame_equal(dup.descriptives, res.descriptives)
    # no scales: no top-2 box
    res = compare_segments(d, data["Channel"], items=["Inf1"], constructs=CONSTRUCTS)
    assert res.descriptives["top2_box"].isna().all()


def test_degenerate_inputs_give_nan_and_warnings() -> None:
    d = pd.DataFrame({
        "g": ["a"] * 4 + ["b"] * 4 + ["c"] * 4,
        "same": [3.0] * 12,
        "sparse": [1, np.nan, np.nan, np.nan, 2, 3, 4, 5, 1, 2, 2, 3],
        "flat_c": [1, 2, 3, 4, 2, 3, 4, 5, 4, 4, 4, 4],
        "steps": [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3],
    }, dtype=object)
    d[["same", "sparse", "flat_c", "steps"]] = d[["same", "sparse", "flat_c",
                                                  "steps"]].astype(float)
    items = ["same", "sparse", "flat_c", "steps"]
    res = compare_segments(d, "g", items=items, constructs={}, min_group_size=2)
    tests = res.tests.set_index(["variable", "test"])
    for var in ("same", "sparse"):
        assert tests.loc[(var, "welch_anova"), ["statistic", "p"]].isna().all()
        assert tests.loc[(var, "kruskal_wallis"), ["statistic", "p"]].isna().all()
    assert math.isnan(tests.loc[("flat_c", "welch_anova"), "p"])
    assert tests.loc[("flat_c", "kruskal_wallis"), "p"] > 0
    assert math.isnan(tests.loc[("steps", "welch_anova"), "p"])
    assert tests.loc[("steps", "kruskal_wallis"), "effect_size"] == pytest.approx(1.0)
    text = " | ".join(res.warnings)
    assert "same (item): every answer is the same" in text
    assert "sparse (item): fewer than 2 answers in a" in text
    assert "flat_c (item): c answered all alike" in text
    # two groups, each constant: Welch's t undefined, Mann-Whitney defined
    two = compare_segments(d[d["g"] != "c"], "g", items=["steps"], constructs={},
                           min_group_size=2)
    t = two.tests.set_index("test")
    assert math.isnan(t.loc["welch_t", "statistic"])
    assert math.isnan(t.loc["welch_t", "effect_size"])
    assert t.loc["mann_whitney", "effect_size"] == pytest.approx(-1.0)
    assert t.loc["mann_whitney", "p_holm"] == t.loc["mann_whitney", "p"]
    # one group left: no tests, no exception
    one = compare_segments(d, "g", items=items, constructs={}, min_group_size=5)
    assert one.tests.empty and one.descriptives.empty
    assert "no tests" in one.warnings[-1]


def test_user_mistakes_raise_input_errors(data: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="No column 'Region'"):
        _run(data, "Region")
    with pytest.raises(InputError, match="not in the data: Q99"):
        compare_segments(data, "Channel", items=["Q99"], constructs={})
    with pytest.raises(InputError, match="csat item 'Lylt1' has no scale"):
        compare_segments(data, "Channel", items=ITEMS, constructs=CONSTRUCTS,
                         metrics_spec={"csat": "Lylt1"})
    with pytest.raises(InputError, match="min_group_size"):
        _run(data, "Channel", min_group_size=1)


def test_effect_size_formulas_on_small_examples() -> None:
    x, y = np.array([1.0, 2, 3, 4]), np.array([2.0, 4, 6])
    sp = math.sqrt((3 * x.var(ddof=1) + 2 * y.var(ddof=1)) / 5)
    g, lo, hi = hedges_g(x, y)
    assert g == pytest.approx((2.5 - 4) / sp * (1 - 3 / (4 * 7 - 9)))
    assert (lo + hi) / 2 == pytest.approx(g)
    assert math.isnan(omega_squared([np.array([1.0, 1, 1]), np.array([1.0, 1, 1])]))
    a, b = np.array([1.0, 2, 3]), np.array([4.0, 5, 6])
    # SS_b = 13.5, SS_w = 4, MS_w = 1: (13.5 - 1) / (17.5 + 1)
    assert omega_squared([a, b]) == pytest.approx(12.5 / 18.5)
    assert epsilon_squared(3.0, 31) == pytest.approx(0.1)
