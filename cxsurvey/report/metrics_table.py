"""The display form of the CX metrics (NPS, CSAT, CES): labels, units, interval methods."""

from __future__ import annotations

import pandas as pd

from cxsurvey.stats.metrics import MetricsResult

__all__ = ["METRICS_NOTE", "metrics_display"]

_LABELS = {"nps": ("NPS", "points"), "csat": ("CSAT (top-2 box)", "%"),
           "ces": ("CES (mean)", "scale"), "ces_top2": ("CES top-2 box", "%")}
_METHODS = {"wald-multinomial": "Wald, multinomial SE", "wilson": "Wilson", "t": "Student t"}

#: ``(key, label, kind, decimals)`` of the displayed columns, as ``report.tables.Column``.
COLUMNS = (("metric", "Metric", "text"), ("item", "Item", "text"), ("value", "Value", "num", 2),
           ("unit", "Unit", "text"), ("se", "SE", "num", 2),
           ("ci_lower", "95% CI low", "num", 2), ("ci_upper", "95% CI high", "num", 2),
           ("n", "N", "int"), ("interval", "CI method", "text"))

METRICS_NOTE = ("NPS = % promoters (9-10) - % detractors (0-6), SE from the multinomial "
                "variance (Rocks 2016); CSAT and top-2 box = % in the two highest points of "
                "the item's scale, Wilson interval (Wilson 1927; Brown, Cai & DasGupta 2001); "
                "CES = the item's mean, t interval.")


def metrics_display(m: MetricsResult) -> tuple[pd.DataFrame, tuple[tuple, ...], str]:
    """``(frame, columns, note)``: ``m.table`` with ``metric`` (label), ``unit`` and
    ``interval`` (CI method) added, the columns to show and the table's note."""
    frame = m.table.copy()
    frame["metric"] = [_LABELS.get(n, (n, ""))[0] for n in frame["name"]]
    frame["unit"] = [_LABELS.get(n, (n, ""))[1] for n in frame["name"]]
    frame["interval"] = [_METHODS.get(x, x) for x in frame["method"]]
    return frame, COLUMNS, METRICS_NOTE
