"""The data of the simple slope plot of a PLS moderation: for each interaction term, the
predicted standardised outcome at X = -1 and X = +1 (SD units) with the moderator held at
-1 SD, its mean and +1 SD, one straight line per moderator level.

The HTML report draws it as inline SVG (:mod:`cxsurvey.report.html.slope_chart`), the
Excel report as a native scatter chart with lines (:mod:`cxsurvey.report.excel.slope_chart`).
The numbers are those of :attr:`cxsurvey.stats.pls.moderation.ModerationBootstrap.slopes`
(``y_at_iv_low``, ``y_at_iv_high``), not recomputed here.

References
----------
Aiken, L. S., & West, S. G. (1991). *Multiple regression: Testing and interpreting
interactions*. Sage.
Henseler, J., & Chin, W. W. (2010). A comparison of approaches for the analysis of
interaction effects between latent variables using partial least squares path modeling.
*Structural Equation Modeling*, 17(1), 82-109.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from cxsurvey.report.ipma_chart import nice_range
from cxsurvey.results import Results

__all__ = ["LINE_COLUMNS", "X_HIGH", "X_LOW", "SlopePlot", "level_label", "slope_axis",
           "slope_plots"]

LINE_COLUMNS = ["level", "moderator_value", "slope", "pvalue", "y_low", "y_high"]
X_LOW, X_HIGH = -1.0, 1.0
"""The iv's values (SD units) at the ends of every line."""

_LEVEL_LABELS = {"-1 SD": "low (-1 SD)", "mean": "mean", "+1 SD": "high (+1 SD)"}


def level_label(level: object) -> str:
    """The shown name of a moderator level: ``-1 SD`` -> ``low (-1 SD)``, ``+1 SD`` ->
    ``high (+1 SD)`` (a text that starts with a sign would read as a formula in a
    spreadsheet); other levels unchanged."""
    return _LEVEL_LABELS.get(str(level), str(level))


@dataclass(frozen=True)
class SlopePlot:
    """What one slope plot draws.

    Attributes
    ----------
    iv, moderator, outcome : str
        The interaction ``iv:moderator`` and the construct it predicts.
    lines : DataFrame
        :data:`LINE_COLUMNS`: one row per moderator level (-1 SD, mean, +1 SD, in that
        order, named by :func:`level_label`): the slope of the iv and its p-value, and
        the predicted standardised outcome at X = -1 (``y_low``) and X = +1
        (``y_high``).
    """

    iv: str
    moderator: str
    outcome: str
    lines: pd.DataFrame

    @property
    def term(self) -> str:
        return f"{self.iv}:{self.moderator}"


def slope_plots(res: Results) -> list[SlopePlot]:
    """The slope plots of a run, one per interaction term in model order; empty without
    a PLS moderation."""
    mod = getattr(res.pls, "moderation", None) if res.pls is not None else None
    if mod is None or not len(mod.slopes):
        return []
    s = mod.slopes
    out = []
    keys = list(dict.fromkeys(zip(s["iv"], s["moderator"], s["outcome"], strict=True)))
    for iv, m, o in keys:
        part = s[(s["iv"] == iv) & (s["moderator"] == m) & (s["outcome"] == o)]
        part = part.sort_values("moderator_value", kind="stable")
        lines = pd.DataFrame({
            "level": [level_label(x) for x in part["level"]],
            "moderator_value": part["moderator_value"].astype(float).to_numpy(),
            "slope": part["slope"].astype(float).to_numpy(),
            "pvalue": (part["pvalue"].astype(float).to_numpy() if "pvalue" in part.columns
                       else [float("nan")] * len(part)),
            "y_low": part["y_at_iv_low"].astype(float).to_numpy(),
            "y_high": part["y_at_iv_high"].astype(float).to_numpy()}, columns=LINE_COLUMNS)
        out.append(SlopePlot(str(iv), str(m), str(o), lines))
    return out


def slope_axis(plot: SlopePlot) -> tuple[float, float, float]:
    """The outcome axis ``(start, stop, step)``: round numbers around the predicted values,
    symmetric about 0 so that the mean outcome sits in the middle."""
    ys = [float(v) for v in (*plot.lines["y_low"], *plot.lines["y_high"])
          if math.isfinite(float(v))] or [1.0]
    top = max(abs(v) for v in ys) or 1.0
    _, stop, step = nice_range(0.0, top, 4)
    return -stop, stop, step
