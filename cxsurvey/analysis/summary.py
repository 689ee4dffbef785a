"""Plain-language reading of the results, generated from the numbers (never canned)."""

from __future__ import annotations

import pandas as pd

from cxsurvey.analysis import thresholds as th
from cxsurvey.analysis.results import (
    CfaResult,
    ChecksResult,
    DescribeResult,
    NormalityResult,
    PathsResult,
    ReliabilityResult,
)


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


def summarise(describe: DescribeResult | None, normality: NormalityResult | None,
              reliability: ReliabilityResult | None, n_rows: int, n_used: int,
              cfa: CfaResult | None = None, paths: tuple[PathsResult, ...] = ()) -> list[str]:
    """Sentences that say what holds and what fails, for console, Excel and HTML."""
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
        ok = c[c["alpha"] >= th.ALPHA.value]
        bad = c[c["alpha"] < th.ALPHA.value]
        if len(c):
            lo, hi = c["alpha"].min(), c["alpha"].max()
            if bad.empty:
                out.append(f"All {len(c)} constructs reliable (alpha {_f2(lo)}-{_f2(hi)}, "
                           f"{th.ALPHA.text}).")
            else:
                listed = ", ".join(f"{r.construct} {_f2(r.alpha)}" for r in bad.itertuples())
                out.append(f"{len(ok)}/{len(c)} constructs reach alpha >= "
                           f"{_f2(th.ALPHA.value)}; below: {listed}.")
        ave = c.dropna(subset=["ave"]) if "ave" in c else pd.DataFrame()
        if len(ave):
            low = ave[ave["ave"] < th.AVE.value]
            if len(low):
                source = "CFA" if reliability.composite_source == "cfa" else "one-factor"
                out.append(f"AVE below .50 ({source} loadings): "
                           + ", ".join(f"{r.construct} {_f2(r.ave)}" for r in low.itertuples())
                           + ".")
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
    for p in paths:
        out.extend(_paths_sentences(p))
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
    text = f"CFA fit {verdict} ({', '.join(parts)}; chi2({f.get('df'):.0f}) = " \
           f"{f.get('chisq', float('nan')):.1f})."
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
    sig = p.paths[p.paths["pvalue"] < th.P_VALUE]
    strict = p.paths[p.paths["pvalue"] < 0.001]
    level = "p < .001" if len(strict) == len(sig) and len(sig) else f"p < {_f2(th.P_VALUE)}"
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
