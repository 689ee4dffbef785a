"""Plain-language reading of the results, generated from the numbers (never canned).

Every verdict in a sentence (reaches, below, at the limit, supported) comes from the run's
:class:`~cxsurvey.gates.verdicts.Verdicts`, the same object that flags the tables, the
Excel highlights and the HTML shading, so the summary cannot contradict them. Each
sentence names the statistic whose range it gives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from cxsurvey.gates.fit import judged_fit
from cxsurvey.gates.invariance import judge_invariance, level_meaning
from cxsurvey.gates.pls_guidelines import exact_fit, ipma_priorities
from cxsurvey.gates.predictive import predictive_power
from cxsurvey.gates.results import ChecksResult
from cxsurvey.gates.thresholds import Threshold
from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.stats.cb.results import CfaResult
from cxsurvey.stats.findings import Findings
from cxsurvey.stats.items.screen import ScreenResult
from cxsurvey.stats.metrics import MetricsResult
from cxsurvey.stats.paths import PathsResult
from cxsurvey.stats.pls.results import PlsResult

__all__ = ["checks_sentence", "summarise"]


def _f2(x: float) -> str:
    text = f"{x:.2f}"
    return text[1:] if text.startswith("0.") else text.replace("-0.", "-.")


def _f3(x: float) -> str:
    """Up to three decimals without trailing zeros or the leading zero: .708, .5, 3.3."""
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return text[1:] if text.startswith("0.") else text.replace("-0.", "-.")


def _p(x: float) -> str:
    """A p-value as a sentence writes it: ``p < .001`` or ``p = .034``."""
    return "p < .001" if x < 0.001 else f"p = {x:.3f}".replace("0.", ".", 1)


_EFFECTS = {"hedges_g": "Hedges' g", "rank_biserial": "rank-biserial r",
            "omega_squared": "omega squared", "epsilon_squared": "epsilon squared"}


def _names(values: list[str], limit: int = 6) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _cutv(x: float) -> str:
    """A cut-off as analysts write it: .70, .50, .708, 3.3."""
    return _f2(x) if round(x, 2) == x and abs(x) < 1 else _f3(x)


def _cuts(cuts: Iterable[Threshold]) -> str:
    """``>= .70 and < .95``: the cut-offs of one statistic."""
    return " and ".join(f"{t.direction} {_cutv(t.value)}" for t in cuts)


def _cites(cuts: Iterable[Threshold]) -> str:
    return "; ".join(dict.fromkeys(t.citation for t in cuts))


def _cite(cuts: Iterable[Threshold]) -> str:
    """``>= .70, Nunnally & Bernstein 1994``: cut-offs and their sources, for parentheses."""
    cuts = tuple(cuts)
    return f"{_cuts(cuts)}, {_cites(cuts)}"


def _not_judged(v: Verdicts) -> str:
    return f"not judged by the {v.rules.name} rules"


def _failures(rows: pd.DataFrame, col: str, statistic: str, v: Verdicts,
              name: str = "construct") -> str:
    """``below: A .45; above: B .96``: failures grouped by the side they fall on."""
    below: list[str] = []
    above: list[str] = []
    for r in rows.itertuples():
        value = float(getattr(r, col))
        side = above if any(t.direction in ("<", "<=") for t in
                            (f.threshold for f in v.failed(statistic, value))) else below
        side.append(f"{getattr(r, name)} {_f2(value)}")
    parts = ([f"below: {', '.join(below)}"] if below else []) + (
        [f"above: {', '.join(above)}"] if above else [])
    return "; ".join(parts)


def _range_sentence(frame: pd.DataFrame, col: str, statistic: str, v: Verdicts, label: str,
                    what: str = "constructs", source: str = "") -> list[str]:
    """"All 8 constructs reach CR >= .70 (CR .71-.86, from ...; Hair et al. 2019)", the
    failures, and values at the limit; a range alone when the rules do not judge it."""
    c = frame.dropna(subset=[col]) if col in frame else frame.iloc[:0]
    if not len(c):
        return []
    lo, hi = _f2(c[col].min()), _f2(c[col].max())
    src = f", {source}" if source else ""
    cuts = v.thresholds(statistic)
    if not cuts:
        return [f"{label} {lo}-{hi} across {len(c)} {what}{src} ({_not_judged(v)})."]
    bad = c[[v.fails(statistic, x) for x in c[col]]]
    near = c[[v.at_limit(statistic, x) for x in c[col]]]
    head = f"{label} {_cuts(cuts)}"
    rng = f"({label} {lo}-{hi}{src}; {_cites(cuts)})"
    if bad.empty:
        text = f"All {len(c)} {what} reach {head} {rng}"
    else:
        text = (f"{len(c) - len(bad)}/{len(c)} {what} reach {head} {rng}; "
                + _failures(bad, col, statistic, v))
    if len(near):
        text += "; at the limit: " + ", ".join(
            f"{label} of {r.construct} {_f2(getattr(r, col))}" for r in near.itertuples())
    return [text + "."]


def _alpha_sentence(c: pd.DataFrame, v: Verdicts) -> list[str]:
    c = c.dropna(subset=["alpha"])
    if not len(c):
        return []
    cuts = v.thresholds("alpha")
    lo, hi = _f2(c["alpha"].min()), _f2(c["alpha"].max())
    if not cuts:
        return [f"Cronbach's alpha {lo}-{hi} across {len(c)} constructs ({_not_judged(v)})."]
    bad = c[[v.fails("alpha", x) for x in c["alpha"]]]
    near = [r for r in c.itertuples() if v.at_limit("alpha", r.alpha)]
    if bad.empty:
        text = f"All {len(c)} constructs reliable (alpha {lo}-{hi}; {_cite(cuts)})"
    else:
        text = (f"{len(c) - len(bad)}/{len(c)} constructs reach alpha {_cuts(cuts)} "
                f"(alpha {lo}-{hi}; {_cites(cuts)}); " + _failures(bad, "alpha", "alpha", v))
    if near:
        text += "; at the limit: " + ", ".join(f"alpha of {r.construct} {_f2(r.alpha)}"
                                               for r in near)
    return [text + "."]


def _item_sentences(items: pd.DataFrame, v: Verdicts) -> list[str]:
    out: list[str] = []
    neg = items[items["reverse_suspect"]] if "reverse_suspect" in items else items.iloc[:0]
    if len(neg):
        out.append("Items that run against their construct (reverse-coded but not "
                   "declared?): " + _names(neg["item"].tolist()) + ".")
    cuts = v.thresholds("item_total_r")
    if cuts and "item_total_r" in items:
        named = set(neg["item"])  # reverse-coded suspects are named above
        weak = items[[v.fails("item_total_r", x) and item not in named
                      for x, item in zip(items["item_total_r"], items["item"], strict=True)]]
        if len(weak):
            out.append(f"Weak items (corrected item-total r {_cuts(cuts)} not met; "
                       f"{_cites(cuts)}): "
                       + _names([f"{r.item} {_f2(r.item_total_r)}" for r in weak.itertuples()])
                       + ".")
    return out


def _loading_sentence(outer: pd.DataFrame, col: str, label: str, v: Verdicts) -> list[str]:
    cuts = v.thresholds("loading")
    o = outer.dropna(subset=[col])
    if not len(o):
        return []
    if not cuts:
        return [f"{label} {_f2(o[col].min())}-{_f2(o[col].max())} ({_not_judged(v)})."]
    weak = o[[v.fails("loading", x) for x in o[col]]]
    if weak.empty:
        return [f"All {len(o)} {label} {_cuts(cuts)} ({_cites(cuts)})."]
    minimum = all(t.direction in (">=", ">") for t in cuts)
    what = (f"below {' and '.join(_cutv(t.value) for t in cuts)}" if minimum
            else f"outside {_cuts(cuts)}")
    text = (f"{len(weak)}/{len(o)} {label} {what} ({_cites(cuts)}): "
            + _names([f"{r.item} {_f2(getattr(r, col))}" for r in weak.itertuples()]))
    return [text + "; keep those above .40 when CR and AVE are adequate (Hair et al. 2019)."]


_ROBUST_NAMES = {"MLM": "Satorra-Bentler SEs and scaled test",
                 "MLR": "Huber-White SEs, Yuan-Bentler scaled test",
                 "WLSMV": "ordinal items: DWLS on polychoric correlations, robust SEs, "
                          "scaled-shifted test"}


def _estimator_advice(f: Findings) -> str:
    """After a normality verdict against normal theory: the robust estimator the CB
    models used, or the flag that gives one."""
    nr = f.normality
    if nr is None or nr.n_items_nonnormal == 0:
        return ""
    estimators = {c.estimator for c in (f.cfa,) if c is not None} | {
        p.estimator for p in f.paths if p.method == "cb"}
    robust = sorted(e for e in estimators if e in _ROBUST_NAMES)
    if robust:
        return " The CB models here use " + ", ".join(
            f"{e} ({_ROBUST_NAMES[e]})" for e in robust) + "."
    if estimators:
        return (" The CB models here use normal-theory ML: --estimator mlr (or mlm for "
                "Satorra-Bentler, auto to let the data decide) gives robust SEs and a "
                "scaled test.")
    return (" For CB models: --estimator mlr (or mlm for Satorra-Bentler, auto to let the "
            "data decide).")


def _fit_sentence(cfa: CfaResult, v: Verdicts) -> str:
    f = cfa.fit
    parts: list[str] = []
    bad: list[str] = []
    near: list[str] = []
    cuts: list[tuple[str, Threshold]] = []
    est = cfa.estimator
    for key, label in (("cfi", "CFI"), ("tli", "TLI"), ("rmsea", "RMSEA"), ("srmr", "SRMR")):
        # after MLM/MLR the rules judge the robust CFI/TLI/RMSEA, and so does the summary
        judged = judged_fit(f, key, est)
        x = judged.value
        if x is None or x != x:
            continue
        named = f"{judged.variant} {label}" if judged.variant else label
        parts.append(f"{named} {_f2(x) if key != 'rmsea' else f'{x:.3f}'.lstrip('0')}")
        cuts += [(label, t) for t in v.thresholds(key)]
        if v.fails(key, x):
            bad.append(named)
        elif v.at_limit(key, x):
            near.append(named)
    chi = f"chi2({f.get('df', float('nan')):.0f}) = {f.get('chisq', float('nan')):.1f}"
    if est != "ML":
        chi += _robust_fit_text(f, est)
    if not cuts:
        how = [w for w, on in (("FIML", cfa.missing == "fiml"), (est, est != "ML")) if on]
        head = "CFA fit" + f" ({', '.join([*how, _not_judged(v)])})"
        return f"{head}: {', '.join(parts)}; {chi}."
    cites = _cites(t for _, t in cuts)
    rules = ", ".join(f"{label} {t.direction} {_cutv(t.value)}" for label, t in cuts)
    verdict = ("meets the cut-offs" if not bad
               else f"misses the cut-offs on {', '.join(bad)}")
    how = [w for w, on in (("FIML", cfa.missing == "fiml"), (est, est != "ML")) if on]
    head = f"CFA fit ({', '.join(how)})" if how else "CFA fit"
    text = f"{head} {verdict} ({', '.join(parts)}; {chi}; {rules}, {cites})"
    return text + (f"; at the limit: {', '.join(near)}." if near else ".")


def _robust_fit_text(f: Mapping[str, Any], estimator: str) -> str:
    """``, MLR-scaled chi2 = 87.1 (scaling factor 0.979); ML CFI .93, TLI .89, RMSEA
    .092`` of a robust estimator's fit (empty when the scaled test is missing): the
    normal-theory indices beside the robust ones the rules judged."""
    scaled, c = f.get("chisq_scaled"), f.get("chisq_scaling_factor")
    if scaled is None or scaled != scaled:
        return ""
    text = f", {estimator}-scaled chi2 = {scaled:.1f}"
    if c is not None and c == c:
        text += f" (scaling factor {c:.3f})"
    plain = [f"{label} {_f2(x) if key != 'rmsea' else f'{x:.3f}'.lstrip('0')}"
             for key, label in (("cfi", "CFI"), ("tli", "TLI"), ("rmsea", "RMSEA"))
             if judged_fit(f, key, estimator).variant
             and (x := f.get(key)) is not None and x == x]
    plain_name = "unscaled" if estimator == "WLSMV" else "ML"
    return text + (f"; {plain_name} {', '.join(plain)}" if plain else "")


def _cfa_sentences(cfa: CfaResult, v: Verdicts) -> list[str]:
    text = _fit_sentence(cfa, v)
    if cfa.weak_items:
        text += (f" Weak items (|loading| < {cfa.loading_threshold:g}, candidates for "
                 "--drop-weak): " + _names(list(cfa.weak_items)) + ".")
    if cfa.dropped:
        text += " Dropped: " + ", ".join(cfa.dropped) + "."
    if any(v.heywood(x) for x in cfa.loadings["std_all"]) or any(
            "Heywood" in w for w in cfa.warnings):
        text += " Improper solution (Heywood case): see the warnings before interpreting it."
    return [text, *_loading_sentence(cfa.loadings, "std_all", "CFA loadings", v)]


def _discriminant_sentence(htmt: pd.DataFrame, fl: pd.DataFrame, v: Verdicts,
                           label: str) -> list[str]:
    """HTMT and Fornell-Larcker together: holds only when both do."""
    h = htmt.dropna(subset=["value"]) if htmt is not None and len(htmt) else None
    fl_bad = v.fornell_larcker_pairs(fl) if fl is not None and len(fl) else []
    fl_pairs = sum(1 for r in fl.itertuples() if r.a != r.b) if fl is not None else 0
    if (h is None or not len(h)) and not fl_pairs:
        return []
    good, doubt = [], []
    if h is not None and len(h):
        cuts = v.thresholds("htmt")
        bad = h[[v.fails("htmt", x) for x in h["value"]]]
        top = h.loc[h["value"].idxmax()]
        if not cuts:
            good.append(f"HTMT at most {_f2(top['value'])} ({top['a']}/{top['b']}; "
                        f"{_not_judged(v)})")
        elif bad.empty:
            good.append(f"HTMT at most {_f2(top['value'])} ({top['a']}/{top['b']}; "
                        f"{_cite(cuts)})")
        else:
            doubt.append(f"HTMT {_cuts(cuts)} not met ({_cites(cuts)}): " + ", ".join(
                f"{r.a}/{r.b} {_f2(r.value)}" for r in bad.itertuples()))
    if fl_pairs:
        if fl_bad:
            doubt.append("Fornell-Larcker not met (Fornell & Larcker 1981): " + ", ".join(
                f"{a}/{b} |r| {_f2(abs(r))} > sqrt(AVE) {_f2(root)}"
                for a, b, r, root in fl_bad))
        else:
            good.append("every sqrt(AVE) exceeds the construct's correlations "
                        "(Fornell & Larcker 1981)")
    if doubt:
        return [f"Discriminant validity in doubt{label}: " + "; ".join(doubt)
                + ("; " + "; ".join(good) if good else "") + "."]
    return [f"Discriminant validity holds{label}: " + " and ".join(good) + "."]


def _pls_sentences(pls: PlsResult, v: Verdicts) -> list[str]:
    rel = pls.reliability
    out = _range_sentence(rel, "rho_a", "rho_a", v, "rho_A", source="PLS")
    out += _range_sentence(rel, "ave", "ave", v, "AVE", source="from the PLS loadings")
    o = pls.outer
    if "mode" in o:
        o = o[o["mode"] == "A"]
    return out + _loading_sentence(o, "loading", "PLS outer loadings", v)


def _collinearity_sentence(frame: pd.DataFrame, v: Verdicts) -> list[str]:
    c = frame.dropna()
    if not len(c):
        return []
    worst = c.loc[c["vif"].idxmax()]
    cuts = v.thresholds("fc_vif")
    if not cuts:
        return [f"Full collinearity VIF at most {worst['vif']:.2f} ({worst['construct']}; "
                f"{_not_judged(v)})."]
    high = c[[v.fails("fc_vif", x) for x in c["vif"]]]
    if high.empty:
        return [f"No sign of common method bias: full collinearity VIF at most "
                f"{worst['vif']:.2f} ({worst['construct']}; {_cite(cuts)})."]
    return [f"Full collinearity VIF {_cuts(cuts)} not met (common method bias or lateral "
            f"collinearity likely, {_cites(cuts)}): "
            + ", ".join(f"{r.construct} {r.vif:.2f}" for r in high.itertuples()) + "."]


def _paths_sentences(p: PathsResult, v: Verdicts) -> list[str]:
    if not len(p.paths):
        return []
    label = "CB-SEM" if p.method == "cb" else "PLS-SEM"
    pv = p.paths["pvalue"]
    sig = p.paths[[v.significant(x) for x in pv]]
    level_text = _f2(v.significance)
    levels = [(c, s) for c, s in ((0.001, ".001"), (0.01, ".01")) if c < v.significance]
    levels.append((v.significance, level_text))
    counts = []
    lower = 0.0
    for cut, shown in levels:
        k = int(((pv >= lower) & (pv < cut)).sum())
        if k:
            counts.append((k, shown))
        lower = cut
    if len(counts) == 1:
        level = f"p < {counts[0][1]}"
    elif counts:
        level = f"p < {level_text} (" + ", ".join(
            f"{k} at p < {shown}" for k, shown in counts) + ")"
    else:
        level = f"p < {level_text}"
    text = f"{len(sig)}/{len(p.paths)} {label} paths supported at {level}"
    if len(sig) < len(p.paths):
        not_sup = p.paths[~p.paths.index.isin(sig.index)]
        text += "; not supported: " + ", ".join(
            f"{r['from']} -> {r['to']}" for _, r in not_sup.iterrows())
    out = [text + "."]
    if len(p.r2):
        lo, hi = p.r2["r2"].min(), p.r2["r2"].max()
        out.append(f"R2 of the endogenous constructs {_f2(lo)}-{_f2(hi)} ({label}).")
    return out


def _exclusion_sentence(dq: ScreenResult | None) -> list[str]:
    """Whom the data-quality screen flagged, by rule, and whether ``--exclude-flagged``
    dropped them."""
    if dq is None:
        return []
    c = dq.counts
    if not c["flagged"]:
        return ([f"The data-quality screen flagged none of the {c['screened']} respondents; "
                 "none excluded."] if dq.excluded else [])
    words = (("straightliner", "straightlining"), ("duplicate", "duplicate submission"),
             ("speeder", "speeding"), ("attention", "failed attention check"))
    parts = ", ".join(f"{c[k]} {w}" for k, w in words if c[k])
    if dq.excluded:
        return [f"{c['flagged']} of {c['screened']} respondents flagged by the data-quality "
                f"screen ({parts}) were excluded; the analyses use the other "
                f"{c['screened'] - c['flagged']}."]
    rows = ", ".join(str(r) for r in dq.flagged["row"].head(6))
    more = " ..." if c["flagged"] > 6 else ""
    return [f"{c['flagged']} of {c['screened']} respondents flagged by the data-quality "
            f"screen ({parts}; file row(s) {rows}{more}); they are analysed: "
            "--exclude-flagged leaves them out."]


def _metrics_sentence(m: MetricsResult | None) -> list[str]:
    """"NPS +32 (95% CI +20 to +44; n = 157); CSAT 78% (...)": the CX metrics, one sentence."""
    if m is None or not len(m.table):
        return []
    rows = {r.name: r for r in m.table.itertuples()}
    parts = []
    for name, label, fmt in (("nps", "NPS", "{:+.0f}"), ("csat", "CSAT", "{:.0f}%"),
                             ("ces", "CES", "{:.2f}")):
        r = rows.get(name)
        if r is None or r.value != r.value:
            continue
        ci = (f"95% CI {fmt.format(r.ci_lower)} to {fmt.format(r.ci_upper)}; "
              if r.ci_lower == r.ci_lower else "")
        top = rows.get("ces_top2") if name == "ces" else None
        top2 = f"{top.value:.0f}% in the top two points; " if top is not None else ""
        parts.append(f"{label} {fmt.format(r.value)} ({ci}{top2}n = {r.n})")
    return ["; ".join(parts) + "."] if parts else []


def summarise(findings: Findings, verdicts: Verdicts, n_rows: int,
              n_used: int) -> list[str]:
    """Sentences that say what holds and what fails, for console, Excel and HTML.

    Parameters
    ----------
    findings : Findings
        The run's statistics.
    verdicts : Verdicts
        The run's rule set: every "reaches", "below", "at the limit" and "supported".
    n_rows, n_used : int
        Respondents read and respondents complete on every item.
    """
    f, v = findings, verdicts
    out: list[str] = []
    if n_used < n_rows:
        out.append(f"{n_used} of {n_rows} respondents answered every item "
                   f"({n_rows - n_used} with missing answers).")
    else:
        out.append(f"{n_rows} respondents, no missing answers.")
    out += _exclusion_sentence(f.data_quality)
    if f.descriptives is not None:
        if f.descriptives.zero_variance:
            out.append("No variance (one answer only): "
                       + _names(list(f.descriptives.zero_variance))
                       + "; these items cannot be tested or correlated.")
        if len(f.descriptives.straightliners):
            out.append(f"{len(f.descriptives.straightliners)} straightliner(s) gave the same "
                       "answer to every item.")
    out += _metrics_sentence(f.metrics)
    if f.normality is not None:
        out.append(f.normality.conclusion + _estimator_advice(f))
    rel = f.reliability
    if rel is not None and len(rel.constructs):
        c = rel.constructs
        source = ("from the CFA loadings" if rel.composite_source == "cfa"
                  else "from one-factor loadings")
        out += _alpha_sentence(c, v)
        out += _range_sentence(c, "rho_c", "rho_c", v, "CR", source=source)
        out += _range_sentence(c, "ave", "ave", v, "AVE", source=source)
        out += _item_sentences(rel.items, v)
    if f.cfa is not None:
        out += _cfa_sentences(f.cfa, v)
        out += _discriminant_sentence(f.cfa.htmt, f.cfa.fornell_larcker, v,
                                      " (CFA)" if f.pls is not None else "")
    if f.pls is not None:
        out += _pls_sentences(f.pls, v)
        out += _discriminant_sentence(f.pls.htmt, f.pls.fornell_larcker, v,
                                      " (PLS)" if f.cfa is not None else "")
    if f.collinearity is not None:
        out += _collinearity_sentence(f.collinearity, v)
    for p in f.paths:
        out.extend(_paths_sentences(p, v))
    if f.pls is not None and f.pls.guidelines is not None:
        out += _pls_guideline_sentences(f.pls.guidelines, v)
    out += _segments_sentences(f.segments, v)
    out += _invariance_sentences(f.invariance, v)
    out += _group_paths_sentence(f.group_paths, v)
    out += _pls_groups_sentences(f.mga, v)
    return out


def _pls_guideline_sentences(g: Any, v: Verdicts) -> list[str]:
    """PLSpredict's verdict, the exact-fit test and the IPMA's priorities."""
    out: list[str] = []
    if g.plsc is not None:
        out.append("Loadings, CR, AVE, paths and R2 of the PLS model are consistent PLS "
                   "(PLSc, Dijkstra & Henseler 2015): corrected for the measurement error "
                   "of the reflective constructs.")
    if g.predict:
        run = g.predict[0]
        c = run.counts
        if c.n_indicators:
            verdict = predictive_power(c)
            text = (f"PLSpredict ({run.folds} folds x {run.repetitions} repetitions, "
                    f"{run.technique} antecedents): Q2_predict > 0 for {c.n_q2_positive} of "
                    f"{c.n_indicators} indicators; PLS predicts better than the linear "
                    f"benchmark ({run.metric.upper()}) on {c.n_pls_lower} of them: "
                    f"{verdict} predictive power (Shmueli et al. 2019)")
            target = list(run.construct_counts)[-1] if run.construct_counts else None
            tc = run.construct_counts.get(target) if target else None
            if tc is not None and tc.n_indicators:
                text += f"; for {target}, {predictive_power(tc)}"
            out.append(text + ".")
    if g.model_fit is not None:
        fit = exact_fit(g.model_fit.table)
        est = fit[fit["model"] == "estimated"].set_index("measure")
        if "SRMR" in est.index:
            kind = ("common-factor (PLSc)" if g.model_fit.kind == "common_factor"
                    else "composite")
            parts = [f"{m} {_f3(est.loc[m, 'value'])} (HI95 {_f3(est.loc[m, 'hi95'])})"
                     for m in ("SRMR", "d_ULS", "d_G") if m in est.index]
            held = [bool(b) for b in est["below_hi95"] if b is not None]
            reading = ("below their 95% bootstrap quantiles: exact fit not rejected"
                       if held and all(held) else
                       "not all below their 95% bootstrap quantiles: exact fit rejected"
                       if held else "bootstrap quantiles undefined")
            out.append(f"PLS model fit ({kind} model, estimated): {', '.join(parts)}, "
                       f"{reading} (Dijkstra & Henseler 2015; SRMR < .08 is read as good "
                       "fit, Henseler et al. 2014).")
    if g.ipma is not None and len(g.ipma.constructs):
        m = g.ipma
        top = m.constructs.sort_values("importance", ascending=False).iloc[0]
        first = ipma_priorities(m.constructs)
        text = (f"IPMA of {m.target} (performance {m.target_performance:.1f} of 100): "
                f"{top['construct']} matters most (importance {top['importance']:.2f}, "
                f"performance {top['performance']:.1f})")
        text += (f"; priorities (importance above, performance below average): "
                 f"{_names(first)}" if first else "; no construct combines above-average "
                 "importance with below-average performance")
        out.append(text + " (Ringle & Sarstedt 2016).")
    return out


def _group_list(groups: Iterable[object], nobs: Iterable[int] | None = None) -> str:
    names = [str(g) for g in groups]
    if nobs is None:
        return ", ".join(names)
    return ", ".join(f"{g} n = {n}" for g, n in zip(names, nobs, strict=True))


def _invariance_sentences(inv: Any, v: Verdicts) -> list[str]:
    """The level of measurement invariance reached, why, and what it allows."""
    if inv is None:
        return []
    j = judge_invariance(inv, v.rules)
    steps = j.steps.set_index("step")
    where = f"across {_group_list(inv.groups, inv.nobs)}"
    cut = (f"Chen 2007: delta CFI {j.delta_cfi.direction} {_cutv(j.delta_cfi.value)}, "
           f"delta RMSEA {j.delta_rmsea.direction} {_cutv(j.delta_rmsea.value)}")
    later = [(str(st), r) for st, r in steps.iterrows() if st != "configural"]
    deltas = ", ".join(f"{st} {r['delta_cfi']:+.3f}".replace("0.", ".")
                       for st, r in later if r["delta_cfi"] == r["delta_cfi"])
    if j.reached == "none":
        why = steps.loc["configural", "reason"] if "configural" in steps.index else ""
        text = (f"Measurement invariance ({inv.estimator}) {where}: the configural model "
                f"misses the fit cut-offs ({why}), so no level of invariance can be "
                "established")
        if deltas:
            text += f"; the equality constraints themselves change CFI by {deltas} ({cut})"
        return [text + "."]
    failed = [st for st, r in later if r["held"] is False]
    text = (f"{j.reached.capitalize()} invariance holds {where} ({inv.estimator}; {cut}): "
            f"{level_meaning(j.reached, inv.estimator == 'WLSMV')}")
    if failed:
        first = failed[0]
        text += f"; {first} invariance does not ({steps.loc[first, 'reason']})"
        tests = getattr(inv, "score_tests", {}).get(first)
        if tests is not None and len(tests):
            top = tests.iloc[0]
            name = f"{top['lhs']}{top['op']}{top['rhs']}" if "lhs" in tests.columns else ""
            if name:
                text += (f"; releasing {name} improves fit most (score test X2 = "
                         f"{float(top['X2']):.2f}), a candidate for partial invariance")
    return [text + "."]


def _group_paths_sentence(gp: Any, v: Verdicts) -> list[str]:
    """Which structural paths differ between the groups (Wald tests)."""
    if gp is None or not len(gp.tests):
        return []
    t = gp.tests
    sig = t[[v.significant(p) for p in t["pvalue"]]]
    equal = f" ({', '.join(gp.fit_equal)} equal)" if gp.fit_equal else ""
    if not len(sig):
        return [f"No structural path differs significantly between "
                f"{_group_list(gp.groups)} (Wald tests{equal}, p >= {v.significance:g})."]
    named = [f"{r.lhs} ~ {r.rhs} ({_p(r.pvalue)})" for r in sig.itertuples()]
    return [f"Structural paths that differ between {_group_list(gp.groups)} (Wald "
            f"tests{equal}, p < {v.significance:g}): {_names(named)}."]


def _segments_sentences(sg: Any, v: Verdicts) -> list[str]:
    """Construct scores that differ between the groups (Holm-adjusted Welch tests)."""
    if sg is None:
        return []
    compared = sg.groups[sg.groups["status"] == "compared"]
    out: list[str] = []
    small = sg.groups[sg.groups["status"] != "compared"]
    if len(small):
        out.append(f"Groups of {sg.group} with fewer than {sg.min_group_size} respondents are "
                   f"left out of the comparisons: {_group_list(small['group'], small['n'])}.")
    if len(compared) < 2:
        return out
    t = sg.tests
    main = t[(t["kind"] == "construct") & t["test"].isin(("welch_t", "welch_anova"))]
    if not len(main):
        return out
    test = "Welch's t" if main["test"].iloc[0] == "welch_t" else "Welch's ANOVA"
    sig = main[[v.significant(p) for p in main["p_holm"]]]
    where = f"the {sg.group} groups ({_group_list(compared['group'], compared['n'])})"
    if not len(sig):
        out.append(f"No construct score differs significantly between {where} ({test}, "
                   f"Holm-adjusted p >= {v.significance:g}).")
        return out
    named = [f"{r.variable} ({_EFFECTS.get(r.effect, r.effect)} {r.effect_size:+.2f}, "
             f"{_p(r.p_holm)})" for r in sig.itertuples()]
    out.append(f"Construct scores that differ between {where} ({test}, Holm-adjusted "
               f"p < {v.significance:g}): {_names(named)}.")
    return out


def _pls_groups_sentences(pg: Any, v: Verdicts) -> list[str]:
    """MICOM's conclusion and the PLS paths that differ between the groups."""
    if pg is None:
        return []
    out: list[str] = []
    mc = pg.micom
    if mc is not None:
        comp = mc.compositional
        bad2 = sorted(set(comp.loc[~comp["invariant"].astype(bool), "construct"]))
        means, variances = mc.means, mc.variances
        bad3 = sorted(set(means.loc[~means["within"].astype(bool), "construct"])
                      | set(variances.loc[~variances["within"].astype(bool), "construct"]))
        where = f"across {_group_list(mc.groups)} ({mc.n_perm} permutations)"
        if not mc.configural_ok:
            out.append(f"MICOM {where}: configural invariance fails (an item has no "
                       "variance in a group).")
        elif bad2:
            out.append(f"MICOM {where}: compositional invariance fails for {_names(bad2)}, "
                       "so the groups' PLS paths should not be compared (Henseler, Ringle "
                       "& Sarstedt 2016).")
        elif bad3:
            out.append(f"MICOM {where}: partial measurement invariance (compositional "
                       f"invariance holds; means or variances differ for {_names(bad3)}): "
                       "the groups' paths can be compared, pooled data should not be "
                       "(Henseler, Ringle & Sarstedt 2016).")
        else:
            out.append(f"MICOM {where}: full measurement invariance of the composites "
                       "(equal composition, means and variances): the groups' paths can be "
                       "compared and the data pooled (Henseler, Ringle & Sarstedt 2016).")
    for run in pg.mga:
        t = run.paths
        sig = t[[v.significant(p) for p in t["p_perm_holm"]]]
        pair = f"{run.groups[0]} and {run.groups[1]}"
        if not len(sig):
            out.append(f"No PLS path differs significantly between {pair} (permutation "
                       f"test, Holm-adjusted p >= {v.significance:g}).")
        else:
            named = [f"{r._asdict()['from']} -> {r.to} ({r.diff:+.2f}, "
                     f"{_p(r.p_perm_holm)})" for r in sig.itertuples()]
            out.append(f"PLS paths that differ between {pair} (permutation test, "
                       f"Holm-adjusted p < {v.significance:g}): {_names(named)}.")
    return out


def checks_sentence(checks: ChecksResult) -> str:
    """One sentence on the quality gates: how many passed, failures grouped by rule."""
    total = len(checks.checks)
    failed = checks.failed
    head = f"Checks ({checks.rule_set} rules): {total - len(failed)}/{total} passed"
    if len(checks.skipped):
        head += f", {checks.skipped['name'].nunique()} rule(s) not applicable"
    if failed.empty:
        return head + "."
    parts = []
    for _, group in failed.groupby("name", sort=False):
        first = group.iloc[0]
        label = first["message"].split(" of ")[0]
        where = [_check_where(r) + f" {_f3(r.value)}" for r in group.itertuples()]
        parts.append(f"{label} {first['direction']} {_f3(first['threshold'])} "
                     f"({first['citation']}): " + _names(where, 4))
    return head + "; failed: " + "; ".join(parts) + "."


def _check_where(r) -> str:  # type: ignore[no-untyped-def]
    if isinstance(r.other, str) and r.other:
        return f"{r.construct}/{r.other}"
    if isinstance(r.item, str) and r.item:
        return r.item
    if isinstance(r.construct, str) and r.construct:
        return r.construct
    return str(r.source).upper()
