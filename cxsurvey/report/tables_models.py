"""Display tables of the models: CFA fit, loadings, CR/AVE, HTMT and Fornell-Larcker,
PLS-SEM criteria, structural paths, R2 and effects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cxsurvey.gates.fit import judged_fit
from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.report.formatting import format_value
from cxsurvey.report.table_model import Column, Table, cells, judged
from cxsurvey.results import Results
from cxsurvey.stats.paths import PathsResult

__all__ = ["FIT_JUDGED", "MODINDICES_KEYS", "cfa_tables", "fit_table", "modindices_of",
           "modindices_table", "paths_tables", "pls_tables", "thresholds_table",
           "validity_tables"]


_FIT_ROWS = (("chisq", "Chi-square"), ("df", "df"), ("pvalue", "p"), ("cfi", "CFI"),
             ("tli", "TLI"), ("rmsea", "RMSEA"), ("rmsea_ci_lower", "RMSEA 90% CI low"),
             ("rmsea_ci_upper", "RMSEA 90% CI high"), ("srmr", "SRMR"), ("aic", "AIC"),
             ("bic", "BIC"), ("n", "N"))
_ROBUST_ROWS = (("chisq_scaled", "Chi-square (scaled)"),
                ("chisq_scaling_factor", "Scaling factor"),
                ("chisq_shift_parameter", "Shift parameter"), ("pvalue_scaled", "p (scaled)"),
                ("cfi_robust", "CFI (robust)"), ("tli_robust", "TLI (robust)"),
                ("rmsea_robust", "RMSEA (robust)"),
                ("rmsea_ci_lower_robust", "RMSEA (robust) 90% CI low"),
                ("rmsea_ci_upper_robust", "RMSEA (robust) 90% CI high"))
_ROBUST_NOTES = {
    "MLM": "MLM (lavaan's estimator = \"MLM\"): ML estimates with robust SEs and the "
           "Satorra-Bentler scaled chi-square (= chi-square / scaling factor).",
    "MLR": "MLR (lavaan's estimator = \"MLR\"): ML estimates with Huber-White robust SEs "
           "and the Yuan-Bentler scaled chi-square as Mplus (= chi-square / scaling factor).",
    "WLSMV": "WLSMV (lavaan's estimator = \"WLSMV\", ordered items): DWLS estimates on "
             "polychoric correlations, robust SEs, mean-and-variance adjusted "
             "(scaled-shifted) test, as lavaan's WLSMV (scaled chi-square = chi-square x "
             "scaling factor + shift parameter).",
}
_FIT_NOTE_ML = ("Chi-square = N x F_ML with the biased (N) covariance, RMSEA with divisor "
                "N and SRMR (Bentler) as lavaan reports them.")
_FIT_NOTE_WLSMV = ("Chi-square = the DWLS test statistic (lavaan's 'standard' test of WLSMV), "
                   "RMSEA with divisor N - 1 and SRMR from the residual polychoric "
                   "correlations, as lavaan reports them; no AIC/BIC (no likelihood).")
_ROBUST_INDICES = {
    "WLSMV": "Robust CFI/TLI/RMSEA for categorical data (Savalei 2021) as lavaan's *.robust",
}
FIT_JUDGED = ("cfi", "tli", "rmsea", "srmr")
"""Fit indices a rule set can judge (their statistic names)."""


def _defined(value: Any) -> bool:
    """A fit value that exists and is a number (not NaN)."""
    try:
        return value is not None and value == value and float(value) == float(value)
    except (TypeError, ValueError):
        return False


def fit_table(key: str, title: str, fit: Mapping[str, Any], v: Verdicts,
              estimator: str = "ML", fiml: bool = False) -> Table:
    """The fit measures of a CB model; with a robust estimator (MLM, MLR, WLSMV) the title
    names it and the scaled chi-square, its scaling factor (and WLSMV's shift parameter)
    and the robust CFI/TLI/RMSEA follow the unscaled rows. Cut-offs and flags sit on the
    rows the rules judge (:func:`cxsurvey.gates.fit.judged_fit`): the robust indices after
    MLM/MLR/WLSMV."""
    kinds = {"df": "int", "n": "int", "npar": "int", "baseline_df": "int", "pvalue": "p",
             "pvalue_scaled": "p"}
    robust = estimator in _ROBUST_NOTES
    # the rows the rules judge: CFI/TLI/RMSEA robust (else scaled) after MLM/MLR
    judged = {j.key: j.statistic for j in (judged_fit(fit, s, estimator) for s in FIT_JUDGED)}
    shown = [r for r in _FIT_ROWS if r[0] in fit]
    if robust:
        at = next((i for i, r in enumerate(shown) if r[0] == "n"), len(shown))
        # robust rows lavaan leaves undefined (WLSMV with continuous indicators) are left out
        shown[at:at] = [r for r in _ROBUST_ROWS if _defined(fit.get(r[0]))] + [
            (k, f"{k.split('_')[0].upper()} (scaled)") for k in judged
            if k.endswith("_scaled")]
        title = f"{title} ({estimator})"
    rows, flags = [], set()
    for i, (k, label) in enumerate(shown):
        value = fit.get(k)
        stat = judged.get(k)
        cuts = v.thresholds(stat) if stat is not None else ()
        rows.append({"index": label, "value": value,
                     "shown": format_value(value, kinds.get(k, "num"), 3),
                     "cutoff": "; ".join(f"{t.direction} {t.value:g} ({t.citation})"
                                         for t in cuts)})
        if stat is not None and v.fails(stat, value):
            flags.add((i, "value"))
    row_kinds = tuple(kinds.get(k, "num") for k, _ in shown)
    return Table(key, title, pd.DataFrame(rows, columns=["index", "value", "shown", "cutoff"]),
                 (Column("index", "Index", "text"),
                  Column("value", "Value", console=False, row_kinds=row_kinds),
                  Column("shown", "Value", "text", files=False),
                  Column("cutoff", "Cut-off", "text", wrap=True)),
                 frozenset((i, "shown") for i, _ in flags) | frozenset(flags),
                 (("FIML (lavaan missing = 'ml'): every respondent with an answer, with a "
                   "mean structure; chi-square = the likelihood-ratio test against the "
                   "unrestricted model estimated by EM; SRMR (Bentler) against the EM "
                   "means and covariances; SEs from the observed information."
                   if fiml else _FIT_NOTE_WLSMV if estimator == "WLSMV" else _FIT_NOTE_ML),
                  *([_ROBUST_NOTES[estimator] + " " + _ROBUST_INDICES.get(
                      estimator, "Robust CFI/TLI (Brosseau-Liard & Savalei 2014) and RMSEA "
                      "(Brosseau-Liard, Savalei & Li 2012) as lavaan's *.robust")
                     + "; the cut-offs judge the robust CFI, TLI and RMSEA (the scaled "
                     "ones where a robust index is undefined) and SRMR."]
                    if robust else [])))


def _residual_covariances(key: str, title: str, frame: pd.DataFrame, se_label: str) -> Table:
    """Covariances between two observed variables (the model's correlated residuals)."""
    return Table(
        key, title, frame,
        (Column("lhs", "Variable", "text"), Column("rhs", "with", "text"),
         Column("std_all", "r"), Column("est", "Covariance"), Column("se", se_label),
         Column("z", "z", "num", 2), Column("pvalue", "p", "p"),
         Column("ci_lower", "95% CI low"), Column("ci_upper", "95% CI high")),
        notes=("Correlated residuals of the model (x ~~ y between observed variables); "
               "r = the residual correlation (lavaan's std.all).",))


def cfa_tables(res: Results) -> list[Table]:
    c = res.cfa
    if c is None:
        return []
    v = res.verdicts
    out = [fit_table("cfa_fit", "CFA model fit", c.fit, v, c.estimator,
                     res.meta.get("missing_policy") == "fiml")]
    weak = judged(c.loadings, v, ("std_all", "loading"))
    heywood = {(i, "std_all") for i, x in cells(c.loadings, "std_all") if v.heywood(x)}
    out.append(Table(
        "cfa_loadings", "CFA loadings", c.loadings,
        (Column("construct", "Construct", "text"), Column("item", "Item", "text"),
         Column("est", "Estimate"),
         Column("se", "SE (boot)" if c.bootstrap else f"SE ({c.estimator})"
                if c.estimator != "ML" else "SE"),
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
    if len(c.residual_covariances):
        out.append(_residual_covariances(
            "cfa_residual_covariances", "Residual covariances (CFA)", c.residual_covariances,
            "SE (boot)" if c.bootstrap else f"SE ({c.estimator})" if c.estimator != "ML"
            else "SE"))
    if c.intercepts is not None and len(c.intercepts):
        out.append(Table(
            "cfa_intercepts", "Item intercepts (FIML mean structure)", c.intercepts,
            (Column("item", "Item", "text"), Column("est", "Intercept"),
             Column("se", f"SE ({c.estimator})" if c.estimator != "ML" else "SE"),
             Column("ci_lower", "95% CI low"), Column("ci_upper", "95% CI high")),
            notes=("The model-implied item means under FIML (lavaan's ~1 rows); latent "
                   "means are fixed at 0.",)))
    if c.thresholds is not None and len(c.thresholds):
        out.append(thresholds_table("cfa_thresholds", "Thresholds (WLSMV)", c.thresholds))
    rel = c.reliability
    flags = judged(rel, v, ("rho_c", "rho_c"), ("ave", "ave"))
    out.append(Table(
        "cfa_reliability", "CR and AVE (CFA)", rel,
        (Column("construct", "Construct", "text"), Column("n_items", "Items", "int"),
         Column("rho_c", "CR (rho_c)"), Column("ave", "AVE"),
         Column("omega", "Omega (compRelSEM)"), Column("ave_semtools", "AVE (semTools)")),
        frozenset(flags),
        ("CR and AVE from the standardised loadings (Fornell & Larcker 1981). Omega as "
         "semTools::compRelSEM" + (" with ord.scale = TRUE: the reliability of the summed "
                                   "category scores (Green & Yang 2009)."
                                   if c.estimator == "WLSMV" else "."),
         v.note(("rho_c", "ave")))))
    out.extend(validity_tables("", "", c.htmt, c.fornell_larcker, v))
    if c.modification_indices is not None:
        out.append(modindices_table("cfa_modindices", "Modification indices (CFA)",
                                    c.modification_indices, c.estimator))
    return out


def thresholds_table(key: str, title: str, thresholds: pd.DataFrame) -> Table:
    """The thresholds of ordinal items, one row per item: ``t1 .. tk`` and their SEs.

    Parameters
    ----------
    key, title : str
    thresholds : DataFrame
        ``item, threshold, est, se`` (lavaan's ``|`` rows, items in model order).

    Returns
    -------
    Table
        ``item, t1 .. tk, se_t1 .. se_tk`` (empty cells where an item has fewer
        thresholds: unused answer categories).
    """
    items = list(dict.fromkeys(thresholds["item"]))
    names = list(dict.fromkeys(thresholds["threshold"]))
    names.sort(key=lambda t: int(str(t)[1:]) if str(t)[1:].isdigit() else 0)
    est = thresholds.pivot(index="item", columns="threshold", values="est")
    se = thresholds.pivot(index="item", columns="threshold", values="se")
    frame = pd.DataFrame({"item": items})
    for t in names:
        frame[t] = est[t].reindex(items).to_numpy(dtype=float)
    for t in names:
        frame[f"se_{t}"] = se[t].reindex(items).to_numpy(dtype=float)
    return Table(
        key, title, frame,
        (Column("item", "Item", "text"), *(Column(t, t) for t in names),
         *(Column(f"se_{t}", f"SE {t}", console=False) for t in names)),
        notes=("Thresholds of the latent responses (lavaan's item | t rows): the z-values "
               "that cut the standard-normal response into the answer categories; under "
               "WLSMV they equal the sample thresholds. An item with an unused answer "
               "category has fewer thresholds.",))


MODINDICES_KEYS = ("cfa_modindices", "sem_modindices_cb")
"""Keys of the modification-index tables (the console shows their largest rows only)."""

MODINDICES_CAUTION = (
    "Caution: change the model only where theory gives a reason; freeing parameters "
    "because of large modification indices capitalises on chance and the modified model "
    "needs new data to be confirmed (MacCallum, Roznowski & Necowitz 1992).")


def modindices_of(res: Results) -> tuple[str, pd.DataFrame] | None:
    """The run's modification indices and the model they belong to: the CFA's (``"cfa"``)
    when it ran, else the covariance-based structural model's (``"cb"``); None when
    neither has them."""
    if res.cfa is not None:
        mi = res.cfa.modification_indices
        return ("cfa", mi) if mi is not None else None
    for p in res.paths:
        if p.method == "cb" and p.modification_indices is not None:
            return "cb", p.modification_indices
    return None


def modindices_table(key: str, title: str, mi: pd.DataFrame, estimator: str = "ML") -> Table:
    """lavaan's ``modindices`` as a table, largest index first, with the caution note.

    References
    ----------
    Sörbom, D. (1989). Model modification. Psychometrika, 54(3), 371-384 (MI and EPC).
    MacCallum, R. C., Roznowski, M., & Necowitz, L. B. (1992). Model modifications in
    covariance structure analysis: The problem of capitalization on chance.
    Psychological Bulletin, 111(3), 490-504.
    """
    return Table(
        key, title, mi.reset_index(drop=True),
        (Column("lhs", "lhs", "text"), Column("op", "op", "text"), Column("rhs", "rhs", "text"),
         Column("mi", "MI", "num", 2), Column("epc", "EPC"), Column("sepc_all", "Std. EPC")),
        notes=(
            "MI: the expected drop of the chi-square (1 df; 3.84 = p .05) when the one "
            "parameter is freed; EPC: its expected value; Std. EPC: standardised as "
            "lavaan's sepc.all (Sörbom 1989). =~ a cross-loading, ~~ a (residual) "
            "covariance, ~ a regression."
            + (f" From the ML fit (the estimates of {estimator}); lavaan's modindices "
               "are not scaled." if estimator != "ML" else ""),
            MODINDICES_CAUTION))


def validity_tables(key_prefix: str, label: str, htmt_frame: pd.DataFrame,
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


def _htmt_inference_table(frame: pd.DataFrame, v: Verdicts) -> list[Table]:
    """Bootstrap inference of each HTMT, flagged where the rules' upper-bound test fails."""
    if not len(frame):
        return []
    flags = {(i, "upper_one_sided") for i, (value, mode_b) in enumerate(
        zip(frame["upper_one_sided"], frame["mode_b"], strict=True))
        if not mode_b and v.fails("htmt_upper", value)}
    return [Table(
        "pls_htmt_inference", "HTMT inference (PLS bootstrap)", frame,
        (Column("a", "Construct", "text"), Column("b", "Construct", "text"),
         Column("htmt", "HTMT"), Column("boot_mean", "Mean (boot)"),
         Column("se", "SD (boot)"), Column("ci_lower", "95% CI low"),
         Column("ci_upper", "95% CI high"),
         Column("upper_one_sided", "Upper bound (one-sided 95%)")),
        frozenset(flags),
        (v.note(("htmt_upper",)) + " Discriminant validity is established by inference "
         "when the bootstrap upper bound lies below the threshold (Franke & Sarstedt 2019; "
         ".85 strict, .90 for conceptually similar constructs); percentile bounds of the "
         "run's resamples. Pairs with a formative (mode B) construct are not judged.",))]


def pls_tables(res: Results) -> list[Table]:
    p = res.pls
    if p is None:
        return []
    out: list[Table] = []
    o = p.outer
    v = res.verdicts
    reflective = ([m == "A" for m in o["mode"]] if "mode" in o.columns
                  else [True] * len(o))
    weak = judged(o, v, ("loading", "loading"), rows=reflective)
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
    flags = judged(rel, v, ("alpha", "alpha"), ("rho_a", "rho_a"), ("rho_c", "rho_c"),
                    ("ave", "ave"))
    out.append(Table(
        "pls_reliability", "Reliability and validity (PLS)", rel,
        (Column("construct", "Construct", "text"), Column("n_items", "Items", "int"),
         Column("alpha", "Alpha"), Column("rho_a", "rho_A"), Column("rho_c", "CR (rho_c)"),
         Column("ave", "AVE")), frozenset(flags),
        (v.note(("alpha", "rho_a", "rho_c", "ave")),
         "rho_A: Dijkstra & Henseler (2015).")))
    out.extend(validity_tables("pls_", " (PLS)", p.htmt, p.fornell_larcker, v))
    out.extend(_htmt_inference_table(p.htmt_inference, v))
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
        inner = p.vif.loc[p.vif["kind"] == "inner", "construct"]
        lone = [c for c in dict.fromkeys(inner) if (inner == c).sum() == 1]
        out.append(Table("pls_vif", "Collinearity VIF (PLS)", p.vif,
                         (Column("kind", "Kind", "text"), Column("construct", "Construct", "text"),
                          Column("variable", "Variable", "text"), Column("vif", "VIF", "num", 2)),
                         frozenset(judged(p.vif, v, ("vif", "vif"))),
                         (v.note(("vif",)), *([
                             "Inner VIF n/a (one predictor), so its cell is empty: "
                             f"{', '.join(lone)} each have a single predictor, hence no "
                             "collinearity."] if lone else []))))
    return out


def _effects_table(p: PathsResult, label: str) -> Table:
    """Indirect, total and defined (``:=``) effects of one estimation."""
    eff = p.effects
    named = "label" in eff.columns and bool(eff["label"].notna().any())
    stat = next((c for c in ("z", "t") if c in eff.columns), None)
    methods = set(eff["se_method"].dropna()) if "se_method" in eff.columns else set()
    notes = ["Specific indirect effect = product of the chain's coefficients; total = "
             "direct + all indirect." + (" Defined: the model's := lines." if named else "")]
    if "delta" in methods:
        notes.append("SE: delta method (Sobel 1982) from the covariance matrix of the "
                     "estimates; CIs: estimate +/- 1.96 SE.")
    return Table(
        f"effects_{p.method}", f"Effects ({label})", eff,
        (Column("kind", "Effect", "text"),
         *((Column("label", "Label", "text"),) if named else ()),
         Column("path", "Path", "text", wrap=True),
         Column("est", "Estimate"), Column("std_all", "Std."), Column("se", "SE"),
         *((Column(stat, "z" if stat == "z" else "T", "num", 3),) if stat else ()),
         Column("pvalue", "p", "p"), Column("ci_lower", "95% CI low"),
         Column("ci_upper", "95% CI high")),
        notes=tuple(notes))


def paths_tables(res: Results) -> list[Table]:
    out: list[Table] = []
    v = res.verdicts
    for p in res.paths:
        label = "CB-SEM" if p.method == "cb" else "PLS-SEM"
        frame = p.paths.copy()
        frame["supported"] = ["yes" if v.significant(x) else "no" for x in frame["pvalue"]]
        se_label = ("SD (bootstrap)" if p.se_method == "bootstrap" else
                    f"SE ({p.estimator})" if p.method == "cb" and p.estimator != "ML"
                    else "SE")
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
            frozenset((i, "pvalue") for i, x in cells(frame, "pvalue")
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
            out.append(_effects_table(p, label))
        if p.residual_covariances is not None and len(p.residual_covariances):
            out.append(_residual_covariances(
                f"residual_covariances_{p.method}", f"Residual covariances ({label})",
                p.residual_covariances, se_label))
        if p.fit:
            out.append(fit_table(f"sem_fit_{p.method}", f"Structural model fit ({label})",
                                  p.fit, v, p.estimator,
                                  res.meta.get("missing_policy") == "fiml"))
        if p.modification_indices is not None and res.cfa is None:
            out.append(modindices_table(f"sem_modindices_{p.method}",
                                        f"Modification indices ({label})",
                                        p.modification_indices, p.estimator))
    return out
