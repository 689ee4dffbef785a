"""The Net Promoter Score chart of the HTML report: one stacked bar per NPS item.

Detractors (0-6), passives (7-8) and promoters (9-10) as shares of the item's valid
answers, left to right, with the NPS and its 95% CI beside the bar. Inline SVG like the
Likert chart (:mod:`cxsurvey.report.html.likert`).
"""

from __future__ import annotations

import math

from cxsurvey.report.html.svg import MUTED, TEXT, esc, num
from cxsurvey.stats.metrics import MetricsResult

__all__ = ["nps_chart"]

_GROUPS = (("detractors", "Detractors (0-6)", "#cf222e"),
           ("passives", "Passives (7-8)", "#afb8c1"),
           ("promoters", "Promoters (9-10)", "#1a7f37"))
_LABEL_W, _BAR_W, _NOTE_W, _ROW_H, _TOP = 90.0, 400.0, 190.0, 28.0, 26.0


def _ci_text(m: MetricsResult, item: str) -> str:
    rows = m.table[(m.table["name"] == "nps") & (m.table["item"] == item)]
    if not len(rows) or not math.isfinite(float(rows.iloc[0]["ci_lower"])):
        return ""
    r = rows.iloc[0]
    return f" (95% CI {r['ci_lower']:+.0f} to {r['ci_upper']:+.0f})"


def nps_chart(m: MetricsResult) -> str:
    """``<svg class="nps-chart">``: a legend, then per NPS item a bar whose ``<rect>``
    segments carry ``data-group`` and ``data-pct``; empty when there is no NPS."""
    shares = {item: s for item, s in m.nps.items() if s.n}
    if not shares:
        return ""
    width = _LABEL_W + _BAR_W + _NOTE_W
    height = _TOP + _ROW_H * len(shares) + 6
    legend, x = [], _LABEL_W
    for _, label, colour in _GROUPS:
        legend.append(f'<rect x="{num(x)}" y="4" width="10" height="10" fill="{colour}"/>'
                      f'<text x="{num(x + 14)}" y="13" font-size="11" fill="{MUTED}">'
                      f"{esc(label)}</text>")
        x += 130
    body = []
    for i, (item, s) in enumerate(shares.items()):
        y = _TOP + i * _ROW_H
        body.append(f'<g class="nps-row" data-item="{esc(item)}">'
                    f'<text x="{num(_LABEL_W - 6)}" y="{num(y + 15)}" font-size="12" '
                    f'text-anchor="end" fill="{TEXT}">{esc(item)}</text>')
        x = _LABEL_W
        for key, label, colour in _GROUPS:
            pct = 100 * getattr(s, key) / s.n
            w = _BAR_W * pct / 100
            body.append(f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="20" '
                        f'fill="{colour}" data-group="{key}" data-pct="{pct:.1f}">'
                        f"<title>{esc(item)}: {esc(label)} {pct:.1f}%</title></rect>")
            if w >= 28:
                body.append(f'<text x="{num(x + w / 2)}" y="{num(y + 14)}" font-size="11" '
                            f'text-anchor="middle" fill="#ffffff">{pct:.0f}%</text>')
            x += w
        body.append(f'<text x="{num(_LABEL_W + _BAR_W + 8)}" y="{num(y + 15)}" '
                    f'font-size="12" fill="{TEXT}">NPS {s.value:+.0f}'
                    f"{esc(_ci_text(m, item))}</text></g>")
    return (f'<svg class="nps-chart" viewBox="0 0 {num(width)} {num(height)}" '
            f'width="{num(width)}" height="{num(height)}" role="img" '
            f'style="max-width:{num(width)}px" aria-labelledby="nps-chart-title">'
            '<title id="nps-chart-title">Net Promoter Score: detractors, passives and '
            "promoters (% of valid answers)</title>" + "".join(legend) + "".join(body)
            + "</svg>")
