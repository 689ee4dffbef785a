"""The one place that turns :class:`Results` into display tables.

Every renderer that shows tables (console, CSV, Excel, HTML) asks :func:`build_tables` for
the same list; column labels, number kinds and flags live here (item-level tables, checks)
and in :mod:`~cxsurvey.report.tables_models` (the models' tables) and
:mod:`~cxsurvey.report.pls_guideline_tables` (PLSpredict, PLS model fit, IPMA, and the
PLSc marks on the PLS tables) and :mod:`~cxsurvey.report.pls_model_tables` (PLS moderation
and higher-order constructs), on the types of :mod:`~cxsurvey.report.table_model`; every
flag is a verdict of the run's rule set or of :mod:`cxsurvey.gates`.
"""

from __future__ import annotations

import pandas as pd

from cxsurvey.report.group_tables import group_tables
from cxsurvey.report.metrics_table import metrics_display
from cxsurvey.report.pls_guideline_tables import mark_consistent, pls_guideline_tables
from cxsurvey.report.pls_model_tables import pls_model_tables
from cxsurvey.report.polychoric_table import polychoric_tables
from cxsurvey.report.quality_table import data_quality_notes
from cxsurvey.report.table_model import Column, Table, flag_cells, judged
from cxsurvey.report.tables_models import cfa_tables, paths_tables, pls_tables
from cxsurvey.results import Results

__all__ = ["Column", "Table", "build_tables"]


def _descriptives(res: Results) -> list[Table]:
    d = res.descriptives
    if d is None:
        return []
    cols = [Column("construct", "Construct", "text"), Column("item", "Item", "text"),
            Column("n", "N", "int"), Column("missing", "Missing", "int", console=False),
            Column("mean", "Mean"), Column("sd", "SD"), Column("median", "Median", "num", 1),
            Column("min", "Min", "num", 0, console=False),
            Column("max", "Max", "num", 0, console=False),
            Column("skewness", "Skew", "num", 2), Column("kurtosis", "Kurt", "num", 2)]
    cols += [Column(f"pct_{k}", f"% {k}", "pct", console=False) for k in d.scale_points]
    pts = d.scale_points
    head = (f"% {pts[0]}..{pts[-1]}" if pts and not d.scales
            else "% per answer (own scale)" if pts else "%")
    cols.append(Column("distribution", head, "text", files=False))
    cols.append(Column("top2_box", "Top-2 %", "pct"))
    frame = d.items.copy()
    questions = res.meta.get("questions") or {}
    if questions:  # the export's question text beside the short item name
        frame.insert(2, "question", [questions.get(str(i), "") for i in frame["item"]])
        cols.insert(2, Column("question", "Question", "text", console=False))
    if pts:
        pct = frame[[f"pct_{k}" for k in pts]].to_numpy(dtype=float)
        own = [d.scales.get(str(i)) for i in frame["item"]]
        frame["distribution"] = [
            "/".join("" if v != v else f"{v:.0f}" for k, v in zip(pts, row, strict=True)
                     if s is None or s[0] <= k <= s[1])
            for row, s in zip(pct, own, strict=True)]
    flags = flag_cells(d.items, "sd", lambda v: v == 0)
    tables = [Table("descriptives", "Item descriptives", frame, tuple(cols),
                    frozenset(flags),
                    ("Skewness and kurtosis are SPSS's G1 and G2 (excess kurtosis); % are of "
                     "each item's valid answers.",))]
    if len(d.straightliners):
        tables.append(Table(
            "straightliners", "Straightliners (same answer to every item)",
            d.straightliners, tuple(
                c for c in (Column("row", "File row", "int"), Column("id", "Respondent", "text"),
                            Column("answer", "Answer", "num", 0))
                if c.key in d.straightliners.columns),
            notes=("Consider excluding these respondents (attention or satisficing).",)))
    return tables


def _metrics(res: Results) -> list[Table]:
    if res.metrics is None or not len(res.metrics.table):
        return []
    frame, columns, note = metrics_display(res.metrics)
    return [Table("metrics", "CX metrics", frame, tuple(Column(*c) for c in columns),
                  notes=(note,))]


def _data_quality(res: Results) -> list[Table]:
    dq = res.data_quality
    if dq is None or not len(dq.flagged):
        return []
    has_id = bool(dq.flagged["id"].notna().any())
    cols = (Column("row", "File row", "int"),
            *((Column("id", "Respondent", "text"),) if has_id else ()),
            Column("answered", "Items answered", "int", console=False),
            Column("longest_run", "Longest run", "int"),
            Column("duration", "Duration", "num", 0, console=False),
            Column("reasons", "Reasons", "text"))
    return [Table("data_quality", "Data quality: flagged respondents", dq.flagged, cols,
                  notes=data_quality_notes(dq))]


def _normality(res: Results) -> list[Table]:
    nr = res.normality
    if nr is None:
        return []
    a = nr.alpha
    ks_sw = [Column("ks_statistic", "KS statistic"), Column("ks_df", "KS df", "int"),
             Column("ks_pvalue", "KS Sig.", "p"), Column("sw_statistic", "SW statistic"),
             Column("sw_df", "SW df", "int"), Column("sw_pvalue", "SW Sig.", "p")]
    item_flags = flag_cells(nr.items, "ks_pvalue", lambda v: v < a) | flag_cells(
        nr.items, "sw_pvalue", lambda v: v < a)
    tables = [Table(
        "normality", "Tests of normality (items)", nr.items,
        (Column("construct", "Construct", "text"), Column("item", "Item", "text"), *ks_sw),
        frozenset(item_flags),
        ("KS: Kolmogorov-Smirnov with Lilliefors significance correction; SW: Shapiro-Wilk. "
         f"* = p < {a:g}.", *nr.notes))]
    tables.append(Table(
        "normality_constructs", "Tests of normality (construct mean scores)", nr.constructs,
        (Column("construct", "Construct", "text"), *ks_sw),
        frozenset(flag_cells(nr.constructs, "ks_pvalue", lambda v: v < a)
                  | flag_cells(nr.constructs, "sw_pvalue", lambda v: v < a))))
    if len(nr.multivariate):
        mv = nr.multivariate
        tables.append(Table(
            "multivariate_normality", "Multivariate normality (Mardia)", mv,
            (Column("construct", "Construct", "text"), Column("n", "N", "int"),
             Column("n_items", "Items", "int"), Column("mardia_skewness", "b1p"),
             Column("skewness_chisq", "Skew chi2", "num", 2),
             Column("skewness_df", "df", "int"), Column("skewness_pvalue", "Skew p", "p"),
             Column("mardia_kurtosis", "b2p"), Column("kurtosis_z", "Kurt z", "num", 2),
             Column("kurtosis_pvalue", "Kurt p", "p")),
            frozenset(flag_cells(mv, "skewness_pvalue", lambda v: v < a)
                      | flag_cells(mv, "kurtosis_pvalue", lambda v: v < a)),
            ("Mardia (1970); rows complete on the construct's items.",)))
    return tables


_ORDINAL_ALPHA_NOTE = (
    "Ordinal alpha: alpha of the polychoric correlation matrix of the construct's items "
    "(Zumbo, Gadermann & Zeisser, 2007, Journal of Modern Applied Statistical Methods, "
    "6(1), 21-29), for items with integer answers and at most 10 distinct values: the "
    "reliability of the continuous responses assumed to underlie the answers, not of the "
    "observed sum score, so usually above alpha.")


def _reliability(res: Results) -> list[Table]:
    r = res.reliability
    if r is None:
        return []
    c = r.constructs
    v = res.verdicts
    flags = judged(c, v, ("alpha", "alpha"), ("rho_c", "rho_c"), ("ave", "ave"))
    cols = (Column("construct", "Construct", "text"), Column("n_items", "Items", "int"),
            Column("n", "N", "int"), Column("alpha", "Alpha"),
            Column("alpha_ci_lower", "95% CI low"),
            Column("alpha_ci_upper", "95% CI high"),
            Column("std_alpha", "Std. alpha"), Column("alpha_ordinal", "Ordinal alpha"),
            Column("omega", "Omega"), Column("rho_c", "CR (rho_c)"), Column("ave", "AVE"))
    notes = (v.note(("alpha", "rho_c", "ave")),
             ("Omega from a one-factor (minres) model of each construct's correlations; "
              "CR and AVE from the CFA's standardised loadings"
              if r.composite_source == "cfa" else
              "Omega, CR and AVE from a one-factor (minres) model of each construct's "
              "correlations") + f"; missing values: {r.missing_policy}.",
             _ORDINAL_ALPHA_NOTE, *r.notes)
    tables = [Table("reliability", "Reliability and convergent validity", c, cols,
                    frozenset(flags), notes)]
    it = r.items
    alpha_of = dict(zip(c["construct"], c["alpha"], strict=True))
    iflags = judged(it, v, ("item_total_r", "item_total_r"), ("loading", "loading"))
    for i, (con, a_del) in enumerate(zip(it["construct"], it["alpha_if_deleted"], strict=True)):
        if v.alpha_raised(a_del, alpha_of.get(con)):
            iflags.add((i, "alpha_if_deleted"))
    tables.append(Table(
        "item_stats", "Item-total statistics", it,
        (Column("construct", "Construct", "text"), Column("item", "Item", "text"),
         Column("n", "N", "int"), Column("mean", "Mean"), Column("sd", "SD"),
         Column("item_total_r", "Item-total r"),
         Column("alpha_if_deleted", "Alpha if deleted"),
         Column("alpha_ordinal_if_deleted", "Ordinal alpha if deleted", console=False),
         Column("loading", "Loading")),
        frozenset(iflags),
        (v.note(("item_total_r", "loading"),
                "alpha if deleted not above the construct's alpha"),
         "Loading: one-factor (minres) loading of the item on its construct.")))
    return tables


def _missing_data(res: Results) -> list[Table]:
    md = res.missing_data
    if md is None:
        return []
    cover = md.coverage.to_numpy(dtype=float)
    items = list(md.items)
    rows = []
    for i, item in enumerate(items):
        others = [j for j in range(len(items)) if j != i]
        low = min(others, key=lambda j: cover[i, j]) if others else None
        rows.append({"item": item, "answered": round(cover[i, i] * md.n_used),
                     "share": 100.0 * cover[i, i],
                     "pair_min": 100.0 * cover[i, low] if low is not None else float("nan"),
                     "with": items[low] if low is not None else ""})
    frame = pd.DataFrame(rows)
    low_pairs = {(k, "pair_min") for k, v in enumerate(frame["pair_min"]) if v < 10.0}
    notes = (f"{md.n_used} of {md.n_rows} respondents answered at least one item and enter "
             f"the FIML estimation ({md.n_complete} answered every item); "
             f"{md.n_patterns} missing-data pattern(s); the lowest coverage of a pair of "
             f"items is {md.min_coverage:.1%}.",
             "Coverage: the share of these respondents answering the item (and, for the "
             "pair, both items); lavaan's lavInspect(fit, \"coverage\"). FIML assumes the "
             "answers are missing at random (Enders 2010).")
    patterns = md.patterns.head(10).assign(share=lambda f: 100.0 * f["share"])
    tables = [Table("missing_data", "Missing data: coverage of the model's items (FIML)",
                    frame, (Column("item", "Item", "text"),
                            Column("answered", "Answered", "int"),
                            Column("share", "Coverage %", "pct"),
                            Column("pair_min", "Lowest pair %", "pct"),
                            Column("with", "Pair with", "text")),
                    frozenset(low_pairs), notes)]
    if md.n_patterns > 1:
        more = (f"The {len(patterns)} most frequent of {md.n_patterns} patterns; the JSON "
                "report lists all.",) if md.n_patterns > len(patterns) else ()
        tables.append(Table(
            "missing_patterns", "Missing-data patterns", patterns,
            (Column("n", "Respondents", "int"), Column("share", "Share %", "pct"),
             Column("missing", "Unanswered items", "text", wrap=True)),
            frozenset(), more))
    return tables


def _collinearity(res: Results) -> list[Table]:
    c = res.collinearity
    if c is None or not len(c):
        return []
    return [Table("collinearity", "Full collinearity VIF (construct scores)", c,
                  (Column("construct", "Construct", "text"), Column("vif", "VIF", "num", 2)),
                  frozenset(judged(c, res.verdicts, ("vif", "fc_vif"))),
                  ("Each construct's mean score regressed on all the others; above the cut-off, "
                   "common method bias or lateral collinearity is likely (Kock & Lynn 2012).",
                   res.verdicts.note(("fc_vif",))))]


def _checks(res: Results) -> list[Table]:
    ch = res.checks
    if ch is None:
        return []
    frame = ch.checks.copy()
    frame["where"] = [
        f"{r.construct} / {r.other}" if isinstance(r.other, str) and r.other else
        (r.item if isinstance(r.item, str) and r.item else
         (r.construct if isinstance(r.construct, str) else
          "model" + (f" ({v})" if isinstance(v := getattr(r, "variant", ""), str) and v
                     else "")))
        for r in frame.itertuples()]
    frame["cutoff"] = [f"{d} {t:g}" for d, t in zip(frame["direction"], frame["threshold"],
                                                    strict=True)]
    frame["result"] = ["pass" if p else "FAIL" for p in frame["passed"]]
    failed = {(i, key) for i, p in enumerate(frame["passed"]) if not p
              for key in ("value", "result")}
    notes = [f"Rule set: {ch.rule_set}. {len(frame) - len(ch.failed)} of {len(frame)} "
             "checks passed."]
    notes += [f"Not checked: {r.name}: {r.reason}." for r in
              ch.skipped.drop_duplicates("name").itertuples()]
    return [Table("checks", "Quality checks", frame,
                  (Column("name", "Rule", "text"), Column("where", "Construct / item", "text"),
                   Column("source", "Source", "text"), Column("value", "Value"),
                   Column("cutoff", "Cut-off", "text"), Column("result", "Result", "text"),
                   Column("citation", "Citation", "text", wrap=True)),
                  frozenset(failed), tuple(notes))]


_BUILDERS = (_checks, _descriptives, _metrics, _data_quality, _missing_data, _normality,
             _reliability, _collinearity, polychoric_tables, cfa_tables, pls_tables,
             paths_tables, pls_model_tables, pls_guideline_tables, group_tables)


def build_tables(res: Results) -> list[Table]:
    """All display tables of a run, in report order."""
    out: list[Table] = []
    for builder in _BUILDERS:
        out.extend(builder(res))
    return mark_consistent(out, res)
