"""The one place that turns :class:`Results` into display tables.

Every renderer that shows tables (console, CSV, Excel) asks :func:`build_tables` for the
same list; column labels, number kinds and threshold flags live here and only here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.report.formatting import format_value
from cxsurvey.report.quality_table import data_quality_notes
from cxsurvey.results import Results


@dataclass(frozen=True)
class Column:
    """A displayed column: data key, label, kind (text|int|num|p|pct) and decimals.

    ``console`` and ``files`` say where the column is shown: wide detail (answer
    percentages per scale point) goes to Excel/CSV, a compact form to the terminal.
    ``wrap`` marks long text (effect paths, citations) that the console wraps inside
    its cell rather than widening the table.
    """

    key: str
    label: str
    kind: str = "num"
    decimals: int = 3
    console: bool = True
    files: bool = True
    wrap: bool = False


@dataclass(frozen=True)
class Table:
    """One displayed table.

    Attributes
    ----------
    key : str
        Stable identifier (CSV file name, Excel sheet name).
    title : str
        Heading shown to people.
    frame : DataFrame
        Raw values, one column per :class:`Column` key.
    columns : tuple of Column
    flags : frozenset
        ``(row position, column key)`` cells that breach a threshold.
    notes : tuple of str
        Footnotes: thresholds used, how missing values were handled.
    """

    key: str
    title: str
    frame: pd.DataFrame
    columns: tuple[Column, ...]
    flags: frozenset[tuple[int, str]] = field(default_factory=frozenset)
    notes: tuple[str, ...] = ()

    @property
    def console_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.console and c.key in self.frame.columns)

    @property
    def file_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.files and c.key in self.frame.columns)

    @property
    def console_only_keys(self) -> frozenset[str]:
        return frozenset(c.key for c in self.columns if not c.files)


def _flags(frame: pd.DataFrame, key: str, bad) -> set[tuple[int, str]]:
    if key not in frame.columns:
        return set()
    vals = pd.to_numeric(frame[key], errors="coerce")
    return {(i, key) for i, v in enumerate(vals) if pd.notna(v) and bad(float(v))}


def _judged(frame: pd.DataFrame, v: Verdicts, *columns: tuple[str, str],
            rows: list[bool] | None = None) -> set[tuple[int, str]]:
    """Cells whose value breaks a rule of the run's rule set: ``(column, statistic)``
    pairs; ``rows`` limits the rows judged (e.g. reflective items only)."""
    out: set[tuple[int, str]] = set()
    for key, statistic in columns:
        for i, value in _cells(frame, key):
            if (rows is None or rows[i]) and v.fails(statistic, value):
                out.add((i, key))
    return out


def _cells(frame: pd.DataFrame, key: str) -> list[tuple[int, float]]:
    if key not in frame.columns:
        return []
    return list(enumerate(pd.to_numeric(frame[key], errors="coerce")))


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
    cols.append(Column("distribution", f"% {pts[0]}..{pts[-1]}" if pts else "%", "text",
                       files=False))
    cols.append(Column("top2_box", "Top-2 %", "pct"))
    frame = d.items.copy()
    if pts:
        pct = frame[[f"pct_{k}" for k in pts]].to_numpy(dtype=float)
        frame["distribution"] = [
            "/".join("" if v != v else f"{v:.0f}" for v in row) for row in pct]
    flags = _flags(d.items, "sd", lambda v: v == 0)
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
    item_flags = _flags(nr.items, "ks_pvalue", lambda v: v < a) | _flags(
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
        frozenset(_flags(nr.constructs, "ks_pvalue", lambda v: v < a)
                  | _flags(nr.constructs, "sw_pvalue", lambda v: v < a))))
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
            frozenset(_flags(mv, "skewness_pvalue", lambda v: v < a)
                      | _flags(mv, "kurtosis_pvalue", lambda v: v < a)),
            ("Mardia (1970); rows complete on the construct's items.",)))
    return tables


def _reliability(res: Results) -> list[Table]:
    r = res.reliability
    if r is None:
        return []
    c = r.constructs
    v = res.verdicts
    flags = _judged(c, v, ("alpha", "alpha"), ("rho_c", "rho_c"), ("ave", "ave"))
    cols = (Column("construct", "Construct", "text"), Column("n_items", "Items", "int"),
            Column("n", "N", "int"), Column("alpha", "Alpha"),
            Column("alpha_ci_lower", "95% CI low"),
            Column("alpha_ci_upper", "95% CI high"),
            Column("std_alpha", "Std. alpha"), Column("omega", "Omega"),
            Column("rho_c", "CR (rho_c)"), Column("ave", "AVE"))
    notes = (v.note(("alpha", "rho_c", "ave")),
             ("Omega from a one-factor (minres) model of each construct's correlations; "
              "CR and AVE from the CFA's standardised loadings"
              if r.composite_source == "cfa" else
              "Omega, CR and AVE from a one-factor (minres) model of each construct's "
              "correlations") + f"; missing values: {r.missing_policy}.", *r.notes)
    tables = [Table("reliability", "Reliability and convergent validity", c, cols,
                    frozenset(flags), notes)]
    it = r.items
    alpha_of = dict(zip(c["construct"], c["alpha"], strict=True))
    iflags = _judged(it, v, ("item_total_r", "item_total_r"), ("loading", "loading"))
    for i, (con, a_del) in enumerate(zip(it["construct"], it["alpha_if_deleted"], strict=True)):
        if v.alpha_raised(a_del, alpha_of.get(con)):
            iflags.add((i, "alpha_if_deleted"))
    tables.append(Table(
        "item_stats", "Item-total statistics", it,
        (Column("construct", "Construct", "text"), Column("item", "Item", "text"),
         Column("n", "N", "int"), Column("mean", "Mean"), Column("sd", "SD"),
         Column("item_total_r", "Item-total r"),
         Column("alpha_if_deleted", "Alpha if deleted"), Column("loading", "Loading")),
        frozenset(iflags),
        (v.note(("item_total_r", "loading"),
                "alpha if deleted not above the construct's alpha"),
         "Loading: one-factor (minres) loading of the item on its construct.")))
    return tables


_FIT_ROWS = (("chisq", "Chi-square"), ("df", "df"), ("pvalue", "p"), ("cfi", "CFI"),
             ("tli", "TLI"), ("rmsea", "RMSEA"), ("rmsea_ci_lower", "RMSEA 90% CI low"),
             ("rmsea_ci_upper", "RMSEA 90% CI high"), ("srmr", "SRMR"), ("aic", "AIC"),
             ("bic", "BIC"), ("n", "N"))
FIT_JUDGED = ("cfi", "tli", "rmsea", "srmr")
"""Fit indices a rule set can judge (their statistic names)."""


def _fit_table(key: str, title: str, fit: Mapping[str, Any], v: Verdicts) -> Table:
    kinds = {"df": "int", "n": "int", "pvalue": "p"}
    rows, flags = [], set()
    for i, (k, label) in enumerate(r for r in _FIT_ROWS if r[0] in fit):
        value = fit.get(k)
        cuts = v.thresholds(k) if k in FIT_JUDGED else ()
        rows.append({"index": label, "value": value,
                     "shown": format_value(value, kinds.get(k, "num"), 3),
                     "cutoff": "; ".join(f"{t.direction} {t.value:g} ({t.citation})"
                                         for t in cuts)})
        if k in FIT_JUDGED and v.fails(k, value):
            flags.add((i, "value"))
    return Table(key, title, pd.DataFrame(rows, columns=["index", "value", "shown", "cutoff"]),
                 (Column("index", "Index", "text"), Column("value", "Value", console=False),
                  Column("shown", "Value", "text", files=False),
                  Column("cutoff", "Cut-off", "text", wrap=True)),
                 frozenset((i, "shown") for i, _ in flags) | frozenset(flags),
                 ("Chi-square = N x F_ML with the biased (N) covariance, RMSEA with divisor N "
                  "and SRMR (Bentler) as lavaan reports them.",))


def _cfa(res: Results) -> list[Table]:
    c = res.cfa
    if c is None:
        return []
    v = res.verdicts
    out = [_fit_table("cfa_fit", "CFA model fit", c.fit, v)]
    weak = _judged(c.loadings, v, ("std_all", "loading"))
    heywood = {(i, "std_all") for i, x in _cells(c.loadings, "std_all") if v.heywood(x)}
    out.append(Table(
        "cfa_loadings", "CFA loadings", c.loadings,
        (Column("construct", "Construct", "text"), Column("item", "Item", "text"),
         Column("est", "Estimate"), Column("se", "SE (boot)" if c.bootstrap else "SE"),
         Column("z", "z", "num", 2), Column("pvalue", "p", "p"),
         Column("ci_lower", "95% CI low"), Column("ci_upper", "95% CI high"),
         Column("std_all", "Std. loading")),
        frozenset(weak | heywood),
        (v.note(("loading",), "|std. loading| <= 1 (above: Heywood case)")
         + " The first loading of each construct is fixed to 1; --drop-weak removes items "
         f"with |std. loading| < {c.loading_threshold:g}.",
         *([f"Bootstrap: {c.bootstrap['used']} of {c.bootstrap['requested']} resamples "
            f"(seed {c.bootstrap['seed']}); SE = bootstrap SD, percentile CIs."]
           if c.bootstrap else ["CIs: estimate +/- 1.96 SE (Wald), as lavaan."]),
         *([f"Dropped before this fit: {', '.join(c.dropped)}."] if c.dropped else []))))
    if len(c.factor_correlations):
        out.append(Table(
            "cfa_factor_correlations", "Factor correlations", c.factor_correlations,
            (Column("a", "Construct", "text"), Column("b", "with", "text"),
             Column("std_all", "r"), Column("est", "Covariance"), Column("se", "SE"),
             Column("pvalue", "p", "p"))))
    rel = c.reliability
    flags = _judged(rel, v, ("rho_c", "rho_c"), ("ave", "ave"))
    out.append(Table(
        "cfa_reliability", "CR and AVE (CFA)", rel,
        (Column("construct", "Construct", "text"), Column("n_items", "Items", "int"),
         Column("rho_c", "CR (rho_c)"), Column("ave", "AVE"),
         Column("omega", "Omega (compRelSEM)"), Column("ave_semtools", "AVE (semTools)")),
        frozenset(flags),
        ("CR and AVE from the standardised loadings (Fornell & Larcker 1981). Omega as "
         "semTools::compRelSEM.", v.note(("rho_c", "ave")))))
    out.extend(_validity_tables("", "", c.htmt, c.fornell_larcker, v))
    return out


def _validity_tables(key_prefix: str, label: str, htmt_frame: pd.DataFrame,
                     fl_frame: pd.DataFrame, v: Verdicts) -> list[Table]:
    """HTMT (full matrix) and Fornell-Larcker (lower triangle) as square tables."""
    out: list[Table] = []
    for key, title, frame, note in (
        ("htmt", "HTMT (discriminant validity)", htmt_frame,
         v.note(("htmt",)) + " Henseler et al. (2015): .85 strict, .90 liberal."),
        ("fornell_larcker", "Fornell-Larcker criterion", fl_frame,
         "Diagonal: sqrt(AVE); off-diagonal: factor correlations. sqrt(AVE) should exceed "
         "the construct's correlations (Fornell & Larcker 1981)."),
    ):
        if not len(frame):
            continue
        names = list(dict.fromkeys(list(frame["a"]) + list(frame["b"])))
        mat = pd.DataFrame(index=names, columns=names, dtype=float)
        for r in frame.itertuples():
            # HTMT: full symmetric matrix; Fornell-Larcker: lower triangle, as published
            mat.loc[r.b, r.a] = r.value
            if key == "htmt":
                mat.loc[r.a, r.b] = r.value
        square = mat.reset_index(names="construct")
        mflags = set()
        for i, a in enumerate(names):
            for b in names:
                value = mat.loc[a, b]
                if pd.isna(value) or a == b:
                    continue
                if key == "htmt" and v.fails("htmt", value):
                    mflags.add((i, b))
                if key == "fornell_larcker" and v.fornell_larcker_fails(
                        value, mat.loc[a, a], mat.loc[b, b]):
                    mflags.add((i, b))
        out.append(Table(key_prefix + key, title + label, square,
                         (Column("construct", "Construct", "text"),
                          *(Column(n, n) for n in names)), frozenset(mflags), (note,)))
    return out


def _pls(res: Results) -> list[Table]:
    p = res.pls
    if p is None:
        return []
    out: list[Table] = []
    o = p.outer
    v = res.verdicts
    reflective = ([m == "A" for m in o["mode"]] if "mode" in o.columns
                  else [True] * len(o))
    weak = _judged(o, v, ("loading", "loading"), rows=reflective)
    cols = [Column("construct", "Construct", "text"), Column("item", "Item", "text"),
            Column("mode", "Mode", "text"), Column("loading", "Loading"),
            Column("weight", "Weight")]
    if "loading_se" in o.columns:
        cols += [Column("loading_se", "SD (boot)"), Column("loading_t", "T", "num", 2),
                 Column("loading_pvalue", "p", "p"),
                 Column("loading_ci_lower", "95% CI low"),
                 Column("loading_ci_upper", "95% CI high")]
    out.append(Table("pls_outer", "PLS outer loadings and weights", o, tuple(cols),
                     frozenset(weak),
                     (v.note(("loading",)) + " Reflective (mode A) loadings only; items "
                      "between .40 and .708 are kept when CR and AVE are adequate (Hair et al. "
                      "2019).",)))
    rel = p.reliability
    flags = _judged(rel, v, ("alpha", "alpha"), ("rho_a", "rho_a"), ("rho_c", "rho_c"),
                    ("ave", "ave"))
    out.append(Table(
        "pls_reliability", "Reliability and validity (PLS)", rel,
        (Column("construct", "Construct", "text"), Column("n_items", "Items", "int"),
         Column("alpha", "Alpha"), Column("rho_a", "rho_A"), Column("rho_c", "CR (rho_c)"),
         Column("ave", "AVE")), frozenset(flags),
        (v.note(("alpha", "rho_a", "rho_c", "ave")),
         "rho_A: Dijkstra & Henseler (2015).")))
    out.extend(_validity_tables("pls_", " (PLS)", p.htmt, p.fornell_larcker, v))
    if len(p.cross_loadings):
        cl = p.cross_loadings
        owner = {i: c for c, i in zip(o["construct"], o["item"], strict=True)}
        names = [c for c in cl.columns if c != "item"]
        clflags = set()
        for i, row in enumerate(cl.itertuples(index=False)):
            values = dict(zip(cl.columns, row, strict=True))
            own = values.get(owner.get(values["item"]))
            for c in names:
                if c != owner.get(values["item"]) and own is not None \
                        and abs(values[c]) >= abs(own):
                    clflags.add((i, c))
        out.append(Table("pls_cross_loadings", "Cross-loadings (PLS)", cl,
                         (Column("item", "Item", "text"), *(Column(c, c) for c in names)),
                         frozenset(clflags),
                         ("* = an item loads at least as high on another construct as on its "
                          "own (Chin 1998).",)))
    if len(p.f2):
        out.append(Table("pls_f2", "Effect sizes f2 (PLS)", p.f2,
                         (Column("from", "From", "text"), Column("to", "To", "text"),
                          Column("f2", "f2")),
                         notes=("Cohen (1988): .02 small, .15 medium, .35 large.",)))
    if len(p.vif):
        out.append(Table("pls_vif", "Collinearity VIF (PLS)", p.vif,
                         (Column("kind", "Kind", "text"), Column("construct", "Construct", "text"),
                          Column("variable", "Variable", "text"), Column("vif", "VIF", "num", 2)),
                         frozenset(_judged(p.vif, v, ("vif", "vif"))),
                         (v.note(("vif",)),)))
    return out


def _paths(res: Results) -> list[Table]:
    out: list[Table] = []
    v = res.verdicts
    for p in res.paths:
        label = "CB-SEM" if p.method == "cb" else "PLS-SEM"
        frame = p.paths.copy()
        frame["supported"] = ["yes" if v.significant(x) else "no" for x in frame["pvalue"]]
        se_label = "SD (bootstrap)" if p.se_method == "bootstrap" else "SE"
        out.append(Table(
            f"paths_{p.method}", f"Structural paths ({label})", frame,
            (Column("from", "From", "text"), Column("to", "To", "text"),
             *((Column("est", "Beta"),) if p.method == "pls" else
               (Column("est", "Estimate"), Column("std_all", "Beta (std.)"))),
             Column("se", se_label), Column("t", "z" if p.method == "cb" else "T", "num", 3),
             Column("pvalue", "p", "p"), Column("ci_lower", "95% CI low"),
             Column("ci_upper", "95% CI high"),
             *((Column("bca_lower", "BCa low"), Column("bca_upper", "BCa high"))
               if "bca_lower" in frame.columns else ()),
             Column("supported", "Supported", "text")),
            frozenset((i, "pvalue") for i, x in _cells(frame, "pvalue")
                      if pd.notna(x) and not v.significant(x)),
            (f"Supported: p < {v.significance:g} (two-tailed)."
             + (f" Bootstrap: {p.bootstrap['used']} of {p.bootstrap['requested']} resamples "
                f"(seed {p.bootstrap['seed']}), percentile CIs."
                if p.bootstrap else " CIs: estimate +/- 1.96 SE."),)))
        if len(p.r2):
            out.append(Table(f"r2_{p.method}", f"Explained variance ({label})", p.r2,
                             (Column("construct", "Construct", "text"), Column("r2", "R2"),
                              Column("r2_adj", "Adj. R2"))))
        if len(p.effects):
            out.append(Table(
                f"effects_{p.method}", f"Effects ({label})", p.effects,
                (Column("kind", "Effect", "text"), Column("path", "Path", "text", wrap=True),
                 Column("est", "Estimate"), Column("std_all", "Std."), Column("se", "SE"),
                 Column("pvalue", "p", "p"), Column("ci_lower", "95% CI low"),
                 Column("ci_upper", "95% CI high")),
                notes=("Specific indirect effect = product of the chain's coefficients; "
                       "total = direct + all indirect.",)))
        if p.fit:
            out.append(_fit_table(f"sem_fit_{p.method}", f"Structural model fit ({label})",
                                  p.fit, v))
    return out


def _collinearity(res: Results) -> list[Table]:
    c = res.collinearity
    if c is None or not len(c):
        return []
    return [Table("collinearity", "Full collinearity VIF (construct scores)", c,
                  (Column("construct", "Construct", "text"), Column("vif", "VIF", "num", 2)),
                  frozenset(_judged(c, res.verdicts, ("vif", "fc_vif"))),
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
         (r.construct if isinstance(r.construct, str) else "model"))
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


_BUILDERS = (_checks, _descriptives, _data_quality, _normality, _reliability, _collinearity,
             _cfa, _pls, _paths)


def build_tables(res: Results) -> list[Table]:
    """All display tables of a run, in report order."""
    out: list[Table] = []
    for builder in _BUILDERS:
        out.extend(builder(res))
    return out
