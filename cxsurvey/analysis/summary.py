"""Plain-language reading of the results, generated from the numbers (never canned)."""

from __future__ import annotations

import pandas as pd

from cxsurvey.analysis import thresholds as th
from cxsurvey.analysis.results import DescribeResult, NormalityResult, ReliabilityResult


def _f2(x: float) -> str:
    text = f"{x:.2f}"
    return text[1:] if text.startswith("0.") else text.replace("-0.", "-.")


def _names(values: list[str], limit: int = 6) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def summarise(describe: DescribeResult | None, normality: NormalityResult | None,
              reliability: ReliabilityResult | None, n_rows: int, n_used: int) -> list[str]:
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
                out.append("AVE below .50 (one-factor loadings): "
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
    return out
