"""Conventional cut-offs, each with the source that analysts cite for it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Threshold:
    """A cut-off: ``value`` and whether a statistic must be ``>=`` or ``<=`` it."""

    name: str
    value: float
    direction: str  # ">=", "<=", ">" or "<"
    citation: str

    def passes(self, x: float) -> bool:
        """True when ``x`` meets the cut-off (``x`` compared with ``value``)."""
        ops = {">=": x >= self.value, "<=": x <= self.value, ">": x > self.value,
               "<": x < self.value}
        return bool(ops[self.direction])

    @property
    def text(self) -> str:
        return f"{self.name} {self.direction} {self.value:g} ({self.citation})"


ALPHA = Threshold("Cronbach's alpha", 0.70, ">=", "Nunnally & Bernstein 1994")
RHO_C = Threshold("composite reliability", 0.70, ">=", "Hair et al. 2019")
RHO_A = Threshold("rho_A", 0.70, ">=", "Hair et al. 2019")
AVE = Threshold("AVE", 0.50, ">=", "Fornell & Larcker 1981")
ITEM_TOTAL_R = Threshold("corrected item-total r", 0.30, ">=", "Nunnally & Bernstein 1994")
LOADING = Threshold("standardised loading", 0.40, ">=", "Hulland 1999")
P_VALUE = 0.05
CFI = Threshold("CFI", 0.95, ">=", "Hu & Bentler 1999")
TLI = Threshold("TLI", 0.95, ">=", "Hu & Bentler 1999")
RMSEA = Threshold("RMSEA", 0.06, "<=", "Hu & Bentler 1999")
SRMR = Threshold("SRMR", 0.08, "<=", "Hu & Bentler 1999")
HTMT = Threshold("HTMT", 0.85, "<=", "Henseler, Ringle & Sarstedt 2015")
PLS_LOADING = Threshold("loading", 0.708, ">=", "Hair et al. 2019")
RHO_C_MAX = Threshold("composite reliability", 0.95, "<", "Hair et al. 2019")
HTMT_LIBERAL = Threshold("HTMT", 0.90, "<=", "Henseler, Ringle & Sarstedt 2015")
VIF = Threshold("VIF", 5.0, "<", "Hair et al. 2019")
FC_VIF = Threshold("full collinearity VIF", 3.3, "<=", "Kock 2015")
DELTA_CFI = Threshold("delta CFI", -0.010, ">=", "Chen 2007")
"""A step of measurement invariance holds when CFI drops by less than .010 from the
previous step (Chen 2007, for loadings, intercepts and residuals)."""
DELTA_RMSEA = Threshold("delta RMSEA", 0.015, "<=", "Chen 2007")
"""... and RMSEA rises by at most .015 (Chen 2007)."""
HTMT_UPPER = Threshold("HTMT upper bound", 0.85, "<", "Franke & Sarstedt 2019")
"""Discriminant validity established by inference: the one-sided 95% bootstrap upper bound
of HTMT below .85 (.90 for conceptually similar constructs; Franke & Sarstedt 2019)."""
