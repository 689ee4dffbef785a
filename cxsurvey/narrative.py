"""Plain-language reading of the results, generated from the numbers (never canned)."""

from __future__ import annotations

import pandas as pd

from cxsurvey.gates import thresholds as th
from cxsurvey.gates.results import ChecksResult
from cxsurvey.stats.cb.results import CfaResult
from cxsurvey.stats.items.results import DescribeResult, NormalityResult, ReliabilityResult
from cxsurvey.stats.paths import PathsResult
from cxsurvey.stats.pls.results import PlsResult


def _f2(x: float) -> str:
    text = f"{x:.2f}"
    return text[1:] if text.startswith("0.") else text.replace("-0.", "-.")


def _f3(x: float) -> str:
    """Up to three decimals without trailing zeros or the leading zero: .708, .5, 3.3."""
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return text[1:] if text.startswith("0.") else text.replace("-0.", "-.")


def _names(values: list[str], limit: int = 6) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


LIMIT_MARGIN = 0.02
"""A value this close to a cut-off (on the passing side) is reported "at the limit"."""


def _cutv(x: float) -> str:
    """A cut-off as analysts write it: .70, .50, .708, 3.3."""
    return _f2(x) if round(x, 2) == x and abs(x) < 1 else _f3(x)


def _cite(cut: th.Threshold) -> str:
    """``>= .70, Nunnally & Bernstein 1994``: a cut-off and its source, for parentheses."""
    return f"{cut.direction} {_cutv(cut.value)}, {cut.citation}"


def _at_limit(value: float, cut: th.Threshold) -> bool:
    return cut.passes(value) and abs(value - cut.value) <= LIMIT_MARGIN


def _range_sentence(frame: pd.DataFrame, col: str, cut: th.Threshold, label: str,
                    what: str, source: str = "") -> list[str]:
    """"All 8 constructs reach X (.71-.86)" or the failures, plus values at the limit."""
    c = frame.dropna(subset=[col]) if col in frame else frame.iloc[:0]
    if not len(c):
        return []
    bad = c[[not cut.passes(float(v)) for v in c[col]]]
    near = c[[_at_limit(float(v), cut) for v in c[col]]]
    lo, hi = _f2(c[col].min()), _f2(c[col].max())
    src = f"{source}: " if source else ""
    if bad.empty:
        text = (f"All {len(c)} {what} reach {label} {cut.direction} {_cutv(cut.value)} "
                f"({src}{lo}-{hi}; {cut.citation})")
    else:
        text = (f"{len(c) - len(bad)}/{len(c)} {what} reach {label} {cut.direction} "
                f"{_cutv(cut.value)} ({src}{lo}-{hi}; {cut.citation}); below: "
                + ", ".join(f"{r.construct} {_f2(getattr(r, col))}" for r in bad.itertuples()))
    if len(near):
        text += "; at the limit: " + ", ".join(
            f"{label} of {r.construct} {_f2(getattr(r, col))}" for r in near.itertuples())
    return [text + "."]


def summarise(describe: DescribeResult | None, normality: NormalityResult | None,
              reliability: ReliabilityResult | None, n_rows: int, n_used: int,
              cfa: CfaResult | None = None, paths: tuple[PathsResult, ...] = (),
              pls: PlsResult | None = None,
              collinearity: pd.DataFrame | None = None) -> list[str]:
    """Sentences that say what holds and what fails, for console, Excel and HTML.

    Every number comes from the results; cut-offs come from :mod:`thresholds` with their
    citations. A value within ``LIMIT_MARGIN`` of a cut-off on the passing side is named
    "at the limit".
    """
    out: list[str] = []
    if n_used < n_rows:
        out.append(f"{n_used} of {n_rows} respondents answered every item "
                   f"({n_rows - n_used} with missing answers).")
    else:
        out.append(f"{n_rows} respondents, no missing answers.")
    if describe is not None:
        if describe.zero_variance:
            out.append("No variance (one answer only): " + _names(list(describe.zero_variance))
                       + "; these items cannot be tested or correlated.")
        if len(describe.straightliners):
            out.append(f"{len(describe.straightliners)} straightliner(s) gave the same answer "
                       "to every item.")
    if normality is not None:
        out.append(normality.conclusion)
    if reliability is not None and len(reliability.constructs):
        c = reliability.constructs.dropna(subset=["alpha"])
        if len(c):
            lo, hi = c["alpha"].min(), c["alpha"].max()
            bad = c[c["alpha"] < th.ALPHA.value]
            near = [r for r in c.itertuples() if _at_limit(float(r.alpha), th.ALPHA)]
            if bad.empty:
                text = (f"All {len(c)} constructs reliable (alpha {_f2(lo)}-{_f2(hi)}; "
                        f"{_cite(th.ALPHA)})")
            else:
                listed = ", ".join(f"{r.construct} {_f2(r.alpha)}" for r in bad.itertuples())
                text = (f"{len(c) - len(bad)}/{len(c)} constructs reach alpha >= "
                        f"{_f2(th.ALPHA.value)} ({th.ALPHA.citation}); below: {listed}")
            if near:
                text += "; at the limit: " + ", ".join(
                    f"alpha of {r.construct} {_f2(r.alpha)}" for r in near)
            out.append(text + ".")
        source = ("CFA loadings" if reliability.composite_source == "cfa"
                  else "one-factor loadings")
        out += _range_sentence(c, "rho_c", th.RHO_C, "CR", "constructs", source)
        out += _range_sentence(c, "ave", th.AVE, "AVE", "constructs", source)
        it = reliability.items
        neg = it[it["reverse_suspect"]] if "reverse_suspect" in it else it.iloc[:0]
        if len(neg):
            out.append("Items that run against their construct (reverse-coded but not "
                       "declared?): " + _names(neg["item"].tolist()) + ".")
        weak = it[(it["item_total_r"] >= 0) & (it["item_total_r"] < th.ITEM_TOTAL_R.value)]
        if len(weak):
            out.append(f"Weak items (item-total r < {_f2(th.ITEM_TOTAL_R.value)}): "
                       + _names([f"{r.item} {_f2(r.item_total_r)}" for r in weak.itertuples()])
                       + ".")
    if cfa is not None:
        out.append(_cfa_sentence(cfa))
        out += _htmt_sentence(cfa.htmt, "")
    if pls is not None:
        out += _pls_sentences(pls)
        if cfa is None:
            out += _htmt_sentence(pls.htmt, " (PLS)")
    if collinearity is not None and len(collinearity.dropna()):
        v = collinearity.dropna()
        worst = v.loc[v["vif"].idxmax()]
        if th.FC_VIF.passes(float(worst["vif"])):
            out.append(f"No sign of common method bias: full collinearity VIF at most "
                       f"{worst['vif']:.2f} ({worst['construct']}; {_cite(th.FC_VIF)}).")
        else:
            high = v[[not th.FC_VIF.passes(float(x)) for x in v["vif"]]]
            out.append("Full collinearity VIF above 3.3 (common method bias or lateral "
                       "collinearity likely, Kock 2015): " + ", ".join(
                           f"{r.construct} {r.vif:.2f}" for r in high.itertuples()) + ".")
    for p in paths:
        out.extend(_paths_sentences(p))
    return out


def _htmt_sentence(htmt: pd.DataFrame, label: str) -> list[str]:
    if htmt is None or not len(htmt.dropna(subset=["value"])):
        return []
    h = htmt.dropna(subset=["value"])
    bad = h[[not th.HTMT.passes(float(v)) for v in h["value"]]]
    top = h.loc[h["value"].idxmax()]
    if bad.empty:
        return [f"Discriminant validity holds{label}: HTMT at most {_f2(top['value'])} "
                f"({top['a']}/{top['b']}; {_cite(th.HTMT)})."]
    return [f"Discriminant validity in doubt{label} (HTMT {_cite(th.HTMT)}): "
            + ", ".join(f"{r.a}/{r.b} {_f2(r.value)}" for r in bad.itertuples()) + "."]


def _pls_sentences(pls: PlsResult) -> list[str]:
    out: list[str] = []
    rel = pls.reliability
    out += _range_sentence(rel, "rho_a", th.RHO_C, "rho_A", "constructs", "PLS")
    out += _range_sentence(rel, "ave", th.AVE, "AVE", "constructs", "PLS loadings")
    o = pls.outer
    if "mode" in o:
        o = o[o["mode"] == "A"]
    weak = o[o["loading"] < th.PLS_LOADING.value]
    if len(o):
        if weak.empty:
            out.append(f"All {len(o)} PLS outer loadings >= .708 ({th.PLS_LOADING.citation}).")
        else:
            out.append(f"{len(weak)}/{len(o)} PLS outer loadings below .708 "
                       f"({th.PLS_LOADING.citation}): "
                       + _names([f"{r.item} {_f2(r.loading)}" for r in weak.itertuples()])
                       + "; keep those above .40 when CR and AVE are adequate.")
    return out


def _cfa_sentence(cfa: CfaResult) -> str:
    f = cfa.fit
    checks = [(th.CFI, "cfi", "CFI"), (th.TLI, "tli", "TLI"), (th.RMSEA, "rmsea", "RMSEA"),
              (th.SRMR, "srmr", "SRMR")]
    parts, bad = [], []
    for cut, key, label in checks:
        v = f.get(key)
        if v is None or v != v:
            continue
        parts.append(f"{label} {_f2(v) if key != 'rmsea' else f'{v:.3f}'.lstrip('0')}")
        if not cut.passes(float(v)):
            bad.append(label)
    verdict = ("acceptable by Hu & Bentler's (1999) cut-offs" if not bad
               else f"below Hu & Bentler's (1999) cut-offs on {', '.join(bad)}")
    near = [label for cut, key, label in checks
            if f.get(key) is not None and f.get(key) == f.get(key)
            and _at_limit(float(f[key]), cut)]
    text = f"CFA fit {verdict} ({', '.join(parts)}; chi2({f.get('df'):.0f}) = " \
           f"{f.get('chisq', float('nan')):.1f})"
    text += (f"; at the limit: {', '.join(near)}." if near else ".")
    if cfa.weak_items:
        text += (f" Weak items (|loading| < {cfa.loading_threshold:g}): "
                 + _names(list(cfa.weak_items)) + ".")
    if cfa.dropped:
        text += " Dropped: " + ", ".join(cfa.dropped) + "."
    if any("Heywood" in w for w in cfa.warnings):
        text += " Improper solution (Heywood case): see the warnings before interpreting it."
    return text


def _paths_sentences(p: PathsResult) -> list[str]:
    if not len(p.paths):
        return []
    label = "CB-SEM" if p.method == "cb" else "PLS-SEM"
    pv = p.paths["pvalue"]
    sig = p.paths[pv < th.P_VALUE]
    levels = [(0.001, ".001"), (0.01, ".01"), (th.P_VALUE, _f2(th.P_VALUE))]
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
        level = "p < " + _f2(th.P_VALUE) + " (" + ", ".join(
            f"{k} at p < {shown}" for k, shown in counts) + ")"
    else:
        level = f"p < {_f2(th.P_VALUE)}"
    text = f"{len(sig)}/{len(p.paths)} {label} paths supported at {level}"
    if len(sig) < len(p.paths):
        not_sup = p.paths[~p.paths.index.isin(sig.index)]
        text += "; not supported: " + ", ".join(
            f"{r['from']} -> {r['to']}" for _, r in not_sup.iterrows())
    text += "."
    out = [text]
    if len(p.r2):
        lo, hi = p.r2["r2"].min(), p.r2["r2"].max()
        out.append(f"R2 of the endogenous constructs {_f2(lo)}-{_f2(hi)} ({label}).")
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


def _check_where(r) -> str:
    if isinstance(r.other, str) and r.other:
        return f"{r.construct}/{r.other}"
    if isinstance(r.item, str) and r.item:
        return r.item
    if isinstance(r.construct, str) and r.construct:
        return r.construct
    return str(r.source).upper()
