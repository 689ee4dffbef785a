"""Display tables of the segment comparisons (``--group``): the groups, the construct and
item scores per group, the tests of the group differences and the CX metrics per group
(:class:`cxsurvey.stats.segments.SegmentsResult`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.report.metrics_table import metrics_display
from cxsurvey.report.table_model import Column, Table
from cxsurvey.results import Results
from cxsurvey.stats.metrics import MetricsResult

__all__ = ["EFFECT_LABELS", "TEST_LABELS", "segment_tables"]

TEST_LABELS = {"welch_t": "Welch's t", "mann_whitney": "Mann-Whitney U",
               "welch_anova": "Welch's F", "kruskal_wallis": "Kruskal-Wallis H"}
EFFECT_LABELS = {"hedges_g": "Hedges' g", "rank_biserial": "rank-biserial r",
                 "omega_squared": "omega2", "epsilon_squared": "epsilon2"}

_TEST_NOTE = {
    2: "Two groups (first minus second: a positive effect means the first scores higher): "
       "Welch's t-test with Hedges' g (95% CI, Hedges & Olkin 1985) and the Mann-Whitney "
       "U test (normal approximation, tie and continuity corrected) with the rank-biserial "
       "r (Wendt 1972).",
    3: "Three or more groups: Welch's ANOVA (df, df2) with omega squared (Hays 1963) and "
       "the Kruskal-Wallis test (tie corrected) with epsilon squared (Kelley 1935).",
}


def _compared(sg: Any) -> list[str]:
    g = sg.groups
    return [str(x) for x in g.loc[g["status"] == "compared", "group"]]


def _groups_table(sg: Any) -> Table:
    frame = sg.groups.reset_index(drop=True)
    small = [i for i, s in enumerate(frame["status"]) if s != "compared"]
    notes = [f"Groups with fewer than {sg.min_group_size} respondents are listed as too "
             "small and left out of every comparison (--min-group-size)."]
    if sg.n_missing_group:
        notes.append(f"{sg.n_missing_group} respondents without a {sg.group} value are left "
                     "out.")
    return Table("segment_groups", f"Groups compared ({sg.group})", frame,
                 (Column("group", "Group", "text"), Column("n", "N", "int"),
                  Column("status", "Status", "text")),
                 frozenset((i, "status") for i in small), tuple(notes))


def _scores_table(sg: Any, kind: str) -> Table | None:
    d = sg.descriptives
    d = d[d["kind"] == kind]
    if not len(d):
        return None
    groups = _compared(sg)
    names = list(dict.fromkeys(d["variable"]))
    rows = []
    for name in names:
        row: dict[str, Any] = {"variable": name}
        for k, g in enumerate(groups):
            hit = d[(d["variable"] == name) & (d["group"].astype(str) == g)]
            rec = hit.iloc[0] if len(hit) else None
            for key in ("n", "mean", "sd", "median", "top2_box"):
                row[f"{key}_{k}"] = rec[key] if rec is not None else float("nan")
        rows.append(row)
    frame = pd.DataFrame(rows)
    cols: list[Column] = [Column("variable", "Construct" if kind == "construct" else "Item",
                                 "text")]
    for k, g in enumerate(groups):
        cols += [Column(f"n_{k}", f"N {g}", "int", console=False),
                 Column(f"mean_{k}", f"Mean {g}", "num", 2),
                 Column(f"sd_{k}", f"SD {g}", "num", 2),
                 Column(f"median_{k}", f"Median {g}", "num", 2, console=False),
                 Column(f"top2_box_{k}", f"Top-2 % {g}", "pct")]
    what = ("construct scores (the mean of each respondent's answers to the construct's "
            "items, for respondents answering all of them)" if kind == "construct"
            else "items")
    key, title = (("segment_scores", f"Construct scores by group ({sg.group})")
                  if kind == "construct" else
                  ("segment_item_scores", f"Item scores by group ({sg.group})"))
    return Table(key, title, frame, tuple(cols),
                 notes=(f"Mean, SD (n - 1) and top-2 box (% of answers in the two highest "
                        f"scale points) of the {what} per group.",))


def _tests_table(sg: Any, kind: str, v: Verdicts) -> Table | None:
    t = sg.tests
    t = t[t["kind"] == kind].reset_index(drop=True)
    if not len(t):
        return None
    frame = t.assign(
        test_label=[TEST_LABELS.get(x, x) for x in t["test"]],
        effect_label=[EFFECT_LABELS.get(x, x) for x in t["effect"]],
        differs=["" if p != p else ("yes" if v.significant(p) else "no")
                 for p in t["p_holm"]])
    many = bool(t["df2"].notna().any())
    groups = _compared(sg)
    cols = (Column("variable", "Construct" if kind == "construct" else "Item", "text"),
            Column("test_label", "Test", "text"), Column("statistic", "Statistic", "num", 2),
            Column("df", "df", "num", 1), *((Column("df2", "df2", "num", 1),) if many else ()),
            Column("p", "p", "p"), Column("p_holm", "Holm p", "p"),
            Column("effect_label", "Effect", "text"), Column("effect_size", "Effect size"),
            Column("effect_ci_lower", "95% CI low"), Column("effect_ci_upper", "95% CI high"),
            Column("differs", "Differs", "text"),
            *(Column(f"n_{g}", f"N {g}", "int", console=False) for g in groups
              if f"n_{g}" in t.columns))
    key, title = (("segment_tests", f"Construct score differences ({sg.group})")
                  if kind == "construct" else
                  ("segment_item_tests", f"Item score differences ({sg.group})"))
    return Table(key, title, frame, cols,
                 notes=(_TEST_NOTE[2 if len(groups) == 2 else 3],
                        "Holm p: Holm's (1979) adjustment over the "
                        + ("constructs" if kind == "construct" else "items")
                        + f" within each test; Differs: Holm p < {v.significance:g}."))


def _metrics_table(sg: Any) -> Table | None:
    m = sg.metrics
    if m is None or not len(m):
        return None
    frame, columns, note = metrics_display(
        MetricsResult(table=m.drop(columns="group").reset_index(drop=True), nps={}))
    frame.insert(0, "group", [str(g) for g in m["group"]])
    return Table("segment_metrics", f"CX metrics by group ({sg.group})", frame,
                 (Column("group", "Group", "text"), *(Column(*c) for c in columns)),
                 notes=(f"Each compared group's CX metrics. {note}",))


def segment_tables(res: Results) -> list[Table]:
    """The segment tables of a run with ``--group`` (none without).

    References
    ----------
    Welch, B. L. (1947). *Biometrika*, 34(1-2), 28-35. Welch, B. L. (1951). *Biometrika*,
    38(3-4), 330-336. Holm, S. (1979). *Scandinavian Journal of Statistics*, 6(2),
    65-70. Hedges, L. V., & Olkin, I. (1985). *Statistical methods for meta-analysis*.
    """
    sg = res.segments
    if sg is None:
        return []
    v = res.verdicts
    built = [_groups_table(sg), _scores_table(sg, "construct"),
             _tests_table(sg, "construct", v), _metrics_table(sg),
             _scores_table(sg, "item"), _tests_table(sg, "item", v)]
    return [t for t in built if t is not None]
